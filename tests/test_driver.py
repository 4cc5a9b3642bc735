"""The court driver interface: zhixing's reference court driven directly and through the interface's HTTP form
(a real uvicorn server on loopback) gives the same outcome, event for event."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core_flow.assembly import CourtSpec, build_court
from core_flow.driver import CaseFiling, EngineDriver, HttpDriver
from core_flow.driver.http_app import create_driver_app
from core_flow.errors import UserError
from core_flow.legal_calendar import CST
from core_flow.net import HOST, free_port
from tests.test_agencies_live import LiveServer

ORIGIN = datetime(2025, 3, 3, 9, 0, tzinfo=CST)

FLOW = [("Assign", {"handler": "张法官"}), ("VerifyIdentity", {"debtor": None, "passed": True}),
        ("CompleteNode", {"node": 7}), ("CompleteNode", {"node": 36}),  # refused: 限消令 must be signed
        ("CompleteNode", {"node": 36, "authority": "院长"}), ("Close", {"manner": "终结"}),
        ("ReturnClosing", {"authority": "审判管理办公室", "reason": "补正"}),
        ("Close", {"manner": "终结", "reviewed_by": "审判管理办公室"})]


def _drive(driver, debtor) -> list:
    results = [driver.file(CaseFiling(case_id="K", amount_cents=1_000_00, debtors=[debtor.subject()]))]
    for kind, fields in FLOW:
        fields = {k: (debtor.id_number if v is None else v) for k, v in fields.items()}
        results.append(driver.command("K", kind, fields))
    return results


def test_the_reference_court_behaves_the_same_through_the_http_driver() -> None:
    direct = build_court(CourtSpec(origin=ORIGIN, seed=1))
    served = build_court(CourtSpec(origin=ORIGIN, seed=1))
    debtor = direct.session.world.debtor(0)
    a = _drive(EngineDriver(direct), debtor)
    with LiveServer(app=create_driver_app(EngineDriver(served)), port=free_port()) as live:
        http = HttpDriver(live.url)
        b = _drive(http, debtor)
        assert [r.model_dump() for r in a] == [r.model_dump() for r in b]
        assert [r.code for r in a if not r.accepted] == ["SIGNATURE_REQUIRED"]
        assert http.events("K") == EngineDriver(direct).events("K")
        assert http.nodes("K") == EngineDriver(direct).nodes("K")
        assert http.now() == ORIGIN
        with pytest.raises(UserError) as err:
            http.command("K", "Teleport", {})
        assert err.value.code == "unknown_command" and "Assign" in err.value.en
        with pytest.raises(UserError) as err:
            http.command("K", "Assign", {"handler": "张法官", "colour": "red"})
        assert err.value.code == "unknown_field" and err.value.where == "POST /cases/K/commands"
        http.close()
    kinds = [e["kind"] for e in EngineDriver(direct).events("K")]
    assert "closing_returned" in kinds and kinds[-1] != "refused"


def test_an_unreachable_court_is_named() -> None:
    with pytest.raises(UserError) as err:
        HttpDriver(f"http://{HOST}:{free_port()}").now()
    assert err.value.code == "court_unreachable" and "--court-url" in err.value.where


def test_a_court_that_drips_its_answer_is_cut_off_at_the_exchange_limit() -> None:
    """Per-read timeouts never trip on a header byte every 50 ms; the whole exchange has a limit, and its end is the
    located "cannot reach" error, not a run that waits for as long as the court keeps dripping."""
    import time

    from tests.drip_support import dripping_server

    with dripping_server(HOST) as port:
        driver = HttpDriver(f"http://{HOST}:{port}", timeout=0.3, exchange_limit=1.0)
        started = time.monotonic()
        try:
            with pytest.raises(UserError) as err:
                driver.now()
            assert time.monotonic() - started < 5 and err.value.code == "court_unreachable"
            assert "--court-url" in err.value.where
        finally:
            driver.disconnect()


def test_the_driver_contract_is_published_with_its_operations() -> None:
    app = create_driver_app(EngineDriver(build_court(CourtSpec(origin=ORIGIN))))
    paths = app.openapi()["paths"]
    assert set(paths) == {"/court", "/now", "/clock/advance", "/cases", "/cases/{case_id}",
                          "/cases/{case_id}/commands", "/cases/{case_id}/events", "/cases/{case_id}/nodes",
                          "/cases/{case_id}/assets", "/cases/{case_id}/amounts", "/cases/{case_id}/lots"}
    assert all("/" in op["summary"] for p in paths.values() for op in p.values())  # Chinese / English


@pytest.mark.parametrize("official", [False, True])
def test_a_due_resting_on_a_provisional_holiday_year_says_so(tmp_path, monkeypatch, official) -> None:
    """A case filed in December 2026: its 6-month limit ends in 2027, a year without a State Council notice here —
    the node view names that year beside the due (a guess shown bare would be taken as the law's); with the notice
    in an extension file, nothing is provisional."""
    from core_flow.legal_calendar.holidays import ENV_VAR
    from tests.test_calendar_provisional import OFFICIAL_2027, write

    if official:
        monkeypatch.setenv(ENV_VAR, str(write(tmp_path, "2027.yaml", OFFICIAL_2027)))
    else:
        monkeypatch.delenv(ENV_VAR, raising=False)
    court = build_court(CourtSpec(origin=datetime(2026, 12, 7, 9, 0, tzinfo=CST), seed=1))
    driver = EngineDriver(court)
    driver.file(CaseFiling(case_id="K", amount_cents=1_000_00, debtors=[court.session.world.debtor(0).subject()]))
    items = {(n.node, k): item for n in driver.nodes("K") for k, item in n.items.items()}
    limit = items[(43, "limit")]
    assert limit.due.year == 2027
    assert limit.calendar_provisional == ([] if official else [2027])
    assert items[(1, "main")].calendar_provisional == []  # due the next day: official data
    from fastapi.testclient import TestClient

    served = TestClient(create_driver_app(driver)).get("/cases/K/nodes").json()
    assert [n["items"]["limit"]["calendar_provisional"] for n in served if n["node"] == 43] == \
        [[] if official else [2027]]


def test_the_published_driver_version_is_the_one_served() -> None:
    from pathlib import Path

    from core_flow.driver.http_app import DRIVER_VERSION

    text = (Path(__file__).parents[1] / "core_flow" / "profile" / "PROFILE.md").read_text(encoding="utf-8")
    assert f"现为 {DRIVER_VERSION}" in text and f"now {DRIVER_VERSION})" in text
    assert f"驱动接口 {DRIVER_VERSION} / the driver interface {DRIVER_VERSION}" in text  # its change is listed


def test_time_on_the_reference_court_moves_only_when_skipped() -> None:
    court = build_court(CourtSpec(origin=ORIGIN))
    driver = EngineDriver(court)
    court.run_for(timedelta(days=1))
    assert driver.now() == ORIGIN + timedelta(days=1)


def test_the_cli_prints_the_driver_contract(capsys) -> None:
    import json

    from zhixing.cli import main

    assert main(["court", "openapi"]) == 0
    spec = json.loads(capsys.readouterr().out)
    assert spec["info"]["version"] and "/cases/{case_id}/commands" in spec["paths"]


def test_the_driver_docs_work_offline() -> None:
    """/docs loads Swagger UI from this server, never from a CDN (court intranets have no internet)."""
    from fastapi.testclient import TestClient

    client = TestClient(create_driver_app(EngineDriver(build_court(CourtSpec(origin=ORIGIN)))))
    page = client.get("/docs")
    assert page.status_code == 200 and "cdn" not in page.text.lower() and "https://" not in page.text
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
        assert asset in page.text and client.get(asset).status_code == 200
