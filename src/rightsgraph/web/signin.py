"""Signing in and out of the librarians' pages: /signin (GET: the form; POST: the API token)
and /signout (POST). The session itself: web/session.py; how a request is authenticated by
it: web/auth.py. docs/web.md, "Signing in"."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict, deque
from pathlib import Path

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .origin_check import from_this_site, origin_refused
from .session import COOKIE, CSRF_FIELD, SessionCookies, SessionKeyError, SessionRegistry

bp = Blueprint("signin", __name__)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ROLES = {"reader": _l("reader"), "cataloguer": _l("cataloguer"), "admin": _l("admin")}


class AttemptLimit:
    """Failed sign-ins per client address in a sliding window: a token is 256 random bits,
    and this keeps anyone from trying many at speed.

    With a folder (the accounts' folder), the failures are kept in a small SQLite file there,
    so every process serving the store counts them together: `serve --workers 4` allows 10
    failures per address, not 40. Without one (no accounts: nobody can sign in), in memory."""

    FILE = "signin-failures.sqlite"

    def __init__(self, attempts: int, window: float, max_addresses: int = 10_000, folder: Path | None = None):
        self.attempts, self.window, self.max_addresses = attempts, window, max_addresses
        self.path = Path(folder) / self.FILE if folder is not None else None
        self._failed: OrderedDict[str, deque] = OrderedDict()
        self._lock = threading.Lock()
        self._local = threading.local()

    # -- shared (SQLite; wall-clock times, which every process reads alike)
    def _db(self):
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS failure (address TEXT NOT NULL, at REAL NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS failure_address ON failure (address, at)")
            self._local.db = db
        return db

    def _shared_retry_after(self, address: str) -> int:
        now = time.time()
        rows = self._db().execute("SELECT at FROM failure WHERE address = ? AND at > ? ORDER BY at",
                                  (address, now - self.window)).fetchall()
        if len(rows) < self.attempts:
            return 0
        return max(1, int(self.window - (now - rows[-self.attempts][0])) + 1)

    def _shared_failed(self, address: str) -> None:
        now = time.time()
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM failure WHERE at <= ?", (now - self.window,))
            db.execute("INSERT INTO failure (address, at) VALUES (?, ?)", (address, now))
            # bounded: the addresses that failed longest ago go first
            db.execute("""DELETE FROM failure WHERE address IN (
                            SELECT address FROM failure GROUP BY address ORDER BY MAX(at) DESC
                            LIMIT -1 OFFSET ?)""", (self.max_addresses,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # -- in this process
    def _recent(self, address: str, now: float) -> deque:
        times = self._failed.get(address, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def _shared_unusable(self, exc) -> None:
        """The shared file cannot be used (a read-only folder, a damaged file): count in this
        process from now on, and say so once; sign-in keeps its limit either way."""
        import logging
        logging.getLogger(__name__).error("sign-in failures are counted per process from now on: %s: %s",
                                          self.path, exc)
        self.path = None

    def retry_after(self, address: str) -> int:
        """0 when `address` may try now, else the seconds until it may."""
        if self.path is not None:
            try:
                return self._shared_retry_after(address)
            except (sqlite3.Error, OSError) as exc:
                self._shared_unusable(exc)
        now = time.monotonic()
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.attempts:
                return 0
            return max(1, int(self.window - (now - times[-self.attempts])) + 1)

    def failed(self, address: str) -> None:
        if self.path is not None:
            try:
                return self._shared_failed(address)
            except (sqlite3.Error, OSError) as exc:
                self._shared_unusable(exc)
        now = time.monotonic()
        with self._lock:
            times = self._recent(address, now)
            times.append(now)
            self._failed[address] = times
            self._failed.move_to_end(address)
            while len(self._failed) > self.max_addresses:     # bounded memory
                self._failed.popitem(last=False)


def install(app: Flask) -> None:
    """Sessions for `app` when it has accounts (RG_ACCOUNTS_FILE): the key and the sessions
    file live beside the accounts file."""
    accounts = app.extensions.get("rightsgraph.accounts")
    folder = None
    if accounts is not None:
        folder = Path(app.config["RG_ACCOUNTS_FILE"]).parent
        key_file = app.config.get("RG_SESSION_KEY_FILE") or folder / "session.key"
        registry = SessionRegistry(folder, key_file=key_file)
        try:
            registry.key()      # made (or found unusable) now, not at the first sign-in
        except (OSError, SessionKeyError) as exc:
            # the API and the pages go on without sign-in; /signin says the log has the reason
            app.logger.error("sign-in is off: no usable session key (%s)", exc)
            app.extensions["rightsgraph.sessions_broken"] = str(exc)
        else:
            app.extensions["rightsgraph.sessions"] = SessionCookies(
                registry, accounts, lifetime=float(app.config["RG_SESSION_HOURS"]) * 3600,
                idle=float(app.config["RG_SESSION_IDLE_MINUTES"]) * 60)
    app.extensions["rightsgraph.signin_limit"] = AttemptLimit(int(app.config["RG_SIGNIN_ATTEMPTS"]),
                                                             float(app.config["RG_SIGNIN_WINDOW"]), folder=folder)
    app.jinja_env.globals.update(signed_in=signed_in, csrf_field=CSRF_FIELD)

    @app.after_request
    def keep_session_cookie(resp):
        session = g.get("session")
        if session is not None and g.get("session_cookie") is None and session.cookie_age > _refresh_after():
            g.session_cookie = _cookies().cookie_value(session.account, session.sid)   # idle clock moves on
        if session is not None:     # a page for one librarian: no shared cache keeps it
            resp.headers["Cache-Control"] = "private, no-store"
            resp.vary.add("Cookie")
        if g.get("session_cookie"):
            _set_cookie(resp, g.session_cookie)
        elif g.get("drop_session_cookie"):
            resp.delete_cookie(COOKIE, path="/", secure=request.is_secure, httponly=True, samesite="Lax")
        return resp


def _refresh_after() -> float:
    from .session import REFRESH_SECONDS
    return min(REFRESH_SECONDS, _cookies().idle / 4)


def _cookies() -> SessionCookies | None:
    return current_app.extensions.get("rightsgraph.sessions")


def _set_cookie(resp, value: str) -> None:
    # No Max-Age: the browser forgets it when it closes; the server ends it earlier (idle,
    # lifetime, sign-out, a revoked token). Secure when the request came over https (behind
    # a proxy only when the app trusts it: RG_BEHIND_PROXY applies ProxyFix).
    resp.set_cookie(COOKIE, value, path="/", secure=request.is_secure, httponly=True, samesite="Lax")
    resp.headers["Cache-Control"] = "no-store"


def signed_in() -> dict | None:
    """Who the page is for, for the header: account, role, and the CSRF token when a session
    (not a token header) authenticated the request."""
    account = g.get("account")
    if account is None:
        return None
    session = g.get("session")
    return {"name": account.name, "role": account.role, "role_label": ROLES.get(account.role, account.role),
            "csrf": session.csrf if session else None}


def csrf_refused():
    """403 page: a form sent with the session cookie but without the session's CSRF token."""
    return render_template("error.html", status=403, message=_(
        "This form has expired or did not come from this site's pages (its security token is missing "
        "or wrong). Open the page again and resend the form.")), 403


def _local(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    cookies = _cookies()
    target = _local(request.values.get("next"))
    if cookies is None:
        broken = "rightsgraph.sessions_broken" in current_app.extensions
        return render_template("signin.html", unavailable="key" if broken else "accounts", target=target), (
            503 if broken else 404)
    if request.method == "GET":
        return render_template("signin.html", target=target)
    if not from_this_site():     # login CSRF: signing a librarian in as someone else
        return origin_refused()
    limit = current_app.extensions["rightsgraph.signin_limit"]
    address = request.remote_addr or "unknown"
    wait = limit.retry_after(address)
    if wait:
        resp = current_app.make_response((render_template("signin.html", target=target, wait=wait), 429))
        resp.headers["Retry-After"] = str(wait)
        return resp
    token = request.form.get("token", "").strip()
    account = cookies.accounts.authenticate(token) if token else None
    if account is None:
        limit.failed(address)
        # the same words whatever was wrong: nothing tells whether an account exists
        resp = current_app.make_response((render_template("signin.html", target=target, failed=True), 401))
        resp.headers["WWW-Authenticate"] = 'Bearer realm="rightsgraph"'
        return resp
    old = cookies.read(request.cookies.get(COOKIE))
    if old is not None:
        cookies.registry.end(old.sid)     # a new session, not the old one: no fixation
    sid = cookies.registry.start(account, cookies.lifetime)
    g.session_cookie = cookies.cookie_value(account, sid)
    return redirect(target, code=303)


@bp.route("/signout", methods=["POST"])
def signout():
    session = g.get("session")
    if session is not None:      # web/auth.py has checked its CSRF token
        _cookies().registry.end(session.sid)
        g.session = None
    g.drop_session_cookie = True
    return redirect("/", code=303)
