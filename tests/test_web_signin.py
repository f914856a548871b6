"""Signing in to the librarians' pages (issue 15; web/signin.py, web/session.py, docs/web.md
"Signing in"): a session started with an API token, its cookie's flags, its end (sign-out,
idle and absolute lifetime, a revoked token, a new signing key), CSRF on the forms it sends,
API doors it never opens, the sign-in rate limit, and what a reader's session and a
cataloguer's session see. With Flask's test client, and against a real `rightsgraph serve`."""

from __future__ import annotations

import base64
import io
import json
import re
import time
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from .conftest import REPO, ServerProcess, load_demo_world, run_cli

L01 = "https://demo.rightsgraph.org/licence/L01"
L02 = "https://demo.rightsgraph.org/licence/L02"
# In L01's graph, marked confidential below: its title and its note
L01_TITLE = "DALC - Aldgate STM Journals consortium agreement"
L01_NOTE = "Consortium-wide: all five libraries"
RESOURCE = "https://demo.rightsgraph.org/resource/0145"      # in L01's package
# A resource only a confidential graph holds: found by search for cataloguers only
SECRET_RESOURCE = "https://demo.rightsgraph.org/resource/sealed-9001"
SECRET_TITLE = "Quarterly of Sealed Negotiations"
SECRET_TTL = f"""@prefix rg: <https://w3id.org/rightsgraph/ns#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
<{SECRET_RESOURCE}> a rg:Resource ; dct:title "{SECRET_TITLE}"@en, "密封谈判季刊"@zh ;
    rg:resourceType rg:Database ; dct:publisher <https://demo.rightsgraph.org/party/aldgate> ;
    odrl:partOf <https://demo.rightsgraph.org/package/aldgate-stm-journals> .
"""
SECRET_GRAPH = "https://w3id.org/rightsgraph/graph/data/sealed"
SHEET = (REPO / "data" / "demo" / "termsheets" / "L03.yaml").read_text(encoding="utf-8")


class Browser(FlaskClient):
    """Flask's test client sending `Origin` with a POST, as a browser does for a form of the
    page it shows (the origin of the request's own base URL), unless the test gives one."""

    def open(self, *args, **kwargs):
        if kwargs.get("method", "GET") not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.get("headers") or {})
            if not any(name.lower() in ("origin", "referer") for name in headers):
                base = urlsplit(kwargs.get("base_url") or "http://localhost")
                headers["Origin"] = f"{base.scheme}://{base.netloc}"
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


class World:
    def __init__(self, base):
        from rightsgraph.accounts import Accounts
        from rightsgraph.confidentiality import set_confidential
        from rightsgraph.licences.registry import graph_for_licence
        from rightsgraph.loading import load_files
        from rightsgraph.store.embedded import EmbeddedStore
        self.base = base
        self.store = load_demo_world(EmbeddedStore(base / "store"))
        (base / "sealed.ttl").write_text(SECRET_TTL, encoding="utf-8")
        load_files(self.store, [base / "sealed.ttl"], graph=SECRET_GRAPH)
        set_confidential(self.store, graph_for_licence(L01).value)
        set_confidential(self.store, SECRET_GRAPH)
        self.accounts_file = base / "accounts.json"
        self.accounts = Accounts(self.accounts_file)
        self.tokens = {name: self.accounts.add(name, role) for name, role in
                       (("librarian", "cataloguer"), ("visitor", "reader"), ("keeper", "admin"))}

    def app(self, **settings):
        from rightsgraph.web.app import create_app
        app = create_app(self.store, settings={"RG_ACCOUNTS_FILE": str(self.accounts_file), "RG_QUERY_TIMEOUT": 0,
                                               **settings})
        app.test_client_class = Browser
        return app


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return World(tmp_path_factory.mktemp("signin"))


@pytest.fixture(scope="module")
def app(world):
    return world.app()


@pytest.fixture(autouse=True)
def no_failed_sign_ins_yet(world):
    """Failed sign-ins are kept beside the accounts (shared by a store's processes): each test
    starts with none, as the module's store is shared."""
    import sqlite3
    from rightsgraph.web.signin import AttemptLimit
    path = world.accounts_file.parent / AttemptLimit.FILE
    if path.exists():
        with sqlite3.connect(path) as db:
            db.execute("DELETE FROM failure")
    yield


def _sign_in(client, token: str, next_path: str = "/", lang: str = "en"):
    return client.post("/signin", data={"token": token, "next": next_path}, headers={"Accept-Language": lang})


def _signed_in_client(app, token: str):
    client = app.test_client()
    assert _sign_in(client, token).status_code == 303
    return client


def _csrf(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _cookie(client):
    return client.get_cookie("rg_session")


def _who(page: str) -> str | None:
    found = re.search(r'id="signed-in" data-account="([^"]*)" data-role="([^"]*)"', page)
    return f"{found.group(1)}/{found.group(2)}" if found else None


def _fresh_account(world, name: str, role: str = "cataloguer") -> str:
    return world.accounts.add(name, role)


# -- signing in and out ---------------------------------------------------------------

@pytest.mark.parametrize("lang, words, role", [("en", "Signed in: librarian (cataloguer)", "Sign out"),
                                               ("zh", "已登录：librarian（编目员）", "退出登录")])
def test_a_token_starts_a_session_that_the_header_shows(world, app, lang, words, role):
    client = app.test_client()
    form = client.get("/signin", headers={"Accept-Language": lang})
    assert form.status_code == 200 and 'name="token"' in form.get_data(as_text=True)
    assert 'type="password"' in form.get_data(as_text=True)
    resp = _sign_in(client, world.tokens["librarian"], "/licences/upload", lang)
    assert resp.status_code == 303 and resp.headers["Location"] == "/licences/upload"
    page = client.get("/licences/upload", headers={"Accept-Language": lang})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and words in text and role in text
    assert _who(text) == "librarian/cataloguer"


def test_the_cookie_holds_the_account_name_and_a_session_id_not_the_token(world, app):
    client = _signed_in_client(app, world.tokens["librarian"])
    value = _cookie(client).value
    assert world.tokens["librarian"] not in value
    payload = value.split(".")[0]
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(data) == {"a", "s"} and data["a"] == "librarian" and len(data["s"]) >= 32
    # the server's record of it: the id, not the token either
    sessions = json.loads((world.base / "sessions.json").read_text())
    assert data["s"] in sessions and world.tokens["librarian"] not in json.dumps(sessions)
    assert (world.base / "session.key").stat().st_mode & 0o777 == 0o600
    assert (world.base / "sessions.json").stat().st_mode & 0o777 == 0o600


def test_anonymous_pages_offer_sign_in(app):
    page = app.test_client().get("/licences?x=1", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert 'id="signin-link"' in page and "/signin?next=/licences%3Fx%3D1" in page and ">登录<" in page
    assert _who(page) is None


@pytest.mark.parametrize("lang, words", [("en", "this token is not valid"), ("zh", "此令牌无效")])
def test_a_wrong_token_is_refused_without_saying_whether_an_account_exists(world, app, lang, words):
    revoked = _fresh_account(world, f"gone-{lang}")
    world.accounts.revoke(f"gone-{lang}")
    answers = []
    for token in ("rg_" + "x" * 43, revoked, "librarian", ""):
        client = app.test_client()
        resp = _sign_in(client, token, lang=lang)
        assert resp.status_code == 401 and _cookie(client) is None
        assert "rg_session" not in resp.headers.get("Set-Cookie", "")
        text = resp.get_data(as_text=True)
        assert words in text
        answers.append(re.search(r'id="signin-error">([^<]*)<', text).group(1))
    assert len(set(answers)) == 1           # the same words whatever was wrong


def test_sign_out_ends_the_session_even_for_a_copied_cookie(world, app):
    client = _signed_in_client(app, world.tokens["librarian"])
    copied = _cookie(client).value
    resp = client.post("/signout", data={"csrf_token": _csrf(client)})
    assert resp.status_code == 303 and "rg_session=;" in resp.headers["Set-Cookie"]
    assert _who(client.get("/").get_data(as_text=True)) is None
    thief = app.test_client()
    thief.set_cookie("rg_session", copied)
    resp = thief.get("/licences/upload")
    assert resp.status_code == 401 and "Max-Age=0" in resp.headers.get("Set-Cookie", "")


def test_signing_in_again_replaces_the_session(world, app):
    client = _signed_in_client(app, world.tokens["librarian"])
    first = _cookie(client).value
    assert "Signing in again replaces this session" in client.get("/signin").get_data(as_text=True)
    assert _sign_in(client, world.tokens["visitor"]).status_code == 303
    assert _who(client.get("/").get_data(as_text=True)) == "visitor/reader"
    old = app.test_client()
    old.set_cookie("rg_session", first)
    assert _who(old.get("/").get_data(as_text=True)) is None


def test_a_sign_in_form_from_another_site_is_refused(world, app):
    client = app.test_client()
    resp = client.post("/signin", data={"token": world.tokens["librarian"]},
                       headers={"Origin": "https://evil.example", "Accept-Language": "zh"})
    assert resp.status_code == 403 and "不是来自本站页面" in resp.get_data(as_text=True) and _cookie(client) is None
    same = client.post("/signin", data={"token": world.tokens["librarian"]}, headers={"Origin": "http://localhost"})
    assert same.status_code == 303 and _cookie(client) is not None


@pytest.mark.parametrize("target, landed", [("/licences?lang=zh", "/licences?lang=zh"), ("//evil.example/x", "/"),
                                            ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("", "/")])
def test_after_signing_in_the_browser_goes_to_a_page_of_this_site_only(world, app, target, landed):
    resp = _sign_in(app.test_client(), world.tokens["visitor"], target)
    assert resp.status_code == 303 and resp.headers["Location"] == landed


# -- the cookie's flags and its end ---------------------------------------------------

def _set_cookie_header(resp) -> str:
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("rg_session="))


def test_the_cookie_is_httponly_samesite_and_secure_over_https(world, app):
    plain = _set_cookie_header(_sign_in(app.test_client(), world.tokens["visitor"]))
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Path=/" in plain
    assert "Secure" not in plain and "Max-Age" not in plain and "Expires" not in plain   # forgotten at browser exit
    https = app.test_client()
    resp = https.post("/signin", data={"token": world.tokens["visitor"]}, base_url="https://library.example")
    flags = _set_cookie_header(resp)
    assert "Secure" in flags and "HttpOnly" in flags and "SameSite=Lax" in flags
    page = https.get("/", base_url="https://library.example")
    assert _who(page.get_data(as_text=True)) == "visitor/reader"
    assert page.headers["Cache-Control"] == "private, no-store" and "Cookie" in page.headers["Vary"]


def test_x_forwarded_proto_counts_only_behind_a_trusted_proxy(world, app):
    forwarded = {"X-Forwarded-Proto": "https"}
    untrusted = app.test_client().post("/signin", data={"token": world.tokens["visitor"]}, headers=forwarded)
    assert "Secure" not in _set_cookie_header(untrusted)
    proxied = world.app(RG_BEHIND_PROXY=True).test_client()
    trusted = proxied.post("/signin", data={"token": world.tokens["visitor"]},
                           headers={**forwarded, "X-Forwarded-For": "10.1.2.3", "Origin": "https://localhost"})
    assert "Secure" in _set_cookie_header(trusted)


def test_a_revoked_token_ends_its_sessions_at_once(world, app):
    token = _fresh_account(world, "temp-cataloguer")
    client = _signed_in_client(app, token)
    assert client.get("/licences/upload").status_code == 200
    world.accounts.revoke("temp-cataloguer")
    resp = client.get("/licences/upload")
    assert resp.status_code == 401 and "Max-Age=0" in resp.headers.get("Set-Cookie", "")
    assert _who(client.get("/").get_data(as_text=True)) is None


def test_a_new_token_for_the_same_name_does_not_revive_old_sessions(world, app):
    client = _signed_in_client(app, _fresh_account(world, "reissued"))
    copied = _cookie(client).value
    world.accounts.revoke("reissued")
    world.accounts.add("reissued", "cataloguer")
    old = app.test_client()
    old.set_cookie("rg_session", copied)
    assert old.get("/licences/upload").status_code == 401


def test_the_session_ends_after_its_lifetime_whatever_happens(world, app):
    client = _signed_in_client(app, world.tokens["librarian"])
    assert client.get("/licences/upload").status_code == 200
    sid = json.loads(base64.urlsafe_b64decode(_cookie(client).value.split(".")[0] + "==="))["s"]
    path = world.base / "sessions.json"
    sessions = json.loads(path.read_text())
    sessions[sid]["issued"] -= 8 * 3600 + 1        # signed in more than 8 hours ago (the default lifetime)
    path.write_text(json.dumps(sessions))
    assert client.get("/licences/upload").status_code == 401


def test_the_session_ends_when_idle_and_each_page_moves_the_idle_clock_on(world):
    app = world.app(RG_SESSION_IDLE_MINUTES=2 / 60)            # two seconds
    client = _signed_in_client(app, world.tokens["librarian"])
    time.sleep(1.2)
    resp = client.get("/licences/upload")
    assert resp.status_code == 200 and "rg_session=" in resp.headers.get("Set-Cookie", "")   # re-signed
    time.sleep(1.2)                                 # 2.4 s after sign-in, 1.2 s after the last page
    assert client.get("/licences/upload").status_code == 200
    time.sleep(3.5)
    assert client.get("/licences/upload").status_code == 401


def test_a_tampered_or_forged_cookie_is_anonymous(world, app):
    from itsdangerous import URLSafeTimedSerializer
    client = _signed_in_client(app, world.tokens["visitor"])
    value = _cookie(client).value
    payload, stamp, signature = value.split(".")
    sid = json.loads(base64.urlsafe_b64decode(payload + "==="))["s"]
    as_keeper = base64.urlsafe_b64encode(json.dumps({"a": "keeper", "s": sid}, separators=(",", ":"))
                                         .encode()).decode().rstrip("=")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    import hashlib
    other_key = URLSafeTimedSerializer(b"0" * 64, salt="rightsgraph.session",
                                       signer_kwargs={"digest_method": hashlib.sha256}).dumps({"a": "keeper", "s": sid})
    for forged in (f"{as_keeper}.{stamp}.{signature}", f"{payload}.{stamp}.{flipped}", other_key, "garbage",
                   f"{payload}.{stamp}"):
        thief = app.test_client()
        thief.set_cookie("rg_session", forged)
        resp = thief.get("/licences/upload")
        assert resp.status_code == 401, forged
        assert _who(thief.get("/").get_data(as_text=True)) is None
    assert _who(client.get("/").get_data(as_text=True)) == "visitor/reader"     # the real one still works


def test_a_new_signing_key_signs_everyone_out(tmp_path):
    world = World(tmp_path)
    app = world.app()
    client = _signed_in_client(app, world.tokens["librarian"])
    assert client.get("/licences/upload").status_code == 200
    key = tmp_path / "session.key"
    key.unlink()                                    # made again, new, on the next request
    assert client.get("/licences/upload").status_code == 401
    assert key.exists() and key.stat().st_mode & 0o777 == 0o600


def test_a_short_key_file_turns_sign_in_off_and_says_so(tmp_path, caplog):
    world = World(tmp_path)
    (tmp_path / "session.key").write_text("short\n")
    app = world.app()
    assert "at least 32 characters" in caplog.text and "sign-in is off" in caplog.text
    client = app.test_client()
    resp = client.get("/signin", headers={"Accept-Language": "zh"})
    assert resp.status_code == 503 and "没有可用的会话密钥" in resp.get_data(as_text=True)
    assert _sign_in(client, world.tokens["librarian"]).status_code == 503 and _cookie(client) is None
    assert client.get("/licences", headers={"Authorization": f"Bearer {world.tokens['librarian']}"}).status_code == 200


# -- CSRF and the doors the cookie never opens -----------------------------------------

def _upload(client, fields: dict, lang="en", **kwargs):
    data = {"sheet": (io.BytesIO(SHEET.replace("L03", "L90").encode()), "L90.yaml"), **fields}
    return client.post("/licences/upload", data=data, content_type="multipart/form-data",
                       headers={"Accept-Language": lang, **kwargs.pop("headers", {})}, **kwargs)


@pytest.mark.parametrize("lang, words", [("en", "security token is missing or wrong"), ("zh", "安全令牌缺失或有误")])
def test_a_form_sent_with_the_cookie_needs_the_sessions_csrf_token(world, app, lang, words):
    client = _signed_in_client(app, world.tokens["librarian"])
    other = _signed_in_client(app, world.tokens["librarian"])
    for fields in ({}, {"csrf_token": "0" * 64}, {"csrf_token": _csrf(other)}):   # none, wrong, another session's
        resp = _upload(client, fields, lang)
        text = resp.get_data(as_text=True)
        assert resp.status_code == 403 and words in text and resp.content_type.startswith("text/html")
        assert 'data-stage="valid"' not in text
    assert client.post("/signout", headers={"Accept-Language": lang}).status_code == 403
    assert _who(client.get("/").get_data(as_text=True)) == "librarian/cataloguer"     # still signed in
    resp = _upload(client, {"csrf_token": _csrf(client)}, lang)
    assert resp.status_code == 200 and 'data-stage="valid"' in resp.get_data(as_text=True)


def test_the_upload_pages_forms_carry_the_csrf_token_and_storing_works(world, app):
    client = _signed_in_client(app, world.tokens["librarian"])
    csrf = _csrf(client)
    form = client.get("/licences/upload").get_data(as_text=True)
    assert f'name="csrf_token" value="{csrf}"' in form.split('action="/licences/upload"')[1]
    checked = _upload(client, {"csrf_token": csrf}).get_data(as_text=True)
    confirm = checked.split('<form method="post" action="/licences/upload">')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', confirm))
    assert fields["csrf_token"] == csrf and fields["confirm"] == "1"
    stored = client.post("/licences/upload", data=fields)
    assert stored.status_code == 200 and 'data-stage="stored"' in stored.get_data(as_text=True)
    assert world.store.query("ASK { GRAPH ?g { <https://demo.rightsgraph.org/licence/L90> ?p ?o } }")
    provenance = world.store.query('ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "librarian")) } }')
    assert provenance, "the provenance record names the signed-in librarian"


def test_bearer_clients_need_no_cookie_and_no_csrf(world, app):
    client = app.test_client()
    resp = _upload(client, {}, headers={"Authorization": f"Bearer {world.tokens['librarian']}"})
    assert resp.status_code == 200 and 'data-stage="valid"' in resp.get_data(as_text=True)
    assert "rg_session" not in resp.headers.get("Set-Cookie", "")
    # a header wins over a cookie: a reader's session does not change what the token may do
    signed = _signed_in_client(app, world.tokens["visitor"])
    resp = _upload(signed, {}, headers={"Authorization": f"Bearer {world.tokens['librarian']}"})
    assert resp.status_code == 200


def test_the_cookie_never_authenticates_sparql_graph_store_json_or_admin_doors(world, app):
    client = _signed_in_client(app, world.tokens["keeper"])         # an admin's session
    csrf = _csrf(client)
    update = client.post("/sparql", data={"update": "INSERT DATA { GRAPH <urn:x:g> { <urn:x:a> <urn:x:b> 1 } }",
                                          "csrf_token": csrf})
    assert update.status_code == 401
    put = client.put("/store?graph=urn:x:g", data="<urn:x:a> <urn:x:b> 1 .", content_type="text/turtle")
    assert put.status_code == 401
    assert client.post("/admin/backup", data={"csrf_token": csrf}).status_code == 401
    assert client.get("/api/v1/reports/risks").status_code == 401             # JSON: readers may not, here
    assert not world.store.query("ASK { GRAPH <urn:x:g> { ?s ?p ?o } }")
    rows = client.get("/sparql", query_string={"query": f"ASK {{ GRAPH ?g {{ <{L01}> ?p ?o }} }}"},
                      headers={"Accept": "application/sparql-results+json"})
    assert rows.status_code == 200 and rows.get_json()["boolean"] is False        # answered as a reader
    assert client.get("/api/v1/reports/cost-per-use").status_code == 401         # the same report as JSON
    # the charts the report pages embed do take the cookie (GET only); this store has no usage
    # data, so the chart is "nothing to draw" (404) rather than 401
    assert client.get("/api/v1/reports/cost-per-use.svg").status_code == 404
    assert app.test_client().get("/api/v1/reports/cost-per-use.svg").status_code == 401
    # the risk report's chart (its page embeds it) too, though its JSON refused the cookie above
    chart = client.get("/api/v1/reports/risks.svg")
    assert chart.status_code == 200 and b"<svg" in chart.data
    assert app.test_client().get("/api/v1/reports/risks.svg").status_code == 401


# -- what a reader's session and a cataloguer's session see ----------------------------

PAGES = [("/licences", L01_TITLE), (f"/licence?iri={L01}", L01_NOTE),
         (f"/licences/compare?iri={L01}&iri={L02}", L01_TITLE), (f"/resource?iri={RESOURCE}", L01_TITLE),
         ("/reports/risks", L01_TITLE), ("/", L01_TITLE), ("/search?q=sealed+negotiations", SECRET_TITLE),
         (f"/resource?iri={SECRET_RESOURCE}", SECRET_TITLE)]


@pytest.mark.parametrize("path, secret", PAGES)
def test_a_readers_session_never_sees_confidential_terms_a_cataloguers_does(world, app, path, secret):
    reader = _signed_in_client(app, world.tokens["visitor"])
    cataloguer = _signed_in_client(app, world.tokens["librarian"])
    for lang in ("en", "zh"):
        seen = reader.get(path, headers={"Accept-Language": lang}).get_data(as_text=True)
        assert secret not in seen and "1245000" not in seen and "1,245,000" not in seen
        assert _who(seen) == "visitor/reader"            # the session, not anonymous
    shown = cataloguer.get(path, headers={"Accept-Language": "en"})
    assert shown.status_code == 200 and secret in shown.get_data(as_text=True)
    assert _who(shown.get_data(as_text=True)) == "librarian/cataloguer"


# -- bounded sign-in attempts, anonymous read off --------------------------------------

def test_sign_in_attempts_from_one_address_are_bounded(world):
    app = world.app(RG_SIGNIN_ATTEMPTS=3)
    client = app.test_client()
    for _ in range(3):
        assert _sign_in(client, "rg_wrong").status_code == 401
    for token in ("rg_wrong", world.tokens["librarian"]):       # even the right token waits now
        resp = _sign_in(client, token, lang="zh")
        assert resp.status_code == 429 and "登录失败次数过多" in resp.get_data(as_text=True)
        assert 0 < int(resp.headers["Retry-After"]) <= 601 and _cookie(client) is None
    elsewhere = app.test_client()
    resp = elsewhere.post("/signin", data={"token": world.tokens["librarian"]},
                          environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert resp.status_code == 303


def test_sign_in_attempts_are_counted_across_the_processes_of_a_store(world):
    """`serve --workers N` runs N processes: failures in one count in every other, so an
    address gets RG_SIGNIN_ATTEMPTS tries in all, not N times as many."""
    import subprocess
    import sys
    first, second = world.app(RG_SIGNIN_ATTEMPTS=4), world.app(RG_SIGNIN_ATTEMPTS=4)  # two workers' apps
    assert _sign_in(first.test_client(), "rg_wrong").status_code == 401
    assert _sign_in(second.test_client(), "rg_wrong").status_code == 401
    # a third process (another worker) fails twice more for the same address
    folder = str(world.accounts_file.parent)
    code = ("import sys; from rightsgraph.web.signin import AttemptLimit; from pathlib import Path\n"
            "limit = AttemptLimit(4, 600, folder=Path(sys.argv[1]))\n"
            "[limit.failed('127.0.0.1') for _ in range(2)]")
    subprocess.run([sys.executable, "-c", code, folder], check=True, timeout=60)
    resp = _sign_in(first.test_client(), world.tokens["librarian"])
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) > 0
    assert _sign_in(second.test_client(), world.tokens["librarian"]).status_code == 429
    other = second.test_client().post("/signin", data={"token": world.tokens["librarian"]},
                                      environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 303                                   # another address is not held up


def test_a_damaged_failures_file_keeps_the_limit_in_the_process(tmp_path):
    """The shared failures file unusable (here: not a database): sign-in keeps working and
    keeps its limit, counted in the process (a 500 would lock every librarian out)."""
    from rightsgraph.web.signin import AttemptLimit
    (tmp_path / AttemptLimit.FILE).write_bytes(b"this is not a SQLite database" * 100)
    limit = AttemptLimit(2, 600, folder=tmp_path)
    assert limit.retry_after("10.0.0.1") == 0
    limit.failed("10.0.0.1")
    limit.failed("10.0.0.1")
    assert limit.retry_after("10.0.0.1") > 0 and limit.retry_after("10.0.0.2") == 0


def test_with_anonymous_read_off_the_sign_in_page_is_the_way_in(world):
    app = world.app(RG_ANONYMOUS_READ=False)
    client = app.test_client()
    assert client.get("/licences").status_code == 401
    assert client.get("/signin").status_code == 200
    assert client.get("/static/rightsgraph.css").status_code == 200
    assert _sign_in(client, world.tokens["visitor"], "/licences").status_code == 303
    assert client.get("/licences").status_code == 200
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 401   # not a page
    # the public endpoint is off with anonymous read, even for a token: it answers no one
    resp = client.get("/public/sparql", query_string={"query": "ASK {}"},
                      headers={"Authorization": f"Bearer {world.tokens['visitor']}"})
    assert resp.status_code == 404 and "--no-anonymous-read" in resp.get_data(as_text=True)


def test_without_accounts_there_is_no_sign_in(world):
    from rightsgraph.web.app import create_app
    client = create_app(world.store, settings={"RG_QUERY_TIMEOUT": 0}).test_client()
    resp = client.get("/signin", headers={"Accept-Language": "zh"})
    assert resp.status_code == 404 and "本服务器没有账户" in resp.get_data(as_text=True)
    assert client.post("/signin", data={"token": "rg_x"}).status_code == 404


# -- a real server ----------------------------------------------------------------------

@pytest.mark.server
def test_signing_in_against_a_real_server(tmp_path):
    import requests
    data = tmp_path / "data"
    out = run_cli("demo", "--no-serve", data_dir=data)
    assert out.returncode == 0, out.stderr
    token = run_cli("user", "add", "web-librarian", "--role", "cataloguer", data_dir=data, check=True).stdout.strip()
    srv = ServerProcess(data, "serve", "--threads", "2", "--session-hours", "8", "--session-idle-minutes", "30")
    try:
        browser = requests.Session()
        browser.headers["Origin"] = srv.url         # as a browser sends with a form of the page it shows
        assert browser.get(srv.url + "/signin", timeout=60).status_code == 200
        resp = browser.post(srv.url + "/signin", data={"token": token, "next": "/licences/upload"},
                            allow_redirects=False, timeout=60)
        assert resp.status_code == 303 and resp.headers["Location"] == "/licences/upload"
        raw = resp.headers["Set-Cookie"]
        assert "HttpOnly" in raw and "SameSite=Lax" in raw and "Secure" not in raw and token not in raw
        assert (data / "session.key").stat().st_mode & 0o777 == 0o600
        page = browser.get(srv.url + "/licences/upload", timeout=60)
        assert page.status_code == 200 and _who(page.text) == "web-librarian/cataloguer"
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        files = {"sheet": ("L91.yaml", SHEET.replace("L03", "L91").encode(), "application/yaml")}
        assert browser.post(srv.url + "/licences/upload", files=files, timeout=120).status_code == 403
        checked = browser.post(srv.url + "/licences/upload", files=files, data={"csrf_token": csrf}, timeout=120)
        assert checked.status_code == 200 and 'data-stage="valid"' in checked.text
        # another process revokes the token (the CLI): the server's next answer is anonymous
        copied = browser.cookies.get("rg_session")
        assert run_cli("user", "revoke", "web-librarian", data_dir=data).returncode == 0
        assert browser.get(srv.url + "/licences/upload", timeout=60).status_code == 401
        # sign-out, with a second account
        token2 = run_cli("user", "add", "web-reader", "--role", "reader", data_dir=data, check=True).stdout.strip()
        browser = requests.Session()
        browser.headers["Origin"] = srv.url
        browser.post(srv.url + "/signin", data={"token": token2}, timeout=60)
        home = browser.get(srv.url + "/", timeout=60).text
        assert _who(home) == "web-reader/reader"
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
        assert browser.post(srv.url + "/signout", data={"csrf_token": csrf}, timeout=60).status_code == 200
        assert _who(browser.get(srv.url + "/", timeout=60).text) is None
        thief = requests.Session()
        thief.cookies.set("rg_session", copied)
        assert thief.get(srv.url + "/licences/upload", timeout=60).status_code == 401
    finally:
        srv.stop()
