"""The composition root: one typed court specification, one builder, plugins for counterparts and staff, and one
time source per run."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from core_flow.assembly import ClockKind, CounterpartSpec, CourtSpec, StaffSpec, build_court, load_plugin, open_court
from core_flow.engine import commands as c
from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from sim.counterparts import InProcess

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def test_a_spec_builds_a_working_virtual_court() -> None:
    court = build_court(CourtSpec(origin=ORIGIN, seed=3, staff=StaffSpec(kind="clerk", options={"diligence": 1.0})))
    assert court.clock.now() == ORIGIN and court.staff is not None
    assert isinstance(court.counterpart, InProcess) and court.session is court.counterpart.session
    d = court.session.world.debtor(0)
    assert court.platform.file(c.FileCase("K", debtors=(d.id_number,), amount_cents=1_000_00),
                               [d.subject()]).accepted
    court.run_for(timedelta(days=2))
    assert court.runtime.cases["K"].inquiries  # the clerk assigned, verified; the 集约查询 went out
    assert court.session.now() == court.clock.now()  # the agencies' clock follows the court's


def test_the_spec_is_validated_and_immutable() -> None:
    with pytest.raises(ValidationError):
        CourtSpec(origin=ORIGIN, scale=0)
    with pytest.raises(ValidationError):
        CourtSpec(origin=ORIGIN, inquiry_via="fax")
    spec = CourtSpec(origin=datetime(2025, 3, 3, 1, 0))  # naive: read as China time
    assert spec.origin.tzinfo is not None
    with pytest.raises(ValidationError):
        spec.seed = 2  # type: ignore[misc]


def test_unknown_plugins_are_named_with_the_choices() -> None:
    with pytest.raises(UserError) as err:
        build_court(CourtSpec(origin=ORIGIN, counterpart=CounterpartSpec(kind="fax")))
    assert "inprocess" in err.value.en and "fax" in err.value.zh and err.value.where == "zhixing.counterparts"
    with pytest.raises(UserError) as err:
        load_plugin("zhixing.staff", "no.such.module:Thing")
    assert err.value.code == "bad_plugin"
    assert load_plugin("zhixing.counterparts", "sim.counterparts:InProcess") is InProcess  # a third party's path


def test_the_clock_kind_picks_the_builder() -> None:
    with pytest.raises(UserError) as err:
        build_court(CourtSpec(origin=ORIGIN, clock=ClockKind.REALTIME))
    assert err.value.code == "bad_clock"


def test_a_second_court_shares_the_agencies_and_the_clock() -> None:
    a = build_court(CourtSpec(origin=ORIGIN))
    b = build_court(CourtSpec(origin=ORIGIN, court=a.spec.court.__class__("R410802", "焦作市解放区人民法院", "410802",
                                                                         "焦作市中级人民法院", "河南省高级人民法院")),
                    clock=a.clock, counterpart=a.counterpart)
    assert b.clock is a.clock and b.session is a.session and b.gateway is not a.gateway


async def test_real_time_court_and_agencies_read_one_time() -> None:
    scale = 1_000_000.0
    tick = 0.005 * scale  # 5 ms of real time, in virtual seconds
    spec = CourtSpec(origin=ORIGIN, clock=ClockKind.REALTIME, scale=scale,
                     counterpart=CounterpartSpec(kind="served", world_size=1000))
    async with open_court(spec) as court:

        def bracketed() -> bool:  # the agencies' reading lies between two readings of the court's clock
            before = court.clock.now()
            agencies = court.session.now()
            after = court.clock.now()
            return before - timedelta(seconds=tick) <= agencies <= after + timedelta(seconds=tick)

        assert bracketed()
        await court.wait_until(ORIGIN + timedelta(days=1))  # a day of compressed real time (~0.09 s)
        assert court.clock.now() >= ORIGIN + timedelta(days=1)
        assert bracketed()


async def test_any_implementation_of_the_profile_is_a_real_time_counterpart() -> None:
    """The ``http`` counterpart needs only the published interface; zhixing's admin API is optional."""
    from fastapi import FastAPI

    from core_flow.assembly.http_counterpart import HttpCounterpart, needs_admin
    from core_flow.net import HOST, free_port, serve

    other = FastAPI()  # another implementation: the directory, no admin API

    @other.get("/agencies")
    def agencies() -> list[dict]:
        return [{"code": "icbc", "name": "工商银行", "group": "national_bank", "operations": ["00", "01"]}]

    port = free_port()
    served = await serve(other, HOST, port)
    try:
        spec = CourtSpec(origin=ORIGIN, clock=ClockKind.REALTIME, scale=1000.0,
                         counterpart=CounterpartSpec(kind="http", url=f"http://{HOST}:{port}"))
        async with open_court(spec) as court:
            assert isinstance(court.counterpart, HttpCounterpart) and court.counterpart.admin is None
            assert [a.code for a in court.platform.directory.agencies] == ["icbc"]
            with pytest.raises(UserError) as err:
                needs_admin(court.counterpart, "设定财产", "pinning holdings")
            assert err.value.code == "needs_admin" and "pinning holdings" in err.value.en
    finally:
        await served.stop()
    with pytest.raises(UserError) as err:
        HttpCounterpart(CourtSpec(origin=ORIGIN, counterpart=CounterpartSpec(kind="http", url="ftp://x")))
    assert err.value.code == "bad_counterpart_url"


def test_found_property_is_kept_in_the_event_record() -> None:
    """What an inquiry found is on the case's record (not only in the platform's memory)."""
    from core_flow.engine import EventKind
    from core_flow.protocol import AssetKind, Holding
    from mock_agencies.world import account_number

    court = build_court(CourtSpec(origin=ORIGIN))
    d = court.session.world.debtor(0)
    number = account_number("icbc", AssetKind.DEPOSIT, d.id_number, 1)
    court.session.world.pin(d.id_number, "icbc", [Holding(account_no=number, kind=AssetKind.DEPOSIT,
                                                          balance_cents=9_000_00, available_cents=9_000_00)])
    court.platform.file(c.FileCase("K", debtors=(d.id_number,), amount_cents=1_000_00), [d.subject()])
    court.platform.submit(c.Assign("K", "张法官"))
    court.platform.submit(c.VerifyIdentity("K", d.id_number, True))
    court.run_for(timedelta(hours=1))
    found = [e for e in court.runtime.case_events("K") if e.kind == EventKind.ANCHOR
             and e.instance == f"icbc:{number}"]
    assert found and found[0].data["anchor"] == "property_found_online"
    assert {k: found[0].data[k] for k in ("agency", "account_no", "kind", "balance_cents", "debtor")} == {
        "agency": "icbc", "account_no": number, "kind": "deposit", "balance_cents": 9_000_00, "debtor": d.id_number}


def test_the_event_log_is_written_as_it_happens_and_masked(tmp_path) -> None:
    import json

    from core_flow.eventlog import EventLog

    court = build_court(CourtSpec(origin=ORIGIN))
    d = court.session.world.debtor(0)
    log = EventLog(tmp_path / "events.jsonl").attach(court.runtime)
    court.platform.file(c.FileCase("K", debtors=(d.id_number,), amount_cents=1_000_00), [d.subject()])
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()  # before any close: on disk now
    assert lines and log.count == len(lines)
    filed = json.loads(lines[0])
    assert filed["kind"] == "filed" and d.id_number not in lines[0]
    assert filed["data"]["debtors"][0] == d.id_number[:6] + "*" * 8 + d.id_number[-4:]
    log.close()
    plain = EventLog(tmp_path / "plain.jsonl", unmasked=True).attach(court.runtime)
    court.platform.submit(c.Assign("K", "张法官"))
    court.platform.submit(c.VerifyIdentity("K", d.id_number, True))
    plain.close()
    assert d.id_number in (tmp_path / "plain.jsonl").read_text(encoding="utf-8")
