"""The court-side kit's lost answers (kit 0.5.0; profile 0.6.1's fault kind ``lost_answer``): on its fixed schedule
the kit passes a freeze to the agencies, which carry it out, and answers the court 504 — the record keeps the ticket
the agency issued. CT-006 is judged on it: a court coming back with the same request number (re-sent: the same
ticket; or polled by it) passes; one sending the same content under a new number (the account frozen twice) or never
coming back (the kit says how long it waited, in virtual time) fails. Kit 0.6.0: deductions (06) lose their answers
too, on a counter of their own — the same request number passes, a new one deducts twice (CT-006 and CT-015 within the
frozen money, CT-006 and CT-011 beyond it), giving up fails CT-006. Real uvicorn on loopback, virtual time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from certify.court_server import FaultSchedule, create_court_lab
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer, free_port
from tests.test_certify_court import _grade

ROOT = Path(__file__).resolve().parents[1]
LOST = yaml.safe_load((ROOT / "certify" / "expected_failures.yaml").read_text(encoding="utf-8"))["court_lost_answer"]
SCRIPTED = {k: v for k, v in LOST.items() if not k.startswith("deduction_")}  # a lost freeze (kit 0.5.0)
DEDUCTIONS = {k: v for k, v in LOST.items() if k.startswith("deduction_")}  # a lost deduction (kit 0.6.0)
NS = "lost"
ACCOUNT = "6222020000000000007"


def _open(c: httpx.Client) -> dict[str, str]:
    """A namespace in virtual time with one debtor holding 1,000.00 元 at 工商银行; the debtor's subject."""
    c.put(f"/admin/sessions/{NS}", json={"time_scale": 0, "profile": "fast"})
    d = c.get(f"/admin/sessions/{NS}/debtors/0").json()
    c.put(f"/admin/sessions/{NS}/pins", json={"agency": "icbc", "id_number": d["id_number"], "holdings": [
        {"account_no": ACCOUNT, "kind": "deposit", "balance_cents": 100_000, "available_cents": 100_000}]})
    return {"kind": d["kind"], "name": d["name"], "id_number": d["id_number"]}


def _freeze(subject: dict[str, str], no: str, case: str = "C1", amount: int = 40_000) -> dict[str, object]:
    return {"request_no": no, "court_code": "R410811", "case_no": case, "measure": "01", "subject": subject,
            "account_no": ACCOUNT, "amount_cents": amount}


def _available(c: httpx.Client, subject: dict[str, str]) -> int:
    query = {"request_no": f"Q-{c.get(f'/admin/sessions/{NS}/clock').json()['now']}", "court_code": "R410811",
             "case_no": "CQ", "measure": "00", "subject": subject}
    ticket = c.post("/agencies/icbc/requests", json=query).json()["ticket_id"]
    c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 86_400})
    (held,) = c.get(f"/agencies/icbc/requests/{ticket}").json()["feedback"]["holdings"]
    return held["available_cents"]


def test_a_lost_answer_is_carried_out_answered_504_and_kept_with_its_ticket() -> None:
    """Old kit: the freeze was answered 202 with its ticket (no lost answers at all)."""
    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(measures={"01"}))
    with LiveServer(app=lab, port=port) as live, httpx.Client(base_url=live.url, timeout=10,
                                                              headers={"X-Zhixing-Session": NS}) as c:
        subject = _open(c)
        lost = c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1"))
        assert lost.status_code == 504 and lost.headers["X-Zhixing-Fault"] == "lost_answer"
        error = lost.json()["error"]
        assert error["code"] == "fault_lost_answer" and error["where"] == "request"
        assert "同一请求编号" in error["zh"] and "same request number" in error["en"]
        assert error["message"] == f"request: {error['zh']} / {error['en']}" and error["fields"] == []
        (record,) = [r for r in lab.traffic.records if r.get("injected")]
        assert record["status"] == 504 and record["fault"] == "lost_answer" and record["agency_status"] == 202
        assert record["ticket_id"]  # the ticket the agency issued, which the court never saw
        assert json.loads(json.dumps(record))  # kept as plain JSON for the evidence
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 30})
        again = c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1"))
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert again.json()["ticket_id"] == record["ticket_id"]
        assert _available(c, subject) == 100_000 - 40_000  # carried out once, before the 504


def test_lost_answers_keep_the_503_and_429_slots_where_they_were() -> None:
    """The lost answers are a schedule of their own: of the new freezes in order, the 503 / 429 slots are those of a
    lab without lost answers; the first, third… of the rest lose their answer (``lost_every`` 2)."""

    def statuses(schedule: FaultSchedule) -> list[int]:
        port = free_port()
        lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), schedule)
        with LiveServer(app=lab, port=port) as live, httpx.Client(base_url=live.url, timeout=10,
                                                                  headers={"X-Zhixing-Session": NS}) as c:
            subject = _open(c)
            return [c.post("/agencies/icbc/requests", json=_freeze(subject, f"F-{i}", f"C{i}", 1_000)).status_code
                    for i in range(7)]

    with_lost = statuses(FaultSchedule(measures={"01"}))
    assert with_lost == [504, 503, 429, 202, 503, 429, 504]
    assert statuses(FaultSchedule(measures={"01"}, lost_every=0)) == [202, 503, 429, 202, 503, 429, 202]
    assert statuses(FaultSchedule(0, measures={"01"})) == [202] * 7  # --fault-every 0: no faults at all
    assert not FaultSchedule().may_lose({"measure": "00"}) and FaultSchedule().may_lose({"measure": "11"})


def _scripted(url: str, defect: str | None) -> None:
    """A court freezing one account for case C1; the kit loses the answer. Then the court re-sends under the same
    number a minute later (correct), polls by it, re-sends the same content under a new number, or gives up."""
    with httpx.Client(base_url=url, timeout=10, headers={"X-Zhixing-Session": NS}) as c:
        subject = _open(c)
        assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code == 504
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 60})
        if defect is None:
            again = c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1"))
            assert again.status_code == 200
            c.get(f"/agencies/icbc/requests/{again.json()['ticket_id']}")
        elif defect == "polls_by_request_no":
            found = c.get("/agencies/icbc/requests", params={"request_no": "F-1", "court_code": "R410811"})
            assert found.status_code == 200
        elif defect == "new_request_no":
            while (r := c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1b"))).status_code in (429, 503):
                c.post(f"/admin/sessions/{NS}/advance", json={"seconds": int(r.headers.get("Retry-After", 1))})
            assert r.status_code == 202
            c.get(f"/agencies/icbc/requests/{r.json()['ticket_id']}")
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 3 * 86_400 - 60})


@pytest.mark.parametrize("defect", [None, *sorted(SCRIPTED)])
def test_a_court_meeting_a_lost_answer_is_judged_under_ct_006(defect: str | None, tmp_path: Path) -> None:
    """Old kit: no answer was lost, so every one of these courts passed (or was not judged)."""
    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(measures={"01"}))
    with LiveServer(app=lab, port=port) as live:
        _scripted(live.url, defect)
    statuses = _grade(lab, tmp_path)
    assert sorted(r for r, s in statuses.items() if s == "fail") == sorted(SCRIPTED.get(defect, [])), statuses
    if defect in (None, "polls_by_request_no"):
        assert statuses["CT-006"] == "pass" and statuses["CT-015"] == "pass"
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    (row,) = [r for r in results["requirements"] if r["id"] == "CT-006"]
    (lost,) = [f for f in row["findings"] if "答复丢失" in f["zh"]]
    ticket = next(r["ticket_id"] for r in lab.traffic.records if r.get("fault") == "lost_answer")
    assert lost["zh"].startswith(f"icbc R410811/F-1：机构已办理（工单 {ticket}），答复丢失（工具注入 504）")
    assert any(e.get("ticket_id") == ticket and e["status"] == 504 for e in lost["exchanges"])
    if defect is None:
        assert f"法院以同一请求编号重发 1 次，得到同一工单 {ticket}" in lost["zh"]
        assert f"answered the same ticket {ticket}" in lost["en"]
    elif defect == "polls_by_request_no":
        assert "法院按该请求编号查询 1 次" in lost["zh"] and "polled by the request number 1 times" in lost["en"]
    elif defect == "new_request_no":  # both numbers named; the account frozen twice for the case
        assert "同样内容以新请求编号 F-1b 发出（原编号 F-1）" in lost["zh"] and "重复冻结" in lost["zh"]
        assert "new request number F-1b (the first: F-1)" in lost["en"] and "double freeze" in lost["en"]
        (double,) = [f for r in results["requirements"] if r["id"] == "CT-015" for f in r["findings"]
                     if f["status"] != "skipped"]  # (kit 0.6.2: beside it, "未见查封", seals not judged)
        assert double["status"] == "fail" and "发出冻结 2 次（前一冻结仍有效时重复 1 次）" in double["zh"]
    else:  # gave up: how long the kit waited, in virtual time (from the 504 to the end of the run)
        assert "法院此后未以该编号重发或按编号查询：工具在虚拟时间中等待 3 天 0 小时 0 分" in lost["zh"]
        assert "the kit waited 3 d 0 h 0 min of virtual time" in lost["en"]


@pytest.mark.parametrize("fault", ["lost_answer", "503"])
def test_a_fault_the_run_ends_too_soon_after_is_not_judged_and_a_day_later_it_is(fault: str, tmp_path: Path) -> None:
    """The court's first attempt faulted (its answer lost, or a 503) and the run ended an hour later, before a backoff
    of hours could bring it back: CT-006 is skipped for it, saying why (the old kit failed such a court). Ended two
    days later with no retry, the court fails."""
    for hours, verdict in ((1, "skipped"), (48, "fail")):
        port = free_port()
        schedule = FaultSchedule(measures={"01"}, lost_every=2 if fault == "lost_answer" else 0)
        lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), schedule)
        with LiveServer(app=lab, port=port) as live, \
                httpx.Client(base_url=live.url, timeout=10, headers={"X-Zhixing-Session": NS}) as c:
            subject = _open(c)
            if fault == "503":  # the 503 is the second new request's (the first goes through)
                assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-0", case="C0")).status_code == 202
            assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code in (503, 504)
            c.post(f"/admin/sessions/{NS}/advance", json={"seconds": hours * 3600})
        statuses, row = _ct006_after(lab, tmp_path / f"{hours}h")
        assert statuses["CT-006"] == verdict, row
        if verdict == "skipped":
            assert any("不足一日运行即结束" in f["zh"] and "too soon to tell" in f["en"] for f in row["findings"])


def _ct006_after(lab: Any, out: Path) -> tuple[dict[str, str], dict[str, Any]]:
    """The lab's run graded into ``out`` (made): the statuses and CT-006's row of ``results.json``."""
    out.mkdir()
    statuses = _grade(lab, out)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    (row,) = [r for r in results["requirements"] if r["id"] == "CT-006"]
    return statuses, row


def _judged(script, tmp_path: Path) -> tuple[str, dict[str, Any]]:  # noqa: ANN001
    """CT-006's status and its lost-answer finding, for a court doing ``script(client, subject)`` after the kit lost
    the answer of its freeze F-1."""
    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(measures={"01"}))
    with LiveServer(app=lab, port=port) as live, \
            httpx.Client(base_url=live.url, timeout=10, headers={"X-Zhixing-Session": NS}) as c:
        subject = _open(c)
        assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code == 504
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 60})
        script(c, subject)
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 3 * 86_400})
    statuses = _grade(lab, tmp_path)
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    (row,) = [r for r in results["requirements"] if r["id"] == "CT-006"]
    (lost,) = [f for f in row["findings"] if "答复丢失" in f["zh"]]
    return statuses["CT-006"], lost


@pytest.mark.parametrize("fault", ["error_5xx", "rate_limit"])
def test_a_resend_the_agency_answered_5xx_before_the_ticket_came_back_passes(fault: str, tmp_path: Path) -> None:
    """Review R12: the court re-sent with the same number, the agency itself answered a 5xx or a 429 (its own fault,
    not the kit's), the court re-sent again and got the ticket — a correct court. The old grader read the error body
    as a ticket, "answered another ticket None", and failed it."""

    def script(c: httpx.Client, subject: dict[str, str]) -> None:
        c.put(f"/admin/sessions/{NS}/faults", json={"scope": "icbc", fault: 1.0})
        assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code in (429, 500, 502, 503,
                                                                                                504)
        c.put(f"/admin/sessions/{NS}/faults", json={"scope": "icbc", fault: 0.0})
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 600})
        assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code == 200

    status, lost = _judged(script, tmp_path)
    assert status == "pass", lost
    assert "None" not in lost["zh"] + lost["en"] and "法院以同一请求编号重发 2 次，得到同一工单" in lost["zh"]
    assert "拒绝" not in lost["zh"] and "refused" not in lost["en"]  # a 429 is "later", not a refusal


def test_a_resend_with_other_content_under_the_number_fails_saying_the_agency_refused_it(tmp_path: Path) -> None:
    """Review R12: re-sent under the same number with another amount, the agency refused it (409 conflict): the court
    never got its ticket — failed, saying so (the old grader said "answered another ticket None")."""

    def script(c: httpx.Client, subject: dict[str, str]) -> None:
        assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1", amount=50_000)).status_code == 409

    status, lost = _judged(script, tmp_path)
    assert status == "fail"
    assert "None" not in lost["zh"] + lost["en"]
    assert "其中 1 次被机构拒绝（HTTP 409 conflict），始终未得到机构的工单" in lost["zh"]
    assert "1 of them refused by the agency (HTTP 409 conflict), never reaching the agency's ticket" in lost["en"]


def test_a_court_that_heard_the_answer_by_callback_only_is_not_said_to_have_never_learned_it(tmp_path: Path) -> None:
    """Review R12: the freeze carried a callback URL; the agency posted its answer there and the court acknowledged
    it (CT-008 passes on it), but never re-sent nor polled. CT-006 fails it — a timeout (504) is retried with the
    same request number — saying so; the old grader said, beside CT-008's acknowledged callback of the same ticket,
    that "the court never learned of the measure it made"."""
    from tests.test_agencies_live import Receiver

    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(measures={"01"}))
    with Receiver() as court, LiveServer(app=lab, port=port) as live, \
            httpx.Client(base_url=live.url, timeout=10, headers={"X-Zhixing-Session": NS}) as c:
        subject = _open(c)
        assert c.post("/agencies/icbc/requests", json={**_freeze(subject, "F-1"),
                                                       "callback_url": court.url}).status_code == 504
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 3 * 86_400})
        court.received.get(timeout=10)  # the answer, posted to the court
        for _ in range(500):  # bounded wait (≤ 10 s) for the deliverer to record the court's 200
            if any(d["state"] == "acknowledged" for d in lab.deliveries().get(NS, [])):
                break
            court.thread.join(timeout=0.02)
    ticket = next(r["ticket_id"] for r in lab.traffic.records if r.get("fault") == "lost_answer")
    statuses = _grade(lab, tmp_path)
    assert statuses["CT-006"] == "fail" and statuses["CT-008"] == "pass"
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    (row,) = [r for r in results["requirements"] if r["id"] == "CT-006"]
    (lost,) = [f for f in row["findings"] if "答复丢失" in f["zh"]]
    assert "始终不知" not in lost["zh"] and "never learned" not in lost["en"]
    assert f"其答复以回调送达并经法院确认（{ticket}），但超时（504）须以同一请求编号重试" in lost["zh"]
    assert f"its answer was posted to the court's callback and acknowledged ({ticket})" in lost["en"]


def _deduction(subject: dict[str, str], no: str, freeze_id: str, sub: str, amount: int) -> dict[str, object]:
    return {"request_no": no, "court_code": "R410811", "case_no": "C1", "measure": "06", "subject": subject,
            "account_no": ACCOUNT, "freeze_id": freeze_id, "amount_cents": amount, "target_account": sub}


def _answer(c: httpx.Client, no: str) -> dict[str, Any]:
    """The answer of request ``no`` at icbc, polled by its number (the court's right after a lost answer)."""
    found = c.get("/agencies/icbc/requests", params={"request_no": no, "court_code": "R410811"})
    assert found.status_code == 200, found.text
    return found.json()["feedback"]


def test_deductions_lose_answers_on_their_own_counter_leaving_the_freezes_slots_where_they_were() -> None:
    """Kit 0.6.0: of the deductions the 503 / 429 schedule leaves alone, the first, third… lose their answer, counted
    apart from the freezes and seals — whose lost slots are those of kit 0.5.x (``lost_measures`` 01, 11). Old kit:
    every deduction was answered (202). Counted on the freezes' counter instead, the second freeze's slot would move."""

    def statuses(schedule: FaultSchedule) -> tuple[list[int], list[int]]:
        port = free_port()
        lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), schedule)
        with LiveServer(app=lab, port=port) as live, httpx.Client(base_url=live.url, timeout=10,
                                                                  headers={"X-Zhixing-Session": NS}) as c:
            subject = _open(c)
            sub = c.post(f"/admin/sessions/{NS}/court-accounts", json={"court_code": "R410811", "case_no": "C1"})
            freezes: list[int] = []
            deductions: list[int] = []
            freeze_id = ""
            # new requests k = 0, 3, 6… are left alone by the 503 / 429 schedule (every 3); queries fill the others
            for k in range(18):
                if k % 3:
                    c.post("/agencies/icbc/requests", json={"request_no": f"Q-{k}", "court_code": "R410811",
                                                            "case_no": "CQ", "measure": "00", "subject": subject})
                elif k % 2 == 0:  # k = 0, 6, 12: freezes
                    freezes.append(c.post("/agencies/icbc/requests",
                                          json=_freeze(subject, f"F-{k}", f"C{k + 1}", 10_000)).status_code)
                    freeze_id = freeze_id or _answer(c, "F-0")["freeze_id"]
                else:  # k = 3, 9, 15: deductions of 10.03, 10.09, 10.15 元 from the first freeze (case C1's) — each
                    # its own amount: the same one again after a lost answer is its re-send, taking no slot (R13)
                    deductions.append(c.post("/agencies/icbc/requests", json=_deduction(
                        subject, f"D-{k}", freeze_id, sub.json()["sub_account"], 1_000 + k)).status_code)
        return freezes, deductions

    assert statuses(FaultSchedule()) == ([504, 202, 504], [504, 202, 504])
    assert statuses(FaultSchedule(lost_measures=frozenset({"01", "11"}))) == ([504, 202, 504], [202, 202, 202])
    assert statuses(FaultSchedule(lost_apart=frozenset()))[0] == [504, 504, 504]  # one counter: the slots move
    assert FaultSchedule().may_lose({"measure": "06"}) and not FaultSchedule().may_lose({"measure": "04"})


def _scripted_deduction(url: str, defect: str) -> str:
    """A court freezing 400.00 元 for case C1 and deducting from it; the kit loses the deduction's answer (only
    deductions are faulted here). Then the court re-sends it under the same number, polls by it, re-sends it under a
    new number, or gives up. The case's sub-account."""
    amount = 30_000 if defect == "deduction_new_request_no_beyond_frozen" else 15_000
    with httpx.Client(base_url=url, timeout=10, headers={"X-Zhixing-Session": NS}) as c:
        subject = _open(c)
        sub = c.post(f"/admin/sessions/{NS}/court-accounts", json={"court_code": "R410811", "case_no": "C1"}).json()[
            "sub_account"]
        assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code == 202
        freeze_id = _answer(c, "F-1")["freeze_id"]
        lost = c.post("/agencies/icbc/requests", json=_deduction(subject, "D-1", freeze_id, sub, amount))
        assert lost.status_code == 504 and lost.headers["X-Zhixing-Fault"] == "lost_answer"
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 60})
        if defect == "deduction_resent":
            again = c.post("/agencies/icbc/requests", json=_deduction(subject, "D-1", freeze_id, sub, amount))
            assert again.status_code == 200 and again.json()["duplicate"] is True  # the agency's idempotency
            c.get(f"/agencies/icbc/requests/{again.json()['ticket_id']}")
        elif defect == "deduction_polls_by_request_no":
            assert _answer(c, "D-1")["measure"] == "06"
        elif defect.startswith("deduction_new_request_no"):
            while (r := c.post("/agencies/icbc/requests", json=_deduction(subject, "D-1b", freeze_id, sub, amount))
                   ).status_code in (429, 503):
                c.post(f"/admin/sessions/{NS}/advance", json={"seconds": int(r.headers.get("Retry-After", 1))})
            if defect.endswith("beyond_frozen"):  # the frozen money left is 100.00 元: refused
                assert r.status_code in (409, 422), r.text
            else:
                assert r.status_code == 202, r.text
                c.get(f"/agencies/icbc/requests/{r.json()['ticket_id']}")
        c.post(f"/admin/sessions/{NS}/advance", json={"seconds": 3 * 86_400 - 60})
        return sub


@pytest.mark.parametrize("defect", sorted(DEDUCTIONS))
def test_a_court_meeting_a_lost_deduction_is_judged_and_a_double_deduction_caught(defect: str, tmp_path: Path) -> None:
    """Kit 0.6.0. Old kit: the deduction's answer was never lost — every one of these courts passed CT-006, and the
    deduction sent twice within the frozen money passed CT-015 (freezes only)."""
    port = free_port()
    lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(measures={"06"}))
    with LiveServer(app=lab, port=port) as live:
        sub = _scripted_deduction(live.url, defect)
        with httpx.Client(base_url=live.url, timeout=10, headers={"X-Zhixing-Session": NS}) as c:
            account = c.get(f"/admin/sessions/{NS}/court-accounts/{sub}").json()
    statuses = _grade(lab, tmp_path)
    assert sorted(r for r, s in statuses.items() if s == "fail") == sorted(DEDUCTIONS[defect]), statuses
    amount = 30_000 if defect.endswith("beyond_frozen") else 15_000
    # the agency deducted once per accepted request number: the lost one (carried out) and a second number's, if taken
    twice = defect == "deduction_new_request_no"
    assert account["balance_cents"] == amount * (2 if twice else 1), account
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in results["requirements"]}
    (lost,) = [f for f in rows["CT-006"]["findings"] if "答复丢失" in f["zh"]]
    ticket = next(r["ticket_id"] for r in lab.traffic.records if r.get("fault") == "lost_answer")
    assert lost["zh"].startswith(f"icbc R410811/D-1：机构已办理（工单 {ticket}），答复丢失（工具注入 504）")
    if defect == "deduction_resent":
        assert f"法院以同一请求编号重发 1 次，得到同一工单 {ticket}" in lost["zh"] and lost["status"] == "pass"
    elif defect == "deduction_polls_by_request_no":
        assert "法院按该请求编号查询 1 次" in lost["zh"] and lost["status"] == "pass"
    elif defect == "deduction_new_request_no":  # both numbers; deducted twice: CT-015 names the numbers
        assert "同样内容以新请求编号 D-1b 发出（原编号 D-1）：机构再办理一次（重复扣划）" in lost["zh"]
        assert "new request number D-1b (the first: D-1): the agency acted twice (a double deduction)" in lost["en"]
        (double,) = [f for f in rows["CT-015"]["findings"] if f["status"] == "fail"]
        assert "以冻结" in double["zh"] and "扣划 15000 分，发出 2 次" in double["zh"]
        assert "重复扣划，请求编号 D-1、D-1b" in double["zh"] and "a double deduction, request numbers D-1, D-1b" in \
            double["en"]
        assert statuses["CT-011"] == "pass"  # 300.00 of 400.00 元 frozen: within it
    elif defect == "deduction_new_request_no_beyond_frozen":  # refused: not deducted twice, but lost to the ledger
        assert "机构拒绝新编号的扣划（HTTP" in lost["zh"] and "款项已划至本案账户" in lost["zh"]
        assert "the agency refused the deduction under the new number (HTTP" in lost["en"]
        (beyond,) = [f for f in rows["CT-011"]["findings"] if f["status"] == "fail"]
        assert "扣划 30000 分，冻结" in beyond["zh"]
        assert "尚余已冻结 10000 分；同一扣划此前以请求编号 D-1 发出（重复扣划）" in beyond["zh"]
        assert statuses["CT-015"] == "pass"  # the second was refused: no measure sent twice
    else:  # gave up: how long the kit waited; the money moved without the court knowing
        assert "工具在虚拟时间中等待 3 天 0 小时 0 分" in lost["zh"] and "法院始终不知款项已划至本案账户" in lost["zh"]
        assert "the court never learned the money moved to its case account" in lost["en"]


def test_a_deduction_sent_again_under_a_new_number_is_a_measure_sent_twice_unless_the_first_failed() -> None:
    """Profile 0.6.3's CT-015 covers deductions: the same deduction (case, freeze, amount, sub-account) accepted under
    a second request number while the first had not failed is a double deduction — within the frozen money, which
    CT-011 does not see. A re-send after the first failed (the agency's answer ok false), or a deduction of another
    amount, is not. Old grader: freezes only — CT-015 passed the double deduction (or skipped: no freeze seen)."""
    from certify.court_suite import grade_measures

    def sent(no: str, amount: int, at: str, status: int = 202) -> dict[str, Any]:
        return {"namespace": "n", "agency": "icbc", "at": at, "method": "POST", "path": "/agencies/icbc/requests",
                "status": status, "request": {"request_no": no, "court_code": "R410811", "case_no": "C1",
                                              "measure": "06", "freeze_id": "F1", "amount_cents": amount,
                                              "target_account": "SUB-1"}}

    def answered(no: str, ok: bool) -> dict[str, Any]:
        return {"namespace": "n", "at": None, "method": "GET", "path": "/agencies/icbc/requests/T", "query": "",
                "response": {"feedback": {"request_no": no, "measure": "06", "ok": ok}}}

    def verdict(records: list[dict[str, Any]]) -> tuple[str, list[str]]:
        submits = [dict(r, agency="icbc") for r in records if r["method"] == "POST"]
        found = [f for f in grade_measures(records, submits) if f.requirement == "CT-015"]
        return ("fail" if any(f.status == "fail" for f in found) else found[0].status), [f.zh for f in found]

    lost = dict(sent("D-1", 15_000, "2025-03-07T10:00:00+08:00", 504), injected=True, fault="lost_answer",
                agency_status=202, ticket_id="T1")
    again = sent("D-1b", 15_000, "2025-03-07T10:05:00+08:00")
    status, said = verdict([lost, again])
    assert status == "fail" and "以冻结 F1 向 icbc 扣划 15000 分，发出 2 次" in said[0] and "D-1、D-1b" in said[0]
    assert verdict([lost, answered("D-1", False), again])[0] == "pass"  # the first failed: a new act, not a double
    assert verdict([lost, sent("D-2", 5_000, "2025-03-07T10:05:00+08:00")])[0] == "pass"  # another amount
    assert verdict([lost, sent("D-1b", 15_000, "2025-03-07T10:05:00+08:00", 409)])[0] == "pass"  # refused: not sent


def test_a_lost_deduction_the_run_ends_too_soon_after_is_skipped_and_two_days_later_it_fails(tmp_path: Path) -> None:
    """The f46a220 rule holds for a deduction: its answer lost and the run ended an hour later with no re-send nor
    poll — skipped, saying why; two days later — failed, saying how long the kit waited. Old kit: the deduction was
    answered (no fault on it), CT-006 skipped for want of any fault both times."""
    for hours, verdict in ((1, "skipped"), (48, "fail")):
        port = free_port()
        lab = create_court_lab(Settings(port=port, profile="fast", world_size=1000), FaultSchedule(measures={"06"}))
        with LiveServer(app=lab, port=port) as live, \
                httpx.Client(base_url=live.url, timeout=10, headers={"X-Zhixing-Session": NS}) as c:
            subject = _open(c)
            sub = c.post(f"/admin/sessions/{NS}/court-accounts", json={"court_code": "R410811", "case_no": "C1"})
            assert c.post("/agencies/icbc/requests", json=_freeze(subject, "F-1")).status_code == 202
            freeze_id = _answer(c, "F-1")["freeze_id"]
            assert c.post("/agencies/icbc/requests", json=_deduction(
                subject, "D-1", freeze_id, sub.json()["sub_account"], 15_000)).status_code == 504
            c.post(f"/admin/sessions/{NS}/advance", json={"seconds": hours * 3600})
        statuses, row = _ct006_after(lab, tmp_path / f"{hours}h")
        assert statuses["CT-006"] == verdict, row
        (finding,) = row["findings"]
        if verdict == "skipped":
            assert "icbc R410811/D-1：首次 504 后不足一日运行即结束" in finding["zh"]
            assert "too soon to tell" in finding["en"]
        else:
            assert "工具在虚拟时间中等待 2 天 0 小时 0 分" in finding["zh"] and "款项已划至本案账户" in finding["zh"]
