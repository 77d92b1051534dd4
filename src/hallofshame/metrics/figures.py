"""METRICS.md §4: every displayed figure as a function of the sums. Unrounded.

Rounding happens once, at the API edge (``domain.rounding``). Filters and orderings
use the values returned here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from hallofshame.domain.tiers import weight
from hallofshame.metrics.sums import ParkOpen, RideSums

SHAME_SCALE = 10.0


def shame(weighted_down_s: float, weighted_capacity_s: float) -> float:
    """10 × weighted downtime ÷ weighted capacity; 0 when there is no capacity."""
    if weighted_capacity_s <= 0:
        return 0.0
    return SHAME_SCALE * weighted_down_s / weighted_capacity_s


def hours(seconds: float) -> float:
    return seconds / 3600.0


def uptime_percentage(up_s: float, down_s: float) -> float | None:
    total = up_s + down_s
    return None if total == 0 else 100.0 * up_s / total


def average_wait(wait_sum: float, wait_n: int) -> float | None:
    return None if wait_n == 0 else wait_sum / wait_n


@dataclass(frozen=True)
class RideFigures:
    ride_id: int
    park_id: int
    tier: int | None
    weight: int
    sums: RideSums

    @property
    def downtime_hours(self) -> float:
        return hours(self.sums.down_s)

    @property
    def uptime_hours(self) -> float:
        return hours(self.sums.up_s)

    @property
    def capacity_hours(self) -> float:
        return hours(self.sums.capacity_s)

    @property
    def weighted_down_s(self) -> int:
        return self.weight * self.sums.down_s

    @property
    def weighted_capacity_s(self) -> int:
        return self.weight * self.sums.capacity_s

    @property
    def uptime_percentage(self) -> float | None:
        return uptime_percentage(self.sums.up_s, self.sums.down_s)

    @property
    def avg_wait_minutes(self) -> float | None:
        return average_wait(self.sums.wait_sum, self.sums.wait_n)

    @property
    def peak_wait_minutes(self) -> float | None:
        return None if self.sums.wait_max is None else float(self.sums.wait_max)

    @property
    def breakdowns(self) -> int:
        return self.sums.episodes

    @property
    def longest_outage_minutes(self) -> float | None:
        return None if self.sums.longest_s is None else self.sums.longest_s / 60.0


def ride_figures(sums: RideSums, tier: int | None) -> RideFigures:
    return RideFigures(
        ride_id=sums.ride_id, park_id=sums.park_id, tier=tier, weight=weight(tier), sums=sums
    )


@dataclass(frozen=True)
class ParkFigures:
    """A park's figures from its counted rides' figures. The sums over its rides are
    computed once each: rankings sort by them and then show them."""

    park_id: int
    rides: Sequence[RideFigures]
    open: ParkOpen

    @cached_property
    def weighted_down_s(self) -> int:
        return sum(r.weighted_down_s for r in self.rides)

    @cached_property
    def weighted_capacity_s(self) -> int:
        return sum(r.weighted_capacity_s for r in self.rides)

    @cached_property
    def down_s(self) -> int:
        return sum(r.sums.down_s for r in self.rides)

    @cached_property
    def up_s(self) -> int:
        return sum(r.sums.up_s for r in self.rides)

    @property
    def shame_score(self) -> float:
        return shame(self.weighted_down_s, self.weighted_capacity_s)

    @property
    def total_downtime_hours(self) -> float:
        return hours(self.down_s)

    @property
    def weighted_downtime_hours(self) -> float:
        return hours(self.weighted_down_s)

    @property
    def weighted_capacity_hours(self) -> float:
        return hours(self.weighted_capacity_s)

    @property
    def uptime_percentage(self) -> float | None:
        return uptime_percentage(self.up_s, self.down_s)

    @property
    def rides_down(self) -> int:
        return sum(1 for r in self.rides if r.sums.down_s > 0)

    @property
    def operating_hours(self) -> float:
        return hours(self.open.open_s)

    @cached_property
    def wait_n(self) -> int:
        return sum(r.sums.wait_n for r in self.rides)

    @property
    def avg_wait_minutes(self) -> float | None:
        return average_wait(sum(r.sums.wait_sum for r in self.rides), self.wait_n)

    @property
    def peak_wait_minutes(self) -> float | None:
        peaks = [r.sums.wait_max for r in self.rides if r.sums.wait_max is not None]
        return float(max(peaks)) if peaks else None

    @property
    def rides_reporting(self) -> int:
        return sum(1 for r in self.rides if r.sums.wait_n > 0)

    def contribution(self, ride: RideFigures) -> float:
        """A ride's share of the score: its weighted downtime over the park's capacity."""
        return shame(ride.weighted_down_s, self.weighted_capacity_s)
