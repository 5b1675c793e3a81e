"""WSMan SOAP envelopes: read a client's request, write replies shaped like Windows' own.

Reply shapes (prefixes, element order, fault layout) follow envelopes recorded from real Windows
hosts (pypsrp's test recordings); tests/test_lab_recordings.py holds the lab against them.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "wsa": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "wsman": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "wsmv": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "psh": "http://schemas.microsoft.com/powershell",
}

TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
CONFIG_URI = "http://schemas.microsoft.com/wbem/wsman/1/config"
POWERSHELL_URI_PREFIX = "http://schemas.microsoft.com/powershell/"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
COMMAND_DONE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
COMMAND_RUNNING = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"

# WSMan fault codes the lab answers with (the numbers Windows uses)
OPERATION_TIMEOUT = 2150858793  # 0x80338029 the operation did not finish within OperationTimeout
INVALID_SELECTORS = 2150858843  # 0x8033805B unknown shell or command
ENVELOPE_TOO_LARGE = 2150859025  # 0x80338111 request larger than MaxEnvelopeSizekb
ACTION_NOT_SUPPORTED = 2150858771  # 0x80338013
E_FAIL = 2147500037  # 0x80004005 unspecified failure (malformed client data)
ACCESS_DENIED = 5  # Windows' "Access is denied." (e.g. unencrypted traffic refused)

_UUID_TEXT = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
#: What may come before the root element besides a DOCTYPE: a BOM, white space, PIs, comments.
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.DOTALL)
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


class BadRequest(ValueError):
    """The request is not a WSMan envelope the lab understands."""


@dataclass
class Request:
    action: str  # last segment of wsa:Action: Create, Command, Send, Receive, Signal, Delete, Get
    message_id: str
    resource_uri: str
    shell_id: str | None
    max_envelope_size: int
    operation_timeout: float  # seconds
    body: ET.Element


def _has_doctype(xml_bytes: bytes) -> bool:
    """A document type declaration can only stand in the prolog, before the root element (and
    entities can only be declared inside one): look there, not through the whole 190 KB Command."""
    end = _PROLOG.match(xml_bytes)
    return xml_bytes.startswith(b"<!DOCTYPE", end.end() if end else 0)


def parse_request(xml_bytes: bytes) -> Request:
    """Parse a request envelope. The body is untrusted: DTDs (entity expansion) are refused."""
    if _has_doctype(xml_bytes):
        raise BadRequest("DTDs are not allowed in WSMan envelopes")
    try:
        root = ET.fromstring(xml_bytes)
    except ET.ParseError as exc:
        raise BadRequest(f"not XML: {exc}") from exc
    header = root.find("s:Header", NS)
    body = root.find("s:Body", NS)
    if header is None or body is None:
        raise BadRequest("not a SOAP envelope")
    action = header.findtext("wsa:Action", default="", namespaces=NS).strip()
    message_id = header.findtext("wsa:MessageID", default="", namespaces=NS).strip()
    if not action or not message_id or len(message_id) > 128:
        raise BadRequest("wsa:Action and wsa:MessageID are required")
    selector = header.find("wsman:SelectorSet/wsman:Selector[@Name='ShellId']", NS)
    shell_id = None
    if selector is not None:
        shell_id = canonical_id(selector.text or "")
    try:
        max_envelope = int(header.findtext("wsman:MaxEnvelopeSize", default="153600", namespaces=NS))
    except ValueError as exc:
        raise BadRequest("bad MaxEnvelopeSize") from exc
    return Request(
        action=action.rsplit("/", 1)[-1],
        message_id=message_id,
        resource_uri=header.findtext("wsman:ResourceURI", default="", namespaces=NS).strip(),
        shell_id=shell_id,
        max_envelope_size=max(8192, min(max_envelope, 64 * 1024 * 1024)),
        operation_timeout=parse_duration(
            header.findtext("wsman:OperationTimeout", default="PT20S", namespaces=NS)
        ),
        body=body,
    )


def canonical_id(text: str) -> str:
    value = text.strip()
    if not _UUID_TEXT.match(value):
        raise BadRequest("a shell or command id must be a UUID")
    return value.upper()


def parse_duration(text: str) -> float:
    match = _DURATION.match(text.strip())
    if match is None:
        return 20.0
    hours, minutes, seconds = match.groups()
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    return max(0.05, min(total, 3600.0))


def _envelope(action: str, relates_to: str, body: str, *, extra_ns: str = "", activity: bool = True) -> str:
    # Windows leaves p:ActivityId out of Signal and config Get replies
    activity_id = f"<p:ActivityId>{str(uuid.uuid4()).upper()}</p:ActivityId>" if activity else ""
    return (
        '<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        f"{extra_ns}"
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
        'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">'
        f"<s:Header><a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>"
        f"{activity_id}"
        f"<a:To>{ANONYMOUS}</a:To>"
        f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo></s:Header>"
        f"<s:Body>{body}</s:Body></s:Envelope>"
    )


_X = 'xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" '
_RSP = 'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" '


def create_response(req: Request, shell_id: str, address: str, owner: str) -> str:
    resource = escape(req.resource_uri)
    body = (
        f"<x:ResourceCreated><a:Address>{escape(address)}</a:Address><a:ReferenceParameters>"
        f"<w:ResourceURI>{resource}</w:ResourceURI><w:SelectorSet>"
        f'<w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet></a:ReferenceParameters>'
        f"</x:ResourceCreated>"
        f'<rsp:Shell xmlns:rsp="{SHELL}"><rsp:ShellId>{shell_id}</rsp:ShellId>'
        f"<rsp:ResourceUri>{resource}</rsp:ResourceUri><rsp:Owner>{escape(owner)}</rsp:Owner>"
        "<rsp:ClientIP>127.0.0.1</rsp:ClientIP><rsp:ProcessId>4242</rsp:ProcessId>"
        "<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut><rsp:InputStreams>stdin pr</rsp:InputStreams>"
        "<rsp:OutputStreams>stdout</rsp:OutputStreams><rsp:MaxIdleTimeOut>PT2147483.647S</rsp:MaxIdleTimeOut>"
        "<rsp:Locale>en-US</rsp:Locale><rsp:DataLocale>en-US</rsp:DataLocale>"
        "<rsp:CompressionMode>NoCompression</rsp:CompressionMode><rsp:ProfileLoaded>Yes</rsp:ProfileLoaded>"
        "<rsp:Encoding>UTF8</rsp:Encoding><rsp:BufferMode>Block</rsp:BufferMode>"
        "<rsp:State>Connected</rsp:State><rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>"
        "<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>"
    )
    return _envelope(f"{TRANSFER}/CreateResponse", req.message_id, body, extra_ns=_X + _RSP)


def command_response(req: Request, command_id: str) -> str:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return _envelope(f"{SHELL}/CommandResponse", req.message_id, body, extra_ns=_X + _RSP)


def send_response(req: Request) -> str:
    return _envelope(f"{SHELL}/SendResponse", req.message_id, "<rsp:SendResponse/>", extra_ns=_X + _RSP)


def signal_response(req: Request) -> str:
    return _envelope(
        f"{SHELL}/SignalResponse", req.message_id, "<rsp:SignalResponse/>", extra_ns=_X + _RSP, activity=False
    )


def delete_response(req: Request) -> str:
    return _envelope(f"{TRANSFER}/DeleteResponse", req.message_id, "")


def receive_response(req: Request, command_id: str | None, streams: list[str], done: bool) -> str:
    """``streams``: base64 PSRP fragments; ``done``: the command finished (CommandState Done)."""
    cmd_attr = f' CommandId="{command_id}"' if command_id else ""
    parts = [f'<rsp:Stream Name="stdout"{cmd_attr}>{data}</rsp:Stream>' for data in streams]
    if command_id and done:
        parts.append(
            f'<rsp:CommandState CommandId="{command_id}" State="{COMMAND_DONE}">'
            "<rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>"
        )
    body = "<rsp:ReceiveResponse>" + "".join(parts) + "</rsp:ReceiveResponse>"
    return _envelope(f"{SHELL}/ReceiveResponse", req.message_id, body, extra_ns=_RSP)


def config_response(req: Request, max_envelope_size_kb: int) -> str:
    body = (
        '<cfg:Config xmlns:cfg="http://schemas.microsoft.com/wbem/wsman/1/config">'
        f"<cfg:MaxEnvelopeSizekb>{max_envelope_size_kb}</cfg:MaxEnvelopeSizekb>"
        "<cfg:MaxTimeoutms>60000</cfg:MaxTimeoutms><cfg:MaxBatchItems>32000</cfg:MaxBatchItems>"
        "<cfg:MaxProviderRequests>4294967295</cfg:MaxProviderRequests>"
        "<cfg:Service><cfg:AllowUnencrypted>false</cfg:AllowUnencrypted>"
        "<cfg:Auth><cfg:Basic>true</cfg:Basic><cfg:Kerberos>false</cfg:Kerberos>"
        "<cfg:Negotiate>true</cfg:Negotiate><cfg:Certificate>false</cfg:Certificate>"
        "<cfg:CredSSP>false</cfg:CredSSP><cfg:CbtHardeningLevel>Relaxed</cfg:CbtHardeningLevel></cfg:Auth>"
        "</cfg:Service><cfg:Winrs><cfg:MaxShellsPerUser>30</cfg:MaxShellsPerUser></cfg:Winrs></cfg:Config>"
    )
    return _envelope(f"{TRANSFER}/GetResponse", req.message_id, body, extra_ns=_X, activity=False)


def fault_response(
    relates_to: str,
    *,
    code: int,
    message: str,
    subcode: str = "w:InternalError",
    sender: bool = False,
    detail: str | None = None,
) -> str:
    """A WSManFault (sent with HTTP 500), laid out like Windows' faults."""
    text = escape(message)
    detail_xml = f"<w:FaultDetail>{escape(detail)}</w:FaultDetail>" if detail else ""
    body = (
        f"<s:Fault><s:Code><s:Value>{'s:Sender' if sender else 's:Receiver'}</s:Value>"
        f"<s:Subcode><s:Value>{escape(subcode)}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{text}</s:Text></s:Reason><s:Detail>{detail_xml}'
        f'<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="{code}" '
        f'Machine="127.0.0.1"><f:Message>{text}</f:Message></f:WSManFault></s:Detail></s:Fault>'
    )
    extra = (
        _X + 'xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/eventing" '
        'xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" '
    )
    return _envelope("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", relates_to, body, extra_ns=extra)


def operation_timeout_fault(req: Request) -> str:
    return fault_response(
        req.message_id,
        code=OPERATION_TIMEOUT,
        subcode="w:TimedOut",
        message="The WS-Management service cannot complete the operation within the time specified in "
        "OperationTimeout.  ",
    )


def invalid_selectors_fault(req: Request, what: str) -> str:
    return fault_response(
        req.message_id,
        code=INVALID_SELECTORS,
        subcode="w:InvalidSelectors",
        sender=True,
        detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors",
        message=f"The Windows Remote Shell received a request to perform an operation on a {what} "
        "identifier that does not exist. ",
    )


def envelope_too_large_fault(req_message_id: str, size: int, limit: int) -> str:
    return fault_response(
        req_message_id,
        code=ENVELOPE_TOO_LARGE,
        subcode="w:EncodingLimit",
        sender=True,
        detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize",
        message=f"The WS-Management service cannot process the request because the request size ({size}) "
        f"exceeded the configured MaxEnvelopeSize quota ({limit}).",
    )
