"""The span a cycle stands for (METRICS.md §1): min(t − t_prev, 2 × interval)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from hallofshame.domain.cycle_span import cycle_span, span_cap

T = datetime(2026, 7, 21, 16, 0, 2, tzinfo=UTC)


def test_the_cap_is_twice_the_interval() -> None:
    assert span_cap(300) == 600
    assert span_cap(60) == 120


def test_a_parks_first_cycle_stands_for_one_interval() -> None:
    assert cycle_span(T, None, 300) == 300


def test_a_cycle_stands_for_the_time_since_the_previous_one_up_to_the_cap() -> None:
    assert cycle_span(T, T - timedelta(seconds=300), 300) == 300
    assert cycle_span(T, T - timedelta(seconds=299), 300) == 299  # an early poll
    assert cycle_span(T, T - timedelta(seconds=599), 300) == 599
    assert cycle_span(T, T - timedelta(seconds=600), 300) == 600  # exactly the cap
    # Beyond the cap the rest of the gap is unknown time, neither up nor down.
    assert cycle_span(T, T - timedelta(seconds=601), 300) == 600
    assert cycle_span(T, T - timedelta(hours=9), 300) == 600


@given(st.integers(min_value=1, max_value=10 * 86400), st.integers(min_value=30, max_value=3600))
def test_span_is_the_gap_or_the_cap(gap_s: int, interval_s: int) -> None:
    span = cycle_span(T, T - timedelta(seconds=gap_s), interval_s)
    assert span == (gap_s if gap_s <= 2 * interval_s else 2 * interval_s)
