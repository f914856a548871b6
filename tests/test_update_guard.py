"""The update guard: what an update may read (rdflib's algebra), what it may write (its
effect in a real store), and who may clear graphs wholesale (docs/service.md,
"Confidential data and writes")."""

from __future__ import annotations

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from rightsgraph.confidentiality import set_confidential
from rightsgraph.namespaces import PROVENANCE_GRAPH
from rightsgraph.update_guard import ConfidentialityGuard, ConfidentialityRefusal, analyse, guard_for, \
    without_data_blocks
from rightsgraph.updating import UpdateRejected, apply_update

CONF = "https://example.org/g/conf"
CONF2 = "https://example.org/g/conf-archive"
PUB = "https://example.org/g/pub"
PROV = PROVENANCE_GRAPH.value


@pytest.mark.parametrize("update, graphs, every", [
    (f"COPY <{CONF}> TO <{PUB}>", {CONF}, False),
    (f"ADD SILENT <{CONF}> TO DEFAULT", {CONF}, False),
    (f"MOVE <{CONF}> TO <{PUB}>", {CONF}, False),
    (f"MOVE DEFAULT TO <{CONF}>", set(), False),
    (f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{CONF}> {{ ?s ?p ?o }} }}", {CONF}, False),
    (f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", set(), True),
    (f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} USING NAMED <{PUB}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {PUB}, False),
    (f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} USING <{CONF}> WHERE {{ ?s ?p ?o }}", {CONF}, False),
    (f"WITH <{CONF}> INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}", {CONF}, False),
    # WITH names the default graph only: a WHERE without default-graph patterns does not read it
    (f"WITH <{CONF}> INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }}", {PUB}, False),
    (f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}", set(), False),
    (f"INSERT {{ GRAPH <{PUB}> {{ <a:x> <a:y> 1 }} }} WHERE {{ FILTER NOT EXISTS {{ GRAPH <{CONF}> {{ ?s ?p 5 }} }} }}",
     {CONF}, False),
    (f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ {{ SELECT * WHERE {{ GRAPH <{CONF}> {{ ?s ?p ?o }} }} }} }}",
     {CONF}, False),
    (f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o OPTIONAL {{ GRAPH <{CONF}> {{ ?s <a:b>/<a:c> ?x }} }} }}",
     {CONF}, False),
    (f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o MINUS {{ GRAPH <{CONF}> {{ ?s ?p ?o }} }} }}",
     {CONF}, False),
    ("DELETE WHERE { GRAPH ?g { ?s <a:p> ?o } }", set(), True),
    (f"DELETE WHERE {{ GRAPH <{CONF}> {{ ?s <a:p> ?o }} }}", {CONF}, False),
    (f"INSERT DATA {{ GRAPH <{PUB}> {{ <a:x> <a:y> 1 }} }} ; DELETE DATA {{ GRAPH <{CONF}> {{ <a:x> <a:y> 2 }} }}",
     set(), False),
    (f"CLEAR GRAPH <{CONF}> ; CREATE GRAPH <{PUB}>", set(), False),
])
def test_what_an_update_may_read(update, graphs, every):
    reads = analyse(update)
    assert reads.graphs == graphs and reads.every_named_graph is every


def test_relative_graph_iris_resolve_against_the_endpoint():
    assert analyse("COPY <conf> TO <pub>", "https://lib.example/sparql").graphs == {"https://lib.example/conf"}


def test_service_and_load_read_outside_the_store():
    reads = analyse(f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <https://other/sparql> {{ ?s ?p ?o }} }}"
                    " ; LOAD <https://other/data.ttl> INTO GRAPH <https://example.org/g/x>")
    assert reads.outside == ["SERVICE <https://other/sparql>", "LOAD <https://other/data.ttl>"]


def test_graph_wide_operations_and_graphs_cleared_by_name():
    reads = analyse(f"DROP ALL ; CLEAR SILENT NAMED ; CLEAR DEFAULT ; DROP GRAPH <{CONF}>")
    assert reads.graph_wide == ["DROP ALL", "CLEAR NAMED"] and reads.cleared == [CONF]


def test_data_blocks_are_emptied_and_nothing_else():
    update = ('PREFIX ex: <https://e/> INSERT DATA { GRAPH <g> { ex:a ex:b "x}y", """}{""", \'{\' . ex:c\\\'d ex:e 1 } } ;'
              ' # DELETE DATA { in a comment\n'
              ' delete  # between the keywords\n data { <a:b> <a:c> "}" } ;'
              f' INSERT {{ GRAPH <{PUB}> {{ ?s ?p "DATA {{" }} }} WHERE {{ GRAPH <{CONF}> {{ ?s ?p ?o }} }}')
    skeleton = without_data_blocks(update)
    assert "ex:b" not in skeleton and "<a:c>" not in skeleton
    assert skeleton.endswith(f'INSERT {{ GRAPH <{PUB}> {{ ?s ?p "DATA {{" }} }} WHERE {{ GRAPH <{CONF}> {{ ?s ?p ?o }} }}')
    assert analyse(update).graphs == {CONF}


def test_a_string_cannot_hide_an_operation_from_the_analysis():
    # `"} ; COPY ..."` is a literal, the COPY after the block is real
    update = f'INSERT DATA {{ <a:b> <a:c> "}} ; COPY <{PUB}> TO <{CONF}>" }} ; COPY <{CONF}> TO <{PUB}>'
    assert analyse(update).graphs == {CONF}


@pytest.mark.parametrize("hider", ["<https://e/\\u00e9#>", "<https://e/\\U000000e9#x>", "ex:a\\#b", "ex:a\\'b"])
def test_an_escape_cannot_hide_an_operation_from_the_analysis(hider):
    r"""Oxigraph reads `\u` escapes in IRIs and escaped characters in prefixed names; a
    tokenizer that did not took the `#` after them for a comment (or the `'` for a string)
    and lost the rest of the line: a FROM NAMED after them (found in session 12). The
    analysis of updates was not fooled (an INSERT DATA whose end it cannot find is left to
    rdflib whole); this keeps it so with the one tokenizer every reader now uses."""
    update = (f"PREFIX ex: <https://e/> INSERT DATA {{ GRAPH <{PUB}> {{ <a:x> <a:y> {hider} }} }} ; "
              f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{CONF}> {{ ?s ?p ?o }} }} # '")
    assert analyse(update).graphs == {CONF}
    from rightsgraph.sparql_parsing import dataset_clauses
    from rightsgraph.store.base import masked_sparql
    query = f"PREFIX ex: <https://e/> SELECT ({hider} AS ?x) FROM NAMED <{CONF}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} # '"
    assert dataset_clauses(query) == ((), (CONF,)) and "FROM NAMED" in masked_sparql(query)


def test_a_large_data_block_is_analysed_quickly():
    # rdflib alone needs minutes for this (its INSERT DATA translation is quadratic)
    body = " ".join(f'<https://e/s{i}> <https://e/p> "v {i} }}" .' for i in range(20000))
    reads = analyse(f"INSERT DATA {{ GRAPH <{PUB}> {{ {body} }} }} ; COPY <{CONF}> TO <{PUB}>")
    assert reads.graphs == {CONF}


# -- the guard on effects -------------------------------------------------------------------

def _quad(graph):
    g = NamedNode(graph) if graph else DefaultGraph()
    return Quad(NamedNode("https://e/s"), NamedNode("https://e/p"), Literal("v"), g)


def _guard(update, role="cataloguer", confidential=(CONF, CONF2)):
    return ConfidentialityGuard(update, role=role, account="li-wei", confidential=lambda: confidential)


def test_reading_confidential_data_may_write_confidential_graphs_only():
    guard = _guard(f"INSERT {{ GRAPH ?t {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{CONF}> {{ ?s ?p ?o }} }}")
    guard([_quad(CONF2)], [])                       # confidential to confidential: allowed
    guard([], [_quad(PUB)])                         # removing is not copying
    for target in (PUB, None):
        with pytest.raises(ConfidentialityRefusal) as refused:
            guard([_quad(CONF2), _quad(target)], [])
        assert CONF in str(refused.value) and (PUB if target else "DEFAULT") in str(refused.value)
        assert set(refused.value.messages) == {"en", "zh"} and isinstance(refused.value, UpdateRejected)


def test_the_provenance_graph_is_hidden_too():
    guard = _guard(f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{PROV}> {{ ?s ?p ?o }} }}",
                   confidential=())
    with pytest.raises(ConfidentialityRefusal, match="provenance"):
        guard([_quad(PUB)], [])


def test_graph_g_ranges_over_hidden_graphs_unless_using_named_limits_it():
    with pytest.raises(ConfidentialityRefusal, match=r"GRAPH \?g"):
        _guard("INSERT { GRAPH <%s> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }" % PUB)([_quad(PUB)], [])
    _guard("INSERT { GRAPH <%s> { ?s ?p ?o } } USING NAMED <%s> WHERE { GRAPH ?g { ?s ?p ?o } }" % (PUB, PUB))(
        [_quad(PUB)], [])


def test_ordinary_writes_pass():
    _guard(f"INSERT DATA {{ GRAPH <{PUB}> {{ <a:b> <a:c> 1 }} }}")([_quad(PUB)], [])
    _guard(f"COPY <{PUB}> TO <{CONF}>")([_quad(CONF)], [])   # public data may become confidential


def test_other_endpoints_count_as_hidden_sources():
    with pytest.raises(ConfidentialityRefusal, match="another endpoint"):
        _guard(f"INSERT {{ GRAPH <{PUB}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <https://o/sparql> {{ ?s ?p ?o }} }}")(
            [_quad(PUB)], [])


@pytest.mark.parametrize("op", ["DROP ALL", "CLEAR ALL", "DROP SILENT NAMED", "CLEAR NAMED"])
def test_graph_wide_management_is_the_admins(op):
    with pytest.raises(ConfidentialityRefusal, match="admin") as refused:
        _guard(op)([], [_quad(PUB)])
    assert "li-wei is a cataloguer" in str(refused.value) and "管理员" in str(refused.value)
    _guard(op, role="admin")([], [_quad(PUB), _quad(CONF)])


def test_clearing_a_graph_by_name_needs_a_role_that_may_read_it():
    _guard(f"DROP GRAPH <{CONF}>")([], [_quad(CONF)])
    with pytest.raises(ConfidentialityRefusal, match="may not read"):
        _guard(f"DROP GRAPH <{CONF}>", role="reader")([], [_quad(CONF)])
    _guard(f"CLEAR GRAPH <{PUB}>", role="reader")([], [_quad(PUB)])


def test_an_update_rdflib_cannot_parse_is_refused_when_called():
    guard = _guard("INSERT DATA { <a:b> <a:c> 1 } ; INSERT { <a:b> <a:c> ?o } WHERE { <<( ?s ?p ?o )>> <a:d> ?o }")
    with pytest.raises(ConfidentialityRefusal, match="could not be analysed"):
        guard([_quad(PUB)], [])


# -- through apply_update, on a real store --------------------------------------------------

def test_apply_update_calls_the_guard_and_changes_nothing_when_it_refuses(store):
    store.update(f'INSERT DATA {{ GRAPH <{CONF}> {{ <https://e/l> <https://e/cost> 12000 }} }}')
    set_confidential(store, CONF)
    before = store.count()
    update = f"COPY <{CONF}> TO <{PUB}>"
    with pytest.raises(UpdateRejected, match="confidential"):
        apply_update(store, update, agent="li-wei", guard=guard_for(update, role="admin", account="li-wei", store=store))
    assert store.count() == before and store.count(NamedNode(PUB)) == 0
    update = f"COPY <{CONF}> TO <{CONF2}>"
    with pytest.raises(UpdateRejected, match=CONF2):   # not (yet) confidential
        apply_update(store, update, guard=guard_for(update, role="admin", account="li-wei", store=store))
    set_confidential(store, CONF2)
    result = apply_update(store, update, guard=guard_for(update, role="admin", account="li-wei", store=store))
    assert result.inserted == 1 and store.count(NamedNode(CONF2)) == 1


def test_updates_analysed_on_many_threads_at_once_are_all_read():
    """The service analyses each update on its request thread; rdflib's parser is not
    thread-safe (RDFLib/rdflib#1282), so without one parse at a time two writers at once
    got "this update could not be analysed" (a 403) for valid updates."""
    import threading

    from rightsgraph.federation import query_endpoints
    from rightsgraph.update_guard import analyse

    errors: list[str] = []

    def work(n: int) -> None:
        for i in range(20):
            try:
                reads = analyse(
                    f"INSERT {{ GRAPH <https://example.org/g{n}> {{ ?s <https://example.org/p> {i} }} }} "
                    f"WHERE {{ GRAPH <https://example.org/src{n}> {{ ?s ?p ?o FILTER(?o > {i}) }} "
                    f"BIND(<https://example.org/x> AS ?x) }}")
                assert reads.graphs == {f"https://example.org/src{n}"}, reads.graphs
                assert query_endpoints(
                    f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{n}/sparql> {{ ?s ?p {i} }} }}"
                ) == [f"http://127.0.0.1:{n}/sparql"]
            except Exception as exc:  # noqa: BLE001 - collected and shown below
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors[:3]
