"""Identifiers a library asks by (identifiers.py): one normal form per kind, and a malformed
identifier refused naming the parameter and the value, never read as "not held"."""

from __future__ import annotations

import pytest

from rightsgraph.identifiers import (Identifier, IdentifierError, from_params, normalise_doi, normalise_isbn,
                                     normalise_issn, normalise_url, parse_tagged)


@pytest.mark.parametrize("text, expected", [
    ("1545-4282", "1545-4282"), ("15454282", "1545-4282"), ("ISSN 1545-4282", "1545-4282"),
    (" 2434-561x ", "2434-561X"), ("0317-8471", "0317-8471"),
])
def test_issn_normal_form(text, expected):
    assert normalise_issn(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("0-306-40615-2", "9780306406157"),          # ISBN-10 -> ISBN-13 (978 prefix, new check digit)
    ("0306406152", "9780306406157"), ("978-0-306-40615-7", "9780306406157"),
    ("ISBN 978 0 306 40615 7", "9780306406157"), ("080442957X", "9780804429573"),
    ("979-10-90636-07-1", "9791090636071"),      # 979: no ISBN-10 form, kept as given
])
def test_isbn_normal_form_is_isbn13(text, expected):
    assert normalise_isbn(text) == expected


@pytest.mark.parametrize("text", ["10.1146/ANNUREV-astro-1", "doi:10.1146/annurev-astro-1",
                                  "https://doi.org/10.1146/annurev-astro-1", "http://dx.doi.org/10.1146/Annurev-Astro-1",
                                  "info:doi/10.1146/annurev-astro-1"])
def test_doi_prefixes_and_case(text):
    assert normalise_doi(text) == "10.1146/annurev-astro-1"


def test_url_normal_form_ignores_scheme_case_fragment_and_trailing_slash():
    forms = {normalise_url(u) for u in ("https://www.AnnualReviews.org/journal/astro",
                                        "http://www.annualreviews.org:80/journal/astro/",
                                        "https://www.annualreviews.org/journal/astro#top")}
    assert forms == {"www.annualreviews.org/journal/astro"}
    assert normalise_url("https://x.org/a?b=1") != normalise_url("https://x.org/a?b=2")


@pytest.mark.parametrize("fn, text, words", [
    (normalise_issn, "1545-4283", ["issn", "'1545-4283'", "check digit", "expected 2"]),
    (normalise_issn, "12345", ["issn", "'12345'", "NNNN-NNNC"]),
    (normalise_isbn, "0-306-40615-3", ["isbn", "expected 2"]),
    (normalise_isbn, "978-0-306-40615-0", ["isbn", "expected 7"]),
    (normalise_isbn, "abc", ["isbn", "not an ISBN"]),
    (normalise_doi, "11.1146/x", ["doi", "not a DOI"]),
    (normalise_url, "ftp://x.org/a", ["url", "http(s)"]),
    (normalise_issn, "", ["issn", "empty"]),
])
def test_malformed_identifiers_name_the_parameter_and_value(fn, text, words):
    with pytest.raises(IdentifierError) as err:
        fn(text)
    for w in words:
        assert w in err.value.text("en")
    assert err.value.text("zh") != err.value.text("en") and err.value.param in err.value.text("zh")


@pytest.mark.parametrize("text, expected", [
    ("issn:1545-4282", Identifier("issn", "1545-4282")), ("doi:10.1146/X", Identifier("doi", "10.1146/x")),
    ("https://doi.org/10.1146/X", Identifier("doi", "10.1146/x")), ("10.1146/x", Identifier("doi", "10.1146/x")),
    ("https://www.annualreviews.org/journal/astro", Identifier("url", "www.annualreviews.org/journal/astro")),
    ("15454282", Identifier("issn", "1545-4282")), ("0-306-40615-2", Identifier("isbn", "9780306406157")),
    ("title_id:astro", Identifier("title_id", "astro")), ("title-id:astro", Identifier("title_id", "astro")),
])
def test_tagged_and_recognised_forms(text, expected):
    assert parse_tagged(text) == expected


def test_a_wrong_check_digit_is_said_even_when_the_kind_is_guessed():
    with pytest.raises(IdentifierError, match="expected 2"):
        parse_tagged("1545-4283", "ids.txt:4")
    with pytest.raises(IdentifierError, match="ids.txt:5: 'hello': not an identifier"):
        parse_tagged("hello", "ids.txt:5")


def test_request_parameters():
    assert from_params({"issn": ["1545-4282"], "action": ["read"]}) == Identifier("issn", "1545-4282")
    assert from_params({"title-id": "astro"}) == Identifier("title_id", "astro")
    assert from_params({"id": "isbn:0306406152"}) == Identifier("isbn", "9780306406157")
    assert from_params({"target": "http://x.org/a"}) is None
    with pytest.raises(IdentifierError, match="not both"):
        from_params({"issn": "1545-4282", "target": "http://x.org/a"})
    with pytest.raises(IdentifierError, match="one identifier"):
        from_params({"issn": "1545-4282", "doi": "10.1146/x"})
    with pytest.raises(IdentifierError, match="issn: '1545-4283'"):
        from_params({"issn": ["1545-4283"]})
