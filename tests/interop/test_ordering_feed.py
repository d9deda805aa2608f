"""The Ordering API's feed and triggers under load, restarts and kill -9 (issue 12):
- triggers are coalesced (hundreds of changes, a handful of calls) and a pending trigger is
  still delivered after a kill -9 and restart;
- the cursor: events produced by 32 concurrent writers while the gateway is killed with
  SIGKILL and restarted; following `next` from 0 sees every event once, in sequence order
  (gap-free: the last sequence equals the number of events), every acknowledged order's
  project exactly once, and from_timestamp paging repeats nothing.
Size: OMS_CURSOR_EVENTS (default 400) events and OMS_CURSOR_KILLS (default 2) kills; the
acceptance run uses OMS_CURSOR_EVENTS=20000 OMS_CURSOR_KILLS=5."""

import json
import os
import re
import signal
import subprocess
import threading
import time

import pytest


from conftest import BIN, Gateway, _wait_ready, free_port
from test_order_management_service import catalog_rows, order_items, policies, user_information
from test_ordering_api import Api, Receiver, follow

EVENTS = int(os.environ.get("OMS_CURSOR_EVENTS", "400"))
KILLS = int(os.environ.get("OMS_CURSOR_KILLS", "2"))
WRITERS = 32
WAIT = 30


class Node:
    """A gateway process that can be killed and started again on the same data dir and port."""

    def __init__(self, data_dir):
        self.data_dir, self.port, self.runs = data_dir, free_port(), 0
        self.gw = None
        self.start()

    def start(self):
        self.runs += 1
        log_path = self.data_dir.parent / ("feed-%d-%d.log" % (self.port, self.runs))
        self.log = open(log_path, "wb")
        proc = subprocess.Popen(
            [str(BIN), "serve", "--data-dir", str(self.data_dir), "--listen", "127.0.0.1:%d" % self.port],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        users = self.gw.users if self.gw else {}
        self.gw = Gateway(self.data_dir, self.port, proc, log_path)
        self.gw.users = users
        _wait_ready(self.gw)

    def kill(self):
        self.gw.proc.send_signal(signal.SIGKILL)
        self.gw.proc.wait(timeout=15)
        self.log.close()

    def stop(self):
        if self.gw.proc.poll() is None:
            self.gw.proc.terminate()
            self.gw.proc.wait(timeout=15)
        self.log.close()


def setup(node, receiver_url):
    gw = node.gw
    gw.add_user("op", "operator")
    pid, guid, _ = gw.new_provider_with_member("FEED")
    gw.service("Provider").SetProviderPolicies(token=gw.token("op"), providerGuid=guid,
                                               policies=dict(policies(), Routing="OMS"))
    rows = catalog_rows(guid, pid)
    gw.import_catalog(rows)
    for name in ("alice", "med", "buyer"):
        gw.add_user(name, "user")
    mediator = int(gw.cli("oms", "add", "mediator", "--type", "global", "--default", "--admin", "med"))
    lines = gw.cli_lines("oms", "add", "jira", "--type", "resource_dedicated", "--provider", pid,
                         "--admin", "alice", "--trigger-url", receiver_url)
    return dict(jira=int(lines[0]), mediator=mediator, catalog=[r["ItemGuid"] for r in rows],
                alice=gw.token("alice"), med=gw.token("med"), buyer=gw.token("buyer"))


def submit(gw, ctx):
    soap = gw.service("OrderManagement")
    order = soap.CreateOrder(token=ctx["buyer"], orderItems=order_items(ctx["catalog"][:1]))
    soap.SetUserInformationForOrder(token=ctx["buyer"], orderGuid=order, userInformation=user_information())
    soap.SubmitOrder(token=ctx["buyer"], orderGuid=order)
    return order


def test_triggers_coalesce_and_survive_kill9(tmp_path):
    receiver = Receiver()
    node = Node(tmp_path / "data")
    try:
        ctx = setup(node, receiver.url)
        submit(node.gw, ctx)
        receiver.wait_calls(1)
        med = Api(node.gw, ctx["med"])
        project = follow(med, ctx["mediator"])[0]["project_id"]
        before = len(receiver.calls)
        changes = 300
        # Calls are held until the changes are made: at most one is in flight per OMS, so the
        # changes made meanwhile must be coalesced into the call after it, whatever the speeds.
        receiver.hold.clear()
        for n in range(changes):
            r = med.call("POST", "/api/v1/oms/%d/messages" % ctx["mediator"], "Message", body={
                "project_id": project, "scope": "public", "content": "note %d" % n,
                "author": {"email": "m@example.org", "name": "M", "role": "mediator"}})
            assert r.status_code == 201, r.text
        receiver.hold.set()
        alice = Api(node.gw, ctx["alice"])
        last = len(follow(alice, ctx["jira"], limit=1000))
        deadline = time.monotonic() + WAIT
        while not receiver.calls or json.loads(receiver.calls[-1][1])["last_sequence"] < last:
            assert time.monotonic() < deadline, "no trigger covered sequence %d" % last
            time.sleep(0.05)
        calls = len(receiver.calls) - before
        print("triggers for %d changes: %d calls" % (changes, calls))
        assert 1 <= calls <= changes // 10
        # A pending trigger survives kill -9: the receiver is down when the change commits.
        receiver.server.shutdown()
        receiver.server.server_close()
        port = receiver.server.server_address[1]
        submit(node.gw, ctx)
        node.kill()
        revived = Receiver()
        revived.server.shutdown()
        revived.server.server_close()
        revived.server = type(revived.server)(("127.0.0.1", port), revived.server.RequestHandlerClass)
        threading.Thread(target=revived.server.serve_forever, daemon=True).start()
        node.start()
        revived.wait_calls(1)
        revived.server.shutdown()
    finally:
        receiver.server.server_close()
        node.stop()


@pytest.mark.timeout(180 + EVENTS // 20)
def test_cursor_sees_every_event_once_under_kill9(tmp_path):
    receiver = Receiver()
    node = Node(tmp_path / "data")
    try:
        ctx = setup(node, receiver.url)
        orders_wanted = max(1, EVENTS // 2)  # each submitted order: a project and an item event
        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def writer():
            while not stop.is_set():
                with lock:
                    if len(acknowledged) >= orders_wanted:
                        return
                try:
                    gw = node.gw
                    order = submit(gw, ctx)
                except Exception:  # the gateway was killed under us: try again
                    time.sleep(0.2)
                    continue
                with lock:
                    acknowledged.append(order)

        threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
        for t in threads:
            t.start()
        for k in range(KILLS):
            target = orders_wanted * (k + 1) // (KILLS + 1)
            deadline = time.monotonic() + 600
            while len(acknowledged) < target and time.monotonic() < deadline:
                time.sleep(0.05)
            node.kill()
            node.start()
        for t in threads:
            t.join(timeout=900)
        stop.set()
        alice = Api(node.gw, ctx["alice"])
        # Follow next from 0 with small pages, checking the sequence is 1, 2, 3, ...
        path, seen, sequence = "/api/v1/oms/%d/events?from_sequence=0&limit=7" % ctx["jira"], [], 0
        for _ in range(100000):
            r = alice.call("GET", path, "EventList")
            page = r.json()["events"]
            nxt = int(re.search(r"from_sequence=(\d+)", r.headers["Link"]).group(1))
            if not page:
                break
            assert nxt == sequence + len(page), "a gap or repeat before sequence %d" % nxt
            sequence = nxt
            seen.extend(page)
            path = re.match(r"<([^>]+)>", r.headers["Link"]).group(1)
        creates = [(e["resource"], e["project_id"], e.get("project_item_id")) for e in seen if e["type"] == "create"]
        assert len(creates) == len(set(creates)), "a create event repeated"
        projects = alice.call("GET", "/api/v1/oms/%d/projects?limit=1000" % ctx["jira"]).json()["projects"]
        ids = {p["attributes"]["order_guid"]: p["id"] for p in projects}
        for from_id in range(1, 100):
            more = alice.call("GET", "/api/v1/oms/%d/projects?limit=1000&from_id=%d" % (
                ctx["jira"], max(ids.values()) + 1)).json()["projects"]
            if not more:
                break
            ids.update({p["attributes"]["order_guid"]: p["id"] for p in more})
        created_projects = {p for (res, p, _) in creates if res == "project"}
        for order in acknowledged:
            assert ids.get(order) in created_projects, "acknowledged order %s has no project event" % order
        # from_timestamp paging: no duplicates, nothing missing.
        stamp, by_time = "1970-01-01T00:00:00.000000Z", []
        for _ in range(100000):
            page = alice.call("GET", "/api/v1/oms/%d/events?from_timestamp=%s&limit=100" % (
                ctx["jira"], stamp), "EventList").json()["events"]
            if not page:
                break
            by_time.extend(page)
            stamp = page[-1]["timestamp"]
        assert len(by_time) == len(seen)
        assert len({e["timestamp"] for e in by_time}) == len(by_time)
        print("cursor: %d events, %d acknowledged orders, %d kills" % (len(seen), len(acknowledged), KILLS))
    finally:
        receiver.server.shutdown()
        node.stop()
