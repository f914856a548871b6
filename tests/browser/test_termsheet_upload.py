"""Uploading a term sheet in a real browser (headless Chromium) as a cataloguer: the
validation report on the page, nothing stored until confirmed, in both languages."""

from __future__ import annotations

import pytest

from ..conftest import REPO

pytestmark = pytest.mark.server


@pytest.mark.parametrize("lang, n", [("en", "96"), ("zh", "95")])
def test_an_uploaded_sheet_is_checked_then_stored_when_confirmed(cataloguer_page, tmp_path, lang, n):
    page = cataloguer_page
    sheet = tmp_path / f"L{n}.yaml"
    sheet.write_text((REPO / "data/demo/termsheets/L03.yaml").read_text(encoding="utf-8").replace("L03", f"L{n}"),
                     encoding="utf-8")
    driver = page.open(f"/licences/upload?lang={lang}").driver
    page.screenshot(f"upload-{lang}")
    page.assert_clean()
    driver.find_element("id", "sheet").send_keys(str(sheet))
    page.follow("form.stack button[type=submit]")
    result = driver.find_element("id", "upload-result")
    assert result.get_attribute("data-stage") == "valid"
    assert ("数据符合全部 SHACL 约束" if lang == "zh" else "conforms to all SHACL shapes") in result.text
    page.screenshot(f"upload-checked-{lang}")
    page.assert_clean()
    # not stored yet: the licence has no page
    import requests
    licence = f"https://demo.rightsgraph.org/licence/L{n}"
    auth = {"Authorization": f"Bearer {page.server.token}"}
    assert requests.get(page.server.url + "/licence", params={"iri": licence}, headers=auth, timeout=60).status_code == 404
    page.follow("#confirm")
    assert driver.find_element("id", "upload-result").get_attribute("data-stage") == "stored"
    page.follow("#upload-result a")
    assert driver.find_element("tag name", "h1").text.strip()
    assert f"licence/L{n}" in driver.current_url.replace("%2F", "/")
