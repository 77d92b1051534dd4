"""Screenshots of every view at desktop and phone width, for people to look at.

Saved under artifacts/screenshots/ (git-ignored). Each page must also be clean: no
console error, no request to another host, no error state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.conftest import DESKTOP, PHONE, open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: name → (path, selector that says the view has drawn)
VIEWS = {
    "downtime-live": ("/", "#park-rankings-body .state, #park-table"),
    "downtime-yesterday": ("/?period=yesterday", "#ride-table tbody tr"),
    "waits-live": ("/?view=waits", "#park-wait-table tbody tr"),
    "awards": ("/?view=awards", ".award"),
    "charts-yesterday": ("/?view=charts&period=yesterday", ".chart .main-svg"),
    "park-yesterday": ("/parks/{park}?period=yesterday", "#window-result .main-svg"),
    "ride-last-week": ("/rides/{ride}?period=last_week", "#ride-timeline-body .main-svg"),
    "methodology": ("/methodology", "#worked-example"),
}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_screenshots(
    browser: Any, server: str, api: httpx.Client, screenshots: Path, size: str
) -> None:
    park = api.get("/parks/downtime", params={"period": "yesterday"}).json()["data"][0]
    ride = api.get("/rides/downtime", params={"period": "last_week"}).json()["data"][0]
    context, page, watch = open_page(browser, server, DESKTOP if size == "desktop" else PHONE)
    try:
        for name, (path, ready) in VIEWS.items():
            page.goto(server + path.format(park=park["park_id"], ride=ride["ride_id"]))
            page.wait_for_selector(ready)
            page.wait_for_load_state("networkidle")
            assert page.locator(".state-error, .state-loading").count() == 0, name
            page.screenshot(path=str(screenshots / f"{name}-{size}.png"), full_page=True)
        page.goto(f"{server}/?period=yesterday")
        page.locator("#park-table tbody button.score").first.click()
        page.wait_for_selector("#explain .formula-filled")
        page.screenshot(path=str(screenshots / f"explanation-{size}.png"))
    finally:
        context.close()
    watch.assert_clean()
