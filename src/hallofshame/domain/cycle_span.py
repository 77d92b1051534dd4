"""The span a cycle stands for (METRICS.md §1): one rule for the ingest that stores it and
the readers that need the cap (an opening ends at a gap longer than it, §8)."""

from __future__ import annotations

from datetime import datetime


def span_cap(interval_s: int) -> int:
    """Beyond twice the collection interval a gap is unknown time (METRICS.md §1)."""
    return 2 * interval_s


def cycle_span(ts: datetime, prev: datetime | None, interval_s: int) -> int:
    """min(t − t_prev, cap); a park's first cycle stands for one interval."""
    if prev is None:
        return interval_s
    return min(int((ts - prev).total_seconds()), span_cap(interval_s))
