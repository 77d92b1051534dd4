"""Property-based checks of the whole API against its own OpenAPI document.

Schemathesis generates requests from /api/openapi.json and sends them to the WSGI app
over a replayed scenario; every answer must be a documented status with a body that
matches the documented schema, and none may be a server error. Operations are driven
with Hypothesis directly, one after the other, so that one run reports them all.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 30


def _exercise(operation: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        # The WSGI test client does not undo compression the way an HTTP client would.
        case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

    run()


@pytest.mark.slow
def test_api_matches_its_document(app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _exercise(operation)
        except Exception as exc:  # collect every operation's failure, then report
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 15
    assert not failures, "\n\n".join(failures)


@pytest.mark.slow
def test_api_statefully(app: Flask) -> None:
    """Chains of calls where one answer's ids feed the next request (a park from the
    list, then its details, its rides, one of those rides …): Schemathesis follows the
    document's links and the shared id names, and checks every step."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    base = schema.as_state_machine()
    steps: list[str] = []

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"headers": {"Accept-Encoding": "identity"}}

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            steps.append(f"{case.operation.label} {response.status_code}")
            case.validate_response(response, checks=CHECKS)

    Machine.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
    )
    # Linked steps reached real parks and rides, not only random ids' 404s.
    reached = set(steps)
    for page in ("/api/parks/{park_id}/details", "/api/rides/{ride_id}/details"):
        assert f"GET {page} 200" in reached, sorted(reached)
