"""Browser sessions for the librarians' pages (issue 15, docs/web.md "Signing in").

A librarian signs in at /signin with their API token (web/signin.py). The session is:
- a cookie `rg_session`: the account name and a random session id, signed with itsdangerous
  (the signature's timestamp is the idle clock); never the token;
- a line in `sessions.json` beside the accounts file: the id, the account, when it began and a
  fingerprint of the account's token digest. Sign-out deletes the line, so a copied cookie dies
  with it; a revoked or reissued token no longer matches the fingerprint.
The signing key is `session.key` beside the accounts file (32 random bytes, mode 0600, made on
first use): every process of one store shares it, and replacing it signs everyone out.

Each request is checked against the accounts file, like a Bearer token: a revoked token ends
its sessions at once. The cookie authenticates the librarians' pages only (PAGE_BLUEPRINTS);
a state-changing request it authenticates must carry the session's CSRF token (web/auth.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COOKIE = "rg_session"
CSRF_FIELD = "csrf_token"
KEY_FILE = "session.key"
SESSIONS_FILE = "sessions.json"
REFRESH_SECONDS = 60     # the idle clock is moved on at most once a minute (one Set-Cookie)
# Blueprints whose routes a session cookie authenticates: the pages a browser shows. Never the
# SPARQL, Graph Store, JSON API or admin doors, which API clients reach with a token header.
PAGE_BLUEPRINTS = frozenset({"pages", "search", "resource_page", "licence_pages", "report_pages",
                             "termsheet_upload", "signin"})
# The report charts the report pages embed (<img src=".../usage.svg">): their .svg URLs, GET only.
PAGE_IMAGES = frozenset({"reports.assets", "reports.risks", "reports.usage", "reports.cost_per_use", "reports.demand"})


class SessionKeyError(RuntimeError):
    pass


@dataclass(frozen=True)
class Session:
    sid: str
    account: object          # accounts.Account
    issued: float
    csrf: str
    cookie_age: float        # seconds since the cookie was signed


def token_fingerprint(account) -> str:
    """What ties a session to the token it began with: a digest of the token's digest (the
    accounts file keeps only the latter; neither gives the token back)."""
    return hashlib.sha256(b"rightsgraph session\0" + account.token_sha256.encode()).hexdigest()[:32]


def _read_key_file(path: Path) -> bytes:
    """The key in `path`, made (32 random bytes, hex, mode 0600) when the file is absent. Made
    with O_EXCL, so processes starting together agree on one key."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
    for _ in range(50):      # another process may be between its open and its write
        text = path.read_text(encoding="ascii", errors="replace").strip()
        if text:
            break
        time.sleep(0.01)
    if len(text) < 32:
        raise SessionKeyError(f"{path}: the session key must be at least 32 characters "
                              f"(delete the file and a new key is made)")
    return text.encode("ascii", errors="replace")


class SessionRegistry:
    """sessions.json: {sid: {"account", "token", "issued"}}, shared by every process of one
    store. Writes take an flock and replace the file; reads are cached by the file's identity."""

    def __init__(self, folder: Path, *, key_file: Path | None = None):
        self.folder = Path(folder)
        self.path = self.folder / SESSIONS_FILE
        self.key_file = Path(key_file) if key_file else self.folder / KEY_FILE
        self._lock = threading.Lock()
        self._cache: tuple[tuple, dict] | None = None
        self._key: tuple[tuple, bytes] | None = None

    def key(self) -> bytes:
        """The signing key, read again when the file changes (rotation signs everyone out)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            st = self.key_file.stat()
            ident = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            ident = None
        if ident is None or self._key is None or self._key[0] != ident:
            key = _read_key_file(self.key_file)
            st = self.key_file.stat()
            self._key = ((st.st_ino, st.st_mtime_ns, st.st_size), key)
        return self._key[1]

    def _read(self) -> dict:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        ident = (st.st_ino, st.st_mtime_ns, st.st_size)
        if self._cache and self._cache[0] == ident:
            return self._cache[1]
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}       # unreadable: nobody is signed in (they sign in again)
        self._cache = (ident, data if isinstance(data, dict) else {})
        return self._cache[1]

    @contextlib.contextmanager
    def _changing(self):
        """The sessions as a dict to change, under a lock held across processes."""
        import fcntl
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.folder / (SESSIONS_FILE + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._cache = None
            sessions = dict(self._read())
            yield sessions
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(sessions, f, indent=1)
            tmp.replace(self.path)
            self._cache = None

    def start(self, account, lifetime: float) -> str:
        sid = secrets.token_urlsafe(24)
        now = time.time()
        with self._changing() as sessions:
            for old in [s for s, v in sessions.items() if now - v.get("issued", 0) > lifetime]:
                del sessions[old]       # ended by age: pruned when anyone signs in
            sessions[sid] = {"account": account.name, "token": token_fingerprint(account), "issued": now}
        return sid

    def end(self, sid: str) -> None:
        if sid in self._read():
            with self._changing() as sessions:
                sessions.pop(sid, None)

    def get(self, sid: str) -> dict | None:
        return self._read().get(sid)


class SessionCookies:
    """Signing, reading and checking the session cookie for one app."""

    def __init__(self, registry: SessionRegistry, accounts, *, lifetime: float, idle: float):
        self.registry, self.accounts = registry, accounts
        self.lifetime, self.idle = lifetime, idle
        self._made: tuple[bytes, URLSafeTimedSerializer] | None = None

    def _serializer(self) -> URLSafeTimedSerializer:
        key = self.registry.key()
        if self._made is None or self._made[0] != key:      # made again when the key changes
            self._made = (key, URLSafeTimedSerializer(key, salt="rightsgraph.session",
                                                      signer_kwargs={"digest_method": hashlib.sha256}))
        return self._made[1]

    def csrf_token(self, sid: str) -> str:
        return hmac.new(self.registry.key(), b"csrf\0" + sid.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: Session, sent: str | None) -> bool:
        return bool(sent) and hmac.compare_digest(session.csrf.encode(), str(sent).encode())

    def cookie_value(self, account, sid: str) -> str:
        return self._serializer().dumps({"a": account.name, "s": sid})

    def read(self, value: str | None) -> Session | None:
        """The live session the cookie names, or None: a forged, stale (idle), ended, too old
        or revoked one is no session."""
        if not value:
            return None
        try:
            data, signed = self._serializer().loads(value, max_age=self.idle, return_timestamp=True)
        except (BadSignature, SignatureExpired):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("s"), str):
            return None
        entry = self.registry.get(data["s"])
        if entry is None or entry.get("account") != data.get("a"):
            return None
        if time.time() - entry.get("issued", 0) > self.lifetime:
            return None
        account = next((a for a in self.accounts.list() if a.name == entry["account"]), None)
        if account is None or account.revoked or not hmac.compare_digest(token_fingerprint(account),
                                                                          entry.get("token", "")):
            return None
        return Session(data["s"], account, entry["issued"], self.csrf_token(data["s"]),
                       max(0.0, time.time() - signed.timestamp()))
