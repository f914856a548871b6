"""Every page in a real browser (headless Chromium), in both languages: no console errors,
no failed requests, no serious accessibility violations (axe-core), a screenshot each;
and the librarian's tasks: find a Chinese title, ask a question and share it, switch language."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest

pytestmark = pytest.mark.server

DEMO = "https://demo.rightsgraph.org/"
EEJ = DEMO + "resource/0002"
PAGES = {
    "home": "/",
    "search": "/search?" + urlencode({"q": "大气"}),
    "resource": "/resource?" + urlencode({"iri": EEJ}),
    "licences": "/licences",
    "licence": "/licence?" + urlencode({"iri": DEMO + "licence/L01"}),
    "compare": "/licences/compare?" + urlencode([("l", DEMO + "licence/L01"), ("l", DEMO + "licence/L03")]),
    "decide": "/decide?" + urlencode({"target": EEJ, "action": "print", "assignee": DEMO + "party/dalc-authorised-users",
                                      "count": "3"}),
    "reports": "/reports",
}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_cleanly_and_accessibly(page, name, lang):
    path = PAGES[name]
    page.open(path + ("&" if "?" in path else "?") + "lang=" + lang)
    driver = page.driver
    assert driver.find_element("tag name", "html").get_attribute("lang") == ("zh-Hans" if lang == "zh" else "en")
    assert driver.find_element("tag name", "h1").text.strip()
    page.screenshot(f"{name}-{lang}")
    page.assert_clean()


def test_search_finds_a_chinese_title_typed_in_chinese(page):
    driver = page.open("/search?lang=zh").driver
    box = driver.find_element("id", "q")
    box.send_keys("大气科学")
    page.follow(box.submit)
    links = driver.find_elements("css selector", "table a[href^='/resource']")
    assert "大气科学进展" in [a.text for a in links]
    page.follow(next(a for a in links if a.text == "大气科学进展"))
    assert driver.find_element("tag name", "h1").text == "大气科学进展"
    assert "1157-3570" in driver.page_source


def test_a_decision_round_trips_and_its_link_asks_again(page):
    from selenium.webdriver.support.ui import Select
    driver = page.open("/decide?lang=en").driver
    driver.find_element("id", "target").send_keys(EEJ)
    Select(driver.find_element("id", "action")).select_by_value("print")
    Select(driver.find_element("id", "assignee")).select_by_value(DEMO + "party/dalc-authorised-users")
    driver.find_element("id", "count").send_keys("60")
    page.follow("form.stack button[type=submit]")
    verdict = driver.find_element("css selector", ".verdict")
    assert (verdict.get_attribute("data-decision"), verdict.get_attribute("data-reason")) == ("deny", "constraint-unsatisfied")
    assert "DENY" in verdict.text
    # the form kept the question: change the count and ask again
    count = driver.find_element("id", "count")
    assert count.get_attribute("value") == "60"
    count.clear()
    count.send_keys("3")
    page.follow("form.stack button[type=submit]")
    assert driver.find_element("css selector", ".verdict").get_attribute("data-decision") == "permit"
    # the shareable link gives the same answer in a fresh page
    link = driver.find_element("xpath", "//a[starts-with(@href, '/decide?')]").get_attribute("href")
    driver.delete_all_cookies()
    driver.get(link)
    assert driver.find_element("css selector", ".verdict").get_attribute("data-decision") == "permit"
    console, failed = page.drain()
    assert console == [] and failed == [], (console, failed)


def test_the_decision_form_picks_the_resource_by_title_and_sends_its_iri(page):
    """The resource field shows titles (title-picker.js); the question asked is the IRI's."""
    from selenium.webdriver.support.ui import Select
    driver = page.open("/decide?lang=en").driver
    box = driver.find_element("id", "target")
    assert not box.get_attribute("name")          # the script moved the name to a hidden field
    offered = driver.execute_script(
        "return Array.from(document.querySelectorAll('#resources option')).map(o => [o.value, o.label]);")
    title = next(shown for shown, iri in offered if iri == EEJ)
    assert title and not title.startswith("http"), offered[:3]
    box.send_keys(title)
    carrier = driver.find_element("css selector", "input[data-picked-iri='target']")
    assert carrier.get_attribute("value") == EEJ
    Select(driver.find_element("id", "action")).select_by_value("print")
    Select(driver.find_element("id", "assignee")).select_by_value(DEMO + "party/dalc-authorised-users")
    driver.find_element("id", "count").send_keys("3")
    page.follow("form.stack button[type=submit]")
    assert "target=" + quote(EEJ, safe="") in driver.current_url      # the IRI, not the title
    assert driver.find_element("css selector", ".verdict").get_attribute("data-decision") == "permit"
    # the answer's form shows the title again, and still carries the IRI
    assert driver.find_element("id", "target").get_attribute("value") == title
    assert driver.find_element("css selector", "input[data-picked-iri='target']").get_attribute("value") == EEJ
    page.screenshot("decide-picked-en")
    page.assert_clean()


def test_the_language_switch_changes_and_is_remembered(page):
    driver = page.open("/licences?lang=zh").driver
    assert driver.find_element("tag name", "h1").text == "许可协议"
    page.follow("nav.langs a[hreflang=en]")
    assert driver.find_element("tag name", "h1").text == "Licences"
    assert driver.current_url.endswith("/licences?lang=en")
    page.follow(driver.find_element("link text", "Search"))           # the choice stays without ?lang=
    assert driver.find_element("tag name", "h1").text == "Find a title"
    page.follow("nav.langs a[hreflang=zh]")
    page.follow(driver.find_element("link text", "首页"))
    assert driver.find_element("tag name", "html").get_attribute("lang") == "zh-Hans"


def test_chinese_text_renders_with_a_cjk_font(page):
    """Without a CJK font, headless Chromium draws every Chinese character as an empty box of
    one fixed width; with one, 大 and 一 fill the same advance but differ in ink. Measured on
    a canvas: the pixels of two different characters must differ."""
    driver = page.open("/?lang=zh").driver
    differ = driver.execute_script("""
        const c = document.createElement('canvas'); c.width = 64; c.height = 64;
        const x = c.getContext('2d');
        const font = getComputedStyle(document.body).fontFamily;
        const ink = ch => { x.clearRect(0, 0, 64, 64); x.font = '48px ' + font; x.fillText(ch, 4, 52);
                            return Array.from(x.getImageData(0, 0, 64, 64).data).join(','); };
        return ink('大') !== ink('一') && ink('一') !== ink('口');""")
    assert differ, "install fonts-noto-cjk: Chinese renders as boxes"


L01_TITLE = "DALC - Aldgate STM Journals consortium agreement 2025-2027"
L03_TITLE = "Library A - PASAS Society Journals subscription 2024-2026"


def _licence_fields(driver) -> list[tuple[str, str]]:
    """(what each licence field shows, the IRI the form sends for it)."""
    out = []
    for box in driver.find_elements("css selector", "input[list='licence-options']"):
        carrier = driver.find_element("css selector", f"input[data-picked-iri='{box.get_attribute('id')}']")
        out.append((box.get_attribute("value"), carrier.get_attribute("value")))
    return out


def test_compare_picks_licences_by_title_and_sends_their_iris(page):
    driver = page.open("/licences/compare?lang=en").driver
    first, second = driver.find_element("id", "l0"), driver.find_element("id", "l1")
    assert not first.get_attribute("name")          # the script moved the name to a hidden field
    # the list offers titles (what a pick puts in the field), each with its IRI beside it
    offered = driver.execute_script(
        "return Array.from(document.querySelectorAll('#licence-options option')).map(o => [o.value, o.label]);")
    assert [L01_TITLE, DEMO + "licence/L01"] in offered
    first.send_keys(L01_TITLE)
    second.send_keys(L03_TITLE)
    assert _licence_fields(driver) == [(L01_TITLE, DEMO + "licence/L01"), (L03_TITLE, DEMO + "licence/L03")]
    page.follow("form.inline button[type=submit]")
    assert "l=" + quote(DEMO + "licence/L01", safe="") in driver.current_url      # the IRIs, not the titles
    heads = [a.text for a in driver.find_elements("css selector", "#compare thead a")]
    assert heads == [L01_TITLE, L03_TITLE]
    assert driver.find_elements("css selector", "#compare tbody tr.differs")
    # the fields of the answer show the titles again, and a third field for one more
    assert _licence_fields(driver)[:2] == [(L01_TITLE, DEMO + "licence/L01"), (L03_TITLE, DEMO + "licence/L03")]
    page.screenshot("compare-picked-en")
    page.assert_clean()


def test_compare_works_without_javascript_as_before(page):
    """Progressive enhancement: without the script the fields hold IRIs and the form sends them."""
    driver = page.driver
    driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        page.open("/licences/compare?lang=zh")
        box = driver.find_element("id", "l0")
        assert box.get_attribute("name") == "l"
        box.send_keys(DEMO + "licence/L01")
        driver.find_element("id", "l1").send_keys(DEMO + "licence/L03")
        page.follow("form.inline button[type=submit]")
        assert driver.find_element("css selector", "#compare thead a").text.startswith("东海高校图书馆联盟")
        assert driver.find_element("id", "l0").get_attribute("value") == DEMO + "licence/L01"
    finally:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
