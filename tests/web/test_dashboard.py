"""The dashboard in headless Chromium, against the real API over a simulated history.

Every check compares what the page shows with what the API answers for the same
question: the page must never compute, round or invent a figure of its own.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PERIOD = "yesterday"


def shown(value: float | None, decimals: int) -> str:
    """The API's (already rounded) number as the page prints it."""
    return "—" if value is None else f"{value:.{decimals}f}"


def query_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def column(page: Any, table: str, col: str) -> list[str]:
    return [t.strip() for t in page.locator(f"#{table} tbody [data-col={col}]").all_inner_texts()]


def test_downtime_view_loads_real_rankings(page: Any, server: str, api: httpx.Client) -> None:
    parks = api.get("/parks/downtime", params={"period": PERIOD}).json()
    rides = api.get("/rides/downtime", params={"period": PERIOD}).json()
    assert parks["data"] and rides["data"], "the simulated history has downtime yesterday"
    page.goto(f"{server}/?period={PERIOD}")
    page.wait_for_selector("#park-table tbody tr")
    page.wait_for_selector("#ride-table tbody tr")
    assert column(page, "park-table", "name") == [p["name"] for p in parks["data"]]
    assert column(page, "park-table", "shame_score") == [
        shown(p["shame_score"], 1) for p in parks["data"]
    ]
    assert column(page, "park-table", "total_downtime_hours") == [
        shown(p["total_downtime_hours"], 2) for p in parks["data"]
    ]
    assert column(page, "ride-table", "downtime_hours") == [
        shown(r["downtime_hours"], 2) for r in rides["data"]
    ]
    summary = parks["meta"]["summary"]
    panels = page.locator("#status-body").inner_text()
    assert str(summary["parks_tracked"]) in panels
    latest = max(s["latest_cycle_at"] for s in api.get("/health").json()["data"]["sources"])
    stamp = page.locator("#last-updated time")
    assert stamp.get_attribute("datetime") == latest
    assert "America/New_York" in page.locator("#last-updated").inner_text()


@pytest.mark.parametrize("view", ["waits", "awards", "charts"])
def test_other_views_load_real_data(page: Any, server: str, view: str) -> None:
    page.goto(f"{server}/?view={view}&period={PERIOD}")
    if view == "waits":
        page.wait_for_selector("#park-wait-table tbody tr")
        page.wait_for_selector("#ride-wait-table tbody tr")
    elif view == "awards":
        page.wait_for_function("() => document.querySelectorAll('.award').length === 12")
        assert page.locator(".award .award-name a").count() >= 8  # last month may be empty
        assert page.locator(".state-unavailable, .state-error").count() == 0
    else:
        page.wait_for_function("() => document.querySelectorAll('.chart .main-svg').length >= 6")
        assert page.locator(".state-unavailable, .state-error").count() == 0


def test_period_and_filter_change_tables_and_url(page: Any, server: str, api: httpx.Client) -> None:
    def names(period: str, filter_: str) -> list[str]:
        body = api.get("/parks/downtime", params={"period": period, "filter": filter_}).json()
        return [p["name"] for p in body["data"]]

    def settle(expected: list[str]) -> None:
        page.wait_for_function(
            "names => JSON.stringify([...document.querySelectorAll("
            "'#park-table tbody [data-col=name]')].map(e => e.textContent.trim()))"
            " === JSON.stringify(names)",
            arg=expected,
        )

    page.goto(f"{server}/?period={PERIOD}")
    settle(names(PERIOD, "all-parks"))
    page.click("#filter-group [data-filter=disney-universal]")
    assert query_of(page)["filter"] == ["disney-universal"]
    settle(names(PERIOD, "disney-universal"))
    page.click("#period-group [data-period=last_week]")
    assert query_of(page)["period"] == ["last_week"]
    settle(names("last_week", "disney-universal"))
    page.go_back()
    assert query_of(page)["period"] == [PERIOD]
    settle(names(PERIOD, "disney-universal"))
    page.click("#park-table thead button[data-sort=total_downtime_hours]")
    assert query_of(page)["park_sort"] == ["total_downtime_hours"]
    by_hours = api.get(
        "/parks/downtime",
        params={"period": PERIOD, "filter": "disney-universal", "sort_by": "total_downtime_hours"},
    ).json()
    settle([p["name"] for p in by_hours["data"]])


def test_custom_dates_are_linkable(page: Any, server: str, api: httpx.Client) -> None:
    end = api.get("/parks/downtime", params={"period": PERIOD}).json()["meta"]["end_date"]
    page.goto(f"{server}/")
    page.click("#period-group [data-period=custom]")
    page.fill("#custom-range input[name=start]", end)
    page.fill("#custom-range input[name=end]", end)
    page.click("#custom-range button[type=submit]")
    page.wait_for_selector("#park-table tbody tr")
    assert query_of(page)["start"] == [end] and query_of(page)["end"] == [end]
    custom = api.get("/parks/downtime", params={"start": end, "end": end}).json()
    assert column(page, "park-table", "name") == [p["name"] for p in custom["data"]]


def test_score_click_explains_the_same_number(page: Any, server: str, api: httpx.Client) -> None:
    page.goto(f"{server}/?period={PERIOD}")
    button = page.locator("#park-table tbody button.score").first
    in_table = button.inner_text().strip()
    button.click()
    dialog = page.locator("#explain")
    dialog.locator("[data-figure=shame_score]").first.wait_for()
    assert dialog.locator("[data-figure=shame_score]").first.inner_text().strip() == in_table
    first = api.get("/parks/downtime", params={"period": PERIOD}).json()["data"][0]
    detail = api.get(f"/parks/{first['park_id']}/details", params={"period": PERIOD}).json()
    assert shown(detail["data"]["shame_score"], 1) == in_table
    formula = dialog.locator(".formula-filled").inner_text()
    assert shown(detail["data"]["weighted_downtime_hours"], 2) in formula
    assert shown(detail["data"]["weighted_capacity_hours"], 2) in formula
    page.keyboard.press("Escape")
    assert not dialog.is_visible()


def test_search_finds_a_misspelled_ride(page: Any, server: str, api: httpx.Client) -> None:
    page.goto(f"{server}/methodology")
    page.fill("#search-input", "big thundr mountn")
    hit = page.locator("#search-results li[data-href^='/rides/']").first
    hit.wait_for()
    assert "Big Thunder Mountain" in hit.inner_text()
    href = hit.get_attribute("data-href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{href}")
    ride = api.get(f"/rides/{href.rsplit('/', 1)[1]}").json()["data"]
    page.wait_for_selector("#entity-head h1:has-text('Big Thunder')")
    assert ride["name"] in page.locator("#entity-head h1").inner_text()


def test_palette_navigates_by_keyboard(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    page.keyboard.press("Control+k")
    palette = page.locator("#palette")
    assert palette.is_visible()
    page.keyboard.type("disnyland")
    page.locator("#palette-results li[aria-selected=true]").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    target = page.locator("#palette-results li[aria-selected=true]").get_attribute("data-href")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")


def test_park_page_shows_the_apis_figures(page: Any, server: str, api: httpx.Client) -> None:
    park_id = api.get("/parks/downtime", params={"period": PERIOD}).json()["data"][0]["park_id"]
    detail = api.get(f"/parks/{park_id}/details", params={"period": PERIOD}).json()["data"]
    park = api.get(f"/parks/{park_id}").json()["data"]
    page.goto(f"{server}/parks/{park_id}?period={PERIOD}")
    page.wait_for_selector("#park-score-body [data-figure=shame_score]")
    page.wait_for_selector("#park-now-body [data-figure=OPERATING]")
    decimals = {"shame_score": 1, "operating_hours": 2, "avg_wait_minutes": 1}
    decimals |= {"peak_wait_minutes": 1, "weighted_capacity_hours": 2}
    decimals |= {"total_downtime_hours": 2, "weighted_downtime_hours": 2}
    score_nodes = page.locator("#park-score-body [data-figure]").all()
    now_nodes = page.locator("#park-now-body [data-figure]").all()
    assert score_nodes and now_nodes  # the comparisons below need figures on the page
    for node in score_nodes:
        key = node.get_attribute("data-figure")
        text = node.inner_text().strip()
        value = detail[key]
        if key == "uptime_percentage":
            assert text == f"{shown(value, 1)}%"
        elif key == "rides_down":
            assert text == str(value)
        else:
            assert text == shown(value, decimals[key]), key
    for node in now_nodes:
        key = node.get_attribute("data-figure")
        assert node.inner_text().strip() == str(park["current_status"]["rides"][key])
    down = [r for r in detail["rides"] if r["downtime_hours"] > 0]
    table = page.locator("#park-score-body table").first
    cells = table.locator("tbody [data-col=downtime_hours]").all_inner_texts()
    assert cells == [shown(r["downtime_hours"], 2) for r in down]
    shares = table.locator("tbody [data-col=contribution]").all_inner_texts()
    assert shares == [shown(r["contribution"], 1) for r in down]
    page.wait_for_selector("#park-series-body .main-svg")
    page.wait_for_selector("#park-heatmap-body .main-svg")


def test_custom_window_timeseries_renders(page: Any, server: str, api: httpx.Client) -> None:
    park_id = api.get("/parks/downtime", params={"period": PERIOD}).json()["data"][0]["park_id"]
    day = api.get(f"/parks/{park_id}/details", params={"period": PERIOD}).json()["meta"]
    window = {"start": f"{day['end_date']}T11:30", "end": f"{day['end_date']}T13:45"}
    buckets = api.get(f"/parks/{park_id}/timeseries", params={**window, "bucket": "15m"}).json()
    rows = buckets["data"] if isinstance(buckets["data"], list) else buckets["data"]["buckets"]
    page.goto(f"{server}/parks/{park_id}?period={PERIOD}")
    page.wait_for_selector("#window-table tbody tr")
    page.wait_for_selector("#window-result .main-svg")
    assert column(page, "window-table", "start")[0] == "11:30"
    assert column(page, "window-table", "shame_score") == [shown(r["shame_score"], 1) for r in rows]
    assert column(page, "window-table", "rides_down") == [str(r["rides_down"]) for r in rows]
    page.select_option("#window-form select[name=bucket]", "30m")
    page.click("#window-form button[type=submit]")
    assert query_of(page)["bucket"] == ["30m"]
    page.wait_for_function("() => document.querySelectorAll('#window-table tbody tr').length === 5")


def test_ride_page_shows_outages(page: Any, server: str, api: httpx.Client) -> None:
    ride = api.get("/rides/downtime", params={"period": "last_week"}).json()["data"][0]
    detail = api.get(f"/rides/{ride['ride_id']}/details", params={"period": "last_week"}).json()
    page.goto(f"{server}/rides/{ride['ride_id']}?period=last_week")
    page.wait_for_selector("#episode-table tbody tr")
    page.wait_for_selector("#ride-timeline-body .main-svg")
    durations = column(page, "episode-table", "duration_minutes")
    assert durations == [shown(e["duration_minutes"], 1) for e in detail["data"]["episodes"]]
    summary = detail["data"]["summary"]
    assert page.locator("[data-figure=downtime_hours]").inner_text() == shown(
        summary["downtime_hours"], 2
    )
    assert page.locator("[data-figure=breakdowns]").inner_text() == str(summary["breakdowns"])
    page.click("#period-group [data-period=yesterday]")
    assert query_of(page)["period"] == ["yesterday"]


def test_missing_endpoint_says_not_available(page: Any, server: str) -> None:
    page.route(
        re.compile(r".*/api/trends/.*"),
        lambda route: route.fulfill(
            status=404,
            content_type="application/json",
            body='{"error":{"code":"not_found","message":"nothing here","details":{}}}',
        ),
    )
    page.goto(f"{server}/?view=awards&period={PERIOD}")
    page.wait_for_selector(".state-unavailable")
    assert "not available" in page.locator(".state-unavailable").first.inner_text()
    # The browser logs each 404 this test serves; any other console error still fails.
    page.watch.expected.append("the server responded with a status of 404")
