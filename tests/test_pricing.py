"""The pricing platform: 网络询价 (3 platforms, 3 days + one 3-day extension, average) and 委托评估."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core_flow.errors import UserError
from core_flow.legal_calendar import Policy
from core_flow.protocol import AssetKind
from mock_agencies.auction import CST
from mock_agencies.platform_periods import LegalPeriod
from mock_agencies.pricing import PricingConfig, PricingMethod, PricingPlatform, PricingStatus

NOW = datetime(2026, 4, 1, 10, 0, tzinfo=CST)
URL = "http://court.test/pricing"


def inquiry(p: PricingPlatform, asset_id: str = "房产1", request_no: str = "R1", **kw):
    args = dict(
        request_no=request_no,
        court_code="410811",
        case_no="(2026)豫0811执1号",
        asset_id=asset_id,
        asset_kind=AssetKind.REAL_ESTATE,
        callback_url=URL,
        now=NOW,
    )
    args.update(kw)
    return p.request_inquiry(**args)


def appraisal(p: PricingPlatform, asset_id: str = "房产1", request_no: str = "E1", **kw):
    args = dict(
        request_no=request_no,
        court_code="410811",
        case_no="(2026)豫0811执1号",
        asset_id=asset_id,
        asset_kind=AssetKind.REAL_ESTATE,
        callback_url=URL,
        now=NOW,
    )
    args.update(kw)
    return p.commission_appraisal(**args)


def completed(notices):
    return [n for n in notices if n.payload["event"] == "pricing.completed"]


def test_network_inquiry_asks_three_platforms_and_averages():
    p = PricingPlatform(1)
    v = inquiry(p)
    assert v.method is PricingMethod.NETWORK_INQUIRY and v.status is PricingStatus.PENDING
    assert v.answers == () and v.reference_price_cents is None
    notices = p.advance(NOW + timedelta(days=7))
    [done] = completed(notices)
    r = p.get(v.pricing_id)
    assert r.status is PricingStatus.COMPLETED
    assert len({a.provider for a in r.answers}) == 3
    prices = [a.price_cents for a in r.answers]
    assert abs(r.reference_price_cents * 3 - sum(prices)) <= 1  # the average, to the cent
    assert done.url == URL and done.payload["reference_price_cents"] == r.reference_price_cents
    assert r.completed_at == max(a.answered_at for a in r.answers)
    assert done.payload["at"] == r.completed_at.isoformat()
    assert r.valid_until == r.completed_at.replace(year=r.completed_at.year + 1)
    assert p.advance(NOW + timedelta(days=30)) == []  # reported once


@settings(max_examples=40, deadline=None)
@given(asset=st.text(min_size=1, max_size=12), seed=st.integers(0, 2**31))
def test_every_platform_answers_within_three_days_or_six_after_its_one_extension(asset, seed):
    p = PricingPlatform(seed, PricingConfig(inquiry_extension_probability=0.5))
    v = inquiry(p, asset_id=asset)
    # the legal calendar: 3 days from Wed 4-01 end Sat 4-04 (清明, 4-04–4-06) → Tue 4-07, 24:00; the 3-day
    # extension runs from there: Fri 4-10, 24:00
    three, six = datetime(2026, 4, 8, tzinfo=CST), datetime(2026, 4, 11, tzinfo=CST)
    notices = p.advance(NOW + timedelta(days=10))
    r = p.get(v.pricing_id)
    assert r.status is PricingStatus.COMPLETED and len(r.answers) == 3
    extended = {n.payload["provider"] for n in notices if n.payload["event"] == "pricing.extended"}
    ext_notices = [n for n in notices if n.payload["event"] == "pricing.extended"]
    assert len(ext_notices) == len(extended)  # at most one extension each
    for n in ext_notices:
        assert n.payload["at"] == three.isoformat()
    for a in r.answers:
        assert a.extensions == (a.provider in extended)
        limit = six if a.provider in extended else three
        assert NOW < a.answered_at <= limit
        assert a.due_at == limit


def test_partial_answers_before_completion():
    p = PricingPlatform(5, PricingConfig(inquiry_extension_probability=0.0))
    v = inquiry(p)
    p.advance(NOW + timedelta(days=3))
    times = sorted(a.answered_at for a in p.get(v.pricing_id).answers)
    p2 = PricingPlatform(5, PricingConfig(inquiry_extension_probability=0.0))
    inquiry(p2)
    assert p2.advance(times[1] - timedelta(seconds=1)) == []
    r = p2.get(v.pricing_id)
    assert r.status is PricingStatus.PENDING and len(r.answers) == 1
    assert completed(p2.advance(times[2]))


def test_answers_are_deterministic_per_seed_and_asset():
    def prices(seed, request_no, asset):
        p = PricingPlatform(seed)
        v = inquiry(p, asset_id=asset, request_no=request_no)
        p.advance(NOW + timedelta(days=6))
        return [(a.provider, a.price_cents, a.answered_at) for a in p.get(v.pricing_id).answers]

    assert prices(1, "R1", "房产1") == prices(1, "R-other", "房产1")
    assert prices(1, "R1", "房产1") != prices(2, "R1", "房产1")
    assert prices(1, "R1", "房产1") != prices(1, "R1", "房产2")


def test_given_market_value_answers_scatter_around_it():
    p = PricingPlatform(9)
    v = inquiry(p, market_value_cents=50_000_000)
    p.advance(NOW + timedelta(days=6))
    r = p.get(v.pricing_id)
    assert 0.8 * 50_000_000 < r.reference_price_cents < 1.2 * 50_000_000
    assert len({a.price_cents for a in r.answers}) > 1  # three opinions, not one


def test_request_no_is_idempotent_and_conflicts_on_other_terms():
    p = PricingPlatform(1)
    v = inquiry(p)
    assert inquiry(p) == v
    with pytest.raises(UserError) as e:
        inquiry(p, asset_id="别的财产")
    assert e.value.where == "request_no" and e.value.code == "conflict"
    with pytest.raises(UserError) as e:
        p.get("PR-nope")
    assert e.value.code == "not_found"


def test_bad_input_is_refused():
    p = PricingPlatform(1)
    with pytest.raises(UserError) as e:
        inquiry(p, now=datetime(2026, 4, 1, 10, 0))
    assert e.value.where == "now"
    with pytest.raises(UserError) as e:
        inquiry(p, market_value_cents=0)
    assert e.value.where == "market_value_cents"
    with pytest.raises(ValueError):
        inquiry(p, asset_kind="spaceship")


@settings(max_examples=40, deadline=None)
@given(asset=st.text(min_size=1, max_size=12), seed=st.integers(0, 2**31))
def test_appraisal_within_30_days_and_at_most_two_15_day_extensions(asset, seed):
    p = PricingPlatform(seed, PricingConfig(appraisal_extension_weights=(1, 1, 1)))
    v = appraisal(p, asset_id=asset)
    # counted by the legal calendar: 30 days from 4-01 end on 5-01 (劳动节, 5-01–5-05) → 5-06, 24:00; each 15-day
    # extension runs from the end of the period before: 5-21 24:00, 6-05 24:00
    ends = [datetime(2026, 5, 7, tzinfo=CST), datetime(2026, 5, 22, tzinfo=CST), datetime(2026, 6, 6, tzinfo=CST)]
    assert v.method is PricingMethod.APPRAISAL and v.due_at == ends[0]
    notices = p.advance(NOW + timedelta(days=70))
    r = p.get(v.pricing_id)
    [report] = r.answers
    ext = [n for n in notices if n.payload["event"] == "pricing.extended"]
    assert len(ext) == report.extensions <= 2
    assert [n.payload["at"] for n in ext] == [ends[k].isoformat() for k in range(len(ext))]
    assert NOW < report.answered_at <= ends[report.extensions]
    if report.extensions:
        assert report.answered_at > ends[report.extensions - 1]
    assert r.reference_price_cents == report.price_cents
    assert [n.payload["event"] for n in notices][-1] == "pricing.completed"


def test_appraisal_extension_is_visible_while_pending():
    cfg = PricingConfig(appraisal_extension_weights=(0, 0, 1))  # always two extensions
    p = PricingPlatform(3, cfg)
    v = appraisal(p)
    p.advance(datetime(2026, 5, 7, tzinfo=CST))  # the 30 days end (rolled over 劳动节): the first extension shows
    r = p.get(v.pricing_id)
    assert r.status is PricingStatus.EXTENDED and r.due_at == datetime(2026, 5, 22, tzinfo=CST)
    p.advance(datetime(2026, 5, 22, 1, tzinfo=CST))
    assert p.get(v.pricing_id).due_at == datetime(2026, 6, 6, tzinfo=CST)


def test_validity_from_29_february_ends_28_february():
    cfg = PricingConfig(inquiry_extension_probability=0.0,
                        inquiry_period=LegalPeriod("2h", Policy.NATURAL, "a short test period"))
    p = PricingPlatform(1, cfg)
    leap = datetime(2028, 2, 29, 0, 0, tzinfo=CST)
    v = inquiry(p, now=leap)
    p.advance(leap + timedelta(hours=3))  # an hour period starts at the next full hour
    r = p.get(v.pricing_id)
    assert r.completed_at.date() == leap.date()
    assert r.valid_until == r.completed_at.replace(year=2029, day=28)


def test_next_due_is_the_next_change():
    p = PricingPlatform(2, PricingConfig(inquiry_extension_probability=0.5))
    assert p.next_due() is None
    ids = []
    for i in range(4):
        ids.append(inquiry(p, asset_id=f"A{i}", request_no=f"R{i}").pricing_id)
        ids.append(appraisal(p, asset_id=f"A{i}", request_no=f"E{i}").pricing_id)

    def state():
        return [p.get(x) for x in ids]

    steps = 0
    while (due := p.next_due()) is not None:
        before = state()
        assert p.advance(due - timedelta(seconds=1)) == [] and state() == before  # nothing earlier
        notices = p.advance(due)
        assert notices or state() != before  # something happened at ``due``
        steps += 1
    assert steps >= len(ids)
    assert all(v.status is PricingStatus.COMPLETED for v in state())


def test_a_platform_saved_before_the_pending_index_is_restored_with_it():
    import pickle

    def build() -> PricingPlatform:
        p = PricingPlatform(1)
        inquiry(p)
        appraisal(p)
        return p

    old = pickle.loads(pickle.dumps(build()))
    del old._pending  # as an earlier version saved it
    restored = pickle.loads(pickle.dumps(old))
    never = build()
    at = NOW + timedelta(days=40)
    assert [n.payload for n in restored.advance(at)] == [n.payload for n in never.advance(at)]
    assert restored.next_due() is None and not restored._pending
