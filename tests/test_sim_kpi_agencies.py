"""What each agency handles (the planner's 查控 desk): a 集约查询 or a 终本 sweep goes to the 总对总 system naming its
scope, and the system forwards it to every agency in it — each counts it, once however often the court's gateway
re-sent the request (the hub answers a repeated request number with the same ticket). Before, only the court's own
requests counted: the hub's row held every 集约查询 and sweep, and a bank's desk saw only the handlers' manual
queries (the default court-year: ICBC 1,534 requests a year for ~4,000 cases each queried at ICBC). The total per day
is what the agencies handle: the hub's own row is not counted again; what the court itself sends (its gateway's load,
each attempt) is ``court_requests_per_day``."""

from __future__ import annotations

from datetime import datetime

from core_flow.engine import Event, EventKind
from core_flow.legal_calendar import CST
from core_flow.protocol import HUB
from sim.kpi import Collector
from sim.replicate import make_units, run_units
from tests.sim_support import small_court

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)


def _sent(at: datetime, agency: str, no: str, scope: list[str] | None = None, attempt: int = 1) -> Event:
    data = {"kind": "sent", "agency": agency, "request_no": no, "attempt": attempt}
    if scope is not None:
        data["scope"] = scope
    return Event(at, "K1", EventKind.EXCHANGE, None, "", None, data)


def test_a_hub_request_counts_at_every_agency_of_its_scope_once():
    k = Collector(ORIGIN, ORIGIN)
    at = ORIGIN.replace(hour=10)
    k(_sent(at, HUB, "R1", ["icbc", "ccb"]))
    k(_sent(at.replace(hour=11), HUB, "R1", ["icbc", "ccb"], attempt=2))  # the gateway's retry: forwarded once
    k(_sent(at, "icbc", "R2"))  # a handler's own query
    assert k.requests[(HUB, 0)] == 2  # what the court sent the hub (both attempts reached it)
    assert k.requests[("icbc", 0)] == 2 and k.requests[("ccb", 0)] == 1
    assert k.requests_hour[("ccb", 0, 10)] == 1 and k.requests_hour[("ccb", 0, 11)] == 0
    assert k.court_sent == 3  # what the court's gateway sent: both attempts to the hub and the handler's query


def test_a_court_year_counts_the_banks_the_hub_forwards_to():
    [r] = run_units(make_units([("法院", small_court(250, judges=1, clerks=1))], years=0.15, replications=1,
                               seed=99), backend="serial")
    agencies = r["agencies"]
    hub = agencies[HUB]["total"]
    assert hub > 0
    # ICBC is in every 集约查询's and every sweep's scope: it handles at least what the hub was sent, once each
    assert agencies["icbc"]["total"] >= hub, (agencies["icbc"], hub)
    others = sum(v["total"] for code, v in agencies.items() if code != HUB)
    days = r["kpi"]["agency_requests_per_day"] and others / r["kpi"]["agency_requests_per_day"]
    assert round(days) == round(r["meta"]["years"] * 365)  # the total per day: the agencies', not the hub's again
    # the court's own sends per day: each row the court sent to (the hub's, the registries', the handlers' queries)
    # — not what the hub forwarded, so well below what the agencies receive
    sent = r["kpi"]["court_requests_per_day"] * days
    assert sent < others and sent >= hub
