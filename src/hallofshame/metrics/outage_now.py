"""Stay or go for rides down now, as the live listings show it (METRICS.md §8).

The same answer as ``/rides/{id}/recovery`` with its defaults: the ride's current
outage (the last one, still going on), how long it has lasted so far, and the chance it
is back within 30 minutes from the curve of its kind. Every ride asked for is read at
once, not ride by ride, from the same split of stored and raw days as the recovery
curve (``outage_history.split``); a listing needs of the stored days only the durations
of the current outage's kind, read as counts per duration (``stored_samples``).

A listing first reads the answers computed after the last collection
(``ride_outages_now``, written by ``rollups.outages_now``) and computes only those that
no longer hold (``holds``): either way the answer is ``outages_now``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import DataVersion, RideOutageNow
from hallofshame.metrics.live import DOWN, RideNow
from hallofshame.metrics.outage_history import Samples, Wanted, split, stored_samples
from hallofshame.metrics.outages import ONGOING, Outage
from hallofshame.metrics.recovery import (
    StayOrGo,
    history_window,
    kaplan_meier,
    resting,
    stay_or_go,
)

#: The horizon of the listings' chance: back within 30 minutes (the endpoint's default).
LISTING_WITHIN_S = 30 * 60


def current(outages: Sequence[Outage]) -> Outage | None:
    """The ride's outage now: its last one, if it is still going on."""
    return outages[-1] if outages and outages[-1].outcome == ONGOING else None


@dataclass(frozen=True)
class OutageNow:
    outage: Outage
    answer: StayOrGo
    #: The oldest start among the outages the curve rests on (None: none).
    oldest_started_at: datetime | None


@dataclass(frozen=True)
class Listed:
    """What a listing shows of a ride's outage now."""

    duration_s: int
    kind: str
    chance_back_within: float | None  # a probability in [0, 1], None: too little history


def listed_of(found: OutageNow) -> Listed:
    return Listed(found.outage.duration_s, found.outage.kind, found.answer.chance_back_within)


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
        rests = stored.get(ride_id, Samples())
        for recent in resting(where.raw[ride_id], outage.kind, now):
            rests.add((float(recent.duration_s), not recent.censored), 1, recent.started_at)
        curve = kaplan_meier(rests.samples)
        out[ride_id] = OutageNow(
            outage,
            stay_or_go(curve, float(outage.duration_s), LISTING_WITHIN_S),
            rests.oldest_started_at,
        )
    return out


@dataclass(frozen=True)
class Asked:
    """The rides a listing asks about: down now, each with its park's live cycle."""

    parks: Mapping[int, Wanted]
    live_at: Mapping[int, datetime]  # ride id → its park's live cycle instant


def asked(
    zones: Mapping[int, str], states: Mapping[int, RideNow], ride_ids: Iterable[int]
) -> Asked:
    """Of ``ride_ids``, those down at their park's live cycle (parks of ``zones`` only)."""
    wanted: dict[int, list[int]] = {}
    live_at: dict[int, datetime] = {}
    for ride_id in ride_ids:
        state = states.get(ride_id)
        if state is None or state.state != DOWN or state.park_id not in zones:
            continue
        if state.at is not None:
            wanted.setdefault(state.park_id, []).append(ride_id)
            live_at[ride_id] = state.at
    parks = {pid: Wanted(zones[pid], tuple(rides)) for pid, rides in wanted.items()}
    return Asked(parks, live_at)


def holds(row: RideOutageNow, live_at: datetime, now: datetime) -> bool:
    """Whether an answer computed earlier is still the answer now, its data being the
    request's (same live cycle; facts, metrics version and span cap checked in SQL): it
    was computed by ``now`` and its curve still rests on the same outages — none has left
    the 90-day window since, and none can have entered it without a new cycle."""
    first, _ = history_window(now)
    return (
        row.cycle_ts == live_at
        and row.as_of <= now
        and (row.oldest_started_at is None or first <= row.oldest_started_at)
    )


def listed(
    session: Session, which: Asked, now: datetime, cap_s: int, version: int
) -> dict[int, Listed]:
    """The listing's answer per ride asked for: the stored one while it holds, else
    computed (for those rides only)."""
    rides = [r for w in which.parks.values() for r in w.ride_ids]
    if not rides:
        return {}
    rows = session.scalars(
        select(RideOutageNow).where(
            RideOutageNow.ride_id.in_(rides),
            RideOutageNow.metrics_version == version,
            RideOutageNow.cap_s == cap_s,
            RideOutageNow.facts_version == DataVersion.current(),
        )
    )
    out = {
        row.ride_id: Listed(row.duration_s, row.kind, row.chance)
        for row in rows
        if holds(row, which.live_at[row.ride_id], now)
    }
    missing = {
        pid: Wanted(w.timezone, rest)
        for pid, w in which.parks.items()
        if (rest := tuple(r for r in w.ride_ids if r not in out))
    }
    if missing:
        computed = outages_now(session, missing, now, cap_s, version)
        out.update({r: listed_of(found) for r, found in computed.items()})
    return out
