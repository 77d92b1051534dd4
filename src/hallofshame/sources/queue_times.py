"""Queue-Times.com: pure parsers for ``/parks.json`` and ``queue_times.json`` + a client.

Queue-Times only says open or closed, so it never reports DOWN (METRICS.md §1), and its
records can be stale: a record not updated for more than 30 minutes says nothing about
now (METRICS.md §2).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hallofshame import clock
from hallofshame.domain.statuses import ATTRACTION, RideStatus, Source
from hallofshame.sources._parse import as_float, as_int, opt_str, parse_instant, sample_of
from hallofshame.sources.base import (
    CatalogPark,
    CatalogRide,
    LiveSnapshot,
    PayloadError,
    RideReading,
    StaleFeedError,
)
from hallofshame.sources.http import HttpClient

DEFAULT_BASE_URL = "https://queue-times.com"
SOURCE = Source.QUEUE_TIMES
#: A record older than this (strictly) at poll time is stale → UNKNOWN.
STALE_AFTER = timedelta(minutes=30)


def _upstream_id(value: Any) -> str | None:
    """Queue-Times ids are integers; we keep every upstream id as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return opt_str(value)


def parse_parks(raw: Any) -> list[CatalogPark]:
    """``/parks.json``: a list of operator groups, each with its parks."""
    if not isinstance(raw, list):
        raise PayloadError("malformed parks body", sample=sample_of(raw))
    parks: list[CatalogPark] = []
    for group in raw:
        if not isinstance(group, dict) or not isinstance(group.get("parks"), list):
            raise PayloadError("malformed parks body", sample=sample_of(group))
        operator = opt_str(group.get("name"))
        for park in group["parks"]:
            park_id = _upstream_id(park.get("id")) if isinstance(park, dict) else None
            name = opt_str(park.get("name")) if isinstance(park, dict) else None
            if park_id is None or name is None:
                raise PayloadError(
                    "malformed parks body: park without id/name", sample=sample_of(park)
                )
            parks.append(
                CatalogPark(
                    source=SOURCE,
                    upstream_id=park_id,
                    name=name,
                    timezone=opt_str(park.get("timezone")),
                    latitude=as_float(park.get("latitude")),
                    longitude=as_float(park.get("longitude")),
                    country=opt_str(park.get("country")),
                    operator=operator,
                )
            )
    return parks


def _ride_records(raw: Any) -> list[tuple[dict[str, Any], str | None]]:
    """(ride record, land name) for both shapes: ``lands[].rides[]`` and flat ``rides[]``."""
    if not isinstance(raw, dict):
        raise PayloadError("malformed live body", sample=sample_of(raw))
    lands = raw.get("lands", [])
    flat = raw.get("rides", [])
    if ("lands" not in raw and "rides" not in raw) or not isinstance(lands, list):
        raise PayloadError("malformed live body", sample=sample_of(raw))
    if not isinstance(flat, list):
        raise PayloadError("malformed live body", sample=sample_of(raw))
    records: list[tuple[dict[str, Any], str | None]] = []
    for land in lands:
        if not isinstance(land, dict) or not isinstance(land.get("rides"), list):
            raise PayloadError("malformed live body: bad land", sample=sample_of(land))
        land_name = opt_str(land.get("name"))
        records.extend((ride, land_name) for ride in land["rides"])
    records.extend((ride, None) for ride in flat)
    return records


def parse_live(raw: Any, fetched_at: datetime, park_upstream_id: str | int) -> LiveSnapshot:
    """``/parks/{id}/queue_times.json`` → one snapshot, normalised by METRICS.md §2.

    Raises ``StaleFeedError`` when every ride's record is stale: such a poll is not a
    cycle at all.
    """
    rides: list[RideReading] = []
    stale_count = 0
    for record, land in _ride_records(raw):
        ride_id = _upstream_id(record.get("id")) if isinstance(record, dict) else None
        name = opt_str(record.get("name")) if isinstance(record, dict) else None
        is_open = record.get("is_open") if isinstance(record, dict) else None
        if ride_id is None or name is None or not isinstance(is_open, bool):
            raise PayloadError("malformed live body: bad ride record", sample=sample_of(record))
        last_updated = parse_instant(record.get("last_updated"))
        if record.get("last_updated") is not None and last_updated is None:
            raise PayloadError("malformed live body: bad last_updated", sample=sample_of(record))
        # No timestamp at all is taken as fresh (METRICS.md §2).
        stale = last_updated is not None and fetched_at - last_updated > STALE_AFTER
        if stale:
            stale_count += 1
            status = RideStatus.UNKNOWN
        else:
            status = RideStatus.OPERATING if is_open else RideStatus.CLOSED
        wait = as_int(record.get("wait_time")) if is_open and not stale else None
        rides.append(
            RideReading(
                upstream_id=ride_id,
                name=name,
                # Queue-Times has no entity types; everything it lists is a ride to us.
                category=ATTRACTION,
                status=status,
                raw_status="open" if is_open else "closed",
                wait_minutes=wait if wait is None or wait >= 0 else None,
                last_updated=last_updated,
                land=land,
            )
        )
    if rides and stale_count == len(rides):
        newest = max(r.last_updated for r in rides if r.last_updated is not None)
        raise StaleFeedError(
            "stale for the whole park",
            sample=f"newest last_updated {newest.isoformat()} at poll {fetched_at.isoformat()}",
        )
    return LiveSnapshot(
        source=SOURCE,
        park_upstream_id=str(park_upstream_id),
        fetched_at=fetched_at,
        rides=tuple(rides),
    )


def rides_of(snapshot: LiveSnapshot) -> list[CatalogRide]:
    """Queue-Times has no ride directory: the live body is the catalog of rides."""
    return [
        CatalogRide(
            source=SOURCE,
            upstream_id=r.upstream_id,
            park_upstream_id=snapshot.park_upstream_id,
            name=r.name,
            category=r.category,
            land=r.land,
        )
        for r in snapshot.rides
    ]


class QueueTimesClient:
    def __init__(self, http: HttpClient | None = None, base_url: str = DEFAULT_BASE_URL) -> None:
        self.http = http or HttpClient()
        self.base_url = base_url.rstrip("/")

    def get_raw(self, path: str) -> Any:
        """The decoded body of ``{base_url}/{path}`` (kept public for recording feeds)."""
        return self.http.get_json(f"{self.base_url}/{path.lstrip('/')}")

    def parks(self) -> list[CatalogPark]:
        return parse_parks(self.get_raw("parks.json"))

    def live(self, park_id: str | int) -> LiveSnapshot:
        # int() both validates the id and keeps it from reaching another path.
        raw = self.get_raw(f"parks/{int(park_id)}/queue_times.json")
        return parse_live(raw, clock.now(), park_id)
