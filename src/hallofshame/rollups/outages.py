"""The outages of rolled-up days (``ride_outages``), written with the day's rollup.

A ride's recovery curve rests on 90 days of its outages; stored per day, the curve reads
a few rows per outage-day instead of every cycle of those 90 days. Each outage is kept
under the local day of its first down cycle and is found by the same pass as when it
is read from raw (``metrics.outages``), started where the opening the first day starts
in begins (``opening_start``), so that it is seen whole, and followed as far as it lasts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from hallofshame.db.models import Park, RideOutage, table_of
from hallofshame.domain.localtime import local_date_of, local_midnight
from hallofshame.metrics.outages import (
    ONGOING,
    Pass,
    closing_after,
    opening_start,
    outages_of,
)


def rewrite_outages(
    session: Session,
    park: Park,
    dates: Sequence[date],
    *,
    version: int,
    now: datetime,
    cap_s: int,
) -> int:
    """Replace ``version``'s stored outages of the park's ``dates``, their gaps capped at
    ``cap_s`` (``domain.cycle_span.span_cap``); the number written."""
    if not dates:
        return 0
    session.execute(
        delete(RideOutage).where(
            RideOutage.park_id == park.id,
            RideOutage.metrics_version == version,
            RideOutage.local_date.in_(list(dates)),
        )
    )
    wanted = set(dates)
    # The pass reads from the opening the first day starts in to the closing after the
    # last day, not to ``now``: a load of history rolls its weeks up one after the other,
    # and passes reading to the end of the data made a park-year's rollups quadratic. An
    # outage still running where the read stops (no closing within LEAD: a ride down
    # across a gap in the data) is followed to ``now`` by a second pass over its rides.
    since = opening_start(session, park.id, local_midnight(min(dates), park.timezone))
    until = min(
        now,
        closing_after(
            session, park.id, local_midnight(max(dates) + timedelta(days=1), park.timezone)
        ),
    )
    found = outages_of(session, {park.id: Pass(since, None)}, until, cap_s)
    running = tuple(ride_id for ride_id, outages in found.items() if outages[-1].outcome == ONGOING)
    if running and until < now:
        found.update(outages_of(session, {park.id: Pass(since, running)}, now, cap_s))
    rows = [
        {
            "ride_id": o.ride_id,
            "metrics_version": version,
            "first_ts": o.first_ts,
            "park_id": park.id,
            "local_date": day,
            "started_at": o.started_at,
            "last_ts": o.last_ts,
            "duration_s": o.duration_s,
            "outcome": o.outcome,
            "kind": o.kind,
        }
        for outages in found.values()
        for o in outages
        if (day := local_date_of(o.first_ts, park.timezone)) in wanted
    ]
    if rows:
        session.execute(insert(table_of(RideOutage)), rows)
    return len(rows)
