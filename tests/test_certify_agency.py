"""The certification kit's agency side (issue 14, points 3, 5, 6, 7): zhixing's mock server passes the whole suite;
each deliberate defect is caught by exactly the requirement IDs of the expected-failures list; the evidence is
masked, complete and verifiable; the kit runs in a shared lab with tokens and namespaces. Virtual time through the
admin API (no waiting), except the lab, where the kit polls a real-time server whose answers come at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from certify.agency_suite import CHECKS, RESULT_CODES_CHECK
from certify.evidence import FILES, verify_evidence
from certify.fixtures import load_fixtures, schema_text
from certify.runner import run_agency
from core_flow.errors import UserError
from core_flow.profile import load_requirements
from mock_agencies.defects import Defect
from mock_agencies.settings import Settings
from tests.test_agencies_live import LiveServer, free_port

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "certify" / "fixtures_examples" / "zhixing.yaml"
EXPECTED = yaml.safe_load((ROOT / "certify" / "expected_failures.yaml").read_text(encoding="utf-8"))["agency"]
ADMIN_ONLY = {"AG-012", "AG-014", "AG-016"}
HUB_ONLY = {"AG-015", "AG-016"}


def _server(**extra: object) -> LiveServer:
    return LiveServer(Settings(port=free_port(), profile="fast", world_size=1000, **extra))


@pytest.fixture(scope="module")
def good() -> Iterator[LiveServer]:
    with _server() as server:
        yield server


def _statuses(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = json.loads((result.out / "results.json").read_text(encoding="utf-8"))
    return {r["id"]: r["status"] for r in data["requirements"]}


def test_the_mock_server_passes_the_whole_agency_suite(good: LiveServer, tmp_path: Path) -> None:
    result = run_agency(good.url, FIXTURES, tmp_path / "agency")
    statuses = _statuses(result)
    assert result.failed == []
    assert {r for r, s in statuses.items() if s != "pass"} == HUB_ONLY  # everything else checked and passed
    assert all(s == "not_applicable" for r, s in statuses.items() if r in HUB_ONLY)
    hub = run_agency(good.url, FIXTURES, tmp_path / "hub", hub=True)
    assert hub.failed == []
    assert {r for r, s in _statuses(hub).items() if s == "pass"} >= HUB_ONLY | {"AG-001", "AG-002", "AG-011",
                                                                                 "AG-012", "AG-013", "AG-017"}
    assert verify_evidence(result.out) == result.digest


@pytest.mark.parametrize("defect", sorted(EXPECTED))
def test_each_defect_is_caught_by_exactly_its_requirements(defect: str, tmp_path: Path) -> None:
    with _server(defects=(defect,)) as server:
        result = run_agency(server.url, FIXTURES, tmp_path)
    assert result.failed == sorted(EXPECTED[defect]), defect
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["defects_in_force"] == [defect]  # the evidence says what was switched on


def test_every_defect_has_an_expected_failure_list() -> None:
    assert set(EXPECTED) == {d.value for d in Defect}
    ids = {r.id for r in load_requirements()}
    assert all(set(reqs) <= ids and reqs for reqs in EXPECTED.values())


def test_every_check_has_a_requirement_and_every_agency_requirement_a_check() -> None:
    declared = {req for _, reqs, _ in CHECKS for req in reqs} | set(RESULT_CODES_CHECK[1])
    agency_side = {r.id for r in load_requirements() if r.side == "agency"}
    assert declared == agency_side


def test_defects_are_off_by_default_and_never_from_the_environment(good: LiveServer) -> None:
    assert Settings().defects == ()
    assert Settings.from_env({"ZHIXING_AGENCIES_DEFECTS": "double_freeze"}).defects == ()
    assert httpx.get(f"{good.url}/health").json()["defects"] == []
    with pytest.raises(ValueError, match="unknown defect"):
        Settings(defects=("no_such_defect",))


def test_the_evidence_is_masked_complete_and_verifiable(good: LiveServer, tmp_path: Path) -> None:
    fixtures = load_fixtures(FIXTURES)
    id_number = fixtures.debtors["query"].id_number
    account = fixtures.debtors["query"].holdings[0].account_no
    masked = run_agency(good.url, FIXTURES, tmp_path / "masked", only=("receipts",))
    for name in FILES:
        text = (masked.out / name).read_text(encoding="utf-8")
        assert id_number not in text and account not in text, name
    results = json.loads((masked.out / "results.json").read_text(encoding="utf-8"))
    receipts = next(r for r in results["requirements"] if r["id"] == "AG-001")
    assert receipts["status"] == "pass" and receipts["findings"][0]["exchanges"]  # the exchanges proving it
    assert "<script src" not in (masked.out / "report.html").read_text(encoding="utf-8")
    junit = (masked.out / "junit.xml").read_text(encoding="utf-8")
    assert 'name="zhixing certify agency"' in junit and "AG-018" in junit
    manifest = json.loads((masked.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kit_version"] and manifest["profile_version"] and manifest["sut"]["url"] == good.url
    assert manifest["started"] <= manifest["finished"]
    unmasked = run_agency(good.url, FIXTURES, tmp_path / "unmasked", only=("receipts",), unmasked=True)
    assert id_number in (unmasked.out / "results.json").read_text(encoding="utf-8")
    # tampering is named
    report = masked.out / "report.html"
    report.write_text(report.read_text(encoding="utf-8").replace("通过", "未通过"), encoding="utf-8")
    with pytest.raises(UserError) as err:
        verify_evidence(masked.out)
    assert "report.html" in err.value.message and err.value.where == str(report)
    (masked.out / "extra.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UserError):
        verify_evidence(unmasked.out.parent / "nowhere")


def test_the_fixtures_schema_is_committed_and_bad_fixtures_are_located(tmp_path: Path) -> None:
    assert (ROOT / "certify" / "fixtures.schema.json").read_text(encoding="utf-8") == schema_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("agency: icbc\ncourts: []\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_fixtures(bad)
    assert err.value.where.startswith(str(bad))
    roles = yaml.safe_load(FIXTURES.read_text(encoding="utf-8"))
    roles["debtors"]["nonsense"] = roles["debtors"]["query"]
    bad.write_text(yaml.safe_dump(roles, allow_unicode=True), encoding="utf-8")
    with pytest.raises(UserError, match="nonsense"):
        load_fixtures(bad)


# -- the lab (point 7): vendors share one server, each with its own tokens and namespace ------------------------

ADMIN = "lab-admin-token-0123456789"


def _lab_fixtures(tmp_path: Path, vendor: str, client: httpx.Client) -> Path:
    """What the lab operator hands a vendor: its courts' tokens, its debtors pinned in its namespace (and the
    transfer check's property at its registry), a case sub-account and the resumed case's (opened with the admin token
    the vendor never sees)."""
    data = yaml.safe_load(FIXTURES.read_text(encoding="utf-8"))
    admin = {"Authorization": f"Bearer {ADMIN}"}
    namespace = f"lab-{vendor}"
    client.put(f"/admin/sessions/{namespace}", json={"profile": "fast", "time_scale": 1.0}, headers=admin)
    pins = [{"agency": data["agency"], "id_number": d["id_number"],
             "holdings": [dict(h, available_cents=h["balance_cents"]) for h in d["holdings"]]}
            for d in data["debtors"].values()]
    transfer = data["transfer"]  # the registry's property the transfer check seals and transfers (AG-020)
    pins.append({"agency": transfer["agency"], "id_number": transfer["debtor"]["id_number"],
                 "holdings": [dict(h, available_cents=h["balance_cents"]) for h in transfer["debtor"]["holdings"]]})
    assert client.post(f"/admin/sessions/{namespace}/pins/batch", json={"pins": pins}, headers=admin).status_code == 200
    court = data["courts"][0]
    sub = client.post(f"/admin/sessions/{namespace}/court-accounts", headers=admin,
                      json={"court_code": court["code"], "case_no": court["case_no"]}).json()["sub_account"]
    data["target_account"] = sub
    data["resumed"]["target_account"] = client.post(  # the 恢复执行 case's own sub-account (AG-019)
        f"/admin/sessions/{namespace}/court-accounts", headers=admin,
        json={"court_code": court["code"], "case_no": data["resumed"]["case_no"]}).json()["sub_account"]
    for i, c in enumerate(data["courts"]):
        c["token"] = f"{vendor}-court{i}-token-0123456789"
    path = tmp_path / f"{vendor}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_kit_runs_in_a_shared_lab_with_tokens_and_namespaces(tmp_path: Path) -> None:
    vendors = ("vendor-a", "vendor-b")
    tokens = {"admin": ADMIN, "courts": [
        {"token": f"{v}-court{i}-token-0123456789", "court": code, "namespace": f"lab-{v}"}
        for v in vendors for i, code in enumerate(("R410811", "R410802", "R410803"))]}
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(tokens), encoding="utf-8")
    waits = threading.Event()
    with _server(tokens_file=str(tokens_file), callback_backoff_seconds=0.05, time_scale=1.0) as lab, \
            httpx.Client(base_url=lab.url, timeout=10) as client:
        for vendor in vendors:
            fixtures = _lab_fixtures(tmp_path, vendor, client)
            from certify import runner

            result = runner.run_agency(lab.url, fixtures, tmp_path / vendor, answer_timeout=5.0,
                                       sleep=lambda s: waits.wait(min(s, 0.02)))
            statuses = _statuses(result)
            assert result.failed == [], vendor
            assert result.identity["admin_api"] is False  # a vendor has no admin token: admin-only checks n/a
            assert all(statuses[r] == "not_applicable" for r in ADMIN_ONLY)
            assert sum(s == "pass" for s in statuses.values()) >= 11
        # each vendor's requests went to its own namespace only
        admin = {"Authorization": f"Bearer {ADMIN}"}
        counts = {v: client.get(f"/admin/sessions/lab-{v}", headers=admin).json()["tickets"] for v in vendors}
        assert all(n > 10 for n in counts.values()), counts  # the run went to the vendor's namespace
        assert client.get("/admin/sessions/default", headers=admin).json().get("tickets", 0) == 0


def test_the_command_line_runs_the_suite_and_verifies_the_evidence(good: LiveServer, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    from zhixing.cli import main

    out = tmp_path / "ev"
    code = main(["certify", "agency", "--base-url", good.url, "--fixtures", str(FIXTURES), "--out", str(out),
                 "--only", "receipts", "--only", "errors"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "AG-001  通过 pass" in printed and "摘要 / digest (SHA-256)" in printed
    assert main(["certify", "verify", str(out)]) == 0
    assert "证据完整 / evidence intact" in capsys.readouterr().out
    (out / "results.json").write_text("{}", encoding="utf-8")
    assert main(["certify", "verify", str(out)]) == 1  # not intact: a verdict, not a usage error
    assert "results.json" in capsys.readouterr().err
    assert main(["certify", "agency", "--base-url", good.url, "--fixtures", str(tmp_path / "none.yaml")]) == 2
    assert "fixtures" in capsys.readouterr().err
    assert main(["certify", "agency", "--base-url", good.url, "--fixtures", str(FIXTURES), "--only", "nope",
                 "--out", str(tmp_path / "x")]) == 2
    assert main(["agencies", "serve", "--defect", "nope", "--port", "0"]) == 2
    assert "unknown defect" in capsys.readouterr().err


def test_a_failing_system_makes_the_command_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from zhixing.cli import main

    with _server(defects=("wrong_result_code",)) as bad:
        code = main(["certify", "agency", "--base-url", bad.url, "--fixtures", str(FIXTURES), "--out",
                     str(tmp_path), "--only", "receipts"])
    assert code == 1
    assert "AG-017  未通过 FAIL" in capsys.readouterr().out


def test_a_defect_is_not_carried_over_by_a_saved_state() -> None:
    from mock_agencies.catalogue import load_catalogue
    from mock_agencies.session import Session, SessionConfig

    catalogue = load_catalogue()
    defective = Settings(defects=("queue_out_of_order", "no_callback_retry"), world_size=100)
    session = Session("ns", SessionConfig(seed=1, profile="fast"), defective, catalogue)
    assert session.ledger.queue_lifo and session.outbox.max_attempts == 1
    blob, changes = session.snapshot()
    restored = Session.restore("ns", blob, Settings(world_size=100), catalogue, rows=changes.rows)
    assert not restored.ledger.queue_lifo and restored.outbox.max_attempts == Settings().callback_max_attempts


def test_without_a_resumed_case_in_the_fixtures_the_carried_deduction_is_skipped_and_says_why(
        good: LiveServer, tmp_path: Path) -> None:
    data = yaml.safe_load(FIXTURES.read_text(encoding="utf-8"))
    del data["resumed"]
    path = tmp_path / "no-resumed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_agency(good.url, path, tmp_path / "ev", only=("carried_deduction",))
    assert result.failed == [] and _statuses(result)["AG-019"] == "skipped"
    results = json.loads((result.out / "results.json").read_text(encoding="utf-8"))
    finding = next(r for r in results["requirements"] if r["id"] == "AG-019")["findings"][0]
    assert "resumed" in finding["zh"] and "resumed" in finding["en"]
