"""`msdiag intune pull` against a Graph + token endpoint stand-in on loopback over HTTPS (a test
CA; no network): MSAL signs in for real, pages are followed, throttling and expired tokens are
survived, a malformed page or a denial stops with a message and keeps what arrived."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.cli_run import run
from support.engine_samples import sample
from support.graph_stand_in import (
    CLIENT_ID,
    SCRIPT_ID,
    SECRET,
    TENANT,
    Answer,
    GraphStandIn,
    make_client_certificate,
)

from msdiag.capture.models import Capture
from msdiag.fleet.results import iter_records

Encode = Callable[[Capture], str]


@pytest.fixture
def graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compact: Encode) -> Iterator[GraphStandIn]:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
                 "MSDIAG_CLIENT_CERTIFICATE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("MSDIAG_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("MSDIAG_TENANT_ID", TENANT)
    monkeypatch.setenv("MSDIAG_CLIENT_SECRET", SECRET)
    states = [s for s in json.loads(sample("graph-page-1.json", tmp_path, compact).read_text())["value"]
              if "managedDevice" in s]
    states += json.loads(sample("graph-page-2.json", tmp_path, compact).read_text())["value"]
    with GraphStandIn(tmp_path) as stand_in:
        stand_in.script.pages = [states[0:3], states[3:6], states[6:]]
        yield stand_in


def _pull(capsys: pytest.CaptureFixture[str], graph: GraphStandIn, out: Path, *extra: str) -> tuple[int, str]:
    code, _, err = run(
        capsys, "intune", "pull", "--script-id", SCRIPT_ID, "--results", str(out), "--authority-host", graph.url,
        "--graph-url", graph.url, "--ca-bundle", str(graph.ca_pem), *extra,
    )
    return code, err


def _devices(path: Path) -> list[str]:
    return sorted(r.target.name or r.target.host for r in iter_records(path))


ALL = ["PC-KOBE-007", "PC-KOBE-008", "PC-NAGOYA-005", "PC-OSAKA-003", "PC-TOKYO-001", "PC-TOKYO-002", "PC-TOKYO-006"]


def test_pull_follows_every_page_through_throttling(
    graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph.script.before_page[1] = [
        Answer(429, {"error": {"code": "activityLimitReached", "message": "The request has been throttled",
                               "innerError": {"code": "throttledRequest"}}}, {"Retry-After": "1"}),
        Answer(503, {"error": {"code": "serviceNotAvailable", "message": "Service unavailable"}}, {"Retry-After": "1"}),
    ]
    out = tmp_path / "pulled.jsonl"
    code, err = _pull(capsys, graph, out, "--save-pages", str(tmp_path / "pages"))
    assert code == 0, err
    assert _devices(out) == ALL
    calls = graph.graph_calls()
    assert [c.query.get("$skiptoken", ["0"])[0] for c in calls] == ["0", "1", "1", "1", "2"]
    assert calls[0].query["$expand"] == ["managedDevice"]
    assert all(c.headers["authorization"] == "Bearer graph-token-1" for c in calls)
    assert "3 pages (client secret), 2 retries after 2 s" in err
    # the token request asked for the app's Graph permissions; the secret went only there
    token_calls = [r for r in graph.requests if r.path.endswith("/oauth2/v2.0/token")]
    assert token_calls[0].form["scope"] == [f"{graph.url}/.default"]
    assert SECRET not in out.read_text() and SECRET not in err
    # the saved pages read back into the same devices
    again = tmp_path / "again.jsonl"
    code, _, err = run(capsys, "ingest", str(tmp_path / "pages"), "--source", "intune-graph", "--results", str(again))
    assert code == 2  # a folder is not one Graph page: said plainly
    pages = sorted((tmp_path / "pages").glob("*.json"))
    code, _, err = run(capsys, "ingest", *map(str, pages), "--results", str(again))
    assert code == 0, err and _devices(again) == ALL


def test_expired_token_is_replaced_once(graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graph.script.expire_first_token = True
    out = tmp_path / "pulled.jsonl"
    code, err = _pull(capsys, graph, out)
    assert code == 0, err
    assert graph.issued == ["graph-token-1", "graph-token-2"]
    assert [c.headers["authorization"] for c in graph.graph_calls()][:2] == ["Bearer graph-token-1", "Bearer graph-token-2"]
    assert "1 new tokens" in err and _devices(out) == ALL


def test_malformed_page_stops_and_keeps_what_arrived(
    graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph.script.malformed_page = 1
    out = tmp_path / "pulled.jsonl"
    code, err = _pull(capsys, graph, out)
    assert code == 3
    assert "page 2 from Graph is not JSON" in err and "(partial)" in err
    assert _devices(out) == ["PC-OSAKA-003", "PC-TOKYO-001", "PC-TOKYO-002"]


def test_forbidden_names_the_permission(graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    graph.script.forbid = True
    out = tmp_path / "pulled.jsonl"
    code, err = _pull(capsys, graph, out)
    assert code == 3
    assert "DeviceManagementConfiguration.Read.All" in err and "admin consent" in err
    assert "request-id 2f1e0d9c-0000-4000-8000-00000000a403" in err
    assert not out.exists()


def test_wrong_secret_is_a_sign_in_message(
    graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MSDIAG_CLIENT_SECRET", "not-the-secret")
    code, err = _pull(capsys, graph, tmp_path / "pulled.jsonl")
    assert code == 3 and "invalid_client" in err and "AADSTS7000215" in err
    assert "not-the-secret" not in err and not graph.graph_calls()


def test_throttling_past_the_deadline_stops_at_once(
    graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph.script.before_page[0] = [Answer(429, {"error": {"code": "activityLimitReached"}}, {"Retry-After": "315"})]
    code, err = _pull(capsys, graph, tmp_path / "pulled.jsonl", "--timeout", "30")
    assert code == 3 and "Graph answered 429" in err and "deadline" in err


def test_next_link_to_another_host_is_not_followed(
    graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    graph.script.next_link_host = "https://graph.attacker.example"
    out = tmp_path / "pulled.jsonl"
    code, err = _pull(capsys, graph, out)
    assert code == 3 and "not following it" in err
    assert len(graph.graph_calls()) == 1 and _devices(out) == ["PC-OSAKA-003", "PC-TOKYO-001", "PC-TOKYO-002"]


def test_device_code_sign_in(
    graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MSDIAG_CLIENT_SECRET")
    graph.script.expire_first_token = True  # the refresh goes through the account MSAL made
    out = tmp_path / "pulled.jsonl"
    code, err = _pull(capsys, graph, out)
    assert code == 0, err
    assert "enter the code ABCD-EFGH" in err and "device code (delegated)" in err
    token_calls = [r for r in graph.requests if r.path.endswith("/oauth2/v2.0/token")]
    grants = [c.form["grant_type"][0] for c in token_calls]
    assert grants[:2] == ["urn:ietf:params:oauth:grant-type:device_code"] * 2 and grants[-1] == "refresh_token"
    assert _devices(out) == ALL


def test_script_id_and_addresses_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSDIAG_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("MSDIAG_TENANT_ID", TENANT)
    code, _, err = run(capsys, "intune", "pull", "--script-id", "../../users", "--results", str(tmp_path / "x.jsonl"))
    assert code == 2 and "not a remediation's id" in err
    code, _, err = run(capsys, "intune", "pull", "--script-id", SCRIPT_ID, "--graph-url", "http://graph.example")
    assert code == 2 and "must be an https address" in err


@pytest.mark.parametrize("form", ["pem", "pfx"])
def test_client_certificate_from_the_environment(
    form: str, graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    certificate, pem, pfx = make_client_certificate(tmp_path)
    graph.script.client_certificate = certificate
    monkeypatch.delenv("MSDIAG_CLIENT_SECRET")
    monkeypatch.setenv("MSDIAG_CLIENT_CERTIFICATE", str(pem if form == "pem" else pfx))
    if form == "pfx":
        monkeypatch.setenv("MSDIAG_CLIENT_CERTIFICATE_PASSWORD", "pfx-pass")
    out = tmp_path / "pulled.jsonl"
    code, err = _pull(capsys, graph, out)
    assert code == 0, err
    assert "(client certificate)" in err and _devices(out) == ALL
    token_call = next(r for r in graph.requests if r.path.endswith("/oauth2/v2.0/token"))
    assert "client_secret" not in token_call.form and "client_assertion" in token_call.form
    assert "pfx-pass" not in err and "PRIVATE KEY" not in err


def test_ctrl_c_keeps_the_pages_that_arrived(
    graph: GraphStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from msdiag.ingest.readers import graph as graph_reader

    real = graph_reader.page_rows
    seen: list[str] = []

    def interrupted_on_page_2(page, name, start=0):  # type: ignore[no-untyped-def]
        seen.append(name)
        if len(seen) == 2:
            raise KeyboardInterrupt
        return real(page, name, start)

    monkeypatch.setattr(graph_reader, "page_rows", interrupted_on_page_2)
    out = tmp_path / "pulled.jsonl"
    code, err = _pull(capsys, graph, out)
    assert code == 130 and "interrupted" in err
    assert _devices(out) == ["PC-OSAKA-003", "PC-TOKYO-001", "PC-TOKYO-002"]
