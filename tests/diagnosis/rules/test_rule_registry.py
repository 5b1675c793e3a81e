"""The rule registry: rules register themselves, ids name their module, inputs come from the signature."""

from __future__ import annotations

import pkgutil
import re
import sys
from pathlib import Path

import pytest
from support.rule_captures import HEALTHY, capture, run

import msdiag.diagnosis
import msdiag.diagnosis.rules
from msdiag.capture.models import EndpointsData, NetworkData
from msdiag.capture.parse import Facts
from msdiag.diagnosis.engine import run_rule
from msdiag.diagnosis.models import Severity, Status
from msdiag.diagnosis.rules import RULES, RuleContext
from msdiag.diagnosis.rules.base import L, Outcome, RuleRegistry, missing, passed

#: modules of the rules package that hold shared helpers, not rules
HELPERS = {"base", "probes"}
TITLE = L("Something", "何か")


def _rule_modules() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(msdiag.diagnosis.rules.__path__)} - HELPERS


def test_every_rule_module_is_loaded_without_a_list() -> None:
    # a new module under msdiag/diagnosis/rules/ is imported by the package and its rules registered
    assert {rule.module for rule in RULES.values()} == _rule_modules()


def test_rule_ids_start_with_their_module_name() -> None:
    wrong = {rule.id: rule.module for rule in RULES.values() if rule.id.split(".")[0] != rule.module}
    assert wrong == {}, f"rename these rules to <module>.<name>: {wrong}"


def test_no_module_shadows_the_standard_library() -> None:
    # `import time` inside a rules module must never find the rule module instead
    root = Path(msdiag.diagnosis.__file__).parent
    names = {p.stem for p in root.rglob("*.py")} | {p.name for p in root.iterdir() if p.is_dir()}
    assert names & sys.stdlib_module_names == set()


def test_rules_iterate_in_id_order() -> None:
    assert list(RULES) == sorted(RULES)
    assert [rule.id for rule in RULES.values()] == sorted(RULES)


def test_every_rule_documents_what_it_detects_reads_and_why() -> None:
    for rule in RULES.values():
        summary, _, body = rule.doc.partition("\n\n")
        assert summary.endswith(".") and "\n" not in summary, f"{rule.id}: one-sentence summary line"
        assert "Reads " in body or "Compares " in body or "Maps " in body, f"{rule.id}: say what it reads"
        assert "Why it matters:" in body, f"{rule.id}: say why it matters"
        assert rule.problem.en and rule.problem.ja and rule.subject.en and rule.subject.ja


def test_every_rule_is_not_collected_when_nothing_ran() -> None:
    nothing = {name: None for name in HEALTHY} | {"endpoints": None}
    cap = capture(**nothing)
    for rule_id in RULES:
        f = run(rule_id, cap)
        assert f.status in (Status.NOT_COLLECTED, Status.NOT_APPLICABLE), (rule_id, f.status)


def test_findings_say_which_checks_their_rule_read() -> None:
    f = run("hosts_file.override", capture())
    assert f.checks == ["network", "endpoints"]
    assert f.related_codes == []  # the engine adds them from the knowledge base


# ---------------------------------------------------------------- the decorator, on a registry of its own
def test_inputs_come_from_the_parameters() -> None:
    registry = RuleRegistry()
    called: list[bool] = []

    @registry.rule("demo.reads_two", severity=Severity.HIGH, problem=TITLE, subject=TITLE)
    def reads_two(network: NetworkData, endpoints: EndpointsData | None, ctx: RuleContext) -> Outcome:
        """Demo."""
        called.append(True)
        if endpoints is None:
            return missing("endpoints")
        return passed(L(f"{len(network.adapters)} adapters", "x"))

    assert reads_two.checks == ("network", "endpoints")
    assert [i.required for i in reads_two.inputs] == [True, False]
    assert reads_two.context == ("ctx",)
    assert registry["demo.reads_two"] is reads_two

    assert reads_two(Facts(capture()), RuleContext()).status is Status.PASS
    # the optional input missing: the function decides, and the reason comes from the capture
    f = reads_two(Facts(capture(endpoints=None)), RuleContext())
    assert f.status is Status.NOT_COLLECTED
    assert f.detail is not None and "endpoints check not run" in f.detail.en
    # the required input missing: the function is not called at all
    called.clear()
    f = reads_two(Facts(capture(network=None)), RuleContext())
    assert f.status is Status.NOT_COLLECTED and not called
    assert f.detail is not None and "network check not run" in f.detail.en


def test_a_parameter_that_is_not_a_check_is_refused_at_definition() -> None:
    registry = RuleRegistry()
    with pytest.raises(TypeError, match="'netwrk' is neither a check"):

        @registry.rule("demo.typo", severity=Severity.LOW, problem=TITLE, subject=TITLE)
        def typo(netwrk: NetworkData) -> Outcome:
            return passed(TITLE)


def test_a_parameter_typed_with_another_model_is_refused() -> None:
    registry = RuleRegistry()
    with pytest.raises(TypeError, match="'network' must be typed NetworkData"):

        @registry.rule("demo.wrong_model", severity=Severity.LOW, problem=TITLE, subject=TITLE)
        def wrong_model(network: EndpointsData) -> Outcome:
            return passed(TITLE)


def test_duplicate_and_malformed_ids_are_refused() -> None:
    registry = RuleRegistry()

    def judge(network: NetworkData) -> Outcome:
        return passed(TITLE)

    registry.rule("demo.once", severity=Severity.LOW, problem=TITLE, subject=TITLE)(judge)
    with pytest.raises(ValueError, match="defined twice"):
        registry.rule("demo.once", severity=Severity.LOW, problem=TITLE, subject=TITLE)(judge)
    with pytest.raises(ValueError, match=r"<module>\.<name>"):
        registry.rule("Demo Rule", severity=Severity.LOW, problem=TITLE, subject=TITLE)(judge)


def test_a_rule_that_raises_is_not_collected_never_a_crash() -> None:
    registry = RuleRegistry()

    @registry.rule("demo.buggy", severity=Severity.LOW, problem=TITLE, subject=TITLE)
    def buggy(network: NetworkData) -> Outcome:
        return passed(L(str(network.adapters[99]), "x"))

    f = run_rule(buggy, Facts(capture()), RuleContext())
    assert f.status is Status.NOT_COLLECTED
    assert f.detail is not None and "IndexError" in f.detail.en


def test_explains_names_registered_rules_and_never_the_rule_itself() -> None:
    for rule in RULES.values():
        unknown = set(rule.explains) - set(RULES)
        assert unknown == set() and rule.id not in rule.explains, (rule.id, unknown)


def test_context_rules_are_the_situation_not_faults() -> None:
    # these describe where the user is, not what is broken: they never confirm a cause alone
    context = {rule.id for rule in RULES.values() if rule.evidence == "context"}
    assert context == {"vpn.active", "region.settings_disagree", "region.phone_country_mismatch"}


def test_a_rule_that_could_not_check_says_why_in_japanese_too() -> None:
    # every capture where rules have something missing: their Japanese detail is not the English one
    from support.rule_captures import capture as build

    from msdiag.diagnosis.engine import diagnose

    seen = 0
    no_probes = {"timeout_ms": 3000, "probes": [], "pac": None}
    for cap in (build(endpoints=None), build(time=None), build(endpoints=no_probes), build(identity=None)):
        for finding in diagnose(cap).findings:
            if finding.status is Status.NOT_COLLECTED and finding.detail is not None:
                seen += 1
                assert "確認できませんでした" in finding.detail.ja, finding.id
                # no English sentence left inside the Japanese (three lower-case words in a row)
                assert not re.search(r"\b[a-z]+ [a-z]+ [a-z]+\b", finding.detail.ja), finding.detail.ja
    assert seen > 8
