"""Signing in from a real browser (headless Chromium): the sign-in form, a wrong token, a
cataloguer's session that uploads a term sheet and sees its validation report and a report
page with its chart, then sign-out; in both languages, axe clean (web/signin.py)."""

from __future__ import annotations

import pytest

from ..conftest import REPO
from .conftest import wait_for_next_page

pytestmark = pytest.mark.server

WORDS = {"en": {"failed": "this token is not valid", "who": "Signed in: browser-librarian (cataloguer)",
                "valid": "conforms to all SHACL shapes", "sign in": "Sign in"},
         "zh": {"failed": "此令牌无效", "who": "已登录：browser-librarian（编目员）",
                "valid": "数据符合全部 SHACL 约束", "sign in": "登录"}}


def _click_and_wait(driver, by: str, value: str) -> None:
    """Click a submit button and wait for the next page (a POST and its redirect): a click
    returns before the browser has left the old page."""
    wait_for_next_page(driver, driver.find_element(by, value).click)


def _sign_in(driver, token: str) -> None:
    field = driver.find_element("id", "token")
    field.clear()
    field.send_keys(token)
    _click_and_wait(driver, "id", "signin")


@pytest.mark.parametrize("lang, n", [("en", "88"), ("zh", "87")])
def test_a_cataloguer_signs_in_uploads_a_term_sheet_and_signs_out(page, tmp_path, lang, n):
    words = WORDS[lang]
    driver = page.open(f"/signin?lang={lang}&next=/licences/upload").driver
    try:
        assert driver.find_element("id", "token").get_attribute("type") == "password"
        page.screenshot(f"signin-{lang}")
        page.assert_clean()

        # a wrong token: refused on the page, no session
        _sign_in(driver, "rg_not-a-token")
        assert words["failed"] in driver.find_element("id", "signin-error").text
        assert driver.get_cookie("rg_session") is None
        page.screenshot(f"signin-failed-{lang}")
        page.drain()        # the refusal is a 401 answer, as it should be: not a page fault
        serious = [v for v in page.axe() if v["impact"] in ("serious", "critical")]
        assert serious == [], serious

        # the cataloguer's token: back on the upload page, signed in
        _sign_in(driver, page.server.token)
        assert driver.current_url.endswith("/licences/upload")
        assert words["who"] in driver.find_element("id", "signed-in").text
        cookie = driver.get_cookie("rg_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and page.server.token not in cookie["value"]
        assert driver.execute_script("return document.cookie").find("rg_session") == -1   # HttpOnly
        page.screenshot(f"signin-upload-{lang}")
        page.assert_clean()

        sheet = tmp_path / f"L{n}.yaml"
        sheet.write_text((REPO / "data/demo/termsheets/L03.yaml").read_text(encoding="utf-8").replace("L03", f"L{n}"),
                         encoding="utf-8")
        driver.find_element("id", "sheet").send_keys(str(sheet))
        _click_and_wait(driver, "css selector", "form.stack button[type=submit]")
        result = driver.find_element("id", "upload-result")
        assert result.get_attribute("data-stage") == "valid" and words["valid"] in result.text
        page.screenshot(f"signin-upload-checked-{lang}")
        page.assert_clean()

        # a cataloguer's report page: its chart (an <img> of /api/v1/reports/…svg) loads too
        page.open("/reports/cost-per-use")
        from selenium.webdriver.support.ui import WebDriverWait
        # the load event came, now and then, with the chart's image still loading (complete:
        # false; fetched again it was a 200 SVG): wait until it has loaded or failed, then judge
        WebDriverWait(driver, 60, poll_frequency=0.1).until(
            lambda d: d.execute_script("return document.querySelector('figure.chart img').complete"))
        assert driver.execute_script("return document.querySelector('figure.chart img').naturalWidth") > 0
        page.assert_clean()

        _click_and_wait(driver, "id", "signout")
        assert driver.find_elements("id", "signed-in") == []
        assert driver.find_element("id", "signin-link").text == words["sign in"]
        assert driver.get_cookie("rg_session") is None
        page.screenshot(f"signed-out-{lang}")
        page.assert_clean()
        page.open("/licences/upload")     # a reader again
        assert driver.find_element("css selector", "p.error").text
        page.drain()
    finally:
        driver.delete_cookie("rg_session")
