"""OpenAPI-driven fuzzing of the mock agencies (schemathesis, in-process ASGI): every operation, every check —
no 5xx, every status and header documented, every response body as its schema says, every schema-violating
request refused, schema-valid requests accepted (where the rules are all in the schema), ``Allow`` on a 405
exactly the path's methods. Seeded (``derandomize``) and bounded (a fixed number of examples per operation).

Faults are off (``fast`` profile: injected 5xx are the point of other tests). So that schema-valid requests reach
the ledger, the positive cases use the test fixtures: one prepared namespace, a valid debtor whose holdings are
pinned, real agency / platform codes (a random ``[a-z0-9_]+`` code would be a 404 every time). Negative cases
are sent as generated."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from starlette.testclient import TestClient

from core_flow.identity import id_check_digit
from mock_agencies.app import create_app
from mock_agencies.settings import Settings
from tests.openapi_docs import assert_documented

NS = "fuzz"  # the prepared namespace
FAULTY = "fuzz-faults"  # where generated behaviour goes: faults in NS would fail the other operations' 5xx check
# operations that set a namespace's behaviour (fault rates, profile overrides): on FAULTY, never the prepared one
_BEHAVIOUR = {("PUT", "/admin/sessions/{namespace}/faults"), ("PATCH", "/admin/sessions/{namespace}/profile")}
DEBTOR = "110101199003077" + "00"
DEBTOR += id_check_digit(DEBTOR)
ACCOUNT = "6222000000000001"
HOLDING = {"account_no": ACCOUNT, "kind": "deposit", "balance_cents": 500_000, "available_cents": 500_000}
BANK, PLATFORM, PRICING = "icbc", "taobao", "pricing_platform"
# Operations whose rules go beyond what a JSON Schema can state — cross-field or state-dependent (a measure the
# agency must support, a freeze that must exist, prices within the auction rules, min ≤ max, a skip of at most ten
# years from the namespace's now, a check character): a schema-valid request may rightly be refused (422) there,
# so positive_data_acceptance does not apply; every other check does.
RULES_BEYOND_THE_SCHEMA = (
    "POST /agencies/{code}/requests",
    "PUT /admin/sessions/{namespace}/faults",
    "POST /admin/sessions/{namespace}/advance",
    "PUT /admin/sessions/{namespace}/clock",
    "POST /admin/sessions/{namespace}/court-accounts/{sub}/payouts",  # within the sub-account's balance
    "PUT /admin/sessions/{namespace}/pins",  # pinned holdings are original: available = balance, no freezes
    "POST /admin/sessions/{namespace}/pins/batch",
    "PUT /admin/sessions/{namespace}",  # overrides: partial behaviours, merged then checked as a whole
    "PATCH /admin/sessions/{namespace}/profile",
    "POST /agencies/{platform}/listings",  # the auction rules: start ≥ 70% of the valuation, deposit 5–20% …
    # its answer period counts on the legal calendar (2004–2100, provisional beyond the official data), while a
    # namespace's clock may be set up to 2200 by another generated case: such a date is refused (calendar_range)
    "POST /agencies/{code}/inquiries",
    "POST /agencies/{code}/appraisals",
)

app = create_app(
    Settings(profile="fast", time_scale=0.0, world_size=500, background=False, max_sessions=8, journal_size=50,
             callback_hosts=("callbacks.test",))
)
with TestClient(app) as _client:  # the fixtures: a namespace with a pinned debtor
    _client.put(f"/admin/sessions/{NS}", json={"seed": 7}).raise_for_status()
    _client.put(f"/admin/sessions/{FAULTY}", json={"seed": 7}).raise_for_status()
    _client.put(f"/admin/sessions/{NS}/pins",
                json={"agency": BANK, "id_number": DEBTOR, "holdings": [HOLDING]}).raise_for_status()

config = SchemathesisConfig.from_dict({
    "checks": {"negative_data_rejection": {
        # 413: a negative case may be a body over the server's size limit, refused before it is read
        "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 421, 422, 428, 429],
    }},
    "operations": [
        {"include-name": name, "checks": {"positive_data_acceptance": {"enabled": False}}}
        for name in RULES_BEYOND_THE_SCHEMA
    ],
})
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


# operations that replace, reset or delete the namespace they name: never the prepared one
_OWN_NAMESPACE = {("PUT", "/admin/sessions/{namespace}"), ("POST", "/admin/sessions/{namespace}/reset"),
                  ("DELETE", "/admin/sessions/{namespace}")}


def _code_for(path: str) -> str:
    if "/listings" in path:
        return PLATFORM
    if "/inquiries" in path or "/appraisals" in path or "/pricings" in path:
        return PRICING
    return BANK


def _with_fixtures(node: Any) -> Any:
    """A positive body with the fixtures' debtor and agency in place of generated ones."""
    if isinstance(node, dict):
        out = {k: _with_fixtures(v) for k, v in node.items()}
        if isinstance(out.get("id_number"), str):
            out["id_number"] = DEBTOR
        if isinstance(out.get("agency"), str):
            out["agency"] = BANK
        return out
    if isinstance(node, list):
        return [_with_fixtures(v) for v in node]
    return node


@schema.hook
def map_case(context: Any, case: schemathesis.Case) -> schemathesis.Case:
    if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
        return case
    path = case.operation.path
    params = dict(case.path_parameters or {})
    for name in ("code", "platform"):
        if name in params:
            params[name] = _code_for(path)
    if "agency" in params:
        params["agency"] = BANK
    if "id_number" in params:
        params["id_number"] = DEBTOR
    if "namespace" in params and (case.method, path) not in _OWN_NAMESPACE:
        params["namespace"] = FAULTY if (case.method, path) in _BEHAVIOUR else NS
    case.path_parameters = params
    if case.headers is not None and "X-Zhixing-Session" in case.headers:
        case.headers = {**case.headers, "X-Zhixing-Session": NS}
    if isinstance(case.body, dict):
        case.body = _with_fixtures(case.body)
    return case


def test_the_fixtures_reach_the_ledger() -> None:
    """The fuzz run's positive cases are about a debtor the ledger knows: a query of it finds the pinned holding
    (checked before the run, which may pin other holdings)."""
    with TestClient(app) as client:
        held = client.get(f"/admin/sessions/{NS}/holdings/{BANK}/{DEBTOR}")
    assert held.status_code == 200 and [h["account_no"] for h in held.json()] == [ACCOUNT]


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_check_passes(case: schemathesis.Case) -> None:
    case.call_and_validate()


@pytest.mark.parametrize(("method", "path", "allow"), [
    ("DELETE", "/agencies/icbc/requests", "GET, POST"),
    ("POST", "/admin/sessions/x", "DELETE, GET, PUT"),
    ("HEAD", "/agencies", "GET"),
])
def test_a_405_names_every_method_of_the_path(method: str, path: str, allow: str) -> None:
    with TestClient(app) as client:
        answer = client.request(method, path)
    assert answer.status_code == 405 and answer.headers["allow"] == allow
    if method != "HEAD":  # an answer to HEAD has no body
        assert allow in answer.json()["error"]["en"]


def test_every_operation_has_a_bilingual_description_and_examples() -> None:
    """Issue 14 point 1: every operation is described (Chinese first, English beside it) and has examples — of its
    parameters, its request body, or (taking neither) its answer; the table has no entry for a missing operation."""
    from mock_agencies.operation_doc import OPERATIONS

    served = app.openapi()
    seen = set()
    for path, item in served["paths"].items():
        for method, op in item.items():
            seen.add((method.upper(), path))
            assert_documented(method, path, op)
    assert set(OPERATIONS) <= seen, set(OPERATIONS) - seen


def test_result_codes_are_enums_and_callbacks_are_described() -> None:
    from core_flow.protocol import FailureCode, ResultCode

    served = app.openapi()
    components = served["components"]["schemas"]
    assert components["ResultCode"]["enum"] == [c.value for c in ResultCode]
    assert components["FailureCode"]["enum"] == [c.value for c in FailureCode]
    code = components["Feedback"]["properties"]["code"]
    assert {b["$ref"] for b in code["anyOf"]} == {"#/components/schemas/ResultCode", "#/components/schemas/FailureCode"}
    def body_props(op: dict[str, Any]) -> dict[str, Any]:
        ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
        return components[ref.rsplit("/", 1)[-1]].get("properties", {}) if ref else {}

    with_callback = {(m, p) for p, item in served["paths"].items() for m, op in item.items()
                     if "callback_url" in body_props(op)}
    assert len(with_callback) == 7  # (+ the re-auction after a buyer's default, H49)
    for method, path in with_callback:
        callbacks = served["paths"][path][method].get("callbacks")
        assert callbacks, f"{method} {path}: takes a callback_url, no callbacks described"
        ((name, expression),) = callbacks.items()
        post = expression["{$request.body#/callback_url}"]["post"]
        assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(name)
        assert {p["name"] for p in post["parameters"]} >= {"Idempotency-Key"}
