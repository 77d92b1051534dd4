"""Local days, periods and buckets: worked examples and DST properties."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hallofshame.domain.localtime import (
    date_of_day_number,
    day_bounds,
    day_length,
    day_number,
    local_date_of,
    local_midnight,
)
from hallofshame.domain.periods import (
    Bucket,
    PeriodError,
    PeriodKind,
    Window,
    bucket_edges,
    custom_period,
    parse_bucket,
    parse_period,
    resolve,
)

LA = ZoneInfo("America/Los_Angeles")
PARIS = ZoneInfo("Europe/Paris")
NY = ZoneInfo("America/New_York")

# Zones with 1-hour DST, half-hour DST (Lord Howe), no DST, the southern hemisphere,
# and clock changes at local midnight (Santiago, Havana, Asuncion).
ZONES = [
    "America/Los_Angeles",
    "America/New_York",
    "Europe/Paris",
    "Asia/Tokyo",
    "UTC",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "America/Asuncion",
    "Asia/Kolkata",
    "Pacific/Chatham",
]
zones = st.sampled_from(ZONES).map(ZoneInfo)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31))
instants = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2037, 12, 30), timezones=st.just(UTC)
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- local days -----------------------------------------------------------------------


def test_day_number_roundtrip_examples() -> None:
    assert day_number(date(1970, 1, 1)) == 0
    assert day_number(date(2026, 7, 21)) == 20655
    assert date_of_day_number(20655) == date(2026, 7, 21)
    assert date_of_day_number(-1) == date(1969, 12, 31)


def test_dst_day_lengths_los_angeles() -> None:
    assert day_length(date(2026, 11, 1), LA) == timedelta(hours=25)
    assert day_length(date(2026, 3, 8), LA) == timedelta(hours=23)
    assert day_length(date(2026, 7, 4), LA) == timedelta(hours=24)
    assert day_bounds(date(2026, 11, 1), LA) == (utc(2026, 11, 1, 7), utc(2026, 11, 2, 8))
    assert day_bounds(date(2026, 3, 8), LA) == (utc(2026, 3, 8, 8), utc(2026, 3, 9, 7))


def test_midnight_transition_zone_starts_day_at_first_local_instant() -> None:
    # Santiago springs forward at local midnight: 2026-09-06 begins at 01:00 -03.
    start, _ = day_bounds(date(2026, 9, 6), "America/Santiago")
    assert local_date_of(start, "America/Santiago") == date(2026, 9, 6)
    assert local_date_of(start - timedelta(microseconds=1), "America/Santiago") == date(2026, 9, 5)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date_of(datetime(2026, 7, 21, 12), NY)


@given(st.integers(min_value=-100_000, max_value=100_000))
def test_day_number_inverse(n: int) -> None:
    assert day_number(date_of_day_number(n)) == n


@given(zones, dates)
def test_consecutive_days_tile_time(tz: ZoneInfo, d: date) -> None:
    start, end = day_bounds(d, tz)
    next_start, _ = day_bounds(d + timedelta(days=1), tz)
    assert end == next_start  # no gap, no overlap
    assert timedelta(hours=22) <= end - start <= timedelta(hours=26)
    assert local_date_of(start, tz) == d
    assert local_date_of(end - timedelta(microseconds=1), tz) == d


@given(zones, instants)
def test_every_instant_in_exactly_one_local_day(tz: ZoneInfo, t: datetime) -> None:
    d = local_date_of(t, tz)
    start, end = day_bounds(d, tz)
    assert start <= t < end
    for other in (d - timedelta(days=1), d + timedelta(days=1)):
        o_start, o_end = day_bounds(other, tz)
        assert not (o_start <= t < o_end)


# --- parsing --------------------------------------------------------------------------


def test_parse_named_and_default() -> None:
    assert parse_period("last_week").kind is PeriodKind.LAST_WEEK
    assert parse_period("7days").kind is PeriodKind.DAYS_7
    assert parse_period(None).kind is PeriodKind.TODAY
    assert parse_period("").kind is PeriodKind.TODAY


def test_parse_custom() -> None:
    p = parse_period(start="2026-07-01", end="2026-07-31")
    assert (p.kind, p.start, p.end) == (PeriodKind.CUSTOM, date(2026, 7, 1), date(2026, 7, 31))
    assert p.key == "custom:2026-07-01..2026-07-31"
    assert parse_period("custom", "2026-07-01", "2026-07-01") == custom_period(
        "2026-07-01", "2026-07-01"
    )
    assert custom_period("2025-01-01", "2026-01-01").end == date(2026, 1, 1)  # 366 days


@pytest.mark.parametrize(
    ("args", "param"),
    [
        (("forever", None, None), "period"),
        (("today", "2026-07-01", "2026-07-02"), "period"),
        ((None, "2026-07-01", None), "end"),
        ((None, None, "2026-07-01"), "start"),
        (("custom", None, None), "start"),
        ((None, "2026/07/01", "2026-07-02"), "start"),
        ((None, "20260701", "2026-07-02"), "start"),
        ((None, "2026-07-01", "2026-02-30"), "end"),
        ((None, "2026-07-02", "2026-07-01"), "end"),
        ((None, "2025-01-01", "2026-01-02"), "end"),  # 367 days
    ],
)
def test_parse_errors_name_the_parameter(args: tuple[str | None, ...], param: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(*args)
    assert info.value.param == param
    assert info.value.message


def test_unknown_period_lists_allowed_values() -> None:
    with pytest.raises(PeriodError) as info:
        parse_period("fortnight")
    assert info.value.allowed is not None
    assert "last_month" in info.value.allowed
    assert "custom" not in info.value.allowed


# --- resolving ------------------------------------------------------------------------

NOW_PARIS = utc(2026, 8, 4, 12)


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("yesterday", date(2026, 8, 3), date(2026, 8, 3)),
        ("last_week", date(2026, 7, 26), date(2026, 8, 1)),
        ("last_month", date(2026, 7, 1), date(2026, 7, 31)),
        ("7days", date(2026, 7, 28), date(2026, 8, 3)),
        ("30days", date(2026, 7, 5), date(2026, 8, 3)),
        ("today", date(2026, 8, 4), date(2026, 8, 4)),
    ],
)
def test_resolve_paris(period: str, first: date, last: date) -> None:
    w = resolve(period, NOW_PARIS, PARIS)
    assert (w.start_date, w.end_date) == (first, last)
    assert w.start == local_midnight(first, PARIS)
    if period == "today":
        assert w.end == NOW_PARIS and not w.is_complete
    else:
        assert w.end == local_midnight(last + timedelta(days=1), PARIS) and w.is_complete


def test_last_week_on_a_sunday_is_the_week_just_ended() -> None:
    w = resolve("last_week", utc(2026, 8, 2, 12), PARIS)  # Sunday
    assert (w.start_date, w.end_date) == (date(2026, 7, 26), date(2026, 8, 1))


def test_today_new_york() -> None:
    w = resolve("today", utc(2026, 7, 21, 19), NY)
    assert w.start == utc(2026, 7, 21, 4)
    assert w.end == utc(2026, 7, 21, 19)
    assert w.contains(utc(2026, 7, 21, 19))  # cycles at or before now
    assert not w.contains(utc(2026, 7, 21, 3, 59))
    assert resolve("live", utc(2026, 7, 21, 19), "America/New_York").start == w.start


def test_local_calendar_differs_by_park() -> None:
    now = utc(2026, 8, 1, 3)  # already Saturday in Paris, still Friday in Los Angeles
    assert resolve("yesterday", now, PARIS).start_date == date(2026, 7, 31)
    assert resolve("yesterday", now, LA).start_date == date(2026, 7, 30)


def test_previous_windows() -> None:
    assert _dates(resolve("yesterday", NOW_PARIS, PARIS).previous()) == ("2026-08-02",) * 2
    assert _dates(resolve("last_week", NOW_PARIS, PARIS).previous()) == ("2026-07-19", "2026-07-25")
    assert _dates(resolve("last_month", NOW_PARIS, PARIS).previous()) == (
        "2026-06-01",
        "2026-06-30",
    )
    assert _dates(resolve("7days", NOW_PARIS, PARIS).previous()) == ("2026-07-21", "2026-07-27")
    assert _dates(resolve("30days", NOW_PARIS, PARIS).previous()) == ("2026-06-05", "2026-07-04")
    custom = custom_period("2026-07-10", "2026-07-12")
    assert _dates(resolve(custom, NOW_PARIS, PARIS).previous()) == ("2026-07-07", "2026-07-09")
    prev_today = resolve("today", NOW_PARIS, PARIS).previous()
    assert _dates(prev_today) == ("2026-08-03", "2026-08-03") and prev_today.is_complete
    march = resolve("last_month", utc(2026, 4, 10), PARIS).previous()
    assert _dates(march) == ("2026-02-01", "2026-02-28")


def _dates(w: Window) -> tuple[str, str]:
    return (w.start_date.isoformat(), w.end_date.isoformat())


def test_custom_running_into_today_ends_now() -> None:
    w = resolve(custom_period("2026-08-01", "2026-08-10"), NOW_PARIS, PARIS)
    assert not w.is_complete and w.end == NOW_PARIS
    future = resolve(custom_period("2026-09-01", "2026-09-02"), NOW_PARIS, PARIS)
    assert future.end == future.start


@given(
    zones, instants, st.sampled_from(["yesterday", "last_week", "last_month", "7days", "30days"])
)
def test_complete_windows_end_before_now_and_previous_abuts(
    tz: ZoneInfo, now: datetime, period: str
) -> None:
    w = resolve(period, now, tz)
    assert w.is_complete and w.start < w.end <= now
    today_start = local_midnight(local_date_of(now, tz), tz)
    if period in ("yesterday", "7days", "30days"):
        assert w.end == today_start  # they run up to yesterday's end
    else:  # the calendar week/month just before the one holding today
        assert today_start - timedelta(days=31) < w.end <= today_start
        if period == "last_week":
            assert (w.start_date.weekday(), w.end_date.weekday()) == (6, 5)  # Sun..Sat
        else:
            assert w.start_date.day == 1 and (w.end_date + timedelta(days=1)).day == 1
    prev = w.previous()
    assert prev.end == w.start and prev.kind is w.kind
    if period != "last_month":
        assert prev.day_count == w.day_count


# --- buckets --------------------------------------------------------------------------


def test_parse_bucket() -> None:
    assert parse_bucket("15m") is Bucket.M15
    with pytest.raises(PeriodError) as info:
        parse_bucket("2h")
    assert info.value.param == "bucket" and info.value.allowed is not None


@pytest.mark.parametrize(("d", "hours"), [(date(2026, 11, 1), 25), (date(2026, 3, 8), 23)])
def test_hourly_buckets_follow_real_day_length(d: date, hours: int) -> None:
    start, end = day_bounds(d, LA)
    edges = bucket_edges(start, end, "1h", LA)
    assert len(edges) == hours + 1
    assert edges[0] == start and edges[-1] == end
    assert len(bucket_edges(start, end, "5m", LA)) == hours * 12 + 1
    assert bucket_edges(start, end, "1d", LA) == [start, end]


def test_buckets_align_to_local_midnight() -> None:
    w = resolve("today", utc(2026, 7, 21, 19, 7), NY)
    edges = bucket_edges(w.start, w.end, Bucket.M30, NY)
    assert edges[0] == utc(2026, 7, 21, 4)
    assert edges[-1] == utc(2026, 7, 21, 19, 30)  # the running bucket is whole
    mid = bucket_edges(utc(2026, 7, 21, 12, 7), utc(2026, 7, 21, 12, 8), "15m", NY)
    assert mid == [utc(2026, 7, 21, 12, 0), utc(2026, 7, 21, 12, 15)]
    assert bucket_edges(utc(2026, 7, 21, 12), utc(2026, 7, 21, 12), "1h", NY) == [
        utc(2026, 7, 21, 12)
    ]


def test_daily_buckets_over_a_week_with_dst() -> None:
    w = custom_period("2026-10-29", "2026-11-04")
    win = resolve(w, utc(2026, 12, 1), LA)
    edges = bucket_edges(win.start, win.end, "1d", LA)
    assert len(edges) == 8
    assert [local_date_of(e, LA) for e in edges[:-1]] == win.days


@settings(max_examples=60)
@given(
    zones,
    instants,
    st.integers(min_value=0, max_value=4 * 86400),
    st.sampled_from([b.value for b in Bucket]),
)
def test_bucket_edges_increase_and_cover(
    tz: ZoneInfo, start: datetime, length_s: int, bucket: str
) -> None:
    end = start + timedelta(seconds=length_s)
    edges = bucket_edges(start, end, bucket, tz)
    assert all(a < b for a, b in itertools.pairwise(edges))
    assert edges[0] <= start
    if start < end:
        assert edges[-1] >= end
        assert edges[-2] < end  # no bucket lies wholly after the window
        assert edges[1] > start  # nor wholly before it
    else:
        assert len(edges) == 1  # an empty window has no buckets
    size = timedelta(seconds=Bucket(bucket).seconds)
    for a, b in itertools.pairwise(edges):
        assert b - a <= size + timedelta(hours=1)  # a 1d bucket may be a 25-hour day
    # each edge is an aligned one: a local midnight plus whole buckets of elapsed time
    for e in edges:
        midnight = local_midnight(local_date_of(e, tz), tz)
        offset = (e - midnight).total_seconds()
        assert offset % Bucket(bucket).seconds == 0
