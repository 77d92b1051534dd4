"""Recovery curve and stay-or-go figures (METRICS.md §8), exact.

The Kaplan–Meier product-limit estimate over outage durations: a reopened outage is an
event at its duration, a closing or an ongoing outage is censored at its duration (and
still at risk at that duration). Probabilities are kept as exact fractions, so "S(t) ≤
1 − P/100" is decided without rounding; they become floats only in the answer.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from hallofshame.metrics.outages import Outage

#: Outages that started within this long before now make a curve.
HISTORY = timedelta(days=90)
#: At least this many outages at risk (or considered, for percentiles) to answer.
MIN_HISTORY = 10
PERCENTILES = (25, 50, 75, 90)


@dataclass(frozen=True)
class Curve:
    """S as a step function: ``times[i]`` is an event duration, ``values[i]`` = S there."""

    durations: tuple[float, ...]  # every duration considered, sorted
    times: tuple[float, ...]
    values: tuple[Fraction, ...]

    @property
    def considered(self) -> int:
        return len(self.durations)

    def at_risk(self, t: float) -> int:
        """Outages lasting at least t."""
        return len(self.durations) - bisect_left(self.durations, t)

    def survival(self, t: float) -> Fraction:
        """S(t): the product over event durations ≤ t."""
        i = bisect_right(self.times, t)
        return self.values[i - 1] if i else Fraction(1)

    def first_at_or_below(self, level: Fraction, after: float = 0.0) -> float | None:
        """The smallest t ≥ ``after`` with S(t) ≤ level (None if S never gets there)."""
        if self.survival(after) <= level:
            return after
        for t, s in zip(self.times, self.values, strict=True):
            if t > after and s <= level:
                return t
        return None


def kaplan_meier(samples: Iterable[tuple[float, bool]]) -> Curve:
    """The curve of (duration, ended) samples; ``ended`` False = censored."""
    data = sorted(samples)
    durations = tuple(d for d, _ in data)
    events = Counter(d for d, ended in data if ended)
    times: list[float] = []
    values: list[Fraction] = []
    s = Fraction(1)
    for t in sorted(events):
        n = len(durations) - bisect_left(durations, t)
        s *= 1 - Fraction(events[t], n)
        times.append(t)
        values.append(s)
    return Curve(durations, tuple(times), tuple(values))


def history_window(now: datetime) -> tuple[datetime, datetime]:
    """The start instants, both included, of the outages a curve rests on: within 90 days
    (90 × 24 h) before ``now``."""
    return now - HISTORY, now


def resting(outages: Iterable[Outage], kind: str, now: datetime) -> list[Outage]:
    """The outages the curve of one kind rests on: those of that kind started in
    ``history_window`` (``outage_history.stored_samples`` reads the same from the stored
    days, in SQL)."""
    first, last = history_window(now)
    return [o for o in outages if o.kind == kind and first <= o.started_at <= last]


def samples(outages: Iterable[Outage], kind: str, now: datetime) -> list[tuple[float, bool]]:
    """The (duration, reopened) samples of the curve of one kind."""
    return [(float(o.duration_s), not o.censored) for o in resting(outages, kind, now)]


def curve_of(outages: Sequence[Outage], kind: str, now: datetime) -> Curve:
    """The recovery curve of one kind from a ride's outages started within 90 days."""
    return kaplan_meier(samples(outages, kind, now))


@dataclass(frozen=True)
class StayOrGo:
    """The answer for a ride down for ``down_for_s``, asked about the next ``within_s``."""

    considered: int
    at_risk: int
    enough_history: bool
    chance_back_within: float | None  # a probability in [0, 1]
    median_remaining_s: float | None
    percentiles_s: dict[int, float | None]
    curve: list[tuple[float, float]]  # (duration s, S as a probability)


def stay_or_go(curve: Curve, down_for_s: float, within_s: float) -> StayOrGo:
    at_risk = curve.at_risk(down_for_s)
    enough = at_risk >= MIN_HISTORY
    chance: float | None = None
    median: float | None = None
    s_now = curve.survival(down_for_s)
    if enough and s_now > 0:
        chance = float(1 - curve.survival(down_for_s + within_s) / s_now)
        reached = curve.first_at_or_below(s_now / 2, after=down_for_s)
        median = None if reached is None else reached - down_for_s
    percentiles: dict[int, float | None] = dict.fromkeys(PERCENTILES)
    if curve.considered >= MIN_HISTORY:
        for p in PERCENTILES:
            percentiles[p] = curve.first_at_or_below(1 - Fraction(p, 100))
    points = [(t, float(s)) for t, s in zip(curve.times, curve.values, strict=True)]
    return StayOrGo(
        considered=curve.considered,
        at_risk=at_risk,
        enough_history=enough,
        chance_back_within=chance,
        median_remaining_s=median,
        percentiles_s=percentiles,
        curve=points,
    )
