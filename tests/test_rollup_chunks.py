"""Rollups are written a bounded number of days at a time, whatever the range."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

from hallofshame.domain.spans import week_of
from hallofshame.jobs.tasks import CHUNK_DAYS, weeks


def test_a_range_is_cut_into_runs_of_at_most_a_week() -> None:
    first, last = date(2026, 5, 16), date(2026, 8, 14)  # the 91 days of the L dataset
    runs = weeks(first, last)
    assert runs[0][0] == first and runs[-1][1] == last
    assert all((b - a).days + 1 <= CHUNK_DAYS for a, b in runs)
    # Contiguous, no day twice, none left out.
    assert all(b + timedelta(days=1) == c for (_, b), (c, _) in pairwise(runs))
    assert sum((b - a).days + 1 for a, b in runs) == 91
    # Cut at the kept weeks' edges: every run lies in one Sunday–Saturday week.
    assert all(week_of(a) == week_of(b) for a, b in runs)
    assert [a.weekday() for a, _ in runs[1:]] == [6] * (len(runs) - 1)  # Sundays


def test_a_single_day_is_one_run() -> None:
    assert weeks(date(2026, 8, 14), date(2026, 8, 14)) == [(date(2026, 8, 14), date(2026, 8, 14))]
