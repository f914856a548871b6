"""Evaluate a ShapesModel over a pyoxigraph store by compiling constraints to SPARQL.

Every constraint becomes one SELECT that returns only the violating (focus, value) rows,
joined at the top level against the focus-node pattern (oxigraph plans NOT EXISTS and
OPTIONAL badly; MINUS and top-level joins are fast). Value-local constraints of one shape
share one query. Logical constraints (sh:or/and/xone/not/node) whose member shapes only
hold value-local constraints compile to one FILTER expression; the others are evaluated
as sets in Python: the failing nodes of each member shape are computed by SPARQL over a
focus pattern that is the outer shape's value nodes, and combined per value node.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from .messages import default_messages
from .report import ValidationResult
from .shapes import SH_NS, Constraint, Shape, ShapesError, ShapesModel, path_repr, path_sparql

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"

#: datatypes whose lexical form is checked (rdflib marks ill-typed literals of these)
CHECKED_DATATYPES = {XSD + t for t in ("integer", "decimal", "float", "double", "boolean", "date",
                                        "dateTime", "time")}
#: oxigraph stores these as xsd:integer: sh:datatype on them becomes "integer in range"
DERIVED_INTEGERS = {
    "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1),
    "byte": (-128, 127), "nonNegativeInteger": (0, None), "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 65535),
    "unsignedByte": (0, 255),
}
VALUE_LOCAL = {"datatype", "nodeKind", "pattern", "minLength", "maxLength", "minInclusive",
               "maxInclusive", "minExclusive", "maxExclusive", "in", "languageIn"}
MAX_DEPTH = 12
GROUP_BRANCHES = 8   # property shapes per grouped filter query


def to_ox(t):
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype is not None:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    if isinstance(t, str):
        return ox.NamedNode(t)
    return t


def sparql_term(t) -> str:
    o = to_ox(t)
    if isinstance(o, ox.BlankNode):
        raise ShapesError(f"a blank node ({t}) cannot be used as a constraint parameter")
    return str(o)


def _lit(s: str) -> str:
    return str(ox.Literal(s))


def _rename_this(pattern: str, new: str) -> str:
    return re.sub(r"[?$]this\b", "?" + new, pattern)


class Row:
    __slots__ = ("this", "value", "path", "extra")

    def __init__(self, this, value=None, path=None, extra=None):
        self.this = this
        self.value = value
        self.path = path
        self.extra = extra


class Engine:
    """One validation run over `store` (queried with the union of all graphs as default)."""

    def __init__(self, model: ShapesModel, store: ox.Store, *, threads: int = 2):
        self.model = model
        self.store = store
        self.threads = threads
        self._fresh = 0
        self._fail_cache: dict[tuple[int, str], set] = {}
        self._subclasses = self._load_subclasses()
        self.stats: dict[str, float] = {}

    # ------------------------------------------------------------------ helpers
    def q(self, text: str):
        try:
            return self.store.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:  # pragma: no cover - a compiler bug or a bad sh:select
            raise ShapesError(f"{exc}\n--- query ---\n{text}") from exc

    def fresh(self, base: str = "v") -> str:
        self._fresh += 1
        return f"_{base}{self._fresh}"

    def _load_subclasses(self) -> dict[str, set[str]]:
        sub: dict[str, set[str]] = {}
        for r in self.q(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{RDFS_SUBCLASS}> ?o }}"):
            if isinstance(r["s"], ox.NamedNode) and isinstance(r["o"], ox.NamedNode):
                sub.setdefault(r["o"].value, set()).add(r["s"].value)
        return sub

    def class_closure(self, c: str) -> list[str]:
        seen = {c}
        todo = [c]
        while todo:
            x = todo.pop()
            for s in self._subclasses.get(x, ()):
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return sorted(seen)

    def instance_pattern(self, var: str, c: str) -> str:
        cv = self.fresh("c")
        vals = " ".join(f"<{x}>" for x in self.class_closure(c))
        return f"VALUES ?{cv} {{ {vals} }} ?{var} <{RDF_TYPE}> ?{cv} ."

    # ------------------------------------------------------------------ focus patterns
    def target_pattern(self, shape: Shape, distinct: bool = False) -> str:
        """The focus nodes of a shape's targets as a pattern binding ?this.

        Direct (top-level joins, duplicates possible: every query using it is DISTINCT or
        counts DISTINCT values) unless `distinct`, which wraps it in a DISTINCT subquery.
        """
        parts = []
        nodes = []
        for kind, t in shape.targets:
            if kind == "class":
                parts.append(self.instance_pattern("this", str(t)))
            elif kind == "node":
                nodes.append(sparql_term(t))
            elif kind == "subjectsOf":
                parts.append(f"?this {sparql_term(t)} ?{self.fresh('o')} .")
            elif kind == "objectsOf":
                parts.append(f"?{self.fresh('s')} {sparql_term(t)} ?this .")
        if nodes:
            parts.append("VALUES ?this { " + " ".join(nodes) + " }")
        body = " UNION ".join("{ " + p + " }" for p in parts) if len(parts) > 1 else parts[0]
        if distinct:
            return "{ SELECT DISTINCT ?this WHERE { " + body + " } }"
        return body + " "

    def values_focus(self, focus: str, shape: Shape) -> str:
        """A focus pattern whose ?this are the value nodes of `shape` for the nodes of `focus`."""
        if shape.path is None:
            return focus
        x = self.fresh("f")
        return ("{ SELECT DISTINCT ?this WHERE { " + _rename_this(focus, x) +
                f" ?{x} {path_sparql(shape.path)} ?this . }} }}")

    @staticmethod
    def value_binding(shape: Shape) -> str:
        if shape.path is None:
            return "BIND(?this AS ?value)"
        return f"?this {path_sparql(shape.path)} ?value ."

    # ------------------------------------------------------------------ value-local expressions
    def ok_expr(self, c: Constraint, v: str) -> str | None:
        """A never-erroring SPARQL boolean: true iff node ?v satisfies the value-local constraint."""
        k, p = c.kind, c.param
        if k == "datatype":
            d = str(p)
            if d == RDFS_NS + "Literal":
                return f"isLiteral(?{v})"
            if d == RDF_NS + "langString":
                return f'COALESCE(isLiteral(?{v}) && lang(?{v}) != "", false)'
            local = d[len(XSD):] if d.startswith(XSD) else None
            if local in DERIVED_INTEGERS:
                lo, hi = DERIVED_INTEGERS[local]
                conds = [f"isLiteral(?{v})", f"(sameTerm(datatype(?{v}), <{XSD}integer>) || sameTerm(datatype(?{v}), <{d}>))",
                         f"sameTerm(<{XSD}integer>(str(?{v})), ?{v})"]
                if lo is not None:
                    conds.append(f"?{v} >= {lo}")
                if hi is not None:
                    conds.append(f"?{v} <= {hi}")
                return "COALESCE(" + " && ".join(conds) + ", false)"
            expr = f"isLiteral(?{v}) && sameTerm(datatype(?{v}), <{d}>)"
            if d in CHECKED_DATATYPES:
                expr += f" && sameTerm(<{d}>(str(?{v})), ?{v})"
            return f"COALESCE({expr}, false)"
        if k == "nodeKind":
            n = str(p)[len(SH_NS):]
            return {"IRI": f"isIRI(?{v})", "BlankNode": f"isBlank(?{v})", "Literal": f"isLiteral(?{v})",
                    "BlankNodeOrIRI": f"(isIRI(?{v}) || isBlank(?{v}))",
                    "BlankNodeOrLiteral": f"(isBlank(?{v}) || isLiteral(?{v}))",
                    "IRIOrLiteral": f"(isIRI(?{v}) || isLiteral(?{v}))"}[n]
        if k == "pattern":
            pat, flags = p
            fl = "".join(ch for ch in flags.lower() if ch in "ismx")
            return f"COALESCE(!isBlank(?{v}) && REGEX(STR(?{v}), {_lit(pat)}, {_lit(fl)}), false)"
        if k == "minLength":
            n = int(p)
            if n == 0:
                return "true"
            return f"COALESCE(!isBlank(?{v}) && STRLEN(STR(?{v})) >= {n}, false)"
        if k == "maxLength":
            return f"COALESCE(!isBlank(?{v}) && STRLEN(STR(?{v})) <= {int(p)}, false)"
        if k in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[k]
            lit = to_ox(p)
            strish = isinstance(lit, ox.Literal) and (lit.language or lit.datatype.value == XSD + "string")
            guard = (f"(isLiteral(?{v}) && (lang(?{v}) != \"\" || sameTerm(datatype(?{v}), <{XSD}string>)))"
                     if strish else
                     f"(isLiteral(?{v}) && lang(?{v}) = \"\" && !sameTerm(datatype(?{v}), <{XSD}string>))")
            return f"COALESCE({guard} && ?{v} {op} {sparql_term(p)}, false)"
        if k == "in":
            if not p:
                return "false"
            return "(" + " || ".join(f"sameTerm(?{v}, {sparql_term(x)})" for x in p) + ")"
        if k == "languageIn":
            langs = [x.lower() for x in p]
            if "*" in langs:
                return f'COALESCE(isLiteral(?{v}) && lang(?{v}) != "", false)'
            lst = ", ".join(_lit(x) for x in langs)
            return (f'COALESCE(isLiteral(?{v}) && lang(?{v}) != "" && (LCASE(lang(?{v})) IN ({lst}) || '
                    f'LCASE(STRBEFORE(CONCAT(lang(?{v}), "-"), "-")) IN ({lst})), false)')
        if k == "hasValue":   # only as a node-shape (value) test
            return f"sameTerm(?{v}, {sparql_term(p)})"
        return None

    def shape_ok_expr(self, s: Shape, v: str, depth: int = 0) -> str | None:
        """A FILTER expression for "node ?v conforms to s", or None if s is not value-local."""
        if depth > MAX_DEPTH:
            return None
        if s.deactivated:
            return "true"
        if s.path is not None or s.properties:
            return None
        parts = []
        for c in s.constraints:
            if c.kind in VALUE_LOCAL or c.kind == "hasValue":
                parts.append(self.ok_expr(c, v))
            elif c.kind in ("node", "not"):
                e = self.shape_ok_expr(c.param, v, depth + 1)
                if e is None:
                    return None
                parts.append(e if c.kind == "node" else f"!({e})")
            elif c.kind in ("and", "or", "xone"):
                es = [self.shape_ok_expr(m, v, depth + 1) for m in c.param]
                if any(e is None for e in es):
                    return None
                if c.kind == "and":
                    parts.append("(" + " && ".join(es or ["true"]) + ")")
                elif c.kind == "or":
                    parts.append("(" + " || ".join(es or ["false"]) + ")")
                else:
                    parts.append("((" + " + ".join(f"IF({e}, 1, 0)" for e in es) + ") = 1)" if es else "false")
            else:
                return None
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def check_expr(self, c: Constraint) -> str | None:
        """FILTER expression (on ?value) for a constraint that only looks at one value node."""
        if c.kind in VALUE_LOCAL:
            return self.ok_expr(c, "value")
        if c.kind not in ("node", "not", "and", "or", "xone"):
            return None
        members = [c.param] if c.kind in ("node", "not") else c.param
        exprs = [self.shape_ok_expr(m, "value") for m in members]
        if any(e is None for e in exprs):
            return None
        if c.kind == "node":
            return exprs[0]
        if c.kind == "not":
            return f"!({exprs[0]})"
        if c.kind == "and":
            return "(" + " && ".join(exprs or ["true"]) + ")"
        if c.kind == "or":
            return "(" + " || ".join(exprs or ["false"]) + ")"
        return "((" + " + ".join(f"IF({e}, 1, 0)" for e in exprs) + ") = 1)" if exprs else "false"

    def local_checks(self, s: Shape) -> list[tuple[Constraint, str]]:
        out = []
        for c in s.constraints:
            e = self.check_expr(c)
            if e is not None:
                out.append((c, e))
        return out

    def grouped_filter_rows(self, focus: str, groups: list[tuple[Shape, list]]) -> list[list[list[Row]]]:
        """Local checks of several property shapes that share one focus, in one query.

        Each UNION branch scans one path and keeps only failing values; the join with the
        focus pattern then only sees violations.
        """
        branches = []
        for b, (s, checks) in enumerate(groups):
            flags = ", ".join(f'IF({e}, "", "{i},")' for i, (_c, e) in enumerate(checks))
            flags = f"CONCAT({flags}, \"\")" if len(checks) == 1 else f"CONCAT({flags})"
            branches.append(f"{{ ?this {path_sparql(s.path)} ?value . BIND({flags} AS ?bad) "
                            f"FILTER(?bad != \"\") BIND({b} AS ?k) }}")
        q = f"SELECT DISTINCT ?k ?this ?value ?bad WHERE {{ {' UNION '.join(branches)} {focus} }}"
        out = [[[] for _ in checks] for _s, checks in groups]
        for r in self.q(q):
            b = int(r["k"].value)
            for i in r["bad"].value.split(",")[:-1]:
                out[b][int(i)].append(Row(r["this"], r["value"]))
        return out

    # ------------------------------------------------------------------ rows per constraint
    def rows(self, c: Constraint, s: Shape, focus: str, depth: int = 0) -> list[Row]:
        k = c.kind
        vb = self.value_binding(s)
        P = path_sparql(s.path) if s.path is not None else None
        if P is None and k in ("minCount", "maxCount", "uniqueLang", "lessThan", "lessThanOrEquals", "disjoint"):
            raise ShapesError(f"sh:{k} needs a property shape (sh:path), found on node shape {s.label()}")
        e = self.check_expr(c)
        if e is not None:
            return self.filter_rows(s, focus, [(c, e)])[0]
        if k == "class":
            q = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {vb} "
                 f"MINUS {{ {self.instance_pattern('value', str(c.param))} }} }}")
            return [Row(r["this"], r["value"]) for r in self.q(q)]
        if k == "minCount":
            n = int(c.param)
            if n <= 0:
                return []
            if n == 1:
                q = f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ ?this {P} ?{self.fresh()} }} }}"
            else:
                v = self.fresh()
                q = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {P} ?{v} }} }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?{v}) < {n})")
            return [Row(r["this"]) for r in self.q(q)]
        if k == "maxCount":
            v = self.fresh()
            q = (f"SELECT ?this WHERE {{ {focus} ?this {P} ?{v} }} "
                 f"GROUP BY ?this HAVING (COUNT(DISTINCT ?{v}) > {int(c.param)})")
            return [Row(r["this"]) for r in self.q(q)]
        if k == "hasValue":
            if P is None:
                q = f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER(!sameTerm(?this, {sparql_term(c.param)})) }}"
            else:
                q = f"SELECT DISTINCT ?this WHERE {{ {focus} MINUS {{ ?this {P} {sparql_term(c.param)} }} }}"
            return [Row(r["this"]) for r in self.q(q)]
        if k == "uniqueLang":
            if not (isinstance(c.param, Literal) and c.param.toPython() is True) or P is None:
                return []
            v = self.fresh()
            q = (f"SELECT ?this ?l WHERE {{ {focus} ?this {P} ?{v} . FILTER(isLiteral(?{v}) && lang(?{v}) != \"\") "
                 f"BIND(LCASE(lang(?{v})) AS ?l) }} GROUP BY ?this ?l HAVING (COUNT(DISTINCT ?{v}) > 1)")
            return [Row(r["this"], extra={"lang": r["l"]}) for r in self.q(q)]
        if k in ("lessThan", "lessThanOrEquals"):
            op = "<" if k == "lessThan" else "<="
            o = self.fresh("o")
            q = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {vb} ?this {sparql_term(c.param)} ?{o} . "
                 f"FILTER(!COALESCE(?value {op} ?{o}, false)) }}")
            return [Row(r["this"], r["value"]) for r in self.q(q)]
        if k == "equals":
            o = self.fresh("o")
            P2 = sparql_term(c.param)
            q1 = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {vb} MINUS {{ ?this {P2} ?value }} }}")
            vb2 = f"?this {P2} ?value ."
            cmp = f"?this {P} ?value" if P else "FILTER(false)"
            q2 = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {vb2} MINUS {{ {cmp} }} }}" if P else \
                f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {vb2} FILTER(!sameTerm(?this, ?value)) }}"
            if P is None:
                q1 = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} BIND(?this AS ?value) MINUS {{ ?this {P2} ?value }} }}"
            out = {(str(r['this']), str(r['value'])): Row(r["this"], r["value"]) for q in (q1, q2) for r in self.q(q)}
            return list(out.values())
        if k == "disjoint":
            q = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {vb} ?this {sparql_term(c.param)} ?value . }}"
            return [Row(r["this"], r["value"]) for r in self.q(q)]
        if k in ("node", "not", "and", "or", "xone"):
            return self.logical_rows(c, s, focus, depth)
        if k == "sparql":
            return self.sparql_rows(c, s, focus)
        raise ShapesError(f"unsupported constraint {k}")

    def filter_rows(self, s: Shape, focus: str, checks: list[tuple[Constraint, str]]) -> list[list[Row]]:
        """Local checks of one shape, in one query; rows per check."""
        vb = self.value_binding(s)
        binds = " ".join(f"BIND({e} AS ?ok{i})" for i, (_c, e) in enumerate(checks))
        cond = " || ".join(f"!?ok{i}" for i in range(len(checks)))
        sel = " ".join(f"?ok{i}" for i in range(len(checks)))
        q = f"SELECT DISTINCT ?this ?value {sel} WHERE {{ {focus} {vb} {binds} FILTER({cond}) }}"
        out: list[list[Row]] = [[] for _ in checks]
        for r in self.q(q):
            for i in range(len(checks)):
                if r[f"ok{i}"].value != "true":
                    out[i].append(Row(r["this"], r["value"]))
        return out

    def pairs(self, s: Shape, focus: str) -> list[tuple]:
        if s.path is None:
            return [(r["this"], r["this"]) for r in self.q(f"SELECT DISTINCT ?this WHERE {{ {focus} }}")]
        q = f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {self.value_binding(s)} }}"
        return [(r["this"], r["value"]) for r in self.q(q)]

    def logical_rows(self, c: Constraint, s: Shape, focus: str, depth: int) -> list[Row]:
        members = [c.param] if c.kind in ("node", "not") else c.param
        if depth > MAX_DEPTH:
            raise ShapesError(f"shapes nest deeper than {MAX_DEPTH} levels (recursive shapes?) at {s.label()}")
        vf = self.values_focus(focus, s)
        fails = [self.failing(m, vf, depth + 1) for m in members]
        prs = self.pairs(s, focus)
        out = []
        for this, value in prs:
            kv = value
            if c.kind in ("node", "and"):
                bad = any(kv in f for f in fails)
            elif c.kind == "not":
                bad = kv not in fails[0]
            elif c.kind == "or":
                bad = all(kv in f for f in fails)
            else:
                bad = sum(1 for f in fails if kv not in f) != 1
            if bad:
                out.append(Row(this, value))
        return out

    def failing(self, s: Shape, focus: str, depth: int) -> set:
        """The nodes of `focus` that do not conform to shape `s`."""
        key = (id(s), focus)
        if key in self._fail_cache:
            return self._fail_cache[key]
        if depth > MAX_DEPTH:
            raise ShapesError(f"shapes nest deeper than {MAX_DEPTH} levels (recursive shapes?) at {s.label()}")
        bad: set = set()
        if not s.deactivated:
            for rows in self.constraint_row_groups(s, focus, depth):
                bad.update(r.this for r in rows)
            if s.properties:
                vf = self.values_focus(focus, s)
                badv: set = set()
                for p in s.properties:
                    badv |= self.failing(p, vf, depth + 1)
                if s.path is None:
                    bad |= badv
                elif badv:
                    bad.update(t for t, v in self.pairs(s, focus) if v in badv)
        self._fail_cache[key] = bad
        return bad

    def constraint_row_groups(self, s: Shape, focus: str, depth: int = 0):
        checks = self.local_checks(s)
        if checks:
            yield from self.filter_rows(s, focus, checks)
        local = {id(c) for c, _e in checks}
        for c in s.constraints:
            if id(c) in local:
                continue
            if c.kind == "sparql" and c.param.deactivated:
                continue
            yield self.rows(c, s, focus, depth)

    # ------------------------------------------------------------------ SHACL-SPARQL
    def sparql_query(self, c: Constraint, s: Shape, focus: str) -> str:
        spec = c.param
        text = spec.select
        if s.path is not None:
            text = re.sub(r"\$PATH\b", path_sparql(s.path), text)
        elif re.search(r"\$PATH\b", text):
            raise ShapesError(f"$PATH in a SPARQL constraint of node shape {s.label()}")
        if re.search(r"[$?]shapesGraph\b", text):
            raise ShapesError("$shapesGraph is not supported in SPARQL constraints")
        if isinstance(s.node, URIRef):
            text = re.sub(r"[$?]currentShape\b", f"<{s.node}>", text)
        m = re.search(r"\bSELECT\b", text, re.I)
        if not m:
            raise ShapesError(f"sh:select of {s.label()} is not a SELECT query")
        brace = text.index("{", m.end())
        head = text[m.end():brace]
        if "*" not in head and not re.search(r"[$?]this\b", head):
            dm = re.match(r"\s*(DISTINCT|REDUCED)?", head, re.I)
            head = head[:dm.end()] + " ?this " + head[dm.end():]
        focus = "{ SELECT DISTINCT ?this WHERE { " + focus + " } }"
        text = text[:m.end()] + head + "{ " + focus + " " + text[brace + 1:]
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in spec.prefixes.items())
        return prefixes + text

    def sparql_rows(self, c: Constraint, s: Shape, focus: str) -> list[Row]:
        if c.param.deactivated:
            return []
        out = []
        res = self.q(self.sparql_query(c, s, focus))
        names = [v.value for v in res.variables]
        for r in res:
            vals = {n: r[n] for n in names if r[n] is not None}
            this = vals.pop("this", None)
            if this is None:
                continue
            value = vals.pop("value", None)
            path = vals.pop("path", None)
            vals.pop("failure", None)
            if value is None and s.path is None:
                value = this
            out.append(Row(this, value, path, vals))
        return out

    # ------------------------------------------------------------------ top level
    def tasks(self) -> list[Callable[[], list[ValidationResult]]]:
        out: list = []
        seen = set()
        groups: dict[str, list] = {}   # focus pattern -> [(property shape, local checks)]

        def add_shape(s: Shape, focus: str, depth: int):
            if s.deactivated or depth > MAX_DEPTH:
                return
            key = (id(s), focus)
            if key in seen:
                return
            seen.add(key)
            checks = self.local_checks(s)
            if checks:
                if s.path is not None:
                    groups.setdefault(focus, []).append((s, checks))
                else:
                    out.append(lambda s=s, focus=focus, checks=checks: self.results_filter(s, focus, checks))
            local = {id(c) for c, _e in checks}
            for c in s.constraints:
                if id(c) in local:
                    continue
                out.append(lambda s=s, focus=focus, c=c: self.results_for(c, s, self.rows(c, s, focus)))
            vf = self.values_focus(focus, s)
            for p in s.properties:
                add_shape(p, vf, depth + 1)

        for root in self.model.roots:
            if not root.targets or root.deactivated:
                continue
            add_shape(root, self.target_pattern(root), 0)
        grouped = []
        for focus, grp in groups.items():
            for i in range(0, len(grp), GROUP_BRANCHES):
                part = grp[i:i + GROUP_BRANCHES]
                grouped.append(lambda focus=focus, part=part: self.results_grouped(focus, part))
        return grouped + out

    def results_grouped(self, focus, groups):
        out = []
        for (s, checks), per_check in zip(groups, self.grouped_filter_rows(focus, groups)):
            for (c, _e), rows in zip(checks, per_check):
                out += self.results_for(c, s, rows)
        return out

    def results_filter(self, s, focus, checks):
        out = []
        for (c, _e), rows in zip(checks, self.filter_rows(s, focus, checks)):
            out += self.results_for(c, s, rows)
        return out

    def results_for(self, c: Constraint, s: Shape, rows: list[Row]) -> list[ValidationResult]:
        results = []
        comp = c.component
        base_path = path_repr(s.path)
        for r in rows:
            value = r.value if c.kind not in ("minCount", "maxCount", "hasValue", "uniqueLang") else None
            path_ast = s.path
            rpath = base_path
            if r.path is not None:
                rpath = r.path.value if isinstance(r.path, ox.NamedNode) else str(r.path)
                path_ast = ("iri", rpath) if isinstance(r.path, ox.NamedNode) else None
            if c.kind == "sparql":
                msgs = self._sparql_messages(c, s, r)
            else:
                msgs = _lang_dict(s.messages)
            if "" not in msgs and not ("en" in msgs and "zh" in msgs):
                # no sh:message, or one in a single language: the other language(s) get
                # the generated default, so every result reads in both
                param = c.param
                if c.kind in ("class", "datatype", "nodeKind", "hasValue", "lessThan", "lessThanOrEquals",
                              "equals", "disjoint", "minInclusive", "maxInclusive", "minExclusive",
                              "maxExclusive"):
                    param = to_ox(param)
                elif c.kind == "in":
                    param = [to_ox(x) for x in param]
                defaults = default_messages(c.kind, param, focus=r.this,
                                            value=value if value is not None else r.value, path=rpath)
                msgs = {**defaults, **msgs}
            results.append(ValidationResult(
                focus_node=r.this, result_path=rpath, value=value, source_shape=to_ox(s.node),
                source_constraint_component=comp, severity=s.severity, messages=msgs,
                source_constraint=to_ox(c.param.node) if c.kind == "sparql" else None, path_ast=path_ast))
        return results

    def _sparql_messages(self, c, s, r: Row) -> dict[str, str]:
        bound = dict(r.extra or {})
        bound["this"] = r.this
        if r.value is not None:
            bound["value"] = r.value
        if r.path is not None:
            bound["path"] = r.path
        msgs: dict[str, str] = {}
        for text, lang in list(c.param.messages) + list(s.messages):
            for var, val in bound.items():
                sval = val.value if isinstance(val, (ox.NamedNode, ox.Literal, ox.BlankNode)) else str(val)
                text = re.sub(r"\{[?$]" + re.escape(var) + r"\}", lambda _m, sval=sval: sval, text)
            if lang in msgs:
                if text not in msgs[lang].split("\n"):
                    msgs[lang] += "\n" + text
            else:
                msgs[lang] = text
        return msgs

    def run(self) -> list[ValidationResult]:
        tasks = self.tasks()
        if self.threads <= 1 or len(tasks) <= 1:
            chunks = [t() for t in tasks]
        else:
            with ThreadPoolExecutor(max_workers=self.threads) as pool:
                chunks = list(pool.map(lambda t: t(), tasks))
        out = []
        for ch in chunks:
            out += ch
        return out


def _lang_dict(messages: list[tuple[str, str]]) -> dict[str, str]:
    d: dict[str, str] = {}
    for text, lang in messages:
        d[lang] = d[lang] + "\n" + text if lang in d else text
    return d
