"""Kept spans: Sunday–Saturday weeks and calendar months, and how days are cut into them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hallofshame.domain.periods import resolve
from hallofshame.domain.spans import Span, cover, month_of, touching, week_of


def test_week_and_month_of_a_day() -> None:
    assert week_of(date(2026, 8, 14)) == Span(date(2026, 8, 9), date(2026, 8, 15))  # Friday
    assert week_of(date(2026, 8, 9)) == Span(date(2026, 8, 9), date(2026, 8, 15))  # Sunday
    assert week_of(date(2026, 8, 15)) == Span(date(2026, 8, 9), date(2026, 8, 15))  # Saturday
    assert month_of(date(2028, 2, 29)) == Span(date(2028, 2, 1), date(2028, 2, 29))
    assert month_of(date(2026, 12, 31)) == Span(date(2026, 12, 1), date(2026, 12, 31))


def test_last_week_and_last_month_are_kept_spans() -> None:
    now = datetime(2026, 8, 14, 18, 0, tzinfo=UTC)
    week = resolve("last_week", now, "America/New_York")
    month = resolve("last_month", now, "Europe/Paris")
    assert cover(week.days) == ([week_of(week.start_date)], [])
    assert cover(month.days) == ([month_of(month.start_date)], [])


def test_thirty_days_are_whole_weeks_and_loose_days() -> None:
    days = [date(2026, 7, 15) + timedelta(days=i) for i in range(30)]  # Wed 15 Jul … 13 Aug
    spans, rest = cover(days)
    assert spans == [
        Span(date(2026, 7, 19), date(2026, 7, 25)),
        Span(date(2026, 7, 26), date(2026, 8, 1)),
        Span(date(2026, 8, 2), date(2026, 8, 8)),
    ]
    assert rest == days[:4] + days[-5:]


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=120),
)
def test_cover_reads_every_day_exactly_once(first: date, n: int) -> None:
    days = [first + timedelta(days=i) for i in range(n)]
    spans, rest = cover(days)
    read = [d for s in spans for d in s.dates()] + rest
    assert sorted(read) == days
    assert all(s in (week_of(s.first), month_of(s.first)) for s in spans)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=40),
)
def test_touching_names_every_span_holding_a_day(first: date, n: int) -> None:
    last = first + timedelta(days=n)
    spans = touching(first, last)
    for i in range(n + 1):
        d = first + timedelta(days=i)
        assert week_of(d) in spans and month_of(d) in spans
    assert all(s.first <= last and s.last >= first for s in spans)
