"""CSV downloads: every ranking endpoint answers ``format=csv`` with the rows and the
rounded values of its JSON answer, for every period; bad ``format`` is a 400."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update

from hallofshame.api.export import FORMULA_START
from hallofshame.db.models import Ride
from hallofshame.domain.periods import NAMED_PERIODS
from hallofshame.metrics.trends import AWARD_ENTITIES, TREND_CATEGORIES
from tests.api.conftest import Populated, make_app

PERIODS = [*NAMED_PERIODS, "custom"]
RANKINGS = [
    "/api/parks/downtime",
    "/api/parks/waittimes",
    "/api/rides/downtime",
    "/api/rides/waittimes",
    *(f"/api/trends?category={c}" for c in TREND_CATEGORIES),
    *(f"/api/trends/least-reliable?entity={e}&limit=50" for e in AWARD_ENTITIES),
    *(f"/api/trends/longest-wait-times?entity={e}&limit=50" for e in AWARD_ENTITIES),
]


def _params(period: str) -> str:
    return "start=2026-07-14&end=2026-07-21" if period == "custom" else f"period={period}"


def _url(base: str, period: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}{_params(period)}"


def _same(cell: str, value: Any) -> bool:
    """A CSV cell holds the JSON value: empty for null, true/false, the number itself."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, int | float):
        return cell != "" and float(cell) == value and ("." in cell) == isinstance(value, float)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return cell == "'" + value  # shown as text by spreadsheets, never run
    return bool(cell == value)


def csv_equals_json(client: FlaskClient, url: str) -> int:
    """Assert that ``url&format=csv`` is the JSON answer of ``url``; the rows compared."""
    data: list[dict[str, Any]] = client.get(url).json["data"]
    response = client.get(f"{url}{'&' if '?' in url else '?'}format=csv")
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('.csv"')
    assert response.headers["ETag"] and response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert header, "a header row, even for an empty answer"
    assert len(body) == len(data)
    for item, row in zip(data, body, strict=True):
        assert set(item) <= set(header)
        cells = dict(zip(header, row, strict=True))
        wrong = {k: (cells[k], v) for k, v in item.items() if not _same(cells[k], v)}
        assert not wrong, (url, wrong)
        assert all(cells[k] == "" for k in header if k not in item)
    return len(data)


@pytest.mark.parametrize("period", PERIODS)
def test_every_ranking_as_csv(client: FlaskClient, period: str) -> None:
    rows = {base: csv_equals_json(client, _url(base, period)) for base in RANKINGS}
    if period in ("yesterday", "custom", "7days", "30days"):
        # The scenario's day: the rankings have rows, so the comparison says something.
        assert rows["/api/parks/downtime"] > 0 and rows["/api/rides/downtime"] > 0


def test_csv_rows_keep_the_ranking_order_and_limit(client: FlaskClient) -> None:
    url = "/api/rides/waittimes?period=yesterday&sort_by=peak_wait_minutes&limit=2"
    assert csv_equals_json(client, url) == 2
    text = client.get(f"{url}&format=csv").get_data(as_text=True)
    ranks = [row["rank"] for row in csv.DictReader(io.StringIO(text))]
    assert ranks == ["1", "2"]


def test_csv_file_name_says_what_it_holds(client: FlaskClient) -> None:
    response = client.get("/api/parks/downtime?period=yesterday&format=csv")
    assert 'filename="parks-downtime-yesterday.csv"' in response.headers["Content-Disposition"]
    again = client.get("/api/parks/downtime?period=yesterday&format=csv")  # from the cache
    assert again.headers.get("X-Cache") == "hit"
    assert again.headers["Content-Disposition"] == response.headers["Content-Disposition"]
    assert again.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert again.data == response.data


def test_breakdowns_as_csv(client: FlaskClient) -> None:
    ride_id = client.get("/api/rides/downtime?period=yesterday").json["data"][0]["ride_id"]
    assert csv_equals_json(client, f"/api/rides/{ride_id}/breakdowns?period=yesterday") > 0


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://example.com/","Space Mountain")', "-2+3", "@SUM(A1)"]
)
def test_a_name_a_spreadsheet_would_run_is_written_as_text(pinned: Populated, name: str) -> None:
    """Names come from upstream feeds: one that starts like a formula must reach a
    spreadsheet as text, while the JSON keeps it as it is."""
    client = make_app(pinned.conn, cache_enabled=False).test_client()
    url = "/api/rides/downtime?period=yesterday"
    ride_id = client.get(url).json["data"][0]["ride_id"]
    renamed = pinned.conn.begin_nested()
    try:
        pinned.conn.execute(update(Ride).where(Ride.id == ride_id).values(name=name))
        rows = csv.DictReader(io.StringIO(client.get(f"{url}&format=csv").get_data(as_text=True)))
        row = next(r for r in rows if r["ride_id"] == str(ride_id))
        assert row["name"] == "'" + name
        assert row["downtime_hours"][0].isdigit()  # numbers are never touched
        assert client.get(url).json["data"][0]["name"] == name
    finally:
        renamed.rollback()


def test_an_empty_ranking_still_has_its_header(empty_client: FlaskClient) -> None:
    text = empty_client.get("/api/parks/downtime?period=yesterday&format=csv").get_data(
        as_text=True
    )
    assert text.splitlines()[0].startswith("rank,park_id,name,")
    assert len(text.splitlines()) == 1


@pytest.mark.parametrize("bad", ["xml", "CSV", ""])
def test_bad_format_is_a_400_naming_it(client: FlaskClient, bad: str) -> None:
    response = client.get(f"/api/parks/downtime?format={bad}")
    assert response.status_code == 400
    assert response.json["error"]["details"]["parameter"] == "format"
    assert response.json["error"]["details"]["allowed"] == ["json", "csv"]


def test_csv_is_only_offered_where_documented(client: FlaskClient) -> None:
    assert client.get("/api/parks?format=csv").status_code == 400
