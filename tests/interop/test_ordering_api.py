"""The Ordering API end to end (issue 12), against a gateway of its own (the default OMS is a
gateway-wide singleton): a zeep client orders from an OMS-routed provider; a small OMS adapter
(standard library + requests) receives the signed trigger, follows `next` links, PATCHes the
item to in_progress and closed, posts a public message; zeep's GetOrders shows CLOSED and the
message. Plus the authorization matrix, bad input and exclude_own. Every response body is
validated against the notes' schemas (ordering_schemas)."""

import base64
import hashlib
import hmac
import http.server
import json
import re
import socket
import ssl
import subprocess
import threading
import time
import uuid

import pytest

from conftest import own_gateway
from echo_wire import items
from ordering_schemas import check
from test_order_management_service import catalog_rows, order_items, policies, user_information

WAIT = 20  # seconds any asynchronous effect (a trigger call) may take
MAX_BODY = 65536


class Receiver:
    """A trigger endpoint on 127.0.0.1 that records calls; the first `fail` calls get 503.
    While `hold` is cleared, each call is recorded and then held unanswered until it is set, so a
    test decides when the gateway's call in flight ends instead of racing it."""

    def __init__(self, fail=0):
        self.calls, self.fail = [], fail
        self.hold = threading.Event()
        self.hold.set()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.calls.append((dict((k.lower(), v) for k, v in self.headers.items()), body))
                receiver.hold.wait(WAIT)
                failing = len(receiver.calls) <= receiver.fail
                self.send_response(503 if failing else 204)
                if failing:
                    self.send_header("Retry-After", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_calls(self, n):
        deadline = time.monotonic() + WAIT
        while len(self.calls) < n:
            assert time.monotonic() < deadline, "only %d trigger calls after %ss" % (len(self.calls), WAIT)
            time.sleep(0.05)
        return self.calls


def verify(secret, headers, body):
    key = base64.b64decode(secret[len("whsec_"):])
    signed = ("%s.%s." % (headers["webhook-id"], headers["webhook-timestamp"])).encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return ("v1," + expected) in headers["webhook-signature"].split(" ")


class Api:
    """An OMS adapter's HTTP client: validates every body against the notes' schemas."""

    def __init__(self, gw, token):
        self.gw, self.token = gw, token
        self.session = gw.session()

    def call(self, method, path, schema=None, body=None, raw=None, headers=None, token=True):
        h = {"X-User-Token": self.token} if token else {}
        h.update(headers or {})
        if body is not None:
            raw = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        r = self.session.request(method, self.gw.base_url + path, data=raw, headers=h, timeout=30)
        if r.status_code < 300 and schema:
            check(schema, r.json())
        elif r.status_code >= 400 and r.status_code != 413:
            check("Error", r.json())
        return r


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    receiver = Receiver(fail=3)
    with own_gateway(tmp_path_factory, "ordering-api", "--max-body-bytes", str(MAX_BODY)) as gw:
        try:
            gw.add_user("op", "operator")
            op = gw.token("op")
            provider = gw.service("Provider")
            found = {}
            for label, routing in (("OMSP", "OMS"), ("SOAPP", "ORDER_FULFILLMENT_V9")):
                pid, guid, member = gw.new_provider_with_member(label)
                pol = dict(policies(), Routing=routing)
                provider.SetProviderPolicies(token=op, providerGuid=guid, policies=pol)
                rows = catalog_rows(guid, pid)
                gw.import_catalog(rows)
                found[label] = dict(id=pid, guid=guid, catalog=[r["ItemGuid"] for r in rows])
            for name in ("alice", "med", "nobody", "buyer"):
                gw.add_user(name, "user")
            mediator = int(gw.cli("oms", "add", "mediator", "--type", "global", "--default", "--admin", "med"))
            lines = gw.cli_lines("oms", "add", "jira", "--type", "resource_dedicated",
                                 "--provider", found["OMSP"]["id"], "--admin", "alice",
                                 "--trigger-url", receiver.url)
            jira, secret = int(lines[0]), lines[1]
            assert secret.startswith("whsec_")
            yield dict(gw=gw, found=found, mediator=mediator, jira=jira, secret=secret, receiver=receiver,
                       alice=Api(gw, gw.token("alice")), med=Api(gw, gw.token("med")),
                       nobody=Api(gw, gw.token("nobody")), buyer=gw.token("buyer"),
                       soap=gw.service("OrderManagement"))
        finally:
            receiver.server.shutdown()


def submit(env, label, n=1):
    soap, buyer = env["soap"], env["buyer"]
    order = soap.CreateOrder(token=buyer, orderItems=order_items(env["found"][label]["catalog"][:n]))
    soap.SetUserInformationForOrder(token=buyer, orderGuid=order, userInformation=user_information())
    soap.SubmitOrder(token=buyer, orderGuid=order)
    return order


def follow(api, oms, start=0, limit=2, exclude_own=False):
    """Follows `next` links from `start` until a page is empty; returns every event."""
    path = "/api/v1/oms/%d/events?from_sequence=%d&limit=%d%s" % (
        oms, start, limit, "&exclude_own=true" if exclude_own else "")
    events = []
    for _ in range(10000):
        r = api.call("GET", path, "EventList")
        assert r.status_code == 200, r.text
        page = r.json()["events"]
        link = re.match(r'<([^>]+)>; rel="next"', r.headers["Link"])
        assert link, r.headers.get("Link")
        if not page:
            return events
        events.extend(page)
        path = link.group(1)
    raise AssertionError("feed did not end")


def project_item_of(env, order_guid):
    api, jira = env["alice"], env["jira"]
    for project in api.call("GET", "/api/v1/oms/%d/projects?limit=1000" % jira, "ProjectList").json()["projects"]:
        if project["attributes"]["order_guid"] == order_guid:
            pid = project["id"]
            listed = api.call("GET", "/api/v1/oms/%d/projects/%d/project_items" % (jira, pid),
                              "ProjectItemList").json()["project_items"]
            return pid, listed[0]["id"]
    raise AssertionError("order %s not among jira's projects" % order_guid)


def test_oms_adapter_end_to_end(env):
    api, jira, gw = env["alice"], env["jira"], env["gw"]
    order = submit(env, "OMSP")
    # The trigger is signed; the receiver failed the first 3 calls with 503 and gets the 4th.
    headers, body = env["receiver"].wait_calls(4)[3]
    assert verify(env["secret"], headers, body)
    assert not verify("whsec_" + base64.b64encode(b"x" * 32).decode(), headers, body)
    assert json.loads(body)["oms_id"] == jira
    events = follow(api, jira)
    kinds = [(e["type"], e["resource"]) for e in events]
    assert ("create", "project") in kinds and ("create", "project_item") in kinds
    pid, iid = project_item_of(env, order)
    base = "/api/v1/oms/%d/projects/%d/project_items/%d" % (jira, pid, iid)
    item = api.call("GET", base, "ProjectItem").json()
    assert item["status"] == {"value": "SUBMITTING", "type": "registered"}
    assert not env["gw"].deliveries() or all(
        d["provider_order"]["order_guid"] != order for d in env["gw"].deliveries())
    for status in ({"value": "working on it", "type": "in_progress"}, {"value": "done", "type": "closed"}):
        body = check("ProjectItemUpdate", {"status": status})
        r = api.call("PATCH", base, "ProjectItem", body=body)
        assert r.status_code == 200, r.text
    assert r.json()["status"] == {"value": "CLOSED", "type": "closed"}
    message = check("MessageCreate", {"project_id": pid, "project_item_id": iid, "scope": "public",
                                      "author": {"email": "desk@example.org", "name": "Desk", "role": "provider"},
                                      "content": "Your data is on the FTP site"})
    r = api.call("POST", "/api/v1/oms/%d/messages" % jira, "Message", body=message)
    assert r.status_code == 201, r.text
    got = items(env["soap"].GetOrders(token=env["buyer"], orderGuids={"Item": [order]}))[0]
    provider_order = items(got.ProviderOrders)[0]
    assert provider_order.State == "CLOSED"
    assert "Your data is on the FTP site" in provider_order.StatusMessage
    assert "OMS jira: status in_progress (working on it)" in provider_order.StatusMessage
    # Every event once, in order; the adapter's own writes are left out with exclude_own.
    again = follow(api, jira, limit=3)
    assert len(again) == len(follow(api, jira, limit=50))
    own = follow(api, jira, exclude_own=True)
    assert len(own) < len(again)
    # Timestamps have microseconds and from_timestamp paging repeats nothing.
    stamp = again[0]["timestamp"]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", stamp)
    r = api.call("GET", "/api/v1/oms/%d/events?from_timestamp=%s" % (jira, stamp), "EventList")
    assert len(r.json()["events"]) == len(again) - 1


def test_mediator_sees_soap_routed_orders(env):
    med, mediator = env["med"], env["mediator"]
    before = follow(med, mediator)
    order = submit(env, "SOAPP")
    after = follow(med, mediator, start=len(before))
    assert ("create", "project_item") in [(e["type"], e["resource"]) for e in after]
    projects = med.call("GET", "/api/v1/oms/%d/projects" % mediator, "ProjectList").json()["projects"]
    assert any(p["attributes"]["order_guid"] == order for p in projects)


def test_authorization_matrix(env):
    gw, jira, mediator = env["gw"], env["jira"], env["mediator"]
    nobody, med, alice = env["nobody"], env["med"], env["alice"]
    order = submit(env, "OMSP")
    pid, iid = project_item_of(env, order)
    item = "/api/v1/oms/%d/projects/%d/project_items/%d" % (jira, pid, iid)
    assert nobody.call("GET", "/api/v1/oms", "OmsList").json() == {"omses": []}
    assert [o["id"] for o in alice.call("GET", "/api/v1/oms", "OmsList").json()["omses"]] == [jira]
    assert nobody.call("GET", "/api/v1/oms/%d" % jira).status_code == 403
    assert nobody.call("GET", item).status_code == 403
    assert alice.call("GET", "/api/v1/oms", token=False).status_code == 401
    assert alice.call("GET", "/api/v1/oms", headers={"X-User-Token": "nope"}, token=False).status_code == 401
    bearer = {"Authorization": "Bearer " + alice.token}
    assert alice.call("GET", "/api/v1/oms/%d" % jira, "Oms", headers=bearer, token=False).status_code == 200
    # The secondary (default) OMS reads the item but may not PATCH it.
    secondary = "/api/v1/oms/%d/projects/%d/project_items/%d" % (mediator, pid, iid)
    assert med.call("GET", secondary, "ProjectItem").status_code == 200
    assert med.call("PATCH", secondary, body={"status": {"value": "x", "type": "in_progress"}}).status_code == 403
    # jira has no role on another provider's item.
    soap_order = submit(env, "SOAPP")
    projects = med.call("GET", "/api/v1/oms/%d/projects?limit=1000" % mediator, "ProjectList").json()["projects"]
    other = next(p for p in projects if p["attributes"]["order_guid"] == soap_order)
    other_item = "/api/v1/oms/%d/projects/%d/project_items/%d" % (jira, other["id"], other["project_items"][0])
    assert alice.call("GET", other_item).status_code == 403
    assert alice.call("GET", "/api/v1/oms/%d/projects/%d" % (jira, other["id"])).status_code == 403
    # Message cells: scope x author role, on the item and on the project.
    cells = {  # (scope, role, on_item) -> who may: "alice" (provider OMS), "med" (mediator)
        ("public", "provider", True): "alice", ("internal", "provider", True): "alice",
        ("public", "mediator", True): "med", ("internal", "mediator", True): "med",
        ("user_direct", "provider", True): "alice", ("user_direct", "mediator", True): None,
        ("public", "provider", False): "alice", ("internal", "provider", False): "alice",
        ("public", "mediator", False): "med", ("internal", "mediator", False): "med",
        ("user_direct", "provider", False): None, ("user_direct", "mediator", False): "med",
        ("public", "user", True): None, ("internal", "user", False): None,
        ("user_direct", "user", True): None,
    }
    for (scope, role, on_item), allowed in cells.items():
        for name, api, oms in (("alice", alice, jira), ("med", med, mediator)):
            body = {"project_id": pid, "scope": scope, "content": "cell %s %s" % (scope, role),
                    "author": {"email": "a@example.org", "name": "A", "role": role}}
            if on_item:
                body["project_item_id"] = iid
            r = api.call("POST", "/api/v1/oms/%d/messages" % oms, "Message", body=body)
            want = 201 if allowed == name else 403
            assert r.status_code == want, (scope, role, on_item, name, r.text)
            if r.status_code == 201 and scope == "user_direct":
                assert r.json()["content"] == "<OBFUSCATED>"


def test_bad_input_changes_nothing(env):
    api, jira = env["alice"], env["jira"]
    order = submit(env, "OMSP")
    pid, iid = project_item_of(env, order)
    base = "/api/v1/oms/%d/projects/%d/project_items/%d" % (jira, pid, iid)
    bad = [
        ("PATCH", base, b"{not json"),
        ("PATCH", base, b'{"status": {"value": 1, "type": "in_progress"}}'),
        ("PATCH", base, b'{"status": {"value": "x", "type": "in_progress"}, "extra": 1}'),
        ("PATCH", base, b'{"status": {"value": "x", "type": "created"}}'),
        ("PATCH", base, b"{}"),
        ("POST", "/api/v1/oms/%d/messages" % jira, b'{"project_id": -1}'),
    ]
    for method, path, raw in bad:
        r = api.call(method, path, raw=raw, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (raw, r.status_code, r.text)
    for query in ("limit=100000000", "limit=0", "from_sequence=-1", "from_timestamp=yesterday",
                  "exclude_own=maybe"):
        r = api.call("GET", "/api/v1/oms/%d/events?%s" % (jira, query))
        assert r.status_code == 400, (query, r.text)
    assert api.call("GET", "/api/v1/oms/-1").status_code == 400
    assert api.call("GET", "/api/v1/oms/%d/projects/999999" % jira).status_code == 404
    assert declared_too_large(env["gw"], base, api.token).startswith(b"HTTP/1.1 413")
    # An illegal transition is refused with the current state.
    r = api.call("PATCH", base, body={"status": {"value": "x", "type": "approved"}})
    assert r.status_code == 409 and "SUBMITTING" in r.json()["error"]
    assert api.call("GET", base, "ProjectItem").json()["status"]["value"] == "SUBMITTING"
    # Secrets merge and read back obfuscated; the status log names the keys only.
    r = api.call("PATCH", base, "ProjectItem", body={"user_secrets": {"password": "hunter2"}})
    assert r.json()["user_secrets"] == {"password": "<OBFUSCATED>"}
    assert "hunter2" not in json.dumps(r.json())
    log = r.json()["attributes"]["status_message"]
    assert "user_secrets changed: password" in log and "hunter2" not in log


def declared_too_large(gw, path, token):
    """A PATCH announcing a body over --max-body-bytes: the status line of the answer (the
    gateway answers before reading the body, then closes)."""
    context = ssl.create_default_context(cafile=gw.cert)
    with socket.create_connection(("127.0.0.1", gw.port), timeout=30) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            tls.sendall(("PATCH %s HTTP/1.1\r\nHost: localhost\r\nX-User-Token: %s\r\n"
                         "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                         % (path, token, MAX_BODY * 2)).encode())
            return tls.recv(4096)


def test_oms_show_and_openapi(env):
    gw = env["gw"]
    shown = json.loads("\n".join(gw.cli_lines("oms", "show", str(env["jira"]))))
    assert shown["name"] == "jira" and "secret" not in json.dumps(shown)
    with gw.session() as s:
        doc = s.get(gw.base_url + "/api/v1/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.")


def test_schemathesis_finds_no_server_errors_or_schema_violations(env):
    """The independent property-based fuzzer, driven by the served OpenAPI document, as the
    administrator of the provider OMS (bounded: 20 examples per operation)."""
    gw = env["gw"]
    cmd = ["schemathesis", "run", gw.base_url + "/api/v1/openapi.json", "--url", gw.base_url,
           "--tls-verify", gw.cert, "-H", "X-User-Token: " + env["alice"].token,
           "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,"
           "response_schema_conformance", "--max-examples", "20", "--workers", "1"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=str(gw.data_dir.parent))
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
