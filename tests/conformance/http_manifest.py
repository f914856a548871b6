"""Reading W3C HTTP test manifests (ht: vocabulary) and replaying their requests."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import requests
from rdflib import Graph, Namespace, RDF
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
NAMED_STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404, "BadRequest": 400}


class Manifest:
    def __init__(self, *paths: Path):
        self.graph = Graph()
        self.entries = []
        for path in paths:
            if not path.exists():
                continue
            self.graph.parse(path, format="turtle")
            manifest = next(s for s in self.graph.subjects(RDF.type, MF.Manifest)
                            if self.graph.value(s, MF.entries) is not None and str(s).startswith(path.as_uri()))
            self.entries += list(Collection(self.graph, self.graph.value(manifest, MF.entries)))

    def value(self, s, p):
        return self.graph.value(s, p)

    def requests_of(self, entry):
        action = self.value(entry, MF.action)
        return list(Collection(self.graph, self.value(action, HT.requests)))

    def headers(self, node) -> dict[str, str]:
        out = {}
        hl = self.value(node, HT.headers)
        if hl is not None:
            for h in Collection(self.graph, hl):
                out[str(self.value(h, HT.fieldName)).lower()] = str(self.value(h, HT.fieldValue))
        return out

    def body(self, node) -> str | None:
        b = self.value(node, HT.body)
        return None if b is None else str(self.value(b, CNT.chars))

    def send(self, base_url: str, req, *, prefix: str, path_prefix: str, variables: dict[str, str],
             extra_headers: dict[str, str] | None = None) -> requests.Response:
        method = str(self.value(req, HT.methodName))
        path = _fill(str(self.value(req, HT.absolutePath)), variables)
        if path.startswith(prefix):
            path = path_prefix + path[len(prefix):]
        headers = dict(self.headers(req), **(extra_headers or {}))
        body = self.body(req)
        data = None
        if body is not None:
            encoding = "utf-16" if "utf-16" in headers.get("content-type", "").lower() else "utf-8"
            data = _fill(body, variables).encode(encoding)
        return requests.request(method, urljoin(base_url, path), data=data, headers=headers, timeout=60)

    def expected_statuses(self, resp_node) -> set[str]:
        return {str(s)[len(HTS):] for s in self.graph.objects(resp_node, MF.expectedStatus)}


def status_matches(code: int, expected: set[str]) -> bool:
    for name in expected:
        if name.startswith("StatusCode") and str(code)[0] == name[len("StatusCode")]:
            return True
        if NAMED_STATUS.get(name) == code:
            return True
    return False


def _fill(text: str, variables: dict[str, str]) -> str:
    for k, v in variables.items():
        text = text.replace(k, v)
    return text
