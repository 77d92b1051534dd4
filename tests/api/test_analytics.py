"""Analytics and audit endpoints over HTTP: shapes, agreement with the rankings, errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from pydantic import BaseModel

from hallofshame.api import analytics
from hallofshame.api import audit as audit_api
from hallofshame.api.schemas import Envelope, ErrorResponse
from hallofshame.clock import parse_instant
from hallofshame.config import reset_settings
from hallofshame.metrics import charts, trends
from tests.api.conftest import Populated, make_app

PERIODS = ["live", "today", "yesterday", "7days", "last_month"]


def _ok(client: FlaskClient, url: str, model: Any = None) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.json)
    body: dict[str, Any] = response.json
    if model is not None:
        Envelope[model].model_validate(body)
    assert body["meta"]["generated_at"].endswith("Z")
    return body


def _bad(client: FlaskClient, url: str, status: int = 400) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, (url, response.json)
    ErrorResponse.model_validate(response.json)
    error: dict[str, Any] = response.json["error"]
    return error


def _park(client: FlaskClient) -> int:
    return int(client.get("/api/parks").json["data"][0]["park_id"])


def _top_ride(client: FlaskClient) -> int:
    return int(client.get("/api/rides/downtime?period=yesterday").json["data"][0]["ride_id"])


def test_park_timeseries_day_matches_the_ranking(client: FlaskClient) -> None:
    park = _park(client)
    day = _ok(
        client,
        f"/api/parks/{park}/timeseries?start=2026-07-20&end=2026-07-21&bucket=1d",
        list[analytics.ParkBucket],
    )
    (bucket,) = day["data"]
    ranked = client.get("/api/parks/downtime?period=yesterday").json["data"][0]
    for field in ("shame_score", "weighted_downtime_hours", "operating_hours", "rides_down"):
        assert bucket[field] == ranked[field], field
    assert bucket["downtime_hours"] == ranked["total_downtime_hours"]
    hourly = _ok(client, f"/api/parks/{park}/timeseries?start=2026-07-20&end=2026-07-21")
    assert len(hourly["data"]) == 24 and hourly["meta"]["bucket"] == "1h"
    assert hourly["data"][0]["local_start"].startswith("2026-07-20T00:00:00")
    assert sum(b["park_open_fraction"] or 0 for b in hourly["data"]) > 0
    today = _ok(client, f"/api/parks/{park}/timeseries?bucket=30m")
    assert 0 < len(today["data"]) <= 48


def test_ride_timeseries(client: FlaskClient) -> None:
    ride = _top_ride(client)
    body = _ok(
        client,
        f"/api/rides/{ride}/timeseries?start=2026-07-20T00:00&end=2026-07-21T00:00&bucket=15m",
        list[analytics.RideBucket],
    )
    assert len(body["data"]) == 96
    assert sum(b["downtime_minutes"] for b in body["data"]) > 0
    assert body["meta"]["ride_id"] == ride


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("bucket=2h", "bucket"),
        ("start=2026-07-01&end=2026-07-30&bucket=5m", "bucket"),
        ("start=2026-07-21&end=2026-07-20", "end"),
        ("start=yesterday", "start"),
        ("colour=red", "colour"),
    ],
)
def test_timeseries_bad_parameters(client: FlaskClient, query: str, param: str) -> None:
    error = _bad(client, f"/api/parks/{_park(client)}/timeseries?{query}")
    assert error["code"] == "invalid_parameter"
    assert error["details"]["parameter"] == param


def test_unknown_ids_are_404(client: FlaskClient) -> None:
    for url in (
        "/api/parks/999999/timeseries",
        "/api/rides/999999/timeseries",
        "/api/parks/999999/rides/charts",
        "/api/audit/explain?entity=ride&id=999999&metric=downtime_hours",
    ):
        assert _bad(client, url, 404)["code"] == "not_found"


@pytest.mark.parametrize("period", PERIODS)
def test_charts_and_heatmaps_every_period(client: FlaskClient, period: str) -> None:
    park = _park(client)
    # The scenario's data is all in July 2026 and "now" is in July: last_month is empty.
    has_data = period != "last_month"
    for kind in charts.RIDE_CHART_TYPES:
        body = _ok(
            client,
            f"/api/parks/{park}/rides/charts?period={period}&type={kind}",
            analytics.ChartData,
        )
        datasets = body["data"]["datasets"]
        assert bool(datasets) == has_data, kind
        assert all(len(d["data"]) == len(body["data"]["labels"]) for d in datasets)
    for kind in charts.CHART_TYPES:
        body = _ok(
            client, f"/api/trends/chart-data?type={kind}&period={period}", analytics.ChartData
        )
        assert body["meta"]["granularity"] in ("hourly", "daily")
    for kind in charts.HEATMAP_TYPES:
        body = _ok(
            client, f"/api/trends/heatmap-data?type={kind}&period={period}", analytics.Heatmap
        )
        assert len(body["data"]["matrix"]) == len(body["data"]["entities"])
        assert bool(body["data"]["entities"]) == has_data, kind


def test_chart_of_yesterday_is_hourly_and_picks_the_ranked_park(client: FlaskClient) -> None:
    body = _ok(client, "/api/trends/chart-data?type=parks&period=yesterday")
    assert body["meta"]["granularity"] == "hourly" and len(body["data"]["labels"]) == 24
    ranked = client.get("/api/parks/downtime?period=yesterday").json["data"]
    assert [d["park_id"] for d in body["data"]["datasets"]] == [r["park_id"] for r in ranked][:10]


@pytest.mark.parametrize("category", trends.TREND_CATEGORIES)
def test_trends(client: FlaskClient, category: str) -> None:
    items = _ok(client, f"/api/trends?category={category}&period=today", list[analytics.TrendItem])[
        "data"
    ]
    if category.startswith("parks"):
        # The contract park's uptime moves by less than the 5 points a trend needs (94.4 %
        # today, 98.6 % yesterday): no park trend either way, and the rankings say why.
        now, before = (
            client.get(f"/api/parks/downtime?period={p}").json["data"][0]["uptime_percentage"]
            for p in ("today", "yesterday")
        )
        assert abs(now - before) < 5 and items == []
    else:
        assert items  # today some of the scenario's rides improve and some decline
    for item in items:
        if category.endswith("improving"):
            assert item["uptime_change_pp"] >= 5
        else:
            assert item["uptime_change_pp"] <= -5
        change = item["uptime_now"] - item["uptime_before"]
        assert item["uptime_change_pp"] == pytest.approx(change, abs=0.11)  # each rounded once
    assert _bad(client, "/api/trends?category=parks-sideways")["details"]["parameter"] == "category"


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("entity", trends.AWARD_ENTITIES)
def test_awards_are_the_top_of_the_rankings(client: FlaskClient, period: str, entity: str) -> None:
    worst = _ok(client, f"/api/trends/least-reliable?entity={entity}&period={period}")["data"]
    ranking = client.get(f"/api/{entity}/downtime?period={period}&limit=1").json["data"]
    assert worst == ranking
    longest = _ok(client, f"/api/trends/longest-wait-times?entity={entity}&period={period}")["data"]
    assert longest == client.get(f"/api/{entity}/waittimes?period={period}&limit=1").json["data"]


@pytest.mark.parametrize("period", ["today", "yesterday", "live", "7days"])
def test_explain_reproduces_the_ranking(client: FlaskClient, period: str) -> None:
    ranking = client.get(f"/api/parks/downtime?period={period}").json["data"]
    rides = client.get(f"/api/rides/downtime?period={period}").json["data"]
    assert ranking and rides, period  # the loops below must have rows to check
    for row in ranking:
        for metric in ("shame_score", "total_downtime_hours", "uptime_percentage", "rides_down"):
            trace = _ok(
                client,
                f"/api/audit/explain?entity=park&id={row['park_id']}&period={period}&metric={metric}",
                audit_api.Trace,
            )["data"]
            assert trace["displayed"] == row[metric], (period, metric)
    for row in rides:
        trace = _ok(
            client,
            f"/api/audit/explain?entity=ride&id={row['ride_id']}&period={period}&metric=downtime_hours",
        )["data"]
        assert trace["displayed"] == row["downtime_hours"]
        assert trace["inputs"]["down_s"] / 3600 == pytest.approx(trace["result"])


def test_explain_refuses_a_figure_of_the_other_entity(client: FlaskClient) -> None:
    park = _park(client)
    error = _bad(client, f"/api/audit/explain?entity=ride&id={park}&metric=shame_score")
    assert error["details"]["parameter"] == "metric"
    assert "downtime_hours" in error["details"]["allowed"]


def test_explain_without_a_metric_explains_the_headline_figure(client: FlaskClient) -> None:
    """A park's shame score; a ride's downtime (a ride has no shame score)."""
    ride = client.get("/api/rides/downtime?period=yesterday").json["data"][0]
    trace = _ok(client, f"/api/audit/explain?entity=ride&id={ride['ride_id']}&period=yesterday")
    assert trace["data"]["metric"] == "downtime_hours"
    assert trace["data"]["displayed"] == ride["downtime_hours"]
    park = _ok(client, f"/api/audit/explain?id={_park(client)}&period=yesterday")["data"]
    assert park["metric"] == "shame_score"


def test_checks_anomalies_and_data_quality(client: FlaskClient) -> None:
    body = _ok(client, "/api/audit/checks?date=2026-07-20", list[audit_api.CheckItem])
    assert body["meta"]["summary_counts"]["fail"] == 0
    assert {c["check"] for c in body["data"]} == {
        "shame_in_range",
        "downtime_within_capacity",
        "rollup_matches_raw",
        "park_equals_sum_of_rides",
    }
    _ok(
        client,
        "/api/audit/anomalies?date=2026-07-20&severity=critical",
        list[audit_api.AnomalyItem],
    )
    _ok(client, "/api/audit/data-quality?hours=48", list[audit_api.IssueItem])
    assert (
        _bad(client, "/api/audit/data-quality?source=nowhere")["details"]["parameter"] == "source"
    )
    assert _bad(client, "/api/audit/data-quality?hours=0")["details"]["parameter"] == "hours"
    assert _bad(client, "/api/audit/checks?date=2026-13-01")["details"]["parameter"] == "date"
    assert _bad(client, "/api/audit/anomalies?severity=meh")["details"]["parameter"] == "severity"


def test_empty_database_answers_empty(empty_client: FlaskClient) -> None:
    for url in (
        "/api/trends/chart-data?type=rides&period=yesterday",
        "/api/trends/least-reliable?entity=parks",
        "/api/trends?category=rides-declining",
        "/api/audit/data-quality",
        "/api/audit/checks?date=2026-07-20",
    ):
        data = empty_client.get(url).json["data"]
        assert data in ([], {"labels": [], "datasets": []}), (url, data)


def _schema_at(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema itself, or the component a ``$ref`` names."""
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


@pytest.mark.parametrize(
    ("path", "url", "model"),
    [
        (
            "/api/parks/{park_id}/timeseries",
            "/api/parks/{park}/timeseries?start=2026-07-20&end=2026-07-21&bucket=1h",
            analytics.ParkBucket,
        ),
        (
            "/api/rides/{ride_id}/timeseries",
            "/api/rides/{ride}/timeseries?start=2026-07-20T00:00&end=2026-07-21T00:00&bucket=1h",
            analytics.RideBucket,
        ),
        ("/api/trends", "/api/trends?category=rides-declining&period=today", analytics.TrendItem),
    ],
)
def test_the_published_document_names_fields_every_answer_has(
    client: FlaskClient, path: str, url: str, model: type[BaseModel]
) -> None:
    """The response models exist to document the answers (they allow extra fields), so the
    OpenAPI document must list each of their fields, and every item served must hold them."""
    spec = client.get("/api/openapi.json").json
    ok = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    envelope = _schema_at(spec, ok["schema"])
    item = _schema_at(spec, envelope["properties"]["data"]["items"])
    assert set(item["properties"]) == set(model.model_fields)
    data = _ok(client, url.format(park=_park(client), ride=_top_ride(client)), list[model])["data"]
    assert data, url  # an empty answer would make the loop below vacuous
    for row in data:
        assert set(item["properties"]) <= set(row), (url, set(item["properties"]) - set(row))


def test_explain_of_live_names_a_park_without_live_data(
    pinned: Populated, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two hours after the scenario's last cycle no park has live data.
    later = parse_instant(pinned.meta["now"]) + timedelta(hours=2)
    monkeypatch.setenv("HOS_NOW", later.isoformat())
    reset_settings()
    client = make_app(pinned.conn).test_client()
    park = client.get("/api/parks").json["data"][0]["park_id"]
    error = _bad(client, f"/api/audit/explain?id={park}&period=live", 404)
    assert error["message"] == f"park {park} has no live data (no recent collection cycle)"
    unknown = _bad(client, "/api/audit/explain?id=999999&period=live", 404)
    assert unknown["message"] == "no park with id 999999"
    reset_settings()
