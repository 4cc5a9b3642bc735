"""CT-015 ("a measure is sent once", profile 0.6.3) asks what the court knew (review R13).

A deduction (case, freeze, sub-account, amount) sent again under a new request number is a double deduction only if,
when it was sent, an earlier identical one had not failed and its result had not reached the court — a poll answered
with its feedback, or its callback acknowledged. Sent after the court had that result it is a deduction of its own: a
wage or pension frozen and deducted in equal monthly instalments, a second deduction ordered after the first was paid.
A freeze is a double freeze while an earlier one of the account stands when it is sent — whatever the court knew (one
freeze covers the account) — and not after that one was released, deducted in full or lapsed. The kit also gives a
lost-answer slot that fell on a refused request (nothing done) to the next request of its counter.

Old grader: every identical deduction after the first failed CT-015 (the instalments too), and a freeze sent after the
earlier one's release failed it (the earlier one's polled answer still said active). Old kit: a deduction refused on
the lost slot spent it; the next deduction was answered. Virtual time; the live ones on uvicorn on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from certify.court_server import FaultSchedule, create_court_lab
from certify.court_suite import grade_measures
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer, Receiver, free_port
from tests.test_certify_court import _grade
from tests.test_certify_court_lost_answer import NS, _answer, _deduction, _freeze, _open

DAY = 86_400


def _sent(no: str, measure: str, at: str, status: int = 202, **body: Any) -> dict[str, Any]:
    return {"namespace": "n", "agency": "icbc", "at": at, "method": "POST", "path": "/agencies/icbc/requests",
            "status": status, "response": {"ticket_id": f"T-{no}"} if status == 202 else None,
            "request": {"request_no": no, "court_code": "R410811", "case_no": "C1", "measure": measure,
                        "account_no": "6222020000000000007", **body}}


def _polled(no: str, at: str | None = None, **feedback: Any) -> dict[str, Any]:
    return {"namespace": "n", "at": at, "method": "GET", "path": f"/agencies/icbc/requests/T-{no}", "query": "",
            "response": {"feedback": {"request_no": no, **feedback}}}


def _ct015(records: list[dict[str, Any]], deliveries: dict[str, list[dict[str, Any]]] | None = None
           ) -> tuple[str, list[str]]:
    submits = [dict(r) for r in records if r["method"] == "POST"]
    graded = grade_measures(records, submits, deliveries) if deliveries else grade_measures(records, submits)
    found = [f for f in graded if f.requirement == "CT-015"]
    judged = [f for f in found if f.status != "skipped"] or found  # (kit 0.6.2: "未见查封" beside what was judged)
    return ("fail" if any(f.status == "fail" for f in found) else judged[0].status), [f.zh for f in judged]


def _d(no: str, at: str, status: int = 202) -> dict[str, Any]:
    return _sent(no, "06", at, status, freeze_id="FZ1", amount_cents=10_000, target_account="SUB-1")


def test_a_deduction_repeated_after_the_court_had_the_earlier_ones_result_is_an_instalment_not_a_double() -> None:
    """Old grader: all but the first case below failed CT-015 (any identical deduction after one not failed)."""
    first, later = _d("D-1", "2025-03-07T10:00:00+08:00"), _d("D-2", "2025-04-07T10:00:00+08:00")
    ok = _polled("D-1", measure="06", ok=True)
    # the result never reached the court, or reached it only after the second went: a double deduction
    assert _ct015([first, later])[0] == "fail"
    assert _ct015([first, later, ok])[0] == "fail"
    assert "重复扣划，请求编号 D-1、D-2" in _ct015([first, later])[1][0]
    # polled before the second was sent: an instalment
    assert _ct015([first, ok, later]) == ("pass", ["C1 以冻结 FZ1 向 icbc 扣划 10000 分，发出 2 次"
                                                   "（前一扣划未失败时以新请求编号重复 0 次）"])
    # by its callback, acknowledged before the second (virtual time) — and not after it
    acked = {"n": [{"key": "T-D-1", "state": "acknowledged", "acknowledged_at": "2025-03-08T10:00:00+08:00"}]}
    assert _ct015([first, later], acked)[0] == "pass"
    late = {"n": [{"key": "T-D-1", "state": "acknowledged", "acknowledged_at": "2025-04-08T10:00:00+08:00"}]}
    assert _ct015([first, later], late)[0] == "fail"
    # three instalments, each after the one before was answered; a fourth sent before the third's result: one double
    third, fourth = _d("D-3", "2025-05-07T10:00:00+08:00"), _d("D-4", "2025-05-07T10:05:00+08:00")
    status, said = _ct015([first, ok, later, _polled("D-2", measure="06", ok=True), third, fourth])
    assert status == "fail" and "发出 4 次（前一扣划未失败时以新请求编号重复 1 次" in said[0]
    # a lost answer (504; the ticket only in the record) the court then polled by its number: it knew
    lost = dict(_d("D-1", "2025-03-07T10:00:00+08:00", 504), injected=True, fault="lost_answer", agency_status=202,
                ticket_id="T-L", response=None)
    by_number = dict(ok, path="/agencies/icbc/requests", query="request_no=D-1&court_code=R410811")
    assert _ct015([lost, later])[0] == "fail"
    assert _ct015([lost, by_number, later])[0] == "pass"
    assert _ct015([lost, later], {"n": [{"key": "T-L", "state": "acknowledged",
                                         "acknowledged_at": "2025-03-08T10:00:00+08:00"}]})[0] == "pass"


def test_a_freeze_after_the_earlier_one_was_released_or_lapsed_is_no_double_freeze() -> None:
    """Old grader: the earlier freeze's polled answer (active, as answered) decided — a freeze sent after it was
    released, or after its term ended, failed CT-015. One standing when the later was sent still fails, even after
    the court had its answer."""
    f1 = _sent("F-1", "01", "2025-03-07T10:00:00+08:00", amount_cents=40_000)
    answered = _polled("F-1", measure="01", ok=True, freeze_id="FZ1", freeze_state="active",
                       amount_controlled_cents=40_000, expires_at="2026-03-07T10:00:00+08:00")
    f2 = _sent("F-2", "01", "2025-06-07T10:00:00+08:00", amount_cents=40_000)
    release = _sent("R-1", "04", "2025-05-07T10:00:00+08:00", freeze_id="FZ1")
    assert _ct015([f1, answered, f2])[0] == "fail"  # it stood: one freeze covers the account
    assert _ct015([f1, answered, release, f2])[0] == "pass"
    after_release = _sent("R-1", "04", "2025-07-07T10:00:00+08:00", freeze_id="FZ1")
    assert _ct015([f1, answered, f2, after_release])[0] == "fail"  # released after the second went
    lapsed = dict(answered, response={"feedback": dict(answered["response"]["feedback"],
                                                       expires_at="2025-06-01T10:00:00+08:00")})
    assert _ct015([f1, lapsed, f2])[0] == "pass"
    emptied = _sent("D-1", "06", "2025-05-07T10:00:00+08:00", freeze_id="FZ1", amount_cents=40_000,
                    target_account="SUB-1")
    assert _ct015([f1, answered, emptied, f2])[0] == "pass"  # deducted in full: nothing left standing


def test_monthly_instalments_deducted_from_one_freeze_pass_ct_015_live(tmp_path: Path) -> None:
    """A court deducting 100.00 元 a month from one freeze into its case's sub-account, each after the last one's
    answer reached it — by a poll, then by its callback. Old grader: CT-015 failed (three deductions, two "while an
    earlier one had not failed"). The same court never asking the first instalment's result still fails (D-2 and D-3
    sent while D-1's was unknown to it)."""
    for hurried in (False, True):
        port = free_port()
        lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(every=0))
        with Receiver() as court, LiveServer(app=lab, port=port) as live, \
                httpx.Client(base_url=live.url, timeout=10, headers={"X-Zhixing-Session": NS}) as c:
            subject = _open(c)
            sub = c.post(f"/admin/sessions/{NS}/court-accounts", json={"court_code": "R410811", "case_no": "C1"}
                         ).json()["sub_account"]
            assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code == 202
            freeze_id = _answer(c, "F-1")["freeze_id"]
            ticket = c.post("/agencies/icbc/requests", json=_deduction(subject, "D-1", freeze_id, sub, 10_000)
                            ).json()["ticket_id"]
            if not hurried:
                c.post(f"/admin/sessions/{NS}/advance", json={"seconds": DAY})
                assert c.get(f"/agencies/icbc/requests/{ticket}").json()["feedback"]["ok"] is True
            c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 30 * DAY})
            assert c.post("/agencies/icbc/requests", json={
                **_deduction(subject, "D-2", freeze_id, sub, 10_000), "callback_url": court.url}).status_code == 202
            c.post(f"/admin/sessions/{NS}/advance", json={"seconds": DAY})
            court.received.get(timeout=10)
            for _ in range(500):  # bounded wait (≤ 10 s) for the deliverer to record the court's 200
                if any(d["state"] == "acknowledged" for d in lab.deliveries().get(NS, [])):
                    break
                court.thread.join(timeout=0.02)
            c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 30 * DAY})
            assert c.post("/agencies/icbc/requests", json=_deduction(subject, "D-3", freeze_id, sub, 10_000)
                          ).status_code == 202
            c.post(f"/admin/sessions/{NS}/advance", json={"seconds": DAY})
            assert c.get(f"/admin/sessions/{NS}/court-accounts/{sub}").json()["balance_cents"] == 30_000
        out = tmp_path / str(hurried)
        out.mkdir()
        statuses = _grade(lab, out)
        rows = {r["id"]: r for r in json.loads((out / "results.json").read_text(encoding="utf-8"))["requirements"]}
        (said,) = [f["zh"] for f in rows["CT-015"]["findings"] if "扣划" in f["zh"]]
        assert statuses["CT-015"] == ("fail" if hurried else "pass"), rows["CT-015"]
        assert statuses["CT-011"] == "pass"
        assert f"重复 {2 if hurried else 0} 次" in said, said  # hurried: D-1's result never heard, D-2 and D-3 doubles


@contextmanager
def _frozen_lab() -> Iterator[tuple[Any, httpx.Client, dict[str, Any], str, str]]:
    """The kit's lab on loopback, deductions (06) losing answers on their own counter (``every=1``: no 503 / 429 at
    all — ``k % 1`` is never 1 or 2); a court's client with 400.00 元 frozen at icbc (F-1) for case C1 and its
    sub-account: (lab, client, subject, sub-account, freeze id)."""
    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(every=1,
                                                                                               measures={"06"}))
    with LiveServer(app=lab, port=port) as live, httpx.Client(base_url=live.url, timeout=10,
                                                              headers={"X-Zhixing-Session": NS}) as c:
        subject = _open(c)
        sub = c.post(f"/admin/sessions/{NS}/court-accounts", json={"court_code": "R410811", "case_no": "C1"}
                     ).json()["sub_account"]
        assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code == 202
        yield lab, c, subject, sub, _answer(c, "F-1")["freeze_id"]


def test_a_deduction_refused_on_the_lost_slot_passes_the_slot_to_the_next_deduction() -> None:
    """The first deduction asks more than the freeze holds: refused, nothing done — answered as it is, not lost. The
    slot is not spent on it: the next deduction (within the frozen money) loses its answer. Old kit: the refusal took
    the slot and the next deduction was answered 202."""
    with _frozen_lab() as (lab, c, subject, sub, freeze_id):
        refused = c.post("/agencies/icbc/requests", json=_deduction(subject, "D-1", freeze_id, sub, 90_000))
        assert refused.status_code in (409, 422) and "x-zhixing-fault" not in refused.headers, refused.text
        lost = c.post("/agencies/icbc/requests", json=_deduction(subject, "D-2", freeze_id, sub, 10_000))
        assert lost.status_code == 504 and lost.headers["X-Zhixing-Fault"] == "lost_answer", lost.text
        assert c.post("/agencies/icbc/requests", json=_deduction(subject, "D-3", freeze_id, sub, 5_000)
                      ).status_code == 202  # the second slot of the counter: answered
    assert lab.traffic.lost_candidates == {"06": 2}


def test_a_lost_answer_re_sent_under_a_new_number_takes_no_fault_slot() -> None:
    """A court re-sending a lost freeze under a new number (the defect CT-006 and CT-015 judge) reaches the agency as
    sent — no 503 of its own — and the next request meets the fault a correct court's would (the 503 of slot 1). Old
    kit: the re-send took slot 1's 503 and moved every later fault by one (in the reference court's
    ``new_request_no_after_lost_deduction`` run a 503 fell on case 4's sweep: case 4 never completed, CT-009 was left
    unjudged)."""
    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(measures={"01"}))
    with LiveServer(app=lab, port=port) as live, httpx.Client(base_url=live.url, timeout=10,
                                                              headers={"X-Zhixing-Session": NS}) as c:
        subject = _open(c)
        assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1", amount=10_000)).status_code == 504
        again = c.post("/agencies/icbc/requests", json={**_freeze(subject, "F-1L", amount=10_000),
                                                        "callback_url": None})
        assert again.status_code == 202, again.text  # carried out: frozen twice, which the grader judges
        assert [c.post("/agencies/icbc/requests", json=_freeze(subject, f"F-{n}", f"C{n}", 10_000)).status_code
                for n in (2, 3, 4)] == [503, 429, 202]  # slots 1, 2, 3: as for a court that re-sent F-1 itself


def test_the_lost_deduction_defect_leaves_the_other_cases_to_run_as_the_reference_court_s(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference court with ``new_request_no_after_lost_deduction``: only case 2 (whose deduction it sent twice)
    fails to complete, and CT-009 (case 4's renewal) is judged and passes as on the correct court. Old kit: the …L
    re-send took a 503 slot, the next 503 fell on case 4's sweep, case 4 did not complete and CT-009 was skipped —
    "caught by exactly CT-006 and CT-011" held only because a requirement went unjudged."""
    from certify.court_defects import DefectiveCourt
    from certify.court_drive import drive_cases
    from scenarios.target import system_under_test

    real_client = httpx.Client

    def client(*args: object, **kwargs: object) -> httpx.Client:
        kwargs["transport"] = DefectiveCourt("new_request_no_after_lost_deduction")
        return real_client(*args, **kwargs)  # type: ignore[arg-type]

    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000))
    with LiveServer(app=lab, port=port) as live:
        monkeypatch.setattr("scenarios.remote.httpx.Client", client)
        driven = drive_cases(system_under_test(agencies_url=live.url))
        monkeypatch.undo()
    assert [name.split("：")[0] for name in driven.failed] == ["认证案例二"], driven.why
    statuses = _grade(lab, tmp_path, driven.facts)
    assert statuses["CT-009"] == "pass" and statuses["CT-012"] == "pass", statuses
    assert sorted(r for r, s in statuses.items() if s == "fail") == ["CT-006", "CT-011"]


def _lost_deduction_then(script, tmp_path: Path) -> tuple[dict[str, str], dict[str, Any]]:  # noqa: ANN001
    """A court freezing 400.00 元 and deducting 150.00 元 (D-1), whose answer the kit loses; then ``script(client,
    deduct)`` (``deduct(no, amount)`` posts a deduction) and three days. The statuses and CT-006's lost finding."""
    with _frozen_lab() as (lab, c, subject, sub, freeze_id):

        def deduct(no: str, amount: int) -> httpx.Response:
            return c.post("/agencies/icbc/requests", json=_deduction(subject, no, freeze_id, sub, amount))

        assert deduct("D-1", 15_000).status_code == 504
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 60})
        script(c, deduct)
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 3 * DAY})
    statuses = _grade(lab, tmp_path)
    rows = {r["id"]: r for r in json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["requirements"]}
    (lost,) = [f for f in rows["CT-006"]["findings"] if "答复丢失" in f["zh"]]
    return statuses, lost


def test_a_second_deduction_after_the_court_polled_the_lost_ones_result_is_no_re_send(tmp_path: Path) -> None:
    """The court came back for its lost deduction by its number (the answer: done), then deducted the same amount
    again the same day under a new number — a deduction of its own, decided knowing the first went through: CT-006
    and CT-015 pass. Old grader: CT-006 failed it as "the same content under a new number: a double deduction" (and
    CT-015 as a double)."""

    def script(c: httpx.Client, deduct) -> None:  # noqa: ANN001
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 3600})
        assert _answer(c, "D-1")["ok"] is True
        assert deduct("D-2", 15_000).status_code == 202

    statuses, lost = _lost_deduction_then(script, tmp_path)
    assert statuses["CT-006"] == "pass" and statuses["CT-015"] == "pass", (statuses, lost)
    assert "法院按该请求编号查询 1 次" in lost["zh"] and "新请求编号" not in lost["zh"]


def test_a_lost_deduction_re_sent_under_its_number_with_another_amount_fails_saying_the_money_moved(
        tmp_path: Path) -> None:
    """Re-sent under the same number with another amount: the agency refuses it (409, other content under the
    number) — the court never reached its ticket: CT-006 fails, saying the refusal and that the money of the first
    moved to the case's account unknown to the court."""

    def script(c: httpx.Client, deduct) -> None:  # noqa: ANN001
        assert deduct("D-1", 20_000).status_code == 409

    statuses, lost = _lost_deduction_then(script, tmp_path)
    assert statuses["CT-006"] == "fail"
    assert "其中 1 次被机构拒绝（HTTP 409 conflict），始终未得到机构的工单" in lost["zh"], lost
    assert "法院始终不知款项已划至本案账户" in lost["zh"] and "the court never learned the money moved" in lost["en"]


def test_a_refused_deduction_empties_no_freeze() -> None:
    """A deduction the agency refused (beyond the frozen money: 409) took nothing: the freeze still stands — its term
    ending unrenewed fails CT-009, and a second freeze of the account while it stands fails CT-015. Old grader: the
    refused 900.00 元 counted as deducted, the 400.00 元 freeze "deducted in full" — CT-009 skipped (no freeze to
    judge) and, with R13's standing-at-the-instant rule, the second freeze passed."""
    from certify.court_lifecycle import grade_freeze_life

    f1 = _sent("F-1", "01", "2025-03-07T10:00:00+08:00", amount_cents=40_000)
    answered = _polled("F-1", measure="01", ok=True, freeze_id="FZ1", freeze_state="active",
                       amount_controlled_cents=40_000, expires_at="2026-03-07T10:00:00+08:00")
    refused = dict(_sent("D-1", "06", "2025-04-07T10:00:00+08:00", 409, freeze_id="FZ1", amount_cents=90_000,
                         target_account="SUB-1"), response={"error": {"code": "conflict"}})
    f2 = _sent("F-2", "01", "2025-05-07T10:00:00+08:00", amount_cents=40_000)
    records = [f1, answered, refused, f2]
    submits = [r for r in records if r["method"] == "POST"]
    life = grade_freeze_life(submits, records, {"n": "2026-06-01T00:00:00+08:00"}, {})
    assert [(f.requirement, f.status) for f in life if f.requirement == "CT-009"] == [("CT-009", "fail")]
    assert _ct015(records)[0] == "fail"
    taken = dict(refused, status=202, response={"ticket_id": "T-D-1"},
                 request=dict(refused["request"], amount_cents=40_000))  # deducted in full: ended
    assert _ct015([f1, answered, taken, f2])[0] == "pass"


def test_a_refused_deduction_does_not_lower_what_the_freeze_holds_for_ct_011() -> None:
    """900.00 元 asked of a 400.00 元 freeze (refused, CT-011 fails it), then 400.00 元 (within it, taken): only the
    first fails CT-011. Old grader: the refused 900.00 元 counted as deducted — the second's finding said the freeze
    still held "-50000 分" and failed a correct deduction."""
    f1 = _sent("F-1", "01", "2025-03-07T10:00:00+08:00", amount_cents=40_000)
    answered = _polled("F-1", measure="01", ok=True, freeze_id="FZ1", freeze_state="active",
                       amount_controlled_cents=40_000, expires_at="2026-03-07T10:00:00+08:00")
    refused = dict(_sent("D-1", "06", "2025-04-07T10:00:00+08:00", 409, freeze_id="FZ1", amount_cents=90_000,
                         target_account="SUB-1"), response={"error": {"code": "conflict"}})
    within = _sent("D-2", "06", "2025-04-08T10:00:00+08:00", freeze_id="FZ1", amount_cents=40_000,
                   target_account="SUB-1")
    records = [f1, answered, refused, within]
    found = [f for f in grade_measures(records, [r for r in records if r["method"] == "POST"])
             if f.requirement == "CT-011"]
    assert [f.status for f in found] == ["fail", "pass"], [f.zh for f in found]
    assert "扣划 40000 分，冻结 FZ1 尚余已冻结 40000 分" in found[1].zh


# -- seals (查封, 11): a seal sent once (profile 0.6.4, kit 0.6.2) ----------------------------------------------------
REG = "real_estate_registry"
FLAT = "BDC4108112025000007"  # the registry's id of the flat: the request's account_no (账户/财产编号)


def _seal(no: str, measure: str, at: str, status: int = 202, **body: Any) -> dict[str, Any]:
    sent = _sent(no, measure, at, status, **body)
    sent["request"]["account_no"] = body.get("account_no", FLAT) if measure == "11" else None
    return dict(sent, agency=REG, path=f"/agencies/{REG}/requests")


def _seal_polled(no: str, **feedback: Any) -> dict[str, Any]:
    return dict(_polled(no, **feedback), path=f"/agencies/{REG}/requests/T-{no}")


def test_a_seal_of_the_same_property_sent_again_while_the_first_stands_is_a_double_seal() -> None:
    """The same case seals the same flat at the registry under a new request number while its first seal stands —
    answered in effect or queued (轮候), or unanswered — fails CT-015, the finding naming both numbers; not after the
    first was released (14), transferred (15) or past its term, nor when the first was refused (4xx, or answered as
    failed); another flat, another case or another registry is no double. Old grader: seals were not judged at all
    (CT-015 skipped, "未见冻结或扣划"; beside a freeze, the double seal passed)."""
    s1 = _seal("H-1", "11", "2025-03-07T10:00:00+08:00")
    answered = _seal_polled("H-1", measure="11", ok=True, freeze_id="SZ1", freeze_state="active",
                            expires_at="2028-03-07T10:00:00+08:00")
    s2 = _seal("H-2", "11", "2025-06-07T10:00:00+08:00")
    status, said = _ct015([s1, s2])
    assert status == "fail"
    assert said == ["C1 对 real_estate_registry 财产 BDC4108112025000007 发出查封 2 次"
                    "（前一查封仍有效时以新请求编号重复 1 次：重复查封，请求编号 H-1、H-2）"]
    assert _ct015([s1, answered, s2])[0] == "fail"  # the court knew: one seal covers the flat all the same
    queued = _seal_polled("H-1", measure="11", ok=True, freeze_id="SZ1", freeze_state="queued")
    assert _ct015([s1, queued, s2])[0] == "fail"  # 轮候 behind another court's seal: it stands in the queue
    # beside a correct freeze, the double seal still fails (the old grader passed it on the freeze)
    freeze = _sent("F-1", "01", "2025-03-07T10:00:00+08:00", amount_cents=40_000)
    assert _ct015([freeze, s1, s2])[0] == "fail"
    # the first one ended before the second went: released, transferred, past its term
    release = _seal("U-1", "14", "2025-05-07T10:00:00+08:00", freeze_id="SZ1")
    assert _ct015([s1, answered, release, s2])[0] == "pass"
    assert _ct015([s1, answered, s2, dict(release, at="2025-07-07T10:00:00+08:00")])[0] == "fail"
    transfer = _seal("T-1", "15", "2025-05-07T10:00:00+08:00", freeze_id="SZ1", new_owner="买受人甲")
    assert _ct015([s1, answered, transfer, s2])[0] == "pass"
    refused_transfer = dict(transfer, status=422, response={"error": {"code": "unsupported"}})
    assert _ct015([s1, answered, refused_transfer, s2])[0] == "fail"  # a refused 15 ended nothing
    lapsed = _seal_polled("H-1", measure="11", ok=True, freeze_id="SZ1", freeze_state="active",
                          expires_at="2025-06-01T10:00:00+08:00")
    assert _ct015([s1, lapsed, s2])[0] == "pass"
    # the first refused: nothing sealed
    assert _ct015([_seal("H-1", "11", "2025-03-07T10:00:00+08:00", 409), s2])[0] == "pass"
    failed = _seal_polled("H-1", measure="11", ok=False, code="E201")
    assert _ct015([s1, failed, s2])[0] == "pass"
    # not the same seal: another flat, another case, another registry
    assert _ct015([s1, _seal("H-2", "11", "2025-06-07T10:00:00+08:00", account_no="BDC4108112025000008")]
                  )[0] == "pass"
    other_case = dict(s2, request=dict(s2["request"], case_no="C2"))
    assert _ct015([s1, other_case])[0] == "pass"
    vehicles = dict(s2, agency="vehicle_registry", path="/agencies/vehicle_registry/requests")
    assert _ct015([s1, vehicles])[0] == "pass"


def test_ct_015_says_when_no_seal_was_seen() -> None:
    """A run with freezes but no seal passes CT-015 on its freezes and says seals went unjudged (a skipped finding
    beside the pass); with nothing at all CT-015 is skipped naming seals. Old grader: "未见冻结或扣划", seals unsaid."""
    freeze = _sent("F-1", "01", "2025-03-07T10:00:00+08:00", amount_cents=40_000)
    found = [f for f in grade_measures([freeze], [freeze]) if f.requirement == "CT-015"]
    assert [(f.status, f.zh) for f in found] == [
        ("pass", "C1 对 icbc 账户 6222020000000000007 发出冻结 1 次（前一冻结仍有效时重复 0 次）"),
        ("skipped", "未见查封：查封未评判")]
    assert [(f.status, f.zh) for f in grade_measures([], []) if f.requirement == "CT-015"] == [
        ("skipped", "未见冻结、查封或扣划")]


def test_a_seal_retried_with_its_number_then_sent_again_by_a_bug_fails_ct_015_not_ct_006() -> None:
    """A seal answered 429, retried with its number and taken, then sent once more under a new number (a bug, not a
    retry: the court had its ticket) fails CT-015 only. A new number sent before the failed one was taken is still
    a retry under a new number (CT-006). Old grader: CT-006 failed the first court too ("另用新编号")."""
    from certify.court_suite import grade_retries

    first = dict(_seal("H-1", "11", "2025-03-07T10:00:00+08:00", 429), injected=True, retry_after="120",
                 response=None)
    retried = _seal("H-1", "11", "2025-03-07T10:02:00+08:00")
    copy = _seal("H-1D", "11", "2025-03-07T10:02:00+08:00")
    records = [first, retried, copy]
    ct006 = [f for f in grade_retries(records, records, {"n": "2025-03-09T10:00:00+08:00"})
             if f.requirement == "CT-006"]
    assert [f.status for f in ct006] == ["pass"], [f.zh for f in ct006]
    assert _ct015(records)[0] == "fail"
    renumbered = [first, _seal("H-1R", "11", "2025-03-07T10:02:00+08:00")]  # the retry itself under a new number
    ct006 = [f for f in grade_retries(renumbered, renumbered, {"n": "2025-03-09T10:00:00+08:00"})
             if f.requirement == "CT-006"]
    assert [f.status for f in ct006] == ["fail"] and "另用新编号 ['H-1R']" in ct006[0].zh
