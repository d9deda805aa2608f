"""OrderManagementService through zeep against a running gateway (see conftest.py).

A client places an order of 5 items across 2 providers (policies without QUOTE, so quoting ends
QUOTE_REJECTED, the order QUOTED_WITH_EXCEPTIONS, and submission follows), sets its user
information, validates, quotes and submits it, reads it back with GetOrders/GetOrderItems, and
the CLI shows one outbox SUBMIT entry per provider order. Every other operation runs at least
once: item edits, item names, the provider staff's order search, RemoveOrders, and the faults
of CancelOrder, CancelProviderOrder and ResubmitProviderOrder while no partner delivery moves
orders on."""

import datetime
import re
import uuid

import pytest

from echo_wire import expect_fault, items

INVALID = "InvalidArgumentFault"
NOT_FOUND = "ItemNotFoundFault"
AUTHZ = "AuthorizationFault"
ITEMS_PER_PROVIDER = 4  # catalog items per provider; orders use a subset
# "<date> : <text>" as ECHO wrote StatusMessage lines, e.g. "Wed Feb 15 10:09:19 EST 2017 : ..."
STATUS_LINE = re.compile(r"^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \w+ \d{4} : (.+)$")
TRANSITION = re.compile(r"^ECHO: Transitioning from state \[(\w+)\] to state \[(\w+)\]$")


def policies():
    """SUBMIT and CANCEL but no QUOTE: QuoteOrder rejects, SubmitOrder may follow."""
    return dict(
        EndPoint="http://127.0.0.1:9/fulfill",
        RetryAttempts=3,
        RetryWaitTime=60,
        Routing="ORDER_FULFILLMENT_V9",
        SslPolicy=dict(SslEnabled=False),
        OrderSupportsDuplicateCatalogItems=False,
        SupportedTransactions={"Item": ["SUBMIT", "CANCEL"]},
        MaxItemsPerOrder=10,
    )


def catalog_rows(provider_guid, prefix):
    return [dict(ItemGuid="G%d-%s" % (n, prefix), ProviderGuid=provider_guid,
                 CollectionId="C1-%s" % prefix, DatasetId="Dataset %s" % prefix,
                 GranuleUR="SC:%s:%d" % (prefix, n), ProducerGranuleId="%s_%d.H5" % (prefix, n),
                 Price="0.0")
            for n in range(1, ITEMS_PER_PROVIDER + 1)]


def user_information():
    contact = dict(Role="Order Contact", FirstName="Alien", LastName="Bobcat",
                   Address=dict(UsFormat=True, Street1="8800 Greenbelt Rd", City="Greenbelt",
                                State="MD", Zip="20771", Country="United States"),
                   Phones={"Item": [dict(Number="0000000000", PhoneNumberType="BUSINESS")]},
                   Email="abobcat@nasa.gov")
    return dict(ShippingAddress=contact, BillingAddress=contact, ContactAddress=contact,
                UserDomain="OTHER", UserRegion="USA")


def order_items(catalog_guids, quantity=1):
    return {"Item": [dict(ItemGuid=g, QuantityOrdered=quantity) for g in catalog_guids]}


@pytest.fixture(scope="module")
def shop(gateway, tokens):
    """Two fresh providers with policies and catalog items, a buyer and both providers' staff."""
    provider = gateway.service("Provider")
    found = {}
    for label in ("P1", "P2"):
        pid, guid, member = gateway.new_provider_with_member("ORD_" + label)
        provider.SetProviderPolicies(token=tokens["op_admin"], providerGuid=guid, policies=policies())
        rows = catalog_rows(guid, pid)
        gateway.import_catalog(rows)
        found[label] = dict(id=pid, guid=guid, staff=gateway.token(member),
                            catalog=[r["ItemGuid"] for r in rows], rows={r["ItemGuid"]: r for r in rows})
    buyer = "buyer_" + uuid.uuid4().hex[:8]
    buyer_guid = gateway.add_user(buyer, "user")
    return dict(found, buyer=gateway.token(buyer), buyer_guid=buyer_guid, oms=gateway.service("OrderManagement"))


def five_items(shop):
    """3 items of P1 and 2 of P2."""
    return shop["P1"]["catalog"][:3] + shop["P2"]["catalog"][:2]


def read_order(shop, order_guid):
    got = items(shop["oms"].GetOrders(token=shop["buyer"], orderGuids={"Item": [order_guid]}))
    assert len(got) == 1
    return got[0]


def provider_orders(order):
    """Provider orders by provider GUID."""
    return {p.Guid.ProviderGuid: p for p in items(order.ProviderOrders)}


def states(order):
    return order.State, {guid: p.State for guid, p in provider_orders(order).items()}


def status_texts(status_message):
    """The text of each StatusMessage line, checking every line's date prefix."""
    lines = [l for l in status_message.splitlines() if l.strip()]
    texts = []
    for line in lines:
        match = STATUS_LINE.match(line)
        assert match, "StatusMessage line not in ECHO's format: %r" % line
        texts.append(match.group(1))
    return texts


def transitions(status_message):
    return [TRANSITION.match(t).groups() for t in status_texts(status_message) if TRANSITION.match(t)]


def item_guids(shop, order_guid):
    names = items(shop["oms"].GetOrderItemNamesByOrder(token=shop["buyer"], orderGuids={"Item": [order_guid]}))
    return [n.Guid for n in names]


def place_submitted_order(shop):
    """An order of one item per provider, submitted (SUBMITTING: no partner delivery yet)."""
    oms = shop["oms"]
    order = oms.CreateOrder(token=shop["buyer"],
                            orderItems=order_items([shop["P1"]["catalog"][3], shop["P2"]["catalog"][3]]))
    oms.SetUserInformationForOrder(token=shop["buyer"], orderGuid=order, userInformation=user_information())
    oms.SubmitOrder(token=shop["buyer"], orderGuid=order)
    return order


def provider_order_guid(shop, order_guid, label):
    return dict(ProviderGuid=shop[label]["guid"], OrderGuid=order_guid)


# ---------------------------------------------------------------- the acceptance flow


def test_order_across_two_providers_validated_quoted_submitted_and_read_back(gateway, shop):
    oms, buyer = shop["oms"], shop["buyer"]
    wanted = five_items(shop)
    order = oms.CreateOrder(token=buyer, orderItems=order_items(wanted[:2]), notifyLevel="INFO",
                            clientIdentity="zeep-interop")
    added = items(oms.AddOrderItems(token=buyer, orderGuid=order, orderItems=order_items(wanted[2:])))
    assert len(added) == 3 and len(set(added)) == 3
    assert states(read_order(shop, order))[0] == "NOT_VALIDATED"

    assert oms.SetUserInformationForOrder(token=buyer, orderGuid=order, userInformation=user_information()) is None
    assert oms.ValidateOrder(token=buyer, orderGuid=order) is None
    p1, p2 = shop["P1"]["guid"], shop["P2"]["guid"]
    assert states(read_order(shop, order)) == ("VALIDATED", {p1: "VALIDATED", p2: "VALIDATED"})

    assert oms.QuoteOrder(token=buyer, orderGuid=order) is None
    quoted = read_order(shop, order)
    assert states(quoted) == ("QUOTED_WITH_EXCEPTIONS", {p1: "QUOTE_REJECTED", p2: "QUOTE_REJECTED"})
    for part in provider_orders(quoted).values():
        assert any("does not support the QUOTE transaction" in t for t in status_texts(part.StatusMessage))

    assert oms.SubmitOrder(token=buyer, orderGuid=order) is None
    submitted = read_order(shop, order)
    assert_submitted_order(shop, submitted, order)
    assert_order_items(shop, order, added)
    assert_submit_deliveries(gateway, order, {p1, p2})


def assert_submitted_order(shop, got, order_guid):
    p1, p2 = shop["P1"]["guid"], shop["P2"]["guid"]
    assert got.Guid == order_guid and got.OwnerGuid == shop["buyer_guid"]
    assert states(got) == ("SUBMITTING", {p1: "SUBMITTING", p2: "SUBMITTING"})
    assert got.NotifyLevel == "INFO" and got.ClientIdentity == "zeep-interop"
    assert got.UserDomain == "OTHER" and got.UserRegion == "USA"
    assert got.CreationDate <= got.SubmissionDate <= got.LastUpdateDate
    address = got.ContactAddress.Address
    assert (address.Street1, address.City, address.State, address.Zip, address.Country) == (
        "8800 Greenbelt Rd", "Greenbelt", "MD", "20771", "United States")
    assert got.OrderPrice == 0.0
    for guid, part in provider_orders(got).items():
        assert part.Guid.OrderGuid == order_guid
        assert transitions(part.StatusMessage) == [
            ("null", "NOT_VALIDATED"), ("NOT_VALIDATED", "VALIDATED"), ("VALIDATED", "QUOTING"),
            ("QUOTING", "QUOTE_REJECTED"), ("QUOTE_REJECTED", "SUBMITTING")], (guid, part.StatusMessage)


def assert_order_items(shop, order_guid, added):
    oms, buyer = shop["oms"], shop["buyer"]
    guids = item_guids(shop, order_guid)
    assert len(guids) == 5 and set(added) <= set(guids)
    got = items(oms.GetOrderItems(token=buyer, orderItemGuids={"Item": guids}))
    assert [i.Guid for i in got] == guids
    assert sorted(i.ItemGuid for i in got) == sorted(five_items(shop))
    rows = dict(shop["P1"]["rows"], **shop["P2"]["rows"])
    for item in got:
        row, detail = rows[item.ItemGuid], item.OrderItemDetail
        assert item.QuantityOrdered == 1
        assert detail.OwningProviderOrderGuid.ProviderGuid == row["ProviderGuid"]
        assert detail.OwningProviderOrderGuid.OrderGuid == order_guid
        assert (detail.GranuleUR, detail.ProducerGranuleId, detail.DatasetId) == (
            row["GranuleUR"], row["ProducerGranuleId"], row["DatasetId"])


def assert_submit_deliveries(gateway, order_guid, provider_guids):
    mine = [d for d in gateway.deliveries() if d["provider_order"]["order_guid"] == order_guid]
    submits = [d for d in mine if d["transaction"] == "SUBMIT"]
    assert sorted(d["provider_order"]["provider_guid"] for d in submits) == sorted(provider_guids), mine
    assert all(d["transaction"] != "QUOTE" for d in mine), "quote rejected locally: nothing to deliver"
    assert len({d["idempotency_key"] for d in submits}) == len(submits)


# ---------------------------------------------------------------- item edits and removal


def test_update_remove_items_and_remove_unsubmitted_order(shop):
    oms, buyer = shop["oms"], shop["buyer"]
    order = oms.CreateOrder(token=buyer, orderItems=order_items(shop["P1"]["catalog"][:3]))
    first, second, third = item_guids(shop, order)
    update = {"Item": [dict(Guid=second, ItemGuid=shop["P1"]["catalog"][1], QuantityOrdered=4)]}
    assert oms.UpdateOrderItems(token=buyer, orderGuid=order, orderItems=update) is None
    got = items(oms.GetOrderItems(token=buyer, orderItemGuids={"Item": [second]}))
    assert [i.QuantityOrdered for i in got] == [4]

    assert oms.RemoveOrderItems(token=buyer, orderGuid=order, orderItemGuids={"Item": [first]}) is None
    assert item_guids(shop, order) == [second, third]
    expect_fault(oms.GetOrderItems, token=buyer, orderItemGuids={"Item": [first]}, kind=NOT_FOUND,
                 codes={"OrderItemNotFound"})

    assert oms.RemoveOrders(token=buyer, orderGuids={"Item": [order]}) is None
    fault = expect_fault(oms.GetOrders, token=buyer, orderGuids={"Item": [order]}, kind=NOT_FOUND,
                         codes={"OrderNotFound"})
    assert fault.message == "Could not find order with guid [%s]." % order


def test_remove_order_items_nil_removes_all(shop):
    oms, buyer = shop["oms"], shop["buyer"]
    order = oms.CreateOrder(token=buyer, orderItems=order_items(shop["P2"]["catalog"][:2]))
    assert oms.RemoveOrderItems(token=buyer, orderGuid=order, orderItemGuids=None) is None
    assert item_guids(shop, order) == []


# ---------------------------------------------------------------- provider orders


def test_item_names_by_provider_order(shop):
    order = place_submitted_order(shop)
    oms = shop["oms"]
    for label in ("P1", "P2"):
        names = items(oms.GetOrderItemNamesByProviderOrder(
            token=shop["buyer"], providerOrderGuids={"Item": [provider_order_guid(shop, order, label)]}))
        assert len(names) == 1, names
        detail = items(oms.GetOrderItems(token=shop["buyer"], orderItemGuids={"Item": [names[0].Guid]}))[0]
        assert detail.ItemGuid == shop[label]["catalog"][3]
        assert detail.OrderItemDetail.OwningProviderOrderGuid.ProviderGuid == shop[label]["guid"]


def test_provider_staff_find_provider_orders_by_state_and_date(shop):
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    order = place_submitted_order(shop)
    after = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)
    oms = shop["oms"]

    def search(token, state_names, date_type="SUBMISSION_DATE"):
        found = oms.GetProviderOrderGuidsByStateDateAndProvider(
            token=token, states={"Item": state_names}, dateType=date_type, **{"from": before, "to": after})
        return {(g.ProviderGuid, g.OrderGuid) for g in items(found)}

    p1 = shop["P1"]["guid"]
    assert (p1, order) in search(shop["P1"]["staff"], ["SUBMITTING"])
    assert (p1, order) in search(shop["P1"]["staff"], ["SUBMITTING"], "CREATION_DATE")
    assert (p1, order) not in search(shop["P1"]["staff"], ["PROCESSING", "CLOSED"])
    assert all(provider == shop["P2"]["guid"] for provider, _ in search(shop["P2"]["staff"], ["SUBMITTING"]))
    # A token without a provider is refused (today a SoapMessageValidationFault on `token`).
    expect_fault(oms.GetProviderOrderGuidsByStateDateAndProvider, token=shop["buyer"], states=None,
                 dateType="CREATION_DATE")


# ---------------------------------------------------------------- operations the states refuse


def test_cancel_and_resubmit_refused_while_submitting(gateway, shop):
    """Cancelling needs PROCESSING and resubmitting a final provider order; without partner
    delivery a submitted order stays SUBMITTING, so each is an InvalidOrderState fault."""
    oms, buyer = shop["oms"], shop["buyer"]
    order = place_submitted_order(shop)
    before = read_order(shop, order)
    refused = [
        (oms.CancelOrder, dict(orderGuid=order)),
        (oms.CancelProviderOrder, dict(providerOrderGuid=provider_order_guid(shop, order, "P1"))),
        (oms.ResubmitProviderOrder, dict(providerOrderGuid=provider_order_guid(shop, order, "P2"))),
    ]
    for call, params in refused:
        expect_fault(call, token=buyer, kind=INVALID, codes={"InvalidOrderState"}, **params)
    after = read_order(shop, order)
    assert states(after) == states(before)
    assert after.LastUpdateDate == before.LastUpdateDate
    transactions = {d["transaction"] for d in gateway.deliveries() if d["provider_order"]["order_guid"] == order}
    assert transactions == {"SUBMIT"}


def test_submitted_order_is_not_removable(shop):
    oms, buyer = shop["oms"], shop["buyer"]
    order = place_submitted_order(shop)
    expect_fault(oms.RemoveOrders, token=buyer, orderGuids={"Item": [order]}, kind=INVALID,
                 codes={"OrderNotRemovable"})
    assert read_order(shop, order).State == "SUBMITTING"


def test_someone_elses_order_is_an_authorization_fault(gateway, shop):
    stranger = "stranger_" + uuid.uuid4().hex[:8]
    gateway.add_user(stranger, "user")
    token = gateway.token(stranger)
    order = shop["oms"].CreateOrder(token=shop["buyer"], orderItems=order_items(shop["P1"]["catalog"][:1]))
    expect_fault(shop["oms"].GetOrders, token=token, orderGuids={"Item": [order]}, kind=AUTHZ)
    expect_fault(shop["oms"].ValidateOrder, token=token, orderGuid=order, kind=AUTHZ)
