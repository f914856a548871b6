"""The bounds on hostile input (rightsgraph.input_limits) and the doors that apply them:
files (`rightsgraph load`), SPARQL text (`rightsgraph query`), request bodies (WSGI).

Whatever could crash or swamp the process running it (a segfault cannot be caught, a
billion laughs eats the machine) runs in a subprocess, with its memory bounded."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyoxigraph import NamedNode, RdfFormat

from rightsgraph.input_limits import (
    MAX_NESTING,
    MAX_SPARQL_CHAIN,
    BodyLimit,
    InputRefused,
    check_json_nesting,
    check_rdf_xml,
    check_sparql,
)
from rightsgraph.loading import load_files
from rightsgraph.parsing import RdfSyntaxError, SourceFile, parse_into

from .conftest import RIGHTSGRAPH

EX = "http://example.org/hostile/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _bounded(*args, input: str | None = None, data_dir=None, timeout: float = 120):
    """Run `rightsgraph ARGS` (or `python -c`) in a subprocess with at most 2 GiB of address
    space: an unguarded parser then fails there instead of taking the machine."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    cmd = [sys.executable, "-c", args[1]] if args[0] == "-c" else RIGHTSGRAPH + ["--data-dir", str(data_dir), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, input=input, timeout=timeout, preexec_fn=limit,
                          env=dict(os.environ, RIGHTSGRAPH_LANG="en"), check=False)


def laughs(levels: int, fan_out: int = 10) -> bytes:
    """RDF/XML in the 'billion laughs' shape: 9 levels of 10 make 3 GB from under 1 kB."""
    decls = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * fan_out}">' for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(decls) + "\n]>\n"
            f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}">\n'
            f'  <rdf:Description rdf:about="{EX}laugh"><ex:says>&lol{levels};</ex:says></rdf:Description>\n'
            "</rdf:RDF>\n").encode()


OWL_WITH_ENTITIES = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
    <!ENTITY owl "http://www.w3.org/2002/07/owl#" >
    <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#" >
    <!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#" >
    <!ENTITY rdf "{RDF_NS}" >
    <!ENTITY base "{EX}" >
    <!ENTITY ont "&base;ontology#" >
]>
<rdf:RDF xmlns="&ont;" xml:base="&base;ontology" xmlns:rdf="&rdf;" xmlns:rdfs="&rdfs;" xmlns:owl="&owl;">
    <owl:Ontology rdf:about="&base;ontology"/>
    <owl:Class rdf:about="&ont;Licence">
        <rdfs:label xml:lang="en">Licence</rdfs:label>
        <rdfs:subClassOf rdf:resource="&owl;Thing"/>
    </owl:Class>
    <owl:DatatypeProperty rdf:about="&ont;cost">
        <rdfs:range rdf:resource="&xsd;decimal"/>
    </owl:DatatypeProperty>
</rdf:RDF>
"""


# ------------------------------------------------------------------------------ RDF/XML entities

def test_billion_laughs_is_refused_before_anything_expands():
    with pytest.raises(InputRefused) as err:
        check_rdf_xml(laughs(9))
    assert "'lol4'" in str(err.value) and "nested 5 deep" in str(err.value)
    assert (err.value.line, err.value.column) == (7, 1)
    assert "疑似实体扩展攻击" in err.value.text("zh")


def test_cli_load_of_a_billion_laughs_exits_3_quickly(tmp_path):
    path = tmp_path / "laughs.rdf"
    path.write_bytes(laughs(9))
    out = _bounded("load", path, data_dir=tmp_path / "data")
    assert out.returncode == 3, (out.returncode, out.stderr[-500:])
    assert "laughs.rdf:7:1: syntax error: entity 'lol4'" in out.stderr
    assert "nothing was loaded" in out.stderr


def test_one_large_entity_used_many_times_is_refused():
    big = "x" * 60_000   # under the per-entity bound; 200 uses make 12 MB from 61 kB
    doc = (f'<!DOCTYPE rdf:RDF [<!ENTITY big "{big}">]>\n<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}">'
           f'<rdf:Description rdf:about="{EX}a"><ex:p>{"&big;" * 200}</ex:p></rdf:Description></rdf:RDF>').encode()
    with pytest.raises(InputRefused, match="expand the document from"):
        check_rdf_xml(doc)


def test_an_entity_larger_than_the_bound_is_refused():
    doc = f'<!DOCTYPE r [<!ENTITY a "{"y" * 40_000}"><!ENTITY b "&a;&a;">]><r/>'.encode()
    with pytest.raises(InputRefused, match="'b'.*expands to 80,000 bytes"):
        check_rdf_xml(doc)


def test_owl_namespace_entities_still_load(store, tmp_path):
    path = tmp_path / "ontology.owl"
    path.write_text(OWL_WITH_ENTITIES)
    check_rdf_xml(OWL_WITH_ENTITIES.encode())
    result = load_files(store, [path])
    assert result.triples == 6
    rows = store.query(f"ASK {{ GRAPH ?g {{ <{EX}ontology#cost> <http://www.w3.org/2000/01/rdf-schema#range> "
                       "<http://www.w3.org/2001/XMLSchema#decimal> } }")
    assert bool(rows)


def test_unsupported_entity_declarations_are_refused():
    with pytest.raises(InputRefused, match="unsupported entity declaration"):
        check_rdf_xml(b"<!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><r>&e;</r>")


def test_rdf_xml_nesting_is_bounded_and_malformed_xml_refused():
    def nested(depth):
        return (f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}a">'
                + "<ex:p><rdf:Description>" * depth + "<ex:p>x</ex:p>" + "</rdf:Description></ex:p>" * depth
                + "</rdf:Description></rdf:RDF>").encode()
    check_rdf_xml(nested(MAX_NESTING // 2 - 2))
    with pytest.raises(InputRefused, match="XML elements nested more than 256 levels deep"):
        check_rdf_xml(nested(MAX_NESTING // 2 + 1))
    with pytest.raises(InputRefused, match="not well-formed XML") as err:
        check_rdf_xml(b'<r a="1">\n<a b="<!--"/></r>')
    assert err.value.line == 2


# ------------------------------------------------------------------------------ JSON(-LD)

def _deep_json(depth: int) -> bytes:
    return ('{"@context": {"p": "' + EX + 'p"}, "@id": "' + EX + 'a",\n "p": ' + '{"p": ' * depth + '"x"'
            + "}" * depth + "}").encode()


def test_json_nesting_is_bounded_with_the_place_named():
    check_json_nesting(_deep_json(MAX_NESTING - 1))
    with pytest.raises(InputRefused) as err:
        check_json_nesting(_deep_json(MAX_NESTING), "JSON-LD")
    assert "JSON-LD nested more than 256 levels deep (line 2" in str(err.value)


def test_brackets_in_json_strings_do_not_count():
    doc = ('{"a": "' + "[{" * 10_000 + '", "b": "\\"[[[[", "c": [[1]]}').encode()
    check_json_nesting(doc)


def test_cli_load_of_deep_jsonld_exits_3(tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_bytes(_deep_json(10_000))
    out = _bounded("load", path, data_dir=tmp_path / "data")
    assert out.returncode == 3, (out.returncode, out.stderr[-500:])
    assert "deep.jsonld:2:" in out.stderr and "nested more than 256 levels" in out.stderr


def test_deep_turtle_needs_no_bound():
    # Oxigraph's Turtle parser keeps an explicit stack: 10,000 nested [ ] are fine.
    data = (f"<{EX}a> <{EX}p> " + f"[ <{EX}p> " * 10_000 + f"<{EX}o>" + " ]" * 10_000 + " .").encode()
    staging = ox.Store()
    parse_into(staging, SourceFile(Path("deep.ttl"), data, "", RdfFormat.TURTLE),
               NamedNode(EX + "g"), EX)
    assert len(staging) == 10_001


def test_refusals_are_syntax_errors_in_both_languages():
    source = SourceFile(Path("deep.jsonld"), _deep_json(300), "", RdfFormat.JSON_LD)
    with pytest.raises(RdfSyntaxError) as err:
        parse_into(ox.Store(), source, NamedNode(EX + "g"), EX)
    assert str(err.value).startswith("deep.jsonld:2:")
    assert "语法错误" in err.value.text("zh") and "嵌套超过 256 层" in err.value.text("zh")


# ------------------------------------------------------------------------------ blank nodes

def test_blank_nodes_of_two_trig_files_loaded_together_stay_apart(store, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.trig").write_text(
            "@prefix dct: <http://purl.org/dc/terms/> .\n"
            f'<{EX}g/{name}> {{ <{EX}r/{name}> dct:creator _:b1 . _:b1 dct:title "made by {name}" . }}\n')
    load_files(store, [tmp_path / "a.trig", tmp_path / "b.trig"])
    rows = list(store.query("SELECT ?c (COUNT(?t) AS ?n) WHERE { GRAPH ?g { ?r <http://purl.org/dc/terms/creator> "
                            "?c } GRAPH ?h { ?c <http://purl.org/dc/terms/title> ?t } } GROUP BY ?c"))
    assert sorted(int(r["n"].value) for r in rows) == [1, 1]


def test_one_trig_file_keeps_one_blank_node_across_its_graphs(store, tmp_path):
    path = tmp_path / "one.trig"
    path.write_text(f"<{EX}g/1> {{ <{EX}r> <{EX}p> _:b1 }}\n<{EX}g/2> {{ _:b1 <{EX}q> 1 }}\n")
    load_files(store, [path])
    rows = store.query(f"ASK {{ GRAPH ?g {{ <{EX}r> <{EX}p> ?b }} GRAPH ?h {{ ?b <{EX}q> 1 }} }}")
    assert bool(rows)   # the same label in one document is one node (TriG: labels are document-wide)


# ------------------------------------------------------------------------------ SPARQL

N = 10_000
REFUSED = {
    "nested groups": "SELECT * WHERE " + "{ " * N + "?s ?p ?o" + " }" * N,
    "nested function calls": "SELECT (" + "STR(" * 1000 + "1" + ")" * 1000 + " AS ?x) {}",
    "nested parentheses": "ASK { FILTER(" + "(" * N + "true" + ")" * N + ") }",
    "nested blank nodes in INSERT DATA": "INSERT DATA { <" + EX + "a> <" + EX + "p> " + ("[ <" + EX + "p> ") * N
                                         + "1" + " ]" * N + " }",
    "nested subqueries": "SELECT * " + "{ SELECT * " * N + "{ ?s ?p ?o }" + " }" * N,
    "UNION chain": "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * N) + " }",
    "|| chain": "ASK { FILTER(" + " || ".join(["true"] * N) + ") }",
    "! chain": "ASK { FILTER(" + "!" * N + "true) }",
    "+ chain": "SELECT (" + " + ".join(["1"] * N) + " AS ?x) {}",
    "path sequence": "SELECT * { ?s " + "/".join([f"<{EX}p>"] * N) + " ?o }",
    "OPTIONAL chain": "SELECT * { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * N + "}",
    "BIND chain": "SELECT * { " + " ".join(f"BIND(1 AS ?x{i})" for i in range(N)) + " }",
    "FILTER chain": "SELECT * { ?s ?p ?o " + "FILTER(true) " * N + "}",
    "triple patterns": "SELECT * { " + " . ".join(f"?s{i} <{EX}p> ?o{i}" for i in range(N)) + " }",
    "triple patterns, dots glued": "SELECT * { " + " ".join(f"?s ex:p ex:o{i}." for i in range(N)) + " }",
    "predicate list": "SELECT * { ?s " + " ; ".join(f"<{EX}p{i}> ?o{i}" for i in range(N)) + " }",
    "projections": "SELECT " + " ".join(f"(1 AS ?x{i})" for i in range(N)) + " {}",
    "collection in a pattern": "SELECT * { ?s ?p (" + " ".join(str(i) for i in range(N)) + ") }",
    "chain inside <…> read as less-than": "ASK { FILTER((?a<1" + "+1" * N + ")>(0)) }",
    "nesting inside <…> read as less-than": "ASK { FILTER(?a<" + "(" * N + "1>0" + ")" * N + ") }",
    "nested reified triples in INSERT DATA": f"INSERT DATA {{ <{EX}a> <{EX}p> " + f"<< <{EX}a> <{EX}p> " * N + "1"
                                             + " >>" * N + " }",
    "nested reified triples in a pattern, no spaces": "SELECT * { ?s ?p " + f"<<<{EX}a><{EX}p>" * N + "?o"
                                                      + ">>" * N + " }",
    "keyword inside <…> read as an IRI": "SELECT * { ?s ?p (?x <VALUES>) . { "
                                         + " UNION ".join(["{ ?s ?p ?o }"] * N) + " } }",
}


@pytest.mark.parametrize("name", REFUSED)
def test_sparql_that_would_overflow_the_stack_is_refused(name):
    with pytest.raises(InputRefused) as err:
        check_sparql(REFUSED[name])
    assert err.value.line == 1 and err.value.column is not None


ACCEPTED = {
    "long VALUES": "SELECT * { VALUES ?x { " + " ".join(str(i) for i in range(50_000)) + " } }",
    "VALUES rows of IRIs with #": "SELECT * { VALUES (?x ?y) { " + " ".join(
        f"(<{EX}x#{i}> <{EX}y#{i}>)" for i in range(5_000)) + " } }",
    "long IN list": "ASK { ?s ?p ?o FILTER(?o IN (" + ",".join(f"<{EX}a#{i}>" for i in range(5_000)) + ")) }",
    "long CONCAT": "SELECT (CONCAT(" + ",".join('"a"' for _ in range(5_000)) + ") AS ?x) {}",
    "large INSERT DATA": "INSERT DATA { " + " . ".join(f"<{EX}a{i}> <{EX}p> {i}" for i in range(50_000)) + " }",
    "large CONSTRUCT template": "CONSTRUCT { " + " . ".join(f"<{EX}a{i}> <{EX}p> {i}" for i in range(5_000))
                                + " } WHERE {}",
    "many update operations": " ; ".join(f"INSERT DATA {{ <{EX}a> <{EX}p> {i} }}" for i in range(3_000)),
    "400 UNIONs": "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * 400) + " }",
    "200 nested groups": "SELECT * WHERE " + "{ " * 200 + "?s ?p ?o" + " }" * 200,
    "IRI with # after a variable in EXISTS": "SELECT * WHERE { ?x ?y ?z FILTER(NOT EXISTS { ?x <" + RDF_NS
                                             + "type> ?t }) }",
    "a <IRI#> in a blank node": "ASK { ?s ?p [ a <http://www.w3.org/2002/07/owl#Class> ] }",
    "compact comparisons": "ASK { FILTER((1<2)&&(3>2)) }",
    "IRIs with parentheses": "SELECT * { ?s <http://dbpedia.org/resource/Foo_(bar)> ?o . ?o ?p <" + EX + "a(1)> }",
    "escaped parenthesis in a prefixed name": "PREFIX ex: <" + EX + "> SELECT * WHERE { ?s ex:a\\) ?o }",
    "reified triples and triple terms": f"INSERT DATA {{ << <{EX}a> <{EX}p> <<( <{EX}b> <{EX}p> 1 )>> >> <{EX}q> 2 }}",
    "less-than before an IRI": f"ASK {{ BIND(1 AS ?a) FILTER(?a<<{EX}b#c>) }}",
    "brackets in strings and comments": 'SELECT * { # (((((((((((((\n ?s ?p ?o FILTER regex(?o, "' + "(" * 300 + '") }',
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_real_queries_are_not_refused(name):
    check_sparql(ACCEPTED[name])
    # and they are real SPARQL: Oxigraph parses each of them
    store = ox.Store()
    text = ACCEPTED[name]
    if text.startswith(("INSERT", "DELETE")):
        store.update(text)
    else:
        result = store.query(text)
        if not isinstance(result, ox.QueryBoolean):
            list(result)


def test_a_less_than_that_could_hide_code_is_refused_with_advice():
    long_enough_to_be_scanned = " ".join(str(i) for i in range(MAX_SPARQL_CHAIN))
    with pytest.raises(InputRefused, match="write '< ' with a space"):
        check_sparql(f"ASK {{ VALUES ?n {{ {long_enough_to_be_scanned} }} ?s ?p ?o FILTER(?o<'x>' && true) }}")


def test_short_text_is_settled_without_the_scan():
    # at most 1,000 characters and 256 brackets cannot exceed either bound: no scan needed
    check_sparql("ASK { ?s ?p ?o FILTER(?o<'x>' && true) }")


def test_the_bounds_are_well_below_what_crashes_oxigraph():
    """The worst text the check lets through (every bracket and chained element the
    bounds allow, of the kinds that cost Oxigraph most stack) runs in a thread with the
    default stack, as in the server, without crashing. In a subprocess: a crash is a
    segfault."""
    script = textwrap.dedent(f"""
        import threading, pyoxigraph as ox
        from rightsgraph.input_limits import InputRefused, check_sparql

        def accepted(text):
            try:
                check_sparql(text)
                return True
            except InputRefused:
                return False

        def largest_accepted(make, high):
            low = 0   # the most elements the bounds let through: accepted(low), not accepted(high + 1)
            while low < high:
                mid = (low + high + 1) // 2
                low, high = (mid, high) if accepted(make(mid)) else (low, mid - 1)
            return make(low), low

        nest = {MAX_NESTING} // 2
        groups_binds_calls, binds = largest_accepted(
            lambda n: "SELECT * WHERE " + "{{ " * nest + " ".join(f"BIND(1 AS ?x{{i}})" for i in range(n))
            + " FILTER(" + "STR(" * (nest - 4) + "1" + ")" * (nest - 4) + ")" + " }}" * nest, {MAX_SPARQL_CHAIN})
        calls, _ = largest_accepted(lambda n: "SELECT (" + "STR(" * n + "1" + ")" * n + " AS ?x) {{}}", {MAX_NESTING})
        optionals, _ = largest_accepted(
            lambda n: "SELECT * {{ " + "OPTIONAL {{ <{EX}a> <{EX}p> ?o }} " * n + "}}", {MAX_SPARQL_CHAIN})
        assert binds > 300, binds
        reified, _ = largest_accepted(
            lambda n: "INSERT DATA {{ <{EX}a> <{EX}p> " + "<< <{EX}a> <{EX}p> " * n + "1" + " >>" * n + " }}",
            {MAX_NESTING})

        def run():
            for q in (groups_binds_calls, calls, optionals):
                r = ox.Store().query(q)
                if not isinstance(r, ox.QueryBoolean):
                    list(r)
            ox.Store().update(reified)
            print("survived")
        t = threading.Thread(target=run)
        t.start()
        t.join()
    """)
    out = _bounded("-c", script, timeout=300)
    assert out.returncode == 0 and "survived" in out.stdout, (out.returncode, out.stderr[-800:])


def test_cli_query_that_would_overflow_the_stack_exits_3(tmp_path):
    assert _bounded("init", data_dir=tmp_path / "data").returncode == 0
    out = _bounded("query", input=REFUSED["nested groups"], data_dir=tmp_path / "data")   # from stdin
    assert out.returncode == 3, (out.returncode, out.stderr[-500:])
    assert "malformed query" in out.stderr and "256" in out.stderr


# ------------------------------------------------------------------------------ request bodies

def _call(app, environ):
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)
    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def _echo(environ, start_response):
    from werkzeug.wrappers import Request
    data = Request(environ).get_data()
    start_response("200 OK", [("Content-Type", "application/octet-stream")])
    return [data]


def _environ(body: bytes, *, chunked: bool, **extra):
    environ = {"REQUEST_METHOD": "PUT", "PATH_INFO": "/", "wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True,
               "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http", **extra}
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


@pytest.mark.parametrize("chunked", [True, False])
def test_body_over_the_limit_is_a_413_whatever_the_framing(chunked):
    status, headers, body = _call(BodyLimit(_echo, 1000), _environ(b"x" * 1001, chunked=chunked))
    assert status.startswith("413") and headers["Connection"] == "close"
    assert b"1,000 bytes" in body


@pytest.mark.parametrize("size", [0, 999, 1000])
def test_body_up_to_the_limit_reaches_the_application_whole(size):
    status, _, body = _call(BodyLimit(_echo, 1000), _environ(b"y" * size, chunked=True))
    assert status == "200 OK" and body == b"y" * size


def test_body_limit_answers_in_chinese_on_request():
    _, _, body = _call(BodyLimit(_echo, 10), _environ(b"z" * 11, chunked=True, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9"))
    assert "请求体超过 10 字节的上限" in body.decode()


# ------------------------------------------------------------------------------ harvest

def test_harvest_refuses_a_peer_answer_nested_deep_enough_to_crash_the_parser(tmp_path):
    """A hostile peer answers SELECT with a triple term nested 10,000 deep (its JSON nests
    20,000 deep): the harvest fails with a clear error instead of a segfault."""
    import http.server
    import threading
    level = (f'{{"type":"triple","value":{{"subject":{{"type":"uri","value":"{EX}a"}},"predicate":{{"type":"uri",'
             f'"value":"{EX}p"}},"object":')
    answer = ('{"head":{"vars":["g","n"]},"results":{"bindings":[{"g":' + level * 10_000
              + '{"type":"literal","value":"1"}' + "}}" * 10_000 + '}]}}').encode()

    class Peer(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Peer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        script = textwrap.dedent(f"""
            from rightsgraph.exchange.harvest import HarvestError, Peer
            try:
                Peer("http://127.0.0.1:{server.server_port}/sparql", timeout=30).select("SELECT * {{ ?s ?p ?o }}")
            except HarvestError as exc:
                print("refused:", exc)
        """)
        out = _bounded("-c", script, timeout=120)
    finally:
        server.shutdown()
    assert out.returncode == 0, (out.returncode, out.stderr[-500:])
    assert "malformed SELECT answer" in out.stdout and "nested more than 256 levels" in out.stdout


# ------------------------------------------------------------------------------ gzip files

def test_a_gzip_bomb_is_refused_before_it_fills_memory(tmp_path):
    """A .gz N-Triples file of a few hundred KB that unpacks to more than the allowance (a
    gzip bomb) is refused with exit 3 naming the file, in a process bounded to 2 GiB, and the
    store keeps nothing; a real .gz file still loads."""
    import gzip
    from rightsgraph.input_limits import MIN_GZIP_ALLOWANCE
    line = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
    bomb = tmp_path / "bomb.nt.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as out:
        chunk = line * (1 << 14)
        for _ in range(MIN_GZIP_ALLOWANCE // len(chunk) + 2):
            out.write(chunk)
    assert bomb.stat().st_size < 5 << 20
    out = _bounded("load", bomb, data_dir=tmp_path / "data")
    assert out.returncode == 3, (out.returncode, out.stderr[-500:])
    assert "bomb.nt.gz" in out.stderr and "unpacks to more than" in out.stderr and "nothing was loaded" in out.stderr
    good = tmp_path / "good.nt.gz"
    good.write_bytes(gzip.compress(line))
    ok = _bounded("load", good, data_dir=tmp_path / "data")
    assert ok.returncode == 0 and "loaded 1 triples" in ok.stdout, ok.stderr


def test_the_standalone_evaluator_refuses_hostile_files_naming_them(tmp_path):
    """`rightsgraph evaluate` read its files without the bounds the other doors apply: a
    deeply nested JSON-LD request ended in "unexpected error (RecursionError)", exit 70."""
    from .conftest import REPO, run_cli
    policy = tmp_path / "p.ttl"
    policy.write_text((REPO / "tests" / "data" / "loading" / "library.ttl").read_text())
    deep = tmp_path / "deep.json"
    deep.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    entities = '<!ENTITY e0 "lol">' + "".join(
        f'<!ENTITY e{i} "' + f"&e{i - 1};" * 10 + '">' for i in range(1, 10))
    laughs = tmp_path / "laughs.rdf"
    laughs.write_text(f'<?xml version="1.0"?><!DOCTYPE r [{entities}]><rdf:RDF '
                      'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://e.org/">'
                      '<rdf:Description rdf:about="http://e.org/x"><ex:p>&e9;</ex:p></rdf:Description></rdf:RDF>')
    for hostile, words in ((deep, "nested"), (laughs, "entit")):
        r = run_cli("evaluate", "--policy", policy, "--request", hostile, data_dir=tmp_path / "d")
        assert r.returncode == 3, r.stderr
        assert str(hostile) in r.stderr and words in r.stderr and "unexpected" not in r.stderr


def test_the_app_bounds_bodies_under_any_wsgi_server(tmp_path):
    """The bound was put in front of the app by `rightsgraph serve`'s gunicorn only: the same
    app run by another WSGI server (uwsgi, mod_wsgi, waitress) cut a chunked upload at the
    limit and stored it as if whole."""
    from rightsgraph.accounts import Accounts
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.web.app import create_app
    token = Accounts(tmp_path / "accounts.json").add("cat", "cataloguer")
    store = EmbeddedStore()
    app = create_app(store, settings={"RG_MAX_BODY": 1000, "RG_ACCOUNTS_FILE": str(tmp_path / "accounts.json")})
    line = b"<https://example.org/s> <https://example.org/p> \"%d\" .\n"
    for lines, expected in ((5, "201"), (40, "413")):
        env = _environ(b"".join(line % i for i in range(lines)), chunked=True, HTTP_AUTHORIZATION=f"Bearer {token}",
                       PATH_INFO="/store", QUERY_STRING=f"graph=https://example.org/g{lines}",
                       CONTENT_TYPE="application/n-triples")
        status, _, body = _call(app, env)
        assert status.startswith(expected), (lines, status, body[:200])
    assert not list(store.query("SELECT * WHERE { GRAPH <https://example.org/g40> { ?s ?p ?o } }"))


def test_a_direct_sparql_update_nested_too_deep_is_refused_not_run(store):
    """apply_update called directly (the library API, not a door) bounds nesting itself: 3,000
    nested groups overflowed Oxigraph's parser stack and killed the process."""
    from rightsgraph.input_limits import InputRefused
    from rightsgraph.updating import apply_update
    deep = "INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{ " * 3000 + "}" * 3000
    before = store.count()
    with pytest.raises(InputRefused):
        apply_update(store, deep)
    assert store.count() == before            # the process is still here, and nothing was written
