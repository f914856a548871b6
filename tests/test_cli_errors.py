"""The command line in broken environments and with bad arguments, run as a user would run
it: each failure is one line in the user's language with a documented exit code
(cli/errors.py), never a Python traceback, and nothing is stored."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import click
import pytest
import requests

from rightsgraph.cli import main

from .conftest import REPO, RIGHTSGRAPH, ServerProcess, free_port, run_cli

DATA = REPO / "tests" / "data" / "loading"
LIBRARY = DATA / "library.ttl"
GRAPH = "https://w3id.org/rightsgraph/graph/data/library"


def _one_line_error(out, code: int, *needles: str, lang: str = "en") -> str:
    """The run failed with `code` and said so in one `error:` line holding each needle."""
    assert out.returncode == code, f"exit {out.returncode}, expected {code}\n{out.stdout}\n{out.stderr}"
    assert "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines, "no message"
    first = lines[0]
    assert first.startswith("error: " if lang == "en" else "错误："), out.stderr
    for needle in needles:
        assert needle in first, f"{needle!r} not in {first!r}"
    return first


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("errors") / "data"
    out = run_cli("load", LIBRARY, data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    return data_dir


# ------------------------------------------------------------------ no store at --data-dir
@pytest.mark.parametrize("args", [
    ["info"],
    ["query", "ASK { ?s ?p ?o }"],
    ["check", "--target", "https://example.org/lib/book1", "--action", "read"],
    ["export", "--format", "nquads"],
    ["licence", "list"],
    ["report", "risks"],
    ["graph", "confidential", GRAPH],
], ids=lambda a: a[0] if a[0] not in ("licence", "report", "graph") else "-".join(a[:2]))
def test_read_commands_on_a_mistyped_data_dir_are_an_error_and_create_nothing(tmp_path, args):
    typo = tmp_path / "mystre"
    out = run_cli(*args, data_dir=typo)
    _one_line_error(out, 2, f"no store in {typo}", "--data-dir", "init")
    assert not typo.exists(), "a read created a store"


def test_no_store_error_in_chinese(tmp_path):
    out = run_cli("--lang", "zh", "info", data_dir=tmp_path / "typo")
    _one_line_error(out, 2, "中没有存储库", "--data-dir", lang="zh")


def test_a_folder_that_is_not_a_store_is_named(tmp_path):
    (tmp_path / "d" / "store").mkdir(parents=True)
    out = run_cli("info", data_dir=tmp_path / "d")
    _one_line_error(out, 2, "is not an Oxigraph store")


def test_load_creates_the_store_but_a_failed_first_load_leaves_nothing(tmp_path):
    new = tmp_path / "new"
    bad = run_cli("load", DATA / "broken_syntax.ttl", data_dir=new)
    assert bad.returncode == 3 and "nothing was loaded" in bad.stderr
    rejected = run_cli("load", DATA / "dates_out_of_order.ttl", data_dir=new)
    assert rejected.returncode == 1
    assert not new.exists(), "a rejected load left an empty store behind"
    assert run_cli("load", LIBRARY, data_dir=new).returncode == 0
    assert (new / "store" / "CURRENT").is_file()
    assert json.loads(run_cli("info", "--json", data_dir=new).stdout)["counts"]["resources"] == 1


def test_init_creates_an_empty_store_once(tmp_path):
    d = tmp_path / "fresh"
    first = run_cli("init", data_dir=d)
    assert first.returncode == 0 and "created an empty store" in first.stdout, first.stderr
    again = run_cli("init", data_dir=d)
    assert again.returncode == 0 and "ready" in again.stdout
    summary = json.loads(run_cli("info", "--json", data_dir=d).stdout)
    assert {g["graph"] for g in summary["graphs"]} >= {"https://w3id.org/rightsgraph/graph/ontology",
                                                        "https://w3id.org/rightsgraph/graph/shapes"}
    assert summary["counts"]["resources"] == 0


@pytest.mark.server
def test_serve_on_a_missing_store_is_an_error_unless_create(tmp_path):
    d = tmp_path / "served"
    try:
        out = subprocess.run(RIGHTSGRAPH + ["--data-dir", str(d), "serve", "--port", str(free_port())],
                             capture_output=True, text=True, timeout=60, env=dict(os.environ, RIGHTSGRAPH_LANG="en"))
    except subprocess.TimeoutExpired:
        pytest.fail("serve started on a store that does not exist")
    _one_line_error(out, 2, f"no store in {d}", "serve --create")
    assert not d.exists()
    srv = ServerProcess(d, "serve", "--create")
    try:
        assert requests.get(srv.url + "/healthz", timeout=10).ok
        assert (d / "store" / "CURRENT").is_file()
    finally:
        srv.stop()


# ------------------------------------------------------------------ store locked, remote down
@pytest.mark.server
def test_a_store_locked_by_a_server_names_the_server(loaded):
    srv = ServerProcess(loaded, "serve")
    try:
        en = run_cli("info", data_dir=loaded)
        first = _one_line_error(en, 5, f"in use by a running rightsgraph server (pid {srv.proc.pid}, {srv.url}/)",
                                "stop it", "--store URL")
        assert f"{srv.url}/sparql" in first
        zh = run_cli("--lang", "zh", "check", "--target", "https://example.org/lib/book1", "--action", "read",
                     data_dir=loaded)
        _one_line_error(zh, 5, "正被运行中的 rightsgraph 服务占用", str(srv.proc.pid), lang="zh")
        # a write is refused the same way, and nothing is half-done
        _one_line_error(run_cli("load", DATA / "licence.ttl", data_dir=loaded), 5, "in use")
    finally:
        srv.stop()
    assert not (loaded / "server.json").exists(), "the server's record outlived it"
    assert run_cli("info", data_dir=loaded).returncode == 0


def test_a_store_locked_by_another_process(loaded):
    # a process that holds the store open the way a long `load` would
    holder = subprocess.Popen(
        [RIGHTSGRAPH[0], "-c", "import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); print('open', flush=True); "
                               "sys.stdin.read()", str(loaded / "store")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        out = run_cli("query", "ASK { ?s ?p ?o }", data_dir=loaded)
        _one_line_error(out, 5, f"the store in {loaded} is in use by another process")
    finally:
        holder.stdin.close()
        holder.wait(30)


def test_an_unreachable_remote_store(tmp_path):
    out = run_cli("--store", "http://127.0.0.1:1", "info", data_dir=tmp_path / "d")
    _one_line_error(out, 5, "cannot use the store at http://127.0.0.1:1", "Connection refused", "--store")
    zh = run_cli("--lang", "zh", "--store", "http://127.0.0.1:1", "query", "ASK {}", data_dir=tmp_path / "d")
    _one_line_error(zh, 5, "无法使用 http://127.0.0.1:1 的存储库", lang="zh")


@pytest.mark.parametrize("url", ["oxigraph.local", "ftp://example.org/", "query=http://h/q,update=http://h/u",
                                 "query=http://h/q,update=http://h/u,gsp=/relative"])
def test_an_unknown_store_address(tmp_path, url):
    out = run_cli("--store", url, "info", data_dir=tmp_path / "d")
    _one_line_error(out, 2, f"--store {url!r}: not a store address", "query=URL,update=URL,gsp=URL")


def test_a_data_dir_that_is_a_file(tmp_path):
    f = tmp_path / "afile"
    f.write_text("not a folder")
    out = run_cli("info", data_dir=f)
    _one_line_error(out, 2, "'--data-dir'", "is a file")
    zh = run_cli("--lang", "zh", "load", LIBRARY, data_dir=f)
    _one_line_error(zh, 2, "是文件，不是文件夹", lang="zh")


def test_a_refused_file_and_a_load_are_told_in_chinese_under_lang_zh(tmp_path):
    deep = tmp_path / "deep.jsonld"
    deep.write_text('{"@id": "http://example.org/a", "http://example.org/p": ' + "[" * 400 + "1" + "]" * 400 + "}")
    refused = run_cli("--lang", "zh", "load", deep, data_dir=tmp_path / "d")
    assert refused.returncode == 3
    assert "嵌套超过 256 层" in refused.stderr and "nested" not in refused.stderr and "未加载任何数据" in refused.stderr
    ok = run_cli("--lang", "zh", "load", LIBRARY, data_dir=tmp_path / "d")
    assert ok.returncode == 0 and "个三元组载入" in ok.stdout and "triples" not in ok.stdout


# ------------------------------------------------------------------ bad arguments and files
BAD_ARGUMENTS = [
    # (arguments, exit code, what the line must say)
    (["load", LIBRARY, "--graph", "not an iri"], 2, ["'--graph'", "not an absolute IRI: 'not an iri'"]),
    (["load", "missing.ttl"], 2, ["missing.ttl", "does not exist"]),
    (["load", LIBRARY, "--format", "n4"], 3, ["n4"]),
    (["load", DATA / "dates_out_of_order.ttl", "--report", "/nonexistent/dir/report.ttl"], 2,
     ["'--report'", "the folder /nonexistent/dir does not exist"]),
    (["query", "ASK {}", "--default-graph", "bad iri"], 2, ["'--default-graph'", "not an absolute IRI"]),
    (["query", "ASK {}", "--format", "yaml"], 2, ["'--format'", "'yaml' is not one of"]),
    (["query", "SELECT ?x WHERE {"], 3, ["malformed query"]),
    (["export", "-o", "/nonexistent/dir/out.trig"], 2, ["'--output'", "the folder /nonexistent/dir does not exist"]),
    (["export", "-o", "/dev/full"], 3, ["cannot write /dev/full: No space left on device"]),  # a full disk
    (["export", "--graph", "urn:a b"], 2, ["'--graph'", "not an absolute IRI"]),
    (["graph", "confidential", "no-scheme"], 2, ["not an absolute IRI: 'no-scheme'"]),
    (["licence", "show", "http://x/a b"], 2, ["not an absolute IRI"]),
    (["licence", "import", "/nonexistent/sheet.yaml"], 3, ["/nonexistent/sheet.yaml"]),
    (["kbart", "export", "--package", "bad iri"], 2, ["'--package'", "not an absolute IRI"]),
    (["harvest", "not a url"], 2, ["'ENDPOINT'", "not an absolute IRI"]),
    (["check", "--target", "bad iri", "--action", "read"], 2, ["target: not an absolute IRI"]),
    (["report", "risks", "--at", "tomorrow"], 2, ["not a date: tomorrow"]),
    (["report", "assets", "--sample", "-1"], 2, ["'--sample'", "-1 is not in the range x>=0"]),
    (["serve", "--port", "70000"], 2, ["'--port'", "70000 is not in the range"]),
    (["nosuchcommand"], 2, ["No such command 'nosuchcommand'", "rightsgraph --help"]),
    (["--lang", "fr", "info"], 2, ["'--lang'", "'fr' is not one of 'zh', 'en'"]),
]


@pytest.mark.parametrize("args,code,needles", BAD_ARGUMENTS,
                         ids=[" ".join(getattr(a, "name", str(a)) for a in args) for args, _, _ in BAD_ARGUMENTS])
def test_bad_arguments_are_one_line_errors(loaded, args, code, needles):
    out = run_cli(*args, data_dir=loaded)
    _one_line_error(out, code, *needles)


def test_files_that_are_not_utf8_text(loaded, tmp_path):
    latin1 = tmp_path / "query.rq"
    latin1.write_bytes("ASK { ?s ?p \"café\" }".encode("latin-1"))
    sheet = tmp_path / "sheet.yaml"
    sheet.write_bytes("licence: https://example.org/l\ntitle: Café\n".encode("latin-1"))
    _one_line_error(run_cli("query", "-f", latin1, data_dir=loaded), 3, f"cannot read {latin1}: not UTF-8 text")
    from_stdin = subprocess.run(RIGHTSGRAPH + ["--data-dir", str(loaded), "query"], input=latin1.read_bytes(),
                                capture_output=True, env=dict(os.environ, RIGHTSGRAPH_LANG="en"), timeout=120)
    from_stdin.stdout, from_stdin.stderr = from_stdin.stdout.decode(), from_stdin.stderr.decode()
    _one_line_error(from_stdin, 3, "cannot read <stdin>: not UTF-8 text")
    _one_line_error(run_cli("licence", "import", sheet, data_dir=loaded), 3, f"cannot read {sheet}: not UTF-8 text")


def test_click_errors_in_chinese(loaded):
    out = run_cli("--lang", "zh", "query", "ASK {}", "--format", "yaml", data_dir=loaded)
    first = _one_line_error(out, 2, "'--format' 的值无效", "'yaml' 不是", "参见 `rightsgraph query --help`", lang="zh")
    assert "Invalid value" not in first
    missing = run_cli("--lang", "zh", "check", "--action", "read", data_dir=loaded)
    _one_line_error(missing, 2, "缺少选项 '--target'", lang="zh")


def test_a_group_without_its_command_shows_its_help(tmp_path):
    bare = subprocess.run(RIGHTSGRAPH, capture_output=True, text=True, timeout=120)
    group = run_cli("licence", data_dir=tmp_path)
    for out, usage in ((bare, "Usage: rightsgraph [OPTIONS] COMMAND"), (group, "Usage: rightsgraph licence [OPTIONS]")):
        assert "Traceback" not in out.stderr and "error:" not in out.stderr, out.stderr
        assert (out.stdout + out.stderr).lstrip().startswith(usage), out.stderr
    _one_line_error(run_cli(data_dir=tmp_path), 2, "Missing command.", "rightsgraph --help")


def test_a_corrupt_accounts_file(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "accounts.json").write_text("{not json")
    for args in (["user", "list"], ["user", "add", "li"]):
        _one_line_error(run_cli(*args, data_dir=d), 3, "accounts.json: not a rightsgraph accounts file")


def test_a_port_in_use(loaded):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = run_cli("serve", "--port", str(port), data_dir=loaded)
    _one_line_error(out, 2, f"cannot listen on 127.0.0.1:{port}", "--port")


def test_an_incomplete_installation(loaded, tmp_path):
    out = run_cli("info", data_dir=loaded, env={"RIGHTSGRAPH_HOME": str(tmp_path / "nowhere")})
    _one_line_error(out, 70, "incomplete installation", "RIGHTSGRAPH_HOME")


# ------------------------------------------------------------------ the backstop
@pytest.fixture
def failing_command():
    """A real command on the real `rightsgraph` group that fails the way a bug would."""
    @click.command("explode")
    def explode():
        raise RuntimeError("a bug\nsecond line")
    main.add_command(explode)
    yield
    main.commands.pop("explode")


@pytest.mark.parametrize("lang,expected", [("en", "error: unexpected error (RuntimeError: a bug second line); "
                                                   "run with RIGHTSGRAPH_DEBUG=1 for details"),
                                           ("zh", "错误：意外错误（RuntimeError: a bug second line）；"
                                                   "设置 RIGHTSGRAPH_DEBUG=1 重新运行可查看详情")], ids=["en", "zh"])
def test_an_unexpected_exception_is_a_short_message(failing_command, capsys, monkeypatch, lang, expected):
    monkeypatch.delenv("RIGHTSGRAPH_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main.main(["--lang", lang, "explode"], prog_name="rightsgraph")
    assert exit_.value.code == 70
    assert capsys.readouterr().err.strip() == expected


def test_debug_shows_the_traceback(failing_command, monkeypatch):
    monkeypatch.setenv("RIGHTSGRAPH_DEBUG", "1")
    with pytest.raises(RuntimeError, match="a bug"):
        main.main(["explode"], prog_name="rightsgraph")


# ------------------------------------------------------------------ query snapshots
def _snapshot_folders(data_dir) -> list[str]:
    return sorted(p.name for p in (data_dir / "snapshots").glob("query*"))


def _start(data_dir) -> tuple[subprocess.Popen, str]:
    """`rightsgraph serve` in its own process group (so that it can be killed whole)."""
    port = free_port()
    proc = subprocess.Popen(RIGHTSGRAPH + ["--data-dir", str(data_dir), "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited early"
        try:
            if requests.get(url + "/healthz", timeout=1).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def _query(url: str) -> None:
    r = requests.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60)
    assert r.status_code == 200, r.text


def _wait_gone(proc) -> None:
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        raise AssertionError("the server did not stop on SIGTERM") from None


@pytest.mark.server
def test_query_snapshots_do_not_accumulate(tmp_path):
    d = tmp_path / "data"
    assert run_cli("load", LIBRARY, data_dir=d).returncode == 0
    for _ in range(2):  # stopped the usual way: each server removes its own
        proc, url = _start(d)
        _query(url)
        assert len(_snapshot_folders(d)) == 1
        proc.terminate()
        _wait_gone(proc)
        assert _snapshot_folders(d) == []
    proc, url = _start(d)  # killed with SIGKILL, workers and all: nothing could clean up ...
    _query(url)
    left = _snapshot_folders(d)
    assert len(left) == 1
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 30  # the store's lock goes with the last process of the group
    while run_cli("info", data_dir=d).returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _snapshot_folders(d) == left
    proc, url = _start(d)  # ... so the next server removes what the dead one left
    try:
        assert _snapshot_folders(d) == []
        _query(url)
        assert len(_snapshot_folders(d)) == 1 and _snapshot_folders(d) != left
    finally:
        proc.terminate()
        _wait_gone(proc)
    assert _snapshot_folders(d) == []
