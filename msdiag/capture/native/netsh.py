"""``netsh winhttp show proxy``: the machine's WinHTTP proxy, as netsh prints it (localized).

English from Microsoft's support article (KB 4494447, "Direct access (no proxy server)." /
"Proxy Server(s) :" / "Bypass List :"); Japanese from real captures (直接アクセス (プロキシ サーバーなし)。 /
プロキシ サーバー: / バイパス一覧: / (なし)), tests/data/native/netsh-winhttp-show-proxy/. Other
languages are not recognised: the text is kept and the check records that it could not be read.
"""

from __future__ import annotations

from msdiag.capture.checkdata.proxy_data import WinHttpData
from msdiag.capture.native import label_lines

_DIRECT = ("direct access (no proxy server)", "直接アクセス")
_PROXY_LABELS = ("proxy server(s)", "proxy server", "プロキシ サーバー")
_BYPASS_LABELS = ("bypass list", "バイパス一覧")
_NONE = ("(none)", "(なし)", "")


def parse_netsh_winhttp_proxy(text: str) -> WinHttpData | None:
    """The WinHTTP proxy setting, or None when the text is in a layout this parser does not know."""
    if any(marker in text.lower() for marker in _DIRECT):
        return WinHttpData(source="netsh", direct=True)
    proxy: str | None = None
    bypass: str | None = None
    for label, value in label_lines(text):
        name = " ".join(label.lower().split())
        if name in _PROXY_LABELS and value not in _NONE:
            proxy = value[:4096]
        elif name in _BYPASS_LABELS and value not in _NONE:
            bypass = value[:4096]
    if proxy is None:
        return None
    return WinHttpData(source="netsh", direct=False, proxy_server=proxy, bypass_list=bypass)
