"""自行查询 of several agencies at once (``Platform.manual_query_scope``), as a handler selects them on the 总对总
system: each recorded on the case, sent as one 总对总 query naming them (or one query each where the court reaches
the agencies directly), and each agency's answer told as a single manual query's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core_flow.engine import EventKind
from core_flow.engine import commands as c
from sim.assembly import build_virtual_court
from tests.test_platform import ORIGIN, deposit, person

AGENCIES = ("icbc", "ccb", "alipay")


def _preservation_case(via: str, **court_options):  # type: ignore[no-untyped-def]
    """A court reaching the agencies ``via`` the hub or directly, a 财产保全 case P1 filed, assigned and its debtor's
    identity passed; the agencies' answers told (``manual_answered``) collected in ``court.told``."""
    court = build_virtual_court(ORIGIN, seed=8, clerk=False, **court_options)
    court.platform.inquiry_via = via
    debtor = person(court, 31)
    court.platform.file(c.FileCase("P1", case_type="preservation", debtors=(debtor.id_number,),
                                   amount_cents=80_000_00), [debtor.subject()])
    court.platform.submit(c.Assign("P1", "张法官"))
    court.platform.submit(c.VerifyIdentity("P1", debtor.id_number, True))
    court.told = []
    court.platform.listeners.append(lambda kind, data: kind == "manual_answered" and court.told.append(data))
    return court, debtor


@pytest.mark.parametrize("via", ["hub", "direct"])
def test_several_agencies_queried_at_once_each_answer_told(via):
    court, debtor = _preservation_case(via)
    for agency in AGENCIES:
        court.session.world.pin(debtor.id_number, agency, [])
    court.session.world.pin(debtor.id_number, "icbc", [deposit(court, debtor.id_number, "icbc", 1, 50_000_00)])
    assert court.platform.manual_query_scope("P1", debtor.id_number, AGENCIES) == AGENCIES
    court.run_for(timedelta(hours=4))
    sent = [e.data for e in court.runtime.case_events("P1") if e.kind == EventKind.EXCHANGE
            and e.data["kind"] == "sent" and e.data["measure"] == "manual"]
    if via == "hub":
        assert [(d["agency"], tuple(d["scope"])) for d in sent] == [("zdz", AGENCIES)]
    else:
        assert sorted(d["agency"] for d in sent) == sorted(AGENCIES)
    assert sorted((d["agency"], len(d["holdings"])) for d in court.told) == [("alipay", 0), ("ccb", 0), ("icbc", 1)]
    assert any(a.startswith("icbc:") for (k, a) in court.platform.assets if k == "P1")
    recorded = [e for e in court.runtime.case_events("P1") if e.kind == EventKind.MANUAL_QUERY]
    assert sorted(e.data["agency"] for e in recorded) == sorted(AGENCIES)


def test_an_unknown_agency_is_refused_before_anything_is_recorded():
    from core_flow.errors import UserError

    court = build_virtual_court(ORIGIN, seed=8, clerk=False)
    debtor = person(court, 31)
    court.platform.file(c.FileCase("P1", case_type="preservation", debtors=(debtor.id_number,),
                                   amount_cents=80_000_00), [debtor.subject()])
    with pytest.raises(UserError):
        court.platform.manual_query_scope("P1", debtor.id_number, ("icbc", "no_such_bank"))
    assert not [e for e in court.runtime.case_events("P1") if e.kind == EventKind.MANUAL_QUERY]


@pytest.mark.parametrize(("via", "failing"), [("direct", "icbc"), ("hub", "zdz")])
def test_a_query_nobody_will_answer_is_told_as_failed_for_each_agency(via, failing):
    """The court's gateway gives up (the agency, or the 总对总 system itself, fails every attempt): each agency the
    query named is told as answered with nothing, so a handler waiting on the answers goes on (a staffed 保全 case
    waited for good before)."""
    court, debtor = _preservation_case(via, overrides={failing: {"faults": {"error_5xx": 1.0}}})
    court.platform.manual_query_scope("P1", debtor.id_number, ("icbc",))
    court.run_for(timedelta(days=3))
    assert [d["agency"] for d in court.told] == ["icbc"] and court.told[0].get("failed")
