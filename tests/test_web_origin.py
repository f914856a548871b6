"""Cross-site form posts (web/origin_check.py, docs/web.md "Signing in"): the sign-in form and
every unsafe request authenticated by the session cookie must name this site in `Origin`, or
without one in `Referer`; neither, `null` or another site is a 403 (a page, or JSON when asked)
in the page's language, and nothing is done. Bearer clients are not checked. Behind a proxy the
site is the public one only when the app trusts the proxy (RG_BEHIND_PROXY)."""

from __future__ import annotations

import io
import re

import pytest

from .test_web_signin import SHEET, World, _cookie, _csrf, _who

HAN = re.compile(r"[\u4e00-\u9fff]")
REFUSED_EN = "Origin or Referer names another site"
REFUSED_ZH = "不是来自本站页面"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(tmp_path_factory.mktemp("origin"))


def _app(world, **settings):
    """The app with Flask's own test client, which sends no Origin unless told."""
    app = world.app(RG_SIGNIN_ATTEMPTS=1000, **settings)
    app.test_client_class = None
    return app


@pytest.fixture(scope="module")
def app(world):
    return _app(world)


def _sign_in(client, token, **headers):
    return client.post("/signin", data={"token": token}, headers=headers)


@pytest.mark.parametrize("headers", [
    {},                                                            # neither: a non-browser, or a stripped header
    {"Origin": "null"},                                            # an opaque origin (sandboxed frame, data: URL)
    {"Origin": "https://evil.example"},
    {"Origin": "http://localhost:8080"},                           # another port is another origin
    {"Origin": "https://localhost"},                               # another scheme too
    {"Referer": "https://evil.example/page"},
    {"Origin": "https://evil.example", "Referer": "http://localhost/signin"},   # Origin decides when sent
])
def test_a_sign_in_not_from_this_sites_page_is_refused(world, app, headers):
    client = app.test_client()
    resp = _sign_in(client, world.tokens["librarian"], **headers)
    assert resp.status_code == 403 and REFUSED_EN in resp.get_data(as_text=True)
    assert _cookie(client) is None


@pytest.mark.parametrize("headers", [
    {"Origin": "http://localhost"},
    {"Origin": "HTTP://LOCALHOST:80"},                             # the same origin, written otherwise
    {"Referer": "http://localhost/signin?next=/licences"},         # no Origin: the Referer's origin
])
def test_a_sign_in_from_this_sites_page_is_taken(world, app, headers):
    client = app.test_client()
    assert _sign_in(client, world.tokens["librarian"], **headers).status_code == 303
    assert _who(client.get("/").get_data(as_text=True)) == "librarian/cataloguer"


@pytest.mark.parametrize("lang, words", [("en", REFUSED_EN), ("zh", REFUSED_ZH)])
def test_the_refusal_is_a_page_or_json_in_the_callers_language(world, app, lang, words):
    page = _sign_in(app.test_client(), world.tokens["librarian"], **{"Accept-Language": lang})
    assert page.status_code == 403 and page.content_type.startswith("text/html") and words in page.get_data(as_text=True)
    asked = _sign_in(app.test_client(), world.tokens["librarian"], **{"Accept-Language": lang,
                                                                        "Accept": "application/json"})
    body = asked.get_json()
    assert asked.status_code == 403 and words in body["error"]
    assert REFUSED_EN in body["en"] and REFUSED_ZH in body["zh"] and HAN.search(body["zh"])


def _signed_in(app, world):
    client = app.test_client()
    assert _sign_in(client, world.tokens["librarian"], Origin="http://localhost").status_code == 303
    return client


def _upload(client, name: str, **headers):
    data = {"sheet": (io.BytesIO(SHEET.replace("L03", name).encode()), f"{name}.yaml"),
            "csrf_token": _csrf(client), "confirm": "1"}
    return client.post("/licences/upload", data=data, content_type="multipart/form-data", headers=headers)


def _stored(world, name: str) -> bool:
    return bool(world.store.query(f"ASK {{ GRAPH ?g {{ <https://demo.rightsgraph.org/licence/{name}> ?p ?o }} }}"))


@pytest.mark.parametrize("headers", [{}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/"},
                                     {"Origin": "null"}])
def test_a_cookie_session_post_from_elsewhere_is_refused_even_with_its_csrf_token(world, app, headers):
    client = _signed_in(app, world)
    resp = _upload(client, "L71", **headers)
    assert resp.status_code == 403 and REFUSED_EN in resp.get_data(as_text=True)
    assert not _stored(world, "L71")
    out = client.post("/signout", data={"csrf_token": _csrf(client)}, headers=headers)
    assert out.status_code == 403
    assert _who(client.get("/").get_data(as_text=True)) == "librarian/cataloguer"        # still signed in


def test_a_cookie_session_post_from_this_site_is_taken(world, app):
    client = _signed_in(app, world)
    resp = _upload(client, "L72", Referer="http://localhost/licences/upload")
    assert resp.status_code == 200 and 'data-stage="stored"' in resp.get_data(as_text=True) and _stored(world, "L72")
    out = client.post("/signout", data={"csrf_token": _csrf(client)}, headers={"Origin": "http://localhost"})
    assert out.status_code == 303 and _who(client.get("/").get_data(as_text=True)) is None


def test_a_bearer_client_sends_no_origin_and_needs_none(world, app):
    resp = app.test_client().post(
        "/licences/upload", content_type="multipart/form-data",
        data={"sheet": (io.BytesIO(SHEET.replace("L03", "L73").encode()), "L73.yaml"), "confirm": "1"},
        headers={"Authorization": f"Bearer {world.tokens['librarian']}"})
    assert resp.status_code == 200 and _stored(world, "L73")


PUBLIC = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "library.example", "X-Forwarded-For": "10.1.2.3"}


def test_behind_a_trusted_proxy_the_public_origin_is_this_site(world):
    proxied = _app(world, RG_BEHIND_PROXY=True)
    client = proxied.test_client()
    assert _sign_in(client, world.tokens["librarian"], Origin="https://library.example", **PUBLIC).status_code == 303
    assert _sign_in(proxied.test_client(), world.tokens["librarian"], Origin="http://localhost",
                    **PUBLIC).status_code == 403


def test_without_trust_forwarded_headers_do_not_make_another_site_this_one(world, app):
    """A client (or an unconfigured proxy) claiming X-Forwarded-Host: evil.example does not make
    a form of evil.example's pages count as this site's."""
    resp = _sign_in(app.test_client(), world.tokens["librarian"], Origin="https://evil.example",
                    **{**PUBLIC, "X-Forwarded-Host": "evil.example"})
    assert resp.status_code == 403
