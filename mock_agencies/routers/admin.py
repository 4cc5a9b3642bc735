"""The admin API: namespaces (test sessions), profiles and faults, pins, the virtual clock, the journal.

Every namespace is isolated; ``PUT /admin/sessions/{namespace}`` creates or replaces one (seed, profile,
overrides, time scale, clock origin), ``POST …/reset`` starts it afresh with the same settings and leaves
every other namespace alone. Tests skip time with ``POST …/advance`` — answers and callbacks due on the way
are produced at their own virtual instants.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from core_flow.errors import UserError
from core_flow.protocol import (
    ID_NUMBER_PATTERN,
    STRICT_DATETIME,
    STRICT_INT,
    Cents,
    Holding,
    StrictBool,
    StrictNumber,
    TicketStatus,
)
from mock_agencies.clock import as_cst
from mock_agencies.deps import get_manager
from mock_agencies.ledger import FreezeView
from mock_agencies.masking import mask_data
from mock_agencies.namespaces import NAMESPACE_PATTERN, SessionManager
from mock_agencies.profiles import load_profile, profile_names
from mock_agencies.session import Session, SessionConfig

router = APIRouter(prefix="/admin", tags=["admin / 管理"])

NS_PATH = Path(pattern=NAMESPACE_PATTERN, description="命名空间 / namespace")
MAX_SKIP = timedelta(days=3660)  # at most ten years per advance


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


JsonDatetime = Annotated[datetime, STRICT_DATETIME]
# _plausible's range as the schema states it (a date-time string starting with a year 1970-2200)
_PLAUSIBLE = {"pattern": r"^(19[7-9][0-9]|2[01][0-9]{2}|2200)-"}


def _plausible(value: datetime | None) -> datetime | None:
    """A virtual instant in CST between 1970 and 2200 (the clock does arithmetic on it)."""
    if value is None:
        return None
    try:
        converted = as_cst(value)
    except OverflowError:
        converted = None
    if converted is None or not 1970 <= converted.year <= 2200:
        raise ValueError("时间须在 1970–2200 年之间 / the time must be within 1970-2200")
    return converted


class SessionSpec(_In):
    seed: Annotated[int, Field(ge=0, le=2**53 - 1), *STRICT_INT] | None = Field(
        default=None, description="种子（JSON 安全整数）/ seed (a JSON-safe integer)"
    )
    profile: str | None = Field(default=None, max_length=64, description="行为配置 / behaviour profile")
    overrides: dict[str, dict[str, Any]] | None = Field(
        default=None, description="按 * / 类别 / 机构代码 覆盖行为 / behaviour overrides by *, class or code"
    )
    time_scale: Annotated[StrictNumber, Field(ge=0, le=1e6)] | None = Field(
        default=None, description="虚拟时间倍速 / time scale"
    )
    origin: JsonDatetime | None = Field(
        default=None, json_schema_extra=_PLAUSIBLE, description="虚拟时钟起点（1970–2200 年）/ clock origin (1970-2200)"
    )
    simulated_bidders: StrictBool = Field(
        default=True,
        description="拍卖平台的模拟竞买人；false 时只有客户端的竞买人出价 / simulated bidders on the auction "
                    "platforms; false: only the client's bidders bid")

    _origin = field_validator("origin")(_plausible)


class ProfilePatch(_In):
    profile: str | None = Field(default=None, max_length=64)
    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    replace: StrictBool = Field(default=False, description="替换而非合并已有覆盖 / replace existing overrides")


class FaultSpec(_In):
    scope: str = Field(default="*", max_length=64, description="* / 类别 / 机构代码 — *, class or agency code")
    error_5xx: StrictNumber = Field(default=0.0, ge=0, le=1)
    timeout: StrictNumber = Field(default=0.0, ge=0, le=1)
    reset: StrictNumber = Field(default=0.0, ge=0, le=1)
    rate_limit: StrictNumber = Field(default=0.0, ge=0, le=1)
    lost_answer: StrictNumber = Field(default=0.0, ge=0, le=1, description=(
        "请求已办理、答复丢失（504）：法院须以同一请求编号重发 / the request is carried out, its answer lost (504): "
        "the court must send it again with the same request number"))
    retry_after_min_seconds: Annotated[int, Field(ge=0, le=86400), *STRICT_INT] = 1
    retry_after_max_seconds: Annotated[int, Field(ge=0, le=86400), *STRICT_INT] = 30


MAX_PIN_HOLDINGS = 100  # holdings of one debtor at one agency in one pin
MAX_BATCH_PINS = 1000  # pins in one batch
MAX_BATCH_HOLDINGS = 10_000  # holdings in one batch, all pins together


class PinSpec(_In):
    agency: str = Field(max_length=64, description="受理查询的协助单位代码 / an agency that answers queries")
    id_number: str = Field(min_length=18, max_length=18, pattern=ID_NUMBER_PATTERN,
                           description="被执行人的身份证号或统一社会信用代码 / the debtor's ID number or credit code")
    holdings: list[Holding] = Field(max_length=MAX_PIN_HOLDINGS)


class PinBatch(_In):
    pins: list[PinSpec] = Field(max_length=MAX_BATCH_PINS, description="按顺序设定 / pinned in order")

    @model_validator(mode="after")
    def _bounded(self) -> PinBatch:
        total = sum(len(p.holdings) for p in self.pins)
        if total > MAX_BATCH_HOLDINGS:
            raise ValueError(
                f"一批最多 {MAX_BATCH_HOLDINGS} 项财产（本批 {total} 项）/ at most {MAX_BATCH_HOLDINGS} holdings in "
                f"one batch ({total} here)"
            )
        return self


class AdvanceSpec(_In):
    """给出 seconds 或 to 之一 / exactly one of seconds and to."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["seconds"]}, {"required": ["to"]}]}
    )

    seconds: Annotated[StrictNumber, Field(ge=0, le=MAX_SKIP.total_seconds())] = Field(
        default=None, description="推进秒数（至多十年）/ seconds to skip (at most ten years)"
    )
    to: JsonDatetime = Field(
        default=None, json_schema_extra=_PLAUSIBLE,
        description="推进到（无时区视为北京时间）/ advance to (CST if naive)",
    )

    _to = field_validator("to")(_plausible)

    @model_validator(mode="after")
    def _one(self) -> AdvanceSpec:
        if (self.seconds is None) == (self.to is None):
            raise ValueError("seconds 与 to 须且仅须给出一个 / give exactly one of seconds and to")
        return self


class ClockPatch(_In):
    time_scale: StrictNumber = Field(ge=0, le=1e6, description="虚拟时间倍速 / time scale")


MAX_ANCHOR_GAP_SECONDS = 3600.0  # a court's real anchor further from the server's wall clock is refused


class ClockAlign(_In):
    """The court's clock, read once at start: the agencies' clock is set to follow it."""

    now: JsonDatetime = Field(
        json_schema_extra=_PLAUSIBLE,
        description="法院时钟的虚拟时刻（无时区视为北京时间；1970–2200 年）/ the court clock's virtual now "
        "(CST if naive; 1970-2200)",
    )
    time_scale: StrictNumber = Field(ge=0, le=1e6, description="法院时钟的倍速 / the court clock's scale")
    real_anchor: Annotated[StrictNumber, Field(ge=0, le=1e11)] | None = Field(
        default=None,
        description=(
            "读取 now 时的真实时刻（Unix 秒）；缺省为本请求到达之时 / the real instant at which `now` was read "
            "(Unix seconds, e.g. time.time()); default: when this request arrives"
        ),
    )

    _now = field_validator("now")(_plausible)


class CourtAccountSpec(_In):
    court_code: str = Field(min_length=1, max_length=32)
    case_no: str = Field(min_length=1, max_length=64)


class PayoutSpec(_In):
    amount_cents: Cents = Field(description="发放金额（分）/ amount in cents")
    payee: str = Field(default="申请执行人", min_length=1, max_length=128, description="收款人 / payee")


_FREEZE_VIEW = TypeAdapter(FreezeView)


def _session(manager: SessionManager, namespace: str) -> Session:
    return manager.get_or_create(namespace)


def _unknown_profile(name: str) -> None:
    if name not in profile_names():
        load_profile(name)  # raises the bilingual UserError


@router.get("/profiles", summary="行为配置 / behaviour profiles")
async def list_profiles() -> list[dict[str, Any]]:
    return [load_profile(name).as_dict() for name in profile_names()]


@router.get("/sessions", summary="命名空间列表 / namespaces")
async def list_sessions(manager: SessionManager = Depends(get_manager)) -> list[dict[str, Any]]:
    return [s.info() for s in manager.sessions.values()]


@router.put("/sessions/{namespace}", summary="创建或替换命名空间 / create or replace a namespace")
async def put_session(
    spec: SessionSpec = Body(default_factory=SessionSpec),
    namespace: str = NS_PATH,
    manager: SessionManager = Depends(get_manager),
) -> dict[str, Any]:
    base = manager.default_config()
    if spec.profile is not None:
        _unknown_profile(spec.profile)
    config = SessionConfig(
        seed=base.seed if spec.seed is None else spec.seed,
        profile=spec.profile or base.profile,
        overrides=spec.overrides or {},
        time_scale=base.time_scale if spec.time_scale is None else spec.time_scale,
        origin=base.origin if spec.origin is None else as_cst(spec.origin),
        simulated_bidders=spec.simulated_bidders,
    )
    return manager.create(namespace, config).info()


@router.get("/sessions/{namespace}", summary="命名空间状态 / a namespace's state")
async def get_session_info(namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)) -> dict:
    return _session(manager, namespace).info()


@router.post("/sessions/{namespace}/reset", summary="重置命名空间 / reset one namespace")
async def reset_session(namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)) -> dict:
    _session(manager, namespace)
    return manager.reset(namespace).info()


@router.delete("/sessions/{namespace}", status_code=204, summary="删除命名空间 / delete a namespace",
               responses={404: {"description": "没有这个命名空间 / no such namespace"}})
async def delete_session(namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)) -> Response:
    manager.drop(namespace)
    return Response(status_code=204)


@router.patch("/sessions/{namespace}/profile", summary="修改行为配置 / change the behaviour profile")
async def patch_profile(
    patch: ProfilePatch, namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    name = patch.profile or session.profile.name
    current = {} if patch.replace or name != session.profile.name else session.profile.overrides
    profile = load_profile(name, current or None).with_overrides(patch.overrides)
    session.set_profile(profile)
    return session.info()


@router.put("/sessions/{namespace}/faults", summary="设置故障率 / set fault rates")
async def put_faults(
    spec: FaultSpec, namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    faults = spec.model_dump(exclude={"scope"})
    session.set_profile(session.profile.with_overrides({spec.scope: {"faults": faults}}))
    return session.info()


@router.get("/sessions/{namespace}/behaviour/{agency}", summary="某机构的生效行为 / an agency's behaviour")
async def get_behaviour(
    agency: str = Path(max_length=64), namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    return session.behaviour(session.catalogue.get(agency)).model_dump(mode="json")


@router.put("/sessions/{namespace}/pins", summary="设定财产 / pin a debtor's holdings at an agency",
            responses={404: {"description": "未知机构 / unknown agency"}})
async def put_pin(
    pin: PinSpec, namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    session.world.pin(pin.id_number, pin.agency, pin.holdings)
    return {"agency": pin.agency, "id_number": pin.id_number, "holdings": len(pin.holdings)}


@router.post("/sessions/{namespace}/pins/batch", summary="批量设定财产 / pin many holdings at once, in order",
             responses={404: {"description": "未知机构（此前的设定已生效）/ unknown agency (earlier pins apply)"}})
async def post_pins(
    batch: PinBatch, namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    for i, pin in enumerate(batch.pins):
        try:
            session.world.pin(pin.id_number, pin.agency, pin.holdings)
        except UserError as err:  # the pins before it stay applied, as with one PUT …/pins each
            where = f"body.pins[{i}]" + (f".{err.where}" if err.where else "")
            raise UserError(err.zh, err.en, where=where, code=err.code) from None
    return {"pins": len(batch.pins), "holdings": sum(len(p.holdings) for p in batch.pins)}


@router.delete("/sessions/{namespace}/pins/{agency}/{id_number}", summary="取消设定 / unpin")
async def delete_pin(
    agency: str = Path(max_length=64),
    id_number: str = Path(max_length=18),
    namespace: str = NS_PATH,
    manager: SessionManager = Depends(get_manager),
) -> dict[str, Any]:
    session = _session(manager, namespace)
    return {"removed": session.world.unpin(id_number, agency)}


@router.get("/sessions/{namespace}/clock", summary="虚拟时钟 / the virtual clock")
async def get_clock(namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)) -> dict:
    session = _session(manager, namespace)
    clock = session.clock
    return {
        "now": clock.now().isoformat(),
        "origin": clock.origin.isoformat(),
        "time_scale": clock.scale,
        "next_due": (lambda t: t.isoformat() if t else None)(session.next_due()),
    }


@router.patch("/sessions/{namespace}/clock", summary="修改时间倍速 / change the time scale")
async def patch_clock(
    patch: ClockPatch, namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    session.clock.set_scale(patch.time_scale)
    session.config.time_scale = patch.time_scale
    manager.wake.set()
    return {"now": session.now().isoformat(), "time_scale": session.clock.scale}


@router.put(
    "/sessions/{namespace}/clock",
    summary="对齐虚拟时钟 / align the virtual clock with the court's",
    responses={409: {"description": "已有工单或待办时不能倒退，或时钟跟随进程内法院 / cannot go back once there are "
                                    "tickets or pending items, or the clock follows an in-process court"}},
    description=(
        "法院经 HTTP 使用模拟机构时，启动时调用一次：给出法院时钟的虚拟时刻 `now`、倍速 `time_scale` 与读取 `now` 时的"
        "真实时刻 `real_anchor`（Unix 秒），本命名空间的时钟即按 now + (当前真实时刻 − real_anchor) × time_scale 设定，"
        "此后以同一倍速运行，两者不再漂移。命名空间已有工单或待办时不能倒退（409，先重置）；跟随进程内法院时钟的命名空间"
        "不能对齐（409）。/ Called once at start by a court that reaches the agencies over HTTP: the court's virtual "
        "`now`, its `time_scale` and the real instant `real_anchor` (Unix seconds) at which it read `now`. The "
        "namespace's clock is set to now + (real now − real_anchor) × time_scale and runs at that scale from then on, "
        "so the two do not drift. It cannot go back once the namespace has tickets or pending items (409: reset "
        "first); a namespace whose clock follows an in-process court cannot be aligned (409)."
    ),
)
async def align_clock(
    spec: ClockAlign, request: Request, namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    wall = request.app.state.wall_clock()
    anchor = wall if spec.real_anchor is None else spec.real_anchor
    gap = wall - anchor
    if abs(gap) > MAX_ANCHOR_GAP_SECONDS:
        raise UserError(
            f"real_anchor 与本服务的真实时钟相差 {gap:.0f} 秒（上限 {MAX_ANCHOR_GAP_SECONDS:.0f} 秒）："
            "两台机器的时钟是否一致？",
            f"real_anchor is {gap:.0f} s from this server's wall clock (at most {MAX_ANCHOR_GAP_SECONDS:.0f} s): "
            "are both machines' clocks set?",
            where="body.real_anchor",
        )
    before = session.now()
    target = as_cst(spec.now) + timedelta(seconds=gap * spec.time_scale)
    now = session.align_clock(target, spec.time_scale)
    manager.wake.set()
    return {
        "now": now.isoformat(),
        "origin": session.clock.origin.isoformat(),
        "time_scale": session.clock.scale,
        "shift_seconds": (now - before).total_seconds(),
    }


@router.post("/sessions/{namespace}/advance", summary="推进虚拟时间 / skip virtual time")
async def advance(
    spec: AdvanceSpec, namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    runner = manager.runner(namespace)
    if spec.to is not None:
        to = as_cst(spec.to)
        if to - session.now() > MAX_SKIP:
            raise UserError("一次最多推进十年", "advance at most ten years at a time", where="body.to")
        return await runner.advance(to=to)
    return await runner.advance(by=timedelta(seconds=spec.seconds or 0.0))


@router.get("/sessions/{namespace}/journal", summary="请求日志 / the request journal")
async def get_journal(
    namespace: str = NS_PATH,
    limit: int | None = Query(default=None, ge=0, le=100_000),
    kind: str | None = Query(default=None, max_length=32),
    manager: SessionManager = Depends(get_manager),
) -> dict[str, Any]:
    journal = _session(manager, namespace).journal
    entries = journal.entries(limit, kind)
    if not manager.settings.unmask:  # ID and account numbers masked (setting unmask shows them)
        entries = mask_data(entries)
    return {"size": journal.maxlen, "total": journal.total, "entries": entries}


@router.get("/sessions/{namespace}/callbacks", summary="回调投递 / callback deliveries")
async def get_callbacks(namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)) -> dict:
    outbox = _session(manager, namespace).outbox
    return {
        "pending": [d.as_dict() for d in outbox.pending()],
        "done": [d.as_dict() for d in outbox.done],
    }


@router.get("/sessions/{namespace}/ledger", summary="台账总额 / ledger totals")
async def get_ledger(namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)) -> dict:
    ledger = _session(manager, namespace).ledger
    return {"total_cents": ledger.total_cents(), "origin_cents": ledger.origin_cents()}


@router.get(
    "/sessions/{namespace}/holdings/{agency}/{id_number}",
    response_model=list[Holding],
    summary="当前财产（台账视图）/ current holdings as the ledger sees them",
)
async def get_holdings(
    agency: str = Path(max_length=64),
    id_number: str = Path(min_length=18, max_length=18, pattern=ID_NUMBER_PATTERN),
    namespace: str = NS_PATH,
    manager: SessionManager = Depends(get_manager),
) -> Any:
    session = _session(manager, namespace)
    session.catalogue.get(agency)
    now = session.now()
    session.pump(now)
    return list(session.ledger.holdings(agency, id_number, now))


@router.post("/sessions/{namespace}/court-accounts", summary="开立一案一账号 / open a case sub-account")
async def open_court_account(
    spec: CourtAccountSpec, namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    accounts = _session(manager, namespace).ledger.court_accounts
    sub = accounts.open(spec.court_code, spec.case_no)
    return {"sub_account": sub, "balance_cents": accounts.balance(sub)}


@router.get("/sessions/{namespace}/court-accounts/{sub}", summary="一案一账号 / a case sub-account")
async def get_court_account(
    sub: str = Path(max_length=128), namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    session.pump(session.now())
    accounts = session.ledger.court_accounts
    return {
        "sub_account": sub,
        "balance_cents": accounts.balance(sub),
        "entries": [
            {
                "seq": e.seq,
                "kind": e.kind.value,
                "amount_cents": e.amount_cents,
                "counterparty": e.counterparty,
                "balance_after_cents": e.balance_after_cents,
                "at": e.at.isoformat() if e.at else None,
            }
            for e in accounts.entries(sub)
        ],
    }


@router.post("/sessions/{namespace}/court-accounts/{sub}/payouts", summary="案款发放 / pay out from a case sub-account")
async def pay_out_court_account(
    spec: PayoutSpec,
    sub: str = Path(max_length=128),
    namespace: str = NS_PATH,
    manager: SessionManager = Depends(get_manager),
) -> dict[str, Any]:
    session = _session(manager, namespace)
    now = session.now()
    session.pump(now)
    accounts = session.ledger.court_accounts
    if not accounts.exists(sub):
        raise UserError(
            f"一案一账号不存在：{sub}", f"unknown case sub-account: {sub}", where="path.sub", code="not_found"
        )
    try:
        entry = accounts.pay_out(sub, spec.amount_cents, spec.payee, now=now)
    except UserError as err:  # beyond the balance: name the body's field
        raise UserError(err.zh, err.en, where=f"body.{err.where}", code=err.code) from None
    return {
        "sub_account": sub,
        "seq": entry.seq,
        "amount_cents": entry.amount_cents,
        "payee": entry.counterparty,
        "balance_cents": entry.balance_after_cents,
        "at": now.isoformat(),
    }


@router.get("/sessions/{namespace}/freezes/{freeze_id}", summary="台账中的一项冻结或查封 / one freeze or seal")
async def get_freeze(
    freeze_id: str = Path(max_length=64), namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    session.pump(session.now())
    view = session.ledger.find_freeze(freeze_id)
    if view is None:
        raise UserError(
            f"台账中没有冻结或查封 {freeze_id}",
            f"no freeze or seal {freeze_id} in the ledger",
            where="path.freeze_id",
            code="not_found",
        )
    return _FREEZE_VIEW.dump_python(view, mode="json")


@router.get(
    "/sessions/{namespace}/tickets/{ticket_id}", summary="工单及其应答时刻 / a ticket and when its answer is due"
)
async def get_ticket(
    ticket_id: str = Path(max_length=64), namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    session = _session(manager, namespace)
    session.pump(session.now())
    record = session.tickets.get(ticket_id)
    if record is None:
        raise UserError(f"没有工单 {ticket_id}", f"no ticket {ticket_id}", where="path.ticket_id", code="not_found")
    return {
        "ticket": record.ticket.model_dump(mode="json"),
        "due_at": record.due_at.isoformat(),
        "held": record.held,
        "answered": record.ticket.status is TicketStatus.ANSWERED,
    }


@router.get("/sessions/{namespace}/debtors/{index}", summary="世界中的被执行人 / a debtor of the world")
async def get_debtor(
    index: int = Path(ge=0), namespace: str = NS_PATH, manager: SessionManager = Depends(get_manager)
) -> dict[str, Any]:
    debtor = _session(manager, namespace).world.debtor(index)
    return {
        "index": debtor.index,
        "kind": debtor.kind.value,
        "name": debtor.name,
        "id_number": debtor.id_number,
        "region": debtor.region,
        "address": debtor.address,
        "phone": debtor.phone,
    }
