"""A small Microsoft Graph + Entra token endpoint on loopback, over HTTPS with a test CA.

MSAL needs an https authority and fetches its openid-configuration first; Graph pages are
linked by @odata.nextLink. The stand-in serves both from one ThreadingHTTPServer on 127.0.0.1
with a certificate signed by a CA made for the test (``ca_pem`` is what the client trusts). Each
test scripts what Graph does (throttling, an expired token, a malformed page, 403) and reads
what the client sent (``requests``). Shapes: https://learn.microsoft.com/graph/paging,
https://learn.microsoft.com/graph/throttling, https://learn.microsoft.com/graph/errors, and the
token/device-code answers of the Microsoft identity platform.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TENANT = "contoso.onmicrosoft.com"
CLIENT_ID = "3f1c2b7e-7d8a-4b1e-9a11-0c5e6f7a8b9c"
SECRET = "stand-in-secret-value-7Q~"
SCRIPT_ID = "5b4e3c1a-0f5e-4d7b-9a53-2c7c8e1f0a11"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_tls(folder: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key) for 127.0.0.1, signed by a CA made now."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("msdiag test CA")).issuer_name(_name("msdiag test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Script:
    """What the stand-in does; tests set these before the pull."""

    pages: list[list[dict[str, Any]]] = field(default_factory=list)  # run states per page
    #: answers given before page N's real answer (throttling, 503 ...), consumed in order
    before_page: dict[int, list[Answer]] = field(default_factory=dict)
    malformed_page: int | None = None
    expire_first_token: bool = False  # the first token Graph sees is "expired" (401)
    forbid: bool = False
    next_link_host: str | None = None  # send nextLinks to another host
    device_code_pending_polls: int = 1
    #: the app's certificate: a client_assertion must be signed by its key (else any assertion fails)
    client_certificate: x509.Certificate | None = None


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    form: dict[str, list[str]]


class GraphStandIn:
    def __init__(self, folder: Path) -> None:
        self.ca_pem, cert, key = make_tls(folder)
        self.script = Script()
        self.requests: list[Seen] = []
        self.issued: list[str] = []
        self.rejected: set[str] = set()
        self._lock = threading.Lock()
        self._polls = 0
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:
                stand_in._handle(self, "GET")

            def do_POST(self) -> None:
                stand_in._handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> GraphStandIn:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def graph_calls(self) -> list[Seen]:
        return [seen for seen in self.requests if seen.path.startswith("/beta/")]

    # ---------------------------------------------------------------- dispatch
    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        form = parse_qs(raw.decode("ascii", errors="replace")) if method == "POST" else {}
        seen = Seen(method, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in handler.headers.items()}, form)
        with self._lock:
            self.requests.append(seen)
            answer = self._answer(seen)
        body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode("utf-8")
        handler.send_response(answer.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _answer(self, seen: Seen) -> Answer:
        base = f"{self.url}/{TENANT}"
        if seen.path == f"/{TENANT}/v2.0/.well-known/openid-configuration":
            return Answer(200, {
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{self.url}/{TENANT}/v2.0",
            })
        if seen.path == f"/{TENANT}/oauth2/v2.0/devicecode":
            return Answer(200, {"device_code": "dc-1", "user_code": "ABCD-EFGH", "verification_uri":
                                "https://microsoft.com/devicelogin", "expires_in": 900, "interval": 1,
                                "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ABCD-EFGH to authenticate."})
        if seen.path == f"/{TENANT}/oauth2/v2.0/token":
            return self._token(seen.form)
        if seen.path.startswith("/beta/deviceManagement/deviceHealthScripts/"):
            return self._graph(seen)
        return Answer(404, {"error": {"code": "NotFound", "message": seen.path}})

    def _new_token(self, extra: dict[str, Any] | None = None) -> Answer:
        token = f"graph-token-{len(self.issued) + 1}"
        self.issued.append(token)
        return Answer(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                            "access_token": token, **(extra or {})})

    def _token(self, form: dict[str, list[str]]) -> Answer:
        grant = (form.get("grant_type") or [""])[0]
        if (form.get("client_id") or [""])[0] != CLIENT_ID:
            return Answer(400, {"error": "unauthorized_client", "error_description": "AADSTS700016: Application not found"})
        if grant == "client_credentials":
            if "client_assertion" in form:
                if not self._assertion_ok((form.get("client_assertion") or [""])[0]):
                    return Answer(401, {"error": "invalid_client", "error_description": "AADSTS700027: Client assertion failed signature validation."})
                return self._new_token()
            if (form.get("client_secret") or [""])[0] != SECRET:
                return Answer(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."})
            return self._new_token()
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            self._polls += 1
            if self._polls <= self.script.device_code_pending_polls:
                return Answer(400, {"error": "authorization_pending", "error_description": "AADSTS70016: pending"})
            return self._new_token(_user_tokens(self.url))
        if grant == "refresh_token":
            return self._new_token(_user_tokens(self.url))
        return Answer(400, {"error": "unsupported_grant_type"})

    def _assertion_ok(self, assertion: str) -> bool:
        """A JWT signed with the app certificate's key, for this token endpoint (what Entra checks)."""
        import jwt

        if self.script.client_certificate is None:
            return False
        try:
            claims = jwt.decode(assertion, key=self.script.client_certificate.public_key(),  # type: ignore[arg-type]
                                algorithms=["RS256", "PS256"], audience=f"{self.url}/{TENANT}/oauth2/v2.0/token")
        except jwt.PyJWTError:
            return False
        return bool(claims.get("iss") == CLIENT_ID and claims.get("sub") == CLIENT_ID)

    def _graph(self, seen: Seen) -> Answer:
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self.issued or token in self.rejected:
            return Answer(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}})
        if self.script.expire_first_token and token == self.issued[0]:
            self.rejected.add(token)
            return Answer(401, {"error": {"code": "InvalidAuthenticationToken",
                                          "message": "Lifetime validation failed, the token is expired.",
                                          "innerError": {"request-id": "2f1e0d9c-0000-4000-8000-00000000a401",
                                                         "date": "2026-11-25T01:00:00"}}})
        if self.script.forbid:
            return Answer(403, {"error": {"code": "Forbidden", "message": "Application is not authorized to perform this operation.",
                                          "innerError": {"request-id": "2f1e0d9c-0000-4000-8000-00000000a403"}}})
        if SCRIPT_ID not in seen.path:
            return Answer(404, {"error": {"code": "ResourceNotFound", "message": "Resource not found"}})
        number = int((seen.query.get("$skiptoken") or ["0"])[0])
        waiting = self.script.before_page.get(number)
        if waiting:
            return waiting.pop(0)
        if self.script.malformed_page == number:
            return Answer(200, b'{"@odata.context": "https://graph.microsoft.com/beta/$metadata#x", "value": [{"id": "x", ')
        page: dict[str, Any] = {"@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceRunStates",
                                "value": self.script.pages[number]}
        if number + 1 < len(self.script.pages):
            host = self.script.next_link_host or self.url
            page["@odata.nextLink"] = (f"{host}/beta/deviceManagement/deviceHealthScripts/{SCRIPT_ID}/deviceRunStates"
                                       f"?$expand=managedDevice&$skiptoken={number + 1}")
        return Answer(200, page)


def make_client_certificate(folder: Path) -> tuple[x509.Certificate, Path, Path]:
    """The app's certificate: (certificate, key+certificate .pem, .pfx with the password "pfx-pass")."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    now = datetime.datetime.now(datetime.timezone.utc)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder().subject_name(_name("msdiag-intune-pull")).issuer_name(_name("msdiag-intune-pull"))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = folder / "app.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))
    pfx = folder / "app.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(b"app", key, cert, None, BestAvailableEncryption(b"pfx-pass")))
    return cert, pem, pfx


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _user_tokens(url: str) -> dict[str, Any]:
    """What a delegated sign-in adds: a refresh token, client_info and an id_token (MSAL makes the account)."""
    now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    claims = {"aud": CLIENT_ID, "iss": f"{url}/{TENANT}/v2.0", "iat": now, "nbf": now, "exp": now + 3600,
              "oid": "u-1", "tid": "t-1", "preferred_username": "helpdesk@contoso.onmicrosoft.com", "name": "Helpdesk"}
    return {"refresh_token": "refresh-1", "scope": "https://graph.microsoft.com/DeviceManagementConfiguration.Read.All",
            "client_info": _b64({"uid": "u-1", "utid": "t-1"}),
            "id_token": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."}
