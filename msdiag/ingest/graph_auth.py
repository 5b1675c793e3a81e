"""Tokens for Microsoft Graph, from MSAL for Python: client credentials for automation (a secret
or a certificate, from the environment only: never on the command line, in logs or in reports),
device code for a person.

Scopes: client credentials ask for ``<graph>/.default`` (the application permissions granted to
the app: https://learn.microsoft.com/entra/identity-platform/scenario-daemon-acquire-token); the
device code flow asks for the delegated ``DeviceManagementConfiguration.Read.All``, the least
privileged permission of deviceRunStates
(https://learn.microsoft.com/graph/api/intune-devices-devicehealthscriptdevicestate-list?view=graph-rest-beta).
Tokens stay in memory (MSAL's default cache): nothing is written to disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from msdiag.errors import CollectionError, InputError

PERMISSION = "DeviceManagementConfiguration.Read.All"
ENV_CLIENT_ID = "MSDIAG_CLIENT_ID"
ENV_TENANT_ID = "MSDIAG_TENANT_ID"
ENV_SECRET = "MSDIAG_CLIENT_SECRET"
ENV_CERTIFICATE = "MSDIAG_CLIENT_CERTIFICATE"  # a .pfx/.p12 or a .pem holding key and certificate
ENV_CERTIFICATE_PASSWORD = "MSDIAG_CLIENT_CERTIFICATE_PASSWORD"
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
DEFAULT_GRAPH = "https://graph.microsoft.com"


@dataclass(frozen=True)
class GraphSettings:
    """Where to sign in and which Graph to ask (national clouds have their own of both)."""

    tenant: str
    client_id: str
    authority_host: str = DEFAULT_AUTHORITY_HOST
    graph: str = DEFAULT_GRAPH
    ca_bundle: str | None = None  # a PEM bundle for a TLS-inspecting proxy (or a test CA)

    @property
    def authority(self) -> str:
        return f"{self.authority_host.rstrip('/')}/{self.tenant}"

    @property
    def verify(self) -> bool | str:
        return self.ca_bundle or True


class Tokens(Protocol):
    """Hands out a Graph access token; ``refresh`` after Graph refused the last one (401)."""

    @property
    def how(self) -> str: ...

    def token(self, *, refresh: bool = False) -> str: ...


def _checked(result: Mapping[str, Any] | None, settings: GraphSettings) -> str:
    if result and isinstance(result.get("access_token"), str):
        return str(result["access_token"])
    error = str((result or {}).get("error") or "no token")[:100]
    description = str((result or {}).get("error_description") or "")[:600]
    raise CollectionError(
        f"signing in to tenant {settings.tenant} failed: {error}: {description} (check {ENV_CLIENT_ID}, "
        f"{ENV_TENANT_ID} and the app's secret or certificate; the app needs the {PERMISSION} "
        "permission with admin consent)"
    )


def _msal_call(settings: GraphSettings, call: Callable[[], Any]) -> Any:
    import requests

    try:
        return call()
    except requests.RequestException as exc:
        raise CollectionError(f"cannot reach {settings.authority_host} to sign in: {type(exc).__name__}: {str(exc)[:300]}") from None
    except ValueError as exc:  # MSAL's own checks: the authority, a bad certificate file
        raise InputError(f"cannot sign in: {str(exc)[:400]}") from None


class ClientCredentials:
    """The app itself signs in (automation): client secret or certificate from the environment."""

    def __init__(self, settings: GraphSettings, credential: str | dict[str, Any], how: str) -> None:
        self.settings = settings
        self._credential = credential
        self._how = how
        self._app: Any = None

    @property
    def how(self) -> str:
        return self._how

    def token(self, *, refresh: bool = False) -> str:
        import msal

        settings = self.settings
        if self._app is None:
            self._app = _msal_call(settings, lambda: msal.ConfidentialClientApplication(
                settings.client_id, client_credential=self._credential, authority=settings.authority,
                instance_discovery=False, verify=settings.verify,
            ))
        if refresh:  # Graph refused the cached token: drop it so MSAL asks for a new one
            self._app.remove_tokens_for_client()
        scopes = [f"{settings.graph.rstrip('/')}/.default"]
        return _checked(_msal_call(settings, lambda: self._app.acquire_token_for_client(scopes=scopes)), settings)


class DeviceCode:
    """A person signs in in a browser with the code shown (``say`` shows MSAL's message)."""

    def __init__(self, settings: GraphSettings, say: Callable[[str], None]) -> None:
        self.settings = settings
        self._say = say
        self._app: Any = None

    @property
    def how(self) -> str:
        return "device code (delegated)"

    @property
    def scopes(self) -> list[str]:
        return [f"{self.settings.graph.rstrip('/')}/{PERMISSION}"]

    def token(self, *, refresh: bool = False) -> str:
        import msal

        settings = self.settings
        if self._app is None:
            self._app = _msal_call(settings, lambda: msal.PublicClientApplication(
                settings.client_id, authority=settings.authority, instance_discovery=False, verify=settings.verify,
            ))
        accounts = self._app.get_accounts()
        if accounts:
            result = self._app.acquire_token_silent(self.scopes, account=accounts[0], force_refresh=refresh)
            if result and "access_token" in result:
                return str(result["access_token"])
        flow = _msal_call(settings, lambda: self._app.initiate_device_flow(scopes=self.scopes))
        if "user_code" not in flow:
            _checked(flow, settings)
        self._say(str(flow.get("message") or f"sign in at {flow.get('verification_uri')} with the code {flow['user_code']}"))
        return _checked(_msal_call(settings, lambda: self._app.acquire_token_by_device_flow(flow)), settings)


def tokens_from_environment(
    settings: GraphSettings, say: Callable[[str], None], *, device_code: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> Tokens:
    """Client credentials when the environment holds a secret or a certificate, else device code."""
    if device_code:
        return DeviceCode(settings, say)
    secret = environ.get(ENV_SECRET)
    if secret:
        return ClientCredentials(settings, secret, "client secret")
    certificate = environ.get(ENV_CERTIFICATE)
    if certificate:
        return ClientCredentials(settings, certificate_credential(Path(certificate), environ.get(ENV_CERTIFICATE_PASSWORD)),
                                 "client certificate")
    return DeviceCode(settings, say)


def certificate_credential(path: Path, password: str | None) -> dict[str, Any]:
    """MSAL's client_credential for a certificate: a PFX as it is; a PEM's key with its thumbprints."""
    if not path.is_file():
        raise InputError(f"{ENV_CERTIFICATE}={path}: no such file")
    if path.suffix.lower() in (".pfx", ".p12"):
        credential: dict[str, Any] = {"private_key_pfx_path": str(path), "public_certificate": True}
        if password:
            credential["passphrase"] = password
        return credential
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        text = path.read_text(encoding="ascii")
        certificate = x509.load_pem_x509_certificate(text.encode("ascii"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{ENV_CERTIFICATE}={path}: not a PEM file with a certificate ({str(exc)[:200]})") from None
    if "PRIVATE KEY-----" not in text:
        raise InputError(f"{ENV_CERTIFICATE}={path}: the PEM file holds no private key")
    credential = {
        "private_key": text,
        "thumbprint": certificate.fingerprint(hashes.SHA1()).hex(),
        "public_certificate": text[text.index("-----BEGIN CERTIFICATE-----"):],
    }
    if password:
        credential["passphrase"] = password
    return credential
