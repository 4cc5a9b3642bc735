"""The simulated court's parties object to price reports (node 22): the profile's ``price_objection_share`` of the
reports served, of them ``price_objection_upheld`` upheld (a new 委托评估, served and objectable in turn). No source
gives either rate; the defaults (0.1, 0.2) are our assumptions, shown in the report's inputs. Before, the simulation
never objected: node 22's work was absent from a disposal run's load."""

from __future__ import annotations

from sim.profile import load_profile
from sim.replicate import make_units
from sim.report import render_html
from sim.run import run_unit
from tests.sim_support import small_court


def _run(objected: float, upheld: float, seed: int = 7) -> dict:
    profile = small_court(400, judges=3, clerks=3, disposal=True, price_objection_share=objected,
                          price_objection_upheld=upheld)
    return run_unit(make_units([("测试法院", profile)], years=0.6, replications=1, seed=seed)[0])


def test_objections_to_price_reports_are_reviewed_by_the_handler_and_an_upheld_one_prices_again():
    none, dismissed, some = _run(0.0, 0.0), _run(0.5, 0.0), _run(0.5, 0.5)
    assert "price_objection" not in none["work"] and "22" not in none["per_node"]
    for r in (dismissed, some):
        assert r["work"]["price_objection"]["items"] > 0 and r["work"]["price_objection"]["staff_hours"] > 0
        assert r["per_node"]["22"]["deadlines"] > 0  # node 22's 15 days, each review timed
    # an objection dismissed leaves the report as it was (no new one to serve); an upheld one has a new appraisal
    # asked, its report served in turn
    served = [r["work"]["serve_report"]["items"] for r in (none, dismissed, some)]
    assert served[0] == served[1] < served[2]
    # the run's rule checks held (money to the cent, no timer lost): run_unit raises on a violation
    assert "invalid" not in some["meta"]["refusals"]


def test_the_assumed_rates_are_the_profiles_defaults_and_the_report_shows_them():
    p = load_profile()
    assert (p.price_objection_share, p.price_objection_upheld) == (0.1, 0.2)
    assert p.actions["price_objection"].role == "承办法官"
    html = render_html({"courts": {}}, p.with_disposal(1.0), {"years": 1, "replications": 1, "seed": 1})
    assert "参考价异议比例" in html and "假设" in html and "assumed" in html
    off = render_html({"courts": {}}, p, {"years": 1, "replications": 1, "seed": 1})
    assert "参考价异议比例" not in off  # without disposal no price is reported: the rates are not an input


def test_a_profile_listing_every_action_without_the_objections_review_takes_its_default(tmp_path):
    import yaml

    complete = load_profile().as_dict()
    actions = {k: v for k, v in complete["actions"].items() if k != "price_objection"}
    f = tmp_path / "court.yaml"
    f.write_text(yaml.safe_dump({**complete, "base": "none", "actions": actions, "disposal": True},
                                allow_unicode=True), encoding="utf-8")
    assert load_profile(f).actions["price_objection"].minutes == (30, 60, 120)
