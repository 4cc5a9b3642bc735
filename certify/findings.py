"""What a check finds: per requirement, pass / fail / differs / skipped / not applicable, with the exchanges proving
it. ``differs`` (kit 0.4.3) is a finding against a rule the profile states on zhixing's own reading, unconfirmed
(not in LAW.md as confirmed; e.g. the transfer of a frozen part of equity, AG-020): the system answered otherwise,
which is neither a pass nor proof of a defect — the run says so and exits 4 (certify/README.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["pass", "fail", "differs", "skipped", "not_applicable"]
STATUS_TEXT: dict[str, tuple[str, str]] = {
    "pass": ("通过", "pass"),
    "fail": ("未通过", "fail"),
    "differs": ("与解读不同", "differs"),
    "skipped": ("跳过", "skipped"),
    "not_applicable": ("不适用", "not applicable"),
}


def shown(value: Any, en: bool = False, *, quoted: bool = False) -> str:
    """A value the system under test answered (or did not), as a finding's text says it: ``无`` / ``missing`` for
    none — never Python's ``None`` —, else the value (``quoted``: as its repr, so ``''`` and ``[]`` show)."""
    if value is None:
        return "missing" if en else "无"
    return repr(value) if quoted else str(value)


def cents(value: Any, en: bool = False) -> str:
    """An amount of the protocol (integer 分, as on the wire and in the court side's findings): ``1212345 分`` /
    ``1212345 cents``; ``无`` / ``missing`` for none; anything else (a system's garbage) as it came."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value} cents" if en else f"{value} 分"
    return shown(value, en, quoted=value is not None)


def listed(values: list[Any], en: bool = False) -> str:
    """Several answered values, each :func:`shown`."""
    return (", " if en else "、").join(shown(v, en) for v in values) or shown(None, en)


@dataclass
class Finding:
    requirement: str
    check: str
    status: Status
    zh: str
    en: str
    exchanges: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "check": self.check, "status": self.status, "zh": self.zh,
                "en": self.en, "exchanges": self.exchanges}


class CheckContext:
    """Collects one check's findings; every finding names a requirement the check declared."""

    def __init__(self, name: str, requirements: tuple[str, ...]) -> None:
        self.name = name
        self.requirements = requirements
        self.findings: list[Finding] = []

    def _add(self, req: str, status: Status, zh: str, en: str) -> None:
        if req not in self.requirements:
            raise AssertionError(f"check {self.name} did not declare {req}")
        self.findings.append(Finding(req, self.name, status, zh, en))

    def expect(self, req: str, ok: bool, zh: str, en: str) -> bool:
        self._add(req, "pass" if ok else "fail", zh, en)
        return ok

    def differs(self, req: str, ok: bool, zh: str, en: str) -> bool:
        """A rule of zhixing's unconfirmed reading: what was seen against what that reading expects. Not as expected
        is ``differs`` (not ``fail``), the text saying so first: the reading may be the one that is wrong."""
        if ok:
            self._add(req, "pass", f"{zh}（按 zhixing 的解读，未经确认）", f"{en} (zhixing's unconfirmed reading)")
        else:
            self._add(req, "differs", f"与 zhixing 的解读不同（未经确认）：{zh}",
                      f"differs from zhixing's unconfirmed reading: {en}")
        return ok

    def skip(self, req: str, zh: str, en: str) -> None:
        self._add(req, "skipped", zh, en)

    def not_applicable(self, req: str, zh: str, en: str) -> None:
        self._add(req, "not_applicable", zh, en)


def verdict(findings: list[Finding]) -> Status:
    """One requirement's status from its findings: a failure fails it; else a difference from an unconfirmed reading
    makes it ``differs`` (whatever passed beside it); else a pass passes it; else skipped, else not applicable."""
    statuses = {f.status for f in findings}
    for status in ("fail", "differs", "pass", "skipped"):
        if status in statuses:
            return status  # type: ignore[return-value]
    return "not_applicable"
