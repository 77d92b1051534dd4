"""The 90-day uptime strips on the ride and park pages, in headless Chromium: one cell
per day of the API's answer, grey exactly on its closed and no-data days, the figures in
each cell's accessible name, and a keyboard path to the day's own page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GREY = {"closed", "no_data"}


def _strip(page: Any) -> list[dict[str, str]]:
    page.wait_for_selector("#uptime-strip .strip a.day")
    cells = page.locator("#uptime-strip .strip a.day")
    return [
        {
            "date": cells.nth(i).get_attribute("data-date") or "",
            "status": cells.nth(i).get_attribute("data-status") or "",
            "label": cells.nth(i).get_attribute("aria-label") or "",
            "title": cells.nth(i).get_attribute("title") or "",
            "colour": cells.nth(i).evaluate("e => getComputedStyle(e).backgroundColor"),
        }
        for i in range(cells.count())
    ]


def _grey(colour: str) -> bool:
    """A background that is a shade of grey (equal channels), or the hatched no-data."""
    if colour.startswith("rgba(0, 0, 0, 0)"):  # hatched: an image, no colour
        return True
    r, g, b = (int(x) for x in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3])
    return r == g == b


def _busiest_ride(api: httpx.Client) -> int:
    rides = api.get("/rides/downtime", params={"period": "7days"}).json()["data"]
    assert rides, "the simulated history has downtime in the last 7 days"
    return int(rides[0]["ride_id"])


@pytest.mark.parametrize("kind", ["rides", "parks"])
def test_strip_cells_follow_the_api(page: Any, server: str, api: httpx.Client, kind: str) -> None:
    ride_id = _busiest_ride(api)
    entity = ride_id if kind == "rides" else api.get(f"/rides/{ride_id}").json()["data"]["park_id"]
    days = api.get(f"/{kind}/{entity}/days", params={"days": 90}).json()["data"]
    page.goto(f"{server}/{kind}/{entity}")
    cells = _strip(page)
    assert len(cells) == 90
    assert [c["date"] for c in cells] == [d["date"] for d in days]
    assert [c["status"] for c in cells] == [d["status"] for d in days]
    grey = [c["date"] for c in cells if _grey(c["colour"])]
    assert grey == [d["date"] for d in days if d["status"] in GREY]
    assert 0 < len(grey) < 90  # both kinds of day are on the strip
    for cell, day in zip(cells, days, strict=True):
        assert cell["label"] == cell["title"]
        assert cell["label"].startswith(day["date"])
    judged = next(d for d in days if d["status"] not in GREY)
    label = next(c["label"] for c in cells if c["date"] == judged["date"])
    assert f"uptime {judged['uptime_percentage']:.1f}%" in label
    assert f"{judged['downtime_hours']:.2f}" in label


def test_a_day_is_one_keypress_away(page: Any, server: str, api: httpx.Client) -> None:
    ride_id = _busiest_ride(api)
    page.goto(f"{server}/rides/{ride_id}")
    cells = _strip(page)
    last = cells[-1]
    page.locator("#uptime-strip .strip a.day").last.focus()
    focused = page.evaluate("document.activeElement.getAttribute('data-date')")
    assert focused == last["date"]
    assert page.evaluate("document.activeElement.tabIndex") == 0  # in the tab order
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/rides/{ride_id}?start={last['date']}&end={last['date']}")
    assert parse_qs(urlparse(page.url).query) == {"start": [last["date"]], "end": [last["date"]]}
    page.wait_for_selector("#ride-summary-body [data-figure=downtime_hours]")
    details = api.get(
        f"/rides/{ride_id}/details", params={"start": last["date"], "end": last["date"]}
    ).json()["data"]["summary"]
    shown = page.locator("#ride-summary-body [data-figure=downtime_hours]").inner_text()
    assert shown == f"{details['downtime_hours']:.2f}"
