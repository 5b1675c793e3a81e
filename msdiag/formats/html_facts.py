"""The machine-facts sections of the HTML report (machine, proxy, VPN, services, region, endpoints,
phone, support, raw capture) as plain values for templates/report.html.j2; no markup is built here.
Every host string is cleaned (msdiag.sanitize); Jinja autoescapes it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from msdiag.capture.parse import Facts
from msdiag.diagnosis.models import DiagnosisResult, Localized
from msdiag.formats.answer import missing_reason
from msdiag.formats.html_labels import html_label
from msdiag.formats.html_text import host_time, parse_time, step_view
from msdiag.formats.labels import label, value_label
from msdiag.formats.summary import skew_text
from msdiag.sanitize import clean_text, clean_value


def localized_text(value: Localized | None, lang: str) -> str:
    return clean_text(value.get(lang)) if value is not None else ""


@dataclass
class Row:
    label: str
    value: str
    sub: str = ""  # a smaller second line (localized name, raw id)
    missing: bool = False


@dataclass
class EndpointView:
    host: str
    proxy: str
    dns: str
    dns_ok: bool | None
    tcp: str
    tcp_ok: bool | None
    tls: str
    tls_ok: bool | None
    http: str
    http_ok: bool | None
    ms: str


@dataclass
class RegionView:
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # label, value, country
    #: "All 6 settings point at the same country: JP" when no pair differs, else ""
    agree: str = ""
    #: the pairs that point at different countries: (a, its country, b, its country)
    differ: list[tuple[str, str, str, str]] = field(default_factory=list)
    unknown: str = ""  # "Country not known: ..." for sources without a country


def host_offset_minutes(facts: Facts) -> int | None:
    """The host's UTC offset in minutes (its time zone's current one), None when not collected."""
    time = facts.time
    if time is None:
        return None
    if time.time_zone is not None and time.time_zone.current_utc_offset_minutes is not None:
        return time.time_zone.current_utc_offset_minutes
    local = parse_time(time.local_time or "")
    offset = local.utcoffset() if local is not None else None
    return int(offset.total_seconds() // 60) if offset is not None else None


def missing_text(facts: Facts, check: str, lang: str) -> str:
    return f"{label('not_collected', lang)}: {missing_reason(facts.capture, check, lang)}"


def _culture(value: Any) -> tuple[str, str]:
    if value is None or not value.name:
        return "—", ""
    return clean_text(value.name), clean_text(value.display_name or value.english_name or "")


def machine_rows(result: DiagnosisResult, facts: Facts, lang: str) -> list[Row]:
    rows: list[Row] = []
    os_data = facts.os
    if os_data is not None:
        build = (
            f"{os_data.build}.{os_data.ubr}"
            if os_data.build and os_data.ubr is not None
            else str(os_data.build or "")
        )
        main = " ".join(x for x in (os_data.caption, os_data.display_version) if x)
        sub = " · ".join(
            x for x in (f"build {build}" if build else "", os_data.architecture, os_data.computer_name) if x
        )
        rows.append(Row(label("os", lang), clean_text(main or "—"), clean_text(sub)))
    else:
        rows.append(Row(label("os", lang), missing_text(facts, "os", lang), missing=True))
    locale = facts.locale
    if locale is not None:
        for key, value in (
            ("culture", locale.culture),
            ("ui_culture", locale.ui_culture),
            ("system_locale", locale.system_locale),
        ):
            main, sub = _culture(value)
            rows.append(Row(label(key, lang), main, sub))
        home = locale.home_location
        if home is not None:
            sub = " · ".join(
                str(x) for x in (home.iso2, f"GeoId {home.geo_id}" if home.geo_id is not None else None) if x
            )
            rows.append(
                Row(label("home_location", lang), clean_text(home.name or "—"), clean_text(sub))
            )
        else:
            rows.append(Row(label("home_location", lang), "—"))
    else:
        for key in ("culture", "ui_culture", "system_locale", "home_location"):
            rows.append(Row(label(key, lang), missing_text(facts, "locale", lang), missing=True))
    time = facts.time
    if time is not None and time.time_zone is not None:
        rows.append(
            Row(
                label("time_zone", lang),
                clean_text(time.time_zone.id or "—"),
                clean_text(time.time_zone.display_name or ""),
            )
        )
    else:
        rows.append(Row(label("time_zone", lang), missing_text(facts, "time", lang), missing=time is None))
    w32 = time.w32time if time is not None else None
    w32_sub = ""
    if w32 is not None:
        w32_sub = "W32Time " + " · ".join(x for x in (w32.service_status, w32.type, w32.ntp_server) if x)
    rows.append(
        Row(
            label("clock_skew", lang),
            skew_text(result.clock_skew_seconds, lang),
            clean_text(w32_sub),
            missing=result.clock_skew_seconds is None,
        )
    )
    return rows


def proxy_rows(facts: Facts, lang: str) -> tuple[list[tuple[str, str, str]], list[str], str]:
    """Rows of (setting, WinINET, WinHTTP), environment variables, and whose settings they are."""
    proxy = facts.proxy
    if proxy is None:
        return [], [], missing_text(facts, "proxy", lang)
    wininet, winhttp = proxy.wininet, proxy.winhttp
    na = label("not_collected", lang)

    def inet_server() -> str:
        if wininet is None:
            return na
        if wininet.proxy_enable and wininet.proxy_server:
            return wininet.proxy_server
        return label("proxy.direct", lang)

    def http_server() -> str:
        if winhttp is None or winhttp.source == "unavailable":
            return na
        if winhttp.direct or not winhttp.proxy_server:
            return label("proxy.direct", lang)
        return winhttp.proxy_server

    yes, no = label("yes", lang), label("no", lang)
    rows = [
        (label("proxy", lang), inet_server(), http_server()),
        (
            label("proxy.bypass", lang),
            (wininet.proxy_override or "—") if wininet else na,
            (winhttp.bypass_list or "—") if winhttp else na,
        ),
        (label("proxy.pac", lang), (wininet.auto_config_url or "—") if wininet else na, "—"),
        (
            label("proxy.autodetect", lang),
            (yes if wininet.auto_detect else no) if wininet and wininet.auto_detect is not None else "—",
            "—",
        ),
    ]
    env = [f"{e.name} ({e.scope}) = {e.value}" for e in proxy.environment]
    scope = ""
    if proxy.scope is not None:
        scope = " · ".join(x for x in (proxy.scope.source, proxy.scope.user) if x)
    clean_rows = [(clean_text(a), clean_text(b), clean_text(c)) for a, b, c in rows]
    return clean_rows, [clean_text(e) for e in env], clean_text(scope)


def vpn_lines(facts: Facts, lang: str) -> list[str]:
    network = facts.network
    if network is None:
        return [missing_text(facts, "network", lang)]
    out = []
    for adapter in network.adapters:
        if adapter.is_vpn:
            out.append(
                " · ".join(
                    x for x in (adapter.vpn_vendor or adapter.description, adapter.name, adapter.status) if x
                )
            )
    for profile in network.vpn_profiles:
        out.append(
            " · ".join(
                x
                for x in (
                    profile.name,
                    profile.server_address,
                    profile.tunnel_type,
                    profile.connection_status,
                )
                if x
            )
        )
    return [clean_text(x) for x in out] or [label("vpn.none", lang)]


def service_rows(facts: Facts, lang: str) -> tuple[list[tuple[str, str, str]], str]:
    services = facts.services
    if services is None:
        return [], missing_text(facts, "services", lang)
    rows = []
    for s in services.services:
        name = f"{s.name} ({s.display_name})" if s.display_name else s.name
        status = s.status or "—" if s.present else label("service.missing", lang)
        rows.append((clean_text(name), clean_text(status), clean_text(s.start_type or "—")))
    return rows, ""


def _ok_text(ok: bool | None, lang: str) -> str:
    return "—" if ok is None else label("ep.ok" if ok else "ep.failed", lang)


def endpoint_views(facts: Facts, lang: str) -> tuple[list[EndpointView], str]:
    endpoints = facts.endpoints
    if endpoints is None:
        return [], missing_text(facts, "endpoints", lang)
    views = []
    for p in endpoints.probes:
        dns_ok = None if p.dns is None else (not p.dns.error and bool(p.dns.addresses))
        dns = "—" if p.dns is None else (p.dns.error or ", ".join(p.dns.addresses[:4]) or "—")
        tcp_ok = p.tcp.ok if p.tcp else None
        tcp = "—" if p.tcp is None else (p.tcp.error or _ok_text(p.tcp.ok, lang))
        if p.tcp is not None and p.tcp.target and p.tcp.target.lower() != f"{p.host}:443".lower():
            tcp += f" ({p.tcp.target})"  # through a proxy: where it connected (the host itself says nothing)
        tls_ok = None if p.tls is None else (bool(p.tls.ok) and not p.tls.validation_error)
        tls = "—"
        if p.tls is not None:
            tls = p.tls.issuer or p.tls.error or _ok_text(p.tls.ok, lang)
            if p.tls.validation_error:
                tls += f" — {p.tls.validation_error}"
        http_ok = None if p.http is None else (p.http.status is not None and p.http.status < 500)
        http = (
            "—"
            if p.http is None
            else (str(p.http.status) if p.http.status is not None else (p.http.error or "—"))
        )
        times = [x.ms if x is not None else None for x in (p.dns, p.tcp, p.tls, p.http)]
        ms = " / ".join("—" if t is None else str(t) for t in times)
        views.append(
            EndpointView(
                host=clean_text(p.host),
                proxy=clean_text(p.proxy or ""),
                dns=clean_text(dns),
                dns_ok=dns_ok,
                tcp=clean_text(tcp),
                tcp_ok=tcp_ok,
                tls=clean_text(tls),
                tls_ok=tls_ok,
                http=clean_text(http),
                http_ok=http_ok,
                ms=ms,
            )
        )
    return views, ""


def region_view(result: DiagnosisResult, lang: str) -> RegionView | None:
    """Each setting's country, then one line when they all agree, else the pairs that differ."""
    region = result.region
    if region is None:
        return None
    view = RegionView()
    country = {s.source: clean_text(s.country or "") for s in region.signals}
    for signal in region.signals:
        view.sources.append(
            (label(f"source.{signal.source}", lang), clean_text(signal.value or "—"), country[signal.source] or "?")
        )
    for pair in region.pairs:
        if pair.agree is False:
            view.differ.append(
                (
                    label(f"source.{pair.a}", lang),
                    country.get(pair.a) or "?",
                    label(f"source.{pair.b}", lang),
                    country.get(pair.b) or "?",
                )
            )
    known = [s for s in region.signals if country[s.source]]
    if known and not view.differ:
        view.agree = html_label("region.all_agree", lang, n=len(known), country=country[known[0].source])
    unknown = [label(f"source.{s.source}", lang) for s in region.signals if not country[s.source]]
    if unknown:
        view.unknown = html_label("region.unknown_list", lang, names=", ".join(unknown))
    return view


def phone_view(result: DiagnosisResult, lang: str) -> dict[str, Any] | None:
    phone = result.phone
    if phone is None:
        return None
    yes, no = label("yes", lang), label("no", lang)
    rows = [
        Row(label("phone.input", lang), clean_text(phone.input)),
        Row(label("phone.valid", lang), yes if phone.valid else no),
        Row(label("phone.e164", lang), clean_text(phone.e164 or "—")),
        Row(label("phone.national", lang), clean_text(phone.national_format or "—")),
        Row(
            label("phone.region", lang),
            clean_text(
                " · ".join(
                    str(x)
                    for x in (phone.region, f"+{phone.country_code}" if phone.country_code else None)
                    if x
                )
                or "—"
            ),
        ),
        Row(label("phone.type", lang), value_label("number_type", phone.number_type, lang) if phone.number_type else "—"),
    ]
    if phone.corrected_input:
        rows.append(Row(label("phone.corrected", lang), clean_text(phone.corrected_input)))
    return {"rows": rows, "steps": [step_view(s, lang) for s in phone.steps]}


def support_rows(result: DiagnosisResult, facts: Facts, lang: str) -> list[Row]:
    os_data = facts.os
    device = result.capture.host
    if os_data is not None:
        build = f"{os_data.build}.{os_data.ubr}" if os_data.build and os_data.ubr is not None else ""
        device = " · ".join(
            x
            for x in (
                result.capture.host,
                os_data.caption,
                os_data.display_version,
                build,
                os_data.architecture,
            )
            if x
        )
    locale = facts.locale
    if locale is not None and locale.culture is not None and locale.culture.name:
        device += f" · {locale.culture.name}"
    collected = clean_text(result.capture.collected_utc)
    seen = host_time(collected, host_offset_minutes(facts)) or collected
    errors = [
        f"{e.input}{' (' + e.name + ')' if e.name else ''} — {label('support.seen', lang)} {seen}"
        for e in result.errors
    ]
    return [
        Row(label("support.account", lang), label("support.account.fill", lang), missing=True),
        Row(label("support.device", lang), clean_text(device)),
        Row(
            label("support.errors", lang),
            clean_text("\n".join(errors)) if errors else label("support.errors.none", lang),
            missing=not errors,
        ),
        Row(label("support.tried", lang), label("support.tried.fill", lang), missing=True),
        Row(label("support.screenshot", lang), label("support.screenshot.fill", lang), missing=True),
    ]


def raw_blocks(result: DiagnosisResult) -> list[tuple[str, str, str]]:
    """(check, status, pretty JSON or raw text) for the collapsed raw-capture block."""
    blocks = []
    for name, check in sorted(result.capture.checks.items()):
        if check.document is not None:
            body = json.dumps(clean_value(check.document), ensure_ascii=False, indent=2, sort_keys=True)
        else:
            body = clean_text(check.raw or check.reason or "", newlines="keep")
        blocks.append((clean_text(name), check.status.value, body))
    return blocks
