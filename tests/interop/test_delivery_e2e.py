"""Delivery end to end through zeep (issue 5's first acceptance test).

Two fresh providers: A served by `partner-sim --https --answer automatic`, whose certificate is
pinned through ProviderService.SetProviderPolicies and approved with the CLI; B served by
`partner-sim --answer manual` over http, which plays the order back through the gateway's
OrderProcessingService (tracking id, status line, close) as B's staff. A zeep client places
and submits an order of one item of each, then polls GetOrders until both provider orders are
CLOSED and checks each one's full StatusMessage history.
"""

import subprocess
import time

import pytest

from conftest import BIN
from test_order_management_service import (
    catalog_rows, order_items, provider_orders, status_texts, user_information)

SETTLE_SECONDS = 30  # how long the deliveries and the playback may take
SUBMITTED = [
    "ECHO: Transitioning from state [null] to state [NOT_VALIDATED]",
    "ECHO: Transitioning from state [NOT_VALIDATED] to state [VALIDATED]",
    "ECHO: Transitioning from state [VALIDATED] to state [SUBMITTING]",
]


class PartnerSim:
    """A `partner-sim` subprocess on a free 127.0.0.1 port; `url` and, with --https,
    `certificate` (the PEM file to pin) are read from its stdout."""

    def __init__(self, data_dir, *flags):
        self.proc = subprocess.Popen(
            [str(BIN), "--data-dir", str(data_dir), "partner-sim", "--listen", "127.0.0.1:0", *flags],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
        self.url, self.certificate = None, None
        for line in self.proc.stdout:
            line = line.strip()
            if line.startswith("partner-sim certificate "):
                self.certificate = line[len("partner-sim certificate "):]
            elif line.startswith("partner-sim listening on "):
                self.url = line[len("partner-sim listening on "):]
            elif line == "partner-sim ready":
                break
        assert self.url, "partner-sim did not announce its URL (exit %s)" % self.proc.poll()

    def stop(self):
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def policies(endpoint, certificate=None):
    """SUBMIT and CANCEL, retried every second; SSL on with `certificate` (PEM) when given."""
    ssl = dict(SslEnabled=True, SslCertificate=certificate) if certificate else dict(SslEnabled=False)
    return dict(
        EndPoint=endpoint,
        RetryAttempts=3,
        RetryWaitTime=1,
        Routing="ORDER_FULFILLMENT_V9",
        SslPolicy=ssl,
        OrderSupportsDuplicateCatalogItems=False,
        SupportedTransactions={"Item": ["SUBMIT", "CANCEL"]},
        MaxItemsPerOrder=10,
    )


def new_provider(gateway, label):
    """A fresh provider with a member and one catalog item: (id, guid, member token, item)."""
    pid, guid, member = gateway.new_provider_with_member("DLV_" + label)
    rows = catalog_rows(guid, pid)[:1]
    gateway.import_catalog(rows)
    return pid, guid, gateway.token(member), rows[0]["ItemGuid"]


@pytest.fixture
def partners(gateway, tokens, tmp_path):
    """Provider A behind an automatic https partner-sim (certificate pinned and approved), B
    behind a manual http partner-sim calling OrderProcessingService back as B's staff."""
    provider = gateway.service("Provider")
    a_id, a_guid, _, a_item = new_provider(gateway, "A")
    b_id, b_guid, b_staff, b_item = new_provider(gateway, "B")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    automatic = PartnerSim(tmp_path / "a", "--https", "--answer", "automatic")
    manual = PartnerSim(
        tmp_path / "b", "--answer", "manual",
        "--callback-url", gateway.base_url + "/echo-v10/OrderProcessingServicePortImpl",
        "--callback-token", b_staff, "--callback-cert", gateway.cert)
    try:
        with open(automatic.certificate) as pem:
            pinned = policies(automatic.url, pem.read())
        provider.SetProviderPolicies(token=tokens["op_admin"], providerGuid=a_guid, policies=pinned)
        gateway.cli("provider", "approve-cert", a_id)
        provider.SetProviderPolicies(token=tokens["op_admin"], providerGuid=b_guid, policies=policies(manual.url))
        yield dict(A=(a_guid, a_item), B=(b_guid, b_item))
    finally:
        automatic.stop()
        manual.stop()


def submitted_order(gateway, buyer, catalog_items):
    oms = gateway.service("OrderManagement")
    order = oms.CreateOrder(token=buyer, orderItems=order_items(catalog_items))
    oms.SetUserInformationForOrder(token=buyer, orderGuid=order, userInformation=user_information())
    oms.SubmitOrder(token=buyer, orderGuid=order)
    return order


def closed_provider_orders(gateway, buyer, order):
    """Polls GetOrders until every provider order is CLOSED; returns them by provider GUID."""
    oms = gateway.service("OrderManagement")
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        found = provider_orders(oms.GetOrders(token=buyer, orderGuids={"Item": [order]})[0])
        states = {guid: p.State for guid, p in found.items()}
        if all(state == "CLOSED" for state in states.values()):
            return found
        assert time.monotonic() < deadline, "provider orders not CLOSED after %ss: %s" % (SETTLE_SECONDS, states)
        time.sleep(0.2)


def test_order_across_automatic_https_and_manual_http_partners_closes(gateway, partners):
    buyer_name = "dlv_buyer_%d" % time.monotonic_ns()
    gateway.add_user(buyer_name, "user")
    buyer = gateway.token(buyer_name)
    (a_guid, a_item), (b_guid, b_item) = partners["A"], partners["B"]
    order = submitted_order(gateway, buyer, [a_item, b_item])

    found = closed_provider_orders(gateway, buyer, order)
    assert set(found) == {a_guid, b_guid}
    assert status_texts(found[a_guid].StatusMessage) == SUBMITTED + [
        "partner-sim fulfilled the order",
        "ECHO: Transitioning from state [SUBMITTING] to state [CLOSED]",
    ]
    assert found[b_guid].ProviderTrackingId == "SIM-" + order.split("-")[0]
    assert status_texts(found[b_guid].StatusMessage) == SUBMITTED + [
        "partner-sim accepted the order and reports through OrderProcessingService",
        "ECHO: Transitioning from state [SUBMITTING] to state [PROCESSING]",
        "partner-sim is processing the order",
        "partner-sim delivered the order",
        "ECHO: Transitioning from state [PROCESSING] to state [CLOSED]",
    ]
    done = [d for d in gateway.deliveries() if d["provider_order"]["order_guid"] == order]
    assert sorted(d["status"]["state"] for d in done) == ["done", "done"], done
