"""The parameters each /api/v1 endpoint reads (docs/service.md, "Unknown parameters").

A parameter an endpoint does not read is a 400 naming it and the ones the endpoint takes:
`action=teleport` sent to /api/v1/entitlement, a misspelt `asignee`, or `?target=` on a POST
whose question is in its JSON body would otherwise be answered as if it were absent (a
quiet answer to another question). The table is the one place the names are listed;
tests/test_api_params.py checks that every /api/v1 route has its entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, jsonify, request

from ..bilingual import compose, in_lang
from ..decision_service import NAMED_OPERANDS
from ..identifier_decisions import HOLDINGS_PARAMS
from ..identifiers import PARAMS as IDENTIFIER_PARAMS
from ..translation import both
from .errors import error_lang

EVERYWHERE = ("lang",)      # ?lang=en|zh: the language of an error, on every endpoint's query string
IDENTIFIERS = tuple(IDENTIFIER_PARAMS)        # doi, issn, isbn, title_id, title-id, titleId, url, id
HOLDINGS = (*HOLDINGS_PARAMS, "at")           # date, volume, issue; at: the time of the question
DECISION = ("target", "action", "assignee", "at", "context", "report", *NAMED_OPERANDS, *IDENTIFIERS,
            *HOLDINGS_PARAMS)
ENTITLEMENT = (*IDENTIFIERS, *HOLDINGS)
USAGE_FILTERS = ("year", "platform", "package", "licence")
FORMAT = ("format",)        # ?format=svg: the chart instead of the JSON (web/reports.py)


@dataclass(frozen=True)
class Takes:
    """What one endpoint reads: `query`, the names of a GET's query string (a POST's query
    string takes only EVERYWHERE); `body`, the keys of a POSTed JSON object; `items`, the
    keys of an object in a batch's list."""
    query: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    items: tuple[str, ...] = ()


TAKES: dict[str, Takes] = {
    "api.decision": Takes(query=DECISION, body=DECISION),
    "api.decisions": Takes(body=("requests",), items=DECISION),
    "api.entitlement": Takes(query=ENTITLEMENT, body=ENTITLEMENT),
    "api.entitlements": Takes(body=("identifiers", *HOLDINGS, "fields"), items=ENTITLEMENT),
    "reports.risks": Takes(query=("days", "at", *FORMAT)),
    "reports.assets": Takes(query=("sample", "seed", *FORMAT)),
    "reports.usage": Takes(query=(*USAGE_FILTERS, *FORMAT)),
    "reports.cost_per_use": Takes(query=(*USAGE_FILTERS, "top", *FORMAT)),
    "reports.demand": Takes(query=("year", "platform", "limit", *FORMAT)),
    "reports.quantity": Takes(),
    "reports.timeliness": Takes(query=("year", "at")),
    "reports.preservation": Takes(query=("library", *FORMAT)),
}


def _listed(names) -> dict[str, str]:
    """Names quoted and listed in each language's way (", " / "、": typography, not words)."""
    names = [str(n) for n in names]
    return {"en": ", ".join(names), "zh": "、".join(names)}


def unknown_texts(unknown, accepted) -> dict[str, str]:
    """{"en", "zh"}: the `unknown` names are not read here, the `accepted` ones are. Without
    the endpoint's name, so that a batch item's error is `identifiers[i]: ` and the words the
    same question asked alone gets (docs/decisions.md: an item is answered as if alone)."""
    return compose(both("unknown parameter(s) %(unknown)s; the parameters taken here are: %(accepted)s"),
                   unknown=_listed([repr(n) for n in unknown]), accepted=_listed(accepted))


def unknown_names(given, accepted) -> list[str]:
    """The names of `given` not in `accepted`, in the order given."""
    known = set(accepted)
    return [n for n in dict.fromkeys(given) if n not in known]


def refused(unknown, accepted) -> Response:
    """400: {"error": in the caller's language, "en", "zh", "unknown": [...], "accepted": [...]}."""
    texts = unknown_texts(unknown, accepted)
    resp = jsonify({"error": in_lang(texts, error_lang()), **texts, "unknown": list(unknown),
                    "accepted": list(accepted)})
    resp.status_code = 400
    return resp


class BadValue(ValueError):
    """A parameter's value is not one the endpoint can read: `texts` says why, {"en", "zh"}."""

    def __init__(self, texts: dict[str, str]):
        super().__init__(texts["en"])
        self.texts = texts


def bad_request(texts: dict[str, str], status: int = 400) -> Response:
    """{"error": in the caller's language, "en", "zh"}: the shape of every /api/v1 refusal."""
    resp = jsonify({"error": in_lang(texts, error_lang()), **texts})
    resp.status_code = status
    return resp


def check_query() -> Response | None:
    """Before an /api/v1 request: a query-string name its endpoint does not read is a 400.
    Endpoints not in TAKES (a 404, another blueprint) are left alone."""
    takes = TAKES.get(request.endpoint or "")
    if takes is None:
        return None
    accepted = (*(takes.query if request.method in ("GET", "HEAD") else ()), *EVERYWHERE)
    unknown = unknown_names(request.args.keys(), accepted)
    return refused(unknown, accepted) if unknown else None


def check_body(body: dict) -> Response | None:
    """A POSTed JSON object's keys against its endpoint's `body` names; None when all are known."""
    accepted = TAKES[request.endpoint].body
    unknown = unknown_names(body.keys(), accepted)
    return refused(unknown, accepted) if unknown else None


def item_error(where: str, item: dict, lang: str) -> str | None:
    """The error in its place of a batch item (`where`: requests[i], identifiers[i]) with a key
    its endpoint does not read, in `lang`; None when every key is known."""
    accepted = TAKES[request.endpoint].items
    unknown = unknown_names(item.keys(), accepted)
    return f"{where}: {in_lang(unknown_texts(unknown, accepted), lang)}" if unknown else None
