"""Offline checks of wsdl/ and schemas/ against the recorded ECHO v10 traffic.

* every WSDL loads in zeep from the file, defines exactly the expected operations, each
  with the three ECHO faults, soapAction "", document/literal, and the address/import
  forms the server rewrites;
* for every recorded request, zeep builds the same call (element names, namespaces,
  nesting, order, xsi:nil, values) -- generically from the recorded values and, for the
  main operations, from hand-written arguments;
* every recorded request/response operation element validates against our schemas (lxml),
  and every recorded response is read by zeep (results and the recorded fault).

Fixtures: $ECHO_REFERENCE_DIR/echo-v10-traffic (default <repo>/../shared/reference).
"""

import csv
import functools
import re

import pytest
import zeep
from lxml import etree
from zeep import xsd
from zeep.exceptions import Fault

from echo_wire import (
    FAULT_NAMES,
    NS_FAULTS,
    NS_V10,
    NS_WSDL,
    NS_WSDL_SOAP,
    NS_XSD,
    SERVICE_OPERATIONS,
    TRAFFIC_DIR,
    WSDL_DIR,
    binding_of,
    compile_faults_schema,
    compile_wsdl_schema,
    first_difference,
    operation_element,
    shape,
    xml_to_zeep_value,
)

SERVICES = sorted(SERVICE_OPERATIONS)


@functools.lru_cache(maxsize=None)
def client(service):
    return zeep.Client(str(WSDL_DIR / ("%sService.wsdl" % service)))


@functools.lru_cache(maxsize=None)
def validator(service):
    return compile_wsdl_schema(WSDL_DIR / ("%sService.wsdl" % service))


def load_index():
    index = TRAFFIC_DIR / "index.tsv"
    if not index.exists():
        return []
    rows = []
    with open(index, newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            m = re.search(r"/echo-v10/(\w+)ServicePortImpl$", row["endpoint"])
            assert m, row
            rows.append((row["fixture"], m.group(1), int(row["http_status"])))
    return rows


FIXTURES = load_index()
NO_FIXTURES = pytest.mark.skip(reason="recorded traffic not found at %s (set ECHO_REFERENCE_DIR)" % TRAFFIC_DIR)


def fixture_params():
    if not FIXTURES:
        return [pytest.param(None, marks=NO_FIXTURES)]
    return [pytest.param(f, id=f[0]) for f in FIXTURES]


def read(fixture, kind):
    return etree.parse(str(TRAFFIC_DIR / ("%s.%s.xml" % (fixture, kind)))).getroot()


# ---------------------------------------------------------------- WSDL shape


@pytest.mark.parametrize("service", SERVICES)
def test_wsdl_loads_offline_with_expected_operations(service):
    c = client(service)
    binding = binding_of(c, service)
    assert set(binding._operations) == SERVICE_OPERATIONS[service]
    for name, op in binding._operations.items():
        assert op.soapaction == "", name
        assert op.style == "document", name
        assert set(op.faults) == set(FAULT_NAMES), name
        for fault_name, fault in op.faults.items():
            part = fault.abstract.parts["fault"]
            assert part.element.qname == etree.QName(NS_FAULTS, fault_name).text
        assert op.input.body.qname == etree.QName(NS_V10, name).text
        assert op.output.body.qname == etree.QName(NS_V10, name + "Response").text
        first = [n for n, _ in op.input.body.type.elements][:1]
        assert first == (["username"] if name == "Login" else ["token"]), name


@pytest.mark.parametrize("service", SERVICES)
def test_wsdl_rewritable_forms(service):
    """The server rewrites these exact forms to its own URL when serving the WSDL."""
    doc = etree.parse(str(WSDL_DIR / ("%sService.wsdl" % service)))
    name = service + "Service"
    ports = doc.findall("{%s}service/{%s}port" % (NS_WSDL, NS_WSDL))
    assert [(p.getparent().get("name"), p.get("name")) for p in ports] == [(name, name + "Port")]
    addr = ports[0].find("{%s}address" % NS_WSDL_SOAP)
    assert addr.get("location") == "https://localhost:8443/echo-v10/%sPortImpl" % name
    imports = doc.findall("{%s}types/{%s}schema/{%s}import" % (NS_WSDL, NS_XSD, NS_XSD))
    assert {(i.get("namespace"), i.get("schemaLocation")) for i in imports} == {
        ("http://echo.nasa.gov/echo/v10/types", "../schemas/echo-v10-types.xsd"),
        ("http://echo.nasa.gov/echo/v10/faults", "../schemas/echo-v10-faults.xsd"),
    }
    schema = doc.find("{%s}types/{%s}schema" % (NS_WSDL, NS_XSD))
    assert schema.get("targetNamespace") == NS_V10
    assert schema.get("elementFormDefault") == "qualified"
    validator(service)  # compiles


def test_types_and_faults_xsd_compile():
    compile_faults_schema()
    types = etree.parse(str(WSDL_DIR.parent / "schemas" / "echo-v10-types.xsd"))
    assert types.getroot().get("elementFormDefault") == "qualified"
    etree.XMLSchema(types)


def test_provider_policies_field_order():
    c = client("Provider")
    t = c.get_type("{http://echo.nasa.gov/echo/v10/types}ProviderPolicies")
    assert [n for n, _ in t.elements] == [
        "EndPoint", "RetryAttempts", "RetryWaitTime", "Routing", "SslPolicy",
        "OrderSupportsDuplicateCatalogItems", "CollectionsSupportingDuplicateOrderItems",
        "SupportedTransactions", "MaxItemsPerOrder", "Properties",
        "OrderingSuspendedUntilDate", "overrideNotificationEnabled",
    ]
    assert all(e.min_occurs == 0 for _, e in t.elements)
    ssl = c.get_type("{http://echo.nasa.gov/echo/v10/types}SslPolicy")
    assert [n for n, _ in ssl.elements] == [
        "SslEnabled", "SslCertificate", "SslLastUpdate", "SslCertificateApproved"]


# ---------------------------------------------------------------- requests


def built_request(service, op_name, kwargs):
    c = client(service)
    return operation_element(c.create_message(c.service, op_name, **kwargs))


def assert_same_shape(built, recorded):
    a, b = shape(built), shape(recorded)
    assert a == b, "zeep-built vs recorded: " + str(first_difference(a, b))


@pytest.mark.parametrize("fixture", fixture_params())
def test_recorded_request_rebuilt_by_zeep(fixture):
    path, service, _ = fixture
    recorded = operation_element(read(path, "request"))
    assert etree.QName(recorded).namespace == NS_V10
    op_name = etree.QName(recorded).localname
    c = client(service)
    zelement = c.get_element(recorded.tag)
    kwargs = xml_to_zeep_value(recorded, zelement)
    assert_same_shape(built_request(service, op_name, kwargs), recorded)


@pytest.mark.parametrize("fixture", fixture_params())
def test_recorded_request_validates(fixture):
    path, service, _ = fixture
    recorded = operation_element(read(path, "request"))
    v = validator(service)
    assert v.validate(recorded), str(v.error_log)


GUID = "07ACF84C-6360-0BC7-92A8-E95A958DDE12"
T = "REDACTED-TOKEN"

# (fixture, service, operation, arguments as an application would write them)
HAND_BUILT = [
    ("provider_names/00-GetProviderNames", "Provider", "GetProviderNames", dict(token=T, guids=None)),
    ("provider_service/order_policies/create/01-SetProviderPolicies", "Provider", "SetProviderPolicies", dict(
        token=T, providerGuid=GUID, policies=dict(
            EndPoint="/path_to.html", RetryAttempts=3, RetryWaitTime=60, Routing="ORDER_FULFILLMENT_V9",
            SslPolicy=dict(SslEnabled=False, SslCertificate=""),
            OrderSupportsDuplicateCatalogItems=True,
            CollectionsSupportingDuplicateOrderItems={"Item": ["C1200189943-MMT_2"]},
            SupportedTransactions={"Item": ["SUBMIT", "CANCEL"]},
            Properties="<test>user provided xml</test>",
            overrideNotificationEnabled=False))),
    ("provider_service/order_policies/empty/01-GetProvidersPolicies", "Provider", "GetProvidersPolicies",
     dict(token=T, providerGuids={"Item": [GUID]})),
    ("provider_service/order_policies/destroy/01-RemoveProviderPolicies", "Provider", "RemoveProviderPolicies",
     dict(token=T, providerGuid=GUID)),
    ("order_management_service/order_information/01-GetUserNames", "User", "GetUserNames",
     dict(token=T, userGuids={"Item": ["user_guid"]})),
    ("order_management_service/provider_orders/bad_token/00-GetOrders", "OrderManagement", "GetOrders",
     dict(token=T, orderGuids={"Item": ["bad_token"]})),
    ("order_management_service/provider_order_information/02-GetOrderItemNamesByProviderOrder", "OrderManagement",
     "GetOrderItemNamesByProviderOrder",
     dict(token=T, providerOrderGuids={"Item": [{"ProviderGuid": "provider_guid", "OrderGuid": "test_order_guid"}]})),
    ("order_management_service/provider_order_information/03-GetOrderItems", "OrderManagement", "GetOrderItems",
     dict(token=T, orderItemGuids={"Item": ["88826442-322A-2C55-A75E-C4D0374FEF0B"]})),
    ("order_processing_service/close_provider_order/close_one/00-CloseProviderOrder", "OrderProcessing",
     "CloseProviderOrder", dict(token=T, orderGuid="test_order_guid", providerTrackingId="0600030379",
                                catalogItemGuids={"Item": ["G1000005028-DEV07"]}, statusMessage="Running tests")),
    ("data_management_service/option_definitions/list/00-GetCatalogItemOptionDefinitions2", "DataManagement",
     "GetCatalogItemOptionDefinitions2", dict(token=T, optionGuids=None)),
]


@pytest.mark.parametrize("case", HAND_BUILT, ids=[h[0] for h in HAND_BUILT])
def test_hand_built_request_matches_recording(case):
    path, service, op_name, kwargs = case
    if not FIXTURES:
        pytest.skip("recorded traffic not found at %s" % TRAFFIC_DIR)
    recorded = operation_element(read(path, "request"))
    assert etree.QName(recorded).localname == op_name
    assert_same_shape(built_request(service, op_name, kwargs), recorded)


def test_accept_provider_order_cancellation_matches_recording():
    if not FIXTURES:
        pytest.skip("recorded traffic not found at %s" % TRAFFIC_DIR)
    path = "order_processing_service/cancel_provider_order/cancel_all/00-AcceptProviderOrderCancellation"
    recorded = operation_element(read(path, "request"))
    items = [e.text for e in recorded.iter("{http://echo.nasa.gov/echo/v10/types}Item")]
    built = built_request("OrderProcessing", "AcceptProviderOrderCancellation", dict(
        token=T, orderGuid="test_order_guid",
        providerTrackingId=recorded.findtext("{%s}providerTrackingId" % NS_V10),
        catalogItemGuids={"Item": items}, statusMessage="Running tests"))
    assert_same_shape(built, recorded)


# ---------------------------------------------------------------- responses


@pytest.mark.parametrize("fixture", fixture_params())
def test_recorded_response_read_by_zeep(fixture):
    path, service, status = fixture
    envelope = read(path, "response")
    recorded_request = operation_element(read(path, "request"))
    op_name = etree.QName(recorded_request).localname
    c = client(service)
    binding = binding_of(c, service)
    op = binding._operations[op_name]
    if status == 200:
        body = operation_element(envelope)
        assert body.tag == "{%s}%sResponse" % (NS_V10, op_name)
        v = validator(service)
        assert v.validate(body), str(v.error_log)
        result = op.process_reply(envelope)  # what a zeep client returns to the application
        if list(body):
            # zeep parses strictly (unknown elements raise); render the value back and compare
            # the structure (zeep reads a nil complex Item as an empty value, so nil is not compared
            # here -- the schema validation above checks nil placement).
            zresult = op.output.body
            reparsed = zresult.parse(body, c.wsdl.types)
            rendered = etree.Element("root")
            zresult.render(rendered, reparsed)
            a = shape(rendered[0], with_text=False, with_nil=False)
            b = shape(body, with_text=False, with_nil=False)
            assert a == b, first_difference(a, b)
            assert result is not None
        else:
            assert result is None
    else:
        assert status == 500
        with pytest.raises(Fault) as exc:
            binding.process_error(envelope, op)
        detail = exc.value.detail
        kids = [k for k in detail if isinstance(k.tag, str)]
        assert len(kids) == 1
        fault = kids[0]
        assert etree.QName(fault).namespace == NS_FAULTS
        assert etree.QName(fault).localname in FAULT_NAMES
        assert compile_faults_schema().validate(fault)
        value = c.get_element(fault.tag).parse(fault, c.wsdl.types)
        assert value.ErrorCode == "TokenNotFound"
        assert value.OpsMessage is None
        assert value.Arguments.Argument[0].Name == "Token"


def test_nil_items_in_policies_list_are_read_as_none():
    if not FIXTURES:
        pytest.skip("recorded traffic not found at %s" % TRAFFIC_DIR)
    c = client("Provider")
    op = binding_of(c, "Provider")._operations["GetProvidersPolicies"]
    empty = op.process_reply(read("provider_service/order_policies/empty/01-GetProvidersPolicies", "response"))
    assert len(empty) == 1
    assert all(v is None for v in empty[0].__values__.values()) or empty[0] is None
    full = op.process_reply(read("provider_service/order_policies/create/03-GetProvidersPolicies", "response"))
    assert full[0].EndPoint == "/path_to.html"
    assert full[0].RetryAttempts == 3
    assert full[0].SslPolicy.SslEnabled is False
    assert full[0].SslPolicy.SslLastUpdate.year == 2016
    assert full[0].SupportedTransactions.Item == ["SUBMIT", "CANCEL"]
    assert full[0].overrideNotificationEnabled is False
