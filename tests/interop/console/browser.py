"""A headless Chromium driven by Selenium for the console tests: a fresh profile per browser,
a screenshot of every page visited (under target/console-screenshots/), and an axe-core
accessibility check of every page (the vendored axe.min.js, injected into the page)."""

import pathlib
import re
import shutil
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from echo_wire import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = REPO / "target" / "console-screenshots"
AXE = (pathlib.Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WAIT_SECONDS = 30
# axe impacts that fail a page.
BLOCKING_IMPACTS = ("serious", "critical")


class Browser:
    def __init__(self, base_url, label):
        self.base_url = base_url
        self.label = label
        self.count = 0
        self.profile = tempfile.mkdtemp(prefix="console-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--ignore-certificate-errors", "--window-size=1280,1000",
                     "--user-data-dir=" + self.profile):
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(WAIT_SECONDS)
        self.driver.set_script_timeout(WAIT_SECONDS)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def close(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    # ------------------------------------------------------------ pages

    def visit(self, path):
        self.driver.get(self.base_url + path)
        return self.page()

    def page(self):
        """The page now shown: screenshot and accessibility check; returns its <h1> text."""
        self.shot()
        self.check_accessibility()
        return self.heading()

    def heading(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def shot(self, note=""):
        self.count += 1
        path = self.driver.current_url.split("/console/", 1)[-1].split("?")[0] or "home"
        name = "%s-%02d-%s%s.png" % (self.label, self.count, re.sub(r"[^A-Za-z0-9]+", "_", path)[:60],
                                     ("-" + note) if note else "")
        self.driver.save_screenshot(str(SCREENSHOTS / name))

    def check_accessibility(self):
        self.driver.execute_script(AXE)
        violations = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.html).slice(0, 3)}))))"
            ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, "accessibility violations on %s: %s" % (self.driver.current_url, blocking)

    # ------------------------------------------------------------ interaction

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, css, text):
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def click(self, css):
        """Clicks and checks the page it leads to."""
        self.find(css).click()
        return self.page()

    def wait_for(self, condition, message):
        return WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.2).until(
            lambda _driver: condition(), message)

    def sign_in(self, name, password):
        self.visit("/console/sign-in")
        self.fill("#username", name)
        self.fill("#password", password)
        return self.click("form[action='/console/sign-in'] button")

    def sign_out(self):
        return self.click("form[action='/console/sign-out'] button")
