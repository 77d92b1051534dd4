"""Parks and rides from upstream payloads and the bundled catalog.

Rides are never deleted: a ride that disappears from its park's directory becomes
inactive, and comes back active if it reappears. Lookups are one query per park, never
one per ride.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.catalog import BundledPark, BundledRide, bundled_parks, bundled_rides
from hallofshame.db.models import Park, Ride
from hallofshame.domain.statuses import Source
from hallofshame.ingest.derived import facts_changed
from hallofshame.ingest.tiers import apply_tiers
from hallofshame.sources.base import CatalogPark, RideReading


class UnknownParkError(LookupError):
    pass


def find_park(session: Session, source: Source | str, upstream_id: str) -> Park | None:
    if Source(source) is Source.THEMEPARKS_WIKI:
        return session.scalars(select(Park).where(Park.wiki_id == upstream_id)).first()
    try:
        qt_id = int(upstream_id)
    except (TypeError, ValueError):
        return None
    return session.scalars(select(Park).where(Park.queue_times_id == qt_id)).first()


def ensure_wiki_park(
    session: Session, upstream_id: str, name: str | None, timezone: str | None
) -> Park:
    """A ThemeParks.wiki body names its park and timezone: create the park if new."""
    park = find_park(session, Source.THEMEPARKS_WIKI, upstream_id)
    if park is None:
        if not name or not timezone:
            raise UnknownParkError(f"unknown park {upstream_id} and the body does not name it")
        park = Park(
            name=name,
            wiki_id=upstream_id,
            timezone=timezone,
            reports_down=True,
            is_disney="disney" in name.lower(),
            is_universal="universal" in name.lower(),
            active=True,
        )
        session.add(park)
        session.flush()
    park.reports_down = True
    return park


def upsert_catalog_parks(session: Session, parks: Iterable[CatalogPark]) -> list[Park]:
    """Create or update parks from a directory payload (Queue-Times parks.json, …)."""
    out = []
    for item in parks:
        park = find_park(session, item.source, item.upstream_id)
        if park is None:
            if not item.timezone:
                continue  # a park without a timezone can't have local days
            park = Park(
                name=item.name,
                timezone=item.timezone,
                active=True,
                is_disney="disney" in item.name.lower(),
                is_universal="universal" in item.name.lower(),
                reports_down=item.source is Source.THEMEPARKS_WIKI,
            )
            if item.source is Source.THEMEPARKS_WIKI:
                park.wiki_id = item.upstream_id
            else:
                park.queue_times_id = int(item.upstream_id)
            session.add(park)
        if park.id is not None and (
            park.name != item.name or (item.timezone and park.timezone != item.timezone)
        ):
            facts_changed(session)  # every answer naming the park, or of its days, changed
        park.name = item.name
        park.timezone = item.timezone or park.timezone
        park.latitude = item.latitude if item.latitude is not None else park.latitude
        park.longitude = item.longitude if item.longitude is not None else park.longitude
        park.country = item.country or park.country
        park.operator = item.operator or park.operator
        out.append(park)
    session.flush()
    return out


def _ride_key(source: Source, ride: Ride) -> str | None:
    if source is Source.THEMEPARKS_WIKI:
        return ride.wiki_id
    return str(ride.queue_times_id) if ride.queue_times_id is not None else None


def _set_key(source: Source, ride: Ride, upstream_id: str) -> None:
    if source is Source.THEMEPARKS_WIKI:
        ride.wiki_id = upstream_id
    else:
        ride.queue_times_id = int(upstream_id)


def _same_name(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Relink:
    """A ride the upstream now lists under another id (same park, same name)."""

    name: str
    old_id: str | None
    new_id: str


@dataclass
class RideSync:
    rides: dict[str, Ride]  # by upstream id
    relinked: list[Relink] = field(default_factory=list)


def sync_rides(
    session: Session, park: Park, source: Source, readings: Sequence[RideReading]
) -> RideSync:
    """Rides of a live payload, created when new, renamed when renamed; by upstream id.

    An unknown id whose name is that of exactly one of the park's rides missing from
    this payload is that ride re-keyed upstream: it takes the new id and keeps its
    history (``relinked``), rather than starting over as a new ride. Its tier is applied
    again, since the overrides file may name it by its new id.
    """
    existing = session.scalars(select(Ride).where(Ride.park_id == park.id)).all()
    by_key = {key: ride for ride in existing if (key := _ride_key(source, ride))}
    listed = {r.upstream_id for r in readings}
    missing: dict[str, list[Ride]] = {}
    for key, known in by_key.items():
        if key not in listed:
            missing.setdefault(_same_name(known.name), []).append(known)
    result = RideSync(by_key)
    created: list[Ride] = []
    rekeyed: list[Ride] = []
    renamed = False
    for reading in readings:
        ride: Ride | None = by_key.get(reading.upstream_id)
        if ride is None:
            twins = missing.get(_same_name(reading.name), [])
            if len(twins) == 1:
                ride = twins.pop()
                result.relinked.append(
                    Relink(ride.name, _ride_key(source, ride), reading.upstream_id)
                )
                _set_key(source, ride, reading.upstream_id)
                by_key[reading.upstream_id] = ride
                rekeyed.append(ride)
        if ride is None:
            ride = Ride(
                park_id=park.id,
                name=reading.name,
                category=reading.category,
                land=reading.land,
                active=True,
                tier_source="default",
            )
            _set_key(source, ride, reading.upstream_id)
            session.add(ride)
            created.append(ride)
            by_key[reading.upstream_id] = ride
            continue
        if ride.name != reading.name and reading.name:
            ride.name = reading.name
            renamed = True
        if not ride.active:
            ride.active = True
            renamed = True  # counted again: its past figures count again too
        if reading.land and ride.land != reading.land:
            ride.land = reading.land
    if created or rekeyed:
        session.flush()
        apply_tiers(session, [*created, *rekeyed])
    if renamed:
        facts_changed(session)  # what past answers list changed, not only what comes
    return result


def load_bundled_catalog(
    session: Session,
    parks: Sequence[BundledPark] | None = None,
    rides: Sequence[BundledRide] | None = None,
) -> int:
    """Load the bundled catalog of real parks and rides (idempotent). A simulation passes
    its own ``parks`` and their ``rides`` (synthetic parks beyond the catalog)."""
    wanted = parks if parks is not None else bundled_parks()
    ids = {p.queue_times_id for p in wanted}
    known = {
        p.queue_times_id: p
        for p in session.scalars(select(Park)).all()
        if p.queue_times_id is not None
    }
    for item in wanted:
        park = known.get(item.queue_times_id)
        if park is None:
            park = Park(
                queue_times_id=item.queue_times_id,
                reports_down=False,
                active=True,
                name=item.name,
                timezone=item.timezone,
            )
            session.add(park)
            known[item.queue_times_id] = park
        park.name, park.timezone = item.name, item.timezone
        park.city, park.region, park.country = item.city, item.region, item.country
        park.latitude, park.longitude = item.latitude, item.longitude
        park.operator = item.operator
        park.is_disney, park.is_universal = item.is_disney, item.is_universal
    session.flush()
    stored = {
        r.queue_times_id: r
        for r in session.scalars(select(Ride)).all()
        if r.queue_times_id is not None
    }
    created = []
    for bundled in rides if rides is not None else bundled_rides():
        if bundled.park_queue_times_id not in ids:
            continue
        ride = stored.get(bundled.queue_times_id)
        if ride is None:
            ride = Ride(
                park_id=known[bundled.park_queue_times_id].id,
                queue_times_id=bundled.queue_times_id,
                active=True,
                tier_source="default",
                name=bundled.name,
                category=bundled.category,
            )
            session.add(ride)
            created.append(ride)
        ride.name, ride.land, ride.category = bundled.name, bundled.land, bundled.category
    session.flush()
    apply_tiers(session, created)
    return len(wanted)
