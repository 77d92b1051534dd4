"""The uptime strips (``/api/{rides,parks}/{id}/days``) over a simulated quarter: every
day's cell equals the entity's details for ``start=D&end=D``, whichever store the day is
read from (rollup, running sums or raw), on every database."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from hallofshame.api import schemas
from hallofshame.api.routes.days import ParkDayItem, RideDayItem
from hallofshame.metrics.days import CLASSES, CLOSED, NO_DATA, STATUSES
from tests.api.quarter import RAW_DAYS, Quarter
from tests.api.test_csv import csv_equals_json

GREY = (NO_DATA, CLOSED)
RIDES_PER_PARK = (2, 1, 1)  # four rides: both kinds of feed, each store of days


def _get(q: Quarter, url: str) -> dict[str, Any]:
    response = q.client.get(url)
    assert response.status_code == 200, (url, response.json)
    body: dict[str, Any] = response.json
    return body


def _strip(q: Quarter, url: str, model: Any) -> list[dict[str, Any]]:
    body = _get(q, url)
    schemas.Envelope[list[model]].model_validate(body)  # type: ignore[valid-type]
    items: list[dict[str, Any]] = body["data"]
    first, last = date.fromisoformat(items[0]["date"]), date.fromisoformat(items[-1]["date"])
    assert [i["date"] for i in items] == [
        (first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)
    ]
    assert body["meta"]["start_date"] == items[0]["date"]
    assert body["meta"]["end_date"] == items[-1]["date"]
    return items


def _rides(q: Quarter, park_id: int, n: int) -> list[int]:
    """The park's counted rides with the most downtime over the quarter."""
    details = _get(q, f"/api/parks/{park_id}/details?start=2025-12-19&end=2026-03-18")["data"]
    return [r["ride_id"] for r in details["rides"][:n]]


@pytest.mark.slow
def test_park_strips_equal_the_one_day_details(pinned_quarter: Quarter) -> None:
    q = pinned_quarter
    statuses: set[str] = set()
    for park_id in sorted(q.parks):
        items = _strip(q, f"/api/parks/{park_id}/days", ParkDayItem)
        assert len(items) == 90
        assert items[-1]["date"] == "2026-03-18"  # today, in every one of these zones
        for item in items:
            d = item["date"]
            detail = _get(q, f"/api/parks/{park_id}/details?start={d}&end={d}")["data"]
            shown = (
                item["shame_score"],
                item["uptime_percentage"],
                item["downtime_hours"],
                item["operating_hours"],
            )
            expected = (
                detail["shame_score"],
                detail["uptime_percentage"],
                detail["total_downtime_hours"],
                detail["operating_hours"],
            )
            assert shown == expected, (park_id, d)
            grey = detail["operating_hours"] == 0 or detail["weighted_capacity_hours"] == 0
            assert (item["status"] in GREY) == grey, (park_id, item, detail)
            statuses.add(item["status"])
    # The quarter is not trivially uniform: open and closed days, more than one class.
    assert statuses & set(GREY)
    assert len(statuses & set(CLASSES)) >= 2


@pytest.mark.slow
def test_ride_strips_equal_the_one_day_details(pinned_quarter: Quarter) -> None:
    q = pinned_quarter
    rides = [
        ride
        for park_id, n in zip(sorted(q.parks), RIDES_PER_PARK, strict=True)
        for ride in _rides(q, park_id, n)
    ]
    assert len(rides) == 4
    breakdowns = 0
    for ride_id in rides:
        items = _strip(q, f"/api/rides/{ride_id}/days?days=90", RideDayItem)
        assert len(items) == 90
        for item in items:
            d = item["date"]
            summary = _get(q, f"/api/rides/{ride_id}/details?start={d}&end={d}")["data"]["summary"]
            shown = (item["uptime_percentage"], item["downtime_hours"], item["breakdowns"])
            expected = (
                summary["uptime_percentage"],
                summary["downtime_hours"],
                summary["breakdowns"],
            )
            assert shown == expected, (ride_id, d)
            assert item["status"] in STATUSES
            # A class needs a figure; a grey day never shows an invented uptime.
            assert (item["uptime_percentage"] is None) == (item["status"] in GREY), item
            breakdowns += item["breakdowns"]
    assert breakdowns > 0


def test_days_read_from_raw_equal_their_details(pinned_quarter: Quarter) -> None:
    """The days whose rollups were dropped are computed from raw observations."""
    q = pinned_quarter
    reporting = next(pid for pid, reports in q.parks.items() if reports)
    items = {i["date"]: i for i in _strip(q, f"/api/parks/{reporting}/days", ParkDayItem)}
    for d in RAW_DAYS:
        item = items[d.isoformat()]
        detail = _get(q, f"/api/parks/{reporting}/details?start={d}&end={d}")["data"]
        assert detail["operating_hours"] > 0  # an open day, so the comparison says something
        assert item["shame_score"] == detail["shame_score"]
        assert item["uptime_percentage"] == detail["uptime_percentage"]
        assert item["downtime_hours"] == detail["total_downtime_hours"]


def test_days_parameter(pinned_quarter: Quarter) -> None:
    q = pinned_quarter
    park_id = min(q.parks)
    assert len(_get(q, f"/api/parks/{park_id}/days?days=1")["data"]) == 1
    assert len(_get(q, f"/api/parks/{park_id}/days?days=366")["data"]) == 366
    for bad in ("0", "367", "x", "1.5", ""):
        response = q.client.get(f"/api/parks/{park_id}/days?days={bad}")
        assert response.status_code == 400, bad
        assert response.json["error"]["details"]["parameter"] == "days"
    for url in ("/api/parks/999999/days", "/api/rides/999999/days"):
        response = q.client.get(url)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("kind", ["parks", "rides"])
def test_a_strip_reads_its_range_in_a_fixed_number_of_queries(
    pinned_quarter: Quarter, kind: str
) -> None:
    """The strip reads the whole range at once, a few queries per store it reads from
    (rollups, today's sums, raw days): a year costs what the quarter of data costs, not
    one window's queries per day (its speed is measured in bench/, not here)."""
    q = pinned_quarter
    park_id = min(q.parks)
    entity = park_id if kind == "parks" else _rides(q, park_id, 1)[0]
    engine = q.factory.kw["bind"]
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(args[2])

    def statements(url: str) -> int:
        sent.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            body = _get(q, url)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert body["data"]
        return len(sent)

    # A one-day window, for scale: what a strip would cost per day if it asked for each.
    day = _get(q, f"/api/{kind}/{entity}/days?days=1")["data"][0]["date"]
    window = statements(f"/api/{kind}/{entity}/details?start={day}&end={day}")
    quarter = statements(f"/api/{kind}/{entity}/days?days=100")  # every simulated day
    year = statements(f"/api/{kind}/{entity}/days?days=366")
    assert year == quarter
    assert year < 3 * window


def test_days_as_csv(pinned_quarter: Quarter) -> None:
    q = pinned_quarter
    park_id = min(q.parks)
    ride_id = _rides(q, park_id, 1)[0]
    assert csv_equals_json(q.client, f"/api/parks/{park_id}/days") == 90
    assert csv_equals_json(q.client, f"/api/rides/{ride_id}/days?days=30") == 30
