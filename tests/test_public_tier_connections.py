"""The public read tier stops a replaced Oxigraph once no client holds a connection to it
(serving/public_tier.py, `_reap`): read per process with psutil (it parsed /proc/net/tcp
itself, and counted any process's connection on that port number)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from types import SimpleNamespace

from rightsgraph.serving.public_tier import _connected

SERVER = """
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
s.settimeout(0.2)
end = time.monotonic() + 60
while time.monotonic() < end:
    try:
        c, _ = s.accept(); held.append(c)
    except socket.timeout:
        pass
    for c in list(held):
        c.setblocking(False)
        try:
            if c.recv(1) == b"":
                c.close(); held.remove(c)
        except BlockingIOError:
            pass
"""


def _until(predicate, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_server_is_connected_while_a_client_holds_a_connection_and_not_after():
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        inst = SimpleNamespace(proc=proc, port=port)
        assert not _connected(inst)
        client = socket.create_connection(("127.0.0.1", port))
        assert _until(lambda: _connected(inst))
        # another process's connection to a different port is not this server's
        assert not _connected(SimpleNamespace(proc=proc, port=port + 1))
        client.close()
        assert _until(lambda: not _connected(inst))
    finally:
        proc.kill()
        proc.wait(10)
    assert not _connected(SimpleNamespace(proc=proc, port=port))       # gone: nothing to wait for
