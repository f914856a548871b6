"""The store port's query helpers."""

from __future__ import annotations

from rightsgraph.sparql_parsing import dataset_clauses
from rightsgraph.updating import apply_update

G = "https://example.org/graph/g"


def test_a_variable_named_from_is_not_a_dataset_clause(store):
    """`?from` once made a query lose the union default graph and answer nothing."""
    assert dataset_clauses("SELECT * FROM <https://example.org/g> FROM NAMED <https://example.org/h> "
                           "WHERE { ?s ?p ?o }") == (("https://example.org/g",), ("https://example.org/h",))
    assert dataset_clauses("SELECT ?from WHERE { ?s <https://example.org/p> ?from }") is None
    apply_update(store, f"INSERT DATA {{ GRAPH <{G}> {{ <https://example.org/a> <https://example.org/p> 1 }} }}")
    assert len(list(store.query("SELECT ?from WHERE { ?s <https://example.org/p> ?from }"))) == 1


def test_a_prefix_named_from_is_not_a_dataset_clause_either(store, tmp_path):
    """SPARQL lets a prefix be called `from` (`from:p`): the scan for the keyword took it for
    FROM, and the query, read without the union default graph, answered nothing, for a
    reader on /sparql too. The parser now decides."""
    from rightsgraph.web.app import create_app
    query = "PREFIX from: <https://example.org/> SELECT ?o WHERE { ?s from:p ?o }"
    assert dataset_clauses(query) is None
    apply_update(store, f"INSERT DATA {{ GRAPH <{G}> {{ <https://example.org/a> <https://example.org/p> 1 }} }}")
    assert [r["o"].value for r in store.query(query)] == ["1"]
    client = create_app(store, settings={"RG_QUERY_TIMEOUT": 0}).test_client()
    got = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert got.status_code == 200 and [b["o"]["value"] for b in got.get_json()["results"]["bindings"]] == ["1"]


def test_dataset_clauses_are_stripped_when_the_protocol_gives_the_dataset():
    from rightsgraph.store.base import strip_dataset_clauses
    q = 'PREFIX ex: <http://ex/> SELECT * FROM NAMED <http://c> FROM ex:g WHERE { GRAPH ?g { ?s ?p <http://from/x> } FILTER(?s != "FROM <x>") }'
    out = strip_dataset_clauses(q)
    assert "http://c" not in out and "ex:g" not in out and '"FROM <x>"' in out and "<http://from/x>" in out
    assert strip_dataset_clauses("SELECT ?from WHERE { ?s ?p ?from }") == "SELECT ?from WHERE { ?s ?p ?from }"
    assert "http://x" not in strip_dataset_clauses("select * from<http://x>where{?s ?p ?o}")


def test_the_protocols_using_graphs_go_before_the_where_keyword_not_a_variable_named_so():
    """using-graph-uri becomes USING before each WHERE; `?where` and `?with` are variables,
    not keywords (they once got a USING inserted before them, or refused the request)."""
    from rightsgraph.store.base import apply_using
    update = "INSERT { GRAPH <http://g> { ?where <http://p> ?with } } WHERE { ?where <http://p> ?with }"
    out = apply_using(update, ["http://u"], [])
    assert out == update.replace("} } WHERE {", "} } USING <http://u> WHERE {")


# -- capabilities instead of a back door (issue 11) ----------------------------------------

def test_product_code_never_reaches_past_the_store_port():
    """`raw` (the pyoxigraph store under an EmbeddedStore) was reached with getattr and
    isinstance from the policy index, validation, updating, the query pool and backups, so
    each feature had two code paths. They use the port's capabilities now; only the
    adapters themselves (and tests, benchmarks) touch pyoxigraph's store directly, and no
    feature asks which adapter it has."""
    import ast
    from pathlib import Path
    src = Path(__file__).resolve().parents[1] / "src" / "rightsgraph"
    from rightsgraph.store.base import Store
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.store.remote import RemoteStore
    from rightsgraph.store.snapshot_store import SnapshotStore
    adapters = set((src / "store").glob("*.py"))
    store_classes = {"EmbeddedStore", "SnapshotStore", "RemoteStore"}
    adapter_only = (set(dir(EmbeddedStore)) | set(dir(RemoteStore)) | set(dir(SnapshotStore))) - set(dir(Store))
    offenders = []
    for path in sorted(src.rglob("*.py")):
        if path in adapters:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "raw":
                offenders.append(f"{path.relative_to(src)}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("getattr", "hasattr") \
                    and any(isinstance(a, ast.Constant) and a.value == "raw" for a in node.args):
                offenders.append(f"{path.relative_to(src)}:{node.lineno}")
            # which adapter a store is, or whether it has an attribute, is the port's to say
            # (its capabilities: path, copies_cheaply, runs_custom_functions, published_snapshot)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance" \
                    and len(node.args) == 2 and getattr(node.args[1], "id", None) in store_classes:
                offenders.append(f"{path.relative_to(src)}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("getattr", "hasattr") \
                    and any(isinstance(a, ast.Constant) and a.value in adapter_only for a in node.args[1:2]):
                offenders.append(f"{path.relative_to(src)}:{node.lineno}")
    assert not offenders, offenders


def _sample(st):
    from pyoxigraph import RdfFormat
    data = (b"<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n"
            b"<https://example.org/a> <https://example.org/q> \"x\"@en .\n"
            b"<https://example.org/c> <https://example.org/p> <https://example.org/a> .\n")
    st.load_bytes(data, RdfFormat.N_TRIPLES, NamedNode(G))
    st.load_bytes(b"<https://example.org/a> <https://example.org/p> <https://example.org/z> .\n",
                  RdfFormat.N_TRIPLES, NamedNode(G + "2"))


from pyoxigraph import DefaultGraph, NamedNode  # noqa: E402

A, P, Q = NamedNode("https://example.org/a"), NamedNode("https://example.org/p"), NamedNode("https://example.org/q")


def _matching(st, *args, **kwargs):
    return sorted(str(q) for q in st.quads_matching(*args, **kwargs))


def test_quad_matching_means_the_same_on_the_embedded_and_a_remote_store(store, remote_store):
    """One code path for every feature: the port's pattern matching answers alike on the
    embedded store and on a real `oxigraph serve` (SPARQL underneath)."""
    for st in (store, remote_store):
        _sample(st)
    for args, kwargs in [((A,), {}), ((A, [P, Q]), {}), ((None, P), {"graphs": [NamedNode(G)]}),
                         ((), {"obj": A}), ((A, P), {"graphs": [NamedNode(G + "2"), DefaultGraph()]})]:
        assert _matching(store, *args, **kwargs) == _matching(remote_store, *args, **kwargs), (args, kwargs)
    assert _matching(store, A, [P, Q]) and len(_matching(store, A, [P, Q])) == 3
    for st in (store, remote_store):
        assert len(list(st.quads_matching(A, limit=1))) == 1
        kept = list(st.quads_with_predicates(lambda p: p == Q, [DefaultGraph(), NamedNode(G), NamedNode(G + "2")]))
        assert [str(q.object) for q in kept] == ['"x"@en']


def test_a_store_that_cannot_copy_itself_says_so(remote_store, tmp_path):
    from rightsgraph.store.base import StoreError
    import pytest
    with pytest.raises(StoreError, match="rightsgraph backup"):
        remote_store.backup(tmp_path / "copy")


def test_trial_copies_leave_the_store_alone(store, remote_store, tmp_path):
    """An update is tried on a private copy: what it does there never reaches the store."""
    for i, st in enumerate((store, remote_store)):
        _sample(st)
        before, scratch = st.trial_copies(tmp_path / f"trial{i}")
        scratch.update(f"DELETE WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}")
        assert len(before) == st.count() and st.count(NamedNode(G)) == 3
        before = scratch = None
