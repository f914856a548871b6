"""Authentication (Bearer API tokens, or a signed-in browser's session cookie on the
pages), roles and what a reader may see.

Roles: reader < cataloguer < admin. Anonymous requests are readers unless anonymous
read is switched off; writes always need a cataloguer; confidential graphs and the
provenance graph are invisible to readers in every door. A session (web/session.py) gives
its account's role exactly as that account's token would, on the pages only; a form it
sends must come from this site's pages (Origin, else Referer) and carry the session's CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request

from ..accounts import role_at_least
from ..confidentiality import GraphCatalog, hidden_from_readers

bp = Blueprint("auth", __name__)
OPEN_PATHS = ("/healthz", "/signin")    # reachable with anonymous read off: how to sign in
PUBLIC_SPARQL = "/public/sparql"        # web/sparql.py


def _deny(status: int, message: str) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="rightsgraph"'} if status == 401 else {}
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8", headers=headers)


@bp.before_app_request
def authenticate():
    g.account = None
    g.role = None
    if request.path.rstrip("/") == PUBLIC_SPARQL:
        # everyone is an anonymous reader here: what it answers never depends on who asks
        if current_app.config.get("RG_ANONYMOUS_READ", True):
            g.role = "reader"
            return None
        return _deny(404, "the public endpoint is off (serve --no-anonymous-read): use /sparql with a token")
    header = request.headers.get("Authorization", "")
    accounts = current_app.extensions.get("rightsgraph.accounts")
    if header:
        name, token = _credentials(*_split(header))
        if token is None:
            return _deny(401, "Authorization must be 'Bearer <token>' (or Basic with the account "
                              "name and its token as the password)")
        account = _live_account(accounts, name, token)
        if account is None:
            return _deny(401, "unknown or revoked token")
        g.account, g.role = account, account.role
        return None
    if _cookie_may_authenticate():
        refused = _from_session()
        if refused is not None:
            return refused
        if g.account is not None:
            return None
    if current_app.config.get("RG_ANONYMOUS_READ", True):
        g.role = "reader"
    elif request.path not in OPEN_PATHS and request.endpoint != "static":
        return _deny(401, "this service needs a token: send 'Authorization: Bearer <token>'")
    return None


def _cookie_may_authenticate() -> bool:
    """The session cookie counts on the pages (and the charts they embed), never on the
    SPARQL, Graph Store, JSON API or admin doors; not on the sign-in form's POST, which
    starts a new session."""
    from .session import PAGE_BLUEPRINTS, PAGE_IMAGES
    if request.endpoint == "signin.signin" and request.method == "POST":
        return False
    return request.blueprint in PAGE_BLUEPRINTS or (request.endpoint in PAGE_IMAGES and request.path.endswith(".svg")
                                                     and request.method in ("GET", "HEAD"))


def _from_session() -> Response | None:
    """Sets g.account, g.role and g.session from a live session cookie (a dead one is
    dropped); the 403 page when a state-changing request it authenticates comes from another
    site's page (web/origin_check.py) or lacks the CSRF token."""
    from .origin_check import from_this_site, origin_refused
    from .session import COOKIE, CSRF_FIELD
    from .signin import SAFE_METHODS, csrf_refused
    cookies = current_app.extensions.get("rightsgraph.sessions")
    sent = request.cookies.get(COOKIE)
    if cookies is None or not sent:
        return None
    session = cookies.read(sent)
    if session is None:
        g.drop_session_cookie = True
        return None
    if request.method not in SAFE_METHODS:
        if not from_this_site():
            return origin_refused()
        if not cookies.csrf_ok(session, request.form.get(CSRF_FIELD)):
            return csrf_refused()
    g.account, g.role, g.session = session.account, session.account.role, session
    return None


def account_for(header: str, accounts):
    """The live account whose token an Authorization header carries, else None (malformed,
    unknown, revoked, or a Basic name that is not the token's account)."""
    name, token = _credentials(*_split(header))
    return _live_account(accounts, name, token) if token is not None else None


def _live_account(accounts, name: str | None, token: str):
    account = accounts.authenticate(token) if accounts else None
    if account is None or (name is not None and name != account.name):
        return None
    return account


def _split(header: str) -> tuple[str, str]:
    scheme, _, credentials = header.partition(" ")
    return scheme, credentials.strip()


def _credentials(scheme: str, value: str) -> tuple[str | None, str | None]:
    """(account name or None, token) from a Bearer or Basic Authorization header.
    Basic (name:token) is accepted for SPARQL clients that only speak Basic, such as
    rdflib's SPARQLStore and SPARQLWrapper's setCredentials."""
    if scheme.lower() == "bearer" and value:
        return None, value
    if scheme.lower() == "basic" and value:
        import base64
        import binascii
        try:
            name, sep, token = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        return (name, token) if sep and token else (None, None)
    return None, None


def require(role: str) -> Response | None:
    """None when the caller has `role`, else the 401/403 answer to return."""
    if g.get("role") is None:
        return _deny(401, "this service needs a token: send 'Authorization: Bearer <token>'")
    if not role_at_least(g.role, role):
        if not g.get("account"):
            return _deny(401, f"this needs the {role} role: send 'Authorization: Bearer <token>'")
        return _deny(403, f"{g.account.name} is a {g.role}: this needs the {role} role")
    return None


def current_agent() -> str:
    return g.account.name if g.get("account") else "anonymous"


def catalog(app=None) -> GraphCatalog:
    """The store's graph catalogue (which graphs are confidential), one per app."""
    ext = (app or current_app).extensions
    if "rightsgraph.catalog" not in ext:
        ext["rightsgraph.catalog"] = GraphCatalog(ext["rightsgraph.store"])
    return ext["rightsgraph.catalog"]


def hidden_graphs(store=None) -> frozenset[str]:
    """Graphs the caller must not see: none for cataloguers and admins."""
    return hidden_graphs_for(g.get("role"))


def hidden_graphs_for(role: str | None, app=None) -> frozenset[str]:
    """Graphs a caller of `role` must not see, in `app` (default the current one): none for
    cataloguers and admins; for readers the confidential graphs and the provenance graph."""
    if role_at_least(role, "cataloguer"):
        return frozenset()
    return hidden_from_readers(catalog(app).confidential())
