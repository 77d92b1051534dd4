"""Inferred figures are marked on the dashboard: exactly the rows the API calls
inferred, with an explanation one click away."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PERIOD = "last_week"  # a period the dashboard offers


def _marked(page: Any, table: str) -> list[bool]:
    rows = page.locator(f"#{table} tbody tr")
    return [
        rows.nth(i).locator("[data-fidelity=inferred]").count() == 1 for i in range(rows.count())
    ]


def test_rankings_mark_inferred_rows(page: Any, server: str, api: httpx.Client) -> None:
    parks = api.get("/parks/downtime", params={"period": PERIOD}).json()["data"]
    rides = api.get("/rides/downtime", params={"period": PERIOD}).json()["data"]
    kinds = {p["fidelity"] for p in parks}
    assert kinds == {"reported", "inferred"}, "the simulated parks include both kinds"
    page.goto(f"{server}/?view=downtime&period={PERIOD}")
    page.wait_for_selector("#park-table tbody tr")
    page.wait_for_selector("#ride-table tbody tr")
    assert _marked(page, "park-table") == [p["fidelity"] == "inferred" for p in parks]
    assert _marked(page, "ride-table") == [r["fidelity"] == "inferred" for r in rides]
    mark = page.locator("#park-table [data-fidelity=inferred]").first
    assert "inferred" in (mark.get_attribute("title") or "")
    assert mark.get_attribute("aria-label") == mark.get_attribute("title")
    assert page.locator("#park-rankings .fidelity-note").count() == 1
    mark.click()
    page.wait_for_url("**/methodology#fidelity")
    heading = page.locator("h2#fidelity")
    assert heading.is_visible()
    assert "inferred" in page.locator("h2#fidelity + p").inner_text()


def test_park_page_marks_an_inferred_score(page: Any, server: str, api: httpx.Client) -> None:
    parks = api.get("/parks").json()["data"]
    inferred = next(p for p in parks if p["fidelity"] == "inferred")
    reported = next(p for p in parks if p["fidelity"] == "reported")
    for park, marks in ((inferred, 1), (reported, 0)):
        page.goto(f"{server}/parks/{park['park_id']}?period={PERIOD}")
        page.wait_for_selector("#park-score-body [data-figure=shame_score]")
        assert page.locator("#park-score-body [data-fidelity=inferred]").count() == marks
