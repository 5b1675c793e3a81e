"""LabServer: WinRM/PSRP endpoints on 127.0.0.1, one port per lab host, for the real pypsrp client.

All listeners and connections run on one asyncio event loop in a background thread; psrpcore and
pyspnego are sans-IO, so nothing blocks the loop and a slow (latency) or hung host never delays
the others. A client names a lab host by its port.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Literal

from msdiag.lab import clixml_cache, soap
from msdiag.lab.auth import (
    CREDENTIAL_STORE,
    ConnectionAuth,
    EncryptionError,
    LabCredential,
    is_encrypted,
    unwrap,
    wrap,
)
from msdiag.lab.config import LabEndpoint, LabHost
from msdiag.lab.http import MAX_HEADER_BYTES, HttpError, HttpRequest, HttpResponse, read_request
from msdiag.lab.misbehaviour import Misbehaviour, write_reply
from msdiag.lab.stats import LabStats
from msdiag.lab.tls import LabCertificate, make_certificate
from msdiag.lab.wsman import WsmanService

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1",)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_MESSAGE_ID = re.compile(rb"<(?:\w+:)?MessageID>([^<]{1,128})</")
_SOAP_TYPE = "application/soap+xml;charset=UTF-8"
_START_TIMEOUT = 10.0


@dataclass
class _HostRuntime:
    host: LabHost
    port: int
    service: WsmanService
    stats: LabStats = field(default_factory=LabStats)
    server: asyncio.base_events.Server | None = None
    #: drop_mid_receive happened: the host is "gone" and resets every new connection
    dropped: bool = False
    #: how this host breaks HTTP/WinRM for the transport's tests (None: it does not)
    misbehaviour: Misbehaviour | None = None


def _raise_nofile_limit(needed: int) -> None:
    """Many lab hosts = many sockets: lift the soft descriptor limit toward the hard one."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = needed if hard == resource.RLIM_INFINITY else min(hard, max(needed, soft))
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _free_port(bind: str) -> int:
    """A port nothing listens on (for a host with refuse_connection)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((bind, 0))
        port: int = sock.getsockname()[1]
        return port


class LabServer:
    """Serve lab hosts over WinRM. Use as a context manager, or call start() and stop()."""

    def __init__(
        self,
        hosts: Sequence[LabHost],
        *,
        transport: Literal["http", "https"] = "http",
        username: str,
        password: str,
        bind: str = "127.0.0.1",
        first_port: int = 0,
        misbehaviour: Mapping[str, Misbehaviour] | None = None,
    ) -> None:
        if bind not in LOOPBACK:
            raise ValueError("the lab binds to 127.0.0.1 only")
        if transport not in ("http", "https"):
            raise ValueError("transport must be http or https")
        if not hosts:
            raise ValueError("a lab needs at least one host")
        names = [h.name for h in hosts]
        bad = [n for n in names if not _NAME.match(n)]
        if bad:
            raise ValueError(f"lab host names must be letters, digits, '.', '_' or '-': {bad[0]!r}")
        if len({n.lower() for n in names}) != len(names):
            raise ValueError("lab host names must be unique")
        if not 0 <= first_port <= 65535 - len(hosts):
            raise ValueError("first_port out of range")
        self._misbehaviour = dict(misbehaviour or {})
        if set(self._misbehaviour) - set(names):
            raise ValueError(
                f"misbehaviour for unknown lab hosts: {sorted(set(self._misbehaviour) - set(names))}"
            )
        self.hosts = list(hosts)
        self.transport: Literal["http", "https"] = transport
        self.bind = bind
        self._first_port = first_port
        self._credential = LabCredential(username, password)
        self._runtimes: dict[str, _HostRuntime] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._certificate: LabCertificate | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping: asyncio.Event | None = None
        self._started = False

    # ---------------------------------------------------------------- public API
    def __enter__(self) -> LabServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def ca_file(self) -> Path | None:
        """The certificate (PEM) HTTPS clients trust as their CA bundle; None over HTTP."""
        return self._certificate.cert_file if self._certificate else None

    @property
    def stats(self) -> LabStats:
        """Counters summed over all lab hosts (a snapshot)."""
        total = LabStats()
        for runtime in self._runtimes.values():
            for f in fields(LabStats):
                setattr(total, f.name, getattr(total, f.name) + getattr(runtime.stats, f.name))
        return total

    def host_stats(self, name: str) -> LabStats:
        return self._runtime(name).stats

    def port_of(self, name: str) -> int:
        return self._runtime(name).port

    def endpoints(self) -> list[LabEndpoint]:
        return [LabEndpoint(r.host.name, self.bind, r.port, self.transport) for r in self._runtimes.values()]

    def start(self) -> None:
        if self._started:
            return
        _raise_nofile_limit(256 + 16 * len(self.hosts))
        clixml_cache.install()  # every host gets the same large runner script: unescape it once
        self._tempdir = tempfile.TemporaryDirectory(prefix="msdiag-lab-")
        if self.transport == "https":
            self._certificate = make_certificate(Path(self._tempdir.name))
        CREDENTIAL_STORE.register(id(self), self._credential)
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(self._loop_exception)
        self._thread = threading.Thread(target=self._loop.run_forever, name="msdiag-lab", daemon=True)
        self._thread.start()
        self._started = True
        try:
            asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(_START_TIMEOUT)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Close every listener and connection, stop the loop thread, forget the credentials."""
        if not self._started:
            return
        self._started = False
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(_START_TIMEOUT)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(_START_TIMEOUT)
            if not thread.is_alive():
                loop.close()
        CREDENTIAL_STORE.unregister(id(self))
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None
        self._certificate = None

    # ---------------------------------------------------------------- loop side
    def _runtime(self, name: str) -> _HostRuntime:
        try:
            return self._runtimes[name]
        except KeyError:
            raise KeyError(f"no lab host named {name!r}") from None

    @staticmethod
    def _loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        # TLS handshakes a client aborts (untrusted certificate) are expected in a lab: debug only
        log.debug("lab event loop: %s", context.get("message"))

    async def _listen(self) -> None:
        self._stopping = asyncio.Event()
        ssl_context = self._certificate.server_context() if self._certificate else None
        for index, host in enumerate(self.hosts):
            owner = f"{(host.capture.host or host.name).upper()}\\{self._credential.user_part}"
            stats = LabStats()
            runtime = _HostRuntime(host, 0, WsmanService(host, stats, owner), stats)
            runtime.misbehaviour = self._misbehaviour.get(host.name)
            wanted = self._first_port + index if self._first_port else 0
            if host.faults.refuse_connection:
                runtime.port = wanted or _free_port(self.bind)
            else:
                try:
                    runtime.server = await asyncio.start_server(
                        partial(self._connection, runtime),
                        host=self.bind,
                        port=wanted,
                        limit=MAX_HEADER_BYTES,
                        ssl=ssl_context,
                        ssl_handshake_timeout=10 if ssl_context else None,
                        backlog=128,
                    )
                except OSError as exc:
                    raise OSError(
                        f"lab host {host.name}: cannot listen on {self.bind}:{wanted}: {exc}"
                    ) from exc
                runtime.port = runtime.server.sockets[0].getsockname()[1]
            self._runtimes[host.name] = runtime

    async def _shutdown(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        for runtime in self._runtimes.values():
            if runtime.server is not None:
                runtime.server.close()
            runtime.service.close_all()
        for writer in list(self._writers):
            writer.close()
        for runtime in self._runtimes.values():
            if runtime.server is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(runtime.server.wait_closed(), 2)
        current = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not current]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=2)

    async def _connection(
        self, rt: _HostRuntime, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        rt.stats.connections += 1
        self._writers.add(writer)
        faults = rt.host.faults
        try:
            if faults.hang:
                assert self._stopping is not None
                await self._stopping.wait()  # accept, then never answer
                return
            if rt.dropped:
                return  # the host dropped off mid-scan: a client's reconnect fails too
            auth = ConnectionAuth(
                self._credential,
                allow_basic=self.transport == "https",
                reject_all=faults.wrong_credentials,
                channel_binding=self._certificate.channel_binding if self._certificate else None,
            )
            while True:
                try:
                    request = await read_request(reader)
                except HttpError as exc:
                    writer.write(HttpResponse(exc.status).encode(keep_alive=False))
                    await writer.drain()
                    return
                if request is None:
                    return
                response = await self._answer(rt, auth, request)
                if response is None:
                    rt.dropped = True
                    return  # drop_mid_receive: close without a reply
                if faults.latency_ms:
                    await asyncio.sleep(faults.latency_ms / 1000)
                rt.stats.requests += 1
                if rt.misbehaviour is not None:
                    await write_reply(
                        writer, response.encode(request.keep_alive), response.action, rt.misbehaviour
                    )
                else:
                    writer.write(response.encode(keep_alive=request.keep_alive))
                    await writer.drain()
                if not request.keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _answer(
        self, rt: _HostRuntime, auth: ConnectionAuth, request: HttpRequest
    ) -> HttpResponse | None:
        if request.method != "POST":
            return HttpResponse(405)
        if request.path.split("?", 1)[0].rstrip("/").lower() != "/wsman":
            return HttpResponse(404)
        outcome = auth.process(request.header("authorization"))
        if not outcome.authenticated:
            if outcome.rejected:
                rt.stats.auth_failures += 1
            return HttpResponse(
                401, headers={"WWW-Authenticate": outcome.www_authenticate or auth.challenge()}
            )
        headers = {"WWW-Authenticate": outcome.www_authenticate} if outcome.www_authenticate else {}
        if not request.body:
            return HttpResponse(200, headers=headers)  # the empty POST that sets up encryption
        encrypted = is_encrypted(request.header("content-type") or "")
        if encrypted:
            if auth.basic:
                return HttpResponse(400, headers=headers)
            try:
                plain = unwrap(auth.context, request.body)
            except EncryptionError:
                return HttpResponse(400, headers=headers)
        elif self.transport == "http":
            # Windows' default AllowUnencrypted=false: plain SOAP over HTTP is refused
            rt.stats.faults += 1
            return self._xml(
                500,
                soap.fault_response(
                    _message_id(request.body),
                    code=soap.ACCESS_DENIED,
                    subcode="w:AccessDenied",
                    sender=True,
                    message="Access is denied. The WinRM service refuses unencrypted traffic "
                    "(AllowUnencrypted is false): use NTLM or Negotiate message encryption, or HTTPS.",
                ),
                None,
                headers,
            )
        else:
            plain = request.body
        context = auth.context if encrypted else None
        if len(plain) > rt.service.max_envelope_bytes:
            rt.stats.faults += 1
            xml = soap.envelope_too_large_fault(_message_id(plain), len(plain), rt.service.max_envelope_bytes)
            return self._xml(500, xml, context, headers)
        try:
            req = soap.parse_request(plain)
        except soap.BadRequest:
            return HttpResponse(400, headers=headers)
        if rt.misbehaviour is not None and rt.misbehaviour.stalls(req.action, _command_of(req)):
            assert self._stopping is not None
            await self._stopping.wait()  # never answered, never carried out
            raise ConnectionResetError("the lab is stopping")
        address = f"{self.transport}://{self.bind}:{rt.port}/wsman"
        reply = await rt.service.handle(req, address)
        if reply.drop_connection:
            return None
        if reply.status != 200:
            rt.stats.faults += 1
        response = self._xml(reply.status, reply.xml, context, headers)
        response.action = req.action
        return response

    @staticmethod
    def _xml(status: int, xml: str, context: object | None, headers: dict[str, str]) -> HttpResponse:
        payload = xml.encode("utf-8")
        if context is None:
            return HttpResponse(status, payload, _SOAP_TYPE, headers)
        content_type, body = wrap(context, payload)
        return HttpResponse(status, body, content_type, headers)


def _command_of(req: soap.Request) -> str | None:
    """The CommandId a Receive asks for (None: the runspace pool's own Receive)."""
    stream = req.body.find("rsp:Receive/rsp:DesiredStream", soap.NS)
    return stream.get("CommandId") if stream is not None else None


def _message_id(body: bytes) -> str:
    match = _MESSAGE_ID.search(body[:16384])
    return match.group(1).decode("utf-8", "replace").strip() if match else ""
