"""Checks across a whole scenario, after each field validated: aliases used in steps exist, work items belong
to their nodes, and the timeline runs forwards. Resolves each step's instant (``step.when``) and the end of
its window (``step.until``) — relative times count from where the previous step left the clock.
"""

from __future__ import annotations

import dataclasses
import warnings
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from core_flow.driver.fields import given_field_problems
from core_flow.legal_calendar import HolidayCalendar, LegalCalendar
from scenarios import refs
from scenarios.model import Scenario, StepBase
from scenarios.timespec import resolve

Problem = tuple[tuple[Any, ...], str]
MAIN_CASE = ("main", "本案")
RESUMED_CASE = ("resumed", "恢复案件", "恢复执行案件")


@lru_cache(maxsize=1)
def calendar() -> LegalCalendar:
    # Resolves the tester's own step times (+3wd…), never strict: the engine's deadlines follow the run's
    # strictness; a provisional day here is only a way of writing a time.
    return LegalCalendar(HolidayCalendar(strict=False))


def check(sc: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    aliases = [d.alias for d in sc.case.debtors]
    for i, alias in enumerate(aliases):
        if aliases.index(alias) != i:
            problems.append((("case", "debtors", i, "as"), f"被执行人别名重复：{alias} / duplicate debtor alias"))
    problems.extend(_other_cases(sc))
    case_names = [n for c in sc.cases for n in (c.alias, c.number) if n]
    assets = _asset_names(sc, problems)
    named_cases, named_assets = _given_names(sc, assets, problems)
    files = 0
    for i, step in enumerate(sc.steps):
        loc = ("steps", i)
        if step.case is not None and step.case not in MAIN_CASE + RESUMED_CASE + tuple(case_names):
            known = [*case_names, *named_cases]
            zh, en = refs.did_you_mean(step.case, [*MAIN_CASE, *RESUMED_CASE, *known])
            problems.append((loc + ("case",), f"未知案件 {step.case!r}{zh}（main 本案、resumed 恢复案件、"
                                              "approve_resumption 的 as 名称（先命名后使用）或 cases 中的别名、案号）/ "
                                              f"unknown case {step.case!r}{en} (main, resumed, a name given earlier "
                                              "by approve_resumption, or an alias or number of cases)"))
        args = step.args
        files += step.key == "file"
        other = sc.other_case(step.case)
        aliases = [d.alias for d in (other or sc.case).debtors]
        debtor = getattr(args, "debtor", None)
        if hasattr(args, "debtor") and not isinstance(args, dict):
            if debtor is None and len(aliases) > 1 and step.key not in ("expect_event", "expect_no_event"):
                problems.append((loc + (step.key, "debtor"),
                                 f"本案有多名被执行人，须写明 debtor（{'、'.join(aliases)}）/ "
                                 "several debtors: name the debtor"))
            elif debtor is not None and debtor not in aliases:
                zh, en = refs.did_you_mean(debtor, aliases)
                problems.append((loc + (step.key, "debtor"),
                                 f"未知被执行人 {debtor!r}{zh}（可选：{'、'.join(aliases)}）/ "
                                 f"unknown debtor {debtor!r}{en}"))
        if step.key in _ASSET_STEPS and not _asset_known(args.asset, assets):
            zh, en = refs.did_you_mean(args.asset, sorted(assets | named_assets))
            problems.append((loc + (step.key, "asset"),
                             f"未知财产 {args.asset!r}{zh}（应为 holdings 中的 as 别名、机构或 机构:账号）/ "
                             f"unknown asset {args.asset!r}{en}"))
        if step.key in ("complete_item", "expect_deadline") and getattr(args, "item", None) is not None:
            node = refs.process().by_no[args.node]
            keys = {it.key for it in node.items}
            if node.no == refs.process().limit.node:
                keys |= {f"{m.code}_{it.key}" for m in refs.process().closing_manners for it in m.items}
            if args.item not in keys:
                problems.append((loc + (step.key, "item"),
                                 f"节点 {node.no}（{node.name}）无工作事项 {args.item!r}"
                                 f"（可选：{'、'.join(sorted(keys)) or '—'}）/ unknown work item {args.item!r}"))
        if step.key == "expect_deadline" and args.item is None and len(refs.process().by_no[args.node].items) != 1:
            node = refs.process().by_no[args.node]
            listed = "、".join(f"{it.key}（{it.name}）" for it in node.items)
            problems.append((loc + (step.key, "item"),
                             f"节点 {node.no}（{node.name}）有多个工作事项，须写明 item（可选：{listed}）/ the node "
                             f"has several work items: name the item ({', '.join(it.key for it in node.items)})"))
        if step.key == "expect_case":
            for alias in args.identity:
                if alias not in aliases:
                    problems.append((loc + (step.key, "identity", alias), f"未知被执行人 {alias!r} / unknown debtor"))
        if step.key == "command":
            problems.extend(_command_fields(args, loc + ("command",)))
    if files > 1:
        problems.append((("steps",), "立案（file）只能有一步 / at most one file step"))
    problems.extend(_times(sc))
    return problems


_ASSET_STEPS = frozenset({"freeze", "deduct", "release", "seal", "investigate", "price", "serve_report", "object",
                          "review_objection", "notify_parties", "list_auction", "bid", "relist", "offer_in_kind",
                          "agree_in_kind", "start_sale", "withdraw_listing", "confirm_sale", "transfer", "hand_over",
                          "expect_disposal"})


def _other_cases(sc: Scenario) -> list[Problem]:
    """Other cases: unique names, filed no earlier than the main case (the clock starts there), a debtor written
    again under an alias already used is the same person (same world index or ID number)."""
    problems: list[Problem] = []
    seen = {sc.case.number, *MAIN_CASE, *RESUMED_CASE}
    known = {d.alias: (d.world, d.id) for d in sc.case.debtors}
    for i, c in enumerate(sc.cases):
        loc = ("cases", i)
        for key, name in (("number", c.number), ("as", c.alias)):
            if name is None:
                continue
            if name in seen:
                problems.append((loc + (key,), f"案件名重复：{name} / duplicate case name"))
            seen.add(name)
        if c.filed < sc.case.filed:
            problems.append((loc + ("filed",), f"其他案件立案不得早于本案（{sc.case.filed:%Y-%m-%d %H:%M}）/ "
                                               "another case is filed no earlier than the main case"))
        for j, d in enumerate(c.debtors):
            if d.alias in known and known[d.alias] != (d.world, d.id):
                problems.append((loc + ("debtors", j, "as"), f"别名 {d.alias} 已指另一被执行人 / the alias {d.alias} "
                                                             "names another debtor"))
            known.setdefault(d.alias, (d.world, d.id))
    return problems


def _asset_names(sc: Scenario, problems: list[Problem]) -> set[str]:
    names: set[str] = set()
    holdings = [(("case", "debtors", i, "holdings", j), h) for i, d in enumerate(sc.case.debtors)
                for j, h in enumerate(d.holdings)]
    holdings += [(("cases", k, "debtors", i, "holdings", j), h) for k, c in enumerate(sc.cases)
                 for i, d in enumerate(c.debtors) for j, h in enumerate(d.holdings)]
    holdings += [(("steps", i, "pin", "holdings", j), h) for i, s in enumerate(sc.steps) if s.key == "pin"
                 for j, h in enumerate(s.args.holdings)]
    for loc, h in holdings:
        names.add(h.agency)
        if h.alias:
            if h.alias in names and h.alias != h.agency:
                problems.append((loc + ("as",), f"财产别名重复：{h.alias} / duplicate asset alias"))
            names.add(h.alias)
    return names


_NAMING = ("freeze", "list_auction", "relist")  # steps whose ``as:`` names a freeze or a listing (its asset)


def _given_names(sc: Scenario, assets: set[str], problems: list[Problem]) -> tuple[set[str], set[str]]:
    """Names a scenario gives with ``as:`` — a freeze, an auction listing (they stand for their asset) and a resumed
    case (``approve_resumption``; ``case: 名称``) — resolved at load into what they stand for, so that no step needs
    the platform's internal ids (F000000001, listing numbers, the resumed case's number)."""
    stands_for: dict[str, str] = {}
    cases: set[str] = set()
    for i, step in enumerate(sc.steps):
        loc = ("steps", i)
        if step.case is not None and step.case in cases:
            step.case = RESUMED_CASE[0]
        args = step.args
        if isinstance(getattr(args, "asset", None), str) and args.asset in stands_for:
            args.asset = stands_for[args.asset]
        if isinstance(getattr(args, "instance", None), str) and args.instance in stands_for:
            args.instance = stands_for[args.instance]
        name = getattr(args, "name", None)
        if not name or step.key not in (*_NAMING, "approve_resumption"):
            continue
        if name in stands_for or name in cases or name in assets or name in MAIN_CASE + RESUMED_CASE:
            problems.append((loc + (step.key, "as"), f"名称已被使用：{name} / the name is taken: {name}"))
        elif step.key == "approve_resumption":
            cases.add(name)
        else:
            stands_for[name] = args.asset
    return cases, set(stands_for)


def _asset_known(ref: str, names: set[str]) -> bool:
    if ref in names:
        return True
    agency, _, _ = ref.partition(":")
    try:
        refs.agency(agency)  # assets found at run time (sweeps, clues, the world's own holdings)
    except ValueError:
        return False
    return True


def _command_fields(args: Any, loc: tuple[Any, ...]) -> list[Problem]:
    from scenarios.actions import command_class

    cls = command_class(args.type)
    allowed = {f.name for f in dataclasses.fields(cls)} - {"case_id"}
    given = args.model_extra or {}
    unknown = [(loc + (name,), f"命令 {args.type} 没有字段 {name}（可选：{'、'.join(sorted(allowed))}）/ "
                               f"command {args.type} has no field {name}") for name in sorted(set(given) - allowed)]
    if unknown:
        return unknown
    # the fields passed as written (not those the run translates: a debtor's alias, a node's or an agency's name,
    # an amount), checked as the driver will: a wrong type fails here at its line, not at the step as a refusal
    as_written = {k: v for k, v in given.items() if k not in TRANSLATED}
    return [(loc + (m["field"],), f"命令 {args.type} 的字段 {m['field']} 无效：{m['zh']} / "
                                  f"command {args.type}: field {m['field']} is invalid: {m['en']}")
            for m in given_field_problems(args.type, as_written)]


# the ``command:`` fields scenarios.actions._command translates before the driver sees them
TRANSLATED = frozenset({"debtor", "node", "authority", "agency", "agencies", "amount_cents"})


def _times(sc: Scenario) -> list[Problem]:
    problems: list[Problem] = []
    cal = calendar()
    clock = sc.case.filed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, step in enumerate(sc.steps):
            when = resolve(step.advance if step.key == "advance" else step.at, clock, cal)
            if when < clock:
                problems.append((("steps", i, "advance" if step.key == "advance" else "at"),
                                 f"时间倒流：{when:%Y-%m-%d %H:%M} 早于上一步后的 {clock:%Y-%m-%d %H:%M} / time runs "
                                 f"backwards: {when:%Y-%m-%d %H:%M} is before {clock:%Y-%m-%d %H:%M}"))
                when = clock
            step._when = when
            step._until = _window_end(step, when, cal)
            answered = getattr(step.args, "answered", None) if step.key == "approve_resumption" else None
            if answered is not None and resolve(answered, when, cal) < when:
                problems.append((("steps", i, "approve_resumption", "answered"),
                                 f"答复早于批准：{resolve(answered, when, cal):%Y-%m-%d %H:%M:%S} 早于 "
                                 f"{when:%Y-%m-%d %H:%M:%S} / the answer comes before the approval"))
            clock = max(when, step.until)
    return problems


def _window_end(step: StepBase, when: datetime, cal: LegalCalendar) -> datetime:
    if step.key not in ("expect_event", "expect_no_event"):
        return when
    args = step.args
    if args.within is not None:
        return resolve(args.within, when, cal)
    if args.between is not None:
        return max(when, resolve(args.between[1], when, cal))
    if args.time is not None:
        return max(when, resolve(args.time, when, cal))
    if args.before is not None:
        return max(when, resolve(args.before, when, cal))
    return when


def window(step: StepBase) -> tuple[datetime | None, datetime]:
    """The window an event expectation looks at: [start, end]; start None means since the beginning."""
    args = step.args
    cal = calendar()
    if args.within is not None:
        return step.when, step.until
    if args.between is not None:
        return resolve(args.between[0], step.when, cal), resolve(args.between[1], step.when, cal)
    if getattr(args, "before", None) is not None:  # since the beginning, up to (not including) ``before``
        return None, resolve(args.before, step.when, cal) - timedelta(microseconds=1)
    return None, step.until + timedelta(0)
