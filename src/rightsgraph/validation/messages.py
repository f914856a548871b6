"""Default bilingual result messages, used when a shape has no sh:message.

The English texts (the msgids of the gettext catalogues, translation.py) follow pyshacl's
generic messages so that reports read the same as the reference engine's; the Chinese texts
in the catalogue say the same thing for cataloguers.
"""

from __future__ import annotations

from ..translation import both
from .report import compact, compact_path


def _n(x) -> str:
    return compact(x) if x is not None else ""


def default_messages(kind: str, param, *, focus, value, path: str | None) -> dict[str, str]:
    p = compact_path(path) if path else None
    on = f"{_n(focus)}->{p}" if p else _n(focus)
    if kind == "class":
        return both("Value does not have class %(cls)s", cls=_n(param))
    if kind == "datatype":
        return both("Value is not Literal with datatype %(datatype)s", datatype=_n(param))
    if kind == "nodeKind":
        return both("Value is not of Node Kind %(kind)s", kind=_n(param))
    if kind == "minCount":
        return both("Less than %(n)s values on %(on)s", n=param, on=on)
    if kind == "maxCount":
        return both("More than %(n)s values on %(on)s", n=param, on=on)
    if kind in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
        op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[kind]
        return both("Value is not %(op)s %(limit)s", op=op, limit=_n(param))
    if kind == "minLength":
        return both("String length not >= %(n)s", n=param)
    if kind == "maxLength":
        return both("String length not <= %(n)s", n=param)
    if kind == "pattern":
        return both("Value does not match pattern '%(pattern)s'", pattern=param[0])
    if kind == "languageIn":
        return both("String language is not in (%(langs)s)", langs=", ".join(param))
    if kind == "uniqueLang":
        return both("More than one String shares the same Language")
    if kind == "in":
        return both("Value %(value)s not in list [%(list)s]", value=_n(value), list=", ".join(_n(x) for x in param))
    if kind == "hasValue":
        if p:
            return both("Node %(on)s does not contain a value in the set: [%(value)s]", on=on, value=_n(param))
        return both("Node %(node)s value is not a in the set of values: [%(value)s]", node=_n(focus), value=_n(param))
    if kind in ("lessThan", "lessThanOrEquals"):
        if kind == "lessThan":
            return both("Value of %(on)s >= %(other)s", on=on, other=_n(param))
        return both("Value of %(on)s > %(other)s", on=on, other=_n(param))
    if kind == "equals":
        return both("Value of %(on)s != %(other)s", on=on, other=_n(param))
    if kind == "disjoint":
        return both("Value of %(on)s == %(other)s", on=on, other=_n(param))
    if kind == "node":
        return both("Value does not conform to Shape %(shape)s.", shape=_shape(param))
    if kind == "not":
        return both("Node %(node)s must not conform to shape %(shape)s", node=_n(value), shape=_shape(param))
    if kind == "and":
        return both("Node %(node)s must conform to all shapes in %(shapes)s", node=_n(value), shapes=_shapes(param))
    if kind == "or":
        return both("Node %(node)s must conform to one or more shapes in %(shapes)s", node=_n(value),
                    shapes=_shapes(param))
    if kind == "xone":
        return both("Node %(node)s must conform to exactly one shape in %(shapes)s", node=_n(value),
                    shapes=_shapes(param))
    if kind == "sparql":
        return both("SPARQL constraint not satisfied")
    return both("Constraint %(kind)s not satisfied", kind=kind)


def _shape(s) -> str:
    from rdflib import URIRef
    return compact(str(s.node)) if isinstance(s.node, URIRef) else "[blank shape]"


def _shapes(lst) -> str:
    return "(" + ", ".join(_shape(s) for s in lst) + ")"
