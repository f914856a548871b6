"""A real OpenLink Virtuoso 7 (Debian's virtuoso-opensource-7-bin) on 127.0.0.1, for the
remote-store tests: rightsgraph must work on a second SPARQL 1.1 engine, not only Oxigraph."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10

[SPARQL]
; rightsgraph reads whole graphs (exports, policy indexes): the default 10,000 would cut
; them, which rightsgraph reports as an error (tests/integration/test_remote_store.py)
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 120
"""


class VirtuosoServer:
    """`virtuoso-t -f` on its own ini in `location`; SPARQL at /sparql, updates granted to
    the anonymous SPARQL user (as a test server; production setups use the -auth endpoints)."""

    def __init__(self, exe: str, location: Path, free_port, max_rows: int = 1_000_000):
        import requests
        location.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        (location / "virtuoso.ini").write_text(INI.format(d=location, sql_port=self.sql_port,
                                                          http_port=self.http_port, max_rows=max_rows))
        self.url = f"http://127.0.0.1:{self.http_port}/sparql"
        self.log = location / "virtuoso.out"
        self._log = open(self.log, "wb")
        self.proc = subprocess.Popen([exe, "-f", "-c", str(location / "virtuoso.ini")],
                                     stdout=self._log, stderr=subprocess.STDOUT, cwd=location)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"virtuoso exited early:\n{self.log.read_text()}")
            try:
                if requests.get(self.url, params={"query": "ASK {}"}, timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            self.stop()
            raise RuntimeError("virtuoso did not start")
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')

    def isql(self, statement: str) -> str:
        out = subprocess.run(["isql-vt", str(self.sql_port), "dba", "dba", f"exec={statement}"],
                             capture_output=True, text=True, timeout=60)
        if out.returncode != 0 or "*** Error" in out.stdout:
            raise RuntimeError(f"isql: {statement}: {out.stdout}{out.stderr}")
        return out.stdout

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()
