"""The terms acquisition records are written with: PROV-O activities, our stage and
decision concepts (ontology/preservation.ttl), and the graph they live in."""

from __future__ import annotations

from urllib.parse import quote

from pyoxigraph import NamedNode

from ..namespaces import GRAPH_BASE, RG

ACQUISITIONS_GRAPH = NamedNode(GRAPH_BASE + "acquisitions")
ACQUISITION_BASE = "urn:rightsgraph:acquisition:"

# the stages in their usual order (art. 6.1): the name used on the command line -> concept
STAGES = {
    "request": RG.RequestStage, "trial": RG.TrialStage, "evaluation": RG.EvaluationStage,
    "negotiation": RG.NegotiationStage, "order": RG.OrderStage, "acceptance": RG.AcceptanceStage,
    "activation": RG.ActivationStage, "renewal": RG.RenewalStage, "cancellation": RG.CancellationStage,
}
STAGE_NAMES = {v.value: k for k, v in STAGES.items()}
STAGE_ORDER = {name: i for i, name in enumerate(STAGES)}
# a decision taken at a stage
DECISIONS = {"approved": RG.DecisionApproved, "rejected": RG.DecisionRejected, "pending": RG.DecisionPending}
DECISION_NAMES = {v.value: k for k, v in DECISIONS.items()}
# stages that settle what happens at the end of a licence's term
END_OF_TERM = ("renewal", "cancellation")


def acquisition_node(ident: str) -> NamedNode:
    """An acquisition's IRI: an IRI given as is, otherwise minted from the identifier."""
    if "://" in ident or ident.startswith("urn:"):
        from ..preservation.vocab import require_iri
        return NamedNode(require_iri(ident, "ID"))
    return NamedNode(ACQUISITION_BASE + quote(ident, safe=""))
