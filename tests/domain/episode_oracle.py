"""The test oracle for downtime episodes of one ride (METRICS.md §4 "downtime episode").

Written straight from the definition, one cycle at a time, so the product's two forms
of the rule — the set-based episode key (``metrics.episodes.keyed``) and the one-cycle
step of today's running sums (``rollups.running._step``) — can be checked against it.

An episode is a run of down cycles. It ends at the first cycle where the ride is up or
the park is closed, or when the local day changes. A cycle that is neither up nor down
(unknown status, ride not eligible, …) and a collection gap neither extend nor end it:
they are unknown time, so they must not split one breakdown into two, nor add to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple


class CycleState(StrEnum):
    DOWN = "down"
    UP = "up"
    PARK_CLOSED = "park_closed"
    NEUTRAL = "neutral"


class EpisodeCycle(NamedTuple):
    """One cycle of one ride; plain ``(ts, span_s, local_day, state)`` tuples also work."""

    ts: datetime
    span_s: float
    local_day: int | date
    state: str


@dataclass(frozen=True)
class Episode:
    start: datetime  # first down cycle's ts minus its span: the outage began in that span
    end: datetime  # last down cycle's ts
    duration_s: float  # Σ spans of its down cycles (neutral time inside is not counted)
    cycles: int
    local_day: int | date
    ongoing: bool  # True if the input ended while it was still running (a live outage)


@dataclass
class _Open:
    start: datetime
    end: datetime
    duration_s: float
    cycles: int
    local_day: int | date

    def close(self, ongoing: bool) -> Episode:
        return Episode(self.start, self.end, self.duration_s, self.cycles, self.local_day, ongoing)


_STATES = frozenset(s.value for s in CycleState)


def merge_episodes(
    cycles: Iterable[tuple[datetime, float, int | date, str]],
) -> list[Episode]:
    """The episodes of one ride's cycles, given in time order."""
    episodes: list[Episode] = []
    current: _Open | None = None
    previous_ts: datetime | None = None
    for ts, span_s, local_day, state in cycles:
        if state not in _STATES:
            raise ValueError(f"unknown cycle state {state!r}; expected one of {sorted(_STATES)}")
        if previous_ts is not None and ts < previous_ts:
            raise ValueError(
                f"cycles out of order: {ts.isoformat()} after {previous_ts.isoformat()}"
            )
        previous_ts = ts
        if current is not None and local_day != current.local_day:
            episodes.append(current.close(ongoing=False))
            current = None
        if state == CycleState.DOWN:
            if current is None:
                current = _Open(ts - timedelta(seconds=span_s), ts, span_s, 1, local_day)
            else:
                current.end = ts
                current.duration_s += span_s
                current.cycles += 1
        elif state in (CycleState.UP, CycleState.PARK_CLOSED) and current is not None:
            episodes.append(current.close(ongoing=False))
            current = None
        # NEUTRAL: unknown time, deliberately no effect.
    if current is not None:
        episodes.append(current.close(ongoing=True))
    return episodes


def summarise(episodes: Sequence[Episode]) -> tuple[int, float | None]:
    """``(breakdowns, longest duration in seconds)``; longest is None without episodes."""
    if not episodes:
        return 0, None
    return len(episodes), max(e.duration_s for e in episodes)
