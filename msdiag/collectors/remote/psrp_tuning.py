"""Per-host CPU savings for pypsrp in a fleet scan, without changing a byte on the wire.

A fleet scan sends the same ~140,000-character runner script to every host. pypsrp's
``Serializer._serialize_string`` escapes it for CLIXML with a regex whose callback runs once per
control character (every line break becomes ``_x000A_``): about 20 ms of CPU per host, under one
interpreter lock shared by all scan threads. The escaped form only depends on the text, so it is
computed once and shared. Separately, requests consults the proxy environment variables on every
request of a session that trusts the environment; msdiag connects without a proxy anyway.

The whole CreatePipeline message (script, parameters, host info, ~600 XML elements) is the same
for every host of a scan as well: ``invoke_shared_pipeline`` serializes it once per distinct
pipeline and hands pypsrp the same bytes for the next host (~8 ms of CPU per host); so are the
SessionCapability and InitRunspacePool messages that open the pool (``open_shared_pool``). And the NTLM
LM/NT hashes of the password (pure-Python DES in pyspnego, ~4 ms per authentication) are computed
once per password instead of once per host.

The hooks use pypsrp/pyspnego internals (``RunspacePool._serializer``,
``_TransportHTTP._build_session``, ``Serializer.serialize``, ``spnego._ntlm.lmowfv1``). pypsrp is
pinned below 1.0 in pyproject.toml; a pyspnego without those functions leaves the NTLM hook off
(hashes computed per host as before). tests/collectors/test_remote_tuning*.py check the hooks still take
effect and produce the bytes pypsrp would, so an upgrade that moves them fails a test instead of
silently slowing down or changing the wire.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any

import requests
import spnego._ntlm
from pypsrp.messages import CreatePipeline, InitRunspacePool, SessionCapability
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.serializer import Serializer
from pypsrp.wsman import WSMan
from spnego._ntlm_raw.crypto import lmowfv1 as spnego_lmowfv1
from spnego._ntlm_raw.crypto import ntowfv1 as spnego_ntowfv1

#: Strings shorter than this are escaped as usual: caching them would only cost memory.
MEMOIZE_MIN_CHARS = 4096
#: Distinct large strings kept (the runner script per check selection; a scan uses one).
MEMOIZED_STRINGS = 16

# _serialize_string uses no per-instance state besides a regex every Serializer compiles the same
_REFERENCE = Serializer()
_escape = _REFERENCE._serialize_string


@functools.lru_cache(maxsize=MEMOIZED_STRINGS)
def _escaped_large_string(value: str) -> str | None:
    return _escape(value)


def escape_clixml_string(value: str | None) -> str | None:
    """pypsrp's CLIXML string escaping, memoized for large strings (the runner script)."""
    if value is not None and isinstance(value, str) and len(value) >= MEMOIZE_MIN_CHARS:
        return _escaped_large_string(value)
    return _escape(value)


def share_string_escaping(pool: RunspacePool) -> None:
    """Make ``pool`` (and the pipelines created on it) reuse escaped large strings."""
    # Serializer looks the method up on the instance for every string ("S", "SBK", ...), so an
    # instance attribute takes precedence over the class's method.
    pool._serializer._serialize_string = escape_clixml_string  # type: ignore[method-assign]


def ignore_proxy_environment(wsman: WSMan) -> None:
    """Build the WinRM session as pypsrp does, then stop requests reading the environment per request.

    pypsrp already applied what msdiag wants from the environment when it built the session (the CA
    bundle variables, ``no_proxy=True``); with ``trust_env`` left on, requests would also look up
    HTTP(S)_PROXY / NO_PROXY again on every request (``getproxies_environment``), ~6 ms per host.
    """
    transport = wsman.transport
    build: Callable[[], requests.Session] = transport._build_session

    def build_without_environment() -> requests.Session:
        session = build()
        session.trust_env = False
        return session

    transport._build_session = build_without_environment  # type: ignore[method-assign]


# ---------------------------------------------------------------- CreatePipeline, serialized once
#: Distinct pipelines kept (one per check selection and endpoint list; a scan uses one).
SERIALIZED_PIPELINES = 8
_pipelines: OrderedDict[Hashable, bytes] = OrderedDict()
_pipelines_lock = threading.Lock()

ParameterValue = str | int | bool | None | list[str]


def _frozen(value: object) -> Hashable | None:
    """A hashable, exact stand-in for a parameter value; None when the value is not a plain one."""
    if value is None or isinstance(value, (str, int, bool)):
        return (type(value).__name__, value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ("list", tuple(value))
    return None


def pipeline_key(ps: PowerShell, script: str, parameters: Mapping[str, ParameterValue]) -> Hashable | None:
    """Everything that goes into this pipeline's CreatePipeline message, or None if not cacheable."""
    pool = ps.runspace_pool
    if ps.commands or ps.is_nested or pool.host is not None:
        return None  # a host UI or nested/extra commands: serialize as usual
    frozen = tuple((name, _frozen(value)) for name, value in parameters.items())
    if any(value is None for _name, value in frozen):
        return None
    return (script, frozen, int(pool.apartment_state), ps.history_string, pool.protocol_version)


def _remember(key: Hashable, data: bytes) -> None:
    with _pipelines_lock:
        _pipelines[key] = data
        _pipelines.move_to_end(key)
        while len(_pipelines) > SERIALIZED_PIPELINES:
            _pipelines.popitem(last=False)


@contextlib.contextmanager
def _serialized_once(serializer: Serializer, key_of: Callable[[Any], Hashable | None]) -> Iterator[None]:
    """While open: messages ``key_of`` gives a key for are serialized once and then served as bytes.

    ``Message.pack`` sends a serializer result that is already bytes as it is; every message is
    serialized with its RefIds from 0, so nothing per host is in the bytes."""
    serialize: Callable[..., Any] = serializer.serialize

    def serialize_shared(
        value: Any, metadata: Any = None, parent: ET.Element | None = None, clear: bool = True
    ) -> Any:
        key = key_of(value) if metadata is None and parent is None and clear else None
        if key is None:
            return serialize(value, metadata, parent, clear)
        data = _pipelines.get(key)
        if data is None:
            data = ET.tostring(serialize(value), encoding="utf-8", method="xml")
            _remember(key, data)
        return data

    serializer.serialize = serialize_shared  # type: ignore[method-assign]
    try:
        yield
    finally:
        del serializer.serialize  # back to the class's method


def invoke_shared_pipeline(ps: PowerShell, script: str, parameters: Mapping[str, ParameterValue]) -> None:
    """``ps.add_script(script)``, ``ps.add_parameter(...)`` for each parameter, ``ps.begin_invoke()``.

    The CreatePipeline message depends only on the script, the parameters and the pool settings in
    ``pipeline_key``; its CLIXML bytes are made once and given to pypsrp for every later host.
    Identical bytes on the wire.
    """
    key = pipeline_key(ps, script, parameters)
    ps.add_script(script)
    for name, value in parameters.items():
        ps.add_parameter(name, value)
    if key is None:
        ps.begin_invoke()
        return
    with _serialized_once(
        ps.runspace_pool._serializer, lambda value: key if isinstance(value, CreatePipeline) else None
    ):
        ps.begin_invoke()


def opening_key(value: Any) -> Hashable | None:
    """What goes into a pool's SessionCapability or InitRunspacePool message (None: anything else,
    or a pool with a host UI or application arguments, which are serialized as usual)."""
    if isinstance(value, SessionCapability):
        return (
            "SessionCapability",
            value.protocol_version,
            value.ps_version,
            value.serialization_version,
            value.time_zone,
        )
    if isinstance(value, InitRunspacePool):
        host, threads, apartment = value.host_info, value.thread_options, value.apartment_state
        if host is None or host.host is not None or value.application_arguments or not (threads and apartment):
            return None
        return ("InitRunspacePool", value.min_runspaces, value.max_runspaces, threads.value, apartment.value)
    return None


def open_shared_pool(pool: RunspacePool) -> None:
    """``pool.open()``, with the two opening messages (the same for every host of a scan: the
    client's capability and the pool's settings, no host UI) serialized once per process."""
    with _serialized_once(pool._serializer, opening_key):
        pool.open()


# ---------------------------------------------------------------- NTLM password hashes, once
#: Passwords whose LM/NT hashes are kept (keyed by a SHA-256 of the password, never the text).
NTLM_HASHES_KEPT = 4
# pyspnego's NTLM client calls these through spnego._ntlm's module globals at call time
_ntlm_module: Any = spnego._ntlm
_original_lmowfv1: Callable[[str], bytes] | None = getattr(_ntlm_module, "lmowfv1", None)
_original_ntowfv1: Callable[[str], bytes] | None = getattr(_ntlm_module, "ntowfv1", None)


def _digest(password: str) -> bytes:
    return hashlib.sha256(password.encode("utf-8", "surrogatepass")).digest()


def _hash_cache(compute: Callable[[str], bytes]) -> Callable[[str], bytes]:
    kept: OrderedDict[bytes, bytes] = OrderedDict()
    lock = threading.Lock()

    def cached(password: str) -> bytes:
        digest = _digest(password)
        with lock:
            value = kept.get(digest)
        if value is None:
            value = compute(password)
            with lock:
                kept[digest] = value
                while len(kept) > NTLM_HASHES_KEPT:
                    kept.popitem(last=False)
        return value

    return cached


lmowfv1_once = _hash_cache(_original_lmowfv1 or spnego_lmowfv1)
ntowfv1_once = _hash_cache(_original_ntowfv1 or spnego_ntowfv1)


def share_ntlm_password_hashes() -> None:
    """Make pyspnego's NTLM client compute a password's LM/NT hashes once per process (idempotent).

    The hashes are what NTLM derives from the password for every handshake; the same values are
    used, so authentication and message encryption are unchanged.
    """
    if _original_lmowfv1 is None or _original_ntowfv1 is None:
        return  # a pyspnego that no longer calls these: nothing to share
    _ntlm_module.lmowfv1 = lmowfv1_once
    _ntlm_module.ntowfv1 = ntowfv1_once
