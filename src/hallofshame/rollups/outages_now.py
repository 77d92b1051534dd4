"""The live listings' stay-or-go answers, computed once after each collection.

Every visitor of a live listing asks the same question about the same rides until the
next cycle; computing it per request costs tens of milliseconds (a raw pass over today
and 90 days of stored outages). After a collection the answers of every ride down now
are computed by the listings' own function (``metrics.outage_now.outages_now``) and
stored with what they were computed from; a listing uses one only while it still holds
(``metrics.outage_now.holds``), so a stored answer never differs from a computed one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from hallofshame.db.models import DataVersion, Park, RideOutageNow, table_of
from hallofshame.metrics import live
from hallofshame.metrics.outage_now import asked, listed_of, outages_now


def refresh_outages_now(session: Session, *, now: datetime, cap_s: int, version: int) -> int:
    """Replace the stored answers with those of every ride down now; the number stored.

    The caller owns the transaction (the collection job, right after its cycle)."""
    parks = list(session.scalars(select(Park).where(Park.active.is_(True))))
    states = live.ride_states(session, parks, now)
    rides = asked({p.id: p.timezone for p in parks}, states, states)
    found = outages_now(session, rides.parks, now, cap_s, version)
    facts = session.scalar(select(DataVersion.current()))
    session.execute(delete(RideOutageNow))
    rows = []
    for ride_id, o in found.items():
        shown = listed_of(o)  # what a listing shows, decided once
        rows.append(
            {
                "ride_id": ride_id,
                "park_id": states[ride_id].park_id,
                "cycle_ts": rides.live_at[ride_id],
                "as_of": now,
                "facts_version": int(facts or 0),
                "metrics_version": version,
                "cap_s": cap_s,
                "duration_s": shown.duration_s,
                "kind": shown.kind,
                "chance": shown.chance_back_within,
                "oldest_started_at": o.oldest_started_at,
            }
        )
    if rows:
        session.execute(insert(table_of(RideOutageNow)), rows)
    return len(rows)
