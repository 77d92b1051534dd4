"""Stay or go for rides down now, as the live listings show it (METRICS.md §8).

The same answer as ``/rides/{id}/recovery`` with its defaults: the ride's current
outage (the last one, still going on), how long it has lasted so far, and the chance it
is back within 30 minutes from the curve of its kind. The outages of every ride asked
for are read at once (``outage_history.histories``), not ride by ride.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hallofshame.metrics.outage_history import Wanted, histories
from hallofshame.metrics.outages import ONGOING, Outage
from hallofshame.metrics.recovery import StayOrGo, curve_of, stay_or_go

#: The horizon of the listings' chance: back within 30 minutes (the endpoint's default).
LISTING_WITHIN_S = 30 * 60


def current(outages: Sequence[Outage]) -> Outage | None:
    """The ride's outage now: its last one, if it is still going on."""
    return outages[-1] if outages and outages[-1].outcome == ONGOING else None


@dataclass(frozen=True)
class OutageNow:
    outage: Outage
    answer: StayOrGo


def outages_now(
    session: Session, parks: Mapping[int, Wanted], now: datetime, cap_s: int, version: int
) -> dict[int, OutageNow]:
    """Per ride asked for that has an outage going on: the outage and its answer."""
    out: dict[int, OutageNow] = {}
    for ride_id, found in histories(session, parks, now, cap_s, version).items():
        outage = current(found)
        if outage is None:
            continue
        curve = curve_of(found, outage.kind, now)
        out[ride_id] = OutageNow(
            outage, stay_or_go(curve, float(outage.duration_s), LISTING_WITHIN_S)
        )
    return out
