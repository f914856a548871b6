"""SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/)."""

from __future__ import annotations

from flask import Response, request

from .. import query as q
from ..translation import both

_TEMPLATE = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<{endpoint}#service> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    dct:title {title} ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph, sd:BasicFederatedQuery ;
    sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML,
        formats:SPARQL_Results_CSV, formats:SPARQL_Results_TSV, formats:Turtle,
        formats:N-Triples, formats:RDF_XML, formats:JSON-LD ;
    sd:defaultDataset [ a sd:Dataset, void:Dataset ;
        void:sparqlEndpoint <{endpoint}> ; void:triples {triples} ; rdfs:seeAlso <{void}> ;
        sd:defaultGraph [ a sd:Graph ; dct:description {default_graph} ] ] .
"""


def _literals(texts: dict[str, str]) -> str:
    """A text in every language, as Turtle language-tagged literals."""
    import pyoxigraph as ox
    return ", ".join(str(ox.Literal(text, language=lang)) for lang, text in texts.items())


def service_description(endpoint: str) -> Response:
    import pyoxigraph as ox
    store = ox.Store()
    from flask import current_app
    from ..exchange.void import shared_triples  # VoID figures: docs/exchange.md
    triples = shared_triples(current_app.extensions["rightsgraph.store"])
    store.load(_TEMPLATE.format(endpoint=endpoint, triples=triples, void=request.url_root + ".well-known/void",
                                title=_literals(both("rightsgraph SPARQL endpoint")),
                                default_graph=_literals(both("the union of all named graphs"))),
               ox.RdfFormat.TURTLE)
    result = q.Result("graph", store.query("CONSTRUCT WHERE { ?s ?p ?o }"))
    media = q.negotiate(request.headers.get("Accept"), "graph") or "text/turtle"
    return Response(q.serialize(result, media), content_type=q.content_type(media))
