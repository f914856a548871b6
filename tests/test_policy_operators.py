"""Operators and datatype semantics (policy/operators.py)."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from pyoxigraph import Literal, NamedNode

from rightsgraph.policy.operators import IRI, Duration, LangStr, apply, compare, python_value, term_value

O = "http://www.w3.org/ns/odrl/2/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def lit(v, t):
    return term_value(Literal(v, datatype=NamedNode(XSD + t)))


def test_datetime_without_timezone_is_utc():
    assert lit("2024-02-12T11:20:10", "dateTime") == datetime(2024, 2, 12, 11, 20, 10, tzinfo=timezone.utc)
    assert lit("2024-02-12T11:20:10.999Z", "dateTime").microsecond == 999000


@pytest.mark.parametrize("op,dt,expected", [
    ("lt", "2017-12-19T15:00:00", True), ("lt", "2018-01-01T00:00:00", False),
    ("lteq", "2018-01-01T23:59:59", True),     # a date right operand covers its whole day
    ("gt", "2018-01-01T12:00:00", False), ("gteq", "2018-01-01T00:00:00", True),
    ("eq", "2018-01-01T08:00:00", True), ("gt", "2018-01-02T00:00:00", True),
])
def test_datetime_against_date_is_by_calendar_day(op, dt, expected):
    assert apply(O + op, [lit(dt, "dateTime")], [lit("2018-01-01", "date")]) is expected


def test_numbers_are_exact_across_types():
    assert apply(O + "eq", [lit("5.00", "decimal")], [lit("5", "integer")])
    assert apply(O + "lt", [python_value(9.5)], [lit("10.0", "decimal")])
    assert compare(lit("1e3", "double"), lit("1000", "integer")) == 0


def test_iri_never_equals_a_string():
    assert not apply(O + "eq", [IRI("http://x/a")], [Literal("http://x/a").value])
    assert apply(O + "eq", [IRI("http://x/a")], [IRI("http://x/a")])
    assert apply(O + "neq", [IRI("http://x/a")], [IRI("http://x/b")])


def test_incomparable_is_false_not_error():
    assert apply(O + "lt", [IRI("http://x/a")], [Decimal(3)]) is False


def test_set_operators():
    a, b, c = IRI("urn:a"), IRI("urn:b"), IRI("urn:c")
    assert apply(O + "isAnyOf", [a], [a, b])
    assert not apply(O + "isAnyOf", [c], [a, b])
    assert apply(O + "isAllOf", [a, b, c], [a, b])
    assert not apply(O + "isAllOf", [a], [a, b])
    assert apply(O + "isNoneOf", [c], [a, b])
    assert not apply(O + "isNoneOf", [a, c], [a, b])


def test_scalar_operator_holds_for_every_left_value():
    a, b = IRI("urn:a"), IRI("urn:b")
    assert not apply(O + "eq", [a, b], [a])
    assert apply(O + "eq", [a], [a])


def test_part_of_and_isa():
    parents = {IRI("urn:room"): {IRI("urn:building")}, IRI("urn:building"): {IRI("urn:campus")}}

    def anc(x):
        out, todo = set(), list(parents.get(x, ()))
        while todo:
            n = todo.pop()
            out.add(n)
            todo += parents.get(n, ())
        return out
    assert apply(O + "isPartOf", [IRI("urn:room")], [IRI("urn:campus")], part_of=anc)
    assert not apply(O + "isPartOf", [IRI("urn:campus")], [IRI("urn:room")], part_of=anc)
    assert apply(O + "hasPart", [IRI("urn:campus")], [IRI("urn:room")], part_of=anc)
    types = {IRI("urn:alice"): {IRI("urn:Student"), IRI("urn:Member")}}
    assert apply(O + "isA", [IRI("urn:alice")], [IRI("urn:Member")], types=lambda x: types.get(x, set()))
    assert not apply(O + "isA", [IRI("urn:bob")], [IRI("urn:Member")], types=lambda x: types.get(x, set()))


def test_language_ranges():
    assert apply(O + "eq", ["en-GB"], ["en"], language=True)
    assert apply(O + "eq", [LangStr("x", "en")], ["EN"], language=True) is False  # text, not tag
    assert not apply(O + "eq", ["fr"], ["en"], language=True)


def test_durations():
    assert apply(O + "lteq", [Duration("P10D")], [Duration("P30D")])
    assert compare(Duration("P1M"), Duration("P30D")) is None     # months vs days: unknown
    assert apply(O + "lt", [Duration("PT1H")], [Duration("P1D")])


def test_unknown_operator_raises():
    with pytest.raises(ValueError):
        apply(O + "near", [Decimal(1)], [Decimal(1)])


def test_python_value_strings():
    assert isinstance(python_value("https://w3id.org/x"), IRI)
    assert not isinstance(python_value("research"), IRI)
    assert python_value(3) == Decimal(3)
    assert python_value(date(2024, 1, 1)) == date(2024, 1, 1)
