"""Authentication for the lab: NTLM/Negotiate through pyspnego's acceptor, Basic over HTTPS.

pyspnego's NTLM acceptor looks credentials up in the file named by the process-wide
NTLM_USER_FILE variable. The lab keeps one such file per process for every running lab server,
in smbpasswd format (user and NT/LM hashes, never the plaintext password), mode 0600, removed
when the last server stops. Two running servers may not give one user name different passwords.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import struct
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spnego

# pyspnego's own LM/NT one-way functions: hashlib's md4 is gone from OpenSSL 3 builds.
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1
from spnego.channel_bindings import GssChannelBindings

_ENV = "NTLM_USER_FILE"


@dataclass(frozen=True)
class LabCredential:
    username: str
    password: str = field(repr=False)  # never shown in reprs, logs or errors

    def __post_init__(self) -> None:
        if not self.username or ":" in self.username or "\n" in self.username:
            raise ValueError("the lab user name must be non-empty without ':' or line breaks")
        if not self.password:
            raise ValueError("the lab password must not be empty")

    @property
    def user_part(self) -> str:
        """The name without a DOMAIN\\ prefix or @realm suffix (how NTLM reports it back)."""
        name = self.username.split("\\", 1)[-1]
        return name.split("@", 1)[0]

    def smbpasswd_line(self) -> str:
        lm = binascii.hexlify(lmowfv1(self.password)).decode().upper()
        nt = binascii.hexlify(ntowfv1(self.password)).decode().upper()
        return f"{self.username}:1000:{lm}:{nt}:[U]:LCT-00000000"

    def matches_basic(self, header_value: str) -> bool:
        """Check an ``Authorization: Basic ...`` value in constant time."""
        try:
            raw = base64.b64decode(header_value.strip(), validate=True)
        except binascii.Error:
            return False
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError:
            decoded = raw.decode("latin-1")  # what requests sends for non-ASCII Basic credentials
        user, _, password = decoded.partition(":")
        ok_user = hmac.compare_digest(user.casefold().encode(), self.username.casefold().encode())
        ok_password = hmac.compare_digest(password.encode(), self.password.encode())
        return ok_user and ok_password


class CredentialStore:
    """The process-wide NTLM_USER_FILE shared by all running lab servers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owners: dict[int, LabCredential] = {}
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._previous_env: str | None = None

    def register(self, owner: int, credential: LabCredential) -> None:
        with self._lock:
            for other in self._owners.values():
                if (
                    other.username.casefold() == credential.username.casefold()
                    and other.password != credential.password
                ):
                    raise ValueError(
                        "another running lab server already uses this user name with a different password"
                    )
            self._owners[owner] = credential
            self._write()

    def unregister(self, owner: int) -> None:
        with self._lock:
            self._owners.pop(owner, None)
            self._write()

    def _write(self) -> None:
        if not self._owners:
            if self._directory is not None:
                self._directory.cleanup()
                self._directory = None
                if self._previous_env is None:
                    os.environ.pop(_ENV, None)
                else:
                    os.environ[_ENV] = self._previous_env
            return
        if self._directory is None:
            self._directory = tempfile.TemporaryDirectory(prefix="msdiag-lab-ntlm-")
            self._previous_env = os.environ.get(_ENV)
        path = Path(self._directory.name) / "ntlm-users"
        lines = sorted({c.smbpasswd_line() for c in self._owners.values()})
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.environ[_ENV] = str(path)


CREDENTIAL_STORE = CredentialStore()

_SCHEME = re.compile(r"^\s*(Negotiate|NTLM|Kerberos|Basic)\s*(.*)$", re.IGNORECASE)


@dataclass
class AuthOutcome:
    """What the connection should answer to one request's credentials."""

    authenticated: bool
    #: the WWW-Authenticate header value to send (a challenge, or the final server token)
    www_authenticate: str | None = None
    #: credentials were presented and refused (counted as a failed login)
    rejected: bool = False


class ConnectionAuth:
    """Authentication state of one TCP connection (NTLM/Negotiate is connection-bound)."""

    def __init__(
        self,
        credential: LabCredential,
        *,
        allow_basic: bool,
        reject_all: bool,
        channel_binding: bytes | None,
    ) -> None:
        self._credential = credential
        self._allow_basic = allow_basic
        self._reject_all = reject_all
        self._channel_binding = channel_binding
        self._context: Any = None
        self.authenticated = False
        self.basic = False

    @property
    def context(self) -> Any:
        """The completed security context (wraps and unwraps encrypted messages)."""
        return self._context

    def challenge(self) -> str:
        return 'Negotiate, Basic realm="WSMAN"' if self._allow_basic else "Negotiate"

    def process(self, authorization: str | None) -> AuthOutcome:
        """Step the handshake with one request's Authorization header."""
        if authorization is None:
            return AuthOutcome(self.authenticated, None if self.authenticated else self.challenge())
        match = _SCHEME.match(authorization)
        if match is None:
            return self._fail()
        scheme, token_text = match.group(1).lower(), match.group(2).strip()
        if scheme == "basic":
            if not self._allow_basic or self._reject_all or not self._credential.matches_basic(token_text):
                return self._fail()
            self.authenticated, self.basic, self._context = True, True, None
            return AuthOutcome(True)
        return self._step_negotiate(token_text)

    def _step_negotiate(self, token_text: str) -> AuthOutcome:
        try:
            token = base64.b64decode(token_text, validate=True)
        except binascii.Error:
            return self._fail()
        if self._context is None or self._context.complete:
            # a new handshake on this connection starts a new context
            self.authenticated = False
            bindings = (
                GssChannelBindings(application_data=self._channel_binding) if self._channel_binding else None
            )
            self._context = spnego.server(protocol="negotiate", channel_bindings=bindings)
        try:
            out = self._context.step(token)
        except Exception:  # any handshake failure (bad password, bad token) is a plain 401
            return self._fail()
        out_header = "Negotiate " + base64.b64encode(out).decode() if out else None
        if not self._context.complete:
            return AuthOutcome(False, out_header or self.challenge())
        if self._reject_all or not self._principal_ok():
            return self._fail()
        self.authenticated, self.basic = True, False
        return AuthOutcome(True, out_header)

    def _principal_ok(self) -> bool:
        principal = str(self._context.client_principal or "")
        user = principal.split("\\", 1)[-1].split("@", 1)[0]
        return user.casefold() == self._credential.user_part.casefold()

    def _fail(self) -> AuthOutcome:
        self._context, self.authenticated, self.basic = None, False, False
        return AuthOutcome(False, self.challenge(), rejected=True)


ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
_BOUNDARY = b"--Encrypted Boundary"


class EncryptionError(ValueError):
    pass


def is_encrypted(content_type: str) -> bool:
    return content_type.lower().startswith("multipart/encrypted")


def unwrap(context: Any, body: bytes) -> bytes:
    """Decrypt a multipart/encrypted WinRM body (one or more parts)."""
    if context is None:
        raise EncryptionError("encrypted message without an NTLM/Negotiate context")
    parts = [p for p in re.split(rb"--Encrypted Boundary(?:--)?\r\n", body) if p]
    if len(parts) % 2:
        raise EncryptionError("malformed multipart/encrypted body")
    message = b""
    for i in range(0, len(parts), 2):
        header, payload = parts[i], parts[i + 1]
        length_match = re.search(rb"Length=(\d+)", header)
        if length_match is None:
            raise EncryptionError("encrypted part without a Length")
        payload = payload.replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
        if len(payload) < 4:
            raise EncryptionError("truncated encrypted part")
        (sig_length,) = struct.unpack("<i", payload[:4])
        if not 0 < sig_length < len(payload):
            raise EncryptionError("bad signature length in encrypted part")
        try:
            data = context.unwrap_winrm(payload[4 : 4 + sig_length], payload[4 + sig_length :])
        except Exception as exc:
            raise EncryptionError(f"cannot decrypt the message: {type(exc).__name__}") from exc
        message += data
    return message


def wrap(context: Any, message: bytes) -> tuple[str, bytes]:
    """Encrypt a reply: (Content-Type header value, body)."""
    result = context.wrap_winrm(message)
    header, data, padding = result.header, result.data, result.padding_length
    body = b"\r\n".join(
        [
            _BOUNDARY,
            f"\tContent-Type: {ENCRYPTED_PROTOCOL}".encode(),
            b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=%d"
            % (len(message) + padding),
            _BOUNDARY,
            b"\tContent-Type: application/octet-stream",
            struct.pack("<i", len(header)) + header + data + _BOUNDARY + b"--\r\n",
        ]
    )
    content_type = f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"'
    return content_type, body
