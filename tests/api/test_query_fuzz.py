"""Arbitrary query strings, not only the ones the document describes: every answer is
the envelope or the error format, a refusal names a parameter the request really sent
(or the path's id), and nothing is a server error."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hallofshame.api.schemas import ErrorResponse

#: The GET routes, with ids that exist in the contract scenario filled in per run.
PATHS = (
    "/api/parks/downtime",
    "/api/parks/waittimes",
    "/api/rides/downtime",
    "/api/rides/waittimes",
    "/api/parks/{park}",
    "/api/parks/{park}/details",
    "/api/parks/{park}/timeseries",
    "/api/parks/{park}/rides/charts",
    "/api/rides/{ride}/details",
    "/api/rides/{ride}/timeseries",
    "/api/live/status-summary",
    "/api/search",
    "/api/trends",
    "/api/trends/chart-data",
    "/api/trends/heatmap-data",
    "/api/trends/least-reliable",
    "/api/audit/explain",
    "/api/audit/checks",
    "/api/audit/anomalies",
    "/api/audit/data-quality",
    "/api/weather/{park}",
)
NAMES = (
    "period", "filter", "sort_by", "limit", "start", "end", "bucket", "type", "q", "id",
    "entity", "metric", "date", "category", "severity", "source", "hours", "x", "",
)  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(
        [
            "today",
            "live",
            "last_week",
            "2026-03-17",
            "2026-02-30",
            "-1",
            "0",
            "10000",
            "9" * 40,
            "1e3",
            "1d",
            "15m",
            "parks",
            "ride",
            "NaN",
            "null",
            "%00",
            "' OR 1=1 --",
        ]
    ),
    st.text(max_size=30),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    path=st.sampled_from(PATHS),
    query=st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=4),
)
def test_any_query_string_gets_an_answer_in_the_contract(
    app: Flask, path: str, query: list[tuple[str, str]]
) -> None:
    client = app.test_client()
    park = client.get("/api/parks").json["data"][0]["park_id"]
    ride = client.get(f"/api/parks/{park}/rides").json["data"][0]["ride_id"]
    url = path.format(park=park, ride=ride) + "?" + urlencode(query)
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert response.status_code < 500, (url, response.data[:300])
    body = response.get_json()
    assert isinstance(body, dict), url
    if response.status_code == 200:
        assert "data" in body and "meta" in body, url
        return
    ErrorResponse.model_validate(body)
    named = body["error"]["details"].get("parameter")
    if response.status_code == 400 and named is not None:
        # The named parameter was sent, or is a required one that was left out, or is the
        # bucket whose default (1h) makes too many buckets for the window asked (a series
        # from a date months ago to now): the parameter to change.
        left_out = {"q", "id", "start", "end", "bucket"}
        assert named in {name for name, _ in query} | left_out, (url, body)
