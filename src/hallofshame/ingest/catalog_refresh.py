"""Keep each park's ride list in step with its upstream directory.

New rides are created, renamed rides renamed, and rides the directory no longer lists
become inactive (never deleted: their history stays, and they come back if they
reappear). ThemeParks.wiki publishes a directory (``/entity/{id}/children``);
Queue-Times does not, so its live body — which lists every ride — serves as one.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import Park, Ride
from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.ingest.catalog_sync import sync_rides
from hallofshame.ingest.derived import facts_changed
from hallofshame.sources.base import CatalogRide, RideReading


def apply_directory(
    session: Session, park: Park, source: Source, rides: Sequence[CatalogRide]
) -> tuple[int, int]:
    """(rides listed, rides deactivated) after syncing the park with its directory."""
    if not rides:
        return 0, 0  # an empty directory is more likely an upstream fault than a park
    sync_rides(
        session,
        park,
        source,
        [
            RideReading(
                upstream_id=r.upstream_id,
                name=r.name,
                category=r.category,
                status=RideStatus.UNKNOWN,
                raw_status=None,
                wait_minutes=None,
                land=r.land,
            )
            for r in rides
        ],
    )
    present = {r.upstream_id for r in rides}
    key = Ride.wiki_id if source is Source.THEMEPARKS_WIKI else Ride.queue_times_id
    gone = 0
    for ride in session.scalars(
        select(Ride).where(Ride.park_id == park.id, key.is_not(None), Ride.active.is_(True))
    ):
        upstream = ride.wiki_id if source is Source.THEMEPARKS_WIKI else str(ride.queue_times_id)
        if upstream not in present:
            ride.active = False
            gone += 1
    session.flush()
    if gone:
        facts_changed(session)  # the rides counted changed: so do the figures
    return len(present), gone
