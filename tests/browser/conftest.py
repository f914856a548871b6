"""A real `rightsgraph serve` with the demo world, and headless Chromium driven by Selenium."""

from __future__ import annotations

import json

import pytest

from ..conftest import REPO, ServerProcess, run_cli
from ..prerequisites import need

SCREENSHOTS = REPO / "var" / "screenshots"
AXE = REPO / "tests" / "browser" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser") / "data"
    out = run_cli("demo", "--no-serve", data_dir=data)
    assert out.returncode == 0, out.stderr
    # the preserved content `make demo` sets up too (the preservation report's page)
    from rightsgraph.demo import load_demo_content
    from rightsgraph.store.embedded import EmbeddedStore
    with EmbeddedStore(data / "store") as store:
        load_demo_content(store, say=lambda line: None)
    # a cataloguer's token, for the pages only cataloguers see (Page.as_cataloguer)
    token = run_cli("user", "add", "browser-librarian", "--role", "cataloguer", data_dir=data, check=True)
    # pages are under test, not the home page's bounded wait for its first risk report
    srv = ServerProcess(data, "serve", env={"RIGHTSGRAPH_HOME_RISKS_FIRST_WAIT": "120"})
    srv.token = token.stdout.strip().splitlines()[0]
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser():
    chromium = need("chromium", why="the browser tests drive Debian's Chromium")
    driver_path = need("chromedriver", why="Selenium drives Chromium through chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=en-GB", "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(120)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()



def wait_for_next_page(driver, act, timeout: float = 120) -> None:
    """Do `act` (a click that submits or follows) and wait until a new document is loaded.
    The old page is marked with a window property that the next document does not have;
    waiting for an element of the old page to go stale instead made chromedriver fail now
    and then with "Node with given id does not belong to the document" (CI, stop 18)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    driver.execute_script("window.__rgOldPage = true;")
    act()

    def loaded(d) -> bool:
        try:
            return bool(d.execute_script(
                "return window.__rgOldPage === undefined && document.readyState === 'complete';"))
        except WebDriverException:      # the page is between documents
            return False
    WebDriverWait(driver, timeout, poll_frequency=0.1).until(loaded)

class Page:
    """One page load: the browser's console and network records since the last load."""

    def __init__(self, driver, server):
        self.driver, self.server = driver, server

    def open(self, path: str):
        self.drain()
        self.driver.get(self.server.url + path)
        return self

    def drain(self) -> tuple[list, list]:
        """(console errors, failed requests) since the last call."""
        console = [e for e in self.driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        failed = []
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.responseReceived" and msg["params"]["response"]["status"] >= 400:
                failed.append((msg["params"]["response"]["status"], msg["params"]["response"]["url"]))
            elif msg["method"] == "Network.loadingFailed" and not msg["params"].get("canceled"):
                failed.append((msg["params"].get("errorText"), msg["params"].get("requestId")))
        return console, failed

    def assert_clean(self, axe_exclude: str | None = None) -> None:
        """No console error, no failed request, no serious or critical axe violation."""
        console, failed = self.drain()
        assert console == [], console
        assert failed == [], failed
        serious = [v for v in self.axe(exclude=axe_exclude) if v["impact"] in ("serious", "critical")]
        assert serious == [], serious

    def axe(self, exclude: str | None = None) -> list[dict]:
        """axe-core's WCAG 2.1 A/AA violations on the current page (outside `exclude`, a CSS selector)."""
        self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1]; const exclude = arguments[0];"
            "axe.run(exclude ? {include: [document], exclude: [exclude]} : document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 3).map(n => n.html)}))), e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));",
            exclude)

    def follow(self, target) -> None:
        """Click what submits a form or follows a link (an element, a CSS selector, or a callable such as a box's submit), and
        wait until the next page has replaced this one: reading right after a click can
        find the old page's element (its .verdict, its h1) and make a test fail now and then."""
        if callable(target):          # e.g. a text box's submit
            act = target
        else:
            act = (self.driver.find_element("css selector", target) if isinstance(target, str) else target).click
        wait_for_next_page(self.driver, act)

    def as_cataloguer(self, on: bool = True) -> None:
        """Send the cataloguer's token with every request from now on, as a proxy in front of
        the pages would (test_signin.py signs in through the form instead)."""
        self.driver.execute_cdp_cmd("Network.enable", {})
        headers = {"Authorization": f"Bearer {self.server.token}"} if on else {}
        self.driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})

    def screenshot(self, name: str) -> None:
        # the whole page, not just the window: the long tables are what a librarian reads
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1280, min(max(height, 800), 6000))
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
        self.driver.set_window_size(1280, 1000)


@pytest.fixture
def page(browser, demo_server):
    return Page(browser, demo_server)


@pytest.fixture
def cataloguer_page(page):
    page.as_cataloguer()
    yield page
    page.as_cataloguer(False)
