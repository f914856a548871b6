"""Reading requests and states of the world.

Three request forms:
- FORCE test suite, cases 001-068: an ``odrl:Request`` whose ``odrl:permission`` names
  assignee, action, target (constraints on that permission, e.g. ``purpose eq X``, become
  context values);
- FORCE test suite, current form (cases 069 onward): a ``sotw:EvaluationRequest`` with
  ``sotw:requestedAction``, ``sotw:requestingParty``, ``sotw:requestedTarget`` and
  ``sotw:requestParameter``s describing ``sotw:TemporalData``, ``sotw:Purpose``,
  ``sotw:DeliveryChannel``;
- W3C formal semantics draft: a ``sotw:EvaluationRequest`` with ``evaluatedAction``,
  ``evaluatedParty``, ``evaluatedTarget`` and ``requestParameter``s (value + feature).
Classes the request states for its own values (``ex:purpose a dpv:AccountManagement``) are
read by :func:`request_types`, for ``isA``.

A state of the world gives the current time (``dct:issued`` of what the SotW includes,
or ``odrl-fs:currentTime``), odrl:partOf and rdf:type facts, duty states (FORCE
``report:DutyReport``s with ``report:rule``; W3C ``sotw:context`` nodes with
``sotw:conditionID`` mark a duty as performed), and extra context values.

The W3C examples are JSON-LD with remote contexts; :func:`odrl_json_to_quads` expands the
small, fixed subset of the ODRL and evaluation-request contexts they use, offline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from .evaluate import DutyState, Request, State
from .jsonld import RemoteContextError, parse_jsonld
from .model import ODRL, RDF_TYPE, Graph, node_key
from .operators import IRI, XSD, python_value, term_value
from ..bilingual import COLON, joined
from ..translation import both

SOTW = "https://w3id.org/force/sotw#"
ODRL_FS = "https://w3id.org/odrl-fs#"
REPORT = "https://w3id.org/force/compliance-report#"
DCT = "http://purl.org/dc/terms/"
EX_INCLUDES = "http://example.org/includes"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# features a request parameter may describe -> the ODRL left operand it supplies
FEATURES = {
    SOTW + "TemporalData": ODRL + "dateTime",
    SOTW + "Purpose": ODRL + "purpose",
    SOTW + "DeliveryChannel": ODRL + "deliveryChannel",
    SOTW + "CurrentXSDDateTime": ODRL + "dateTime",
    SOTW + "currentTime": ODRL + "dateTime",
    ODRL_FS + "currentTime": ODRL + "dateTime",
    ODRL_FS + "currentLocation": ODRL + "spatial",
    ODRL_FS + "count": ODRL + "count",
    ODRL_FS + "recipient": ODRL + "recipient",
    ODRL_FS + "paidAmount": ODRL + "payAmount",
    ODRL_FS + "event": ODRL + "event",
    ODRL_FS + "accumulatedTime": ODRL + "elapsedTime",
}


def read_rdf(path, base_iri: str | None = None) -> list:
    """Quads of an RDF file (any syntax pyoxigraph knows) or a W3C-example JSON(-LD) file.
    The bounds every other door applies come first (input_limits: JSON nesting, XML
    entities and depth), so a hostile file is refused (InputRefused), never a crash."""
    path = Path(path)
    data = path.read_bytes()
    is_json = path.suffix in (".json", ".jsonld")
    fmt = ox.RdfFormat.JSON_LD if is_json else ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    _check_bounds(path, data, fmt)
    if is_json:
        try:
            # the ODRL context resolved offline from the bundled copy (policy/jsonld.py)
            return parse_jsonld(data, base_iri or path.resolve().as_uri(), name=str(path))
        except RemoteContextError:
            # the W3C formal-semantics examples also name the evaluation-request context,
            # which is not bundled: the subset expander below knows its terms
            return odrl_json_to_quads(json.loads(data.decode("utf-8")))
    return list(ox.parse(data, format=fmt, base_iri=base_iri or path.resolve().as_uri()))


def _check_bounds(path: Path, data: bytes, fmt) -> None:
    from ..input_limits import InputRefused, check_rdf
    try:
        check_rdf(data, fmt)
    except InputRefused as exc:
        raise InputRefused(joined(COLON, path, exc.messages),
                           exc.line, exc.column) from None


# ----------------------------------------------------------------------------- requests

def read_request(quads) -> Request:
    g = quads if isinstance(quads, Graph) else Graph.from_quads(quads)
    for s, preds in g.spo.items():
        types = {o.value for o in preds.get(RDF_TYPE, ()) if isinstance(o, NamedNode)}
        if ODRL + "Request" in types or (ODRL + "permission" in preds and not types & {
                ODRL + "Set", ODRL + "Offer", ODRL + "Agreement", ODRL + "Policy"}):
            perm = g.one(s, ODRL + "permission")
            if perm is None:
                continue
            pk = node_key(perm)
            target = _first_iri(g, pk, ODRL + "target")
            action = _action_iri(g, g.one(pk, ODRL + "action"))
            _require(s, {"odrl:permission/odrl:action": action, "odrl:permission/odrl:target": target})
            req = Request(target=target, action=action,
                          assignee=_first_iri(g, pk, ODRL + "assignee"),
                          id=_term(s), rule_id=perm)
            req.context = _request_context(g, pk)
            return req
        if SOTW + "EvaluationRequest" in types or ODRL_FS + "EvaluationRequest" in types:
            return _evaluation_request(g, s)
    raise ValueError("no odrl:Request or sotw:EvaluationRequest found")


def _evaluation_request(g: Graph, s) -> Request:
    def first(*props):
        for p in props:
            o = g.one(s, p)
            if o is not None:
                return o
        return None
    action = first(SOTW + "requestedAction", SOTW + "evaluatedAction", ODRL_FS + "requestedAction")
    party = first(SOTW + "requestingParty", SOTW + "evaluatedParty", ODRL_FS + "requestingParty")
    target = first(SOTW + "requestedTarget", SOTW + "evaluatedTarget", ODRL_FS + "requestedTarget")
    _require(s, {"sotw:requestedAction (or sotw:evaluatedAction)": action,
                 "sotw:requestedTarget (or sotw:evaluatedTarget)": target})
    if party is not None and not isinstance(party, NamedNode):
        raise IncompleteRequest(s, "sotw:requestingParty (or sotw:evaluatedParty)", party)
    ctx: dict = {}
    for param in g.objects(s, SOTW + "requestParameter"):
        pk = node_key(param)
        feature = g.one(pk, SOTW + "describesFeature")
        value = g.one(pk, SOTW + "value")
        if feature is None or value is None:
            continue
        left = FEATURES.get(feature.value, feature.value)
        ctx.setdefault(IRI(left), []).append(term_value(value))
    for c in g.objects(s, ODRL_FS + "context"):
        _constraint_context(g, node_key(c), ctx)
    return Request(target=IRI(target.value) if target is not None else None,
                   action=_action_iri(g, action),
                   assignee=IRI(party.value) if isinstance(party, NamedNode) else None,
                   context=ctx, id=_term(s))


class IncompleteRequest(ValueError):
    """A request without the action or the target it asks about (or with a party that is
    not an IRI): an error naming the request node and the property, in en and zh. A
    request without a party is allowed: it asks for anyone (W3C formal semantics example
    B1 has none), and only rules without an assignee can apply."""

    def __init__(self, node, prop: str, not_iri=None):
        name = _name(node)
        if not_iri is None:
            self.texts = both("request %(name)s: no %(prop)s (a request names the action and the target it asks "
                              "about)", name=name, prop=prop)
        else:
            self.texts = both("request %(name)s: %(prop)s must be an IRI, not %(value)s",
                              name=name, prop=prop, value=not_iri)
        super().__init__(self.texts["en"])


def _name(node) -> str:
    """A node as Turtle writes it: <iri> or _:label."""
    if isinstance(node, BlankNode):
        return f"_:{node.value}"
    text = node.value if isinstance(node, NamedNode) else str(node)
    return text if text.startswith("_:") else f"<{text}>"


def _require(node, props: dict) -> None:
    for prop, value in props.items():
        if value is None:
            raise IncompleteRequest(node, prop)


def request_types(quads, request: Request) -> dict:
    """rdf:type facts the request file states about its values (not about the request
    itself): FORCE testcase-074 describes its purpose as ``ex:purpose a dpv:AccountManagement``."""
    own = {request.id.value if isinstance(request.id, NamedNode) else None}
    out: dict = {}
    for q in quads:
        if q.predicate.value == RDF_TYPE and isinstance(q.object, NamedNode):
            key = node_key(q.subject)
            if str(key) in own or q.object.value.startswith((SOTW, ODRL_FS, ODRL)):
                continue
            out.setdefault(key, set()).add(IRI(q.object.value))
    return out


def _request_context(g: Graph, rule_key) -> dict:
    ctx: dict = {}
    for c in g.objects(rule_key, ODRL + "constraint"):
        _constraint_context(g, node_key(c), ctx)
    return ctx


def _constraint_context(g, ck, ctx):
    """A request states its context as constraints (purpose eq X): read eq/isAnyOf values."""
    left = g.one(ck, ODRL + "leftOperand")
    op = g.one(ck, ODRL + "operator")
    if left is None or op is None or op.value not in (ODRL + "eq", ODRL + "isAnyOf", ODRL + "isAllOf"):
        return
    for r in g.values(ck, ODRL + "rightOperand"):
        ctx.setdefault(IRI(left.value), []).append(term_value(r))


def _first_iri(g, k, p):
    o = g.one(k, p)
    return node_key(o) if o is not None else None


def _action_iri(g, term):
    if term is None:
        return None
    k = node_key(term)
    v = g.one(k, RDF + "value")
    return IRI(v.value) if isinstance(v, NamedNode) else k


def _term(k):
    if isinstance(k, IRI):
        return NamedNode(str(k))
    return BlankNode(str(k)[2:]) if str(k).startswith("_:") else k


# ----------------------------------------------------------------------------- state

def read_state(quads) -> State:
    g = quads if isinstance(quads, Graph) else Graph.from_quads(quads)
    st = State()
    includes = set()
    for s, preds in g.spo.items():
        for o in preds.get(EX_INCLUDES, ()):
            includes.add(node_key(o))
            st.id = _term(s)
        for p in (ODRL_FS + "currentTime", SOTW + "currentTime"):
            for o in preds.get(p, ()):
                st.time = python_value(o)
    if st.time is None:
        issued = []
        for s, preds in g.spo.items():
            types = {o.value for o in preds.get(RDF_TYPE, ()) if isinstance(o, NamedNode)}
            if REPORT + "PolicyReport" in types:
                continue  # dct:created/issued of earlier reports is not "now"
            for o in preds.get(DCT + "issued", ()):
                if isinstance(o, Literal) and o.datatype.value == XSD + "dateTime":
                    issued.append((s not in includes, python_value(o)))
        if issued:
            st.time = sorted(issued, key=lambda x: x[0])[0][1]
    for s, preds in g.spo.items():
        for o in preds.get(ODRL + "partOf", ()):
            st.part_of.setdefault(s, set()).add(node_key(o))
        for o in preds.get(RDF_TYPE, ()):
            if isinstance(o, NamedNode):
                st.types.setdefault(s, set()).add(IRI(o.value))
        # FORCE: earlier DutyReports say what became of a duty
        rule = preds.get(REPORT + "rule")
        types = {o.value for o in preds.get(RDF_TYPE, ()) if isinstance(o, NamedNode)}
        if rule and (REPORT + "DutyReport" in types or REPORT + "deonticState" in preds
                     or REPORT + "performanceState" in preds):
            deon = preds.get(REPORT + "deonticState")
            perf = preds.get(REPORT + "performanceState")
            ds = DutyState(deontic=_local(deon[0]) if deon else "NonSet",
                           performance=_local(perf[0]) if perf else "Unknown",
                           report=_term(s))
            for r in rule:
                st.duties[node_key(r)] = ds
        # odrl-fs state-of-the-world features (count, location, recipient...) as context
        for feature, left in FEATURES.items():
            if feature.startswith(ODRL_FS) and left != ODRL + "dateTime":
                for o in preds.get(feature, ()):
                    st.context.setdefault(IRI(left), []).append(term_value(o))
        # W3C draft: a context node naming the condition it fulfils (e.g. a payment)
        for p in (SOTW + "conditionID", SOTW + "conditionId"):
            for o in preds.get(p, ()):
                st.duties[node_key(o)] = DutyState("Fulfilled", "Performed", _term(s))
    return st


def _local(term) -> str:
    v = term.value
    name = v.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return {"Not-set": "NonSet", "Nonset": "NonSet"}.get(name, name)


# ----------------------------------------------------------------------------- JSON-LD subset

_ODRL_TERMS_VOCAB = {"action", "leftOperand", "operator", "conflict", "@type", "type"}
_ODRL_TERMS_ID = {"target", "assignee", "assigner", "uid", "inheritFrom", "profile", "partOf",
                  "source", "unit", "rightOperandReference", "dataType"}
_ODRL_TERMS_NESTED = {"permission", "prohibition", "obligation", "duty", "constraint",
                      "refinement", "consequence", "remedy", "and", "or", "xone",
                      "andSequence"}
_SOTW_TERMS = {"evaluatedAction": "@id", "evaluatedParty": "@id", "evaluatedTarget": "@id",
               "requestParameters": "requestParameter", "value": None,
               "describesFeature": "@id", "context": None, "conditionId": "@id"}
_PREFIXES = {"odrl": ODRL, "xsd": XSD, "rdf": RDF, "sotw": SOTW, "dct": DCT,
             "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}


def odrl_json_to_quads(doc) -> list:
    """Expand an ODRL JSON(-LD) document written against the ODRL 2.2 context (and the
    formal-semantics evaluation-request context) without fetching the contexts."""
    out: list = []
    local = {}
    ctx = doc.get("@context") if isinstance(doc, dict) else None
    for c in (ctx if isinstance(ctx, list) else [ctx]):
        if isinstance(c, dict):
            local.update({k: v for k, v in c.items() if isinstance(v, str)})
    prefixes = dict(_PREFIXES)
    prefixes.update(local)

    def expand(v: str, vocab: bool) -> str:
        if "://" in v or v.startswith("urn:"):
            return v
        if ":" in v:
            pre, rest = v.split(":", 1)
            if pre in prefixes:
                return prefixes[pre] + rest
            return v
        if vocab:
            if v in ("EvaluationRequest", "RequestParameter", "SotW"):
                return SOTW + v
            return ODRL + v
        return v

    def node(obj) -> object:
        if isinstance(obj, str):
            return NamedNode(expand(obj, False))
        nid = obj.get("@id") or obj.get("uid")
        subj = NamedNode(expand(nid, False)) if nid else BlankNode()
        for k, v in obj.items():
            if k in ("@context", "@id"):
                continue
            for item in (v if isinstance(v, list) else [v]):
                emit(subj, k, item)
        return subj

    def literal(item):
        if isinstance(item, dict) and "@value" in item:
            dt = item.get("@type")
            return Literal(str(item["@value"]), datatype=NamedNode(expand(dt, False))) if dt else Literal(str(item["@value"]))
        if isinstance(item, dict) and "@id" in item and "@type" in item:
            # the draft writes {"@id": "1000", "@type": "xsd:integer"} for a number
            return Literal(str(item["@id"]), datatype=NamedNode(expand(item["@type"], False)))
        if isinstance(item, bool):
            return Literal("true" if item else "false", datatype=NamedNode(XSD + "boolean"))
        if isinstance(item, int):
            return Literal(str(item), datatype=NamedNode(XSD + "integer"))
        if isinstance(item, float):
            return Literal(repr(item), datatype=NamedNode(XSD + "double"))
        return Literal(str(item))

    def emit(subj, key, item):
        if key in ("@type", "type"):
            out.append(Quad(subj, NamedNode(RDF_TYPE), NamedNode(expand(item, True))))
            return
        if key == "uid":
            out.append(Quad(subj, NamedNode(ODRL + "uid"), NamedNode(expand(item, False))))
            return
        if key in _SOTW_TERMS:
            pred = NamedNode(SOTW + (_SOTW_TERMS[key] if _SOTW_TERMS[key] not in (None, "@id") else key))
            if key == "conditionId":
                pred = NamedNode(SOTW + "conditionID")
            if key == "value":
                out.append(Quad(subj, pred, literal(item)))
            elif isinstance(item, dict):
                out.append(Quad(subj, pred, node(item)))
            else:
                out.append(Quad(subj, pred, NamedNode(expand(item, True) if key == "evaluatedAction" else expand(item, False))))
            return
        if key == "rdf:value":
            out.append(Quad(subj, NamedNode(RDF + "value"), node(item) if isinstance(item, dict) and "@value" not in item else literal(item)))
            return
        if key == "rightOperand":
            if isinstance(item, dict) and "@value" not in item and "@type" not in item:
                out.append(Quad(subj, NamedNode(ODRL + key), node(item)))
            else:
                out.append(Quad(subj, NamedNode(ODRL + key), literal(item)))
            return
        if key in _ODRL_TERMS_VOCAB:
            out.append(Quad(subj, NamedNode(ODRL + key), node(item) if isinstance(item, dict) else NamedNode(expand(item, True))))
            return
        if key in _ODRL_TERMS_ID or key in _ODRL_TERMS_NESTED:
            out.append(Quad(subj, NamedNode(ODRL + key), node(item) if isinstance(item, dict) else NamedNode(expand(item, False))))
            return
        pred = NamedNode(expand(key, False))
        if isinstance(item, dict) and "@value" not in item:
            out.append(Quad(subj, pred, node(item)))
        elif isinstance(item, str) and ("://" in item):
            out.append(Quad(subj, pred, NamedNode(item)))
        else:
            out.append(Quad(subj, pred, literal(item)))

    node(doc)
    return out
