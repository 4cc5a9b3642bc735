"""The mock 总对总 system (agency :data:`~core_flow.protocol.HUB`, ``zdz``): one 集约查询 request per debtor,
fanned out to the agencies of its ``scope`` (see the protocol's module docstring for the exchange).

At submission (:meth:`Hub.plan`) the hub passes the query to every agency of the scope at once. Each agency
answers when a direct query to it would (its own latency, opening hours and maintenance, drawn from its own
seeded streams); an agency whose submit faults is the hub's problem, not the court's: the hub tries it again
(after the maintenance window, or ``hub_retry_seconds`` later), so the fault shows up as extra latency — and
after ``hub_max_attempts`` failed tries the agency is reported failed (``ok=False``, code ``fault_<kind>``).
The agencies are grouped by answer instant: the session keeps ONE due entry per distinct instant.

At each instant (:meth:`Hub.answer`) every agency due by then answers with the ledger's holdings — the very
call a direct query makes, so both agree (freezes and pins included) — and the hub passes them on as one
part (a ``Feedback`` with a :class:`~core_flow.protocol.HubBatch`): the agencies that found property (or
failed) with their answers, the rest as a list of codes, and how many are still to answer. The ticket keeps
the cumulative answer (every part so far) for polls.

Cost matters here (a fan-out replaces ~28 direct requests): nothing is built per none-found agency but its
code, no ticket exists per agency, and a validated scope is remembered.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core_flow.errors import UserError
from core_flow.protocol import (
    AGENCY_GROUP,
    CODE_OK,
    MEASURE,
    AgencyAnswer,
    AgencyGroup,
    FailureCode,
    Feedback,
    HubBatch,
    failure_code,
)
from mock_agencies.profiles import FaultKind, Profile
from mock_agencies.trusted import trusted

if TYPE_CHECKING:
    from mock_agencies.catalogue import Agency, Catalogue
    from mock_agencies.ledger import Ledger
    from mock_agencies.streams import AgencyBehaviours
    from mock_agencies.tickets import TicketRecord

log = logging.getLogger(__name__)

_SCOPE_CACHE = 4096  # validated scopes remembered (a court's scopes repeat: one per pair of regions)
_MAX_WINDOWS = 4000  # maintenance windows waited through for one agency at most (as Behaviour.next_open)

# the parts are built from the ledger's holdings and the hub's own counts: not validated again
_answer_of = trusted(AgencyAnswer)
_batch_of = trusted(HubBatch)
_part_of = trusted(Feedback)


@dataclass(slots=True)
class HubFanout:
    """The state of one fanned-out query: the agencies still to answer, grouped by instant, and every part
    passed on so far."""

    id_number: str
    groups: list[tuple[datetime, tuple[str, ...]]]  # (answer instant, agency codes), by instant
    outstanding: int
    failed: dict[str, AgencyAnswer] | None = None  # agencies the hub gave up on: their (failed) answers
    retries: int = 0  # agency submits the hub had to repeat
    next_group: int = 0
    failures: int = 0  # failed answers among ``found``
    found: list[AgencyAnswer] = field(default_factory=list)
    none_found: list[str] = field(default_factory=list)
    parts: list[Feedback] = field(default_factory=list)

    def next_due(self) -> datetime | None:
        """The next instant at which agencies answer (``None``: the whole scope has answered)."""
        groups = self.groups
        return groups[self.next_group][0] if self.next_group < len(groups) else None

    def instants(self) -> list[datetime]:
        return [at for at, _ in self.groups]


@dataclass(slots=True)
class Scope:
    """A validated scope: its agencies and, per behaviour profile, its fixed plan — when every agency is
    calm (no fault, no window), always open and answers queries after a fixed delay, the answer instants are
    ``now + delay`` with no random draw, grouped once (``offsets``: (delay, agency codes) by delay)."""

    agencies: tuple[Agency, ...]
    profile: Profile | None = None  # the profile ``offsets`` was worked out under
    offsets: list[tuple[timedelta, tuple[str, ...]]] | None = None


class Hub:
    """The 总对总 fan-out of one namespace (see the module docstring). It is given exactly what it uses — the
    namespace's behaviours, faults and random streams, the catalogue, the ledger and its own retry settings —
    and nothing of the session that composes it."""

    def __init__(
        self,
        behaviours: AgencyBehaviours,
        catalogue: Catalogue,
        ledger: Ledger,
        *,
        retry_seconds: float = 60.0,
        max_attempts: int = 20,
    ) -> None:
        self.behaviours = behaviours
        self.catalogue = catalogue
        self.ledger = ledger
        self.retry_seconds = retry_seconds
        self.max_attempts = max_attempts
        self._scopes: dict[tuple[str, ...], Scope] = {}
        # a fixed plan's group of codes (the same tuple at every query of its scope) → the catalogue's agencies
        self._agencies: dict[tuple[str, ...], tuple[Agency, ...]] = {}

    # -- validation ----------------------------------------------------------------------------------

    def scope_of(self, agency: Agency, scope: tuple[str, ...] | None) -> Scope | None:
        """The agencies of a request's ``scope`` (``None`` for a request to any other agency). Raises a
        ``UserError`` naming ``body.scope`` / ``body.scope[i]``: a hub request without a scope, a scope sent
        to another agency, a code that is no agency, the hub itself or an agency that answers no queries."""
        if agency.group is not AGENCY_GROUP.HUB:
            if scope is not None:
                raise UserError(
                    f"scope 只用于总对总查询（机构 {_hub_codes(self.catalogue)}），{agency.name}不转发查询",
                    f"scope is for a query through the SPC network hub only (agency {_hub_codes(self.catalogue)}); "
                    f"{agency.code} does not fan queries out",
                    where="body.scope",
                    code="scope_not_allowed",
                )
            return None
        if scope is None:
            raise UserError(
                f"{agency.name}的查询须列明 scope（集约查询的协助单位代码）",
                f"a query to {agency.code} (the SPC network hub) needs a scope: the agency codes of the "
                "centralised inquiry",
                where="body.scope",
                code="scope_required",
            )
        found = self._scopes.get(scope)
        if found is None:
            found = Scope(tuple(self._scope_agency(code, i) for i, code in enumerate(scope)))
            if len(self._scopes) >= _SCOPE_CACHE:
                self._scopes.clear()  # bounded: a cache
            self._scopes[scope] = found
        return found

    def _scope_agency(self, code: str, index: int) -> Agency:
        catalogue = self.catalogue
        where = f"body.scope[{index}]"
        if code not in catalogue:
            raise UserError(
                f"scope 第 {index} 项不是协助单位代码：{code!r}",
                f"scope item {index} is no agency code: {code!r}",
                where=where,
                code="invalid_scope",
            )
        agency = catalogue.get(code)
        if agency.group is AGENCY_GROUP.HUB:
            raise UserError(
                f"scope 不能包含总对总系统本身：{code!r}",
                f"the scope cannot name the network hub itself: {code!r}",
                where=where,
                code="invalid_scope",
            )
        if not agency.supports(MEASURE.QUERY):
            raise UserError(
                f"{agency.name}（{code}）不受理查询（00），不能列入 scope",
                f"{agency.name_en} ({code}) answers no queries (00); it cannot be in a scope",
                where=where,
                code="invalid_scope",
            )
        return agency

    # -- fan-out -------------------------------------------------------------------------------------

    def plan(self, id_number: str, scope: Scope, now: datetime) -> HubFanout:
        """Pass the query to every agency of ``scope`` at ``now``: when each answers (faults retried)."""
        behaviours = self.behaviours
        if scope.profile is not behaviours.profile:
            self._fix(scope)
        agencies = scope.agencies
        if scope.offsets is not None:  # what the loop below gives for such a scope, without per-agency work
            return HubFanout(id_number, [(now + delay, codes) for delay, codes in scope.offsets], len(agencies))
        calm = behaviours.calm
        by_instant: dict[datetime, list[str]] = {}
        failed: dict[str, AgencyAnswer] | None = None
        retries = 0
        for agency in agencies:
            code = agency.code
            behaviour = behaviours.behaviour(agency)
            at = now
            if not calm(agency):
                at, tries, fault = self._get_through(agency, now)
                retries += tries
                if fault is not None:  # given up: the agency's answer is a failure, passed on at ``at``
                    if failed is None:
                        failed = {}
                    failed[code] = _failed_answer(agency, fault, tries + 1)
                    by_instant.setdefault(at, []).append(code)
                    continue
            due = behaviour.answer_due(MEASURE.QUERY, at, behaviours.rng(code, "latency"))
            group = by_instant.get(due)
            if group is None:
                by_instant[due] = [code]
            else:
                group.append(code)
        groups = [(at, tuple(codes)) for at, codes in sorted(by_instant.items())]
        return HubFanout(id_number, groups, len(agencies), failed, retries)

    def _fix(self, scope: Scope) -> None:
        """Work out ``scope``'s fixed plan under the namespace's current profile (``None``: draws needed)."""
        behaviours = self.behaviours
        offsets: dict[timedelta, list[str]] = {}
        scope.offsets = None
        scope.profile = behaviours.profile
        for agency in scope.agencies:
            behaviour = behaviours.behaviour(agency)
            latency = behaviour.latency_for(MEASURE.QUERY)
            if (
                not behaviours.calm(agency)
                or behaviour.business_hours is not None
                or (latency.dist != "fixed" and latency.max_seconds is not None)
            ):
                return
            # ``Behaviour.answer_due`` for a fixed delay: whole seconds, no random number taken
            offsets.setdefault(timedelta(seconds=math.ceil(latency.min_seconds)), []).append(agency.code)
        scope.offsets = [(delay, tuple(codes)) for delay, codes in sorted(offsets.items())]
        by_code = {agency.code: agency for agency in scope.agencies}
        if len(self._agencies) >= _SCOPE_CACHE:
            self._agencies.clear()  # bounded as the scopes are
        for _, codes in scope.offsets:
            self._agencies[codes] = tuple(by_code[code] for code in codes)

    def _get_through(self, agency: Agency, now: datetime) -> tuple[datetime, int, FaultKind | None]:
        """When the hub's submit to ``agency`` is accepted (faults drawn as for a direct submit): (instant,
        repeated submits, the last fault when the hub gave up)."""
        behaviours = self.behaviours
        max_attempts = self.max_attempts
        retry = timedelta(seconds=self.retry_seconds)
        at = now
        tries = failures = 0
        for _ in range(max_attempts + _MAX_WINDOWS):
            fault = behaviours.draw_fault(agency, at)
            if fault is None:
                return at, tries, None
            if fault.kind is FaultKind.MAINTENANCE:  # waits for the window's end; not counted as a failure
                end = behaviours.behaviour(agency).maintenance_end(at)
                at = end if end is not None and end > at else at + retry
            else:
                failures += 1
                if failures >= max_attempts:
                    return at, tries, fault.kind
                at += retry
            tries += 1
        return at, tries, FaultKind.MAINTENANCE

    # -- answers -------------------------------------------------------------------------------------

    def answer(self, record: TicketRecord, fanout: HubFanout, at: datetime) -> Feedback | None:
        """Every agency of ``fanout`` due by ``at`` answers: the part passed on (also appended to
        ``fanout.parts``); ``None`` when none is due. Updates the cumulative answer kept in ``fanout``."""
        groups = fanout.groups
        index = fanout.next_group
        if index >= len(groups) or groups[index][0] > at:
            return None
        ledger = self.ledger
        catalogue = self.catalogue
        failed = fanout.failed
        id_number = fanout.id_number
        found: list[AgencyAnswer] = []
        none_found: list[str] = []
        failures = 0
        due: list[Agency] = []
        first = index
        whole: tuple[Agency, ...] | None = None  # the one fixed group answering now, if so: the world's tables
        while index < len(groups) and groups[index][0] <= at:
            codes = groups[index][1]
            agencies = self._agencies.get(codes) if failed is None else None
            if agencies is not None:  # a fixed plan's group (the common case): looked up when the plan was fixed
                due.extend(agencies)
                if index == first:
                    whole = agencies
            else:
                for code in codes:
                    if failed is not None and code in failed:
                        found.append(failed[code])
                        failures += 1
                    else:
                        due.append(catalogue.get(code))
            index += 1
        try:
            # one pass for every agency answering now (one fixed group: its very tuple, the same at every query)
            held = ledger.holdings_many(whole if whole is not None and index == first + 1 else due, id_number, at)
        except Exception:  # a bug in one agency must not lose the others' answers: ask each alone
            log.exception("hub: bulk query failed for ticket %s; asking each agency", record.ticket.ticket_id)
            held = {}
            for agency in due:
                try:
                    held[agency.code] = ledger.holdings(agency.code, id_number, at)
                except Exception as one:  # noqa: BLE001 - reported as this agency's failed answer
                    code = failure_code(one.code) if isinstance(one, UserError) else FailureCode.AGENCY_ERROR
                    found.append(AgencyAnswer(agency=agency.code, ok=False, code=code,
                                              message=f"{type(one).__name__}: {one}"[:500]))
                    failures += 1
        failed_now = {a.agency for a in found}
        for agency in due:
            code = agency.code
            if code in failed_now:
                continue
            holdings = held.get(code)
            if holdings:
                n = len(holdings)
                found.append(
                    _answer_of(agency=code, message=f"查得财产 {n} 项 / {n} holding(s) found", holdings=holdings)
                )
            else:
                none_found.append(code)
        fanout.next_group = index
        fanout.outstanding -= len(found) + len(none_found)
        fanout.failures += failures
        part_no = len(fanout.parts) + 1
        part = _feedback(record, at, part_no, found, none_found, failures, fanout.outstanding, cumulative=False)
        fanout.parts.append(part)
        fanout.found.extend(found)
        fanout.none_found.extend(none_found)
        if part_no == 1:
            record.feedback = part  # the first part is all there is so far
        else:
            record.feedback = _feedback(
                record,
                at,
                part_no,
                fanout.found,
                fanout.none_found,
                fanout.failures,
                fanout.outstanding,
                cumulative=True,
            )
        return part


def _feedback(
    record: TicketRecord,
    at: datetime,
    part_no: int,
    found: list[AgencyAnswer],
    none_found: list[str],
    failed: int,
    outstanding: int,
    *,
    cumulative: bool,
) -> Feedback:
    """A part (or, ``cumulative``, every part so far) as the hub passes it on."""
    with_property = len(found) - failed
    zh_head = f"累计 {part_no} 批" if cumulative else f"第 {part_no} 批"
    en_head = f"{part_no} parts so far" if cumulative else f"part {part_no}"
    answered, none = len(found) + len(none_found), len(none_found)
    zh = f"{zh_head}：{answered} 家反馈，查得财产 {with_property} 家，未查得 {none} 家"
    en = f"{en_head}: {answered} agencies answered, {with_property} found property, {none} found none"
    if failed:
        zh += f"，失败 {failed} 家"
        en += f", {failed} failed"
    ticket = record.ticket
    return _part_of(
        ticket_id=ticket.ticket_id,
        request_no=ticket.request_no,
        agency=ticket.agency,
        measure=MEASURE.QUERY,
        answered_at=at,
        ok=True,
        code=CODE_OK,
        message=f"{zh}；待反馈 {outstanding} 家 / {en}; {outstanding} still to answer",
        batch=_batch_of(part=part_no, found=tuple(found), none_found=tuple(none_found), outstanding=outstanding),
    )


def _failed_answer(agency: Agency, kind: FaultKind, attempts: int) -> AgencyAnswer:
    return AgencyAnswer(
        agency=agency.code,
        ok=False,
        code=FailureCode(f"fault_{kind.value}"),
        message=(
            f"{agency.name}连续 {attempts} 次未受理查询（{kind.value}），总对总停止重试 / "
            f"{agency.name_en} did not accept the query in {attempts} attempts ({kind.value}); the hub gave up"
        ),
    )


def _hub_codes(catalogue: Catalogue) -> str:
    return " ".join(a.code for a in catalogue.by_group(AgencyGroup.HUB)) or "-"
