"""Helpers shared by the interop tests: namespaces, WSDL locations, XML shape comparison."""

import datetime
import os
import pathlib

import pytest
import zeep

from lxml import etree
from zeep import xsd

REPO = pathlib.Path(__file__).resolve().parents[2]
WSDL_DIR = REPO / "wsdl"
SCHEMA_DIR = REPO / "schemas"
REFERENCE_DIR = pathlib.Path(
    os.environ.get("ECHO_REFERENCE_DIR", str(REPO.parent / "shared" / "reference"))
)
TRAFFIC_DIR = REFERENCE_DIR / "echo-v10-traffic"

NS_SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
NS_V10 = "http://echo.nasa.gov/echo/v10"
NS_TYPES = "http://echo.nasa.gov/echo/v10/types"
NS_FAULTS = "http://echo.nasa.gov/echo/v10/faults"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XSD = "http://www.w3.org/2001/XMLSchema"
NS_WSDL = "http://schemas.xmlsoap.org/wsdl/"
NS_WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
XSI_NIL = "{%s}nil" % NS_XSI

FAULT_NAMES = ("InvalidArgumentFault", "ItemNotFoundFault", "AuthorizationFault", "SoapMessageValidationFault")

# Operations each WSDL must define (priority services are final, the others are drafts).
SERVICE_OPERATIONS = {
    "Authentication": {"Login", "Logout", "GetProviderContextToken"},
    "User": {"GetUserNames"},
    "Provider": {
        "SetProviderPolicies",
        "GetProvidersPolicies",
        "GetProviderPolicies",
        "RemoveProviderPolicies",
        "GetProviderNames",
        "TestEndpointConnection",
        "ApproveProviderSslCertificate",
    },
    "DataManagement": {
        "GetCatalogItemOptionDefinitions2",
        "SetCatalogItemOptionDefinitionsDeprecated",
        "AddCatalogItems",
        "CreateCatalogItemOptionDefinitions",
        "RemoveCatalogItemOptionDefinitions",
        "CreateCatalogItemOptionAssignments",
        "GetCatalogItemOptionAssignments",
        "RemoveCatalogItemOptionAssignments",
    },
    "OrderManagement": {
        "CreateOrder",
        "AddOrderItems",
        "RemoveOrderItems",
        "UpdateOrderItems",
        "SetUserInformationForOrder",
        "ValidateOrder",
        "QuoteOrder",
        "SubmitOrder",
        "CancelOrder",
        "CancelProviderOrder",
        "RemoveOrders",
        "GetOrders",
        "GetOrderItems",
        "GetOrderItemNamesByOrder",
        "GetOrderItemNamesByProviderOrder",
        "GetProviderOrderGuidsByStateDateAndProvider",
        "ResubmitProviderOrder",
    },
    "OrderProcessing": {
        "CloseProviderOrder",
        "AcceptProviderOrderCancellation",
        "RejectProviderOrderCancellation",
        "AcceptProviderOrderSubmission",
        "RejectProviderOrderSubmission",
        "AcceptProviderOrderQuote",
        "RejectProviderOrderQuote",
        "UpdateProviderOrderStatusMessage",
        "SetProviderTrackingId",
    },
}
PRIORITY_SERVICES = ("Authentication", "User", "Provider")


def binding_of(client, service):
    name = service + "Service"
    return client.wsdl.services[name].ports[name + "Port"].binding


def body_children(envelope):
    body = envelope.find("{%s}Body" % NS_SOAP11)
    assert body is not None, "no SOAP 1.1 Body"
    return [c for c in body if isinstance(c.tag, str)]


def operation_element(envelope):
    """The first Body child: the operation (or fault) element; junk siblings like <to_str/> are ignored."""
    kids = body_children(envelope)
    assert kids, "empty Body"
    return kids[0]


def shape(el, with_text=True, with_nil=True):
    """Element structure as nested tuples: (namespace URI, local name, xsi:nil, leaf text, children).

    Prefixes are ignored; order and nesting are kept."""
    q = etree.QName(el)
    kids = [c for c in el if isinstance(c.tag, str)]
    nil = with_nil and el.get(XSI_NIL) in ("true", "1")
    text = None
    if with_text and not kids:
        text = (el.text or "").strip()
    return (q.namespace, q.localname, nil, text, tuple(shape(c, with_text, with_nil) for c in kids))


def first_difference(a, b, path=""):
    """Human-readable first difference between two shape() tuples, or None."""
    here = "%s/{%s}%s" % (path, a[0], a[1])
    if a[:2] != b[:2]:
        return "%s: element {%s}%s vs {%s}%s" % (path or "/", a[0], a[1], b[0], b[1])
    if a[2] != b[2]:
        return "%s: xsi:nil %s vs %s" % (here, a[2], b[2])
    if a[3] != b[3]:
        return "%s: text %r vs %r" % (here, a[3], b[3])
    for i, (x, y) in enumerate(zip(a[4], b[4])):
        d = first_difference(x, y, "%s[%d]" % (here, i))
        if d:
            return d
    if len(a[4]) != len(b[4]):
        extra = a[4][len(b[4]):] or b[4][len(a[4]):]
        return "%s: %d vs %d children (first extra: {%s}%s)" % (
            here, len(a[4]), len(b[4]), extra[0][0], extra[0][1])
    return None


def xml_to_zeep_value(el, zelement):
    """Convert a recorded XML element into the Python value zeep would accept for `zelement`.

    Guided by the schema: raises KeyError/AssertionError for elements the schema does not
    define, in a namespace other than the schema's."""
    if el.get(XSI_NIL) in ("true", "1"):
        return xsd.Nil
    ztype = zelement.type
    if isinstance(ztype, xsd.ComplexType):
        children = {name: ze for name, ze in ztype.elements}
        out = {}
        for child in el:
            if not isinstance(child.tag, str):
                continue
            q = etree.QName(child)
            if q.localname not in children:
                raise KeyError("element %s not defined in type %s" % (child.tag, ztype.qname))
            ze = children[q.localname]
            assert q.namespace == ze.qname.namespace, (child.tag, ze.qname)
            value = xml_to_zeep_value(child, ze)
            if ze.max_occurs != 1:
                out.setdefault(q.localname, []).append(value)
            else:
                assert q.localname not in out, "repeated element %s" % child.tag
                out[q.localname] = value
        return out
    text = el.text or ""
    return ztype.pythonvalue(text) if text else text


def compile_wsdl_schema(wsdl_path):
    """lxml XMLSchema for a WSDL's inline schema (imports resolved relative to the WSDL file)."""
    doc = etree.parse(str(wsdl_path))
    schemas = doc.findall("{%s}types/{%s}schema" % (NS_WSDL, NS_XSD))
    assert len(schemas) == 1, "expected one inline schema"
    text = etree.tostring(schemas[0])
    root = etree.fromstring(text, base_url=pathlib.Path(wsdl_path).resolve().as_uri())
    return etree.XMLSchema(root)


def compile_faults_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "echo-v10-faults.xsd")))


# ---------------------------------------------------------------- fault helpers


def fault_detail(exc):
    """(detail element local name, ErrorCode) of a zeep Fault raised by the gateway."""
    detail = exc.detail
    assert detail is not None, "fault without detail: %r" % (exc.message,)
    kids = [k for k in detail if isinstance(k.tag, str)]
    assert len(kids) == 1, etree.tostring(detail)
    q = etree.QName(kids[0])
    assert q.namespace == NS_FAULTS, etree.tostring(detail)
    code = kids[0].findtext("{%s}ErrorCode" % NS_FAULTS)
    return q.localname, code


def expect_fault(call, *args, kind=None, codes=None, **kwargs):
    """Call, expect a zeep Fault; check its detail element name and ErrorCode. Returns the Fault."""
    with pytest.raises(zeep.exceptions.Fault) as info:
        call(*args, **kwargs)
    exc = info.value
    name, code = fault_detail(exc)
    if kind:
        assert name == kind, "expected %s, got %s (ErrorCode %s, %s)" % (kind, name, code, exc.message)
    if codes:
        assert code in codes, "expected ErrorCode in %s, got %s (%s)" % (codes, code, exc.message)
    return exc


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)


def items(result):
    """The Item list of a zeep list result: zeep returns a bare list for a wrapper whose only
    child is the repeated Item, an object with .Item otherwise, None for an absent/nil list."""
    if result is None:
        return []
    if isinstance(result, list):
        return result
    return list(result.Item or [])


def is_nil(value):
    """zeep reads a nil element of a complex type (<result xsi:nil="true"/>) as None or as a
    value whose fields are all None."""
    if value is None:
        return True
    values = getattr(value, "__values__", None)
    return values is not None and all(v is None for v in values.values())
