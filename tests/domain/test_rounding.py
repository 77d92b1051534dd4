"""Half-up rounding from unrounded values (METRICS.md §4)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hallofshame.domain.rounding import (
    PLACES,
    FigureKind,
    round_figure,
    round_half_up,
    round_hours,
    round_minutes,
    round_percent,
    round_shame,
    round_wait,
)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (0.25, 1, 0.3),
        (10 * 12000 / 237600, 1, 0.5),  # 0.50505…
        (0.505, 1, 0.5),
        (94.366, 1, 94.4),
        (2.675, 2, 2.68),  # round() gives 2.67 from the binary value
        (0.125, 2, 0.13),
        (1.0, 1, 1.0),
        (0, 2, 0.0),
        (-0.25, 1, -0.3),
        (123456.785, 2, 123456.79),
    ],
)
def test_examples(value: float, places: int, expected: float) -> None:
    assert round_half_up(value, places) == expected


def test_none_and_negative_zero() -> None:
    assert round_half_up(None, 1) is None
    result = round_half_up(-0.04, 1)
    assert result is not None
    assert result == 0.0 and math.copysign(1, result) == 1.0


def test_non_finite_is_refused() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        round_half_up(float("nan"), 1)


def test_figure_places_table() -> None:
    assert PLACES == {
        FigureKind.SHAME: 1,
        FigureKind.HOURS: 2,
        FigureKind.PERCENT: 1,
        FigureKind.WAIT: 1,
        FigureKind.MINUTES: 1,
    }
    assert round_shame(3.45) == 3.5
    assert round_hours(1.005) == 1.01
    assert round_percent(94.366) == 94.4
    assert round_wait(12.25) == 12.3
    assert round_minutes(None) is None
    assert round_figure("hours", 2.0 / 3) == 0.67


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@given(finite, st.integers(min_value=0, max_value=4))
def test_idempotent(value: float, places: int) -> None:
    once = round_half_up(value, places)
    assert round_half_up(once, places) == once


@given(finite, st.integers(min_value=0, max_value=4))
def test_half_up_against_decimal(value: float, places: int) -> None:
    result = round_half_up(value, places)
    assert result is not None
    exact = Decimal(repr(value))
    step = Decimal(1).scaleb(-places)
    # within half a step of the printed value, and a tie goes away from zero
    diff = abs(Decimal(repr(result)) - exact)
    assert diff <= step / 2
    if diff == step / 2:
        assert abs(Decimal(repr(result))) > abs(exact)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=3))
def test_exact_halves_round_up(n: int, places: int) -> None:
    # n + 0.5 steps, built as a decimal string so the tie is exact in the printed form
    value = float(Decimal(n).scaleb(-places) + Decimal(5).scaleb(-places - 1))
    if Decimal(repr(value)) != Decimal(n).scaleb(-places) + Decimal(5).scaleb(-places - 1):
        return  # not representable as printed; covered by the Decimal property above
    assert round_half_up(value, places) == float(Decimal(n + 1).scaleb(-places))
