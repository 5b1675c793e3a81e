"""Typed models of what each check script reports: the contract between ps_scripts/ and Python.

Everything here arrives from a scanned machine and is untrusted. The models bound every string
and list, reject wrong types instead of coercing them, and are the only way the rest of msdiag
reads a check's data. Fields a probe could not fill are None (with an entry in the document's
``errors`` list saying why), so "not collected" is always distinguishable from a real value.

Fields that name people or infrastructure carry a marker from msdiag.capture.names
(``Annotated[..., PersonName]``): redaction finds them through it.

The models live one module per check in msdiag.capture.checkdata (a new check adds its own module
there), the bounded types in msdiag.capture.bounds, the envelope (Capture, CheckDocument ...) in
msdiag.capture.envelope and whose per-user facts they are in msdiag.capture.user_context; this
module re-exports them all, where most code has always imported them from. Which check a data
model belongs to is said once, in the check spec (msdiag/checks.py).

The shapes are documented for other tools in docs/capture-format.md (its per-check tables are
generated from the field descriptions); the JSON Schema shipped in
msdiag/capture/capture.schema.json is generated from these models (see msdiag.capture.schema).
"""

from __future__ import annotations

from msdiag.capture.bounds import MAX_ITEMS as MAX_ITEMS
from msdiag.capture.bounds import Model as Model
from msdiag.capture.bounds import ProbeError as ProbeError
from msdiag.capture.bounds import ShortText as ShortText
from msdiag.capture.bounds import Text as Text
from msdiag.capture.checkdata.endpoints_data import DnsProbe as DnsProbe
from msdiag.capture.checkdata.endpoints_data import EndpointProbe as EndpointProbe
from msdiag.capture.checkdata.endpoints_data import EndpointsData as EndpointsData
from msdiag.capture.checkdata.endpoints_data import HttpProbe as HttpProbe
from msdiag.capture.checkdata.endpoints_data import PacProbe as PacProbe
from msdiag.capture.checkdata.endpoints_data import TcpProbe as TcpProbe
from msdiag.capture.checkdata.endpoints_data import TlsProbe as TlsProbe
from msdiag.capture.checkdata.identity_data import IdentityData as IdentityData
from msdiag.capture.checkdata.locale_data import CultureData as CultureData
from msdiag.capture.checkdata.locale_data import HomeLocationData as HomeLocationData
from msdiag.capture.checkdata.locale_data import LocaleData as LocaleData
from msdiag.capture.checkdata.locale_data import UserLanguageData as UserLanguageData
from msdiag.capture.checkdata.network_data import AdapterData as AdapterData
from msdiag.capture.checkdata.network_data import DefaultRouteData as DefaultRouteData
from msdiag.capture.checkdata.network_data import DnsServersData as DnsServersData
from msdiag.capture.checkdata.network_data import HostsEntryData as HostsEntryData
from msdiag.capture.checkdata.network_data import NetworkData as NetworkData
from msdiag.capture.checkdata.network_data import VpnProfileData as VpnProfileData
from msdiag.capture.checkdata.os_data import OsData as OsData
from msdiag.capture.checkdata.proxy_data import EnvProxyVar as EnvProxyVar
from msdiag.capture.checkdata.proxy_data import ProxyData as ProxyData
from msdiag.capture.checkdata.proxy_data import ProxyScopeData as ProxyScopeData
from msdiag.capture.checkdata.proxy_data import WinHttpData as WinHttpData
from msdiag.capture.checkdata.proxy_data import WinInetData as WinInetData
from msdiag.capture.checkdata.services_data import ServiceData as ServiceData
from msdiag.capture.checkdata.services_data import ServicesData as ServicesData
from msdiag.capture.checkdata.time_data import TimeData as TimeData
from msdiag.capture.checkdata.time_data import TimeZoneData as TimeZoneData
from msdiag.capture.checkdata.time_data import W32TimeData as W32TimeData
from msdiag.capture.checkdata.tls_data import DotNetTlsData as DotNetTlsData
from msdiag.capture.checkdata.tls_data import SchannelProtocolData as SchannelProtocolData
from msdiag.capture.checkdata.tls_data import TlsData as TlsData
from msdiag.capture.envelope import CAPTURE_FORMAT as CAPTURE_FORMAT
from msdiag.capture.envelope import CAPTURE_SCHEMA_VERSION as CAPTURE_SCHEMA_VERSION
from msdiag.capture.envelope import CHECK_SCHEMA_VERSION as CHECK_SCHEMA_VERSION
from msdiag.capture.envelope import NOT_REPORTED as NOT_REPORTED
from msdiag.capture.envelope import Capture as Capture
from msdiag.capture.envelope import CheckDocument as CheckDocument
from msdiag.capture.envelope import CheckResult as CheckResult
from msdiag.capture.envelope import CheckStatus as CheckStatus
from msdiag.capture.envelope import ConnectionInfo as ConnectionInfo
from msdiag.capture.envelope import HostState as HostState
from msdiag.capture.envelope import HostStatus as HostStatus
from msdiag.capture.envelope import PowerShellInfo as PowerShellInfo
from msdiag.capture.native import NativeOutput as NativeOutput
from msdiag.capture.native.dsregcmd import DsregData as DsregData
from msdiag.capture.native.w32tm import W32tmStatusData as W32tmStatusData
from msdiag.capture.user_context import AccountRef as AccountRef
from msdiag.capture.user_context import UserCandidate as UserCandidate
from msdiag.capture.user_context import UserContext as UserContext
from msdiag.capture.user_context import UserContextFacts as UserContextFacts
