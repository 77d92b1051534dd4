"""The figures of METRICS.md §4 from the sums of §3, with values worked out by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallofshame.metrics.figures import (
    ParkFigures,
    average_wait,
    hours,
    ride_figures,
    shame,
    uptime_percentage,
)
from hallofshame.metrics.sums import ParkOpen, RideSums


def sums(ride_id: int, **values: int | None) -> RideSums:
    return RideSums(ride_id=ride_id, park_id=1, **values)  # type: ignore[arg-type]


def test_shame_is_ten_times_the_weighted_share_of_capacity() -> None:
    assert shame(7, 60) == pytest.approx(10 * 7 / 60)  # the methodology page's example
    assert shame(3600, 3600) == 10.0
    assert shame(0, 3600) == 0.0
    # No capacity at all (park closed, nothing eligible): 0, never a division error.
    assert shame(0, 0) == 0.0
    assert shame(5, 0) == 0.0


def test_hours_uptime_and_average_wait() -> None:
    assert hours(5400) == 1.5
    assert uptime_percentage(3, 1) == 75.0
    assert uptime_percentage(0, 600) == 0.0
    assert uptime_percentage(600, 0) == 100.0
    assert uptime_percentage(0, 0) is None  # neither up nor down: no uptime to show
    assert average_wait(90, 4) == 22.5
    assert average_wait(0, 3) == 0.0  # a posted 0 counts
    assert average_wait(0, 0) is None


def test_a_rides_figures_weigh_by_its_tier() -> None:
    s = sums(
        7,
        up_s=7200,
        down_s=1800,
        capacity_s=10800,
        wait_sum=120,
        wait_n=4,
        wait_max=45,
        episodes=2,
        longest_s=1500,
    )
    tier1 = ride_figures(s, 1)
    assert (tier1.ride_id, tier1.park_id, tier1.tier, tier1.weight) == (7, 1, 1, 3)
    assert tier1.downtime_hours == 0.5
    assert tier1.uptime_hours == 2.0
    assert tier1.capacity_hours == 3.0
    assert (tier1.weighted_down_s, tier1.weighted_capacity_s) == (3 * 1800, 3 * 10800)
    assert tier1.uptime_percentage == 80.0
    assert tier1.avg_wait_minutes == 30.0
    assert tier1.peak_wait_minutes == 45.0
    assert tier1.breakdowns == 2
    assert tier1.longest_outage_minutes == 25.0
    assert [ride_figures(s, t).weight for t in (1, 2, 3, None)] == [3, 2, 1, 2]


def test_a_ride_without_waits_or_outages_shows_nulls() -> None:
    quiet = ride_figures(sums(1, up_s=600, capacity_s=600), 2)
    assert quiet.avg_wait_minutes is None
    assert quiet.peak_wait_minutes is None
    assert quiet.longest_outage_minutes is None
    assert quiet.breakdowns == 0


def _park() -> ParkFigures:
    coaster = ride_figures(
        sums(1, up_s=5400, down_s=1800, capacity_s=7200, wait_sum=100, wait_n=2, wait_max=60),
        1,
    )
    carousel = ride_figures(
        sums(2, up_s=7200, down_s=0, capacity_s=7200, wait_sum=10, wait_n=2, wait_max=5), 3
    )
    closed = ride_figures(sums(3), None)  # eligible nowhere in the window: all zeros
    return ParkFigures(1, [coaster, carousel, closed], ParkOpen(park_id=1, open_s=7200))


def test_a_park_pools_its_rides_seconds_and_observations() -> None:
    park = _park()
    # Weighted: coaster 3 × 1800 down over 3 × 7200 + 1 × 7200 capacity.
    assert park.weighted_down_s == 5400
    assert park.weighted_capacity_s == 28800
    assert park.shame_score == pytest.approx(10 * 5400 / 28800)
    assert park.down_s == 1800 and park.up_s == 12600
    assert park.total_downtime_hours == 0.5
    assert park.weighted_downtime_hours == 1.5
    assert park.weighted_capacity_hours == 8.0
    assert park.uptime_percentage == pytest.approx(100 * 12600 / 14400)
    assert park.rides_down == 1
    assert park.operating_hours == 2.0
    # Waits pool observations (110 over 4), not the rides' averages (26.25).
    assert park.wait_n == 4
    assert park.avg_wait_minutes == 27.5
    assert park.peak_wait_minutes == 60.0
    assert park.rides_reporting == 2
    coaster, carousel, _ = park.rides
    assert park.contribution(coaster) == pytest.approx(park.shame_score)
    assert park.contribution(carousel) == 0.0


def test_an_empty_park_has_no_score_and_no_averages() -> None:
    park = ParkFigures(2, [], ParkOpen(park_id=2))
    assert park.shame_score == 0.0
    assert park.uptime_percentage is None
    assert park.avg_wait_minutes is None
    assert park.peak_wait_minutes is None
    assert park.rides_down == 0 and park.rides_reporting == 0 and park.operating_hours == 0.0


ride_sums = st.builds(
    lambda up, down, extra, tier: ride_figures(
        sums(1, up_s=up, down_s=down, capacity_s=up + down + extra), tier
    ),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 10**5),
    st.sampled_from([1, 2, 3, None]),
)


@given(st.lists(ride_sums, max_size=8))
def test_a_park_score_is_the_sum_of_its_rides_contributions(rides: list) -> None:  # type: ignore[type-arg]
    """METRICS.md §4: the score lies in [0, 10] and is made of the rides' shares."""
    park = ParkFigures(1, rides, ParkOpen(park_id=1))
    assert 0.0 <= park.shame_score <= 10.0
    assert sum(park.contribution(r) for r in rides) == pytest.approx(park.shame_score)
