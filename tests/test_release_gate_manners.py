"""Which releasing manners a release-gate condition holds (review R20 F4): an optional ``manners`` on a condition
(absent: every manner that releases the controls — 执行完毕, 终结, 销案, 不予执行, 驳回申请 — as before). Whether a
不予执行, 驳回申请 or 销案 should wait for a round already begun, or for a sale's transfer, is unconfirmed (no text in
LAW.md): the bundled file names none, a court's file may. Checked at load, the file's line named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.clocks import SimClock
from core_flow.engine import Engine
from core_flow.errors import UserError
from core_flow.legal_calendar import default_calendar
from core_flow.model import GateCondition
from core_flow.process_loader import parse_process
from core_flow.runtime import Runtime
from tests.test_completion_gate import FILED, PROCESS_TEXT, close, file, listed, sold_and_paid

ROUND_LINE = "  - {code: ROUND_IN_BIDDING,\n"
SALE_LINE = "  - {code: SALE_NOT_TRANSFERRED, sale_nodes: [27, 30], sale_ends: [30],\n"


def with_manners(round_manners: str | None = None, sale_manners: str | None = None) -> str:
    text = PROCESS_TEXT
    if round_manners is not None:
        assert ROUND_LINE in text
        text = text.replace(ROUND_LINE, f"  - {{code: ROUND_IN_BIDDING, manners: {round_manners},\n")
    if sale_manners is not None:
        assert SALE_LINE in text
        text = text.replace(SALE_LINE, SALE_LINE.replace("[30],", f"[30], manners: {sale_manners},"))
    return text


def runtime(text: str) -> Runtime:
    rt = Runtime(Engine(parse_process(text, "<court>"), default_calendar()), SimClock(FILED))
    file(rt)
    return rt


def test_the_bundled_file_holds_every_releasing_manner(process):
    assert all(g.manners == () for g in process.release_gate)
    rt = runtime(PROCESS_TEXT)
    listed(rt)
    rt.clock.run_until(rt.clock.now() + timedelta(days=41))
    for manner in ("执行完毕", "终结", "销案", "不予执行", "驳回申请"):
        out = close(rt, manner)
        assert out.refusal is not None and out.refusal.details == ("ROUND_IN_BIDDING",), (manner, out.refusal)


def test_a_round_condition_named_for_some_manners_holds_those_only():
    """ROUND_IN_BIDDING for 执行完毕 and 终结: during the bidding those are refused, a 不予执行 is taken (the court's
    reading: a title found unenforceable does not wait for the round)."""
    rt = runtime(with_manners(round_manners="[执行完毕, terminated]"))
    listed(rt)
    rt.clock.run_until(rt.clock.now() + timedelta(days=41))
    for manner in ("执行完毕", "终结", "终结执行"):  # by name, code or alias alike
        out = close(rt, manner)
        assert out.refusal is not None and out.refusal.details == ("ROUND_IN_BIDDING",), (manner, out.refusal)
    out = close(rt, "不予执行")
    assert out.accepted, out.refusal
    assert rt.cases["K"].closed_manner == "not_enforced"


def test_each_condition_keeps_its_own_manners():
    """The sale's condition for every manner, the round's for 执行完毕 alone: a 驳回申请 of a sold, paid lot still
    waits for its transfer."""
    rt = runtime(with_manners(round_manners="[执行完毕]"))
    sold_and_paid(rt)
    out = close(rt, "驳回申请")
    assert out.refusal is not None and out.refusal.details == ("SALE_NOT_TRANSFERRED",), out.refusal
    rt = runtime(with_manners(sale_manners="[执行完毕, 终结]"))
    sold_and_paid(rt)
    assert close(rt, "驳回申请").accepted


@pytest.mark.parametrize(("manners", "named"), [("[执行完毕, 终了]", "终了"), ("[终本]", "终本"),
                                                ("[preservation_done]", "preservation_done")])
def test_a_manner_unknown_or_releasing_nothing_is_refused_at_load_with_its_line(manners, named):
    text = with_manners(round_manners=manners)
    line = text[:text.index("code: ROUND_IN_BIDDING")].count("\n") + 1
    with pytest.raises(UserError) as err:
        parse_process(text, "court.yaml")
    zh, en = err.value.zh, err.value.en
    assert f"court.yaml:{line}" in zh and f"court.yaml:{line}" in en
    assert named in zh and named in en and "manners" in zh and "manners" in en
    if named == "终了":
        assert "未知结案方式" in zh and "unknown closing manner" in en and "terminated" in en and "终结" in zh
    else:
        assert "不解除控制措施" in zh and "releases no controls" in en


def test_manners_in_the_zhongben_gate_is_refused_at_load():
    old = "  - {code: TOO_EARLY, months_since_filing: 3,"
    assert old in PROCESS_TEXT
    text = PROCESS_TEXT.replace(old, "  - {code: TOO_EARLY, manners: [执行完毕], months_since_filing: 3,")
    with pytest.raises(UserError) as err:
        parse_process(text, "court.yaml")
    assert "release_gate" in err.value.zh and "release_gate" in err.value.en


def test_holds_reads_code_name_and_alias(process):
    cond = GateCondition(code="X", zh="x", en="x", node=18, manners=("执行完毕", "terminated", "执行销案"))
    assert [m.code for m in process.closing_manners if cond.holds(m)] == ["completed", "terminated", "cancelled"]
    assert all(GateCondition(code="X", zh="x", en="x", node=18).holds(m) for m in process.closing_manners)
