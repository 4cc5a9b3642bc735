"""CT-009 / CT-010 and the 过户 (kit 0.6.3): a seal the registry took a transfer (15) under ends with it — the
property is the buyer's, the registry answers ``freeze_state: transferred`` (mock_agencies/operation_doc.py,
AGENCIES.md: the registries take 15) — and so does every other seal of the court on that property (轮候). Nothing is
left to renew (CT-009) nor to release at 执行完毕 (CT-010).

Old grader (kit 0.6.2): CT-015 alone read the transfer. zhixing's own court, selling a flat, having it transferred and
closing the case 执行完毕 (scenarios/suite/disposal/flat_end_to_end.scenario.yaml) — rightly sending no 14 for the seal
that no longer exists — failed CT-010 "was never released"; a seal whose term ended after its transfer failed CT-009
"not renewed"; and a freeze released before 执行完毕 (the court let it go mid-case) failed CT-010 "never released" too.
A release or a renewal sent after the transfer is no defect (the registry refuses it, nothing changes; a renewal after
执行完毕 still fails, as CT-009 says). Virtual time; the live one on uvicorn on loopback."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from certify.court_drive import drive_cases
from certify.court_lifecycle import grade_freeze_life
from certify.court_server import FaultSchedule, create_court_lab
from certify.court_suite import grade_court, grade_measures
from mock_agencies.settings import Settings
from scenarios.target import system_under_test
from tests.test_agencies_live import LiveServer, free_port
from tests.test_certify_court import _grade

ROOT = Path(__file__).resolve().parents[1]
FLAT_END_TO_END = ROOT / "scenarios" / "suite" / "disposal" / "flat_end_to_end.scenario.yaml"
REG, FLAT = "real_estate_registry", "BDC4108112025000007"
T0 = datetime.fromisoformat("2025-03-05T10:00:00+08:00")
TERM_END = T0 + timedelta(days=3 * 365 + 1)  # a real-estate seal: 3 years


def _sub(no: str, measure: str, at: datetime, status: int = 202, case: str = "C", agency: str = REG,
         **extra: object) -> dict[str, Any]:
    return {"namespace": "n", "agency": agency, "at": at.isoformat(), "method": "POST", "status": status,
            "path": f"/agencies/{agency}/requests", "response": {"ticket_id": f"T-{no}"} if status == 202 else None,
            "request": {"request_no": no, "court_code": "R410811", "case_no": case, "measure": measure, **extra}}


def _answer(no: str, at: datetime, agency: str = REG, **feedback: object) -> dict[str, Any]:
    return {"namespace": "n", "method": "GET", "path": f"/agencies/{agency}/requests/T-{no}", "at": at.isoformat(),
            "query": "", "response": {"feedback": {"request_no": no, "ok": True, **feedback}}}


SEAL = _sub("H-1", "11", T0, account_no=FLAT)
SEALED = _answer("H-1", T0 + timedelta(hours=1), measure="11", freeze_id="SZ1", freeze_state="active",
                 amount_controlled_cents=50_000_000, expires_at=TERM_END.isoformat())


def _transfer(at: datetime, status: int = 202, no: str = "T-1") -> dict[str, Any]:
    return _sub(no, "15", at, status, account_no=FLAT, freeze_id="SZ1", new_owner="买受人甲")


def _life(records: list[dict[str, Any]], horizon: datetime, completed: dict[str, datetime] | None = None
          ) -> dict[str, tuple[str, list[str]]]:
    """CT-009 and CT-010 on ``records`` (the seal and its answer first): the verdict (a fail wins) and what was said."""
    records = [SEAL, SEALED, *records]
    submits = [r for r in records if r["method"] == "POST"]
    facts = {case: {"completed": at.isoformat()} for case, at in (completed or {}).items()}
    found = grade_freeze_life(submits, records, {"n": horizon.isoformat()}, facts)
    out = {}
    for req in ("CT-009", "CT-010"):
        mine = [f for f in found if f.requirement == req]
        status = "fail" if any(f.status == "fail" for f in mine) else mine[0].status
        out[req] = (status, [f.en for f in mine])
    return out


def test_a_seal_transferred_before_execution_completed_needs_no_release() -> None:
    """The flat sold, transferred (15, answered ``transferred``), the case completed a week later with no release sent:
    CT-010 is not failed — nothing stood at 执行完毕 (skipped, saying so). A 14 sent after the transfer anyway (the
    registry answers it ended) is no defect. Old grader: CT-010 failed, "freeze SZ1 was never released"."""
    sold = T0 + timedelta(days=200)
    done = sold + timedelta(days=7)
    transfer = _transfer(sold)
    transferred = _answer("T-1", sold + timedelta(hours=2), measure="15", freeze_id="SZ1", freeze_state="transferred")
    life = _life([transfer, transferred], done + timedelta(days=3), {"C": done})
    assert life["CT-010"] == ("skipped", ["no freeze or seal stood at 执行完毕 (released, deducted in full, "
                                          "transferred or past its term)"])
    assert life["CT-009"][0] == "skipped"
    # never polled (the court heard it by callback): the transfer the registry took ended the seal all the same
    assert _life([transfer], done + timedelta(days=3), {"C": done})["CT-010"][0] == "skipped"
    # a release sent after the transfer, at 执行完毕: harmless, no finding either way
    release = _sub("U-1", "14", done + timedelta(hours=1), freeze_id="SZ1")
    refused = _answer("U-1", done + timedelta(hours=2), ok=False, measure="14", code="2001",
                      message="冻结 SZ1 状态为 transferred，不能解除 / cannot release freeze SZ1 in state transferred")
    assert _life([transfer, transferred, release, refused], done + timedelta(days=3), {"C": done})["CT-010"][0] \
        == "skipped"


def test_a_transfer_that_ended_nothing_leaves_the_seal_to_release() -> None:
    """A 15 the registry refused (4xx), one answered as failed, or one answered with the seal still standing (a
    registry that kept it: zhixing's court then releases it, 14) ended nothing: at 执行完毕 the seal must be released —
    without a 14 CT-010 fails, with one it passes."""
    sold = T0 + timedelta(days=200)
    done = sold + timedelta(days=7)
    horizon = done + timedelta(days=3)
    failed = _answer("T-1", sold + timedelta(hours=2), ok=False, measure="15", code="2001")
    kept = _answer("T-1", sold + timedelta(hours=2), measure="15", freeze_id="SZ1", freeze_state="active")
    release = _sub("U-1", "14", done + timedelta(hours=1), freeze_id="SZ1")
    for ended_nothing in ([_transfer(sold, 409)], [_transfer(sold), failed], [_transfer(sold), kept]):
        assert _life(ended_nothing, horizon, {"C": done})["CT-010"] == (
            "fail", ["C: after 执行完毕 (2025-09-28 10:00:00+08:00) freeze SZ1 was never released"])
        assert _life([*ended_nothing, release], horizon, {"C": done})["CT-010"] == (
            "pass", ["C: after 执行完毕 (2025-09-28 10:00:00+08:00) freeze SZ1 released at 2025-09-28 "
                     "11:00:00+08:00"])
    # and for CT-015 too: a seal whose transfer was answered as failed still stands — sealing it again is a double
    again = _sub("H-2", "11", sold + timedelta(days=1), account_no=FLAT)
    records = [SEAL, SEALED, _transfer(sold), failed, again]
    assert any(f.status == "fail" for f in grade_measures(records, [r for r in records if r["method"] == "POST"])
               if f.requirement == "CT-015")
    records = [SEAL, SEALED, _transfer(sold), again]
    assert not any(f.status == "fail" for f in grade_measures(records, [r for r in records if r["method"] == "POST"])
                   if f.requirement == "CT-015")


def test_a_transfer_after_execution_completed_ends_the_seal_as_a_release_would() -> None:
    """执行完毕 reached with the sold flat's transfer still to register: the seal must stay until the 15 (released, the
    transfer would have no seal to act on) and ends with it — CT-010 passes, saying so."""
    done = T0 + timedelta(days=200)
    life = _life([_transfer(done + timedelta(days=1))], done + timedelta(days=3), {"C": done})
    assert life["CT-010"] == ("pass", ["C: after 执行完毕 (2025-09-21 10:00:00+08:00) freeze SZ1 transferred at "
                                       "2025-09-22 10:00:00+08:00 (ended with it)"])


def test_a_transferred_seal_is_not_renewed_and_a_renewal_after_the_transfer_is_no_defect() -> None:
    """A seal transferred in a case still open, the run going past the end of its term: nothing to renew (CT-009 not
    judged on it). A renewal (12) sent after the transfer — pointless, the registry refuses it — is no defect; one sent
    after 执行完毕 still fails, transferred or not (CT-009: "not after 执行完毕"). Old grader: CT-009 failed, "was not
    renewed before its term ended"."""
    sold = T0 + timedelta(days=300)
    horizon = TERM_END + timedelta(days=10)
    assert _life([_transfer(sold)], horizon)["CT-009"] == ("skipped", ["no freeze whose term ended within the run"])
    renewal = _sub("N-1", "12", TERM_END - timedelta(days=20), freeze_id="SZ1")
    refused = _answer("N-1", TERM_END - timedelta(days=19), ok=False, measure="12", code="2001")
    assert _life([_transfer(sold), renewal, refused], horizon)["CT-009"][0] == "skipped"
    done = sold + timedelta(days=30)
    assert _life([_transfer(sold), renewal, refused], horizon, {"C": done})["CT-009"] == (
        "fail", ["C: freeze SZ1 renewed after 执行完毕 (2026-01-29 10:00:00+08:00): ['N-1']"])
    # the same seal not transferred: its term ended unrenewed within the run — CT-009 fails (unchanged)
    assert _life([], horizon)["CT-009"][0] == "fail"


def test_a_transfer_ends_the_courts_queued_seal_on_the_flat_but_a_part_freeze_only_itself() -> None:
    """A seal is of the whole property: the transfer under case C's seal ends the court's other seal of the flat (case
    C2's, 轮候 behind it — the registry ends it ``transferred`` too), so C2 closing 执行完毕 has nothing to release. A
    freeze (01) of equity may hold part of the holding: its transfer ends it alone, and another freeze of the holding
    still stands at 执行完毕. Old grader: C2's queued seal failed CT-010."""
    sold = T0 + timedelta(days=200)
    done = sold + timedelta(days=7)
    queued = _sub("H-9", "11", T0 + timedelta(days=1), case="C2", account_no=FLAT)
    waits = _answer("H-9", T0 + timedelta(days=1, hours=1), measure="11", freeze_id="SZ9", freeze_state="queued",
                    queue_position=1)
    life = _life([queued, waits, _transfer(sold)], done + timedelta(days=3), {"C2": done})
    assert life["CT-010"][0] == "skipped", life
    assert _life([queued, waits], done + timedelta(days=3), {"C2": done})["CT-010"][0] == "fail"  # not transferred
    # equity: two freezes of one shareholding; the part under F-1 transferred, F-2's stands
    equity = "equity_registry"
    f1 = _sub("F-1", "01", T0, agency=equity, account_no="GQ-1", amount_cents=100_000)
    f2 = _sub("F-2", "01", T0, agency=equity, account_no="GQ-1", amount_cents=100_000)
    a1 = _answer("F-1", T0, agency=equity, measure="01", freeze_id="E1", freeze_state="active",
                 amount_controlled_cents=100_000, expires_at=TERM_END.isoformat())
    a2 = _answer("F-2", T0, agency=equity, measure="01", freeze_id="E2", freeze_state="active",
                 amount_controlled_cents=100_000, expires_at=TERM_END.isoformat())
    part = _sub("T-2", "15", sold, agency=equity, account_no="GQ-1", freeze_id="E1", new_owner="买受人乙")
    records = [f1, f2, a1, a2, part]
    found = grade_freeze_life([r for r in records if r["method"] == "POST"], records,
                              {"n": (done + timedelta(days=3)).isoformat()}, {"C": {"completed": done.isoformat()}})
    assert [(f.status, f.en) for f in found if f.requirement == "CT-010"] == [
        ("fail", "C: after 执行完毕 (2025-09-28 10:00:00+08:00) freeze E2 was never released")]


def test_a_freeze_released_before_execution_completed_is_not_said_never_released() -> None:
    """A freeze (or seal) the court released mid-case stood no more at 执行完毕: CT-010 has nothing to judge on it.
    Old grader: CT-010 failed, "was never released" (the release was read only after 执行完毕)."""
    done = T0 + timedelta(days=200)
    release = _sub("U-1", "14", T0 + timedelta(days=100), freeze_id="SZ1")
    assert _life([release], done + timedelta(days=3), {"C": done})["CT-010"][0] == "skipped"
    assert _life([], done + timedelta(days=3), {"C": done})["CT-010"][0] == "fail"


def test_the_reference_court_selling_a_flat_to_execution_completed_passes_ct_010(tmp_path: Path) -> None:
    """zhixing's court runs the repository's flat scenario (seal, price, auction, payout, 成交确认, 过户, 交付,
    执行完毕) against the kit's lab, three days on after 执行完毕: the registry answered the 15 ``transferred``, the
    court sent no 14 — and CT-010 is not failed (skipped: nothing stood at 执行完毕); CT-015 passes on the seal as
    before. Old grader: CT-010 failed, "after 执行完毕 (2026-04-20 10:00:00+08:00) freeze … was never released"."""
    scenario = tmp_path / "flat.scenario.yaml"
    scenario.write_text(FLAT_END_TO_END.read_text(encoding="utf-8").rstrip("\n")
                        + "\n  - at: 2026-04-23 10:00\n    expect_case: {closed: 执行完毕}\n", encoding="utf-8")
    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(every=0))
    with LiveServer(app=lab, port=port) as live:
        driven = drive_cases(system_under_test(agencies_url=live.url), [scenario])
    assert driven.failed == [] and driven.passed == 1, driven.why
    assert driven.facts == {"(2026)豫0811执501号": {"completed": "2026-04-20T10:00:00+08:00"}}
    sent = [(r["request"]["measure"], r["status"]) for r in lab.traffic.records if r["method"] == "POST"
            and r["path"].startswith("/agencies/") and r["request"].get("measure") not in (None, "00")]
    assert sent == [("11", 202), ("15", 202)]  # sealed, transferred; no 14
    answers = [r["response"]["feedback"] for r in lab.traffic.records if r["method"] == "GET"
               and isinstance(r.get("response"), dict) and isinstance(r["response"].get("feedback"), dict)]
    assert [(a["measure"], a["freeze_state"]) for a in answers if a["measure"] == "15"] == [("15", "transferred")]
    out = tmp_path / "evidence"
    out.mkdir()
    statuses = _grade(lab, out, driven.facts)
    rows = {r["id"]: r for r in json.loads((out / "results.json").read_text(encoding="utf-8"))["requirements"]}
    assert statuses["CT-010"] == "skipped", rows["CT-010"]
    assert [f["en"] for f in rows["CT-010"]["findings"]] == [
        "no freeze or seal stood at 执行完毕 (released, deducted in full, transferred or past its term)"]
    assert statuses["CT-009"] == "skipped" and statuses["CT-015"] == "pass"


def test_kit_case_7_takes_the_court_through_a_sale_and_its_transfer(tmp_path: Path) -> None:
    """Kit 0.6.4's case 7 (certify/court_cases.scenario.yaml): the reference court seals a flat, prices, auctions and
    pays it out, has the sale confirmed and the flat transferred, then closes 执行完毕 and runs three days on — graded
    by the kit: CT-015 judges the seal (once: pass), CT-010 looks at the case after 执行完毕 (the +3 days: judged, not
    "less than a day") and finds nothing standing, the seal ended by the 15. The same traffic without the 15 (a court
    that books the 过户 but never has the registry transfer the flat, nor releases the seal) fails CT-010 on case 7's
    seal: the case exercises the paths kit 0.6.3 graded. Before kit 0.6.4 no kit case sold or transferred anything."""
    from certify.court_drive import CASES

    (case,) = [doc for doc in CASES.read_text(encoding="utf-8").split("\n---\n") if "执907号" in doc]
    scenario = tmp_path / "case7.scenario.yaml"
    scenario.write_text(case, encoding="utf-8")
    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000))  # the kit's faults, as it runs
    with LiveServer(app=lab, port=port) as live:
        driven = drive_cases(system_under_test(agencies_url=live.url), [scenario])
    assert driven.failed == [] and driven.passed == 1, driven.why
    done = "2026-04-20T10:00:00+08:00"
    assert driven.facts == {"(2026)豫0811执907号": {"completed": done}}
    submits = [r for r in lab.traffic.records if r["method"] == "POST" and r["path"].startswith("/agencies/")
               and isinstance(r.get("request"), dict) and r["request"].get("measure") not in (None, "00")]
    taken = [(r["request"]["measure"], r["status"]) for r in submits if r["status"] in (200, 202)]
    assert taken == [("11", 202), ("15", 202)]  # sealed, transferred before 执行完毕 (H42's order); no 14 sent
    (transfer,) = [r for r in submits if r["request"]["measure"] == "15" and r["status"] == 202]
    assert transfer["at"] < done
    out = tmp_path / "evidence"
    out.mkdir()
    statuses = _grade(lab, out, driven.facts)
    rows = {r["id"]: r for r in json.loads((out / "results.json").read_text(encoding="utf-8"))["requirements"]}
    assert statuses["CT-015"] == "pass" and any(
        f["status"] == "pass" and f["zh"].startswith("(2026)豫0811执907号 对 real_estate_registry 财产 ")
        for f in rows["CT-015"]["findings"]), rows["CT-015"]
    assert [f["en"] for f in rows["CT-010"]["findings"]] == [
        "no freeze or seal stood at 执行完毕 (released, deducted in full, transferred or past its term)"]
    assert not any(s == "fail" for s in statuses.values()), statuses
    # without the 15 on the wire the seal stands at 执行完毕, and case 7 is what CT-010 fails on
    records = [r for r in lab.traffic.records if r not in submits or r["request"]["measure"] != "15"]
    found = grade_court(records, None, lab.deliveries(), lab.horizons(), driven.facts)
    assert [(f.status, f.en.split(" freeze ")[0]) for f in found if f.requirement == "CT-010"] == [
        ("fail", "(2026)豫0811执907号: after 执行完毕 (2026-04-20 10:00:00+08:00)")]
