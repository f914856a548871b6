"""`/.well-known/void`: the VoID/DCAT description of the dataset this service shares
(RFC 8615 well-known location, VoID section 7.2). Content negotiation: Turtle (default),
JSON-LD, N-Triples, RDF/XML. Confidential and system graphs are not described."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from pyoxigraph import NamedNode

from .. import query as q
from ..exchange.void import DEFAULT_LICENCE, describe

bp = Blueprint("void", __name__)
_TRIPLE_TYPES = {"text/turtle", "application/ld+json", "application/n-triples", "text/plain", "application/rdf+xml"}


@bp.route("/.well-known/void", methods=["GET", "HEAD"])
def void_description():
    store = current_app.extensions["rightsgraph.store"]
    root = request.url_root.rstrip("/")
    triples = describe(store, dataset=NamedNode(root + "/.well-known/void#dataset"), endpoint=root + "/sparql",
                       publisher=current_app.config.get("RG_PUBLISHER"),
                       licence=current_app.config.get("RG_METADATA_LICENCE") or DEFAULT_LICENCE)
    media = q.negotiate(request.headers.get("Accept"), "graph")
    if media not in _TRIPLE_TYPES:
        return Response("406 Not Acceptable: text/turtle, application/ld+json, application/n-triples or "
                        "application/rdf+xml\n", status=406, content_type="text/plain; charset=utf-8")
    body = ox.serialize(triples, format=q.GRAPH_TYPES[media],
                        **({"prefixes": {"void": "http://rdfs.org/ns/void#", "dcat": "http://www.w3.org/ns/dcat#",
                                         "dct": "http://purl.org/dc/terms/",
                                         "sd": "http://www.w3.org/ns/sparql-service-description#",
                                         "foaf": "http://xmlns.com/foaf/0.1/"}} if media == "text/turtle" else {}))
    return Response(body, content_type=q.content_type(media), headers={"Vary": "Accept"})
