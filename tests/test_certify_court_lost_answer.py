"""The court-side kit's lost answers (kit 0.5.0; profile 0.6.1's fault kind ``lost_answer``): on its fixed schedule
the kit passes a freeze to the agencies, which carry it out, and answers the court 504 — the record keeps the ticket
the agency issued. CT-006 is judged on it: a court coming back with the same request number (re-sent: the same
ticket; or polled by it) passes; one sending the same content under a new number (the account frozen twice) or never
coming back (the kit says how long it waited, in virtual time) fails. Real uvicorn on loopback, virtual time."""

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
SCRIPTED = yaml.safe_load((ROOT / "certify" / "expected_failures.yaml").read_text(encoding="utf-8"))[
    "court_lost_answer"]
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
        (double,) = [f for r in results["requirements"] if r["id"] == "CT-015" for f in r["findings"]]
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
        out = tmp_path / f"{hours}h"
        out.mkdir()
        statuses = _grade(lab, out)
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
        (row,) = [r for r in results["requirements"] if r["id"] == "CT-006"]
        assert statuses["CT-006"] == verdict, row
        if verdict == "skipped":
            assert any("不足一日运行即结束" in f["zh"] and "too soon to tell" in f["en"] for f in row["findings"])


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
