"""Downtime episodes of one ride (METRICS.md §4)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.domain.episode_oracle import EpisodeCycle, merge_episodes, summarise

T0 = datetime(2026, 7, 21, 16, 0, tzinfo=UTC)
DAY = 20655


def cycles(*states: str, span: float = 300, day: int = DAY) -> list[EpisodeCycle]:
    return [
        EpisodeCycle(T0 + timedelta(seconds=span * i), span, day, s) for i, s in enumerate(states)
    ]


def test_single_run() -> None:
    eps = merge_episodes(cycles("up", "down", "down", "down", "up"))
    assert len(eps) == 1
    e = eps[0]
    assert e.start == T0 + timedelta(seconds=0)  # first down ts (300 s) minus its span
    assert e.end == T0 + timedelta(seconds=900)
    assert (e.duration_s, e.cycles, e.ongoing) == (900, 3, False)


def test_neutral_neither_extends_nor_ends() -> None:
    eps = merge_episodes(cycles("down", "neutral", "neutral", "down", "up"))
    assert len(eps) == 1
    assert eps[0].duration_s == 600  # neutral spans are not counted
    assert eps[0].cycles == 2
    assert eps[0].end == T0 + timedelta(seconds=900)


def test_park_closed_ends_and_day_change_ends() -> None:
    assert len(merge_episodes(cycles("down", "park_closed", "down"))) == 2
    next_day = EpisodeCycle(T0 + timedelta(seconds=900), 300, DAY + 1, "down")
    data = [*cycles("down", "down"), next_day]
    eps = merge_episodes(data)
    assert [e.local_day for e in eps] == [DAY, DAY + 1]
    assert [e.duration_s for e in eps] == [600, 300]


def test_gap_does_not_end_and_plain_tuples_work() -> None:
    data = [
        (T0, 300.0, DAY, "down"),
        (T0 + timedelta(hours=2), 600.0, DAY, "down"),  # span capped: the gap is unknown
        (T0 + timedelta(hours=2, minutes=5), 300.0, DAY, "up"),
    ]
    eps = merge_episodes(data)
    assert len(eps) == 1 and eps[0].duration_s == 900


def test_ongoing_and_summary() -> None:
    eps = merge_episodes(cycles("down", "up", "down", "down", "down"))
    assert [e.ongoing for e in eps] == [False, True]
    assert summarise(eps) == (2, 900)
    assert summarise([]) == (0, None)


def test_invalid_input() -> None:
    with pytest.raises(ValueError, match="unknown cycle state"):
        merge_episodes(cycles("broken"))
    with pytest.raises(ValueError, match="out of order"):
        merge_episodes(list(reversed(cycles("down", "down"))))


state = st.sampled_from(["down", "up", "park_closed", "neutral"])
spans = st.integers(min_value=1, max_value=1200)


@st.composite
def ride_cycles(draw: st.DrawFn) -> list[EpisodeCycle]:
    n = draw(st.integers(min_value=0, max_value=60))
    out, t, day = [], T0, DAY
    for _ in range(n):
        t += timedelta(seconds=draw(st.integers(min_value=1, max_value=7200)))
        day += draw(st.sampled_from([0, 0, 0, 0, 1]))
        out.append(EpisodeCycle(t, draw(spans), day, draw(state)))
    return out


@given(ride_cycles())
def test_durations_sum_to_down_spans(data: list[EpisodeCycle]) -> None:
    eps = merge_episodes(data)
    downs = [c for c in data if c.state == "down"]
    assert sum(e.duration_s for e in eps) == sum(c.span_s for c in downs)
    assert sum(e.cycles for e in eps) == len(downs)
    assert len(eps) <= len(downs)
    count, longest = summarise(eps)
    assert count == len(eps)
    assert longest == (max(e.duration_s for e in eps) if eps else None)
    for e in eps:
        assert e.start < e.end or e.cycles == 1
    for a, b in itertools.pairwise(eps):
        assert a.end < b.start + timedelta(seconds=1200)  # ordered, never interleaved
        assert not a.ongoing


@given(ride_cycles(), st.data())
def test_neutral_cycles_never_change_the_count(
    data: list[EpisodeCycle], extra: st.DataObject
) -> None:
    """Dropping neutral cycles, or inserting more, leaves the episodes' count unchanged."""
    base = merge_episodes(data)
    without = merge_episodes([c for c in data if c.state != "neutral"])
    assert len(without) == len(base)
    assert [e.duration_s for e in without] == [e.duration_s for e in base]
    # insert a neutral cycle on the same local day just after a random cycle
    if data:
        i = extra.draw(st.integers(min_value=0, max_value=len(data) - 1))
        c = data[i]
        inserted = EpisodeCycle(c.ts + timedelta(microseconds=1), 300, c.local_day, "neutral")
        more = [*data[: i + 1], inserted, *data[i + 1 :]]
        assert len(merge_episodes(more)) == len(base)


_FLAGS = {  # what metrics.classify gives each state: (up, down, park open)
    "down": (0, 1, 1),
    "up": (1, 0, 1),
    "park_closed": (0, 0, 0),
    "neutral": (0, 0, 1),
}


@given(ride_cycles())
def test_running_step_counts_what_the_definition_counts(data: list[EpisodeCycle]) -> None:
    """Today's running sums (one cycle at a time, one row per local day) give each day
    the breakdowns and longest outage that the definition gives."""
    from hallofshame.rollups.running import _blank, _step

    rows = {}
    for c in data:
        row = rows.setdefault(c.local_day, _blank(1, 1, T0.date(), 1))
        up, down, is_open = _FLAGS[c.state]
        _step(row, span=int(c.span_s), up=up, down=down, cap=down, is_open=is_open, wait=None)
    for day, row in rows.items():
        expected = summarise([e for e in merge_episodes(data) if e.local_day == day])
        assert (row.episodes, row.longest_outage_s) == expected
