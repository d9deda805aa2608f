"""Offline checks of wsdl/OrderFulfillment.wsdl and the v9 fulfillment schemas.

* the WSDL loads in zeep with exactly QuoteOrder, SubmitOrder and CancelOrder, each
  document/literal with soapAction "" and the FulfillmentFault;
* every envelope the gateway's `wire::fulfillment` writes (requests, answers of every
  disposition, the fault) validates against the schemas, and zeep rebuilds each request and
  reads each answer.

The envelopes come from the unit tests of src/wire/fulfillment/ (`cargo test --lib
wire::fulfillment`), which write them to <repo>/target/tmp/fulfillment-samples; scripts/test
runs cargo test first.
"""

import pytest
import zeep
from lxml import etree

from echo_wire import (
    NS_WSDL_SOAP,
    REPO,
    SCHEMA_DIR,
    WSDL_DIR,
    compile_wsdl_schema,
    first_difference,
    operation_element,
    shape,
    xml_to_zeep_value,
)

NS_V9 = "http://echo.nasa.gov/v9/order/fulfillment"
NS_V9_TYPES = NS_V9 + "/types"
NS_V9_FAULTS = NS_V9 + "/faults"
WSDL = WSDL_DIR / "OrderFulfillment.wsdl"
SAMPLES = REPO / "target" / "tmp" / "fulfillment-samples"
OPERATIONS = {"QuoteOrder", "SubmitOrder", "CancelOrder"}
DISPOSITIONS = ("ACCEPTED_AUTOMATIC", "ACCEPTED_MANUAL", "REJECTED", "POSTPONED")


@pytest.fixture(scope="module")
def client():
    return zeep.Client(str(WSDL))


@pytest.fixture(scope="module")
def validator():
    return compile_wsdl_schema(WSDL)


def binding(client):
    return client.wsdl.services["OrderFulfillmentService"].ports["OrderFulfillmentPort"].binding


def sample(name):
    path = SAMPLES / name
    if not path.exists():
        pytest.fail("%s is missing: run `cargo test --lib wire::fulfillment` first" % path)
    return etree.parse(str(path)).getroot()


def test_wsdl_defines_the_three_operations(client):
    operations = binding(client)._operations
    assert set(operations) == OPERATIONS
    for name, op in operations.items():
        assert op.soapaction == "", name
        assert op.style == "document", name
        assert set(op.faults) == {"FulfillmentFault"}, name
        part = op.faults["FulfillmentFault"].abstract.parts["fault"]
        assert part.element.qname == etree.QName(NS_V9_FAULTS, "FulfillmentFault").text
        assert op.input.body.qname == etree.QName(NS_V9, name).text
        assert op.output.body.qname == etree.QName(NS_V9, name + "Response").text
        assert [n for n, _ in op.input.body.type.elements] == ["idempotencyKey", "order"]
        assert [n for n, _ in op.output.body.type.elements] == ["result"]


def test_wsdl_rewritable_forms():
    doc = etree.parse(str(WSDL))
    address = doc.find(".//{%s}address" % NS_WSDL_SOAP)
    assert address.get("location") == "https://localhost:8443/echo-v9/OrderFulfillmentServicePortImpl"
    imports = doc.findall(".//{http://www.w3.org/2001/XMLSchema}import")
    assert {(i.get("namespace"), i.get("schemaLocation")) for i in imports} == {
        (NS_V9_TYPES, "../schemas/echo-v9-fulfillment-types.xsd"),
        (NS_V9_FAULTS, "../schemas/echo-v9-fulfillment-faults.xsd"),
    }


TRANSACTIONS = {"QUOTE": "QuoteOrder", "SUBMIT": "SubmitOrder", "CANCEL": "CancelOrder"}


@pytest.mark.parametrize("transaction", sorted(TRANSACTIONS))
def test_request_validates_and_zeep_rebuilds_it(transaction, client, validator):
    written = operation_element(sample("request-%s.xml" % transaction))
    assert written.tag == "{%s}%s" % (NS_V9, TRANSACTIONS[transaction])
    assert validator.validate(written), str(validator.error_log)
    kwargs = xml_to_zeep_value(written, client.get_element(written.tag))
    built = operation_element(client.create_message(client.service, TRANSACTIONS[transaction], **kwargs))
    a, b = shape(built), shape(written)
    assert a == b, "zeep-built vs written: " + str(first_difference(a, b))


@pytest.mark.parametrize("transaction", sorted(TRANSACTIONS))
@pytest.mark.parametrize("disposition", DISPOSITIONS)
def test_answer_validates_and_zeep_reads_it(transaction, disposition, client, validator):
    envelope = sample("answer-%s-%s.xml" % (transaction, disposition))
    body = operation_element(envelope)
    assert body.tag == "{%s}%sResponse" % (NS_V9, TRANSACTIONS[transaction])
    assert validator.validate(body), str(validator.error_log)
    result = binding(client)._operations[TRANSACTIONS[transaction]].process_reply(envelope)
    assert result.Disposition == disposition
    assert result.Message == "partner says %s <&>" % disposition
    assert result.OrderReceipt.Pricing.TotalPrice == 37.5


def test_fault_validates_and_zeep_raises_it(client):
    envelope = sample("fault.xml")
    fault = operation_element(envelope)
    assert fault.findtext("faultcode") == "SOAP-ENV:Client"
    detail = fault.find("detail")[0]
    faults = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "echo-v9-fulfillment-faults.xsd")))
    assert faults.validate(detail), str(faults.error_log)
    soap = binding(client)
    with pytest.raises(zeep.exceptions.Fault) as info:
        soap.process_error(envelope, soap._operations["SubmitOrder"])
    assert info.value.message == "no such <dataset>"
    assert info.value.detail[0].findtext("{%s}ErrorCode" % NS_V9_FAULTS) == "InvalidOrder"
