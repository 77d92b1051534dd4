"""The HTTP contract (spec/API.md) on a replayed scenario: fields, types, ordering,
limits, sort orders, filters, every period, and the error answers."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from pydantic import BaseModel

from hallofshame.api import schemas
from hallofshame.api.params import ParkDowntimeQuery, cross_parameter_problem
from hallofshame.domain.periods import NAMED_PERIODS
from hallofshame.metrics.rankings import (
    FILTERS,
    PARK_DOWNTIME_SORTS,
    RIDE_DOWNTIME_SORTS,
    WAIT_SORTS,
)

PERIODS = [*NAMED_PERIODS, "custom"]
RANKINGS: dict[str, tuple[type[BaseModel], tuple[str, ...]]] = {
    "/api/parks/downtime": (schemas.ParkDowntimeItem, PARK_DOWNTIME_SORTS),
    "/api/parks/waittimes": (schemas.ParkWaitItem, WAIT_SORTS),
    "/api/rides/downtime": (schemas.RideDowntimeItem, RIDE_DOWNTIME_SORTS),
    "/api/rides/waittimes": (schemas.RideWaitItem, WAIT_SORTS),
}


def _params(period: str) -> str:
    return "start=2026-07-20&end=2026-07-21" if period == "custom" else f"period={period}"


def _ok(client: FlaskClient, url: str, model: Any) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.json)
    assert response.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json
    schemas.Envelope[model].model_validate(body)  # every field present with its type
    assert body["meta"]["generated_at"].endswith("Z")
    return body


def _error(client: FlaskClient, url: str, status: int, code: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, (url, response.json)
    schemas.ErrorResponse.model_validate(response.json)
    error: dict[str, Any] = response.json["error"]
    assert error["code"] == code
    return error


def _park_id(client: FlaskClient) -> int:
    return int(client.get("/api/parks").json["data"][0]["park_id"])


def _ride_id(client: FlaskClient, name: str) -> int:
    for hit in client.get("/api/search/index").json["data"]:
        if hit["type"] == "ride" and hit["name"] == name:
            return int(hit["id"])
    raise AssertionError(name)


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("url", list(RANKINGS))
def test_rankings_every_period(client: FlaskClient, url: str, period: str) -> None:
    model, sorts = RANKINGS[url]
    body = _ok(client, f"{url}?{_params(period)}", list[model])  # type: ignore[valid-type]
    meta = body["meta"]
    assert meta["period"] == (period if period != "custom" else "custom:2026-07-20..2026-07-21")
    assert meta["filter"] == "all-parks" and meta["sort_by"] == sorts[0] and meta["limit"] == 50
    assert meta["metrics_version"] == 1
    assert [item["rank"] for item in body["data"]] == list(range(1, len(body["data"]) + 1))


def test_park_ranking_meta_summary_and_window(client: FlaskClient) -> None:
    body = _ok(client, "/api/parks/downtime?period=yesterday", list[schemas.ParkDowntimeItem])
    assert body["meta"]["start_date"] == body["meta"]["end_date"] == "2026-07-20"
    summary = schemas.Summary.model_validate(body["meta"]["summary"])
    assert summary.parks_tracked == 1 and summary.rides_down >= 1
    live = _ok(client, "/api/parks/downtime?period=live", list[schemas.ParkDowntimeItem])
    assert live["meta"]["summary"]["parks_open"] == 1
    assert all(item["park_is_open"] is True for item in live["data"])


def test_today_carries_live_fields(client: FlaskClient) -> None:
    rides = _ok(client, "/api/rides/downtime?period=today", list[schemas.RideDowntimeItem])
    states = {item["name"]: item["current_status"] for item in rides["data"]}
    assert states["Pirate Lagoon Voyage"] == "DOWN"
    waits = _ok(client, "/api/rides/waittimes?period=live", list[schemas.RideWaitItem])
    assert all("current_wait_minutes" in item for item in waits["data"])
    parks = _ok(client, "/api/parks/downtime?period=today", list[schemas.ParkDowntimeItem])
    assert parks["data"][0]["park_is_open"] is True


@pytest.mark.parametrize("sort_by", RIDE_DOWNTIME_SORTS)
def test_ride_sort_orders(client: FlaskClient, sort_by: str) -> None:
    url = f"/api/rides/downtime?period=today&sort_by={sort_by}"
    items = _ok(client, url, list[schemas.RideDowntimeItem])["data"]
    values = [item[sort_by] for item in items]
    ascending = sort_by == "uptime_percentage"
    assert values == sorted(values, reverse=not ascending)


@pytest.mark.parametrize("sort_by", WAIT_SORTS)
def test_wait_sort_orders(client: FlaskClient, sort_by: str) -> None:
    url = f"/api/rides/waittimes?period=today&sort_by={sort_by}"
    values = [i[sort_by] for i in _ok(client, url, list[schemas.RideWaitItem])["data"]]
    assert values == sorted(values, reverse=True) and values


def test_limit_cuts_the_ranking(client: FlaskClient) -> None:
    full = _ok(client, "/api/rides/waittimes?period=today", list[schemas.RideWaitItem])["data"]
    two = _ok(client, "/api/rides/waittimes?period=today&limit=2", list[schemas.RideWaitItem])
    assert len(full) > 2 and two["data"] == full[:2] and two["meta"]["limit"] == 2


@pytest.mark.parametrize("filter_", FILTERS)
def test_filters(client: FlaskClient, filter_: str) -> None:
    body = _ok(client, f"/api/parks/downtime?period=today&filter={filter_}", list[Any])
    # The scenario park is neither Disney nor Universal.
    assert (len(body["data"]) == 1) == (filter_ == "all-parks")
    assert body["meta"]["filter"] == filter_


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("period=someday", "period"),
        ("period=", "period"),
        ("filter=disney", "filter"),
        ("sort_by=name", "sort_by"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=ten", "limit"),
        ("start=2026-07-01", "end"),
        ("end=2026-07-01", "start"),
        ("start=2026-07-10&end=2026-07-01", "end"),
        ("start=2026-13-01&end=2026-13-02", "start"),
        ("start=20260701&end=20260702", "start"),
        ("start=2024-01-01&end=2026-01-01", "end"),
        ("period=today&start=2026-07-01&end=2026-07-02", "period"),
        ("colour=red", "colour"),
    ],
)
def test_bad_parameters_are_named(client: FlaskClient, query: str, param: str) -> None:
    error = _error(client, f"/api/parks/downtime?{query}", 400, "invalid_parameter")
    assert error["details"]["parameter"] == param
    assert param in error["message"]
    if param in ("period", "filter", "sort_by", "limit", "colour"):
        assert error["details"]["allowed"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/parks?x=1",
        "/api/health?verbose=1",
        "/api/live/status-summary?filter=none",
        "/api/live/status-summary?park_id=abc",
        "/api/search",
        "/api/search?q=",
        "/api/rides/downtime?sort_by=shame_score",
        "/api/parks/waittimes?sort_by=rides_down",
        "/api/parks/{park}/details?period=forever",
        "/api/weather/{park}?start=yesterday",
    ],
)
def test_other_bad_parameters(client: FlaskClient, url: str) -> None:
    # Ids differ between databases (sequences survive a rollback): use the real one.
    error = _error(client, url.format(park=_park_id(client)), 400, "invalid_parameter")
    assert error["details"]["parameter"]


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/weather/{park}?start=", "start"),  # empty is not "today"
        ("/api/audit/checks?date=0000-00-00", "date"),  # what the document used to allow
        ("/api/audit/anomalies?date=2026-02-30", "date"),  # a pattern-shaped non-date
        ("/api/parks/downtime?start=2100-01-01&end=2100-01-02", "start"),
        ("/api/parks/downtime?start=2025-02-29&end=2025-03-01", "start"),  # not a leap year
        ("/api/parks/{park}/timeseries?start=2026-07-20 09:00", "start"),  # T, not a space
        ("/api/parks/{park}/timeseries?end=20260720T0900", "end"),
        ("/api/parks/{park}/timeseries?start=2026-07-20T24:00", "start"),
    ],
)
def test_dates_the_document_does_not_promise_are_refused(
    client: FlaskClient, url: str, param: str
) -> None:
    error = _error(client, url.format(park=_park_id(client)), 400, "invalid_parameter")
    assert error["details"]["parameter"] == param


@pytest.mark.parametrize(
    "url",
    [
        "/api/parks/999999",
        "/api/parks/999999/details",
        "/api/parks/999999/rides",
        "/api/rides/999999",
        "/api/rides/999999/details",
        "/api/rides/999999/breakdowns",
        "/api/rides/999999/recovery",
        "/api/weather/999999",
        "/api/live/status-summary?park_id=999999",
        "/api/parks/99999999999999999999",
        "/api/nothing-here",
    ],
)
def test_unknown_ids_are_404(client: FlaskClient, url: str) -> None:
    _error(client, url, 404, "not_found")


def test_parks_and_one_park(client: FlaskClient) -> None:
    parks = _ok(client, "/api/parks", list[schemas.ParkItem])["data"]
    assert parks[0]["name"] == "Lakeshore Kingdom" and parks[0]["attractions"] == 6
    one = _ok(client, f"/api/parks/{parks[0]['park_id']}", schemas.ParkOne)["data"]
    assert one["current_status"]["has_live_data"] is True
    assert one["current_status"]["rides"]["total"] == 6


@pytest.mark.parametrize("period", PERIODS)
def test_park_details_explain_the_ranking(client: FlaskClient, period: str) -> None:
    pid = _park_id(client)
    detail = _ok(client, f"/api/parks/{pid}/details?{_params(period)}", schemas.ParkDetail)
    data = detail["data"]
    ranking = client.get(f"/api/parks/downtime?{_params(period)}").json["data"]
    if ranking:
        assert data["shame_score"] == ranking[0]["shame_score"]
        assert data["total_downtime_hours"] == ranking[0]["total_downtime_hours"]
    contributions = [r["contribution"] for r in data["rides"]]
    assert contributions == sorted(contributions, reverse=True)
    # Shows, restaurants: stored and listed as excluded, never in the score.
    reasons = {r["name"]: r["reason"] for r in data["excluded_rides"]}
    assert reasons.get("Lakeside Fireworks Spectacular") == "not an attraction"
    assert sum(t["rides"] for t in data["tier_distribution"]) == 6
    assert isinstance(data["series"], list)


def test_park_roster(client: FlaskClient) -> None:
    pid = _park_id(client)
    roster = _ok(client, f"/api/parks/{pid}/rides", list[schemas.RosterItem])["data"]
    eligible = [r for r in roster if r["eligible"]]
    assert len(eligible) == 6 and all(r["reason"] is None for r in eligible)
    assert all(r["reason"] for r in roster if not r["eligible"])
    assert all(r["last_operated_at"].endswith("Z") for r in eligible)


def test_live_status_summary_counts_each_ride_once(client: FlaskClient) -> None:
    counts = _ok(client, "/api/live/status-summary", schemas.StateCounts)["data"]
    assert counts["DOWN"] == 1 and counts["OPERATING"] == 5
    assert sum(v for k, v in counts.items() if k != "total") == counts["total"] == 6
    one = _ok(client, f"/api/live/status-summary?park_id={_park_id(client)}", Any)["data"]
    assert one == counts


def test_ride_one_and_details(client: FlaskClient) -> None:
    rid = _ride_id(client, "Skyway Carousel")
    ride = _ok(client, f"/api/rides/{rid}", schemas.RideOne)["data"]
    assert ride["tier"] == 3 and ride["weight"] == 1 and ride["category"] == "ATTRACTION"
    detail = _ok(client, f"/api/rides/{rid}/details?period=today", schemas.RideDetail)["data"]
    ranking = client.get("/api/rides/downtime?period=today").json["data"]
    ranked = next(item for item in ranking if item["ride_id"] == rid)
    for field in ("downtime_hours", "uptime_percentage", "breakdowns", "longest_outage_minutes"):
        assert detail["summary"][field] == ranked[field]
    assert [e["duration_minutes"] for e in detail["episodes"]] == [70.0]
    assert len(detail["series"]) == 16  # hourly, local midnight to now (15:00 local)


@pytest.mark.parametrize("period", PERIODS)
def test_ride_details_every_period(client: FlaskClient, period: str) -> None:
    rid = _ride_id(client, "Pirate Lagoon Voyage")
    _ok(client, f"/api/rides/{rid}/details?{_params(period)}", schemas.RideDetail)


def test_fuzzy_search(client: FlaskClient) -> None:
    hits = _ok(client, "/api/search?q=thundr%20run", list[schemas.SearchHit])["data"]
    assert hits[0]["name"] == "Thunder Run Coaster" and hits[0]["type"] == "ride"
    parks = _ok(client, "/api/search?q=lakeshore", list[schemas.SearchHit])["data"]
    assert parks[0]["type"] == "park"
    assert _ok(client, "/api/search?q=zzzzqqq", list[schemas.SearchHit])["data"] == []
    index = _ok(client, "/api/search/index", list[schemas.SearchHit])["data"]
    assert {e["type"] for e in index} == {"park", "ride"}


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("period=live&end=2026-07-20", "period"),
        ("period=today&start=2026-07-20&end=2026-07-20", "period"),
        ("start=2026-07-21&end=2026-07-20", "end"),
        ("start=2026-07-20", "end"),
        ("start=2024-01-01&end=2026-01-01", "end"),
    ],
)
def test_rules_between_parameters_live_in_the_query_model(
    client: FlaskClient, query: str, param: str
) -> None:
    """What the document cannot state (each parameter is valid alone) the query model
    decides once: the route's 400 and ``cross_parameter_problem`` name the same one."""
    error = _error(client, f"/api/parks/downtime?{query}", 400, "invalid_parameter")
    assert error["details"]["parameter"] == param
    parsed = ParkDowntimeQuery.model_validate(dict(p.split("=") for p in query.split("&")))
    problem = cross_parameter_problem(parsed)
    assert problem is not None and problem.param == param
    assert cross_parameter_problem(ParkDowntimeQuery(period="yesterday")) is None


def test_a_weather_window_of_one_end_is_that_day(client: FlaskClient) -> None:
    pid = _park_id(client)
    for query in ("start=2026-07-20", "end=2026-07-20", "start=2026-07-20&end=2026-07-20"):
        meta = _ok(client, f"/api/weather/{pid}?{query}", schemas.Weather)["meta"]
        assert (meta["start_date"], meta["end_date"]) == ("2026-07-20", "2026-07-20"), query
    error = _error(
        client, f"/api/weather/{pid}?start=2026-07-21&end=2026-07-20", 400, "invalid_parameter"
    )
    assert error["details"]["parameter"] == "end"


def test_weather_empty_is_empty(client: FlaskClient) -> None:
    pid = _park_id(client)
    body = _ok(client, f"/api/weather/{pid}?start=2026-07-20&end=2026-07-21", schemas.Weather)
    assert body["data"]["observations"] == [] and body["data"]["forecast"]["hours"] == []
    assert body["meta"]["start_date"] == "2026-07-20"


def test_health(client: FlaskClient) -> None:
    data = _ok(client, "/api/health", schemas.Health)["data"]
    assert data["status"] == "ok" and data["database"] is True
    assert data["sources"][0]["source"] == "themeparks.wiki"
    # Where the history came from: this database was filled by replaying feeds.
    assert [h["origin"] for h in data["history"]] == ["replay"], data["history"]


def test_empty_database_answers_empty(empty_client: FlaskClient) -> None:
    for url in RANKINGS:
        assert empty_client.get(f"{url}?period=today").json["data"] == []
    assert empty_client.get("/api/parks").json["data"] == []
    assert empty_client.get("/api/health").json["data"]["status"] == "degraded"
    assert empty_client.get("/api/live/status-summary").json["data"]["total"] == 0


def test_ride_breakdowns_and_recovery(client: FlaskClient) -> None:
    rid = _ride_id(client, "Skyway Carousel")
    body = _ok(client, f"/api/rides/{rid}/breakdowns?period=today", list[schemas.BreakdownItem])
    items = body["data"]
    assert [i["duration_minutes"] for i in items] == [70.0]
    assert body["meta"]["total_downtime_minutes"] == 70.0
    assert body["meta"]["by_severity"] == {"minor": 0, "moderate": 0, "major": 1}
    assert sum(body["meta"]["by_kind"].values()) == 1
    answer = _ok(client, f"/api/rides/{rid}/recovery", schemas.Recovery)["data"]
    # One outage is no history: every estimate is null and the answer says why.
    assert answer["breakdowns_considered"] <= 1 and answer["enough_history"] is False
    assert answer["chance_back_within_percentage"] is None
    assert answer["median_remaining_minutes"] is None
    assert set(answer["percentiles"].values()) == {None}
    assert "10" in answer["reason"]
    assert answer["within_minutes"] == 30.0


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("down_for=-1", "down_for"),
        ("down_for=abc", "down_for"),
        ("down_for=nan", "down_for"),
        ("within=0", "within"),
        ("within=inf", "within"),
        ("kind=closure", "kind"),
        ("colour=red", "colour"),
    ],
)
def test_recovery_bad_parameters_are_named(client: FlaskClient, query: str, param: str) -> None:
    rid = _ride_id(client, "Skyway Carousel")
    error = _error(client, f"/api/rides/{rid}/recovery?{query}", 400, "invalid_parameter")
    assert error["details"]["parameter"] == param


def test_breakdowns_bad_period_is_named(client: FlaskClient) -> None:
    rid = _ride_id(client, "Skyway Carousel")
    error = _error(client, f"/api/rides/{rid}/breakdowns?period=someday", 400, "invalid_parameter")
    assert error["details"]["parameter"] == "period"
