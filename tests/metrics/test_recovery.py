"""The Kaplan–Meier estimator and the stay-or-go figures (METRICS.md §8), no database.

Hand-worked curves (ties of an event and a censoring at one duration included), then a
property test against a reference written here differently: it walks the samples one
at a time and counts who is at risk by scanning the whole list at each step.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from hallofshame.metrics.present import recovery_figures
from hallofshame.metrics.recovery import kaplan_meier, stay_or_go

M = 60.0  # one minute in seconds

#: Ten outages (minutes, reopened?): at 20 and at 60 an event and a censoring tie.
TEN = [
    (10, True),
    (10, True),
    (20, True),
    (20, False),
    (30, True),
    (40, False),
    (50, True),
    (60, True),
    (60, False),
    (90, True),
]


def _curve(samples: list[tuple[int, bool]]):  # type: ignore[no-untyped-def]
    return kaplan_meier((d * M, ended) for d, ended in samples)


def test_hand_worked_curve() -> None:
    c = _curve(TEN)
    # t=10: 2 of 10 reopen; t=20: 1 of 8 (the one censored at 20 is still at risk);
    # t=30: 1 of 6; t=50: 1 of 4; t=60: 1 of 3; t=90: 1 of 1.
    s10 = Fraction(8, 10)
    s20 = s10 * Fraction(7, 8)
    s30 = s20 * Fraction(5, 6)
    s50 = s30 * Fraction(3, 4)
    s60 = s50 * Fraction(2, 3)
    assert c.times == (10 * M, 20 * M, 30 * M, 50 * M, 60 * M, 90 * M)
    assert c.values == (s10, s20, s30, s50, s60, Fraction(0))
    assert (s20, s30, s50, s60) == (
        Fraction(7, 10),
        Fraction(7, 12),
        Fraction(7, 16),
        Fraction(7, 24),
    )
    assert c.survival(0) == 1
    assert c.survival(9.99 * M) == 1
    assert c.survival(45 * M) == s30  # censorings do not step the curve
    assert c.at_risk(20 * M) == 8
    assert c.at_risk(41 * M) == 4


def test_hand_worked_stay_or_go() -> None:
    a = stay_or_go(_curve(TEN), 0, 30 * M)
    out = recovery_figures(a)
    assert out["breakdowns_considered"] == 10
    assert out["at_risk"] == 10
    assert out["enough_history"] is True
    # 1 − S(30) = 1 − 7/12 = 5/12 = 41.666… %
    assert out["chance_back_within_percentage"] == 41.7
    # S(0)/2 = 1/2: the first event duration with S ≤ 1/2 is 50 (7/16).
    assert out["median_remaining_minutes"] == 50.0
    # p25: S ≤ 3/4 first at 20 (7/10); p50 at 50; p75 (≤ 1/4) and p90 (≤ 1/10) at 90 (0).
    assert out["percentiles"] == {"p25": 20.0, "p50": 50.0, "p75": 90.0, "p90": 90.0}
    assert out["curve"] == [
        {"minutes": 10.0, "still_down_percentage": 80.0},
        {"minutes": 20.0, "still_down_percentage": 70.0},
        {"minutes": 30.0, "still_down_percentage": 58.3},
        {"minutes": 50.0, "still_down_percentage": 43.8},
        {"minutes": 60.0, "still_down_percentage": 29.2},
        {"minutes": 90.0, "still_down_percentage": 0.0},
    ]


def test_not_enough_at_risk() -> None:
    # Down for 20 minutes: 8 outages lasted at least 20, fewer than 10.
    out = recovery_figures(stay_or_go(_curve(TEN), 20 * M, 30 * M))
    assert out["at_risk"] == 8
    assert out["enough_history"] is False
    assert out["chance_back_within_percentage"] is None
    assert out["median_remaining_minutes"] is None
    # The percentiles rest on the 10 considered, not on those at risk.
    assert out["percentiles"]["p50"] == 50.0


def test_conditional_chance_and_median() -> None:
    samples = TEN + [(d, True) for d in (70, 80, 100, 110, 120)]
    c = _curve(samples)
    a = stay_or_go(c, 20 * M, 30 * M)
    assert a.at_risk == 13  # the 15 less the two reopened at 10
    s20, s50 = c.survival(20 * M), c.survival(50 * M)
    assert a.chance_back_within == float(1 - s50 / s20)
    # 15 outages: t=10 2 of 15 → 13/15; t=20 1 of 13 → 4/5; t=30 1 of 11; t=50 1 of 9
    assert s20 == Fraction(4, 5)
    assert s50 == Fraction(4, 5) * Fraction(10, 11) * Fraction(8, 9)
    half = s20 / 2
    first = min(t for t in c.times if t >= 20 * M and c.survival(t) <= half)
    assert a.median_remaining_s == first - 20 * M


def test_fewer_than_ten_considered_no_percentiles() -> None:
    a = stay_or_go(_curve(TEN[:9]), 0, 30 * M)
    assert a.considered == 9
    assert a.enough_history is False
    assert set(a.percentiles_s.values()) == {None}


def test_exact_boundaries() -> None:
    # Ten reopenings at 1 … 10 minutes: S(k) = 1 − k/10 exactly; p90 is 9, not 10.
    c = _curve([(k, True) for k in range(1, 11)])
    a = stay_or_go(c, 0, 30 * M)
    assert a.percentiles_s == {25: 3 * M, 50: 5 * M, 75: 8 * M, 90: 9 * M}


def test_never_reaches_half() -> None:
    # Every outage censored: S stays 1, no median, no percentile, chance 0.
    a = stay_or_go(_curve([(k, False) for k in range(10, 130, 10)]), 0, 30 * M)
    assert a.enough_history is True
    assert a.chance_back_within == 0.0
    assert a.median_remaining_s is None
    assert set(a.percentiles_s.values()) == {None}


def _reference_survival(samples: list[tuple[int, bool]], t: float) -> Fraction:
    """S(t) by walking the distinct durations and counting the at-risk set each time."""
    s = Fraction(1)
    for u in sorted({d for d, _ in samples}):
        if u > t:
            break
        at_risk = [d for d, _ in samples if d >= u]
        reopened = [d for d, ended in samples if ended and d == u]
        if reopened:
            s = s * (len(at_risk) - len(reopened)) / len(at_risk)
    return s


samples_strategy = st.lists(
    st.tuples(st.integers(min_value=1, max_value=40), st.booleans()), min_size=0, max_size=40
)


@settings(max_examples=300, deadline=None)
@given(samples=samples_strategy, t=st.integers(0, 45), h=st.integers(1, 45))
def test_against_reference(samples: list[tuple[int, bool]], t: int, h: int) -> None:
    c = kaplan_meier((float(d), ended) for d, ended in samples)
    for x in range(0, 46):
        assert c.survival(float(x)) == _reference_survival(samples, x)
    a = stay_or_go(c, float(t), float(h))
    at_risk = sum(1 for d, _ in samples if d >= t)
    assert a.at_risk == at_risk
    assert a.considered == len(samples)
    s_t = _reference_survival(samples, t)
    if at_risk >= 10 and s_t > 0:
        assert a.chance_back_within == float(1 - _reference_survival(samples, t + h) / s_t)
        median = next(
            (u for u in range(0, 46) if _reference_survival(samples, t + u) <= s_t / 2), None
        )
        assert a.median_remaining_s == (None if median is None else float(median))
    else:
        assert a.chance_back_within is None
        assert a.median_remaining_s is None
    for p, value in a.percentiles_s.items():
        if len(samples) < 10:
            assert value is None
        else:
            level = 1 - Fraction(p, 100)
            want = next((x for x in range(0, 46) if _reference_survival(samples, x) <= level), None)
            assert value == (None if want is None else float(want))
