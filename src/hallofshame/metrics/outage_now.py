"""Stay or go for rides down now, as the live listings show it (METRICS.md §8).

The same answer as ``/rides/{id}/recovery`` with its defaults: the ride's current
outage (the last one, still going on), how long it has lasted so far, and the chance it
is back within 30 minutes from the curve of its kind. Every ride asked for is read at
once, not ride by ride, from the same split of stored and raw days as the recovery
curve (``outage_history.split``); a listing needs of the stored days only the durations
of the current outage's kind, read as counts per duration (``stored_samples``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from hallofshame.metrics.outage_history import Wanted, split, stored_samples
from hallofshame.metrics.outages import ONGOING, Outage
from hallofshame.metrics.recovery import StayOrGo, kaplan_meier, samples, stay_or_go

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
    parks = {pid: w for pid, w in parks.items() if w.ride_ids}
    if not parks:
        return {}
    where = split(session, parks, now, cap_s, version)
    # An outage going on now is never a stored one (those are read again from raw).
    going = {r: o for r, found in where.raw.items() if (o := current(found)) is not None}
    if not going:
        return {}
    kinds = {r: o.kind for r, o in going.items()}
    stored = stored_samples(session, parks, where, kinds, now, version)
    out: dict[int, OutageNow] = {}
    for ride_id, outage in going.items():
        recent = samples(where.raw[ride_id], outage.kind, now)
        curve = kaplan_meier([*stored.get(ride_id, []), *recent])
        out[ride_id] = OutageNow(
            outage, stay_or_go(curve, float(outage.duration_s), LISTING_WITHIN_S)
        )
    return out
