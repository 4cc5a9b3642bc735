"""The pricing and auction platforms' periods, as data, each computed by ``core_flow.legal_calendar`` (issue 10
point 2; issue 12). No period of the platforms is an exact duration any more.

============================  ======  =========  ===========================================================
rule                          period  policy     source (shared/domain/LAW.md; seed 004 nodes 20–29)
============================  ======  =========  ===========================================================
网络询价 answer                3d      cpl        参考价规定 (2018): each platform answers within 3 days
网络询价 extension             3d      cpl        参考价规定: one 3-day extension
委托评估 report                30d     cpl        参考价规定: the report within 30 days
委托评估 extension             15d     cpl        参考价规定: at most two 15-day extensions
first auction notice          15d/30d natural    网络司法拍卖规定 第十二条: movables 15 days, real estate 30 days before
second auction notice         7d/15d  natural    同规定 第二十六条 (and 变卖: seed node 28)
变卖 notice                    7d/15d  natural    seed node 28: 变卖期开始七日 / 十五日前公告
re-auction within             30d     cpl        同规定 第二十六条: 流拍后三十日内再次拍卖
变卖 announced within          15d     cpl        seed node 28: 自不接受以物抵债之日起十五日内
以物抵债 asked within          10d     cpl        seed node 29: 再次拍卖流拍的，于十日内询问
============================  ======  =========  ===========================================================

Decisions (LAW.md "Computing periods"):

* **calendar days, not working days**: every text says 日; only a text that says 工作日 counts working days;
* **periods within which something must be done** (an answer, a report, an extension, the re-auction, the 变卖
  announcement, the 以物抵债 question) follow 民诉法 第八十五条 / 民诉法解释 第一百二十五条 / 民法典 第二百零一至
  二百零三条 (``Policy.CPL``): the starting day is not counted, a last day that is a rest day rolls to the next
  working day, the period ends at 24:00 of its last day. An extension runs from the end of the period it extends;
* **notice periods counted back from an act** ("拍卖十五日前公告", "变卖期开始七日前公告") are minimum lead times
  (``Policy.NATURAL``): whole calendar days, the announcement day not counted, no rest-day rollover — the
  announcement day must be at least N days before the day the bidding (or the sale period) starts, so the start
  may fall on the N-th day after the announcement day (announced 3-02, a 15-day notice: bidding from 3-17 00:00),
  whatever the hour. A rollover would lengthen a notice the law counts in plain days and let the platform refuse
  a listing the text allows; an exact duration (the old rule) would make the hour of the announcement matter.

The court's side counts the same notice periods the same way (``core_flow.platform.disposal``), and its node
timers (nodes 20–30) come from the process definition through the engine's calendar.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from core_flow.legal_calendar import CST, LegalCalendar, Period, Policy, default_calendar

_TINY = timedelta(microseconds=1)


@functools.lru_cache(maxsize=1)
def _calendar() -> LegalCalendar:
    return default_calendar()


@dataclass(frozen=True)
class LegalPeriod:
    """A period of the platforms' rules: its length (``3d``), how it is counted and where it comes from."""

    period: str
    policy: Policy
    source: str

    @property
    def days(self) -> int:
        return Period.parse(self.period).amount

    def end(self, start: datetime) -> datetime:
        """When the period counted from ``start`` ends (24:00 of its last day, after any rollover)."""
        return _calendar().deadline(start, Period.parse(self.period), self.policy).due

    def last_day(self, start: datetime) -> datetime:
        """The period's last day (its 00:00, CST): the earliest day an act "N days after" may take place."""
        day = _calendar().deadline(start, Period.parse(self.period), self.policy).last_day
        return datetime.combine(day, time(0), tzinfo=CST)

    def after(self, end: datetime, times: int = 1) -> datetime:
        """``times`` further periods, each counted from the end of the one before (extensions)."""
        for _ in range(times):
            end = self.end(end - _TINY)  # counted from the last day, which is not counted again
        return end


def cpl(period: str, source: str) -> LegalPeriod:
    return LegalPeriod(period, Policy.CPL, source)


def notice(period: str, source: str) -> LegalPeriod:
    return LegalPeriod(period, Policy.NATURAL, source)


INQUIRY_ANSWER = cpl("3d", "参考价规定：网络询价平台3日内出具结果")
INQUIRY_EXTENSION = cpl("3d", "参考价规定：延期一次，3日")
APPRAISAL_REPORT = cpl("30d", "参考价规定：委托评估30日内出具报告")
APPRAISAL_EXTENSION = cpl("15d", "参考价规定：延期至多两次，每次15日")
RELIST_WITHIN = cpl("30d", "网络司法拍卖规定 第二十六条：流拍后30日内再次拍卖")
SALE_ANNOUNCE_WITHIN = cpl("15d", "执行节点28：自不接受以物抵债之日起15日内发布变卖公告")
IN_KIND_ASKED_WITHIN = cpl("10d", "执行节点29：再次拍卖流拍的，于10日内询问是否以物抵债")
FIRST_NOTICE_SOURCE = "网络司法拍卖规定 第十二条：动产拍卖15日前、不动产及其他财产权30日前公告"
SECOND_NOTICE_SOURCE = "网络司法拍卖规定 第二十六条：再次拍卖动产7日前、不动产及其他财产权15日前公告"
SALE_NOTICE_SOURCE = "执行节点28：变卖动产在变卖期开始7日前、不动产及其他财产权15日前公告"
