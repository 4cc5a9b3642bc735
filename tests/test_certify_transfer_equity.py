"""The certification kit's transfer check (AG-020) at the equity registry and 中国结算, which take 15 since profile
0.5.0: fixtures ``transfer:`` naming equity or securities have the kit freeze (01) the whole holding, queue a second
court's freeze behind it, and check the transfer as for a flat — refused under the queued freeze and by another court,
the freeze ends ``transferred``, the holding is no longer listed, the queued freeze ended (its release, 04, refused), a
second transfer and a new freeze refused (since kit 0.4.3 after the transfer of a frozen part:
tests/test_certify_transfer_part.py). The mock passes; each deliberate transfer defect fails exactly AG-020.
Before: fixtures naming equity were refused (real estate or vehicles only), and the equity registry refused 15 (422)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from certify.fixtures import load_fixtures
from certify.runner import run_agency
from tests.test_certify_agency import _server
from tests.test_certify_transfer import TRANSFER_DEFECTS, _fixtures, _row

HOLDINGS = {"equity_registry": ("GQ4108112026000001", "equity"), "csdc": ("ZQ4108112026000001", "securities")}


def _at(agency: str):
    account_no, kind = HOLDINGS[agency]

    def change(data: dict[str, Any]) -> None:
        data["transfer"]["agency"] = agency
        data["transfer"]["debtor"]["holdings"] = [{"account_no": account_no, "kind": kind, "balance_cents": 30_000_000}]
    return change


@pytest.mark.parametrize("agency", list(HOLDINGS))
def test_the_transfer_check_passes_on_the_mock_equity_and_securities_registries(agency: str, tmp_path: Path) -> None:
    path = _fixtures(tmp_path, _at(agency))
    assert load_fixtures(path).transfer.debtor.holdings[0].kind.value == HOLDINGS[agency][1]  # type: ignore[union-attr]
    with _server() as server:
        result = run_agency(server.url, path, tmp_path / "ev", only=("transfer",))
    row = _row(tmp_path / "ev", "AG-020")
    assert result.failed == [] and row["status"] == "pass", row
    said = [f["zh"] for f in row["findings"]]
    # kit 0.4.3: six findings of a frozen part's transfer first (tests/test_certify_transfer_part.py), then the eight
    # of the whole holding's (what is left of it)
    assert all(f["status"] == "pass" for f in row["findings"]) and len(said) == 14, said
    assert any("仅为轮候的冻结据以过户" in s for s in said) and any("轮候冻结随过户失效" in s for s in said)
    assert any("不再有" in s for s in said) and any("新冻结" in s for s in said)


@pytest.mark.parametrize("defect", TRANSFER_DEFECTS)
def test_each_transfer_defect_is_caught_at_the_equity_registry(defect: str, tmp_path: Path) -> None:
    path = _fixtures(tmp_path, _at("equity_registry"))
    with _server(defects=(defect,)) as server:
        result = run_agency(server.url, path, tmp_path / "ev", only=("transfer",))
    assert result.failed == ["AG-020"], defect
    failed = [f["en"] for f in _row(tmp_path / "ev", "AG-020")["findings"] if f["status"] == "fail"]
    differs = [f["en"] for f in _row(tmp_path / "ev", "AG-020")["findings"] if f["status"] == "differs"]
    if defect == "transfer_keeps_holding":
        assert any("still listed under the debtor" in f for f in failed), failed
        assert any("a new freeze on the transferred property" in f for f in failed), failed
        # the part's transfer kept the whole value under the debtor too, and the part it freed went to the 轮候
        # freeze: zhixing's reading, unconfirmed, differs (kit 0.4.3)
        assert len(differs) == 2 and "its value 30000000 cents" in differs[0], differs
        assert "the 轮候 freeze after the part's transfer: state in the query active" in differs[1], differs
    else:
        assert len(failed) == 1 and "the 轮候 freeze ended with the transfer" in failed[0], failed
        assert differs == [], differs  # a part's transfer ends no 轮候 freeze anyway
