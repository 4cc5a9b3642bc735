"""The agency kit judges each agency by the measures it publishes (``GET /agencies/{code}``: ``operations``), against
zhixing's mock agencies on loopback HTTP, in virtual time through the admin API: the real-estate registry example
(certify/fixtures_examples/real_estate_registry.yaml) passes every applicable requirement — its seals checked where a
bank's freezes are (AG-002, AG-004 to AG-008), the checks of money it does not take "not applicable" naming the
measures, their refusal (422) checked under AG-013; a bank passes as before, now also checked to refuse the seals it
does not take; a securities depository (no 06) has the deduction checks not applicable naming 06 and its terms judged
by the kind of property. Before: the kit froze (01), renewed deposit terms and deducted at every agency — a registry
or the securities depository failed checks for measures it does not take, and a registry's fixtures without a case
sub-account were refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from certify.agency_suite import CHECKS, NEEDS
from certify.fixtures import load_fixtures
from certify.runner import run_agency
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer, free_port

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "certify" / "fixtures_examples"
REGISTRY = EXAMPLES / "real_estate_registry.yaml"
BANK = EXAMPLES / "zhixing.yaml"
HUB_ONLY = {"AG-015", "AG-016"}  # not applicable to any agency run without --hub


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with LiveServer(Settings(port=free_port(), profile="fast", world_size=1000)) as live:
        yield live


def _rows(out: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return {r["id"]: r for r in data["requirements"]}


def _variant(tmp_path: Path, base: Path, change: Any) -> Path:
    data = yaml.safe_load(base.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "fixtures.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _said(row: dict[str, Any], lang: str = "en") -> list[str]:
    return [f[lang] for f in row["findings"]]


def test_the_registry_example_passes_with_the_money_checks_not_applicable_naming_the_measures(
        server: LiveServer, tmp_path: Path) -> None:
    fixtures = load_fixtures(REGISTRY)
    assert fixtures.target_account is None and "deduct" not in fixtures.debtors  # a registry names no money
    result = run_agency(server.url, REGISTRY, tmp_path)
    rows = _rows(tmp_path)
    assert result.failed == []
    not_applicable = {r for r, row in rows.items() if row["status"] == "not_applicable"}
    assert not_applicable == HUB_ONLY | {"AG-009", "AG-010", "AG-019"}
    assert {r for r, row in rows.items() if row["status"] == "pass"} == set(rows) - not_applicable
    for req, measures in (("AG-009", ("01 冻结", "04 解除冻结", "06 扣划")), ("AG-010", ("06 扣划",)),
                          ("AG-019", ("01 冻结", "06 扣划"))):
        finding = rows[req]["findings"][0]
        assert "real_estate_registry" in finding["zh"] and all(m in finding["zh"] for m in measures), finding
        assert "publishes no" in finding["en"] and "06 deduct" in finding["en"] and "AG-013" in finding["en"]
    # its seals are checked where a bank's freezes are
    assert any("sealing" in s and "control result 1, state active" in s for s in _said(rows["AG-004"]))
    assert any("fully sealed" in s for s in _said(rows["AG-007"]))
    assert any("sealed once: 1 measures" in s for s in _said(rows["AG-002"]))
    assert any("a 1130-day real estate seal" in s for s in _said(rows["AG-008"]))
    assert any("a seal without the property's number" in s for s in _said(rows["AG-013"]))
    evidence = json.dumps(rows["AG-005"]["findings"][0]["exchanges"], ensure_ascii=False)
    assert '"measure": "11"' in evidence and '"measure": "14"' in evidence and '"measure": "01"' not in evidence
    # the measures it does not take: each refused 422, naming the field
    refused = [s for s in _said(rows["AG-013"]) if "publishes no" in s]
    assert [s.split("publishes no ")[1].split(":")[0] for s in refused] == [
        "01 freeze", "02 renew freeze", "04 unfreeze", "06 deduct"]
    assert all("HTTP 422" in s and "naming measure" in s for s in refused), refused


def test_a_bank_passes_as_before_and_is_checked_to_refuse_the_seals_it_does_not_take(
        server: LiveServer, tmp_path: Path) -> None:
    result = run_agency(server.url, BANK, tmp_path)
    rows = _rows(tmp_path)
    assert result.failed == []
    assert {r for r, row in rows.items() if row["status"] != "pass"} == HUB_ONLY
    assert any("freeze of" in s and "remainder" in s for s in _said(rows["AG-004"]))  # money, as before
    assert any("a 400-day deposit freeze" in s for s in _said(rows["AG-008"]))
    refused = [s for s in _said(rows["AG-013"]) if "publishes no" in s]
    assert [s.split("publishes no ")[1].split(":")[0] for s in refused] == ["11 seal", "12 renew seal", "14 unseal"]


def test_a_check_group_is_not_applicable_naming_the_measure_the_agency_does_not_publish(
        server: LiveServer, tmp_path: Path) -> None:
    def securities(data: dict[str, Any]) -> None:  # 中国证券登记结算 publishes 00 01 02 04 15: no deduction
        data["agency"] = "csdc"
        for debtor in data["debtors"].values():
            for h in debtor["holdings"]:
                h["kind"] = "securities"

    result = run_agency(server.url, _variant(tmp_path, BANK, securities), tmp_path / "ev")
    rows = _rows(tmp_path / "ev")
    assert result.failed == []
    assert {r for r, row in rows.items() if row["status"] == "not_applicable"} == HUB_ONLY | {
        "AG-009", "AG-010", "AG-019"}
    for req in ("AG-009", "AG-010", "AG-019"):
        (finding,) = rows[req]["findings"]
        assert finding["zh"].startswith("csdc 公布的措施（00、01、02、04、15）不含 06 扣划：此项不适用"), finding["zh"]
        assert finding["en"].startswith("csdc publishes no 06 deduct (its measures: 00, 01, 02, 04, 15)"), finding["en"]
    assert any("a 1130-day securities freeze" in s for s in _said(rows["AG-008"]))  # 3 years, not a deposit's 1
    refused = [s for s in _said(rows["AG-013"]) if "publishes no" in s]
    assert [s.split("publishes no ")[1].split(":")[0] for s in refused] == [
        "06 deduct", "11 seal", "12 renew seal", "14 unseal"]


def test_every_check_declares_the_measures_it_needs() -> None:
    assert set(NEEDS) == {name for name, _, _ in CHECKS}
    known = {"00", "01", "02", "04", "06", "11", "12", "14", "15"}
    assert all(set(m for way in n.ways for m in way) <= known for n in NEEDS.values())
    assert NEEDS["deduction_release"].ways == (("01", "04", "06"),)
    assert NEEDS["transfer"].refused_in_check  # an agency without 15 is checked to refuse it (AG-020)


def test_a_vehicle_registry_is_judged_by_its_seals_and_a_vehicles_two_year_limit(server: LiveServer,
                                                                                tmp_path: Path) -> None:
    def vehicles(data: dict[str, Any]) -> None:  # 公安部交通管理局: 00 11 12 14 15, vehicles (movables: 2 years)
        data["agency"] = data["registry"] = "vehicle_registry"
        for debtor in [*data["debtors"].values(), data["transfer"]["debtor"]]:
            for h in debtor["holdings"]:
                h["kind"], h["account_no"] = "vehicle", h["account_no"].replace("BDC", "VEH")

    result = run_agency(server.url, _variant(tmp_path, REGISTRY, vehicles), tmp_path / "ev")
    rows = _rows(tmp_path / "ev")
    assert result.failed == []
    assert {r for r, row in rows.items() if row["status"] == "not_applicable"} == HUB_ONLY | {
        "AG-009", "AG-010", "AG-019"}
    assert any("a 770-day vehicle seal" in s and "HTTP 422" in s for s in _said(rows["AG-008"]))


REGISTRY_EXPECTED = yaml.safe_load((ROOT / "certify" / "expected_failures.yaml").read_text(encoding="utf-8"))[
    "agency_registry"]


def test_every_defect_has_an_expected_failure_list_for_the_registry() -> None:
    from mock_agencies.defects import Defect

    assert set(REGISTRY_EXPECTED) == {d.value for d in Defect}


@pytest.mark.parametrize("defect", sorted(REGISTRY_EXPECTED))
def test_each_defect_is_caught_on_the_registry_exactly_as_listed(defect: str, tmp_path: Path) -> None:
    with LiveServer(Settings(port=free_port(), profile="fast", world_size=1000, defects=(defect,))) as live:
        result = run_agency(live.url, REGISTRY, tmp_path)
    assert result.failed == sorted(REGISTRY_EXPECTED[defect]), defect


def test_a_seals_amounts_are_the_whole_propertys_or_none() -> None:
    from certify.agency_checks_measures import seal_amounts_ok

    h = load_fixtures(REGISTRY).debtors["freeze"].holdings[0]
    assert seal_amounts_ok({}, h)  # a seal asks no amount and may state none
    assert seal_amounts_ok({"amount_controlled_cents": h.balance_cents, "unsecured_remainder_cents": 0}, h)
    assert not seal_amounts_ok({"amount_controlled_cents": h.balance_cents // 2}, h)  # part of a property sealed
    assert not seal_amounts_ok({"amount_controlled_cents": h.balance_cents, "unsecured_remainder_cents": 1}, h)
