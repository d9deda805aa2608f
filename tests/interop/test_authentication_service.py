"""AuthenticationService through zeep against a running gateway (see conftest.py)."""

from lxml import etree

from echo_wire import NS_FAULTS, compile_faults_schema, expect_fault, items

AUTHZ = "AuthorizationFault"
INVALID = "InvalidArgumentFault"


def login(gateway, name, **extra):
    auth = gateway.service("Authentication")
    return auth.Login(username=name, password=gateway.users[name]["password"], **extra)


def whoami(gateway, token, name):
    """A call every role may make: GetUserNames for oneself."""
    users = gateway.service("User").GetUserNames(token=token, userGuids={"Item": [gateway.users[name]["guid"]]})
    return [(i.Name, i.Guid) for i in items(users)]


def test_login_returns_working_token(gateway):
    token = login(gateway, "plain_user")
    assert isinstance(token, str) and len(token) >= 16
    assert whoami(gateway, token, "plain_user") == [("plain_user", gateway.users["plain_user"]["guid"])]


def test_login_with_client_info(gateway):
    token = login(gateway, "plain_user", clientInfo={"ClientId": "zeep-interop", "UserIpAddress": "127.0.0.1"})
    assert whoami(gateway, token, "plain_user")[0][0] == "plain_user"


def test_login_tokens_are_distinct(gateway):
    assert login(gateway, "plain_user") != login(gateway, "plain_user")


def test_login_wrong_password_faults(gateway):
    auth = gateway.service("Authentication")
    exc = expect_fault(auth.Login, username="plain_user", password="wrong-password")
    assert "wrong-password" not in (exc.message or "")
    expect_fault(auth.Login, username="nobody_here", password="x")


def test_logout_revokes_token(gateway):
    auth = gateway.service("Authentication")
    token = login(gateway, "plain_user")
    assert whoami(gateway, token, "plain_user")
    assert auth.Logout(token=token) is None
    exc = expect_fault(whoami, gateway, token, "plain_user", kind=INVALID)
    code = exc.detail[0].findtext("{%s}ErrorCode" % NS_FAULTS)
    assert code in ("TokenNotFound", "TokenExpired", "TokenRevoked"), code


def test_logout_of_cli_issued_token(gateway):
    token = gateway.token("plain_user")
    gateway.service("Authentication").Logout(token=token)
    expect_fault(whoami, gateway, token, "plain_user", kind=INVALID, codes=("TokenNotFound", "TokenExpired"))


def test_bad_token_fault_has_echo_shape(gateway):
    """Like the recorded bad_token fixture: Client fault, InvalidArgumentFault/TokenNotFound with all fields."""
    svc = gateway.service("Provider")
    exc = expect_fault(svc.GetProviderNames, token="7DBF94F9-6C43-C6B3-0DA4-624FF0FFC372", guids=None,
                       kind=INVALID, codes=("TokenNotFound",))
    assert exc.code.endswith("Client"), exc.code
    fault = exc.detail[0]
    assert compile_faults_schema().validate(fault), etree.tostring(fault)
    names = [etree.QName(c).localname for c in fault]
    assert names[:5] == ["ErrorCode", "OpsMessage", "SystemMessage", "Timestamp", "ErrorInstanceId"]
    # the full token must not be echoed back
    assert "7DBF94F9-6C43-C6B3-0DA4-624FF0FFC372" not in etree.tostring(fault).decode() or \
        fault.find("{%s}Arguments" % NS_FAULTS) is not None


def test_provider_context_token_acts_for_provider(gateway):
    auth = gateway.service("Authentication")
    token = login(gateway, "prov_a_user")
    ctx = auth.GetProviderContextToken(token=token, behalfOfProvider="PROV_A")
    assert isinstance(ctx, str) and ctx and ctx != token
    prov = gateway.service("Provider")
    guid = gateway.providers["PROV_A"]
    prov.GetProviderPolicies(token=ctx, providerGuid=guid)  # no fault
    ctx2 = auth.GetProviderContextToken(token=token, clientInfo={"ClientId": "zeep-interop"}, behalfOfProvider="PROV_A")
    assert ctx2


def test_provider_context_token_for_foreign_provider_faults(gateway):
    auth = gateway.service("Authentication")
    token = login(gateway, "prov_b_user")
    expect_fault(auth.GetProviderContextToken, token=token, behalfOfProvider="PROV_A", kind=AUTHZ)
    plain = login(gateway, "plain_user")
    expect_fault(auth.GetProviderContextToken, token=plain, behalfOfProvider="PROV_A", kind=AUTHZ)


def test_provider_context_token_with_bad_token_faults(gateway):
    auth = gateway.service("Authentication")
    expect_fault(auth.GetProviderContextToken, token="no-such-token", behalfOfProvider="PROV_A",
                 kind=INVALID, codes=("TokenNotFound",))


def test_login_behalf_of_provider(gateway):
    token = login(gateway, "prov_a_user", behalfOfProvider="PROV_A")
    gateway.service("Provider").GetProviderPolicies(token=token, providerGuid=gateway.providers["PROV_A"])
