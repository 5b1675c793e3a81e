"""`msdiag intune pull`: a remediation's device run states, page after page, from Microsoft Graph.

``GET {graph}/beta/deviceManagement/deviceHealthScripts/{id}/deviceRunStates?$expand=managedDevice``
(beta only; https://learn.microsoft.com/graph/api/intune-devices-devicehealthscriptdevicestate-list?view=graph-rest-beta).
Paging follows ``@odata.nextLink`` verbatim until it is absent (https://learn.microsoft.com/graph/paging),
but only to the Graph host it started on: the token is never sent anywhere else. 429 and 503
wait the Retry-After seconds, or back off exponentially when there is none
(https://learn.microsoft.com/graph/throttling), a bounded number of times and never past the
pull's deadline. 401 gets one new token, then a message; 403 names the permission.

Written here with requests rather than the Graph SDK: the SDK's retry handler has no overall
deadline, it brings an async stack and a large generated client for one paged GET, and what a
page holds is read by msdiag.ingest.readers.graph as it is from saved files.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from msdiag.errors import CollectionError, InputError
from msdiag.ingest.graph_auth import PERMISSION, GraphSettings, Tokens

MAX_PAGE_BYTES = 256 * 1024 * 1024
MAX_PAGES = 100_000
MAX_RETRIES = 8  # per request, for 429/503/connection errors
MAX_BACKOFF_S = 60.0
REQUEST_TIMEOUT = (15.0, 120.0)  # connect, read
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_RETRY_STATUSES = (429, 502, 503, 504)


class PullError(CollectionError):
    """Graph did not give every page: the message says why and what to do."""


@dataclass
class PullProgress:
    pages: int = 0
    retries: int = 0
    waited_s: float = 0.0
    token_refreshes: int = 0


def run_states_url(settings: GraphSettings, script_id: str) -> str:
    if not _GUID.match(script_id):
        raise InputError(
            f"--script-id {script_id[:80]!r} is not a remediation's id (a GUID such as "
            "5b4e3c1a-0f5e-4d7b-9a53-2c7c8e1f0a11, shown in the admin center's address bar)"
        )
    base = settings.graph.rstrip("/")
    if urlsplit(base).scheme != "https":
        raise InputError(f"the Graph address must be https: {base[:200]}")
    return f"{base}/beta/deviceManagement/deviceHealthScripts/{quote(script_id)}/deviceRunStates?$expand=managedDevice"


class GraphPager:
    """Fetches the pages of one listing with one token source, under one deadline."""

    def __init__(
        self, settings: GraphSettings, tokens: Tokens, *, deadline_s: float, session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.progress = PullProgress()
        self._session = session or requests.Session()
        self._sleep = sleep
        self._clock = clock
        self._deadline = clock() + deadline_s
        self._origin = _origin(settings.graph)

    def pages(self, url: str) -> Iterator[dict[str, Any]]:
        """Every page of the listing at ``url``, in order."""
        token = self.tokens.token()
        next_url: str | None = url
        while next_url is not None:
            if self.progress.pages >= MAX_PAGES:
                raise PullError(f"more than {MAX_PAGES} pages; stopped")
            page, token = self._get(next_url, token)
            self.progress.pages += 1
            yield page
            link = page.get("@odata.nextLink")
            if link is not None and (not isinstance(link, str) or _origin(link) != self._origin):
                raise PullError(
                    f"page {self.progress.pages}'s @odata.nextLink does not point at {self._origin}; "
                    "not following it (the token goes to Graph only)"
                )
            next_url = link

    def _get(self, url: str, token: str) -> tuple[dict[str, Any], str]:
        refreshed, attempt = False, 0
        page_number = self.progress.pages + 1
        while True:
            request_id = str(uuid.uuid4())
            try:
                response = self._session.get(
                    url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                                  "client-request-id": request_id},
                    timeout=REQUEST_TIMEOUT, verify=self.settings.verify, stream=True,
                )
            except requests.RequestException as exc:
                attempt += 1
                self._wait(None, attempt, f"cannot reach Graph ({type(exc).__name__})")
                continue
            with response:
                status = response.status_code
                if status == 200:
                    return _page(response, page_number), token
                body = _bounded_body(response)
            if status == 401 and not refreshed:
                refreshed = True
                self.progress.token_refreshes += 1
                token = self.tokens.token(refresh=True)
                continue
            if status in _RETRY_STATUSES:
                attempt += 1
                self._wait(response.headers.get("Retry-After"), attempt, f"Graph answered {status}")
                continue
            raise PullError(_failure_message(status, body, response.headers, request_id, page_number, self.tokens.how))

    def _wait(self, retry_after: str | None, attempt: int, why: str) -> None:
        if attempt > MAX_RETRIES:
            raise PullError(f"{why}, still after {MAX_RETRIES} retries; run the pull again later")
        delay = _retry_after_seconds(retry_after)
        if delay is None:
            delay = min(MAX_BACKOFF_S, 2.0 ** attempt)
        remaining = self._deadline - self._clock()
        if delay > remaining:
            raise PullError(f"{why}; waiting {delay:.0f} s more would pass the pull's deadline (--timeout)")
        self.progress.retries += 1
        self.progress.waited_s += delay
        self._sleep(delay)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds (an integer, or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(min(int(value), 24 * 3600))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


def _bounded_body(response: requests.Response, limit: int = 64 * 1024) -> bytes:
    data = b""
    for chunk in response.iter_content(16384):
        data += chunk
        if len(data) >= limit:
            break
    return data[:limit]


def _page(response: requests.Response, number: int) -> dict[str, Any]:
    data = bytearray()
    for chunk in response.iter_content(1024 * 1024):
        data += chunk
        if len(data) > MAX_PAGE_BYTES:
            raise PullError(f"page {number} from Graph is larger than {MAX_PAGE_BYTES} bytes; stopped")
    try:
        page = json.loads(bytes(data).decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PullError(f"page {number} from Graph is not JSON ({str(exc)[:120]}); run the pull again") from None
    if not isinstance(page, dict) or not isinstance(page.get("value"), list):
        raise PullError(f'page {number} from Graph has no "value" list of run states; run the pull again')
    return page


def _error_of(body: bytes) -> tuple[str, str, str]:
    """(code, message, request-id) of a Graph error body (https://learn.microsoft.com/graph/errors)."""
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except json.JSONDecodeError:
        return "", "", ""
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return "", "", ""
    inner = next((v for k, v in error.items() if k.lower() == "innererror" and isinstance(v, dict)), {})
    return str(error.get("code") or "")[:100], str(error.get("message") or "")[:300], str(inner.get("request-id") or "")[:100]


def _failure_message(status: int, body: bytes, headers: Any, sent_id: str, page: int, how: str) -> str:
    code, message, request_id = _error_of(body)
    request_id = request_id or str(headers.get("request-id") or "") or sent_id
    said = f" ({code}: {message})" if code or message else ""
    support = f" [request-id {request_id}]"
    if status == 401:
        return (f"Graph refused the token for page {page} twice{said}: sign in again; with client credentials check "
                f"that the app is in this tenant{support}")
    if status == 403:
        claims = " Conditional Access asks for more (insufficient_claims): sign in interactively." if "claims" in (code + message).lower() else ""
        return (f"Graph denied access{said}: the {how} needs the {PERMISSION} permission (application permission "
                "with admin consent for client credentials, delegated for device code), and the tenant an active "
                f"Intune licence; DeviceManagementManagedDevices.Read.All may also be needed for device names.{claims}{support}")
    if status == 404:
        return f"Graph has no remediation with this --script-id{said}: copy the id from the admin center{support}"
    return f"Graph answered {status} for page {page}{said}{support}"
