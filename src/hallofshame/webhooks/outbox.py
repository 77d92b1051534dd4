"""Breakdown events seen by a live cycle, written in that cycle's transaction (outbox).

A cycle announces what it saw happen: ``breakdown.started`` when its instant is an
episode's first down cycle, ``breakdown.ended`` when the episode has ended by its
instant (the ride up, the park closed, or the local day over) and its start was
announced. Only live cycles announce: a replay, an archive import, a backfill or a
simulation writes history, which is news to nobody. Sending is the webhook job's
(``jobs.webhooks``); nothing here does I/O or commits.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.config import get_settings
from hallofshame.db.models import BreakdownEvent, Cycle, Observation
from hallofshame.domain.rounding import round_minutes
from hallofshame.domain.statuses import Origin, RideStatus
from hallofshame.ingest.cycles import CycleOutcome
from hallofshame.metrics.breakdown_entries import (
    BreakdownEntry,
    entry_id,
    local_text,
    recent_breakdowns,
    utc_text,
)

STARTED = "breakdown.started"
ENDED = "breakdown.ended"
EVENT_TYPES = (STARTED, ENDED)

#: How long an announced start waits for its end: an episode ends by its local
#: midnight, so a day and a bit covers every time zone and a late first cycle.
OPEN_FOR = timedelta(days=2)


def event_key(entry: BreakdownEntry, event_type: str) -> str:
    """The event's public id: the same for every delivery and retry of it."""
    return f"{entry.key}-{event_type.removeprefix('breakdown.')}"


def payload_of(entry: BreakdownEntry, event_type: str, at: datetime) -> dict[str, Any]:
    """The event as sent in the ``json`` format (rounded here, at the edge)."""
    ended = event_type == ENDED
    return {
        "event_id": event_key(entry, event_type),
        "event_type": event_type,
        "occurred_at": utc_text(at),
        "entry_id": entry_id(get_settings().feed_authority, entry),
        "ride_id": entry.ride_id,
        "ride_name": entry.ride_name,
        "tier": entry.tier,
        "park_id": entry.park_id,
        "park_name": entry.park_name,
        "timezone": entry.timezone,
        "start": utc_text(entry.start),
        "start_local": local_text(entry.start, entry.timezone),
        "end": utc_text(entry.end) if ended else None,
        "end_local": local_text(entry.end, entry.timezone) if ended else None,
        "duration_seconds": entry.duration_s if ended else None,
        "duration_minutes": round_minutes(entry.duration_s / 60.0) if ended else None,
    }


def record_breakdown_events(session: Session, outcome: CycleOutcome) -> int:
    """Write the events the cycle ``outcome`` saw, in the caller's transaction; how many.

    Costs one indexed read when nothing can have happened: no announced breakdown is
    open at the park and the cycle found it closed.
    """
    if not outcome.created or outcome.origin != Origin.LIVE.value:
        return 0
    ts = datetime.fromisoformat(outcome.ts_iso)
    known: dict[tuple[int, datetime], set[str]] = {}
    for ride_id, first_ts, kind in session.execute(
        select(
            BreakdownEvent.ride_id, BreakdownEvent.episode_first_ts, BreakdownEvent.event_type
        ).where(
            BreakdownEvent.park_id == outcome.park_id,
            BreakdownEvent.episode_first_ts >= ts - OPEN_FOR,
        )
    ):
        known.setdefault((ride_id, first_ts), set()).add(kind)
    open_since = [first for (_, first), kinds in known.items() if kinds == {STARTED}]
    # No episode starts while the park is closed. Otherwise the statements are the same
    # whatever the statuses say, so a cycle costs a fixed number of them (the collector's
    # promise); the work is one park's episodes of today.
    if not open_since and not outcome.park_open:
        return 0
    # Today's episodes, and those of the days an open announcement started on, of the
    # only rides that can have news: one whose episode starts now is counted down now, so
    # reads DOWN (or CLOSED, which a park without DOWN means by it); one whose episode
    # ends has its start announced. (Every ride of the park: +31 % on a 48-park cycle.)
    lookback = ts - min(open_since) if open_since else timedelta(0)
    candidates = {ride_id for ride_id, _ in known} | set(
        session.scalars(
            select(Observation.ride_id)
            .join(Cycle, Cycle.id == Observation.cycle_id)
            .where(
                Cycle.park_id == outcome.park_id,
                Cycle.ts == ts,
                Observation.status.in_((RideStatus.DOWN.value, RideStatus.CLOSED.value)),
            )
        )
    )
    entries = recent_breakdowns(
        session,
        now=ts,
        park_ids=[outcome.park_id],
        ride_ids=tuple(sorted(candidates)),
        lookback=lookback,
    )
    written = 0
    for entry in entries:
        kinds = known.get((entry.ride_id, entry.first_ts), set())
        if entry.first_ts == ts and STARTED not in kinds:
            _add(session, entry, STARTED, ts)
            written += 1
        elif (
            entry.closed_at is not None
            and entry.closed_at <= ts
            and STARTED in kinds
            and ENDED not in kinds
        ):
            _add(session, entry, ENDED, ts)
            written += 1
    if written:
        session.flush()
    return written


def _add(session: Session, entry: BreakdownEntry, event_type: str, at: datetime) -> None:
    payload = payload_of(entry, event_type, at)
    session.add(
        BreakdownEvent(
            event_key=payload["event_id"],
            event_type=event_type,
            ride_id=entry.ride_id,
            park_id=entry.park_id,
            episode_first_ts=entry.first_ts,
            occurred_at=at,
            payload=json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
        )
    )
