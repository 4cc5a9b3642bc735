"""The certification kit's transfer check (过户, measure 15; AG-020, profile 0.4.0) against zhixing's mock agencies on
loopback HTTP, in virtual time through the admin API: the correct mock registry passes; each deliberate transfer defect
of the mock (``transfer_keeps_holding``: the property stays the debtor's; ``transfer_keeps_queued``: the 轮候 seal
outlives the transfer) fails exactly AG-020; fixtures naming no registry property make it not applicable, with the
reason; an agency that takes no 15 (a bank) is checked to refuse it with 422. Before: the kit had no requirement for
the transfer — a registry that kept a sold flat under the debtor passed every check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from certify.fixtures import load_fixtures
from certify.runner import run_agency
from core_flow.errors import UserError
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer
from tests.test_certify_agency import _server

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "certify" / "fixtures_examples" / "zhixing.yaml"
EXPECTED = yaml.safe_load((ROOT / "certify" / "expected_failures.yaml").read_text(encoding="utf-8"))["agency"]
TRANSFER_DEFECTS = ("transfer_keeps_holding", "transfer_keeps_queued")


@pytest.fixture(scope="module")
def good() -> Iterator[LiveServer]:
    with _server() as server:
        yield server


def _row(out: Path, requirement: str) -> dict[str, Any]:
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return next(r for r in data["requirements"] if r["id"] == requirement)


def _fixtures(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(FIXTURES.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "fixtures.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_transfer_check_passes_on_the_mock_registry_over_loopback_http(good: LiveServer, tmp_path: Path) -> None:
    result = run_agency(good.url, FIXTURES, tmp_path, only=("transfer",))
    row = _row(tmp_path, "AG-020")
    assert result.failed == [] and row["status"] == "pass", row
    said = [f["zh"] for f in row["findings"]]
    assert all(f["status"] == "pass" for f in row["findings"]) and len(said) == 8, said
    assert any("仅为轮候的查封据以过户" in s for s in said) and any("他院" in s for s in said)
    assert any("过户至 买受人 测试丑" in s and "transferred" in s for s in said)
    assert any("不再有" in s for s in said)  # the property is no longer listed under the debtor
    assert any("轮候查封随过户失效" in s for s in said) and any("再次过户" in s for s in said)
    assert any("新查封" in s for s in said)
    evidence = json.dumps(row["findings"][0]["exchanges"], ensure_ascii=False)
    assert '"measure": "15"' in evidence and "/agencies/real_estate_registry/requests" in evidence
    assert load_fixtures(FIXTURES).transfer.debtor.holdings[0].account_no not in (  # type: ignore[union-attr]
        tmp_path / "results.json").read_text(encoding="utf-8")  # the property's number is masked like an account's


@pytest.mark.parametrize("defect", TRANSFER_DEFECTS)
def test_each_transfer_defect_is_caught_by_exactly_the_transfer_requirement(defect: str, tmp_path: Path) -> None:
    assert EXPECTED[defect] == ["AG-020"]
    with _server(defects=(defect,)) as server:
        result = run_agency(server.url, FIXTURES, tmp_path, only=("transfer",))
    assert result.failed == ["AG-020"], defect
    failed = [f["en"] for f in _row(tmp_path, "AG-020")["findings"] if f["status"] == "fail"]
    if defect == "transfer_keeps_holding":  # still listed, and sealed again
        assert any("still listed under the debtor" in f for f in failed), failed
        assert any("a new seal on the transferred property" in f for f in failed), failed
    else:  # the queued seal was still live: its release was carried out
        assert failed == [next(f for f in failed if "the 轮候 seal ended with the transfer" in f)], failed
        assert "answer ok=True, state released" in failed[0]


def test_without_a_registry_property_in_the_fixtures_the_transfer_is_not_applicable_and_says_why(
        good: LiveServer, tmp_path: Path) -> None:
    path = _fixtures(tmp_path, lambda d: d.pop("transfer"))
    result = run_agency(good.url, path, tmp_path / "ev", only=("transfer",))
    row = _row(tmp_path / "ev", "AG-020")
    assert result.failed == [] and row["status"] == "not_applicable"
    assert "transfer" in row["findings"][0]["zh"] and "registry property" in row["findings"][0]["en"]


def test_an_agency_that_takes_no_transfer_is_checked_to_refuse_it_422(good: LiveServer, tmp_path: Path) -> None:
    def at_the_bank(data: dict[str, Any]) -> None:  # the bank under test (icbc) takes no 15
        data["transfer"]["agency"] = "icbc"

    result = run_agency(good.url, _fixtures(tmp_path, at_the_bank), tmp_path / "ev", only=("transfer",))
    row = _row(tmp_path / "ev", "AG-020")
    assert result.failed == [] and row["status"] == "pass"
    assert [f["en"] for f in row["findings"]] == [
        "icbc takes no transfer (15): a transfer answered HTTP 422, error code unsupported_measure (expected 422, "
        "an unsupported measure)"]
    del_agency = _fixtures(tmp_path, lambda d: d["transfer"].pop("agency"))  # by default: the agency under test
    assert run_agency(good.url, del_agency, tmp_path / "ev2", only=("transfer",)).failed == []
    assert "icbc takes no transfer" in _row(tmp_path / "ev2", "AG-020")["findings"][0]["en"]


def test_the_hub_takes_no_transfer_check(good: LiveServer, tmp_path: Path) -> None:
    result = run_agency(good.url, FIXTURES, tmp_path, hub=True, only=("transfer",))
    assert result.failed == [] and _row(tmp_path, "AG-020")["status"] == "not_applicable"


def test_the_transfer_fixture_names_real_estate_or_a_vehicle_and_is_located(tmp_path: Path) -> None:
    assert load_fixtures(FIXTURES).transfer is not None
    path = _fixtures(tmp_path, lambda d: d["transfer"]["debtor"]["holdings"][0].update(kind="deposit"))
    with pytest.raises(UserError) as err:
        load_fixtures(path)
    assert "transfer.debtor" in err.value.where and "real_estate" in err.value.message


def test_a_transfer_defect_is_never_carried_over_by_a_saved_state() -> None:
    from mock_agencies.catalogue import load_catalogue
    from mock_agencies.session import Session, SessionConfig

    catalogue = load_catalogue()
    defective = Settings(defects=TRANSFER_DEFECTS, world_size=100)
    session = Session("ns", SessionConfig(seed=1, profile="fast"), defective, catalogue)
    assert session.ledger.transfer_keeps_holding and session.ledger.transfer_keeps_queued
    blob, changes = session.snapshot()
    restored = Session.restore("ns", blob, Settings(world_size=100), catalogue, rows=changes.rows)
    assert not restored.ledger.transfer_keeps_holding and not restored.ledger.transfer_keeps_queued


def test_the_serve_commands_help_names_every_defect() -> None:
    import inspect

    from mock_agencies.defects import Defect
    from zhixing.cmd_agencies import serve

    said = inspect.signature(serve).parameters["defect"].default.help
    assert [d.value for d in Defect if d.value not in said] == []  # any_case_deducts was missing too


def test_a_registry_the_system_does_not_have_stops_the_run_naming_the_transfer_fixture(good: LiveServer,
                                                                                      tmp_path: Path) -> None:
    path = _fixtures(tmp_path, lambda d: d["transfer"].update(agency="no_such_registry"))
    with pytest.raises(UserError) as err:  # its property cannot be pinned: refused before any check, located
        run_agency(good.url, path, tmp_path / "ev", only=("transfer",))
    assert err.value.where == f"{path}: transfer.debtor" and "no_such_registry" in err.value.message
