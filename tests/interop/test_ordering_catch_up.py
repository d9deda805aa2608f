"""OMSes that come to see orders later (issue 12), against a gateway of its own (the default OMS
is a gateway-wide singleton):
- catch-up: an order submitted before any OMS exists, then OMSes added and a provider attached
  to an OMS whose adapter already followed its feed to the end; following `next` from its
  cursor it sees each newly visible project, item and message exactly once, then their later
  changes;
  a detached OMS loses access with no events; a new default OMS starts with everything;
- trigger timings are settings: with ECHO_GATEWAY_OMS_TRIGGER_ATTEMPTS=2 a receiver that
  always fails gets 2 calls, then the OMS is marked failing."""

import json
import time
from collections import Counter

import pytest

from conftest import own_gateway
from test_order_management_service import catalog_rows, order_items, policies, user_information
from test_ordering_api import WAIT, Api, Receiver, follow


@pytest.fixture(scope="module")
def gw(tmp_path_factory):
    with own_gateway(tmp_path_factory, "ordering-catch-up", "--oms-trigger-attempts", "2",
                     "--oms-trigger-first-retry-ms", "10") as gateway:
        gateway.add_user("op", "operator")
        for name in ("alice", "med", "buyer"):
            gateway.add_user(name, "user")
        yield gateway


def new_provider(gw, label):
    pid, guid, _ = gw.new_provider_with_member(label)
    gw.service("Provider").SetProviderPolicies(token=gw.token("op"), providerGuid=guid,
                                               policies=dict(policies(), Routing="OMS"))
    rows = catalog_rows(guid, pid)
    gw.import_catalog(rows)
    return dict(id=pid, catalog=[r["ItemGuid"] for r in rows])


def submit(gw, *catalog_items):
    soap, buyer = gw.service("OrderManagement"), gw.token("buyer")
    order = soap.CreateOrder(token=buyer, orderItems=order_items(list(catalog_items)))
    soap.SetUserInformationForOrder(token=buyer, orderGuid=order, userInformation=user_information())
    soap.SubmitOrder(token=buyer, orderGuid=order)
    return order


def creates(events, resource):
    """How many create events each id of `resource` has."""
    key = {"project": "project_id", "project_item": "project_item_id", "message": "message_id"}[resource]
    return Counter(e[key] for e in events if e["type"] == "create" and e["resource"] == resource)


def order_of(api, oms, project):
    r = api.call("GET", "/api/v1/oms/%d/projects/%d" % (oms, project), "Project")
    assert r.status_code == 200, r.text
    return r.json()["attributes"]["order_guid"]


def post(api, oms, order, provider=None):
    """A mediator message on the project of `order` (or on its item of `provider`); its id."""
    projects = api.call("GET", "/api/v1/oms/%d/projects?limit=1000" % oms, "ProjectList").json()["projects"]
    project = next(p["id"] for p in projects if p["attributes"]["order_guid"] == order)
    body = {"project_id": project, "scope": "public", "content": "from the desk",
            "author": {"email": "desk@example.org", "name": "Desk", "role": "mediator"}}
    if provider:
        listed = api.call("GET", "/api/v1/oms/%d/projects/%d/project_items" % (oms, project),
                          "ProjectItemList").json()["project_items"]
        body["project_item_id"] = next(i["id"] for i in listed if i["attributes"]["provider"] == provider)
    r = api.call("POST", "/api/v1/oms/%d/messages" % oms, "Message", body=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_an_oms_gaining_a_provider_discovers_its_orders_from_its_cursor(gw):
    p, q = new_provider(gw, "LATE_P"), new_provider(gw, "LATE_Q")
    # Visible (submitted) before any OMS exists: it has no project id yet.
    early = submit(gw, p["catalog"][0])
    med = Api(gw, gw.token("med"))
    mediator = int(gw.cli("oms", "add", "mediator", "--type", "global", "--default", "--admin", "med"))
    assert [order_of(med, mediator, e["project_id"]) for e in follow(med, mediator)] == [early, early]
    alice = Api(gw, gw.token("alice"))
    late = int(gw.cli("oms", "add", "late", "--type", "provider_group", "--provider", q["id"],
                      "--admin", "alice"))
    assert follow(alice, late) == [], "provider Q has no orders yet"
    on_q = submit(gw, q["catalog"][0])
    mixed = submit(gw, q["catalog"][1], p["catalog"][1])
    on_p = submit(gw, p["catalog"][2])
    # The mediator's messages: on P's project and items (late cannot see them yet), and on
    # the mixed project (late sees it through Q already).
    unseen = [post(med, mediator, on_p), post(med, mediator, early, p["id"]),
              post(med, mediator, mixed, p["id"])]
    post(med, mediator, mixed)
    seen = follow(alice, late)
    assert len(creates(seen, "project")) == 2 and len(creates(seen, "project_item")) == 2
    assert len(creates(seen, "message")) == 1
    cursor = len(seen)

    gw.cli("oms", "attach", str(late), "--provider", p["id"])
    r = alice.call("GET", "/api/v1/oms/%d/events?from_sequence=%d&limit=50" % (late, cursor), "EventList")
    assert r.status_code == 200, r.text
    caught_up = r.json()["events"]
    assert r.headers["Link"] == '</api/v1/oms/%d/events?from_sequence=%d&limit=50>; rel="next"' % (
        late, cursor + len(caught_up))
    projects, items = creates(caught_up, "project"), creates(caught_up, "project_item")
    assert {order_of(alice, late, pid) for pid in projects} == {early, on_p}, "not the mixed one: seen"
    assert set(projects.values()) == {1} and len(items) == 3 and set(items.values()) == {1}
    assert sorted(creates(caught_up, "message")) == sorted(unseen), "messages newly visible"
    assert all(e["type"] == "create" for e in caught_up)
    for event in caught_up:
        if event["resource"] == "project_item":
            path = "/api/v1/oms/%d/projects/%d/project_items/%d" % (
                late, event["project_id"], event["project_item_id"])
            item = alice.call("GET", path, "ProjectItem").json()
            assert item["status"] == {"value": "SUBMITTING", "type": "registered"}
            assert order_of(alice, late, event["project_id"]) in (early, mixed, on_p)
    assert follow(alice, late, start=cursor + len(caught_up)) == [], "announced once"

    # Later changes follow: it is now the primary OMS of P's items and PATCHes one.
    target = next(e for e in caught_up
                  if e["resource"] == "project_item" and order_of(alice, late, e["project_id"]) == on_p)
    path = "/api/v1/oms/%d/projects/%d/project_items/%d" % (late, target["project_id"], target["project_item_id"])
    r = alice.call("PATCH", path, "ProjectItem", body={"status": {"value": "ticket 7", "type": "in_progress"}})
    assert r.status_code == 200, r.text
    later = follow(alice, late, start=cursor + len(caught_up))
    updates = [e for e in later if e["resource"] == "project_item"]
    assert [(e["type"], e["project_item_id"]) for e in updates] == [("update", target["project_item_id"])]
    assert {"field": "status.value", "before": "SUBMITTING", "after": "PROCESSING"} in updates[0]["changes"]
    # The PATCH is the OMS's own write (its change origin names it): exclude_own hides it.
    assert follow(alice, late, start=cursor + len(caught_up), exclude_own=True) == []
    end = cursor + len(caught_up) + len(later)
    everything = follow(alice, late)
    assert len(everything) == end and set(creates(everything, "project").values()) == {1}

    # Detach: access is lost at once, with no events.
    gw.cli("oms", "detach", str(late), "--provider", p["id"])
    r = alice.call("GET", path, "ProjectItem")
    assert r.status_code == 403, r.text
    assert follow(alice, late, start=end) == []

    # A new default OMS starts with every visible project and item, each once.
    gw.cli("oms", "remove", str(mediator))
    successor = int(gw.cli("oms", "add", "successor", "--type", "global", "--default", "--admin", "med"))
    fresh = follow(med, successor)
    assert {order_of(med, successor, pid) for pid in creates(fresh, "project")} == {early, on_q, mixed, on_p}
    assert set(creates(fresh, "project").values()) == {1}
    assert len(creates(fresh, "project_item")) == 5 and set(creates(fresh, "project_item").values()) == {1}
    assert len(creates(fresh, "message")) == 4
    assert len(fresh) == 13


def test_trigger_attempts_are_a_setting(gw):
    receiver = Receiver(fail=1000)
    try:
        r = new_provider(gw, "HOOK")
        lines = gw.cli_lines("oms", "add", "hook", "--type", "resource_dedicated", "--provider", r["id"],
                             "--admin", "alice", "--trigger-url", receiver.url)
        hook = lines[0]
        submit(gw, r["catalog"][0])
        deadline = time.monotonic() + WAIT
        while not json.loads("\n".join(gw.cli_lines("oms", "show", hook)))["trigger_state"]["failing"]:
            assert time.monotonic() < deadline, "OMS not failing after %ss (%d calls)" % (
                WAIT, len(receiver.calls))
            time.sleep(0.05)
        assert len(receiver.calls) == 2, "ECHO_GATEWAY_OMS_TRIGGER_ATTEMPTS=2"
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
