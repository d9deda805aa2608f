"""ProviderService through zeep against a running gateway (see conftest.py)."""

import pytest

from echo_wire import expect_fault, is_nil, items, utc
from local_endpoints import closed_port, http_endpoint, self_signed_cert

AUTHZ = "AuthorizationFault"
INVALID = "InvalidArgumentFault"
NOT_FOUND = "ItemNotFoundFault"
UNKNOWN_GUID = "00000000-0000-0000-0000-0000DEADBEEF"


def full_policies(endpoint, cert_pem):
    """Every ProviderPolicies field set."""
    return dict(
        EndPoint=endpoint,
        RetryAttempts=48,
        RetryWaitTime=3600,
        Routing="ORDER_FULFILLMENT_V9",
        SslPolicy=dict(SslEnabled=True, SslCertificate=cert_pem),
        OrderSupportsDuplicateCatalogItems=True,
        CollectionsSupportingDuplicateOrderItems={"Item": ["C1200189943-MMT_2", "C1200056652-MMT_2"]},
        SupportedTransactions={"Item": ["SUBMIT", "QUOTE", "CANCEL"]},
        MaxItemsPerOrder=250,
        Properties='<props xmlns="urn:x"><contact>ops@example.org</contact></props>',
        OrderingSuspendedUntilDate=utc(2031, 1, 2, 3, 4, 5),
        overrideNotificationEnabled=True,
    )


def plain_policies(endpoint):
    """SSL off, as in the recorded traffic (create/01-SetProviderPolicies)."""
    return dict(
        EndPoint=endpoint,
        RetryAttempts=3,
        RetryWaitTime=60,
        Routing="ORDER_FULFILLMENT_V9",
        SslPolicy=dict(SslEnabled=False, SslCertificate=""),
        OrderSupportsDuplicateCatalogItems=True,
        CollectionsSupportingDuplicateOrderItems={"Item": ["C1200189943-MMT_2"]},
        SupportedTransactions={"Item": ["SUBMIT", "CANCEL"]},
        Properties="<test>user provided xml</test>",
        overrideNotificationEnabled=False,
    )


def norm_pem(pem):
    return "".join((pem or "").split())


def assert_policies_equal(got, sent, pending_cert):
    assert got is not None
    for field in ("EndPoint", "RetryAttempts", "RetryWaitTime", "Routing", "OrderSupportsDuplicateCatalogItems",
                  "MaxItemsPerOrder", "Properties", "overrideNotificationEnabled"):
        assert getattr(got, field) == sent.get(field), field
    assert got.OrderingSuspendedUntilDate == sent["OrderingSuspendedUntilDate"]
    assert got.CollectionsSupportingDuplicateOrderItems.Item == sent["CollectionsSupportingDuplicateOrderItems"]["Item"]
    assert got.SupportedTransactions.Item == sent["SupportedTransactions"]["Item"]
    assert got.SslPolicy.SslEnabled is True
    assert norm_pem(got.SslPolicy.SslCertificate) == norm_pem(sent["SslPolicy"]["SslCertificate"])
    assert got.SslPolicy.SslLastUpdate is not None
    assert got.SslPolicy.SslCertificateApproved is (not pending_cert)


@pytest.fixture
def fresh(gateway):
    """A new provider with a member and the member's token."""
    pid, guid, member = gateway.new_provider_with_member()
    return dict(id=pid, guid=guid, member=member, token=gateway.token(member))


# ---------------------------------------------------------------- names


def test_get_provider_names_all_and_selected(gateway, tokens):
    svc = gateway.service("Provider")
    a, b = gateway.providers["PROV_A"], gateway.providers["PROV_B"]
    assert b == "5A1E3B0C-1D2E-4F60-8A9B-0C1D2E3F4A5B"
    every = svc.GetProviderNames(token=tokens["op_admin"], guids=None)
    by_guid = {i.Guid: i.Name for i in items(every)}
    assert by_guid[a] == "PROV_A"
    assert b in by_guid
    some = svc.GetProviderNames(token=tokens["plain_user"], guids={"Item": [b, a]})
    assert [i.Guid for i in items(some)] == [b, a]
    assert items(some)[1].Name == "PROV_A"


def test_get_provider_names_unknown_guid_faults(gateway, tokens):
    svc = gateway.service("Provider")
    expect_fault(svc.GetProviderNames, token=tokens["op_admin"], guids={"Item": [UNKNOWN_GUID]}, kind=NOT_FOUND,
                 codes={"ProviderNotFound"})


def test_provider_guid_is_uppercase_echo_style(gateway):
    import re
    assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", gateway.providers["PROV_A"])


# ---------------------------------------------------------------- policies round trip


def test_policies_round_trip_every_field(gateway, fresh, tmp_path):
    svc = gateway.service("Provider")
    cert, _ = self_signed_cert()
    sent = full_policies("https://127.0.0.1:9/fulfill", cert)
    assert svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=sent) is None

    one = svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"])
    assert_policies_equal(one, sent, pending_cert=True)

    many = svc.GetProvidersPolicies(token=fresh["token"], providerGuids={"Item": [fresh["guid"]]})
    assert len(items(many)) == 1
    assert_policies_equal(items(many)[0], sent, pending_cert=True)

    assert svc.RemoveProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]) is None
    assert is_nil(svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]))
    after = svc.GetProvidersPolicies(token=fresh["token"], providerGuids={"Item": [fresh["guid"]]})
    assert len(items(after)) == 1 and is_nil(items(after)[0])


def test_recorded_style_policies_accepted(gateway, fresh):
    """SSL off: ECHO accepted any EndPoint string (recorded '/path_to.html'); unset fields stay unset."""
    svc = gateway.service("Provider")
    sent = plain_policies("/path_to.html")
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=sent)
    got = svc.GetProvidersPolicies(token=fresh["token"], providerGuids={"Item": [fresh["guid"]]})
    got = items(got)[0]
    assert got.EndPoint == "/path_to.html"
    assert got.RetryAttempts == 3 and got.RetryWaitTime == 60
    assert got.SslPolicy.SslEnabled is False
    assert got.SslPolicy.SslCertificate in (None, "")
    assert got.SslPolicy.SslLastUpdate is not None
    assert got.SupportedTransactions.Item == ["SUBMIT", "CANCEL"]
    assert got.MaxItemsPerOrder is None and got.OrderingSuspendedUntilDate is None
    assert got.Properties == "<test>user provided xml</test>"


def test_set_policies_replaces_all(gateway, fresh):
    svc = gateway.service("Provider")
    cert, _ = self_signed_cert()
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"],
                            policies=full_policies("https://127.0.0.1:9/x", cert))
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=dict(
        EndPoint="/only", SslPolicy=dict(SslEnabled=False)))
    got = svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"])
    assert got.EndPoint == "/only"
    assert got.MaxItemsPerOrder is None
    assert got.SupportedTransactions is None
    assert got.Properties is None


def test_operator_reads_policies_of_all_providers(gateway, tokens, fresh):
    svc = gateway.service("Provider")
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=plain_policies("/p"))
    everything = svc.GetProvidersPolicies(token=tokens["op_admin"], providerGuids=None)
    assert len(items(everything)) >= 1
    mine = svc.GetProvidersPolicies(token=tokens["op_admin"], providerGuids={"Item": [fresh["guid"]]})
    assert items(mine)[0].EndPoint == "/p"


def test_invalid_policies_rejected_without_state_change(gateway, fresh):
    svc = gateway.service("Provider")
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=plain_policies("/keep"))
    cert, _ = self_signed_cert()
    bad = [
        dict(EndPoint="http://127.0.0.1:9/not-https", SslPolicy=dict(SslEnabled=True, SslCertificate=cert)),
        dict(EndPoint="https://127.0.0.1:9/x", SslPolicy=dict(SslEnabled=True, SslCertificate="-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----\n")),
        dict(EndPoint="/p", SslPolicy=dict(SslEnabled=False), MaxItemsPerOrder=0),
        dict(EndPoint="/p", SslPolicy=dict(SslEnabled=False), Properties="<unclosed>"),
        dict(EndPoint="/p", SslPolicy=dict(SslEnabled=False), RetryAttempts=-1),
    ]
    for policies in bad:
        expect_fault(svc.SetProviderPolicies, token=fresh["token"], providerGuid=fresh["guid"], policies=policies,
                     kind=INVALID)
    assert svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]).EndPoint == "/keep"


def test_unknown_provider_guid_faults(gateway, tokens):
    svc = gateway.service("Provider")
    expect_fault(svc.GetProviderPolicies, token=tokens["op_admin"], providerGuid=UNKNOWN_GUID, kind=NOT_FOUND,
                 codes={"ProviderNotFound"})
    expect_fault(svc.SetProviderPolicies, token=tokens["op_admin"], providerGuid=UNKNOWN_GUID,
                 policies=plain_policies("/p"), kind=NOT_FOUND, codes={"ProviderNotFound"})


# ---------------------------------------------------------------- authorization


def test_member_may_not_touch_another_providers_policies(gateway, tokens, fresh):
    svc = gateway.service("Provider")
    other = tokens["prov_b_user"]
    expect_fault(svc.SetProviderPolicies, token=other, providerGuid=fresh["guid"], policies=plain_policies("/x"),
                 kind=AUTHZ)
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=plain_policies("/mine"))
    expect_fault(svc.GetProviderPolicies, token=other, providerGuid=fresh["guid"], kind=AUTHZ)
    expect_fault(svc.GetProvidersPolicies, token=other, providerGuids={"Item": [fresh["guid"]]}, kind=AUTHZ)
    expect_fault(svc.RemoveProviderPolicies, token=other, providerGuid=fresh["guid"], kind=AUTHZ)
    expect_fault(svc.TestEndpointConnection, token=other, providerGuid=fresh["guid"], kind=AUTHZ)
    assert svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]).EndPoint == "/mine"


def test_plain_user_may_not_set_policies(gateway, tokens, fresh):
    svc = gateway.service("Provider")
    expect_fault(svc.SetProviderPolicies, token=tokens["plain_user"], providerGuid=fresh["guid"],
                 policies=plain_policies("/x"), kind=AUTHZ)
    expect_fault(svc.RemoveProviderPolicies, token=tokens["plain_user"], providerGuid=fresh["guid"], kind=AUTHZ)
    assert is_nil(svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]))


def test_operator_may_manage_any_providers_policies(gateway, tokens, fresh):
    svc = gateway.service("Provider")
    svc.SetProviderPolicies(token=tokens["op_admin"], providerGuid=fresh["guid"], policies=plain_policies("/op"))
    assert svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]).EndPoint == "/op"
    svc.RemoveProviderPolicies(token=tokens["op_admin"], providerGuid=fresh["guid"])
    assert is_nil(svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]))


# ---------------------------------------------------------------- TestEndpointConnection


def test_endpoint_connection_succeeds_against_local_http(gateway, fresh):
    svc = gateway.service("Provider")
    with http_endpoint() as endpoint:
        svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"],
                                policies=plain_policies("http://127.0.0.1:%d/fulfill" % endpoint.port))
        before = endpoint.connections
        assert endpoint.connections == 0, "SetProviderPolicies must not contact the endpoint"
        assert svc.TestEndpointConnection(token=fresh["token"], providerGuid=fresh["guid"]) is None
        assert endpoint.connections > before, "the gateway did not connect to the endpoint"


def test_endpoint_connection_to_closed_port_faults(gateway, fresh):
    svc = gateway.service("Provider")
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"],
                            policies=plain_policies("http://127.0.0.1:%d/fulfill" % closed_port()))
    expect_fault(svc.TestEndpointConnection, token=fresh["token"], providerGuid=fresh["guid"])


def test_endpoint_connection_with_unusable_endpoint_faults(gateway, fresh):
    svc = gateway.service("Provider")
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=plain_policies("/path_to.html"))
    expect_fault(svc.TestEndpointConnection, token=fresh["token"], providerGuid=fresh["guid"])


def test_endpoint_connection_without_policies_faults(gateway, fresh):
    svc = gateway.service("Provider")
    expect_fault(svc.TestEndpointConnection, token=fresh["token"], providerGuid=fresh["guid"])


# ---------------------------------------------------------------- certificate approval


def ssl_policies(endpoint, cert_pem):
    p = plain_policies(endpoint)
    p["SslPolicy"] = dict(SslEnabled=True, SslCertificate=cert_pem)
    return p


def test_approve_certificate_over_soap(gateway, tokens, fresh, tmp_path):
    svc = gateway.service("Provider")
    cert, key = self_signed_cert()
    with http_endpoint(cert, key, tmp_path) as endpoint:
        url = "https://127.0.0.1:%d/fulfill" % endpoint.port
        svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=ssl_policies(url, cert))
        got = svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"])
        assert got.SslPolicy.SslCertificateApproved is False
        assert endpoint.connections == 0, "SetProviderPolicies must not contact the endpoint"

        # only operators approve
        expect_fault(svc.ApproveProviderSslCertificate, token=fresh["token"], providerGuid=fresh["guid"], kind=AUTHZ)
        expect_fault(svc.ApproveProviderSslCertificate, token=tokens["plain_user"], providerGuid=fresh["guid"],
                     kind=AUTHZ)
        assert svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]) \
            .SslPolicy.SslCertificateApproved is False

        assert svc.ApproveProviderSslCertificate(token=tokens["op_admin"], providerGuid=fresh["guid"]) is None
        got = svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"])
        assert got.SslPolicy.SslCertificateApproved is True
        assert norm_pem(got.SslPolicy.SslCertificate) == norm_pem(cert)

        # the approved certificate is used: a TLS connection to our endpoint succeeds
        assert svc.TestEndpointConnection(token=fresh["token"], providerGuid=fresh["guid"]) is None
        assert endpoint.connections >= 1


def test_changed_certificate_is_pending_again(gateway, tokens, fresh):
    svc = gateway.service("Provider")
    cert1, _ = self_signed_cert("one.test")
    cert2, _ = self_signed_cert("two.test")
    url = "https://127.0.0.1:9/fulfill"
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=ssl_policies(url, cert1))
    svc.ApproveProviderSslCertificate(token=tokens["op_admin"], providerGuid=fresh["guid"])
    first = svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]).SslPolicy
    assert first.SslCertificateApproved is True
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=ssl_policies(url, cert2))
    second = svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]).SslPolicy
    assert second.SslCertificateApproved is False
    assert second.SslLastUpdate >= first.SslLastUpdate


def test_approve_certificate_with_cli(gateway, fresh):
    svc = gateway.service("Provider")
    cert, _ = self_signed_cert()
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"],
                            policies=ssl_policies("https://127.0.0.1:9/fulfill", cert))
    assert svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]) \
        .SslPolicy.SslCertificateApproved is False
    gateway.cli("provider", "approve-cert", fresh["id"])
    assert svc.GetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"]) \
        .SslPolicy.SslCertificateApproved is True


def test_approve_without_pending_certificate_faults(gateway, tokens, fresh):
    svc = gateway.service("Provider")
    svc.SetProviderPolicies(token=fresh["token"], providerGuid=fresh["guid"], policies=plain_policies("/p"))
    expect_fault(svc.ApproveProviderSslCertificate, token=tokens["op_admin"], providerGuid=fresh["guid"], kind=INVALID)
