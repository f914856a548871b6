"""The SPARQL query editor a browser gets at GET /sparql (YASGUI, vendored under
static/vendor/yasgui/), with example queries for the library model.

Only a browser asking for a page gets it: a GET with no `query` or `update` parameter whose
Accept header names text/html (or XHTML) explicitly, at a quality no lower than any RDF
format the service description is offered in. Every other request (a SPARQL client, `*/*`,
Turtle, any query or update) gets the SPARQL 1.1 Protocol answer as before (docs/web.md).
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l

from ..query import GRAPH_TYPES

HTML_TYPES = ("text/html", "application/xhtml+xml")

_PREFIXES = """PREFIX rg: <https://w3id.org/rightsgraph/ns#>
PREFIX odrl: <http://www.w3.org/ns/odrl/2/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

# (key, title, what it shows, query); {lang} is the page's language, for titles.
EXAMPLES = [
    ("resources-by-licence", _l("Resources by licence"),
     _l("Each licence, the package it covers and the resources in it, with their titles."),
     _PREFIXES + """SELECT ?licence ?resource ?title WHERE {{
  ?licence a rg:Licence ; odrl:target ?package .
  ?resource a rg:Resource ; odrl:partOf* ?package .
  OPTIONAL {{ ?resource dct:title ?title FILTER(langMatches(lang(?title), "{lang}")) }}
}}
ORDER BY ?licence ?title
LIMIT 1000
"""),
    ("what-may-we-do", _l("What may we do?"),
     _l("For the resources each licence covers: may its authorised users read, print or download "
        "them today? (the decision functions rg:permitted and rg:decision)"),
     _PREFIXES + """SELECT ?resource ?action ?permitted ?decision WHERE {{
  ?licence a rg:Licence ; odrl:target ?package ; rg:authorisedUserParty ?users .
  ?resource a rg:Resource ; odrl:partOf* ?package .
  VALUES ?action {{ odrl:read odrl:print odrl:reproduce }}
  BIND(rg:permitted(?resource, ?action, ?users) AS ?permitted)
  BIND(rg:decision(?resource, ?action, ?users) AS ?decision)
}}
ORDER BY ?resource ?action
LIMIT 60
"""),
    ("expiring-licences", _l("Licences expiring in the next 90 days"),
     _l("Licences whose term ends within 90 days from today, with their status and licensor."),
     _PREFIXES + """SELECT ?licence ?title ?status ?licensor ?end WHERE {{
  ?licence a rg:Licence ; rg:termEnd ?end .
  OPTIONAL {{ ?licence rg:licenceStatus ?status }}
  OPTIONAL {{ ?licence odrl:assigner ?licensor }}
  OPTIONAL {{ ?licence dct:title ?title FILTER(langMatches(lang(?title), "{lang}")) }}
  # today as a plain date: NOW() carries a time zone, and a date with one cannot be
  # compared with the licences' dates, which have none
  BIND(xsd:date(SUBSTR(STR(NOW()), 1, 10)) AS ?today)
  FILTER(?end >= ?today && ?end <= ?today + "P90D"^^xsd:dayTimeDuration)
}}
ORDER BY ?end
"""),
]


def _quality(media: str) -> float:
    """The quality the Accept header gives `media` when it names it (not by a wildcard)."""
    best = 0.0
    for value, quality in request.accept_mimetypes:
        if value.lower() == media:
            best = max(best, quality)
    return best


def wants_editor() -> bool:
    """A browser asking for a page (see the module's docstring)."""
    if request.method != "GET" or "query" in request.args or "update" in request.args:
        return False
    html = max(_quality(m) for m in HTML_TYPES)
    return html > 0 and html >= max(_quality(m) for m in GRAPH_TYPES)


def editor_page():
    from .i18n import lang
    here = lang()
    examples = [{"key": key, "title": str(title), "about": str(about), "query": query.format(lang=here)}
                for key, title, about, query in EXAMPLES]
    resp = render_template("sparql.html", endpoint=request.base_url, examples=examples)
    from flask import make_response
    resp = make_response(resp)
    resp.headers["Vary"] = "Accept"
    return resp
