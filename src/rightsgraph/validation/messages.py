"""Default bilingual result messages, used when a shape has no sh:message.

The English texts follow pyshacl's generic messages so that reports read the same as the
reference engine's; the Chinese texts say the same thing for cataloguers.
"""

from __future__ import annotations

from .report import compact, compact_path


def _n(x) -> str:
    return compact(x) if x is not None else ""


def default_messages(kind: str, param, *, focus, value, path: str | None) -> dict[str, str]:
    p = compact_path(path) if path else None
    on = f"{_n(focus)}->{p}" if p else _n(focus)
    if kind == "class":
        return {"en": f"Value does not have class {_n(param)}",
                "zh": f"值不是 {_n(param)} 类的实例（或缺少类型声明）"}
    if kind == "datatype":
        return {"en": f"Value is not Literal with datatype {_n(param)}",
                "zh": f"值不是数据类型为 {_n(param)} 的合法字面量"}
    if kind == "nodeKind":
        return {"en": f"Value is not of Node Kind {_n(param)}",
                "zh": f"值的节点类型不是 {_n(param)}"}
    if kind == "minCount":
        return {"en": f"Less than {param} values on {on}",
                "zh": f"{on} 的值少于 {param} 个（必填项缺失）"}
    if kind == "maxCount":
        return {"en": f"More than {param} values on {on}",
                "zh": f"{on} 的值多于 {param} 个"}
    if kind in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
        op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[kind]
        return {"en": f"Value is not {op} {_n(param)}", "zh": f"值不满足 {op} {_n(param)}"}
    if kind == "minLength":
        return {"en": f"String length not >= {param}", "zh": f"字符串长度小于 {param}"}
    if kind == "maxLength":
        return {"en": f"String length not <= {param}", "zh": f"字符串长度大于 {param}"}
    if kind == "pattern":
        return {"en": f"Value does not match pattern '{param[0]}'",
                "zh": f"值不符合格式（正则表达式 '{param[0]}'）"}
    if kind == "languageIn":
        langs = ", ".join(param)
        return {"en": f"String language is not in ({langs})", "zh": f"字符串的语言标签不在 ({langs}) 之中"}
    if kind == "uniqueLang":
        return {"en": "More than one String shares the same Language",
                "zh": "同一语言有多个字符串值（每种语言只能有一个）"}
    if kind == "in":
        lst = ", ".join(_n(x) for x in param)
        return {"en": f"Value {_n(value)} not in list [{lst}]",
                "zh": f"值 {_n(value)} 不在允许的取值 [{lst}] 之中"}
    if kind == "hasValue":
        if p:
            return {"en": f"Node {on} does not contain a value in the set: [{_n(param)}]",
                    "zh": f"{on} 缺少必需的值 {_n(param)}"}
        return {"en": f"Node {_n(focus)} value is not a in the set of values: [{_n(param)}]",
                "zh": f"节点 {_n(focus)} 不是必需的值 {_n(param)}"}
    if kind in ("lessThan", "lessThanOrEquals"):
        op = "<" if kind == "lessThan" else "<="
        neg = ">=" if kind == "lessThan" else ">"
        return {"en": f"Value of {on} {neg} {_n(param)}",
                "zh": f"{on} 的值必须 {op} {_n(param)} 的值"}
    if kind == "equals":
        return {"en": f"Value of {on} != {_n(param)}", "zh": f"{on} 的值必须等于 {_n(param)} 的值"}
    if kind == "disjoint":
        return {"en": f"Value of {on} == {_n(param)}", "zh": f"{on} 的值不得与 {_n(param)} 的值相同"}
    if kind == "node":
        return {"en": f"Value does not conform to Shape {_shape(param)}.",
                "zh": f"值不符合形状 {_shape(param)}"}
    if kind == "not":
        return {"en": f"Node {_n(value)} must not conform to shape {_shape(param)}",
                "zh": f"节点 {_n(value)} 不得符合形状 {_shape(param)}"}
    if kind == "and":
        return {"en": f"Node {_n(value)} must conform to all shapes in {_shapes(param)}",
                "zh": f"节点 {_n(value)} 必须同时符合 {_shapes(param)} 中的全部形状"}
    if kind == "or":
        return {"en": f"Node {_n(value)} must conform to one or more shapes in {_shapes(param)}",
                "zh": f"节点 {_n(value)} 必须至少符合 {_shapes(param)} 中的一个形状"}
    if kind == "xone":
        return {"en": f"Node {_n(value)} must conform to exactly one shape in {_shapes(param)}",
                "zh": f"节点 {_n(value)} 必须恰好符合 {_shapes(param)} 中的一个形状"}
    if kind == "sparql":
        return {"en": "SPARQL constraint not satisfied", "zh": "不满足 SPARQL 约束"}
    return {"en": f"Constraint {kind} not satisfied", "zh": f"不满足约束 {kind}"}


def _shape(s) -> str:
    from rdflib import URIRef
    return compact(str(s.node)) if isinstance(s.node, URIRef) else "[blank shape]"


def _shapes(lst) -> str:
    return "(" + ", ".join(_shape(s) for s in lst) + ")"
