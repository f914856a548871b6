"""The report pages and the home page's risks, as a cataloguer in a real browser (headless
Chromium), in both languages: no console errors, no failed requests, no serious axe
violations, the charts drawn, a screenshot each; and a reader sees no risks."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.server

REPORTS = ["assets", "risks", "usage", "cost-per-use", "demand", "preservation"]



@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", REPORTS)
def test_each_report_page_loads_with_its_tables_csv_and_chart(cataloguer_page, name, lang):
    page = cataloguer_page
    driver = page.open(f"/reports/{name}?lang={lang}").driver
    assert driver.find_element("tag name", "h1").text.strip()
    assert driver.find_elements("css selector", "table[data-table] tbody tr")
    links = driver.find_elements("css selector", "a[download]")
    assert links and all("format=csv" in a.get_attribute("href") for a in links)
    charts = driver.find_elements("css selector", "figure.chart img")
    assert len(charts) == 1
    assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", charts[0]) > 100
    page.screenshot(f"report-{name}-{lang}")
    page.assert_clean()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_home_page_shows_a_cataloguer_expiring_licences_and_open_risks(cataloguer_page, lang):
    page = cataloguer_page
    driver = page.open(f"/?lang={lang}").driver
    assert driver.find_elements("css selector", "table#expiring a[href^='/licence?iri=']")
    assert int(driver.find_element("id", "open-risks").text) > 0
    page.screenshot(f"home-cataloguer-{lang}")
    page.assert_clean()
    page.follow("a[href='/reports/risks']")
    assert driver.current_url.endswith("/reports/risks")


def test_a_reader_sees_no_risks_on_the_home_page(page):
    driver = page.open("/?lang=en").driver
    assert not driver.find_elements("id", "expiring") and not driver.find_elements("id", "open-risks")
    assert "shown to cataloguers" in driver.find_element("tag name", "main").text
