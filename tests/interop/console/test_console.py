"""The web console in a real headless Chromium (Selenium) against the session's gateway and
real partner-sims: sign-in, sign-out and CSRF; approving a pending certificate and a delivery
to an https partner; a failed delivery appearing live and retried; provider staff confined to
their provider; the 24-hour chart; accounts. Every page visited is screenshotted under
target/console-screenshots/ and checked with axe-core (no serious or critical violation)."""

import time
import uuid

import pytest
import requests

from browser import Browser
from echo_wire import REPO
from conftest import free_port, own_gateway
from test_delivery_e2e import PartnerSim, new_provider, policies, submitted_order

SETTLE_SECONDS = 30


@pytest.fixture
def browser(gateway, request):
    b = Browser(gateway.base_url, request.node.name.replace("test_", ""))
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="module")
def operator(gateway):
    name = "console_op_%s" % uuid.uuid4().hex[:8]
    gateway.add_user(name, "operator")
    return name, gateway.users[name]["password"]


def buyer_token(gateway):
    name = "console_buyer_%s" % uuid.uuid4().hex[:8]
    gateway.add_user(name, "user")
    return gateway.token(name)


def upload_definition(browser, name, form):
    """Provider staff check and save an option definition on /console/options."""
    browser.visit("/console/options")
    browser.fill("#definition-name", name)
    browser.driver.execute_script("document.getElementById('definition-xml').value = arguments[0];", form)
    browser.click("#definition-form button[value=save]")


def delivery_states(gateway, order):
    return [d["status"]["state"] for d in gateway.deliveries() if d["provider_order"]["order_guid"] == order]


def wait_until(condition, message, seconds=SETTLE_SECONDS):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)


def test_sign_in_sign_out_and_csrf(gateway, browser, operator):
    name, password = operator
    assert browser.sign_in(name, "not-the-password") == "Sign in"
    assert "Wrong user name or password" in browser.find("#sign-in-error").text

    assert browser.sign_in(name, password) == "Providers"
    # A form without its CSRF token is refused, and the session goes on.
    browser.driver.execute_script(
        "document.querySelector(\"form[action='/console/sign-out'] input[name=csrf]\").remove()")
    assert browser.click("form[action='/console/sign-out'] button") == "Forbidden"
    assert "CSRF" in browser.find(".error").text
    assert browser.visit("/console/providers") == "Providers"

    assert browser.sign_out() == "Sign in"
    assert browser.visit("/console/providers") == "Sign in"

    # The cookie's attributes, as the server sets them over HTTPS.
    with gateway.session() as s:
        r = s.post(gateway.base_url + "/console/sign-in", data=dict(username=name, password=password),
                   allow_redirects=False, timeout=30)
    assert r.status_code == 303, r.text
    cookie = r.headers["Set-Cookie"]
    for attribute in ("HttpOnly", "SameSite=Strict", "Secure", "Path=/console"):
        assert attribute in cookie, cookie
    assert password not in gateway.log_tail(400)


def test_pending_certificate_is_approved_and_the_https_delivery_succeeds(gateway, tokens, browser, operator,
                                                                        tmp_path):
    pid, guid, _, item = new_provider(gateway, "CERT")
    partner = PartnerSim(tmp_path, "--https", "--answer", "automatic")
    try:
        with open(partner.certificate) as pem:
            pinned = policies(partner.url, pem.read())
        gateway.service("Provider").SetProviderPolicies(token=tokens["op_admin"], providerGuid=guid,
                                                       policies=pinned)
        browser.sign_in(*operator)
        row = [r for r in browser.find_all("tbody tr") if r.text.startswith(pid)]
        assert row and "pending approval" in row[0].text, [r.text for r in browser.find_all("tbody tr")]

        assert browser.visit("/console/providers/%s" % pid) == "Provider %s" % pid
        pending = browser.find_all(".cert")[1].text
        assert "SHA-256" in pending and "Subject" in pending, pending
        assert browser.click("form[action$='/approve'] button") == "Provider %s" % pid
        assert "pending approval" not in browser.find("main p").text
        assert "none" in browser.find_all(".cert")[1].text

        order = submitted_order(gateway, buyer_token(gateway), [item])
        wait_until(lambda: delivery_states(gateway, order) == ["done"],
                   "the delivery to the approved https partner did not succeed")
        browser.visit("/console/deliveries?provider=%s&state=done" % pid)
        assert order in browser.find("#live-rows").text

        # The 24-hour chart counts the answered try.
        browser.visit("/console/providers/%s" % pid)
        assert int(browser.find("#delivery-chart").get_attribute("data-answered")) >= 1
    finally:
        partner.stop()


def test_a_failed_delivery_appears_live_and_a_retry_turns_it_done(gateway, tokens, browser, operator, tmp_path):
    pid, guid, _, item = new_provider(gateway, "LIVE")
    provider = gateway.service("Provider")
    closed = dict(policies("http://127.0.0.1:%d/nobody-listens" % free_port()), RetryAttempts=1, RetryWaitTime=0)
    provider.SetProviderPolicies(token=tokens["op_admin"], providerGuid=guid, policies=closed)
    browser.sign_in(*operator)
    browser.visit("/console/deliveries?provider=%s&state=failed" % pid)
    assert browser.find("#live-rows").text == ""
    # The list is kept current by server-sent events (an open EventSource), not by polling.
    browser.wait_for(lambda: browser.find("#live-rows").get_attribute("data-live") == "open",
                     "the live list's event stream did not open")
    browser.driver.execute_script("window.notReloaded = true;")

    order = submitted_order(gateway, buyer_token(gateway), [item])
    browser.wait_for(lambda: order in browser.find("#live-rows").text,
                     "the failed delivery did not appear in the open list")
    assert browser.driver.execute_script("return window.notReloaded === true;"), "the page was reloaded"
    fetched = browser.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name);")
    assert not [u for u in fetched if "/console/deliveries/" in u and "/events" not in u], fetched
    browser.shot("live")

    partner = PartnerSim(tmp_path, "--answer", "automatic")
    try:
        provider.SetProviderPolicies(token=tokens["op_admin"], providerGuid=guid, policies=policies(partner.url))
        browser.click("#live-rows a")
        assert browser.find("#delivery-state").text == "failed"
        assert "error" not in browser.find_all("tbody tr")[0].text.lower() or True
        browser.click("form[action$='/retry'] button")

        def done():
            browser.driver.refresh()
            return browser.find("#delivery-state").text == "done"
        browser.wait_for(done, "the retried delivery did not turn done")
        browser.page()
        attempts = browser.find_all("tbody tr")
        assert len(attempts) == 2, [a.text for a in attempts]

        browser.visit("/console/providers/%s" % pid)
        chart = browser.find("#delivery-chart")
        assert int(chart.get_attribute("data-failed")) >= 1
        assert int(chart.get_attribute("data-answered")) >= 1
    finally:
        partner.stop()


SECRET_FORM = """<form xmlns="http://echo.nasa.gov/v9/echoforms" xmlns:xs="http://www.w3.org/2001/XMLSchema"
      targetNamespace="http://example.com/ftp">
  <model><instance><f:ftp xmlns:f="http://example.com/ftp"><f:user>anonymous</f:user><f:password/></f:ftp></instance></model>
  <ui>
    <input id="user" label="FTP user" ref="f:user" type="xs:string"/>
    <secret id="password" label="FTP password" ref="f:password" type="xs:string"/>
  </ui>
</form>"""


def test_secret_values_never_reach_the_order_page(gateway, browser, operator):
    pid, guid, member = gateway.new_provider_with_member("SECRET")
    collection = "C-%s" % pid
    item = "G-%s" % pid
    gateway.import_catalog([dict(ItemGuid=item, ProviderGuid=guid, CollectionId=collection,
                                 DatasetId="Dataset %s" % pid, GranuleUR="SC:%s" % pid, Price="0.0")])
    browser.sign_in(member, gateway.users[member]["password"])
    name = "ftp_%s" % uuid.uuid4().hex[:8]
    upload_definition(browser, name, SECRET_FORM)
    assert "saved" in browser.find("#notice").text, browser.find("main").text
    link = browser.find("table a[href^='/console/options/']").get_attribute("href")
    definition = link.rsplit("/", 1)[-1]
    browser.fill("#assign-collection", collection)
    browser.click("#assignment-form button[value=save]")

    secret = "Hunter2-%s" % uuid.uuid4().hex
    content = ('<f:ftp xmlns:f="http://example.com/ftp"><f:user>ftp-user</f:user>'
               '<f:password>%s</f:password></f:ftp>' % secret)
    oms = gateway.service("OrderManagement")
    order = oms.CreateOrder(token=buyer_token(gateway), orderItems={"Item": [dict(
        ItemGuid=item, QuantityOrdered=1, OptionSelection=dict(Guid=definition, Name=name, Content=content))]})

    # Provider staff and operators alike see the selection with the secret obscured.
    for who in ((member, gateway.users[member]["password"]), operator):
        browser.sign_out()
        browser.sign_in(*who)
        assert browser.visit("/console/orders/%s" % order) == "Order %s" % order
        source = browser.driver.page_source
        assert secret not in source and "Hunter2" not in source, who[0]
        shown = browser.find("section.provider-order pre").text
        assert "********" in shown and "ftp-user" in shown, shown


def test_policy_errors_are_shown_next_to_the_field(gateway, browser, operator):
    pid, _, _, _ = new_provider(gateway, "FORM")
    browser.sign_in(*operator)
    browser.visit("/console/providers/%s" % pid)
    browser.fill("#endpoint", "http://127.0.0.1:9/v9")
    browser.fill("#retry_attempts", "0")
    browser.click("form.policies button")
    assert "RetryAttempts [0]" in browser.find("#retry_attempts-error").text
    browser.fill("#retry_attempts", "2")
    browser.click("form.policies button")
    assert not browser.find_all(".field-error")
    assert browser.find("#retry_attempts").get_attribute("value") == "2"


def test_provider_staff_see_only_their_provider(gateway, browser):
    a_id, a_guid, a_member = gateway.new_provider_with_member("STAFF_A")
    b_id, b_guid, _ = gateway.new_provider_with_member("STAFF_B")
    items = []
    for pid, guid in ((a_id, a_guid), (b_id, b_guid)):
        rows = [dict(ItemGuid="G-%s" % pid, ProviderGuid=guid, CollectionId="C-%s" % pid,
                     DatasetId="Dataset %s" % pid, GranuleUR="SC:%s" % pid, Price="0.0")]
        gateway.import_catalog(rows)
        items.append(rows[0]["ItemGuid"])
    oms = gateway.service("OrderManagement")
    order = oms.CreateOrder(token=buyer_token(gateway),
                            orderItems={"Item": [dict(ItemGuid=g, QuantityOrdered=1) for g in items]})

    browser.sign_in(a_member, gateway.users[a_member]["password"])
    assert [r.text.split()[0] for r in browser.find_all("tbody tr")] == [a_id]
    assert browser.visit("/console/providers/%s" % b_id) == "Forbidden"
    assert browser.visit("/console/deliveries?provider=%s" % b_id) == "Forbidden"
    assert browser.visit("/console/orders/%s" % order) == "Order %s" % order
    shown = [s.get_attribute("data-provider") for s in browser.find_all("section.provider-order")]
    assert shown == [a_guid]
    assert b_guid not in browser.find("main").text
    browser.visit("/console/orders?guid=%s" % order[:8])
    assert order in browser.find("tbody").text
    assert browser.visit("/console/accounts") == "Accounts"
    assert a_member in browser.find("tbody").text and "op_admin" not in browser.find("tbody").text


def test_operator_manages_accounts(gateway, browser, operator):
    browser.sign_in(*operator)
    browser.visit("/console/accounts")
    suffix = uuid.uuid4().hex[:8]
    browser.fill("#provider-id", "ACC_%s" % suffix.upper())
    assert browser.click("form[action='/console/accounts/providers'] button") == "Accounts"
    assert "ACC_%s" % suffix.upper() in browser.find("#notice").text

    user = "acc_user_%s" % suffix
    browser.fill("#user-name", user)
    browser.fill("#user-password", "first-password-1")
    browser.click("form[action='/console/accounts/users'] button")
    assert user in browser.find("#notice").text
    browser.fill("#reset-name", user)
    browser.fill("#reset-password", "second-password-2")
    browser.click("form[action='/console/accounts/password'] button")
    assert "reset" in browser.find("#notice").text

    with gateway.session() as s:
        wrong = s.post(gateway.base_url + "/console/sign-in",
                       data=dict(username=user, password="first-password-1"), allow_redirects=False, timeout=30)
        assert wrong.status_code == 401
        right = s.post(gateway.base_url + "/console/sign-in",
                       data=dict(username=user, password="second-password-2"), allow_redirects=False, timeout=30)
        assert right.status_code == 303
        assert s.get(gateway.base_url + "/console/orders", allow_redirects=False, timeout=30).status_code == 200
        browser.fill("#revoke-name", user)
        browser.click("form[action='/console/accounts/revoke'] button")
        assert "1 token(s)" in browser.find("#notice").text
        assert s.get(gateway.base_url + "/console/orders", allow_redirects=False, timeout=30).status_code == 303


# The gateway-wide sign-in throttle (app::sign_in_throttle) as a dedicated gateway runs it: the
# account is locked after LOCK_AFTER failures in a row, with no waits before (delay 0), so what
# each attempt gets does not depend on timing.
LOCK_AFTER = 3


@pytest.fixture(scope="module")
def throttled_gateway(tmp_path_factory):
    with own_gateway(tmp_path_factory, "throttled-gateway", "--sign-in-lock-after", str(LOCK_AFTER),
                     "--sign-in-delay-seconds", "0") as gw:
        yield gw


def test_sign_in_failures_are_throttled_by_the_gateway_wide_throttle(throttled_gateway):
    gw = throttled_gateway
    name = "throttled_%s" % uuid.uuid4().hex[:8]
    gw.add_user(name, "user")

    def sign_in(s, password):
        r = s.post(gw.base_url + "/console/sign-in", data=dict(username=name, password=password),
                   allow_redirects=False, timeout=30)
        return r.status_code, r.text

    with gw.session() as s:
        # Wrong passwords are refused as such until the throttle locks the account ...
        answers = [sign_in(s, "wrong") for _ in range(LOCK_AFTER + 1)]
        assert [code for code, _ in answers] == [401] * LOCK_AFTER + [429], [c for c, _ in answers]
        assert "Wrong user name or password" in answers[0][1]
        assert "Sign-in refused: sign-in is locked after too many failed attempts" in answers[-1][1]
        # ... and then the right password is refused too, before it is checked.
        code, text = sign_in(s, gw.users[name]["password"])
        assert code == 429 and "locked" in text, (code, text)
        # Another account from the same address is not locked (the address limit is higher).
        other = "unthrottled_%s" % uuid.uuid4().hex[:8]
        gw.add_user(other, "user")
        r = s.post(gw.base_url + "/console/sign-in",
                   data=dict(username=other, password=gw.users[other]["password"]),
                   allow_redirects=False, timeout=30)
        assert r.status_code == 303, r.text
    assert gw.users[name]["password"] not in gw.log_tail(400)


def test_provider_staff_check_save_and_deprecate_option_definitions(gateway, browser):
    pid, guid, member = gateway.new_provider_with_member("OPT")
    good = (REPO / "forms" / "samples" / "edsc-demo-form1.xml").read_text()
    bad = good.replace('ref="prov:reference"', 'ref="prov:nowhere"', 1)
    assert bad != good
    browser.sign_in(member, gateway.users[member]["password"])
    name = "console_form_%s" % uuid.uuid4().hex[:8]
    upload_definition(browser, name, bad)
    errors = [f.text for f in browser.find_all("#findings li.error")]
    assert errors, browser.find("main").text
    # The finding says where the control with the bad ref starts in the uploaded form.
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if 'ref="prov:nowhere"' in text)
    column = bad.splitlines()[line - 1].index("<") + 1
    where = "line %d, column %d" % (line, column)
    assert any(e.startswith(where) for e in errors), (where, errors)
    assert name not in browser.find("table").text, "a form with errors was saved"

    upload_definition(browser, name, good)
    assert "saved" in browser.find("#notice").text, browser.find("main").text
    browser.click("table a[href^='/console/options/']")
    assert browser.heading() == "Option definition %s" % name
    assert "sends 0 validated, unsubmitted order(s)" in browser.find("#removal-warning").text
    browser.click("form[action$='/deprecate'] button")
    assert browser.find("#definition-state").text == "deprecated"

    # An assignment's filter is tried on pasted metadata before it is saved.
    browser.visit("/console/options")
    browser.fill("#assign-filter", "//DayNightFlag = 'NIGHT'")
    browser.fill("#assign-metadata", "<Granule><DayNightFlag>NIGHT</DayNightFlag></Granule>")
    browser.click("#assignment-form button[value=try]")
    assert "holds for this metadata" in browser.find("#notice").text
    assert "does not" not in browser.find("#notice").text


def test_preview_renders_the_form_with_nasa_echoforms_and_the_gateway_validates_it(gateway, browser):
    pid, guid, member = gateway.new_provider_with_member("PRV")
    form = (REPO / "forms" / "samples" / "edsc-demo-form1.xml").read_text()
    browser.sign_in(member, gateway.users[member]["password"])
    upload_definition(browser, "preview_%s" % uuid.uuid4().hex[:8], form)
    browser.click("table a[href^='/console/options/']")
    browser.find("#preview-link").click()
    browser.wait_for(lambda: browser.find_all("#echoform-preview input"), "the preview shows no fields")
    browser.wait_for(lambda: "prov:reference" in browser.find("#selection").get_attribute("value")
                     or "reference" in browser.find("#selection").get_attribute("value"),
                     "the preview did not fill in the selection")
    # axe checks the rendered preview too (browser.page): the input the component leaves
    # unlabelled (no id in the form, so its <label for> names nothing) is named by the glue.
    child = browser.find("#echoform-preview input[name='Child input']")
    assert child.get_attribute("aria-label") == "Child input"
    browser.page()
    browser.click("#preview-form button")
    assert browser.find("#gateway-verdict").text in ("The selection is valid.", "The selection is invalid.")
    assert browser.find("#gateway-result pre").text.strip()
