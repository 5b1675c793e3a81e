"""Results for the report tests: captures from tests/fixtures and results built from them.

A plain module (not a test module): test modules import it as ``support.report_results``.

While no diagnosis engine is available, ``hand_result`` builds a DiagnosisResult from the models by
hand; golden files always come from the real engine (``engine_result``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from msdiag.capture.models import Capture
from msdiag.diagnosis.models import (
    ActionStep,
    CauseVerdict,
    DiagnosisResult,
    ErrorAnalysis,
    Evidence,
    Finding,
    Localized,
    PhoneAnalysis,
    RankedCause,
    RegionMatrix,
    RegionPair,
    RegionSignal,
    Severity,
    Status,
    StatusCounts,
)

TESTS = Path(__file__).resolve().parent.parent
CAPTURES = TESTS / "fixtures" / "captures"
LAB_HOSTS = TESTS.parent / "msdiag" / "lab" / "hosts"


def capture_path(name: str) -> Path:
    for folder in (CAPTURES, LAB_HOSTS):
        path = folder / f"{name}.json"
        if path.exists():
            return path
    raise FileNotFoundError(f"no capture named {name} in {CAPTURES} or {LAB_HOSTS}")


def load_capture(name: str) -> Capture:
    return Capture.model_validate(json.loads(capture_path(name).read_text(encoding="utf-8")))


def engine_result(name: str, *, errors: Sequence[str] = (), phone: str | None = None) -> DiagnosisResult:
    from msdiag.diagnosis.engine import diagnose

    return diagnose(load_capture(name), errors=list(errors), phone=phone)


def hand_result(capture: Capture, *, phone_input: str = "+81 090-1234-5678") -> DiagnosisResult:
    """A realistic result over ``capture``: a proxy mismatch confirmed for 0xCAA70004, phone, region."""
    mismatch = Finding(
        id="proxy.wininet_winhttp_mismatch",
        status=Status.FAIL,
        severity=Severity.HIGH,
        title=Localized(
            en="WinINET and WinHTTP proxies differ", ja="WinINET と WinHTTP のプロキシが異なります"
        ),
        detail=Localized(
            en=f"Browsers use a proxy on {capture.host}, the sign-in broker goes direct.",
            ja=f"{capture.host} のブラウザーはプロキシ経由、サインイン ブローカーは直接接続です。",
        ),
        evidence=[
            Evidence(
                fact="proxy.wininet.proxy_server",
                value="proxy.corp.contoso.co.jp:8080",
                note=Localized(en="user proxy", ja="ユーザーのプロキシ"),
            ),
            Evidence(fact="proxy.scope.user", value="CONTOSO\\taro.yamada"),
            Evidence(fact="identity.user_name", value=capture.host),
        ],
        remediation=[
            Localized(
                en="Run netsh winhttp import proxy source=ie as administrator.",
                ja="管理者として netsh winhttp import proxy source=ie を実行します。",
            ),
            Localized(en="Sign in again.", ja="もう一度サインインします。"),
        ],
        checks=["proxy"],
    )
    skew = Finding(
        id="clock.skew",
        status=Status.PASS,
        severity=Severity.MEDIUM,
        title=Localized(en="Clock in sync", ja="時刻は同期しています"),
        checks=["time", "endpoints"],
    )
    tls = Finding(
        id="tls.protocols",
        status=Status.NOT_COLLECTED,
        severity=Severity.LOW,
        title=Localized(en="TLS settings not collected", ja="TLS 設定は未収集です"),
        detail=Localized(en="the tls check did not run", ja="tls チェックは実行されませんでした"),
    )
    cause = RankedCause(
        rank=1,
        cause_id="proxy_mismatch",
        verdict=CauseVerdict.CONFIRMED,
        text=Localized(
            en="The broker cannot reach login.live.com through WinHTTP",
            ja="ブローカーが WinHTTP 経由で login.live.com に到達できません",
        ),
        rules=["proxy.wininet_winhttp_mismatch"],
        findings=["proxy.wininet_winhttp_mismatch"],
        remediation=mismatch.remediation,
    )
    other = RankedCause(
        rank=2,
        cause_id="account_side",
        verdict=CauseVerdict.UNKNOWN,
        text=Localized(en="A problem on the account side", ja="アカウント側の問題"),
    )
    error = ErrorAnalysis(
        input="0xCAA70004",
        entry_id="0xCAA70004",
        name="WAM network error",
        meaning=Localized(
            en="The sign-in broker could not reach the server.",
            ja="サインイン ブローカーがサーバーに到達できませんでした。",
        ),
        causes=[cause, other],
        sources=["https://learn.microsoft.com/"],
        confidence="documented",
    )
    phone = PhoneAnalysis(
        input=phone_input,
        valid=True,
        possible=True,
        e164="+819012345678",
        region="JP",
        country_code=81,
        number_type="mobile",
        national_format="090-1234-5678",
        corrected_input="+81 90-1234-5678",
        steps=[
            Localized(
                en="Add the new number first, then remove the old one.",
                ja="新しい番号を追加してから古い番号を削除します。",
            )
        ],
    )
    region = RegionMatrix(
        signals=[
            RegionSignal(source="culture", value="ja-JP", country="JP"),
            RegionSignal(source="home_location", value="244 United States", country="US"),
            RegionSignal(source="phone", value=phone_input, country="JP"),
        ],
        pairs=[
            RegionPair(a="culture", b="home_location", agree=False),
            RegionPair(a="culture", b="phone", agree=True),
            RegionPair(a="home_location", b="phone", agree=False),
        ],
    )
    return DiagnosisResult(
        msdiag_version="0.1.0",
        verdict="fail",
        counts=StatusCounts(fail=1, warn=0, pass_=1, not_collected=1, not_applicable=0),
        findings=[mismatch, tls, skew],
        errors=[error],
        # as the engine orders it: the confirmed cause's steps first (msdiag.diagnosis.do_first)
        do_first=[
            ActionStep(text=step, cause=("0xCAA70004", "proxy_mismatch"), basis="confirmed")
            for step in cause.remediation
        ],
        phone=phone,
        region=region,
        clock_skew_seconds=-432.0,
        capture=capture,
    )


def engine_available() -> bool:
    try:
        import msdiag.diagnosis.engine  # noqa: F401
    except ImportError:
        return False
    return True


#: capture name -> the error codes the scenario is diagnosed with
SCENARIO_ERRORS: dict[str, tuple[str, ...]] = {"proxy-mismatch": ("0xCAA70004",)}


def result_for_browser(name: str) -> DiagnosisResult:
    """Engine output on the named capture when both exist; a hand-built result on pii.json otherwise."""
    try:
        capture_path(name)
        have_capture = True
    except FileNotFoundError:
        have_capture = False
    if engine_available() and have_capture:
        return engine_result(name, errors=SCENARIO_ERRORS.get(name, ()))
    return hand_result(load_capture(name if have_capture else "pii"))
