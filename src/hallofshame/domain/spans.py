"""Calendar spans whose sums are kept beside the daily rollups: Sunday–Saturday weeks
and calendar months, the shapes of ``last_week`` and ``last_month`` (METRICS.md §5).

A span's sums are the SUM of its days' rollups (METRICS.md §3: sums add across days),
so a period may read a whole span instead of its days and get the same integers. This
module only says which spans exist and how a run of days is cut into them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from hallofshame.domain.localtime import ONE_DAY


def week_start(d: date) -> date:
    """The Sunday that begins ``d``'s week (weeks run Sunday to Saturday)."""
    # date.weekday(): Monday 0 … Sunday 6.
    return d - timedelta(days=(d.weekday() + 1) % 7)


@dataclass(frozen=True, order=True)
class Span:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]


def week_of(d: date) -> Span:
    first = week_start(d)
    return Span(first, first + timedelta(days=6))


def month_of(d: date) -> Span:
    first = d.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return Span(first, following - ONE_DAY)


def touching(first: date, last: date) -> list[Span]:
    """Every kept span holding at least one day of first..last: what rewriting those
    days' rollups makes stale."""
    out: set[Span] = set()
    d = first
    while d <= last:
        out.add(week_of(d))
        out.add(month_of(d))
        d += ONE_DAY
    return sorted(out)


def cover(days: Iterable[date]) -> tuple[list[Span], list[date]]:
    """Cut a set of days into the largest kept spans wholly inside it, and the days left.

    Months first, then weeks among the days no month took, so each day is read once.
    """
    remaining = set(days)
    spans: list[Span] = []
    for span_of in (month_of, week_of):
        for d in sorted(remaining):
            span = span_of(d)
            if d == span.first and all(x in remaining for x in span.dates()):
                spans.append(span)
                remaining.difference_update(span.dates())
    return sorted(spans), sorted(remaining)
