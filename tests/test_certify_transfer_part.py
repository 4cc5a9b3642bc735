"""The certification kit's transfer check (AG-020, kit 0.4.3) on the transfer of a frozen PART of equity or securities:
court 1 freezes part of the holding (a third, or the fixtures' ``part_cents``), court 2 the rest, court 3 queues
(轮候); court 1 transfers its part. zhixing's reading (profile 0.5.0 section 4; mock_agencies/ledger.py "Transfer of a
frozen part"; unconfirmed): the part alone leaves — the holding stays the debtor's with the remainder, the 轮候 freeze
keeps waiting on it — and a second transfer under the same freeze is refused. The reference mock passes; three mutants
of its ledger, made here and only here (a vendor's registry that (a) transfers the whole holding on a part freeze,
(b) ends the 轮候 freeze on a part transfer, (c) takes a second transfer under the same freeze), are each caught by a
finding saying what was seen against what was expected — ``differs`` (与 zhixing 的解读不同（未经确认）), not
``fail``: the rule is our reading. The command then exits 4 and says so; results.json, junit.xml and report.html carry
the status. Before (kit 0.4.2): the kit froze the whole holding only, and each mutant passed AG-020."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from certify.findings import CheckContext, Finding, verdict
from certify.fixtures import load_fixtures
from certify.runner import run_agency
from core_flow.errors import UserError
from core_flow.protocol import FreezeState, Measure
from mock_agencies import backend as mock_backend
from mock_agencies.ledger import Ledger, TransferOutcome
from tests.test_certify_agency import _server
from tests.test_certify_transfer import _fixtures, _row
from tests.test_certify_transfer_equity import HOLDINGS, _at
from zhixing.cli import main

VALUE = 30_000_000  # the holding's value in the fixtures (_at): a third is 10,000,000


# ── mutants of the mock's ledger (tests only): a vendor's registry reading the part transfer otherwise ──────────────
def _whole_on_part(original: Callable[..., TransferOutcome]) -> Callable[..., TransferOutcome]:
    """(a) A transfer under a freeze of part moves the whole holding (and ends every measure on it)."""
    def transfer(self: Ledger, **kw: Any) -> TransferOutcome:
        f = self._freezes.get(kw["freeze_id"])
        if f is not None and f.measure == Measure.FREEZE and f.state == FreezeState.ACTIVE:
            f.controlled_cents = f.account.balance_cents  # the freeze read as the whole holding's
        return original(self, **kw)
    return transfer


def _ends_queued(original: Callable[..., TransferOutcome]) -> Callable[..., TransferOutcome]:
    """(b) A part transfer ends the 轮候 freezes on the holding, as a whole one does."""
    def transfer(self: Ledger, **kw: Any) -> TransferOutcome:
        out = original(self, **kw)
        if out.remainder_cents:
            for g in self._freezes[out.freeze_id].account.freezes:
                if g.state == FreezeState.QUEUED:
                    g.state = FreezeState.TRANSFERRED
        return out
    return transfer


def _second_part(original: Callable[..., TransferOutcome]) -> Callable[..., TransferOutcome]:
    """(c) A second transfer under a freeze whose part was transferred moves another part of the remainder."""
    def transfer(self: Ledger, **kw: Any) -> TransferOutcome:
        f = self._freezes.get(kw["freeze_id"])
        if f is None or f.state != FreezeState.TRANSFERRED or f.measure != Measure.FREEZE:
            return original(self, **kw)
        done = self._done.get((kw["agency"], kw["request_no"]))
        if done is not None:
            return done[1]  # type: ignore[return-value]
        acc = f.account
        part = min(f.requested_cents, acc.balance_cents)
        acc.balance_cents -= part
        acc.transferred_cents += part
        out = TransferOutcome(kw["request_no"], f.freeze_id, acc.account_no, kw["new_owner"], f.state, (), kw["now"],
                              part, acc.balance_cents)
        self._done[(kw["agency"], kw["request_no"])] = ("transfer", out)
        return out
    return transfer


def _lenient(original: Callable[..., None]) -> Callable[..., None]:
    """(c) at submission: a freeze whose part was transferred is not refused (the holding is still the debtor's)."""
    def check(freeze_id: str, account_no: str, kind: Any, state: FreezeState, transferred: Any) -> None:
        if state == FreezeState.TRANSFERRED and transferred is None:
            return
        original(freeze_id, account_no, kind, state, transferred)
    return check


MUTANTS = {"whole_on_part": _whole_on_part, "ends_queued": _ends_queued, "second_part": _second_part}


def _mutate(monkeypatch: pytest.MonkeyPatch, mutant: str) -> None:
    monkeypatch.setattr(Ledger, "transfer", MUTANTS[mutant](Ledger.transfer))
    if mutant == "second_part":
        monkeypatch.setattr(mock_backend, "check_transfer", _lenient(mock_backend.check_transfer))


def _findings(out: Path) -> list[dict[str, Any]]:
    return _row(out, "AG-020")["findings"]


# ── the reference mock passes ───────────────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("agency", list(HOLDINGS))
def test_the_mock_transfers_a_frozen_part_only_and_passes(agency: str, tmp_path: Path) -> None:
    path = _fixtures(tmp_path, _at(agency))
    with _server() as server:
        result = run_agency(server.url, path, tmp_path / "ev", only=("transfer",))
    row = _row(tmp_path / "ev", "AG-020")
    assert (result.failed, result.differs, row["status"]) == ([], [], "pass"), row
    said = [f["zh"] for f in row["findings"]]
    assert all(f["status"] == "pass" for f in row["findings"]) and len(said) == 14, said
    assert any("第一家法院冻结 10000000 分，已控 10000000 分" in s and "第二家冻结其余 20000000 分" in s for s in said)
    assert any("第三家法院轮候冻结：状态 queued" in s for s in said)
    assert any(s.startswith("据部分冻结（10000000 分）过户") and "transferred" in s for s in said)
    assert any("部分过户后查询：被执行人名下仍有" in s and "价值 20000000 分" in s for s in said)
    assert any(s.startswith("据同一部分冻结再次过户") for s in said)
    assert any("轮候冻结在部分过户后：查询中状态 queued" in s and "状态 released" in s for s in said)
    assert sum("按 zhixing 的解读，未经确认" in s for s in said) == 4  # the four findings of the unconfirmed rule
    # then the remainder (20,000,000) is frozen whole and transferred as before
    assert any("过户后查询：被执行人名下不再有" in s for s in said) and any("轮候冻结随过户失效" in s for s in said)
    exchanges = json.dumps([f["exchanges"] for f in row["findings"]], ensure_ascii=False)
    assert '"amount_cents": 10000000' in exchanges and '"amount_cents": 20000000' in exchanges
    account = HOLDINGS[agency][0]
    assert account not in (tmp_path / "ev" / "results.json").read_text(encoding="utf-8")  # masked like an account
    assert "GQ4108********0001" in said[0] or "ZQ41**********0001" in said[0]


def test_the_fixtures_part_is_the_part_frozen_and_transferred(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        _at("equity_registry")(data)
        data["transfer"]["part_cents"] = 12_000_000
    path = _fixtures(tmp_path, change)
    with _server() as server:
        result = run_agency(server.url, path, tmp_path / "ev", only=("transfer",))
    said = [f["zh"] for f in _findings(tmp_path / "ev")]
    assert result.failed == [] and result.differs == [], said
    assert any("第一家法院冻结 12000000 分" in s and "第二家冻结其余 18000000 分" in s for s in said)
    assert any("价值 18000000 分" in s for s in said)


def test_with_two_courts_the_part_is_skipped_saying_why_and_the_whole_is_checked(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        _at("csdc")(data)
        data["courts"] = data["courts"][:2]
    path = _fixtures(tmp_path, change)
    with _server() as server:
        result = run_agency(server.url, path, tmp_path / "ev", only=("transfer",))
    findings = _findings(tmp_path / "ev")
    assert result.failed == [] and result.differs == []
    (skipped,) = [f for f in findings if f["status"] == "skipped"]
    assert "需要三家法院" in skipped["zh"] and "needs three courts" in skipped["en"]
    assert sum(f["status"] == "pass" for f in findings) == 8  # the whole holding's findings, as in kit 0.4.2


FLAT = {"account_no": "BDC4108112026000001", "kind": "real_estate", "balance_cents": VALUE}


@pytest.mark.parametrize(("agency", "holding", "part", "said"), [
    ("equity_registry", None, VALUE, "must be less than"),  # not less than the value (said "is less than")
    ("real_estate_registry", FLAT, 1, "only equity or securities"),  # a flat's seal takes the whole: no part
])
def test_a_part_is_less_than_the_value_and_of_equity_or_securities(agency: str, holding: dict[str, Any] | None,
                                                                    part: int, said: str, tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        _at("equity_registry")(data)
        data["transfer"].update(agency=agency, part_cents=part)
        if holding is not None:
            data["transfer"]["debtor"]["holdings"] = [holding]
    with pytest.raises(UserError) as err:
        load_fixtures(_fixtures(tmp_path, change))
    assert "transfer.part_cents" in str(err.value.where) and said in err.value.en


# ── the mutants are caught, each by a finding that differs (not a failure) ────────────────────────────────────────
def _run_mutant(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mutant: str, agency: str) -> list[dict[str, Any]]:
    """The transfer check against the mock with ``mutant`` at ``agency``: AG-020 differs and nothing fails; the
    findings."""
    _mutate(monkeypatch, mutant)
    path = _fixtures(tmp_path, _at(agency))
    with _server() as server:
        result = run_agency(server.url, path, tmp_path / "ev", only=("transfer",))
    findings = _findings(tmp_path / "ev")
    assert (result.failed, result.differs) == ([], ["AG-020"]), findings
    return findings


def test_a_registry_transferring_the_whole_holding_on_a_part_freeze_differs(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _run_mutant(monkeypatch, tmp_path, "whole_on_part", "equity_registry")
    differs = [f["en"] for f in findings if f["status"] == "differs"]
    assert len(differs) == 2, differs
    assert differs[0].startswith("differs from zhixing's unconfirmed reading: a query after the part's transfer")
    assert "is no longer listed under the debtor" in differs[0]
    assert "expected listed, its value the remainder, 20000000 cents" in differs[0]
    assert "the 轮候 freeze after the part's transfer" in differs[1] and "ok=False" in differs[1]
    assert "expected still waiting on the remainder" in differs[1]
    (skipped,) = [f for f in findings if f["status"] == "skipped"]  # nothing left for the whole holding's transfer
    assert "整项过户未检查" in skipped["zh"] and "no longer the debtor's" in skipped["en"]


def test_a_registry_ending_the_queued_freeze_on_a_part_transfer_differs(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _run_mutant(monkeypatch, tmp_path, "ends_queued", "csdc")
    (differs,) = [f for f in findings if f["status"] == "differs"]
    assert differs["zh"].startswith("与 zhixing 的解读不同（未经确认）：轮候冻结在部分过户后：查询中状态 无")
    assert "ok=False" in differs["zh"] and "应仍在余额上轮候" in differs["zh"]
    assert "state in the query missing" in differs["en"]  # the query no longer lists it (ended with the part)
    assert sum(f["status"] == "pass" for f in findings) == 13  # everything else as expected, the whole too


def test_a_registry_taking_a_second_transfer_under_the_same_freeze_differs(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    findings = _run_mutant(monkeypatch, tmp_path, "second_part", "equity_registry")
    (differs,) = [f for f in findings if f["status"] == "differs"]
    assert differs["en"] == ("differs from zhixing's unconfirmed reading: a second transfer under the same freeze of "
                             "a part: HTTP 202, answer ok=True (expected refused)")
    assert differs["zh"].startswith("与 zhixing 的解读不同（未经确认）：据同一部分冻结再次过户：HTTP 202，答复 ok=True")


def test_a_difference_is_exit_4_said_on_stderr_and_in_every_evidence_file(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    _mutate(monkeypatch, "ends_queued")
    path, out = _fixtures(tmp_path, _at("equity_registry")), tmp_path / "ev"
    with _server() as server:
        code = main(["certify", "agency", "--base-url", server.url, "--fixtures", str(path), "--only", "transfer",
                     "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 4, captured
    assert "AG-020  与解读不同 DIFFERS" in captured.out and "└ 与 zhixing 的解读不同（未经确认）" in captured.out
    assert "，与解读不同 1，" in captured.out and ", differs 1, " in captured.out
    assert "AG-020 与 zhixing 对法律的解读不同" in captured.err and "exit code 4" in captured.err
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["summary"]["differs"] == 1 and results["summary"]["fail"] == 0
    junit = (out / "junit.xml").read_text(encoding="utf-8")
    assert 'failures="0"' in junit and "differs from zhixing&apos;s unconfirmed reading" in junit.replace("'", "&apos;")
    assert "与解读不同 / differs" in (out / "report.html").read_text(encoding="utf-8")
    assert main(["certify", "verify", str(out)]) == 0


def test_a_failure_outweighs_a_difference_and_a_difference_a_pass() -> None:
    ctx = CheckContext("transfer", ("AG-020",))
    ctx.expect("AG-020", True, "好", "ok")
    assert ctx.differs("AG-020", False, "见", "seen") is False
    assert verdict(ctx.findings) == "differs"
    assert ctx.findings[-1].zh == "与 zhixing 的解读不同（未经确认）：见"
    assert verdict([*ctx.findings, Finding("AG-020", "transfer", "fail", "坏", "bad")]) == "fail"


_CODES = ("0 通过", "1 有要求未通过", "2 用法", "3 无一通过")


@pytest.mark.parametrize("command, codes", [("agency", (*_CODES, "4 无未通过")), ("court", _CODES)])
def test_the_help_gives_every_exit_code_the_run_ends_with(command: str, codes: tuple[str, ...],
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A vendor's CI reads the exit code: 3 (nothing passed) and 4 (differs) were only in certify/README.md."""
    monkeypatch.setenv("COLUMNS", "200")
    main(["certify", command, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    said = out[out.index("退出码 / exit codes"):]
    assert [n for n in codes if n not in said] == [] and "nothing passed" in said
    assert ("differ from zhixing's unconfirmed reading" in said) == (command == "agency")
