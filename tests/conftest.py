"""Shared fixtures: repository paths, fresh stores, and real server processes on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from . import prerequisites
from .prerequisites import need

REPO = Path(__file__).resolve().parents[1]
# The W3C, ODRL and vocabulary suites ship in the repository (tests/conformance/suites/README.md);
# RIGHTSGRAPH_CONFORMANCE points the tests at another copy with the same layout.
CONFORMANCE = Path(os.environ.get("RIGHTSGRAPH_CONFORMANCE") or REPO / "tests" / "conformance" / "suites")
# What the tests read from it. Checked once before collection: a wrong override or a broken
# checkout stops the run with one message, instead of suites silently collecting nothing.
CONFORMANCE_MATERIAL = (
    "sparql11/protocol/manifest.ttl",
    "sparql11/graph-store-protocol/manifest-direct.ttl",
    "sparql11/graph-store-protocol/manifest-indirect.ttl",
    "odrl/solidlab-test-suite/index.ttl",
    "odrl/solidlab-test-conflicts/data/policies",
    "vocab/cc-licenses/creativecommons.org_licenses_by_4.0_.rdf",
    "odrl/w3c-formal-semantics/formal-semantics/examples",
    "odrl/odrl-im-examples",
    "vocab/ODRL22.ttl",
    "vocab/premis3.owl",
    "samples/folio_mod-agreements_Testdata_KBART_AnnualReviews.tsv",
)
RIGHTSGRAPH = [sys.executable, "-m", "rightsgraph"]


def pytest_configure(config):
    config.pluginmanager.register(prerequisites, "rightsgraph-prerequisites")   # its report hook
    absent = [p for p in CONFORMANCE_MATERIAL if not (CONFORMANCE / p).exists()]
    if absent:
        source = ("RIGHTSGRAPH_CONFORMANCE" if os.environ.get("RIGHTSGRAPH_CONFORMANCE")
                  else "the repository's tests/conformance/suites/ (is the checkout complete?)")
        raise pytest.UsageError(f"conformance material missing in {CONFORMANCE} (from {source}): "
                                + ", ".join(absent))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def conformance() -> Path:
    return CONFORMANCE


@pytest.fixture
def store(tmp_path):
    """A fresh on-disk embedded store with the ontology and shapes graphs loaded."""
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs
    st = EmbeddedStore(tmp_path / "store")
    ensure_system_graphs(st)
    return st


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args, data_dir: Path, check: bool = False, input: str | None = None, env=None):
    """Run the real `rightsgraph` CLI in a subprocess."""
    full_env = dict(os.environ, RIGHTSGRAPH_LANG="en", **(env or {}))
    return subprocess.run(RIGHTSGRAPH + ["--data-dir", str(data_dir), *map(str, args)],
                          capture_output=True, text=True, check=check, input=input, env=full_env,
                          timeout=300)


@pytest.fixture(autouse=True)
def _the_environments_language():
    """Each test starts in the environment's language. A command run in this process
    (CliRunner) with `--lang zh` sets the CLI's language for the process, as a real run does
    for its one process; without this a later test calling a command directly printed Chinese."""
    yield
    from rightsgraph import translation
    translation.set_lang(None)


class ServerProcess:
    """`rightsgraph serve` on a free port on 127.0.0.1, stopped at teardown."""

    def __init__(self, data_dir: Path, *args: str, env: dict | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir.parent / f"server-{self.port}.log"
        self._log = open(self.log, "wb")
        self.proc = subprocess.Popen(
            RIGHTSGRAPH + ["--data-dir", str(data_dir), *args, "--port", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
        self._wait()

    def _wait(self, seconds: float = 60) -> None:
        import requests
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):   # a busy machine: not up yet
                time.sleep(0.2)
        self.stop()     # not left running (with its children) after the test run gives up on it
        raise RuntimeError(f"server did not answer within {seconds} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def update_until_accepted(url: str, token: str, update: str, seconds: float = 60) -> None:
    """POST `update` to `url`/sparql until it is accepted (204): a service whose writer was
    just replaced answers writes again within seconds, not at once."""
    import requests
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        r = requests.post(url + "/sparql", data=update.encode(), timeout=60, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/sparql-update"})
        if r.status_code == 204:
            return
        last = f"{r.status_code} {r.text[:200]}"
        time.sleep(0.5)
    raise AssertionError(f"no write was accepted within {seconds:g} s; last: {last}")


class OxigraphServer:
    """A real `oxigraph serve` (PyPI package `oxigraph`) on 127.0.0.1, union default graph."""

    def __init__(self, location: Path):
        exe = need("oxigraph", why="remote-store tests run against a real `oxigraph serve`")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = location.parent / f"oxigraph-{self.port}.log"
        self._log = open(self.log, "wb")
        self.proc = subprocess.Popen([exe, "serve", "--location", str(location), "--bind",
                                      f"127.0.0.1:{self.port}", "--union-default-graph"],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        import requests
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph exited early:\n{self.log.read_text()}")
            try:
                requests.get(self.url + "/query", params={"query": "ASK {}"}, timeout=1)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


@pytest.fixture
def oxigraph_server(tmp_path):
    srv = OxigraphServer(tmp_path / "oxigraph")
    yield srv
    srv.stop()


@pytest.fixture
def remote_store(oxigraph_server):
    from rightsgraph.store.remote import RemoteStore
    from rightsgraph.system_graphs import ensure_system_graphs
    st = RemoteStore.for_oxigraph(oxigraph_server.url)
    ensure_system_graphs(st)
    return st


class Deployment:
    """rightsgraph on the embedded store, on a real `oxigraph serve`, or on a real Virtuoso 7
    (--store URL): the integration tests that take this fixture run on each."""

    def __init__(self, mode: str, base: Path):
        self.mode = mode
        self.data_dir = base / "data"
        self.oxigraph = OxigraphServer(base / "oxigraph") if mode == "remote" else None
        self.virtuoso = None
        if mode == "virtuoso":
            from .virtuoso import VirtuosoServer
            self.virtuoso = VirtuosoServer(need("virtuoso-t", why="remote-store tests also run on Virtuoso 7"),
                                           base / "virtuoso", free_port)
        server = self.oxigraph or self.virtuoso
        self.env = {"RIGHTSGRAPH_STORE": server.url} if server else {}

    @property
    def embedded(self) -> bool:
        return self.mode == "embedded"

    def cli(self, *args, **kwargs):
        return run_cli(*args, data_dir=self.data_dir, env=self.env, **kwargs)

    def serve(self, *args: str) -> ServerProcess:
        return ServerProcess(self.data_dir, "serve", *args, env=self.env)

    def serve_with_token(self, account: str, role: str = "cataloguer") -> ServerProcess:
        """A server, and a new account's token on it as `.token`."""
        token = self.cli("user", "add", account, "--role", role).stdout.strip()
        srv = self.serve("--create")  # the W3C suites start from an empty store
        srv.token = token
        return srv

    def stop(self) -> None:
        for server in (self.oxigraph, self.virtuoso):
            if server:
                server.stop()


@pytest.fixture(scope="module", params=["embedded", "remote", "virtuoso"])
def deployment(request, tmp_path_factory):
    dep = Deployment(request.param, tmp_path_factory.mktemp(f"deploy-{request.param}"))
    yield dep
    dep.stop()


def load_demo_world(store):
    """Load the demo world into `store` (system graphs included), its licences imported
    from the term sheets; returns the store."""
    from rightsgraph.licences.registry import import_sheet
    from rightsgraph.loading import load_files
    from rightsgraph.system_graphs import ensure_system_graphs
    ensure_system_graphs(store)
    demo = REPO / "data" / "demo"
    load_files(store, [demo / f for f in ("parties.ttl", "collections.ttl", "resources.ttl", "rights.ttl")])
    for sheet in sorted((demo / "termsheets").glob("*.yaml")):
        import_sheet(store, sheet)
    return store


@pytest.fixture
def demo_store(store):
    """A store holding the demo world, its licences imported from the term sheets."""
    return load_demo_world(store)
