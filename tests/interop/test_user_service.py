"""UserService through zeep against a running gateway (see conftest.py)."""

import zeep

from echo_wire import expect_fault, items


def names(result):
    return [(i.Name, i.Guid) for i in items(result)]


def test_operator_gets_any_user_names(gateway, tokens):
    svc = gateway.service("User")
    u = gateway.users
    got = svc.GetUserNames(token=tokens["op_admin"], userGuids={"Item": [u["plain_user"]["guid"], u["prov_a_user"]["guid"]]})
    assert names(got) == [("plain_user", u["plain_user"]["guid"]), ("prov_a_user", u["prov_a_user"]["guid"])]


def test_operator_gets_all_user_names_with_nil(gateway, tokens):
    svc = gateway.service("User")
    got = dict((g, n) for n, g in names(svc.GetUserNames(token=tokens["op_admin"], userGuids=None)))
    for name in ("op_admin", "prov_a_user", "prov_b_user", "plain_user"):
        assert got.get(gateway.users[name]["guid"]) == name


def test_user_gets_own_name(gateway, tokens):
    svc = gateway.service("User")
    me = gateway.users["plain_user"]["guid"]
    assert names(svc.GetUserNames(token=tokens["plain_user"], userGuids={"Item": [me]})) == [("plain_user", me)]


def _not_disclosed(call, other_guid, **kwargs):
    """Either an AuthorizationFault or a result that does not name the other user."""
    try:
        result = call(**kwargs)
    except zeep.exceptions.Fault:
        expect_fault(call, kind="AuthorizationFault", **kwargs)
        return
    assert other_guid not in [g for _, g in names(result)]


def test_user_cannot_see_other_users(gateway, tokens):
    svc = gateway.service("User")
    other = gateway.users["prov_a_user"]["guid"]
    _not_disclosed(svc.GetUserNames, other, token=tokens["plain_user"], userGuids={"Item": [other]})
    _not_disclosed(svc.GetUserNames, other, token=tokens["plain_user"], userGuids=None)


def test_provider_member_cannot_see_users_who_never_ordered(gateway, tokens):
    svc = gateway.service("User")
    other = gateway.users["plain_user"]["guid"]
    _not_disclosed(svc.GetUserNames, other, token=tokens["prov_a_user"], userGuids={"Item": [other]})


def test_user_guids_are_echo_style(gateway):
    import re
    for u in gateway.users.values():
        assert re.fullmatch(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", u["guid"]), u


def test_get_user_names_bad_token(gateway):
    svc = gateway.service("User")
    expect_fault(svc.GetUserNames, token="bogus", userGuids=None, kind="InvalidArgumentFault", codes=("TokenNotFound",))
