"""The WSDLs the gateway serves load in zeep (both URL forms) and match wsdl/ in the repo."""

import pytest
import zeep
from lxml import etree

from echo_wire import (NS_WSDL, NS_WSDL_SOAP, NS_XSD, PRIORITY_SERVICES, SERVICE_OPERATIONS, WSDL_DIR,
                       binding_of)

FORMS = ("query", "path")


def served_or_skip(gateway, service, form):
    r = gateway.session().get(gateway.wsdl_url(service, form), timeout=30)
    if r.status_code == 404 and service not in PRIORITY_SERVICES:
        pytest.skip("%sService not served yet" % service)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return r


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("service", sorted(SERVICE_OPERATIONS))
def test_served_wsdl_loads_in_zeep(gateway, service, form):
    served_or_skip(gateway, service, form)
    client = gateway.client(service, form)
    ops = set(binding_of(client, service)._operations)
    assert ops == SERVICE_OPERATIONS[service]
    offline = zeep.Client(str(WSDL_DIR / ("%sService.wsdl" % service)))
    assert ops == set(binding_of(offline, service)._operations)


@pytest.mark.parametrize("service", sorted(SERVICE_OPERATIONS))
def test_served_wsdl_urls_rewritten(gateway, service):
    r = served_or_skip(gateway, service, "query")
    doc = etree.fromstring(r.content)
    name = service + "Service"
    loc = doc.find("{%s}service/{%s}port/{%s}address" % (NS_WSDL, NS_WSDL, NS_WSDL_SOAP)).get("location")
    assert loc in ("https://127.0.0.1:%d/echo-v10/%sPortImpl" % (gateway.port, name),
                   "https://localhost:%d/echo-v10/%sPortImpl" % (gateway.port, name)), loc
    for imp in doc.findall("{%s}types/{%s}schema/{%s}import" % (NS_WSDL, NS_XSD, NS_XSD)):
        url = imp.get("schemaLocation")
        assert url.startswith("https://"), url
        x = gateway.session().get(url, timeout=30)
        assert x.status_code == 200, url
        assert etree.fromstring(x.content).get("targetNamespace") == imp.get("namespace")


@pytest.mark.parametrize("service", PRIORITY_SERVICES)
def test_both_forms_serve_the_same_document(gateway, service):
    a = served_or_skip(gateway, service, "query").content
    b = served_or_skip(gateway, service, "path").content
    assert a == b
