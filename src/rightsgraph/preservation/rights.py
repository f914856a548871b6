"""Rights before every preservation action: the decision engine is asked first, and what
the licence does not allow is refused with the reason and the clauses behind it.

    replicate, repair -> odrl:archive                   (keep a preservation copy)
    migrate           -> odrl:reproduce, purpose rg:Preservation
    transfer          -> odrl:distribute to the archive (odrl:recipient), purpose rg:Preservation

A resource that rests on a PREMIS rights statement instead of a licence (digitised,
donated, legal deposit) may have the act when the statement, in force today, lists it
among its premis:act (LoC event types: rep, mig ...). A store backup is the library's own
data and needs no licence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from ..namespaces import ODRL, PREMIS, RG
from .vocab import EVENT_TYPE

ACTIONS = {
    "replicate": (ODRL.archive.value, None, EVENT_TYPE.rep.value),
    "repair": (ODRL.archive.value, None, EVENT_TYPE.rep.value),
    "migrate": (ODRL.reproduce.value, RG.Preservation.value, EVENT_TYPE.mig.value),
    "transfer": (ODRL.distribute.value, RG.Preservation.value, EVENT_TYPE.tra.value),
}
TERMS_NS = "https://w3id.org/rightsgraph/licence-terms#"


@dataclass
class RightsAnswer:
    permitted: bool
    basis: str      # "licence", "open licence <iri>", "rights statement <iri>", "own data", or "refused"
    reason: str
    clauses: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"permitted": self.permitted, "basis": self.basis, "reason": self.reason,
                "clauses": self.clauses, "rules": self.rules}


CONFIDENTIAL = "(confidential)"
_GRAPH_VARS = ("g1", "g2", "g3", "g4", "g5", "g6", "g7")


class RightsChecker:
    """One policy index for many questions (a replication asks once per resource).

    `hidden`: graphs the asker may not see (a reader's confidential graphs). The verdict and
    reason are computed over every licence, as every decision door does for readers
    (docs/service.md, "Decisions for readers"); a clause read from a hidden graph is given as
    one "(confidential)" entry instead of its licence, number and text."""

    def __init__(self, store, library: str | None, hidden: frozenset[str] = frozenset(), decisions=None):
        """`decisions`: the service's DecisionService, whose compiled policies are kept current
        (the web doors); else one of its own (a command)."""
        from ..decision_service import DecisionService
        self.store = store
        self.library = library
        self.hidden = hidden
        self._service = decisions if decisions is not None else DecisionService(store)
        self._cache: dict = {}

    def check(self, resource: str | None, action: str, recipient: str | None = None,
              at: datetime | None = None) -> RightsAnswer:
        if resource is None:
            return RightsAnswer(True, "own data", "a backup of this store or a construction-archive document is "
                                                  "the library's own record")
        key = (resource, action, recipient)
        if key not in self._cache:
            self._cache[key] = self._check(resource, action, recipient, at)
        return self._cache[key]

    def _check(self, resource, action, recipient, at) -> RightsAnswer:
        from ..policy import decide
        odrl_action, purpose, act = ACTIONS[action]
        context = {}
        if purpose:
            context[ODRL.purpose.value] = [_iri(purpose)]
        if recipient:
            context[ODRL.recipient.value] = [_iri(recipient)]
        d = decide(self._service.index(), resource, odrl_action, self.library, context,
                   at or datetime.now(timezone.utc))
        if d.permitted:
            return RightsAnswer(True, _basis(d.rules), d.reason, self._clauses(d.rules), list(d.rules))
        statement = self._statement_allows(resource, act, (at or datetime.now(timezone.utc)).date())
        if statement:
            return RightsAnswer(True, f"rights statement <{statement}>",
                                f"premis:act <{act}> in a rights statement in force")
        clauses = self._clauses(d.rules) or self._silent_terms(resource, odrl_action)
        return RightsAnswer(False, "refused", d.reason, clauses, list(d.rules))

    def _statement_allows(self, resource: str, act: str, today: date) -> str | None:
        rows = self.store.query(f"""SELECT ?rs ?start ?end WHERE {{ <{resource}> <{PREMIS.rightsStatus.value}> ?rs .
            ?rs <{PREMIS.act.value}> <{act}> . OPTIONAL {{ ?rs <{RG.rightsStart.value}> ?start }}
            OPTIONAL {{ ?rs <{RG.rightsEnd.value}> ?end }} }}""")
        for r in rows:
            start = date.fromisoformat(r["start"].value) if r["start"] is not None else None
            end = date.fromisoformat(r["end"].value) if r["end"] is not None else None
            if (start is None or start <= today) and (end is None or today <= end):
                return r["rs"].value
        return None

    def _clauses(self, rules) -> list[str]:
        """The licence terms (clause number and text) that the deciding rules implement."""
        if not rules:
            return []
        values = " ".join(f"<{r}>" for r in rules if "://" in r or r.startswith("urn:"))
        if not values:
            return []
        rows = self.store.query(f"""SELECT ?l ?type ?n ?text ?g1 ?g2 ?g3 ?g4 ?g5 WHERE {{ VALUES ?rule {{ {values} }}
            GRAPH ?g1 {{ ?term <{RG.implementedBy.value}> ?rule }} GRAPH ?g2 {{ ?term <{RG.termType.value}> ?type }}
            GRAPH ?g3 {{ ?l <{RG.licenceTerm.value}> ?term }}
            OPTIONAL {{ GRAPH ?g4 {{ ?term <{RG.clauseNumber.value}> ?n }} }}
            OPTIONAL {{ GRAPH ?g5 {{ ?term <{RG.clauseText.value}> ?text }} }} }}""")
        return sorted({_clause(r) if self._sees(r) else CONFIDENTIAL for r in rows})

    def _sees(self, row) -> bool:
        """Whether every graph a row was read from (its ?g1, ?g2 ...) is one the asker may see."""
        return not self.hidden or not any(
            row[v] is not None and row[v].value in self.hidden for v in _GRAPH_VARS)

    def _silent_terms(self, resource: str, odrl_action: str) -> list[str]:
        """Without a deciding rule, what the covering licences record about archiving (and,
        for another action than archiving, that none of their rules grants it)."""
        rows = self.store.query(f"""SELECT DISTINCT ?l ?status ?n ?text ?g1 ?g2 ?g3 ?g4 ?g5 ?g6 ?g7 WHERE {{
            GRAPH ?g1 {{ ?l a <{RG.Licence.value}> }} GRAPH ?g6 {{ ?l <{ODRL.target.value}> ?t }}
            GRAPH ?g7 {{ ?l <{RG.licenceTerm.value}> ?term }}
            <{resource}> <{ODRL.partOf.value}>* ?t .
            GRAPH ?g2 {{ ?term <{RG.termType.value}> <{TERMS_NS}archiving_rights> }}
            GRAPH ?g3 {{ ?term <{RG.termStatus.value}> ?status }}
            OPTIONAL {{ GRAPH ?g4 {{ ?term <{RG.clauseNumber.value}> ?n }} }}
            OPTIONAL {{ GRAPH ?g5 {{ ?term <{RG.clauseText.value}> ?text }} }} }}""")
        out = set()
        for r in rows:
            if not self._sees(r):
                out.add(CONFIDENTIAL)
                continue
            status = r["status"].value.rsplit("#", 1)[-1]
            where = f" clause {r['n'].value}" if r["n"] is not None else ""
            text = f": \"{r['text'].value}\"" if r["text"] is not None else ""
            out.add(f"{_short(r['l'].value)} archiving_rights {status}{where}{text}")
            if odrl_action != ODRL.archive.value:
                out.add(f"{_short(r['l'].value)}: no rule grants odrl:{_short(odrl_action)}")
        if not out:
            out.add("no licence covering this resource records an archiving right")
        return sorted(out)


def _basis(rules) -> str:
    """"licence", unless every deciding rule is one of the shipped open-licence policies
    (data/open-licences/): then the Creative Commons licence or rightsstatements.org
    statement itself, so that the record says what the act rests on."""
    from ..policy.open_licences import POLICY_BASE
    policies = sorted({r.split("#", 1)[0] for r in rules})
    if not policies or not all(p.startswith(POLICY_BASE) for p in policies):
        return "licence"
    kind = "rights statement" if all(p.startswith(POLICY_BASE + "rs/") for p in policies) else "open licence"
    return f"{kind} " + ", ".join(f"<{p}>" for p in policies)


def _clause(row) -> str:
    where = f" clause {row['n'].value}" if row["n"] is not None else ""
    text = f": \"{row['text'].value}\"" if row["text"] is not None else ""
    return f"{_short(row['l'].value)} {row['type'].value.rsplit('#', 1)[-1]}{where}{text}"


def _short(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _iri(value: str):
    from ..policy.operators import IRI
    return IRI(value)
