"""Same-origin check of state-changing browser requests (OWASP CSRF Prevention Cheat Sheet,
"Verifying Origin with standard headers"; docs/web.md "Signing in").

The sign-in form's POST and every unsafe-method request authenticated by the session cookie
(sign-out, the term-sheet upload) must come from a page of this site: the `Origin` header
must name this site's origin; when a browser sends no Origin, the origin of `Referer` must;
when it sends neither, or either names another site (or `null`), the request is refused with
a 403. Requests authenticated by an `Authorization` header are not checked: programs send no
Origin, and a page of another site cannot make a browser send our token.

"This site's origin" is the request's own scheme, host and port (`request.host_url`). Behind
a reverse proxy it is the public one only when the app trusts the proxy's X-Forwarded-*
headers (`RG_BEHIND_PROXY`, which applies werkzeug's ProxyFix; web/app.py): nothing else
here reads those headers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, jsonify, render_template, request

from ..bilingual import in_lang
from ..translation import both
from .i18n import lang as page_lang

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str | None) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an absolute http(s) URL or serialised origin, lower-cased with
    the default port filled in; None for anything else (`null`, a relative or opaque URL)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:      # a port that is not a number, a malformed IPv6 host
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def from_this_site() -> bool:
    """Whether the request's Origin (or, without one, its Referer) names this site's origin."""
    sent = request.headers.get("Origin")
    if sent is None:
        sent = request.headers.get("Referer")
    own = origin_of(request.host_url)
    return own is not None and origin_of(sent) == own


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def origin_refused() -> Response | tuple:
    """403 in the page's language: an HTML page, or JSON for a client that asks for JSON
    ({"error": ..., "en": ..., "zh": ...})."""
    texts = both("This form did not come from this site's pages (the request's Origin or Referer names "
                 "another site, or neither was sent). Open the page again and resend the form.")
    message = in_lang(texts, page_lang())
    if _wants_json():
        resp = jsonify({"error": message, **texts})
        resp.status_code = 403
        return resp
    return render_template("error.html", status=403, message=message), 403
