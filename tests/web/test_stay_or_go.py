"""The ride page's "Stay or go" panel in headless Chromium against the real API over the
simulated history: the figures shown are the API's, the slider and the quick buttons
ask the API again (by keyboard too), the step chart has one step per curve point, a
ride down now opens at its downtime, and a phone-wide screen does not scroll sideways.

No ride happens to be down at the history's pinned instant, so this module stands the
server's clock, for its own tests, at the latest earlier instant of that day when a ride
had been down for at least ten minutes (found by the live rules themselves).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.web import simdata
from tests.web.conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE_375 = {"width": 375, "height": 812}


@pytest.fixture(scope="module", autouse=True)
def ride_down_moment(server: str) -> Iterator[datetime]:
    from sqlalchemy.orm import Session

    from hallofshame import clock
    from hallofshame.config import get_settings
    from hallofshame.db.engine import make_engine
    from hallofshame.db.models import Park
    from hallofshame.metrics import live
    from hallofshame.metrics.outages import ONGOING, ride_outages

    pinned = clock.parse_instant(simdata.PINNED_NOW)
    engine = make_engine(get_settings().effective_database_url)
    found = None
    with Session(engine) as session:
        parks = list(session.scalars(select(Park)))
        at = pinned
        while found is None and at > pinned - timedelta(hours=8):
            at -= timedelta(minutes=5)
            for state in live.ride_states(session, parks, at).values():
                if state.state != live.DOWN:
                    continue
                history = ride_outages(
                    session, state.park_id, state.ride_id, at - timedelta(days=1), at, 600
                )
                if history and history[-1].outcome == ONGOING and history[-1].duration_s >= 600:
                    found = at
                    break
    engine.dispose()
    assert found is not None, "some ride was down for ten minutes that day"
    clock.set_now(found)
    yield found
    clock.set_now(None)


def _shown(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _recovery(api: httpx.Client, ride_id: int, **params: Any) -> dict[str, Any]:
    response = api.get(f"/rides/{ride_id}/recovery", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _down_now(api: httpx.Client) -> dict[str, Any]:
    ranking = api.get("/rides/downtime", params={"period": "live", "limit": 200}).json()["data"]
    down = [r for r in ranking if r["current_status"] == "DOWN" and r["down_for_minutes"]]
    assert down, "the simulated parks have rides down at the pinned instant"
    return max(down, key=lambda r: r["down_for_minutes"])


def _with_history(api: httpx.Client) -> tuple[int, str, int, int]:
    """A ride and kind whose chance is known at two minute values and differs."""
    ranking = api.get("/rides/downtime", params={"period": "7days", "limit": 200}).json()["data"]
    for item in sorted(ranking, key=lambda r: -r["breakdowns"])[:40]:
        for low, high in ((0, 10), (0, 5), (5, 20)):
            a = _recovery(api, item["ride_id"], down_for=low, kind="breakdown")
            b = _recovery(api, item["ride_id"], down_for=high, kind="breakdown")
            chances = (a["chance_back_within_percentage"], b["chance_back_within_percentage"])
            if None not in chances and chances[0] != chances[1]:
                return item["ride_id"], "breakdown", low, high
    raise AssertionError("no simulated ride has enough breakdowns for a chance")


def _assert_panel_shows(page: Any, data: dict[str, Any]) -> None:
    answer = page.locator("#stay-answer")
    assert answer.locator("[data-figure=at_risk]").inner_text() == str(data["at_risk"])
    assert answer.locator("[data-figure=breakdowns_considered]").inner_text() == str(
        data["breakdowns_considered"]
    )
    if data["enough_history"] and data["chance_back_within_percentage"] is not None:
        chance = answer.locator("[data-figure=chance]").inner_text()
        assert chance == f"{_shown(data['chance_back_within_percentage'])}%"
        median = answer.locator("[data-figure=median]").inner_text()
        if data["median_remaining_minutes"] is not None:
            assert median == f"{_shown(data['median_remaining_minutes'])} min"
    else:
        assert answer.locator("[data-state=not-enough]").count() == 1
        assert answer.locator("[data-figure=chance]").count() == 0  # never a guess
        assert data["reason"] in answer.inner_text()
    steps = page.locator("#stay-chart .stepchart .step")
    assert steps.count() == len(data["curve"])
    if data["curve"]:
        last = data["curve"][-1]
        shown_last = float(steps.last.get_attribute("data-still-down") or "nan")
        assert shown_last == last["still_down_percentage"]
        assert float(steps.last.get_attribute("data-minutes") or "nan") == last["minutes"]


def _settle(page: Any, minutes: float) -> None:
    page.wait_for_function(
        "m => { const a = document.querySelector('#stay-answer'); const d = a && a.querySelector"
        "('[data-figure=at_risk]'); return d && !a.hasAttribute('aria-busy') && document"
        ".querySelector('#stay-chart .marker')?.dataset.minutes === String(m); }",
        arg=minutes,
    )


def test_a_ride_down_now_opens_at_its_downtime(page: Any, server: str, api: httpx.Client) -> None:
    item = _down_now(api)
    data = _recovery(api, item["ride_id"])
    assert data["down_for_minutes"] == item["down_for_minutes"]
    page.goto(f"{server}/rides/{item['ride_id']}?period=today")
    page.wait_for_selector("#stay-answer [data-figure=at_risk]")
    assert f"Down now for {_shown(data['down_for_minutes'])} min" in page.inner_text("#stay-now")
    slider = page.locator("#stay-down-for")
    assert slider.input_value() == str(math.floor(data["down_for_minutes"] + 0.5))  # as JS rounds
    assert (
        page.locator("#stay-down-for-value").inner_text()
        == f"{_shown(data['down_for_minutes'])} min"
    )
    _assert_panel_shows(page, data)
    # The breakdown list: the API's outages of the period with their severity.
    listed = api.get(f"/rides/{item['ride_id']}/breakdowns", params={"period": "today"}).json()
    assert listed["data"], "a ride down now has an outage today"
    page.wait_for_selector("#breakdown-table tbody tr")
    severities = page.locator("#breakdown-table tbody [data-col=severity]").all_inner_texts()
    assert [s.split(" ")[0].lower() for s in severities] == [o["severity"] for o in listed["data"]]


def test_the_slider_and_buttons_ask_again(page: Any, server: str, api: httpx.Client) -> None:
    ride_id, kind, low, high = _with_history(api)
    page.goto(f"{server}/rides/{ride_id}?period=7days")
    page.wait_for_selector("#stay-answer [data-figure=at_risk]")
    slider = page.locator("#stay-down-for")
    # By keyboard: focus the slider, Home for 0, then arrow keys one minute each.
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(low):
        page.keyboard.press("ArrowRight")
    _settle(page, low)
    first = _recovery(api, ride_id, down_for=low, kind=kind)
    _assert_panel_shows(page, first)
    for _ in range(high - low):
        page.keyboard.press("ArrowRight")
    _settle(page, high)
    second = _recovery(api, ride_id, down_for=high, kind=kind)
    _assert_panel_shows(page, second)
    assert page.locator("[data-figure=chance]").inner_text() != (
        f"{_shown(first['chance_back_within_percentage'])}%"
    )
    # A quick button, reached with Tab and pressed with Enter.
    button = page.locator(".stay-quick button[data-minutes='30']")
    button.focus()
    page.keyboard.press("Enter")
    _settle(page, 30)
    _assert_panel_shows(page, _recovery(api, ride_id, down_for=30, kind=kind))
    assert slider.input_value() == "30"
    assert page.locator("label[for=stay-down-for]").count() == 1


def test_the_panel_fits_a_phone(browser: Any, server: str, api: httpx.Client) -> None:
    item = _down_now(api)
    context, page, watch = open_page(browser, server, PHONE_375)
    try:
        page.goto(f"{server}/rides/{item['ride_id']}?period=today")
        page.wait_for_selector("#stay-chart .stepchart, #stay-chart figcaption")
        page.wait_for_selector("#breakdown-table tbody tr")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE_375["width"], f"the page scrolls sideways ({width} px)"
        box = page.locator("#stay-down-for").bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE_375["width"]
    finally:
        context.close()
    watch.assert_clean()
