"""Unit tests of the dashboard's pure JavaScript modules (formatting, page state in the
URL), run in the same headless Chromium as the page tests: the modules are served as
they ship, imported by the browser, and their answers compared here.

No data, no app: a plain static server over ``web/static`` is enough, so these run in
a second and fail on the module, not on the page around it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

STATIC = Path(__file__).resolve().parents[2] / "src" / "hallofshame" / "web" / "static"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def js(chromium: Any) -> Iterator[Any]:
    """A page on a static server of the shipped modules, in a New York time zone."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(STATIC)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        context = chromium.new_context(timezone_id="America/New_York", locale="en-US")
        page = context.new_page()
        page.base = f"http://127.0.0.1:{httpd.server_port}"
        yield page
        context.close()
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def _call(page: Any, module: str, body: str, path: str = "/css/") -> Any:
    """Open ``path`` (its query is the page's state), import ``module`` as ``m`` and
    return the value of the arrow function's ``body``."""
    page.goto(page.base + path)
    return page.evaluate(f"async () => {{ const m = await import('/js/{module}'); {body} }}")


# --- format.js --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        ("m.fmt.score(3)", "3.0"),  # a whole score keeps its decimal (METRICS.md: 1 place)
        ("m.fmt.score(0)", "0.0"),
        ("m.fmt.hours(1.5)", "1.50"),
        ("m.fmt.percent(12.3)", "12.3%"),
        ("m.fmt.percent(0)", "0.0%"),
        ("m.fmt.minutes(7)", "7.0"),
        ("m.fmt.count(0)", "0"),
        # Missing figures are a dash, never a zero.
        ("m.fmt.score(null)", "—"),
        ("m.fmt.hours(undefined)", "—"),
        ("m.fmt.percent(null)", "—"),
        ("m.fmt.count(null)", "—"),
        ("m.fmt.minutes(NaN)", "—"),
    ],
)
def test_figures_are_shown_with_their_decimals(js: Any, call: str, shown: str) -> None:
    assert _call(js, "format.js", f"return {call};") == shown


def test_times_are_shown_on_the_parks_clock_with_the_zone_named(js: Any) -> None:
    at = "2026-07-04T16:05:00Z"
    assert _call(js, "format.js", f"return m.clockTime('{at}', 'America/New_York');") == (
        "12:05 EDT"
    )
    assert _call(js, "format.js", f"return m.clockTime('{at}', 'Europe/Paris');") == ("18:05 GMT+2")
    with_date = f"return m.clockTime('{at}', 'Asia/Tokyo', {{ date: true, zoneName: false }});"
    assert _call(js, "format.js", with_date) == "Jul 5, 01:05"
    assert _call(js, "format.js", "return m.clockTime(null, 'UTC');") == "—"


def test_local_strings_are_read_as_written_not_moved_to_the_viewer(js: Any) -> None:
    local = "2026-03-08T01:30:00-05:00"  # the night New York moves its clocks
    assert _call(js, "format.js", f"return m.wallClock('{local}');") == "01:30"
    assert _call(js, "format.js", f"return m.localDay('{local}');") == "2026-03-08"
    assert _call(js, "format.js", "return m.wallClock('2026-03-08');") == "2026-03-08"
    assert _call(js, "format.js", "return [m.wallClock(null), m.localDay('')];") == ["—", "—"]


@pytest.mark.parametrize(
    ("meta", "text"),
    [
        (
            "{period: 'today', start_date: '2026-07-04', end_date: '2026-07-04'}",
            "Today: 2026-07-04, in each park's local time",
        ),
        (
            "{period: 'last_week', start_date: '2026-06-28', end_date: '2026-07-04'}",
            "Last week: 2026-06-28 → 2026-07-04, in each park's local time",
        ),
        (
            "{start_date: '2026-06-01', end_date: '2026-06-03'}",
            "Dates: 2026-06-01 → 2026-06-03, in each park's local time",
        ),
        ("{period: 'live'}", "Live, in each park's local time"),
        ("null", ""),
    ],
)
def test_the_window_is_described_in_words(js: Any, meta: str, text: str) -> None:
    assert _call(js, "format.js", f"return m.describeWindow({meta});") == text


# --- state.js ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "state"),
    [
        ("", {"period": "live"}),
        (
            "?period=yesterday&filter=disney-universal",
            {"period": "yesterday", "filter": "disney-universal"},
        ),
        # A custom range wins over a named period, and is named "custom".
        (
            "?period=today&start=2026-07-01&end=2026-07-03",
            {"period": "custom", "start": "2026-07-01", "end": "2026-07-03"},
        ),
        # Half a range, or a malformed one, is no range: the period falls back.
        ("?start=2026-07-01", {"period": "live"}),
        ("?start=July&end=2026-07-03&period=last_week", {"period": "last_week"}),
        ("?period=forever", {"period": "live"}),
    ],
)
def test_the_state_is_read_from_the_url(js: Any, query: str, state: dict[str, str]) -> None:
    read = _call(js, "state.js", "return m.readState({period: 'live'});", f"/css/{query}")
    assert read == state


def test_writing_the_state_makes_a_short_link_and_a_history_entry(js: Any) -> None:
    written = _call(
        js,
        "state.js",
        """
        const seen = [];
        window.addEventListener('statechange', () => seen.push(location.search));
        const before = history.length;
        const defaults = {period: 'live', filter: 'all-parks'};
        m.writeState({period: 'yesterday', filter: 'all-parks'}, {defaults});
        m.writeState({start: '2026-07-01', end: '2026-07-03', period: 'custom'}, {defaults});
        m.writeState({period: 'live'}, {defaults, replace: true});
        return {seen, entries: history.length - before, search: location.search};
        """,
        "/css/?filter=all-parks",
    )
    # Defaults stay implicit; a custom range is said by start and end alone; a named
    # period drops the range; a replace adds no entry.
    assert written["seen"] == ["?period=yesterday", "?start=2026-07-01&end=2026-07-03", ""]
    assert written["entries"] == 2
    assert written["search"] == ""


def test_period_parameters_and_links_carry_the_window(js: Any) -> None:
    got = _call(
        js,
        "state.js",
        """
        const custom = {period: 'custom', start: '2026-07-01', end: '2026-07-03', filter: 'x'};
        const named = {period: 'last_month', filter: 'x'};
        return [
          m.periodParams(custom), m.periodParams(named),
          m.linkWith('/parks/3', custom), m.linkWith('/parks/3', named),
          m.linkWith('/parks/3', named, ['period', 'filter']), m.linkWith('/parks/3', {}),
        ];
        """,
    )
    assert got == [
        {"start": "2026-07-01", "end": "2026-07-03"},
        {"period": "last_month"},
        "/parks/3?start=2026-07-01&end=2026-07-03",
        "/parks/3?period=last_month",
        "/parks/3?period=last_month&filter=x",
        "/parks/3",
    ]


# --- strip.js ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "text"),
    [
        (
            "rides",
            "{date: '2026-03-15', status: 'bad', uptime_percentage: 50.7, downtime_hours: 5.83,"
            " breakdowns: 1}",
            "2026-03-15: uptime 50.7%, 5.83 h down, 1 breakdown (bad)",
        ),
        (
            "rides",
            "{date: '2026-03-16', status: 'good', uptime_percentage: 100, downtime_hours: 0,"
            " breakdowns: 0}",
            "2026-03-16: uptime 100.0%, 0.00 h down, 0 breakdowns (good)",
        ),
        (
            "parks",
            "{date: '2026-03-10', status: 'fair', shame_score: 0.4, uptime_percentage: 97,"
            " downtime_hours: 7.08}",
            "2026-03-10: shame score 0.4, uptime 97.0%, 7.08 ride-hours down (fair)",
        ),
        # Grey days say why they have no figure; no zero is printed for them.
        ("parks", "{date: '2026-03-05', status: 'no_data', shame_score: 0}", "2026-03-05: no data"),
        (
            "parks",
            "{date: '2026-03-06', status: 'closed', shame_score: 0}",
            "2026-03-06: park closed",
        ),
        ("rides", "{date: '2026-03-06', status: 'closed'}", "2026-03-06: closed all day"),
    ],
)
def test_a_strip_day_in_words(js: Any, kind: str, day: str, text: str) -> None:
    assert _call(js, "strip.js", f"return m.dayText('{kind}', {day});") == text
