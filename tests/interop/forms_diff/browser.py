"""NASA's @edsc/echoforms component in headless Chromium, and the engine through the CLI.

The page (harness.html) and the vendored bundle (web/vendor/echoforms/) are served from the
repository on 127.0.0.1 only; Chromium starts with no network features and a fresh profile.
"""

import functools
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import threading
import time

from lxml import etree

REPO = pathlib.Path(__file__).resolve().parents[3]
HARNESS = "/tests/interop/forms_diff/harness.html"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SETTLE_POLLS = 3
POLL_SECONDS = 0.02
MOUNT_TIMEOUT = 10


def chromium_paths():
    """(chromium, chromedriver) executables, or None when either is missing."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def engine_binary():
    """The built echo-gateway: $ECHO_GATEWAY_BIN, else under $CARGO_TARGET_DIR, else target/."""
    if os.environ.get("ECHO_GATEWAY_BIN"):
        return pathlib.Path(os.environ["ECHO_GATEWAY_BIN"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "debug" / "echo-gateway"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class LocalServer:
    """Serves the repository on a random 127.0.0.1 port."""

    def __init__(self):
        handler = functools.partial(QuietHandler, directory=str(REPO))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d%s" % (self.httpd.server_address[1], HARNESS)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Component:
    """The component mounted in one Chromium page, remounted for each form."""

    def __init__(self, browser, driver, url):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="echoforms-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in CHROMIUM_ARGS + ["--user-data-dir=%s" % self.profile]:
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service(driver), options=options)
        self.driver.get(url)

    def judge(self, xml):
        """(valid, pruned model XML, messages) once the component has settled on `xml`: the
        messages are the errors the page raised, then the field errors it shows."""
        self.driver.execute_script("window.mountForm(arguments[0])", xml)
        deadline = time.monotonic() + MOUNT_TIMEOUT
        last, stable = None, 0
        while time.monotonic() < deadline:
            state = self.driver.execute_script("return window.echoforms")
            ready = state["valid"] is not None and state["model"] is not None
            stable = stable + 1 if ready and state["updates"] == last else 0
            if stable >= SETTLE_POLLS or state["errors"]:
                return state["valid"], state["model"], state["errors"] + self.field_errors()
            last = state["updates"]
            time.sleep(POLL_SECONDS)
        return None, None, ["component did not settle in %ds" % MOUNT_TIMEOUT]

    def field_errors(self):
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll('.invalid-feedback'), e => e.textContent)"
        )

    def close(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


class Engine:
    """`echo-gateway forms validate FORM --json --output -` on each form."""

    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="echoforms-engine-")

    def judge(self, xml):
        """(valid, pruned selection XML, errors) of the form's own instance; each error is the
        engine's JSON (control_id, label, rule, message, alert)."""
        path = pathlib.Path(self.dir) / "form.xml"
        path.write_text(xml, encoding="utf-8")
        run = subprocess.run(
            [str(self.binary), "forms", "validate", str(path), "--json", "--output", "-"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if run.returncode not in (0, 1):
            return None, None, [{"message": run.stderr.strip()}]
        report = json.loads(run.stderr)
        return report["valid"], run.stdout.strip(), report["errors"]

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def canonical(xml):
    """An XML tree as nested tuples: whitespace-only text, prefixes and the component's
    `irrelevant` marker attribute do not count."""
    if xml is None:
        return None

    def node(element):
        attributes = tuple(sorted((k, v) for k, v in element.attrib.items() if k != "irrelevant"))
        children = tuple(node(c) for c in element if isinstance(c.tag, str))
        return (element.tag, attributes, (element.text or "").strip(), children)

    return node(etree.fromstring(xml.encode("utf-8")))
