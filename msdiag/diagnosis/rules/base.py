"""What a rule is, and the registry every rule adds itself to when its module is imported.

A rule is one function under ``@rule(...)``: the decorator holds its id, severity, titles and
remediation; the function's parameters say which check data it reads. A parameter named after a
check and typed with that check's data model is required: when the check has no data the rule is
not called and reports ``not_collected`` with the reason. Typed ``Model | None`` it is optional:
the rule gets None and decides (``missing("endpoints")`` reports it not collected). ``facts``
(the whole capture) and ``ctx`` (the phone, thresholds) are passed when the function asks for them.

The function returns an ``Outcome`` (``fail``, ``warn``, ``passed``, ``not_applicable``,
``not_collected``, ``missing``); the rule turns it into a ``Finding`` with its id and texts. Rules
never raise for missing data, and a rule that does not apply says ``not_applicable``.
The function's docstring is the rule's documentation (``msdiag rules ID``).
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from msdiag import sanitize
from msdiag.capture.models import CheckStatus, Model
from msdiag.capture.parse import Facts
from msdiag.checks import CHECK_DATA_MODELS
from msdiag.diagnosis.models import Evidence, Finding, Localized, PhoneAnalysis, Severity, Status, Step
from msdiag.diagnosis.steps import as_step, order_problems
from msdiag.i18n import check_reason_ja

#: |server Date - local clock| above this fails (Kerberos and token validation tolerate 5 minutes).
CLOCK_SKEW_LIMIT_SECONDS = 300.0
#: dsregcmd AzureAdPrtUpdateTime older than this suggests PRT refresh trouble (windows-facts.md).
PRT_MAX_AGE_HOURS = 4.0


#: a finding's detail is a sentence, not a dump: untrusted values inside it are bounded
DETAIL_LIMIT = 800
VALUE_LIMIT = 120
_ID = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def L(en: str, ja: str) -> Localized:
    return Localized(en=en, ja=ja)


def clip(value: object, limit: int = VALUE_LIMIT) -> str:
    """An untrusted value for a sentence: cleaned by the one sanitiser, length bounded."""
    return sanitize.clip(value, limit)


def _bounded(text: Localized | None) -> Localized | None:
    if text is None:
        return None
    return Localized(en=clip(text.en, DETAIL_LIMIT), ja=clip(text.ja, DETAIL_LIMIT))


def ev(fact: str, value: Any, en: str | None = None, ja: str | None = None) -> Evidence:
    """Evidence with an optional bilingual note."""
    note = L(en, ja) if en is not None and ja is not None else None
    return Evidence(fact=fact, value=value, note=note)


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know besides the capture: the phone the user is adding, and thresholds."""

    phone: PhoneAnalysis | None = None
    #: ISO country of the phone number (from the phone analysis or --phone-region)
    phone_region: str | None = None
    clock_skew_limit_seconds: float = CLOCK_SKEW_LIMIT_SECONDS
    prt_max_age_hours: float = PRT_MAX_AGE_HOURS


# ---------------------------------------------------------------- what a rule function returns
@dataclass(frozen=True)
class Outcome:
    """A rule function's verdict and what it rests on; the rule adds its id, titles and steps."""

    status: Status
    detail: Localized | None = None
    evidence: tuple[Evidence, ...] = ()
    #: this finding's severity when it differs from the rule's (a milder case of the problem)
    severity: Severity | None = None
    #: not_collected because this declared input has no data (the reason comes from the capture)
    missing_check: str | None = None


def fail(
    detail: Localized, evidence: Iterable[Evidence] = (), *, severity: Severity | None = None
) -> Outcome:
    return Outcome(Status.FAIL, detail, tuple(evidence), severity)


def warn(
    detail: Localized, evidence: Iterable[Evidence] = (), *, severity: Severity | None = None
) -> Outcome:
    return Outcome(Status.WARN, detail, tuple(evidence), severity)


def passed(detail: Localized, evidence: Iterable[Evidence] = ()) -> Outcome:
    return Outcome(Status.PASS, detail, tuple(evidence))


def not_applicable(detail: Localized, evidence: Iterable[Evidence] = ()) -> Outcome:
    return Outcome(Status.NOT_APPLICABLE, detail, tuple(evidence))


def not_collected(reason: str, reason_ja: str) -> Outcome:
    """The data the rule needs is not there; ``reason`` (and ``reason_ja``, the same in Japanese)
    says what is missing, as a phrase."""
    return Outcome(Status.NOT_COLLECTED, _not_checked(reason, reason_ja))


def missing(check: str) -> Outcome:
    """not_collected because the optional input ``check`` has no data (why: from the capture)."""
    return Outcome(Status.NOT_COLLECTED, missing_check=check)


def _not_checked(reason: str, reason_ja: str | None = None) -> Localized:
    return L(f"Not checked: {reason}.", f"確認できませんでした: {reason_ja or reason}")


def _missing_ja(facts: Facts, check: str) -> str | None:
    """Why ``check`` has no data, in Japanese (the collectors' reasons are English)."""
    outcome = facts.capture.checks.get(check)
    if outcome is None or outcome.status is CheckStatus.OK:
        return None
    return check_reason_ja(check, outcome.status.value, outcome.reason)


def missing_reason(facts: Facts, check: str) -> str | None:
    """Why ``check`` has no usable data in this capture, None when it has."""
    reason = facts.reason(check)
    if reason:
        return reason
    if check_data(facts, check) is None:
        return f"the {check} check's data could not be read"
    return None


def check_data(facts: Facts, check: str) -> Model | None:
    """One check's validated data (the one place rules reach into the capture by check name)."""
    return facts.data(check, CHECK_DATA_MODELS[check])


# ---------------------------------------------------------------- the rule
RuleFunc = Callable[..., Outcome]
#: fault: a fail or warn is evidence of a fault on this machine and can confirm a cause;
#: context: it describes the situation (a VPN is connected, the phone's country is not the PC's)
#: and never confirms a cause by itself
EvidenceKind = Literal["fault", "context"]
#: parameter names that are not check data
_CONTEXT_PARAMS = {"facts": Facts, "ctx": RuleContext}


@dataclass(frozen=True)
class Input:
    """One check whose data a rule reads, from its parameter ``check: Model`` (or ``Model | None``)."""

    check: str
    required: bool


@dataclass(frozen=True)
class Rule:
    """A registered rule: its metadata, what it reads, and the function that judges."""

    id: str
    severity: Severity
    #: the problem, shown for fail / warn ("The configured proxy cannot be reached")
    problem: Localized
    #: what was checked, shown for pass / not_collected / not_applicable ("Proxy reachability")
    subject: Localized
    remediation: tuple[Step, ...]
    inputs: tuple[Input, ...]
    func: RuleFunc = field(compare=False, repr=False)
    #: the function's other parameters: "facts", "ctx"
    context: tuple[str, ...] = ()
    evidence: EvidenceKind = "fault"
    #: rule ids whose failure follows from this rule's failure (vpn.dns_failure explains
    #: dns.account_hosts): a cause they alone confirm ranks below one this rule confirms, and this
    #: rule's fix comes first
    explains: tuple[str, ...] = ()

    @cached_property  # read for every finding of every host
    def checks(self) -> tuple[str, ...]:
        """Every check the rule reads, in the order its parameters name them."""
        return tuple(i.check for i in self.inputs)

    @property
    def module(self) -> str:
        """The rule's module within the rules package ("dns" for msdiag.diagnosis.rules.dns)."""
        return self.func.__module__.rpartition(".")[2]

    @property
    def doc(self) -> str:
        """The rule's documentation: its function's docstring."""
        return inspect.getdoc(self.func) or ""

    def __call__(self, facts: Facts, ctx: RuleContext) -> Finding:
        """Judge one capture: not_collected when a required input has no data, else the function's verdict."""
        kwargs: dict[str, Any] = {}
        for item in self.inputs:
            data = check_data(facts, item.check)
            if data is None and item.required:
                why = missing_reason(facts, item.check) or f"no {item.check} data"
                return self.not_collected(why, _missing_ja(facts, item.check))
            kwargs[item.check] = data
        given = {"facts": facts, "ctx": ctx}
        kwargs.update((name, given[name]) for name in self.context)
        outcome = self.func(**kwargs)
        if outcome.missing_check is not None:
            if outcome.missing_check not in self.checks:
                raise ValueError(
                    f"{self.id} reported {outcome.missing_check!r} missing, which it does not read"
                )
            reason = missing_reason(facts, outcome.missing_check)
            return self.not_collected(
                reason or f"no {outcome.missing_check} data", _missing_ja(facts, outcome.missing_check)
            )
        return self.finding(outcome)

    def finding(self, outcome: Outcome) -> Finding:
        problem = outcome.status in (Status.FAIL, Status.WARN)
        return Finding(
            id=self.id,
            status=outcome.status,
            severity=(outcome.severity or self.severity) if problem else Severity.INFO,
            title=self.problem if problem else self.subject,
            detail=_bounded(outcome.detail),
            evidence=list(outcome.evidence),
            remediation=list(self.remediation) if problem else [],
            # the engine fills related_codes from the knowledge base, the one place links live
            related_codes=[],
            checks=list(self.checks),
        )

    def not_collected(self, reason: str, reason_ja: str | None = None) -> Finding:
        return self.finding(Outcome(Status.NOT_COLLECTED, _not_checked(reason, reason_ja)))


def _inputs(func: RuleFunc) -> tuple[tuple[Input, ...], tuple[str, ...]]:
    """Read a rule function's signature: the checks it reads and the context it wants."""
    where = f"{func.__module__}.{func.__qualname__}"
    hints = typing.get_type_hints(func)
    if hints.get("return") is not Outcome:
        raise TypeError(f"rule {where} must be annotated to return Outcome")
    inputs: list[Input] = []
    context: list[str] = []
    for name, param in inspect.signature(func).parameters.items():
        if param.kind not in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY):
            raise TypeError(f"rule {where}: parameter {name!r} must be a plain named parameter")
        hint = hints.get(name)
        if name in _CONTEXT_PARAMS:
            if hint is not _CONTEXT_PARAMS[name]:
                raise TypeError(f"rule {where}: {name!r} must be typed {_CONTEXT_PARAMS[name].__name__}")
            context.append(name)
            continue
        model = CHECK_DATA_MODELS.get(name)
        if model is None:
            raise TypeError(
                f"rule {where}: parameter {name!r} is neither a check ({', '.join(CHECK_DATA_MODELS)}) "
                "nor facts/ctx"
            )
        if hint is model:
            inputs.append(Input(name, required=True))
        elif _is_optional_of(hint, model):
            inputs.append(Input(name, required=False))
        else:
            raise TypeError(
                f"rule {where}: {name!r} must be typed {model.__name__} or {model.__name__} | None"
            )
    if not inputs:
        raise TypeError(f"rule {where} reads no check: name a parameter after the check it reads")
    return tuple(inputs), tuple(context)


def _is_optional_of(hint: object, model: type[Model]) -> bool:
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return False
    return set(typing.get_args(hint)) == {model, type(None)}


# ---------------------------------------------------------------- the registry
class RuleRegistry(Mapping[str, Rule]):
    """Rules by id, iterated in id order (stable whatever the import order; reports sort anyway)."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def __getitem__(self, rule_id: str) -> Rule:
        return self._rules[rule_id]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._rules))

    def __len__(self) -> int:
        return len(self._rules)

    def add(self, new: Rule) -> Rule:
        if not _ID.fullmatch(new.id):
            raise ValueError(f"rule id {new.id!r} is not <module>.<name> in lower case")
        if new.id in self._rules:
            raise ValueError(f"rule id {new.id!r} is defined twice")
        problems = order_problems(new.remediation)
        if problems:
            raise ValueError(f"rule {new.id}'s remediation: {'; '.join(problems)}")
        self._rules[new.id] = new
        return new

    def rule(
        self,
        id: str,
        *,
        severity: Severity,
        problem: Localized,
        subject: Localized,
        remediation: Sequence[Localized] = (),
        evidence: EvidenceKind = "fault",
        explains: Sequence[str] = (),
    ) -> Callable[[RuleFunc], Rule]:
        """Decorator: make the function a rule and register it (see the module docstring).

        ``remediation``: steps (msdiag.diagnosis.steps: advice / record / change; a plain text is
        advice), a record step before any change. ``evidence`` and ``explains``: how the rule's
        verdict weighs in ranking causes (see Rule)."""

        def register(func: RuleFunc) -> Rule:
            inputs, context = _inputs(func)
            steps = tuple(as_step(s) for s in remediation)
            return self.add(
                Rule(id, severity, problem, subject, steps, inputs, func, context, evidence, tuple(explains))
            )

        return register


#: every machine rule; filled as the rule modules are imported (msdiag.diagnosis.rules imports them all)
REGISTRY = RuleRegistry()
rule = REGISTRY.rule
