"""The pages' words for the product's keys (decision reasons, term statuses, licence
statuses, delivery channels), as gettext messages: extracted into the catalogues
(src/rightsgraph/locale) and translated per request."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..licences.vocabulary import TERMS
from ..namespaces import RG
from .i18n import lang

REASONS = {
    "permitted": _l("permitted"),
    "prohibited": _l("prohibited"),
    "no-applicable-permission": _l("no applicable permission"),
    "constraint-unsatisfied": _l("constraint unsatisfied"),
    "duty-unfulfilled": _l("duty unfulfilled"),
    "policy-void-by-conflict": _l("policy void by conflict"),
    "target-not-held": _l("the store does not hold this resource"),
    "identifier-not-held": _l("the library holds nothing with this identifier"),
    "not-covered": _l("outside the coverage of the library's holdings"),
}
VERDICTS = {"permit": _l("PERMIT"), "deny": _l("DENY"), "not-held": _l("NOT HELD")}
#: a preservation copy's state at its latest fixity check (preservation/report.STATUS_NAMES)
COPY_STATUSES = {"intact": _l("intact"), "damaged": _l("damaged"), "missing": _l("missing")}
CONFIDENTIAL_LABEL = _l("confidential terms, not shown to readers")

CHANNELS = [(RG.iri("SecureElectronicTransmission"), _l("Secure electronic transmission")),
            (RG.iri("Email"), _l("Email")), (RG.iri("Print"), _l("Print")), (RG.iri("Post"), _l("Post"))]
PURPOSES = [(RG.iri(k), label) for k, label in (
    ("CourseReserve", _l("Course reserve")), ("DistanceEducation", _l("Distance education")),
    ("ScholarlySharing", _l("Scholarly sharing")), ("SystematicDownload", _l("Systematic download")),
    ("AITraining", _l("AI training")), ("LocalHosting", _l("Local hosting")), ("Backup", _l("Backup")))]
LOCATIONS = [(RG.iri("OnPremises"), _l("On the library's premises")), (RG.iri("RemoteAccess"), _l("Remote access"))]

TERM_STATUSES = {
    "permitted_explicit": _l("permitted (explicit)"),
    "permitted_interpreted": _l("permitted (interpreted)"),
    "prohibited_explicit": _l("prohibited (explicit)"),
    "prohibited_interpreted": _l("prohibited (interpreted)"),
    "silent": _l("silent"),
    "not_applicable": _l("not applicable"),
    "not_reviewed": _l("not reviewed"),
}
LICENCE_STATUSES = {
    "in_negotiation": _l("in negotiation"), "not_yet_active": _l("not yet active"), "active": _l("active"),
    "expired": _l("expired"), "terminated": _l("terminated"), "rejected": _l("rejected"),
}


def term_label(key: str | None) -> str:
    """A licence term type's name in the page's language (licences/vocabulary.py has both)."""
    term = TERMS.get(key or "")
    if term is None:
        return key or ""
    return term.zh if lang() == "zh" else term.en


def term_definition(key: str | None) -> str:
    term = TERMS.get(key or "")
    if term is None:
        return ""
    return term.zh_def if lang() == "zh" else term.en_def

# Properties from other vocabularies that every resource has (the ontology labels rg:'s own).
PROPERTIES = {
    "http://purl.org/dc/terms/title": _l("Title"), "http://purl.org/dc/terms/issued": _l("Issued"),
    "http://purl.org/dc/terms/language": _l("Language"), "http://purl.org/dc/terms/publisher": _l("Publisher"),
    "http://purl.org/dc/terms/creator": _l("Creator"), "http://purl.org/dc/terms/identifier": _l("Identifier"),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": _l("Type"),
    "http://www.w3.org/ns/odrl/2/partOf": _l("Part of"),
    "http://www.loc.gov/premis/rdf/v3/rightsStatus": _l("Rights statement"),
}
