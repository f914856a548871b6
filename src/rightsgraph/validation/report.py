"""Validation results and the report: text for the terminal, JSON, and sh:ValidationReport RDF."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..query import json_term

from ..namespaces import PREFIXES
from ..translation import gettext, pgettext
from .shapes import SH_NS, path_triples

VIOLATION = SH_NS + "Violation"
WARNING = SH_NS + "Warning"
INFO = SH_NS + "Info"
def _severity_label(severity: str, lang: str) -> str:
    if severity == VIOLATION:
        return pgettext("SHACL severity", "Violation", lang)
    if severity == WARNING:
        return pgettext("SHACL severity", "Warning", lang)
    if severity == INFO:
        return pgettext("SHACL severity", "Info", lang)
    return compact(severity)


@dataclass
class ValidationResult:
    """One SHACL validation result.

    `result_path` is the property IRI for a simple path, SPARQL property-path syntax
    (e.g. ``^<p>``, ``(<p1>/<p2>)``) for a complex one, None for node-shape results.
    `messages` maps a language tag ("en", "zh", "" for untagged) to the text.
    """

    focus_node: Any
    result_path: str | None
    value: Any
    source_shape: Any
    source_constraint_component: str
    severity: str
    messages: dict[str, str] = field(default_factory=dict)
    source_constraint: Any = None
    path_ast: tuple | None = field(default=None, repr=False, compare=False)

    def key(self) -> tuple:
        return (_term_key(self.focus_node), self.result_path, _term_key(self.value),
                _term_key(self.source_shape), self.source_constraint_component, self.severity,
                _term_key(self.source_constraint))

    def message(self, lang: str = "en") -> str:
        m = self.messages
        for k in (lang, "", "en", "zh"):
            if m.get(k):
                return m[k]
        return next(iter(m.values()), "")


def _term_key(t) -> str | None:
    return None if t is None else str(t)


class ValidationReport:
    """The outcome of one validation.

    `conforms` follows SHACL: False as soon as there is any result, whatever its severity.
    A load is refused only when `has_violations` (a result of severity sh:Violation);
    sh:Warning and sh:Info results are reported but let the load through.
    """

    def __init__(self, results: list[ValidationResult], *, stats: dict | None = None):
        self.results = results
        self.stats = stats or {}

    @property
    def conforms(self) -> bool:
        return not self.results

    @property
    def has_violations(self) -> bool:
        return any(r.severity == VIOLATION for r in self.results)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == VIOLATION]

    def message(self, result: ValidationResult, lang: str = "en") -> str:
        return result.message(lang)

    def __len__(self) -> int:
        return len(self.results)

    def __repr__(self) -> str:
        return f"<ValidationReport conforms={self.conforms} results={len(self.results)}>"

    # ---------------------------------------------------------------- text
    def format_text(self, lang: str = "en", limit: int | None = None) -> str:
        """One line per result: severity, focus node, path, value, message."""
        lang = "zh" if lang.startswith("zh") else "en"
        if self.conforms:
            return gettext("The data conforms to all SHACL shapes.", lang)
        lines = []
        rs = sorted(self.results, key=lambda r: (r.severity != VIOLATION, str(r.focus_node),
                                                 r.result_path or "", str(r.value)))
        shown = rs if limit is None else rs[:limit]
        for r in shown:
            sev = _severity_label(r.severity, lang)
            parts = [f"[{sev}]", compact(r.focus_node)]
            if r.result_path:
                parts.append(compact_path(r.result_path))
            if r.value is not None:
                parts.append(gettext("value %(value)s", lang, value=compact(r.value)))
            lines.append(" ".join(parts) + ": " + r.message(lang))
        n_v = len(self.violations)
        n_o = len(self.results) - n_v
        if limit is not None and len(rs) > limit:
            more = len(rs) - limit
            lines.append(gettext("... %(n)s more results not shown", lang, n=more))
        lines.append(gettext("%(violations)s violation(s), %(others)s warning(s)/info.", lang,
                             violations=n_v, others=n_o))
        return "\n".join(lines)

    # ---------------------------------------------------------------- JSON
    def to_dict(self) -> dict:
        return {
            "conforms": self.conforms,
            "has_violations": self.has_violations,
            "results": [{
                "focus_node": _json_term(r.focus_node),
                "result_path": r.result_path,
                "value": _json_term(r.value),
                "source_shape": _json_term(r.source_shape),
                "source_constraint_component": r.source_constraint_component,
                "severity": r.severity,
                "messages": dict(r.messages),
            } for r in self.results],
        }

    def to_json(self) -> dict:
        """A JSON-ready dict (the project's convention for `to_json`); `json_text()` for a str."""
        return self.to_dict()

    def json_text(self, **kwargs) -> str:
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    # ---------------------------------------------------------------- RDF
    def to_triples(self) -> list[ox.Triple]:
        sh = lambda n: ox.NamedNode(SH_NS + n)  # noqa: E731
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        rep = ox.BlankNode()
        t = [ox.Triple(rep, rdf_type, sh("ValidationReport")),
             ox.Triple(rep, sh("conforms"), ox.Literal("true" if self.conforms else "false",
                       datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")))]
        for r in self.results:
            n = ox.BlankNode()
            t.append(ox.Triple(rep, sh("result"), n))
            t.append(ox.Triple(n, rdf_type, sh("ValidationResult")))
            t.append(ox.Triple(n, sh("focusNode"), r.focus_node))
            if r.path_ast is not None:
                pnode, pt = path_triples(r.path_ast)
                t.append(ox.Triple(n, sh("resultPath"), pnode))
                t += pt
            elif r.result_path:
                t.append(ox.Triple(n, sh("resultPath"), ox.NamedNode(r.result_path)))
            if r.value is not None:
                t.append(ox.Triple(n, sh("value"), r.value))
            t.append(ox.Triple(n, sh("sourceShape"), r.source_shape))
            t.append(ox.Triple(n, sh("sourceConstraintComponent"), ox.NamedNode(r.source_constraint_component)))
            if r.source_constraint is not None:
                t.append(ox.Triple(n, sh("sourceConstraint"), r.source_constraint))
            t.append(ox.Triple(n, sh("resultSeverity"), ox.NamedNode(r.severity)))
            for lang, text in r.messages.items():
                lit = ox.Literal(text, language=lang) if lang else ox.Literal(text)
                t.append(ox.Triple(n, sh("resultMessage"), lit))
        return t

    def to_quads(self, graph=None) -> list[ox.Quad]:
        g = graph if graph is not None else ox.DefaultGraph()
        return [ox.Quad(x.subject, x.predicate, x.object, g) for x in self.to_triples()]

    def to_graph_turtle(self) -> bytes:
        prefixes = dict(PREFIXES)
        return ox.serialize(self.to_triples(), format=ox.RdfFormat.TURTLE, prefixes=prefixes)


def _json_term(t):
    return None if t is None else json_term(t)


_COMPACT = sorted(((ns, p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


def compact_iri(iri: str) -> str:
    for ns, p in _COMPACT:
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns):]
            if all(c.isalnum() or c in "_-." for c in local):
                return f"{p}:{local}"
    return f"<{iri}>"


def compact(t) -> str:
    if t is None:
        return ""
    if isinstance(t, str):
        return compact_iri(t)
    if isinstance(t, ox.NamedNode):
        return compact_iri(t.value)
    if isinstance(t, ox.Literal):
        s = json.dumps(t.value, ensure_ascii=False)
        if t.language:
            return f"{s}@{t.language}"
        if t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"{s}^^{compact_iri(t.datatype.value)}"
        return s
    return str(t)


def compact_path(p: str) -> str:
    if not p.startswith(("<", "^", "(")):
        return compact_iri(p)
    import re
    return re.sub(r"<([^>]*)>", lambda m: compact_iri(m.group(1)), p)
