"""Rounding at the API edge (METRICS.md §4): once, half-up, from unrounded values.

Python's ``round`` rounds half to even and works on the binary value, so
``round(0.25, 1)`` is 0.2 and ``round(2.675, 2)`` is 2.67. Here a float is read as the
shortest decimal that prints it (``repr``), which is the number people see, and that
decimal is rounded half-up. So 0.25 → 0.3, while 0.50505… (10 × 12000 / 237600) → 0.5.
Halves of negative values round away from zero (-0.25 → -0.3), symmetric with positives.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum


class FigureKind(StrEnum):
    SHAME = "shame"
    HOURS = "hours"
    PERCENT = "percent"
    WAIT = "wait"
    MINUTES = "minutes"


#: The one table of decimal places by kind of figure.
PLACES: dict[FigureKind, int] = {
    FigureKind.SHAME: 1,
    FigureKind.HOURS: 2,
    FigureKind.PERCENT: 1,
    FigureKind.WAIT: 1,
    FigureKind.MINUTES: 1,
}


def round_half_up(value: float | None, places: int) -> float | None:
    """``value`` rounded half-up to ``places`` decimals; None stays None (a null figure)."""
    if value is None:
        return None
    if not math.isfinite(value):
        # JSON has no NaN/Infinity; a non-finite figure is an upstream bug to surface.
        raise ValueError(f"cannot round a non-finite figure: {value!r}")
    with localcontext() as ctx:
        # The default 28 significant digits would reject quantizing very large floats.
        ctx.prec = 400
        rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    # "+ 0.0" turns -0.0 (e.g. from -0.04) into 0.0 so JSON never shows "-0.0".
    return float(rounded) + 0.0


def round_figure(kind: FigureKind | str, value: float | None) -> float | None:
    return round_half_up(value, PLACES[FigureKind(kind)])


def round_shame(value: float | None) -> float | None:
    return round_figure(FigureKind.SHAME, value)


def round_hours(value: float | None) -> float | None:
    return round_figure(FigureKind.HOURS, value)


def round_percent(value: float | None) -> float | None:
    return round_figure(FigureKind.PERCENT, value)


def round_wait(value: float | None) -> float | None:
    return round_figure(FigureKind.WAIT, value)


def round_minutes(value: float | None) -> float | None:
    return round_figure(FigureKind.MINUTES, value)
