"""What the input bounds cost (src/rightsgraph/input_limits.py): each check's time beside
the time Oxigraph takes to parse the same input, which is what the check protects.

    .venv/bin/python benchmarks/bench_input_limits.py            # ~25 MB documents
    .venv/bin/python benchmarks/bench_input_limits.py --quick    # ~2.5 MB documents
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import RdfFormat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rightsgraph.exchange.harvest import FINGERPRINT  # noqa: E402
from rightsgraph.input_limits import check_json_nesting, check_rdf_xml, check_sparql  # noqa: E402

EX = "https://example.org/bench/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def rdf_xml(n: int, entities: bool) -> bytes:
    doctype = (f'<!DOCTYPE rdf:RDF [<!ENTITY rdf "{RDF}"><!ENTITY ex "{EX}">'
               '<!ENTITY dct "http://purl.org/dc/terms/">]>\n') if entities else ""
    ex, dct = ("&ex;", "&dct;") if entities else (EX, "http://purl.org/dc/terms/")
    body = "".join(f'<rdf:Description rdf:about="{ex}r{i}"><dct:title>Title {i}</dct:title>'
                   f'<dct:isPartOf rdf:resource="{ex}j{i % 97}"/></rdf:Description>\n' for i in range(n))
    return (f'<?xml version="1.0"?>\n{doctype}<rdf:RDF xmlns:rdf="{RDF}" xmlns:dct="{dct}">\n{body}'
            "</rdf:RDF>\n").encode()


def json_ld(n: int) -> bytes:
    doc = {"@context": {"dct": "http://purl.org/dc/terms/", "ex": EX},
           "@graph": [{"@id": f"ex:r{i}", "dct:title": f"Title {i}", "dct:isPartOf": {"@id": f"ex:j{i % 97}"},
                       "dct:subject": [{"@id": f"ex:s{i % 13}"}, {"@id": f"ex:s{i % 7}"}]} for i in range(n)]}
    return json.dumps(doc).encode()


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def row(name: str, size: int, check: float, parse: float) -> None:
    print(f"{name:<34} {size / 1e6:>7.1f} MB  check {check:>8.3f} s  parse {parse:>8.3f} s  "
          f"check/parse {check / parse:>6.1%}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    n = 20_000 if ap.parse_args().quick else 200_000
    repeat = 3
    print(f"{'input':<34} {'size':>10}")
    for entities in (False, True):
        data = rdf_xml(n, entities)
        row("RDF/XML" + (" with entities" if entities else ""), len(data),
            best(lambda d=data: check_rdf_xml(d), repeat), best(lambda d=data: ox.Store().load(d, RdfFormat.RDF_XML), 1))
    data = json_ld(n)
    row("JSON-LD", len(data), best(lambda: check_json_nesting(data), repeat),
        best(lambda: ox.Store().load(data, RdfFormat.JSON_LD), 1))
    update = "INSERT DATA { " + " . ".join(f"<{EX}r{i}> <{EX}p> {i}" for i in range(n // 2)) + " }"
    row("SPARQL INSERT DATA", len(update), best(lambda: check_sparql(update), repeat),
        best(lambda: ox.Store().update(update), 1))
    store = ox.Store()
    ten_lines = ("PREFIX dct: <http://purl.org/dc/terms/>\n"
                 "SELECT ?r ?t WHERE {\n  ?r dct:title ?t ; dct:isPartOf ?j .\n"
                 "  OPTIONAL { ?r dct:subject ?s }\n  FILTER(CONTAINS(LCASE(?t), \"title\"))\n"
                 "} ORDER BY ?t LIMIT 20")
    for name, query in [("SPARQL query (harvest fingerprint)", FINGERPRINT), ("SPARQL query (10 lines)", ten_lines)]:
        checks = [best(lambda q=query: check_sparql(q), 1) for _ in range(200)]
        parses = [best(lambda q=query: list(store.query(q)), 1) for _ in range(200)]
        print(f"{name:<34} {len(query):>7} B   check {statistics.median(checks) * 1e6:>6.0f} µs  "
              f"parse+run on an empty store {statistics.median(parses) * 1e6:>6.0f} µs")


if __name__ == "__main__":
    main()
