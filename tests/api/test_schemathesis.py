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
from flask.testing import FlaskClient
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
#: Per operation and database. The documented ``st run`` over HTTP
#: (``tests/web/test_contract_over_http.py``) adds 30 more per operation and the coverage
#: phase's boundary cases on SQLite; here each database sees what reaches its SQL.
EXAMPLES = 15


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
    # Linked steps reached real ids (a random id only ever finds a 404).
    assert any("{" in step and step.endswith(" 200") for step in steps), sorted(set(steps))


def test_documented_links_lead_to_real_pages(client: FlaskClient) -> None:
    """Each link of the document, followed from a real answer, finds the page it names."""
    doc = client.get("/api/openapi.json").json
    by_id = {op["operationId"]: path for path, item in doc["paths"].items() for op in item.values()}
    followed = 0
    for path, item in doc["paths"].items():
        links = item.get("get", {}).get("responses", {}).get("200", {}).get("links", {})
        if not links:
            continue
        source = client.get(path.replace("{park_id}", str(_first_park(client)))).json
        for link in links.values():
            pointer = link["parameters"]["ride_id"].removeprefix("$response.body#/")
            value: Any = source
            for part in pointer.split("/"):
                value = value[int(part)] if part.isdigit() else value[part]
            target = by_id[link["operationId"]].replace("{ride_id}", str(value))
            assert client.get(target).status_code == 200, target
            followed += 1
    assert followed >= 6  # three lists, two ride pages each


def _first_park(client: FlaskClient) -> int:
    return int(client.get("/api/parks").json["data"][0]["park_id"])
