"""OpenAPI-driven fuzzing of the mock agencies (schemathesis, in-process ASGI): whatever a generated
request holds, the service answers without a 5xx. Faults are off (``fast`` profile) — injected 5xx are the
point of other tests."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from mock_agencies.app import create_app
from mock_agencies.settings import Settings

app = create_app(
    Settings(profile="fast", time_scale=0.0, world_size=500, background=False, max_sessions=6, journal_size=50)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_yields_a_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:500])
