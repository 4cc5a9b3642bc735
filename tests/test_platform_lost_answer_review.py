"""Review R12 (2026-12-07, session 29) of the lost answers at the pricing and auction platforms (profile 0.6.2) and in
the court-side certification kit (kit 0.5.0). Each test fails on the code before its fix.

* A second auction (二拍) or a 变卖 the platform took with every answer lost — the gateway's retries and the
  ``platform_retry`` rounds all given a 504 — was asked again by the handler with a start computed anew: the platform
  (which keys a round's listing on the listing before it) refused it "already listed for this round with other terms"
  and the round ran on the platform unknown to the court, the lot held at ``unsold1`` / ``declined``. Review R10 had
  fixed this for the first listing only (``Lot.unlisted``); the later rounds now keep their start too
  (``Lot.unstarted``).

Virtual time only."""

from __future__ import annotations

from datetime import timedelta

from tests.test_disposal import Case
from tests.test_disposal_retry import NO_FAULTS, _faults, _heard

LOST = {**NO_FAULTS, "lost_answer": 1.0}
NONE = {**NO_FAULTS, "lost_answer": 0.0}


def _lost_for_good(case: Case, act) -> list[tuple[str, dict]]:  # noqa: ANN001
    """``act()`` with every answer of the auction platform lost until the gateway and its rounds gave up."""
    heard = _heard(case)
    _faults(case, "taobao", LOST)
    act()
    case.court.run_for(timedelta(days=2))
    _faults(case, "taobao", NONE)
    return heard


def test_a_second_auction_taken_with_every_answer_lost_is_the_one_asked_again():
    case = Case().fixed().listed().until_closed()
    assert case.lot.stage == "unsold1"
    first = case.lot.listing_id
    heard = _lost_for_good(case, lambda: case.d.relist(case.k, case.asset))
    assert [d["what"] for k, d in heard if k == "disposal_gave_up"] == ["auction:second"]
    second = case.court.session.auction.get(first).next_id
    assert second is not None and case.lot.stage == "unsold1"  # on the platform, unknown to the court
    case.d.relist(case.k, case.asset)  # the old code: UserError conflict "already listed … with other terms"
    assert case.lot.stage == "relisted" and case.lot.listing_id == second and case.status(26) == "done"
    assert len(case.court.session.auction._listings) == 2 and not case.lot.unstarted


def test_a_sale_taken_with_every_answer_lost_is_the_one_asked_again():
    case = Case().fixed().listed().until_closed()
    case.d.relist(case.k, case.asset)
    case.until_closed()
    case.d.offer_in_kind(case.k, case.asset, accept=False)
    assert case.lot.stage == "declined"
    second = case.lot.listing_id
    heard = _lost_for_good(case, lambda: case.d.start_sale(case.k, case.asset))
    assert [d["what"] for k, d in heard if k == "disposal_gave_up"] == ["auction:sale"]
    sale = case.court.session.auction.get(second).next_id
    assert sale is not None and case.lot.stage == "declined"
    case.d.start_sale(case.k, case.asset)  # the old code: UserError conflict
    assert case.lot.stage == "sale" and case.lot.listing_id == sale
    assert len(case.court.session.auction._listings) == 3 and not case.lot.unstarted


def test_guard_a_later_round_refused_is_asked_anew():
    """Guard (holds on the old code): a refusal keeps no start — the next ask is a new one, as for the first
    listing."""
    case = Case().fixed().listed().until_closed()
    try:
        case.d.relist(case.k, case.asset, cut_pct=21)  # refused at once: a cut above 20%
    except Exception:  # noqa: BLE001
        pass
    assert not getattr(case.lot, "unstarted", {})
    case.court.run_for(timedelta(days=1))
    case.d.relist(case.k, case.asset)
    assert case.lot.stage == "relisted"


def test_the_profiles_header_states_the_version_it_serves():
    """Review R12: profile 0.6.2 (the platforms' lost answers) was noted and served (``PROFILE_VERSION``, the OpenAPI
    document) while the profile's own header still said 0.6.1."""
    from pathlib import Path

    from core_flow.protocol import PROFILE_VERSION

    text = (Path(__file__).resolve().parents[1] / "core_flow" / "profile" / "PROFILE.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("规范版本 / profile version:"))
    assert f"**{PROFILE_VERSION}**" in header, header
    assert f"- **{PROFILE_VERSION}**" in text  # and its change is noted
