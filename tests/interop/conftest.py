"""Session fixture: a real echo-gateway process for the zeep interoperability tests.

The binary is $ECHO_GATEWAY_BIN (default <repo>/target/debug/echo-gateway; build it with
`cargo build`). It is started with a temporary data dir on a free 127.0.0.1 port; accounts
are created through the CLI *while the server runs* (the CLI must be safe to use then).
"""

import contextlib
import json
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import time
import uuid

import pytest
import requests
import zeep
from lxml import etree
from zeep import Plugin
from zeep.transports import Transport

from echo_wire import NS_SOAP11, NS_TYPES, REPO, WSDL_DIR, compile_faults_schema, compile_wsdl_schema

BIN = pathlib.Path(os.environ.get("ECHO_GATEWAY_BIN", str(REPO / "target" / "debug" / "echo-gateway")))
START_TIMEOUT = 60  # seconds to wait for /healthz
CLI_TIMEOUT = 60
HTTP_TIMEOUT = 30


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SchemaCheck(Plugin):
    """Validates every response body the gateway sends against wsdl/ + schemas/ (strict element
    order, namespaces, nillability), and every fault detail against the faults schema."""

    _cache = {}

    def __init__(self, service):
        if service not in self._cache:
            self._cache[service] = compile_wsdl_schema(WSDL_DIR / ("%sService.wsdl" % service))
        self.schema = self._cache[service]
        self.faults = compile_faults_schema()

    def ingress(self, envelope, http_headers, operation):
        body = envelope.find("{%s}Body" % NS_SOAP11)
        assert body is not None, "response without SOAP 1.1 Body: %s" % etree.tostring(envelope)[:500]
        kids = [k for k in body if isinstance(k.tag, str)]
        assert len(kids) == 1, "response Body must hold one element: %s" % etree.tostring(body)[:500]
        el = kids[0]
        if el.tag == "{%s}Fault" % NS_SOAP11:
            detail = el.find("detail")
            assert detail is not None, "fault without detail: %s" % etree.tostring(el)[:500]
            for d in detail:
                if isinstance(d.tag, str):
                    assert self.faults.validate(d), "fault detail not valid: %s\n%s" % (
                        self.faults.error_log, etree.tostring(d)[:1000])
        else:
            assert self.schema.validate(el), "%s response not valid against the WSDL: %s\n%s" % (
                operation.name, self.schema.error_log, etree.tostring(el)[:2000])
        return envelope, http_headers


class Gateway:
    def __init__(self, data_dir, port, proc, log_path):
        self.data_dir = pathlib.Path(data_dir)
        self.port = port
        self.proc = proc
        self.log_path = log_path
        self.base_url = "https://127.0.0.1:%d" % port
        self.cert = str(self.data_dir / "tls" / "cert.pem")
        self.users = {}  # name -> dict(password, guid, role, provider)
        self.providers = {}  # id -> guid
        self._clients = {}

    # ---------------------------------------------------------------- CLI

    def cli(self, *args, stdin=None):
        """The last line a CLI command printed (it must print one)."""
        lines = self.cli_lines(*args, stdin=stdin)
        assert lines, "CLI %s printed nothing" % " ".join(args)
        return lines[-1]

    def cli_lines(self, *args, stdin=None):
        """Every non-empty stdout line of a CLI command, which must succeed."""
        cmd = [str(BIN), *args, "--data-dir", str(self.data_dir)]
        res = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=CLI_TIMEOUT)
        if res.returncode != 0:
            raise AssertionError("CLI %s failed (%d):\nstdout: %s\nstderr: %s" % (
                " ".join(args), res.returncode, res.stdout, res.stderr))
        return [l.strip() for l in res.stdout.splitlines() if l.strip()]

    def deliveries(self):
        """`deliveries list`: the outbox entries owed to partners, one dict each (id,
        provider_order, transaction, idempotency_key, created, and the delivery status)."""
        entries = []
        for line in self.cli_lines("deliveries", "list"):
            delivery = json.loads(line)
            entries.append(dict(delivery["entry"], status=delivery["status"]))
        return entries

    def import_catalog(self, items):
        """`catalog import` of catalog items given as dicts of field -> text (ItemGuid,
        ProviderGuid, CollectionId, DatasetId, GranuleUR, ...); returns the CLI's last line."""
        root = etree.Element("{%s}CatalogItems" % NS_TYPES, nsmap={None: NS_TYPES})
        for fields in items:
            item = etree.SubElement(root, "{%s}Item" % NS_TYPES)
            for name, text in fields.items():
                etree.SubElement(item, "{%s}%s" % (NS_TYPES, name)).text = str(text)
        path = self.data_dir.parent / ("catalog-%s.xml" % uuid.uuid4().hex)
        path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
        return self.cli("catalog", "import", str(path))

    def add_provider(self, provider_id, guid=None, name=None):
        args = ["provider", "add", provider_id]
        if guid:
            args += ["--guid", guid]
        if name:
            args += ["--name", name]
        out = self.cli(*args)
        self.providers[provider_id] = out
        return out

    def add_user(self, name, role, provider=None, guid=None):
        password = "pw-" + secrets.token_hex(12)
        args = ["user", "add", name, "--role", role]
        if provider:
            args += ["--provider", provider]
        if guid:
            args += ["--guid", guid]
        args += ["--password-stdin"]
        out = self.cli(*args, stdin=password + "\n")
        self.users[name] = dict(password=password, guid=out, role=role, provider=provider)
        return out

    def token(self, name):
        return self.cli("token", "issue", name)

    def new_provider_with_member(self, prefix="PROV"):
        """A fresh provider and member user, so a test does not depend on others' state."""
        suffix = uuid.uuid4().hex[:8].upper()
        pid = "%s_%s" % (prefix, suffix)
        guid = self.add_provider(pid)
        member = "member_" + suffix.lower()
        self.add_user(member, "provider", provider=pid)
        return pid, guid, member

    # ---------------------------------------------------------------- HTTP / SOAP

    def session(self):
        s = requests.Session()
        # Ignore REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE and proxy variables: with trust_env, requests
        # lets a CA bundle from the environment override Session.verify.
        s.trust_env = False
        s.verify = self.cert
        return s

    def wsdl_url(self, service, form="query"):
        name = service + "Service"
        if form == "query":
            return "%s/echo-v10/%sPortImpl?wsdl" % (self.base_url, name)
        return "%s/echo-wsdl/v10/%s.wsdl" % (self.base_url, name)

    def client(self, service, form="query"):
        key = (service, form)
        if key not in self._clients:
            transport = Transport(session=self.session(), timeout=HTTP_TIMEOUT, operation_timeout=HTTP_TIMEOUT)
            self._clients[key] = zeep.Client(self.wsdl_url(service, form), transport=transport,
                                             plugins=[SchemaCheck(service)])
        return self._clients[key]

    def service(self, service):
        return self.client(service).service

    def log_tail(self, n=60):
        try:
            return "\n".join(pathlib.Path(self.log_path).read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


def _wait_ready(gw):
    deadline = time.monotonic() + START_TIMEOUT
    last = None
    while time.monotonic() < deadline:
        if gw.proc.poll() is not None:
            raise AssertionError("echo-gateway exited with %s during start:\n%s" % (gw.proc.returncode, gw.log_tail()))
        if os.path.exists(gw.cert):
            try:
                with gw.session() as s:
                    r = s.get(gw.base_url + "/healthz", timeout=5)
                if r.status_code == 200:
                    return
                last = "HTTP %d" % r.status_code
            except requests.RequestException as e:  # not listening yet, cert being written, ...
                last = repr(e)
        time.sleep(0.2)
    raise AssertionError("echo-gateway not ready after %ss (last: %s):\n%s" % (START_TIMEOUT, last, gw.log_tail()))


@contextlib.contextmanager
def own_gateway(tmp_path_factory, label, *serve_args):
    """A gateway of a test's own, started with extra `serve` arguments (say other limits), ready
    on a free port; stopped when the block ends."""
    data_dir = tmp_path_factory.mktemp(label)
    port = free_port()
    log_path = data_dir.parent / ("%s-%d.log" % (label, port))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(BIN), "serve", "--data-dir", str(data_dir), "--listen", "127.0.0.1:%d" % port, *serve_args],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        gw = Gateway(data_dir, port, proc, log_path)
        try:
            _wait_ready(gw)
            yield gw
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@pytest.fixture(scope="session")
def gateway(tmp_path_factory):
    if not BIN.exists():
        pytest.fail("echo-gateway binary not found at %s: run `cargo build` (or set ECHO_GATEWAY_BIN)" % BIN)
    data_dir = tmp_path_factory.mktemp("echo-gateway-data")
    port = free_port()
    log_path = data_dir.parent / ("gateway-%d.log" % port)
    log = open(log_path, "wb")
    env = dict(os.environ)
    env.pop("ECHO_GATEWAY_DATA_DIR", None)
    env.setdefault("RUST_LOG", "info")
    proc = subprocess.Popen(
        [str(BIN), "serve", "--data-dir", str(data_dir), "--listen", "127.0.0.1:%d" % port],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    gw = Gateway(data_dir, port, proc, log_path)
    try:
        _wait_ready(gw)
        gw.add_user("op_admin", "operator")
        gw.add_provider("PROV_A")
        gw.add_provider("PROV_B", guid="5A1E3B0C-1D2E-4F60-8A9B-0C1D2E3F4A5B", name="Provider B")
        gw.add_user("prov_a_user", "provider", provider="PROV_A")
        gw.add_user("prov_b_user", "provider", provider="PROV_B")
        gw.add_user("plain_user", "user")
        yield gw
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def tokens(gateway):
    """CLI-issued tokens of the standard accounts (tests that revoke tokens issue their own)."""
    return {name: gateway.token(name) for name in ("op_admin", "prov_a_user", "prov_b_user", "plain_user")}
