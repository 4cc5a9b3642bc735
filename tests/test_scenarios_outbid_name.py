"""``bid: {as: …}`` names the proceeds the winning bid's payment brings (scenarios/README). Review R2: each named bid
took the next receipt slot of its asset, so a named bid outbid by another named bid kept the first slot — the
loser's name held the winner's proceeds, and the winner's name waited for a receipt that never came ("has not
arrived yet"). Now the outbidding bid takes the slot; the outbid name is refused, saying who outbid it."""

from __future__ import annotations

from scenarios.loader import parse_text
from scenarios.runner import run_scenario
from tests.test_scenarios_disposal_walk import EQUITY, _explain

TWO_BIDS = EQUITY.replace(
    "    bid: {asset: 股权, bidder: 竞买人丙, as: 股权价款}\n",
    "    bid: {asset: 股权, bidder: 竞买人甲, as: 甲的价款}\n"
    "  - bid: {asset: 股权, bidder: 竞买人丙, as: 股权价款}\n")


def _run(text: str):  # noqa: ANN202
    (sc,), bad = parse_text(text, "f.scenario.yaml")
    assert not bad, bad
    return run_scenario(sc)


def test_the_winning_bids_name_holds_the_proceeds_when_it_outbids_a_named_bid():
    assert TWO_BIDS != EQUITY
    result = _run(TWO_BIDS)
    assert result.passed, _explain(result)


def test_an_outbid_name_is_refused_saying_who_outbid_it():
    text = TWO_BIDS.replace("  - register_receipt: 股权价款\n", "  - register_receipt: 甲的价款\n")
    result = _run(text)
    assert not result.passed
    failed = next(s for s in result.steps if s.key == "register_receipt")
    said = f"{failed.expected} {failed.actual} {result.error}"
    assert "甲的价款" in said and "竞买人丙" in said and "outbid" in said, _explain(result)


def test_an_outbid_bidder_bidding_again_under_its_name_holds_the_proceeds():
    text = EQUITY.replace(
        "    bid: {asset: 股权, bidder: 竞买人丙, as: 股权价款}\n",
        "    bid: {asset: 股权, bidder: 竞买人丙, as: 股权价款}\n"
        "  - bid: {asset: 股权, bidder: 竞买人甲}\n"
        "  - bid: {asset: 股权, bidder: 竞买人丙, as: 股权价款}\n")
    result = _run(text)
    assert result.passed, _explain(result)
