"""The rule registry: every rule id the knowledge base can link to, in a stable order."""

from __future__ import annotations

from diag.diagnosis.rules import identity, network, os, proxy, region, services, time, tls
from diag.diagnosis.rules.base import Rule, RuleContext, RuleSpec

_ALL: tuple[Rule, ...] = (
    network.no_active_adapter,
    network.dns_account_hosts,
    network.hosts_file_override,
    network.tcp_partial_block,
    network.tcp_all_blocked,
    network.ncsi_blocked,
    network.http_unexpected_response,
    network.vpn_active,
    network.vpn_dns_failure,
    proxy.wininet_winhttp_mismatch,
    proxy.proxy_unreachable,
    proxy.pac_unreachable,
    proxy.environment_override,
    tls.handshake_failure,
    tls.interception,
    tls.protocol_disabled,
    time.clock_skew,
    time.w32time_not_syncing,
    services.wlidsvc_disabled,
    services.tokenbroker_disabled,
    services.core_network_disabled,
    identity.msa_blocked,
    identity.org_managed,
    identity.prt_stale,
    region.settings_disagree,
    region.phone_country_mismatch,
    os.too_old,
    os.not_elevated,
)

RULES: dict[str, Rule] = {r.id: r for r in _ALL}

#: findings the phone analysis produces (not machine rules, but ids the knowledge base may link)
PHONE_FINDING_IDS: tuple[str, ...] = (
    "phone.invalid",
    "phone.trunk_prefix",
    "phone.landline",
    "phone.voip",
    "phone.country_mismatch",
)

__all__ = ["PHONE_FINDING_IDS", "RULES", "Rule", "RuleContext", "RuleSpec"]
