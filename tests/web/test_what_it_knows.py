"""The dashboard states what it knows: no zeros when there is no live data, rankings that
fit a phone, and the time zone of "Last updated" named once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.web import simdata
from tests.web.conftest import open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE_375 = {"width": 375, "height": 812}


@pytest.fixture
def stale_server(server: str) -> Iterator[str]:
    """The same database served by a second app (its own cache) while the clock stands
    three hours after the last collection cycle: no park has live data."""
    from sqlalchemy.orm import sessionmaker
    from werkzeug.serving import make_server

    from hallofshame import clock
    from hallofshame.api.app import create_app
    from hallofshame.config import get_settings
    from hallofshame.db.engine import make_engine

    settings = get_settings().model_copy(update={"cache_enabled": False})
    engine = make_engine(settings.effective_database_url, settings)
    app = create_app(settings, session_factory=sessionmaker(engine, expire_on_commit=False))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    clock.set_now(clock.parse_instant(simdata.PINNED_NOW) + timedelta(hours=3))
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        clock.set_now(None)
        httpd.shutdown()
        thread.join(timeout=10)
        engine.dispose()


def test_no_live_data_is_said_not_zeroed(browser: Any, stale_server: str) -> None:
    with httpx.Client(base_url=f"{stale_server}/api") as api:
        ages = [s["age_seconds"] for s in api.get("/health").json()["data"]["sources"]]
        assert ages and min(ages) > 30 * 60
        park = api.get("/parks").json()["data"][0]
        status = api.get(f"/parks/{park['park_id']}").json()["data"]["current_status"]
        assert status["has_live_data"] is False
    context, page, watch = open_page(browser, stale_server, {"width": 1366, "height": 900})
    try:
        page.goto(f"{stale_server}/?view=downtime&period=live")
        page.wait_for_selector("#status-body [data-no-live]")
        assert (
            "no park has been polled in the last 30 minutes"
            in page.locator("#status-body").inner_text()
        )
        assert page.locator("#status-body .panel").count() == 0  # no panel of zeros
        assert "No live data" in page.locator("#park-rankings-body").inner_text()
        assert "no live data in the last 30 minutes" in page.locator("#last-updated").inner_text()
        # A past period keeps its figures; only the state now is said to be unknown.
        page.goto(f"{stale_server}/?view=downtime&period=yesterday")
        page.wait_for_selector("#status-body [data-no-live]")
        assert page.locator("#status-body .panels-now").count() == 0
        assert page.locator("#status-body .panel").count() > 0
        page.goto(f"{stale_server}/parks/{park['park_id']}")
        page.wait_for_selector("#park-now-body [data-no-live]")
        assert page.locator("#park-now-body .panels-now").count() == 0
    finally:
        context.close()
    watch.assert_clean()


def test_live_panels_show_counts_while_data_is_live(page: Any, server: str) -> None:
    page.goto(f"{server}/?view=downtime&period=live")
    page.wait_for_selector("#status-body .panels-now")
    assert page.locator("#status-body [data-no-live]").count() == 0
    assert page.locator("#last-updated").get_attribute("data-live") == "true"


@pytest.mark.parametrize("view", ["downtime", "waits"])
def test_rankings_fit_a_phone(browser: Any, server: str, view: str) -> None:
    context, page, watch = open_page(browser, server, PHONE_375)
    try:
        page.goto(f"{server}/?view={view}&period=last_week")
        page.wait_for_selector("#view table tbody tr")
        # A function, not an expression: Playwright polls an expression with eval,
        # which the dashboard's Content-Security-Policy (rightly) refuses.
        page.wait_for_function("() => !document.querySelector('#view [aria-busy=true]')")
        tables = page.locator("#view .table-wrap")
        assert tables.count() == 2
        for i in range(tables.count()):
            wide = tables.nth(i).evaluate("e => [e.scrollWidth, e.clientWidth]")
            assert wide[0] <= wide[1], (view, i, wide)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= PHONE_375["width"]
    finally:
        context.close()
    watch.assert_clean()


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Europe/Paris"])
def test_last_updated_names_its_zone_once(browser: Any, server: str, zone: str) -> None:
    context = browser.new_context(timezone_id=zone)
    try:
        page = context.new_page()
        page.goto(f"{server}/methodology")
        page.wait_for_selector("#last-updated time")
        text = page.locator("#last-updated").inner_text()
        assert text.count(zone) == 1, text
        stamp = page.locator("#last-updated time").inner_text()
        assert zone not in stamp and not any(c.isalpha() and c.isupper() for c in stamp[-4:])
    finally:
        context.close()
