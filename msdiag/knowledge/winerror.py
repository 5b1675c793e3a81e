"""Data tables from the Windows SDK's winerror.h / wininet.h: HRESULT facilities, common Win32 errors,
the few whole-code names the decoder shows, and Microsoft's Japanese texts where they are public.

Why a table and not a library: the only PyPI package that carries these names is pywin32
(``winerror`` module), which installs on Windows only, and msdiag runs on the helpdesk's Linux
or macOS machine too. The messages are the English system texts from the "System Error Codes"
and "WinINet/WinHTTP error messages" pages on learn.microsoft.com; only codes users actually hit
around sign-in (network, service, access, logon, WinINet/WinHTTP) are listed.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class Win32Error(NamedTuple):
    name: str
    message: str


#: HRESULT facility numbers (HRESULT_FACILITY(hr) = (hr >> 16) & 0x1FFF) -> FACILITY_* name.
FACILITIES: Final[dict[int, str]] = {
    0: "FACILITY_NULL",
    1: "FACILITY_RPC",
    2: "FACILITY_DISPATCH",
    3: "FACILITY_STORAGE",
    4: "FACILITY_ITF",
    7: "FACILITY_WIN32",
    8: "FACILITY_WINDOWS",
    9: "FACILITY_SECURITY",
    10: "FACILITY_CONTROL",
    11: "FACILITY_CERT",
    12: "FACILITY_INTERNET",
    13: "FACILITY_MEDIASERVER",
    14: "FACILITY_MSMQ",
    15: "FACILITY_SETUPAPI",
    16: "FACILITY_SCARD",
    17: "FACILITY_COMPLUS",
    18: "FACILITY_AAF",
    19: "FACILITY_URT",
    20: "FACILITY_ACS",
    21: "FACILITY_DPLAY",
    22: "FACILITY_UMI",
    23: "FACILITY_SXS",
    24: "FACILITY_WINDOWS_CE",
    25: "FACILITY_HTTP",
    26: "FACILITY_USERMODE_COMMONLOG",
    27: "FACILITY_WER",
    31: "FACILITY_USERMODE_FILTER_MANAGER",
    32: "FACILITY_BACKGROUNDCOPY",
    33: "FACILITY_CONFIGURATION",
    34: "FACILITY_STATE_MANAGEMENT",
    35: "FACILITY_METADIRECTORY",
    36: "FACILITY_WINDOWSUPDATE",
    37: "FACILITY_DIRECTORYSERVICE",
    38: "FACILITY_GRAPHICS",
    39: "FACILITY_SHELL",
    40: "FACILITY_TPM_SERVICES",
    41: "FACILITY_TPM_SOFTWARE",
    42: "FACILITY_UI",
    43: "FACILITY_XAML",
    44: "FACILITY_ACTION_QUEUE",
    48: "FACILITY_PLA",
    49: "FACILITY_FVE",
    50: "FACILITY_FWP",
    51: "FACILITY_WINRM",
    52: "FACILITY_NDIS",
    53: "FACILITY_USERMODE_HYPERVISOR",
    54: "FACILITY_CMI",
    55: "FACILITY_USERMODE_VIRTUALIZATION",
    56: "FACILITY_USERMODE_VOLMGR",
    57: "FACILITY_BCD",
    58: "FACILITY_USERMODE_VHD",
    60: "FACILITY_SDIAG",
    61: "FACILITY_WEBSERVICES",
    62: "FACILITY_WPN",
    63: "FACILITY_WINDOWS_STORE",
    64: "FACILITY_INPUT",
    66: "FACILITY_EAP",
    80: "FACILITY_WINDOWS_DEFENDER",
    81: "FACILITY_OPC",
    82: "FACILITY_XPS",
    83: "FACILITY_RAS",
    84: "FACILITY_POWERSHELL",
    98: "FACILITY_P2P_INT",
    99: "FACILITY_P2P",
    100: "FACILITY_DAF",
    101: "FACILITY_BLUETOOTH_ATT",
    102: "FACILITY_AUDIO",
    103: "FACILITY_STATEREPOSITORY",
    109: "FACILITY_VISUALCPP",
    112: "FACILITY_SCRIPT",
    113: "FACILITY_PARSE",
    134: "FACILITY_ONLINE_ID",
    135: "FACILITY_DEVICE_UPDATE_AGENT",
    208: "FACILITY_DELIVERY_OPTIMIZATION",
}

FACILITY_WIN32: Final = 7
FACILITY_MEDIASERVER: Final = 13

#: facilities winerror.h gives no FACILITY_ name, labelled from what Microsoft documents about them
UNNAMED_FACILITIES: Final[dict[int, str]] = {
    # winerror.h jumps from FACILITY_WER (27) to FACILITY_USERMODE_FILTER_MANAGER (31); Microsoft's
    # "Troubleshoot Microsoft Entra hybrid joined devices" page lists the 0x801Cxxxx codes as DSREG_*
    28: "device registration (DSREG): no FACILITY_ name in winerror.h; Microsoft's hybrid-join "
    "troubleshooting page lists these codes as DSREG_*",
}

#: whole codes named on "Common HRESULT Values" (learn.microsoft.com/windows/win32/seccrypto/
#: common-hresult-values) and, for Media Foundation, in the Windows SDK metadata (windows-docs-rs)
NAMED_HRESULTS: Final[dict[int, tuple[str, str]]] = {
    0x80004001: ("E_NOTIMPL", "Not implemented"),
    0x80004002: ("E_NOINTERFACE", "No such interface supported"),
    0x80004003: ("E_POINTER", "Pointer that is not valid"),
    0x80004004: ("E_ABORT", "Operation aborted"),
    0x80004005: ("E_FAIL", "Unspecified failure"),
    0x8000FFFF: ("E_UNEXPECTED", "Unexpected failure"),
    0x80070005: ("E_ACCESSDENIED", "General access denied error"),
    0x80070006: ("E_HANDLE", "Handle that is not valid"),
    0x8007000E: ("E_OUTOFMEMORY", "Failed to allocate necessary memory"),
    0x80070057: ("E_INVALIDARG", "One or more arguments are not valid"),
    # a Media Foundation HRESULT: both top bits set by the message compiler's Sev = 11, not an NTSTATUS
    0xC00D36B2: ("MF_E_INVALIDREQUEST", "The request is invalid in the current state."),
}

#: NTSTATUS values the decoder names (MS-ERREF / the hybrid-join troubleshooting page)
NTSTATUS_NAMES: Final[dict[int, tuple[str, str | None]]] = {
    # MS-SAMR 2.2.1.15's description of STATUS_ACCESS_DENIED
    0xC0000022: (
        "STATUS_ACCESS_DENIED",
        "Returned when a client has requested access to an object but has not been granted those access rights.",
    ),
    0xC000005F: ("STATUS_NO_SUCH_LOGON_SESSION", None),
    0xC000006D: ("STATUS_LOGON_FAILURE", None),
}

#: Win32 error number -> (symbolic name, English system message).
WIN32_ERRORS: Final[dict[int, Win32Error]] = {
    2: Win32Error("ERROR_FILE_NOT_FOUND", "The system cannot find the file specified."),
    3: Win32Error("ERROR_PATH_NOT_FOUND", "The system cannot find the path specified."),
    5: Win32Error("ERROR_ACCESS_DENIED", "Access is denied."),
    6: Win32Error("ERROR_INVALID_HANDLE", "The handle is invalid."),
    8: Win32Error(
        "ERROR_NOT_ENOUGH_MEMORY", "Not enough memory resources are available to process this command."
    ),
    13: Win32Error("ERROR_INVALID_DATA", "The data is invalid."),
    14: Win32Error(
        "ERROR_OUTOFMEMORY", "Not enough memory resources are available to complete this operation."
    ),
    21: Win32Error("ERROR_NOT_READY", "The device is not ready."),
    31: Win32Error("ERROR_GEN_FAILURE", "A device attached to the system is not functioning."),
    50: Win32Error("ERROR_NOT_SUPPORTED", "The request is not supported."),
    53: Win32Error("ERROR_BAD_NETPATH", "The network path was not found."),
    59: Win32Error("ERROR_UNEXP_NET_ERR", "An unexpected network error occurred."),
    64: Win32Error("ERROR_NETNAME_DELETED", "The specified network name is no longer available."),
    87: Win32Error("ERROR_INVALID_PARAMETER", "The parameter is incorrect."),
    120: Win32Error("ERROR_CALL_NOT_IMPLEMENTED", "This function is not supported on this system."),
    122: Win32Error("ERROR_INSUFFICIENT_BUFFER", "The data area passed to a system call is too small."),
    170: Win32Error("ERROR_BUSY", "The requested resource is in use."),
    183: Win32Error("ERROR_ALREADY_EXISTS", "Cannot create a file when that file already exists."),
    258: Win32Error("WAIT_TIMEOUT", "The wait operation timed out."),
    1053: Win32Error(
        "ERROR_SERVICE_REQUEST_TIMEOUT",
        "The service did not respond to the start or control request in a timely fashion.",
    ),
    1056: Win32Error("ERROR_SERVICE_ALREADY_RUNNING", "An instance of the service is already running."),
    1058: Win32Error(
        "ERROR_SERVICE_DISABLED",
        "The service cannot be started, either because it is disabled or because it has no enabled "
        "devices associated with it.",
    ),
    1060: Win32Error(
        "ERROR_SERVICE_DOES_NOT_EXIST", "The specified service does not exist as an installed service."
    ),
    1062: Win32Error("ERROR_SERVICE_NOT_ACTIVE", "The service has not been started."),
    1068: Win32Error("ERROR_SERVICE_DEPENDENCY_FAIL", "The dependency service or group failed to start."),
    1069: Win32Error("ERROR_SERVICE_LOGON_FAILED", "The service did not start due to a logon failure."),
    1115: Win32Error("ERROR_SHUTDOWN_IN_PROGRESS", "A system shutdown is in progress."),
    1168: Win32Error("ERROR_NOT_FOUND", "Element not found."),
    1222: Win32Error("ERROR_NO_NETWORK", "The network is not present or not started."),
    1223: Win32Error("ERROR_CANCELLED", "The operation was canceled by the user."),
    1225: Win32Error("ERROR_CONNECTION_REFUSED", "The remote computer refused the network connection."),
    1226: Win32Error("ERROR_GRACEFUL_DISCONNECT", "The network connection was gracefully closed."),
    1229: Win32Error(
        "ERROR_CONNECTION_INVALID", "An operation was attempted on a nonexistent network connection."
    ),
    1231: Win32Error(
        "ERROR_NETWORK_UNREACHABLE",
        "The network location cannot be reached. For information about network troubleshooting, "
        "see Windows Help.",
    ),
    1232: Win32Error(
        "ERROR_HOST_UNREACHABLE",
        "The network location cannot be reached. For information about network troubleshooting, "
        "see Windows Help.",
    ),
    1233: Win32Error(
        "ERROR_PROTOCOL_UNREACHABLE",
        "The network location cannot be reached. For information about network troubleshooting, "
        "see Windows Help.",
    ),
    1234: Win32Error(
        "ERROR_PORT_UNREACHABLE",
        "No service is operating at the destination network endpoint on the remote system.",
    ),
    1235: Win32Error("ERROR_REQUEST_ABORTED", "The request was aborted."),
    1236: Win32Error("ERROR_CONNECTION_ABORTED", "The network connection was aborted by the local system."),
    1260: Win32Error(
        "ERROR_ACCESS_DISABLED_BY_POLICY",
        "This program is blocked by group policy. For more information, contact your system administrator.",
    ),
    1312: Win32Error(
        "ERROR_NO_SUCH_LOGON_SESSION",
        "A specified logon session does not exist. It may already have been terminated.",
    ),
    1317: Win32Error("ERROR_NO_SUCH_USER", "The specified account does not exist."),
    1326: Win32Error("ERROR_LOGON_FAILURE", "The user name or password is incorrect."),
    1327: Win32Error(
        "ERROR_ACCOUNT_RESTRICTION", "Account restrictions are preventing this user from signing in."
    ),
    1330: Win32Error("ERROR_PASSWORD_EXPIRED", "The password for this account has expired."),
    1331: Win32Error(
        "ERROR_ACCOUNT_DISABLED", "This user can't sign in because this account is currently disabled."
    ),
    1355: Win32Error(
        "ERROR_NO_SUCH_DOMAIN", "The specified domain either does not exist or could not be contacted."
    ),
    1396: Win32Error("ERROR_WRONG_TARGET_NAME", "The target account name is incorrect."),
    1722: Win32Error("RPC_S_SERVER_UNAVAILABLE", "The RPC server is unavailable."),
    1726: Win32Error("RPC_S_CALL_FAILED", "The remote procedure call failed."),
    1753: Win32Error(
        "EPT_S_NOT_REGISTERED", "There are no more endpoints available from the endpoint mapper."
    ),
    1907: Win32Error("ERROR_PASSWORD_MUST_CHANGE", "The user's password must be changed before signing in."),
    1909: Win32Error(
        "ERROR_ACCOUNT_LOCKED_OUT",
        "The referenced account is currently locked out and may not be logged on to.",
    ),
    5023: Win32Error(
        "ERROR_INVALID_STATE",
        "The group or resource is not in the correct state to perform the requested operation.",
    ),
    10051: Win32Error("WSAENETUNREACH", "A socket operation was attempted to an unreachable network."),
    10054: Win32Error("WSAECONNRESET", "An existing connection was forcibly closed by the remote host."),
    10060: Win32Error(
        "WSAETIMEDOUT",
        "A connection attempt failed because the connected party did not properly respond after a "
        "period of time, or established connection failed because connected host has failed to respond.",
    ),
    10061: Win32Error(
        "WSAECONNREFUSED", "No connection could be made because the target machine actively refused it."
    ),
    10065: Win32Error("WSAEHOSTUNREACH", "A socket operation was attempted to an unreachable host."),
    11001: Win32Error("WSAHOST_NOT_FOUND", "No such host is known."),
    12002: Win32Error("ERROR_INTERNET_TIMEOUT", "The request has timed out."),
    12004: Win32Error("ERROR_INTERNET_INTERNAL_ERROR", "An internal error has occurred."),
    12005: Win32Error("ERROR_INTERNET_INVALID_URL", "The URL is invalid."),
    12006: Win32Error(
        "ERROR_INTERNET_UNRECOGNIZED_SCHEME", "The URL scheme could not be recognized, or is not supported."
    ),
    12007: Win32Error("ERROR_INTERNET_NAME_NOT_RESOLVED", "The server name could not be resolved."),
    12029: Win32Error("ERROR_INTERNET_CANNOT_CONNECT", "The attempt to connect to the server failed."),
    12030: Win32Error(
        "ERROR_INTERNET_CONNECTION_ABORTED", "The connection with the server has been terminated."
    ),
    12031: Win32Error("ERROR_INTERNET_CONNECTION_RESET", "The connection with the server has been reset."),
    12037: Win32Error(
        "ERROR_INTERNET_SEC_CERT_DATE_INVALID",
        "SSL certificate date that was received from the server is bad. The certificate is expired.",
    ),
    12038: Win32Error(
        "ERROR_INTERNET_SEC_CERT_CN_INVALID", "SSL certificate common name (host name field) is incorrect."
    ),
    12044: Win32Error(
        "ERROR_INTERNET_CLIENT_AUTH_CERT_NEEDED", "The server is requesting client authentication."
    ),
    12045: Win32Error(
        "ERROR_INTERNET_INVALID_CA",
        "The function is unfamiliar with the Certificate Authority that generated the server's certificate.",
    ),
    12057: Win32Error("ERROR_INTERNET_SEC_CERT_REV_FAILED", "Certificate revocation check failed."),
    12152: Win32Error("ERROR_HTTP_INVALID_SERVER_RESPONSE", "The server response could not be parsed."),
    12157: Win32Error(
        "ERROR_INTERNET_SECURITY_CHANNEL_ERROR",
        "The application experienced an internal error loading the SSL libraries.",
    ),
    12166: Win32Error(
        "ERROR_INTERNET_BAD_AUTO_PROXY_SCRIPT",
        "There was an error in the automatic proxy configuration script.",
    ),
    12167: Win32Error(
        "ERROR_INTERNET_UNABLE_TO_DOWNLOAD_SCRIPT",
        "The automatic proxy configuration script could not be downloaded.",
    ),
    # Same number, two APIs: WinINet (content decoding) and WinHTTP (TLS certificate errors);
    # at sign-in it is almost always the WinHTTP meaning.
    12175: Win32Error(
        "ERROR_WINHTTP_SECURE_FAILURE / ERROR_INTERNET_DECODING_FAILED",
        "One or more errors were found in the Secure Sockets Layer (SSL) certificate sent by the server.",
    ),
    12180: Win32Error("ERROR_INTERNET_AUTODETECTION_FAILED", "Automatic proxy detection (WPAD) failed."),
}

#: Microsoft's Japanese for a Win32 message, where a Microsoft page publishes it: the ja-jp "System
#: Error Codes (0-499)" page and the ja-jp MSAL.NET "WAM errors" page. No public Japanese was found for
#: the others (the WinINet/WinHTTP texts among them): they are shown in English, and say so.
WIN32_MESSAGES_JA: Final[dict[int, str]] = {
    2: "指定されたファイルが見つかりません。",
    3: "指定したパスが見つかりません。",
    5: "アクセスが拒否されました。",
    6: "ハンドルが正しくありません。",
    8: "このコマンドを処理するために必要なメモリ リソースがありません。",
    13: "データが無効です。",
    14: "この操作を実行するには、使用できる領域が十分ではありません。",
    1231: "ネットワークの場所に到達できません。 ネットワークのトラブルシューティングについては、「Windows ヘルプ」を参照してください。",
    1317: "指定したアカウントが存在しません。",
}
