"""The public read tier: the public endpoint answered by Oxigraph's own server.

`rightsgraph serve --public-sparql oxigraph` puts nginx on the public port. Requests to
`/public/sparql` (anonymous and read-only by address: web/auth.py answers everyone there as
an anonymous reader, whatever credentials come along) are answered by `oxigraph
serve-read-only` on a *public copy* of the newest published snapshot (public_copies.py:
confidential and provenance graphs removed). Everything else, `/sparql` included, goes to
rightsgraph's own processes: who may read what is never decided by reading a request.

On `/public/sparql` itself nginx keeps for rightsgraph (which answers the same anonymous
reader there, with its own checks) what Oxigraph would answer differently or must not see:
POST, browsers' CORS requests, protocol dataset parameters and FROM (Oxigraph's union
default graph ignores them), the decision functions, SERVICE (Oxigraph has no switch to
turn federation off), a query longer than 1,000 characters (one nested deeply enough
crashes Oxigraph; rightsgraph bounds it). These tests only choose the faster of two answers
that are the same, except SERVICE, which Oxigraph must never get: a text goes to Oxigraph
only if the letters of the word appear nowhere in it, plainly or percent-encoded.

This process (the tier manager) owns nginx and the Oxigraph processes:
- after each commit the writer publishes a snapshot; the manager makes its public copy
  (store/snapshots.py), starts an Oxigraph on it, points nginx at it (`nginx -s reload`:
  no request is dropped) and retires the previous Oxigraph once its queries have had time
  to finish;
- a query that has not answered within the timeout is answered 503 by nginx; Oxigraph
  cannot cancel every operator (sorts, aggregates), so the manager then replaces the
  Oxigraph process that ran it: a runaway query cannot keep a core;
- nginx or Oxigraph dying is survived: each is started again (serving/supervisor.py's rules);
- each client address may run a bounded number of public queries at once (`limit_conn`,
  429 above), the usual guard of a public endpoint.
Public readers therefore see a commit a fraction of a second after it (the file
`public-tier/SERVING` names the snapshot served). docs/service.md has the details.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
from jinja2 import Template

from ..public_copies import make_public_copy
from ..translation import _, both, current_lang
from ..store.snapshots import PrivateSnapshots, current_published, published_dir
from .ports import free_port
from .supervisor import RestartBudget

SERVED_BY = "X-Served-By"
PER_CLIENT = 16  # anonymous queries one client address may have running at once

NGINX_CONF = Template("""\
# Written by rightsgraph (serving/public_tier.py) at each start: edit the template, not this file.
{% if user %}user {{ user }};{% endif %}
worker_processes auto;
daemon off;
pid {{ dir }}/nginx.pid;
error_log {{ dir }}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  server_tokens off;
  client_body_temp_path {{ dir }}/tmp/body;
  proxy_temp_path {{ dir }}/tmp/proxy;
  fastcgi_temp_path {{ dir }}/tmp/fastcgi;
  uwsgi_temp_path {{ dir }}/tmp/uwsgi;
  scgi_temp_path {{ dir }}/tmp/scgi;
  client_max_body_size {{ max_body }};
  log_format rg_timeout '$msec $upstream_addr $upstream_status';
  limit_conn_zone $binary_remote_addr zone=rg_public_per_client:10m;
  limit_conn_status 429;
{% if cache_mb %}
  # Answers of the public copy, kept per snapshot and per client address: the key starts with
  # the snapshot served, so a commit (a new snapshot) is never answered from an older one's
  # answers; and no client can tell from an answer's speed or headers what another asked.
  proxy_cache_path {{ dir }}/cache levels=1:2 keys_zone=rg_public_answers:16m max_size={{ cache_mb }}m
                   inactive=10m use_temp_path=off;
{% endif %}
  # the refusals nginx writes itself, in the client's language (its first Accept-Language)
  map $http_accept_language $rg_lang { default en; "~*^\\s*zh" zh; }
  map $rg_lang $rg_says_timeout { default "{{ says.timeout.en }}"; zh "{{ says.timeout.zh }}"; }
  map $rg_lang $rg_says_unavailable { default "{{ says.unavailable.en }}"; zh "{{ says.unavailable.zh }}"; }
  map $rg_lang $rg_says_too_many { default "{{ says.too_many.en }}"; zh "{{ says.too_many.zh }}"; }
  map $rg_lang $rg_says_too_large { default "{{ says.too_large.en }}"; zh "{{ says.too_large.zh }}"; }

  include {{ dir }}/upstream.conf;
  upstream rightsgraph_app { server 127.0.0.1:{{ app_port }}; keepalive 32; }

  # Which /public/sparql requests Oxigraph answers (the module's docstring says why the
  # others go to rightsgraph, which answers them for the same anonymous reader): GET with
  # one query, not from a browser page of another origin (CORS stays rightsgraph's), and
  # nothing Oxigraph would answer differently or must not get.
  map "$request_method|$http_origin|$arg_query" $rg_plain_request {
    default 0;
    "~^GET\\|\\|." 1;
  }
  map $args $rg_plain_args {
    default 1;
    "~*(default-graph-uri|named-graph-uri)" 0;
    "~*(permitted|decision|service)" 0;
    "~*from" 0;
    # a percent-encoded letter hides a word from the tests above (%53ERVICE): no client
    # needs to encode letters, so such a request goes to rightsgraph, which decodes first
    "~*%(4[1-9a-f]|5[0-9a]|6[1-9a-f]|7[0-9a])" 0;
    # a long query may be nested deeply enough to crash Oxigraph: rightsgraph bounds it first
    # (input_limits: a text of at most 1,000 characters cannot reach the bounds)
    "~^.{1001,}" 0;
    "~(^|&)update=" 0;
    "~(^|&)query=.*&query=" 0;
  }
  map "$rg_plain_request$rg_plain_args" $rg_public { default 0; "11" 1; }

  # HTTP/1.1 with no Connection header keeps upstream connections open (keepalive);
  # proxy_set_header is not inherited by a level that sets its own, so each level repeats it
  proxy_http_version 1.1;

  server {
    listen {{ listen }};
    error_page 413 =413 @too_large;

    location = /public/sparql {
      if ($rg_public) { rewrite ^ /_public_query last; }
      proxy_pass http://rightsgraph_app;
      include {{ dir }}/app-proxy.conf;
      proxy_set_header Authorization "";     # anonymous by address, whoever asks
      proxy_set_header Cookie "";
    }
    location = /_public_query {
      internal;
      proxy_pass http://oxigraph_public/query$is_args$args;
      proxy_set_header Host $http_host;
      proxy_set_header Connection "";
      proxy_connect_timeout 5s;
      proxy_read_timeout {{ read_timeout }}s;
      limit_conn rg_public_per_client {{ per_client }};
      add_header {{ served_by }} oxigraph always;
      add_header X-Snapshot $rg_snapshot always;
      add_header Vary Accept always;
{% if cache_mb %}
      proxy_cache rg_public_answers;
      proxy_cache_key "$rg_snapshot|$binary_remote_addr|$http_accept|$args";
      proxy_cache_valid 200 10m;                # only whole answers; errors and 503s never
      proxy_cache_lock on;                      # the same query asked at once by a client: run once
      proxy_cache_lock_timeout {{ read_timeout }}s;
      add_header X-Cache $upstream_cache_status always;
{% endif %}
      error_page 504 =503 @query_timeout;
      error_page 502 503 =503 @public_unavailable;
      error_page 429 =429 @too_many;
    }
    location @query_timeout {
      access_log {{ dir }}/timeouts.log rg_timeout;
      add_header Retry-After 10 always;
      add_header {{ served_by }} oxigraph always;
      default_type "text/plain; charset=utf-8";
      return 503 "$rg_says_timeout\\n";
    }
    location @public_unavailable {
      add_header Retry-After 1 always;
      add_header {{ served_by }} oxigraph always;
      default_type "text/plain; charset=utf-8";
      return 503 "$rg_says_unavailable\\n";
    }
    location @too_many {
      add_header Retry-After 1 always;
      add_header {{ served_by }} oxigraph always;
      default_type "text/plain; charset=utf-8";
      return 429 "$rg_says_too_many\\n";
    }
    location @too_large {
      default_type "text/plain; charset=utf-8";
      return 413 "$rg_says_too_large\\n";
    }
    location / {
      proxy_pass http://rightsgraph_app;
      include {{ dir }}/app-proxy.conf;
    }
  }
}
""")

APP_PROXY_CONF = """\
proxy_set_header Host $http_host;
proxy_set_header Connection "";
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_set_header X-Forwarded-Host $http_host;
proxy_set_header X-Forwarded-Port $server_port;
proxy_read_timeout 900s;
proxy_send_timeout 900s;
add_header X-Served-By rightsgraph always;
"""



class PublicTierError(RuntimeError):
    """The tier cannot run; `texts` say why in each language, str() in the current one."""

    def __init__(self, texts: dict[str, str]):
        super().__init__(texts[current_lang()])
        self.texts = texts


def find_nginx() -> str:
    exe = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                         if os.access(p, os.X_OK)), None)
    if exe is None:
        raise PublicTierError(both("--public-sparql oxigraph needs nginx: install the Debian package nginx-light "
                                   "(apt-get install nginx-light)"))
    return exe


def find_oxigraph() -> str:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not os.access(exe, os.X_OK):
        raise PublicTierError(both("--public-sparql oxigraph needs the oxigraph server: pip install oxigraph"))
    return exe


def cache_megabytes() -> int:
    """Disk for answers kept per snapshot (RIGHTSGRAPH_PUBLIC_CACHE_MB, default 256; 0: none)."""
    try:
        return max(0, int(os.environ.get("RIGHTSGRAPH_PUBLIC_CACHE_MB", "256")))
    except ValueError:
        return 256


def tier_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "public-tier"


def serving_snapshot(data_dir: Path) -> str | None:
    """The published snapshot the public tier answers from (None before its first)."""
    try:
        return (tier_dir(data_dir) / "SERVING").read_text().strip() or None
    except OSError:
        return None


def _connected(inst: "_Instance") -> bool:
    """Whether a client (one of nginx's workers) still holds a connection to this Oxigraph:
    its own established connections on its port, as psutil reads them."""
    try:
        connections = psutil.Process(inst.proc.pid).net_connections(kind="tcp")
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return False
    return any(c.status == psutil.CONN_ESTABLISHED and c.laddr and c.laddr.port == inst.port for c in connections)


@dataclass
class _Instance:
    """One `oxigraph serve-read-only` on one public copy."""
    proc: subprocess.Popen
    port: int
    snapshot: str
    location: Path
    optimized: bool = False
    retired_at: float = 0.0
    retire_at: float = 0.0
    log: object = field(default=None, repr=False)

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"


class PublicTier:
    def __init__(self, data_dir: Path, *, host: str, port: int, app_port: int, max_body: int,
                 query_timeout: float, min_refresh: float = 1.0):
        self.data_dir = Path(data_dir)
        self.dir = tier_dir(self.data_dir)
        self.published = published_dir(self.data_dir / "store")
        self.listen = f"{host}:{port}"
        self.app_port = app_port
        self.max_body = max_body
        self.timeout = query_timeout
        self.min_refresh = min_refresh
        self.nginx_exe, self.oxigraph_exe = find_nginx(), find_oxigraph()
        self.nginx: subprocess.Popen | None = None
        self.current: _Instance | None = None
        self.retiring: list[_Instance] = []
        self._timeouts_read = 0  # bytes of timeouts.log already read
        self._stopping = False
        self._optimizing = None
        self._switched_at = 0.0
        self._budgets = {"nginx": RestartBudget(), "oxigraph": RestartBudget()}
        self._copies: PrivateSnapshots | None = None

    @property
    def _drain_seconds(self) -> float:
        """How long a replaced Oxigraph may finish what it started: at most a query timeout."""
        return (self.timeout or 60) + 5

    # -- Oxigraph instances ------------------------------------------------------------

    def _start_oxigraph(self, location: Path, snapshot: str) -> _Instance:
        port = free_port()
        args = [self.oxigraph_exe, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                "--union-default-graph"]
        # Not `--timeout-s`: Oxigraph 0.5 starts a timer thread per query that sleeps for the
        # whole timeout, and at thousands of queries a second the process runs out of threads
        # ("OxHTTP thread spawn error", then a panic; measured with benchmarks/bench_http.py).
        # The deadline is nginx's instead (proxy_read_timeout, then a recycle).
        log = open(self.dir / f"oxigraph-{port}.log", "wb")
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        (self.dir / f"oxigraph-{port}.pid").write_text(f"{proc.pid}\n")   # for stop_leftovers
        inst = _Instance(proc, port, snapshot, location, log=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise PublicTierError(both("oxigraph serve-read-only exited: %(log)s",
                                           log=(self.dir / f"oxigraph-{port}.log").read_text()))
            try:
                requests.get(f"http://{inst.addr}/query", params={"query": "ASK {}"}, timeout=2)
                return inst
            except requests.RequestException:   # not listening yet, or slow to answer
                time.sleep(0.05)
        self._stop_instance(inst)
        raise PublicTierError(both("oxigraph serve-read-only did not answer within %(seconds)s s", seconds=60))

    def _stop_instance(self, inst: _Instance) -> None:
        if inst.proc.poll() is None:
            inst.proc.kill()  # read-only: nothing to flush
            inst.proc.wait(10)
        if inst.log:
            inst.log.close()
        users = [i for i in [self.current, *self.retiring] if i is not None and i is not inst]
        if not any(i.location == inst.location for i in users):
            shutil.rmtree(inst.location, ignore_errors=True)
        (self.dir / f"oxigraph-{inst.port}.log").unlink(missing_ok=True)
        (self.dir / f"oxigraph-{inst.port}.pid").unlink(missing_ok=True)

    def _retire(self, inst: _Instance | None, after: float) -> None:
        if inst is not None:
            inst.retired_at = time.monotonic()
            inst.retire_at = inst.retired_at + after
            self.retiring.append(inst)

    def _reap(self) -> None:
        """Stop retired Oxigraphs once nothing is connected to them any more (nginx's old
        workers close their connections as they finish), or at their deadline: under a
        burst of commits, retired processes must not pile up for a whole timeout."""
        now = time.monotonic()
        for inst in list(self.retiring):
            if inst.retire_at <= now or (now >= inst.retired_at + 1.0 and not _connected(inst)):
                self.retiring.remove(inst)
                self._stop_instance(inst)

    # -- nginx ---------------------------------------------------------------------------

    def _write_upstream(self, inst: _Instance) -> None:
        tmp = self.dir / "upstream.conf.tmp"
        tmp.write_text(f"upstream oxigraph_public {{ server {inst.addr}; keepalive 64; }}\n"
                       f"map $host $rg_snapshot {{ default \"{inst.snapshot}\"; }}\n")
        tmp.replace(self.dir / "upstream.conf")

    def _start_nginx(self) -> None:
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        user = None
        if os.geteuid() == 0:  # nginx workers would otherwise drop to 'nobody'
            import pwd
            user = pwd.getpwuid(os.geteuid()).pw_name
        (self.dir / "app-proxy.conf").write_text(APP_PROXY_CONF)
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.render(
            dir=self.dir, user=user, listen=self.listen, app_port=self.app_port, max_body=self.max_body,
            served_by=SERVED_BY,
            read_timeout=max(1, round(self.timeout)) if self.timeout else 3600, per_client=PER_CLIENT,
            cache_mb=cache_megabytes(), says=self._refusals()))
        test = subprocess.run([self.nginx_exe, "-t", "-p", str(self.dir), "-c", str(conf), "-e",
                               str(self.dir / "nginx-error.log")], capture_output=True, text=True)
        if test.returncode != 0:
            raise PublicTierError(both("nginx rejected %(conf)s: %(error)s", conf=conf, error=test.stderr.strip()))
        # its own process group: if the master dies, its orphaned workers (which still hold
        # the listening socket) go with it before a new master binds the port
        self.nginx = subprocess.Popen([self.nginx_exe, "-p", str(self.dir), "-c", str(conf), "-e",
                                       str(self.dir / "nginx-error.log")], stdin=subprocess.DEVNULL,
                                      start_new_session=True)

    def _refusals(self) -> dict:
        """What nginx answers itself, in both languages, from the catalogues."""
        timeout = f"{self.timeout:g}" if self.timeout else "unlimited"
        texts = {
            "timeout": both("the query ran longer than %(seconds)s s and was stopped (public read tier)",
                            seconds=timeout),
            "unavailable": both("the public read tier is restarting: retry"),
            "too_many": both("this address already has %(n)s anonymous queries running: wait for them",
                             n=PER_CLIENT),
            "too_large": both("the request body is larger than %(bytes)s bytes (the service's limit)",
                              bytes=self.max_body)}
        # inside an nginx string: no quote, backslash or $ of the text may end or expand it
        return {k: {lang: t.replace("\\", "/").replace('"', "'").replace("$", "") for lang, t in v.items()}
                for k, v in texts.items()}

    # -- supervision ---------------------------------------------------------------------

    def _allow_restart(self, child: str) -> None:
        """Bound restarts: a child that keeps dying is a fault to report, not to hide."""
        budget = self._budgets[child]
        if not budget.spend():
            raise PublicTierError(both("%(child)s died %(n)s times in %(window)s s; see %(dir)s", child=child,
                                       n=budget.used, window=format(budget.window, "g"), dir=self.dir))

    def _supervise(self) -> None:
        """Restart nginx or the serving Oxigraph when either has died (killed, crashed)."""
        if self.nginx.poll() is not None:
            self._allow_restart("nginx")
            print(_("public read tier: nginx exited (%(code)s); restarting it", code=self.nginx.returncode),
                  file=sys.stderr, flush=True)
            try:
                os.killpg(self.nginx.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._start_nginx()
            self._await_reload(self.current.snapshot if self.current else "")
        if self.current is not None and self.current.proc.poll() is not None:
            self._allow_restart("oxigraph")
            dead = self.current
            print(_("public read tier: Oxigraph on port %(port)s exited (%(code)s); starting another on the same copy",
                    port=dead.port, code=dead.proc.returncode), file=sys.stderr, flush=True)
            inst = self._start_oxigraph(dead.location, dead.snapshot)
            inst.optimized = dead.optimized
            self._switch(inst, retire_after=0.0)

    def _reload_nginx(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGHUP)  # re-read upstream.conf; old workers finish their requests

    def _await_reload(self, snapshot: str, seconds: float = 10) -> None:
        """A reload is asynchronous: new nginx workers take over while the old ones finish.
        SERVING must only name a snapshot once new connections are answered from it: asked
        of `/public/sparql`, the one address whose plain queries nginx sends to Oxigraph (and
        marks with X-Snapshot). Asking `/sparql`, which rightsgraph always answers, never saw
        the snapshot, so every switch waited the whole `seconds`."""
        if self.nginx is None:
            return
        host, _colon, port = self.listen.rpartition(":")
        host = "127.0.0.1" if host in ("", "0.0.0.0", "*") else host
        if host in ("::", "[::]"):
            host = "[::1]"
        url = f"http://{host}:{port}/public/sparql?query=ASK%7B%7D"
        deadline, agreeing = time.monotonic() + seconds, 0
        while agreeing < 3 and time.monotonic() < deadline:
            try:
                seen = requests.get(url, timeout=5).headers.get("X-Snapshot")
            except requests.RequestException:
                seen = None
            agreeing = agreeing + 1 if seen == snapshot else 0
            if agreeing < 3:
                time.sleep(0.02)
        if agreeing < 3 and snapshot:
            print(_("public read tier: nginx did not answer from snapshot %(snapshot)s within %(seconds)s s",
                    snapshot=snapshot, seconds=format(seconds, "g")),
                  file=sys.stderr, flush=True)

    # -- the loop ------------------------------------------------------------------------

    def _published(self) -> str | None:
        return current_published(self.published)

    def _switch(self, inst: _Instance, retire_after: float) -> None:
        old, self.current = self.current, inst
        self._switched_at = time.monotonic()
        self._write_upstream(inst)
        self._reload_nginx()
        self._await_reload(inst.snapshot)
        self._retire(old, retire_after)
        tmp = self.dir / "SERVING.tmp"
        tmp.write_text(inst.snapshot)
        tmp.replace(self.dir / "SERVING")

    def refresh(self) -> bool:
        """Serve the newest published snapshot; True when it changed."""
        name = self._published()
        if name is None or (self.current is not None and self.current.snapshot == name):
            return False
        self._cancel_optimizing()
        t0 = time.monotonic()
        location, removed = self._public_copy(name)
        t1 = time.monotonic()
        inst = self._start_oxigraph(location, name)
        self._switch(inst, retire_after=self._drain_seconds)
        print(_("public read tier: serving snapshot %(name)s (%(n)s graphs withheld; copy %(copy)s s, switch "
                "%(switch)s s)", name=name, n=len(removed), copy=f"{t1 - t0:.2f}",
                switch=f"{time.monotonic() - t1:.2f}"), file=sys.stderr, flush=True)
        return True

    def _public_copy(self, name: str) -> tuple[Path, set[str]]:
        location = self._copies.new_path(name)
        return location, make_public_copy(self.published / name, location)

    # Removing the withheld graphs leaves deletion markers that every range scan must step
    # over: the fresh copy answers cheap queries about a third slower than a compacted one
    # (measured at 1.15M triples). So once commits pause, a second copy is compacted
    # (`oxigraph optimize`, about 1.5 s at 1.15M triples) in a separate process and takes
    # over if no newer commit came meanwhile. Fresh first, fast soon after.

    def _optimize_step(self) -> None:
        if self._optimizing is not None:
            proc, location, name, started = self._optimizing
            if proc.poll() is None:
                return
            self._optimizing = None
            current = self.current
            if proc.returncode != 0 or current is None or current.snapshot != name or current.optimized:
                shutil.rmtree(location, ignore_errors=True)
                return
            inst = self._start_oxigraph(location, name)
            inst.optimized = True
            self._switch(inst, retire_after=self._drain_seconds)
            print(_("public read tier: serving the compacted copy of snapshot %(name)s (optimize %(seconds)s s)",
                    name=name, seconds=f"{time.monotonic() - started:.2f}"), file=sys.stderr, flush=True)
        elif (self.current is not None and not self.current.optimized
              and time.monotonic() - self._switched_at >= 1.0):  # commits have paused
            name = self.current.snapshot
            location, _withheld = self._public_copy(name)
            proc = subprocess.Popen([self.oxigraph_exe, "optimize", "--location", str(location)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            self._optimizing = (proc, location, name, time.monotonic())

    def _cancel_optimizing(self) -> None:
        if self._optimizing is not None:
            proc, location, _name, _started = self._optimizing
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
            shutil.rmtree(location, ignore_errors=True)
            self._optimizing = None

    def _runaway_seen(self) -> bool:
        """nginx logs a line in timeouts.log for each query it gave up waiting for; read
        what it appended since the last look."""
        try:
            with open(self.dir / "timeouts.log", "rb") as log:
                log.seek(self._timeouts_read)
                fresh = log.read()
        except OSError:
            return False
        self._timeouts_read += len(fresh)
        return self.current is not None and self.current.addr.encode() in fresh

    def recycle(self) -> None:
        """Replace the current Oxigraph (same public copy) and kill the old one soon: its
        runaway query does not stop by itself. Queries still running there get a 503 to retry."""
        inst = self._start_oxigraph(self.current.location, self.current.snapshot)
        inst.optimized = self.current.optimized
        self._switch(inst, retire_after=1.0)

    def stop(self, *_args) -> None:
        self._stopping = True

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        stop_leftovers(self.data_dir)     # of a manager killed before it could stop them
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self._copies = PrivateSnapshots(self.data_dir, "public")   # the copies Oxigraph serves
        try:
            deadline = time.monotonic() + 120
            while not self.refresh():
                if time.monotonic() > deadline:
                    raise PublicTierError(both("no published snapshot in %(dir)s", dir=self.published))
                time.sleep(0.1)
            self._start_nginx()
            last = time.monotonic()
            while not self._stopping:
                time.sleep(0.05)
                self._supervise()
                if self._runaway_seen():
                    self.recycle()
                if time.monotonic() - last >= self.min_refresh and self.refresh():
                    last = time.monotonic()
                self._optimize_step()
                self._reap()
        finally:
            self._cancel_optimizing()
            if self.nginx is not None and self.nginx.poll() is None:
                self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish the requests in flight
                try:
                    self.nginx.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.nginx.pid, signal.SIGKILL)   # the master and its workers
            for inst in [*self.retiring, *([self.current] if self.current else [])]:
                self._stop_instance(inst)
            self._copies.close()


def stop_leftovers(data_dir: Path) -> list[int]:
    """Stop the nginx and the Oxigraphs a tier manager of `data_dir` started and left running
    (it was killed: they do not watch their parent, and nginx held the public port, answering
    502); the pids stopped. Only processes whose command line names this tier's folders."""
    folder, stopped = tier_dir(Path(data_dir)), []
    for pid_file in [folder / "nginx.pid", *folder.glob("oxigraph-*.pid")]:
        try:
            pid = int(pid_file.read_text().split()[0])
            proc = psutil.Process(pid)
            cmdline = " ".join(proc.cmdline())
            ours = str(folder) in cmdline or str(Path(data_dir) / "snapshots") in cmdline
        except (OSError, ValueError, IndexError, psutil.Error):
            continue
        if not ours:
            continue
        try:
            if pid_file.name == "nginx.pid":
                os.killpg(pid, signal.SIGKILL)    # the master leads its group: its workers go with it
            else:
                proc.kill()
            psutil.wait_procs([proc], timeout=10)
            stopped.append(pid)
        except (ProcessLookupError, PermissionError, psutil.Error):
            pass
    return stopped


def tier_child(data_dir: Path, options: dict):
    """The tier manager as a supervised child (serving/supervisor.py): started again when it
    dies (killed, crashed), after the nginx and Oxigraphs it left are stopped
    (`stop_leftovers`: they held the public port answering 502); one that keeps dying stops
    the service with its error."""
    from .supervisor import Child
    errors = []

    def start():
        proc, queue = start_public_tier(Path(data_dir), **options)
        errors[:] = [queue]
        return proc

    def why_exited(proc) -> str:
        queue = errors[0]
        return queue.get() if not queue.empty() else _("exit code %(code)s", code=proc.exitcode)

    return Child(name=_("the public read tier"), start=start, after_exit=lambda: stop_leftovers(Path(data_dir)),
                 why_exited=why_exited, stop_seconds=20.0)


def _tier_main(data_dir, options: dict, errors) -> None:
    from .supervisor import exit_with_parent
    exit_with_parent()          # nginx and Oxigraph go with the service, even one killed with SIGKILL
    try:
        PublicTier(Path(data_dir), **options).run()
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which stops the service
        errors.put(f"{type(exc).__name__}: {exc}")
        raise


def start_public_tier(data_dir: Path, *, host: str, port: int, app_port: int, max_body: int,
                      query_timeout: float):
    """Start the tier manager in its own process (it must not share a process that forks
    server processes); returns (process, error queue)."""
    import multiprocessing
    ctx = multiprocessing.get_context("spawn")
    errors = ctx.Queue()
    proc = ctx.Process(target=_tier_main, args=(str(data_dir), dict(
        host=host, port=port, app_port=app_port, max_body=max_body, query_timeout=query_timeout), errors))
    proc.start()
    return proc, errors
