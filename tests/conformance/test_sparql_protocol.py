"""The W3C SPARQL 1.1 Protocol test suite (34 tests: queries and updates), driven from its
manifest, against a real `rightsgraph serve` process on 127.0.0.1.

Each test starts from an empty dataset holding only the graphs its `ut:graphData` names
(loaded through the Graph Store Protocol). Requests carry a cataloguer's token, since
updates need one; everything else is exactly what the manifest says.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import requests
from rdflib import RDFS

from ..conftest import CONFORMANCE
from .http_manifest import HT, MF, UT, Manifest, status_matches

MANIFEST_PATH = CONFORMANCE / "sparql11" / "protocol" / "manifest.ttl"
MANIFEST = Manifest(MANIFEST_PATH)
pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(deployment):
    srv = deployment.serve_with_token("w3c-suite", "admin")  # DROP ALL resets: admin only
    yield srv
    srv.stop()


def prepare(url: str, token: str, entry) -> None:
    """An empty dataset holding the graphs `entry` names (also used by test_public_tier)."""
    auth = {"Authorization": f"Bearer {token}"}
    r = requests.post(url + "/sparql", data="DROP ALL", timeout=60,
                      headers=dict(auth, **{"Content-Type": "application/sparql-update"}))
    assert r.status_code == 204, r.text
    for gd in MANIFEST.graph.objects(entry, UT.graphData):
        iri = str(MANIFEST.value(gd, RDFS.label))
        path = MANIFEST_PATH.parent / str(MANIFEST.value(gd, UT.graph)).rsplit("/", 1)[-1]
        r = requests.put(url + "/store", params={"graph": iri}, data=path.read_bytes(), timeout=60,
                         headers=dict(auth, **{"Content-Type": "application/n-triples"}))
        assert r.status_code in (201, 204), r.text


def _check(resp, expect):
    statuses = MANIFEST.expected_statuses(expect)
    assert status_matches(resp.status_code, statuses), \
        f"status {resp.status_code} not in {statuses}: {resp.text[:300]}"
    fmt = MANIFEST.value(expect, MF.expectedFormat)
    ctype = resp.headers.get("Content-Type", "").split(";")[0]
    if fmt is not None and str(fmt) in ("boolean", "tabular"):
        parsed = ox.parse_query_results(resp.content, ox.QueryResultsFormat.from_media_type(ctype))
        if str(fmt) == "boolean":
            assert isinstance(parsed, ox.QueryBoolean)
        else:
            assert isinstance(parsed, ox.QuerySolutions)
            list(parsed)
    if fmt is not None and str(fmt) == "RDF":
        list(ox.parse(resp.content, ox.RdfFormat.from_media_type(ctype)))
    expected_bool = MANIFEST.value(expect, MF.expectedBoolean)
    if expected_bool is not None:
        if ctype == "application/sparql-results+json":
            assert json.loads(resp.content)["boolean"] is expected_bool.toPython()
        else:
            parsed = ox.parse_query_results(resp.content, ox.QueryResultsFormat.from_media_type(ctype))
            assert bool(parsed) is expected_bool.toPython()


def test_manifest_has_all_34_tests():
    assert len(MANIFEST.entries) == 34


@pytest.mark.parametrize("entry", MANIFEST.entries, ids=lambda e: str(e).split("#")[-1])
def test_protocol(server, entry):
    prepare(server.url, server.token, entry)
    for req in MANIFEST.requests_of(entry):
        resp = MANIFEST.send(server.url, req, prefix="/sparql", path_prefix="/sparql", variables={},
                             extra_headers={"Authorization": f"Bearer {server.token}"})
        _check(resp, MANIFEST.value(req, HT.resp))
