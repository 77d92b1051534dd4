"""ThemeParks.wiki v1: pure parsers for its bodies plus a thin client.

Parsers take the decoded JSON exactly as the upstream sent it (or as a recorded feed
kept it) and return the database-free values of ``base``; they never touch the network,
so live collection and replay share one code path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hallofshame import clock
from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.sources._parse import (
    as_float,
    as_int,
    opt_str,
    parse_date,
    parse_instant,
    sample_of,
)
from hallofshame.sources.base import (
    CatalogPark,
    CatalogRide,
    LiveSnapshot,
    PayloadError,
    RideReading,
    ScheduleFetch,
    ScheduleWindow,
)
from hallofshame.sources.http import HttpClient

DEFAULT_BASE_URL = "https://api.themeparks.wiki/v1"
SOURCE = Source.THEMEPARKS_WIKI
_KNOWN_STATUSES = {s.value: s for s in RideStatus if s is not RideStatus.UNKNOWN}
#: Entity types that are containers, not things a visitor rides or watches.
_CONTAINER_TYPES = frozenset({"PARK", "DESTINATION"})


@dataclass(frozen=True, slots=True)
class Children:
    """What ``/entity/{id}/children`` lists: parks (for a destination) and park entities."""

    parks: tuple[CatalogPark, ...]
    rides: tuple[CatalogRide, ...]


# -- live ------------------------------------------------------------------------------


def standby_wait(entry: dict[str, Any]) -> int | None:
    """The posted standby wait of a live entry (``queue.STANDBY.waitTime``), or None.

    Public because the archive reader reads its events' ``data`` the same way.
    """
    queue = entry.get("queue")
    if not isinstance(queue, dict):
        return None
    standby = queue.get("STANDBY")
    if not isinstance(standby, dict):
        return None
    wait = as_int(standby.get("waitTime"))
    # A negative posted wait is nonsense, not "no queue": treat it as unknown.
    return wait if wait is not None and wait >= 0 else None


def normalise_status(value: Any) -> tuple[RideStatus, str | None, str | None]:
    """(normalised status, raw status, unknown raw value to report).

    Public because the archive reader must normalise exactly as live collection does.
    """
    if value is None:
        return RideStatus.UNKNOWN, None, None
    raw = value if isinstance(value, str) else str(value)
    known = _KNOWN_STATUSES.get(raw)
    if known is None:
        return RideStatus.UNKNOWN, raw, raw
    return known, raw, None


def parse_live(
    raw: Any, fetched_at: datetime, *, park_upstream_id: str | None = None
) -> LiveSnapshot:
    """``/entity/{park}/live`` → one snapshot of every non-park entity (METRICS.md §2).

    ``park_upstream_id`` is only a fallback for bodies that do not carry their own id.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("liveData"), list):
        raise PayloadError("malformed live body", sample=sample_of(raw))
    park_id = opt_str(raw.get("id")) or park_upstream_id
    if park_id is None:
        raise PayloadError("malformed live body: no park id", sample=sample_of(raw))

    rides: list[RideReading] = []
    unknown: list[str] = []
    for entry in raw["liveData"]:
        if not isinstance(entry, dict):
            raise PayloadError("malformed live body: entry is not an object", sample=sample_of(raw))
        entity_id = opt_str(entry.get("id"))
        name = opt_str(entry.get("name"))
        if entity_id is None or name is None:
            raise PayloadError(
                "malformed live body: entry without id/name", sample=sample_of(entry)
            )
        category = opt_str(entry.get("entityType")) or "UNKNOWN"
        # The park's own row reports the park's status, not a ride's.
        if category in _CONTAINER_TYPES or entity_id == park_id:
            continue
        status, raw_status, unknown_value = normalise_status(entry.get("status"))
        if unknown_value is not None and unknown_value not in unknown:
            unknown.append(unknown_value)
        rides.append(
            RideReading(
                upstream_id=entity_id,
                name=name,
                category=category,
                status=status,
                raw_status=raw_status,
                wait_minutes=standby_wait(entry),
                last_updated=parse_instant(entry.get("lastUpdated")),
            )
        )
    return LiveSnapshot(
        source=SOURCE,
        park_upstream_id=park_id,
        fetched_at=fetched_at,
        rides=tuple(rides),
        park_name=opt_str(raw.get("name")),
        timezone=opt_str(raw.get("timezone")),
        unknown_statuses=tuple(unknown),
    )


# -- schedule --------------------------------------------------------------------------


def _zone(name: str | None) -> tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_schedule(
    raw: Any, fetched_at: datetime, *, park_upstream_id: str | None = None
) -> ScheduleFetch:
    """``/entity/{park}/schedule`` → windows in UTC plus the dates the fetch covers."""
    if not isinstance(raw, dict) or not isinstance(raw.get("schedule"), list):
        raise PayloadError("malformed schedule body", sample=sample_of(raw))
    park_id = opt_str(raw.get("id")) or park_upstream_id
    if park_id is None:
        raise PayloadError("malformed schedule body: no park id", sample=sample_of(raw))
    timezone = opt_str(raw.get("timezone"))
    local = _zone(timezone)

    windows: list[ScheduleWindow] = []
    dates: list[date] = []
    for entry in raw["schedule"]:
        day = parse_date(entry.get("date")) if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or day is None:
            raise PayloadError(
                "malformed schedule body: entry without date", sample=sample_of(entry)
            )
        dates.append(day)
        opening = parse_instant(entry.get("openingTime"), local=local)
        closing = parse_instant(entry.get("closingTime"), local=local)
        # Some entry types carry no times; they still cover their date (closed that day).
        if opening is None or closing is None or closing <= opening:
            continue
        windows.append(
            ScheduleWindow(
                local_date=day,
                window_type=opt_str(entry.get("type")) or "UNKNOWN",
                opening_at=opening,
                closing_at=closing,
                description=opt_str(entry.get("description")),
            )
        )
    return ScheduleFetch(
        park_upstream_id=park_id,
        fetched_at=fetched_at,
        windows=tuple(windows),
        park_name=opt_str(raw.get("name")),
        timezone=timezone,
        covered_dates=(min(dates), max(dates)) if dates else None,
    )


# -- catalog ---------------------------------------------------------------------------


def _location(entry: dict[str, Any]) -> tuple[float | None, float | None]:
    loc = entry.get("location")
    if not isinstance(loc, dict):
        return None, None
    return as_float(loc.get("latitude")), as_float(loc.get("longitude"))


def _require_id_name(entry: Any, what: str) -> tuple[str, str]:
    if not isinstance(entry, dict):
        raise PayloadError(
            f"malformed {what} body: entry is not an object", sample=sample_of(entry)
        )
    entity_id, name = opt_str(entry.get("id")), opt_str(entry.get("name"))
    if entity_id is None or name is None:
        raise PayloadError(f"malformed {what} body: entry without id/name", sample=sample_of(entry))
    return entity_id, name


def parse_destinations(raw: Any) -> list[CatalogPark]:
    """``/destinations`` → every park of every destination (no timezone in this body)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("destinations"), list):
        raise PayloadError("malformed destinations body", sample=sample_of(raw))
    parks: list[CatalogPark] = []
    for destination in raw["destinations"]:
        _require_id_name(destination, "destinations")
        members = destination.get("parks") or []
        if not isinstance(members, list):
            raise PayloadError("malformed destinations body", sample=sample_of(destination))
        for park in members:
            park_id, name = _require_id_name(park, "destinations")
            parks.append(CatalogPark(source=SOURCE, upstream_id=park_id, name=name))
    return parks


def _park_from(entry: dict[str, Any], park_id: str, name: str, tz: str | None) -> CatalogPark:
    lat, lon = _location(entry)
    return CatalogPark(
        source=SOURCE,
        upstream_id=park_id,
        name=name,
        timezone=opt_str(entry.get("timezone")) or tz,
        latitude=lat,
        longitude=lon,
    )


def parse_entity(raw: Any) -> CatalogPark | CatalogRide:
    """``/entity/{id}`` → a park, or a park's entity (ride, show, restaurant, …)."""
    entity_id, name = _require_id_name(raw, "entity")
    entity_type = opt_str(raw.get("entityType")) or "UNKNOWN"
    if entity_type == "PARK":
        return _park_from(raw, entity_id, name, None)
    park_id = opt_str(raw.get("parkId")) or opt_str(raw.get("parentId"))
    if entity_type == "DESTINATION" or park_id is None:
        raise PayloadError("entity is not a park or a park's entity", sample=sample_of(raw))
    return CatalogRide(
        source=SOURCE,
        upstream_id=entity_id,
        park_upstream_id=park_id,
        name=name,
        category=entity_type,
    )


def parse_children(raw: Any) -> Children:
    """``/entity/{id}/children`` of a park (its entities) or a destination (parks too)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("children"), list):
        raise PayloadError("malformed children body", sample=sample_of(raw))
    own_id = opt_str(raw.get("id"))
    own_is_park = raw.get("entityType") == "PARK"
    tz = opt_str(raw.get("timezone"))
    entries = [(_require_id_name(e, "children"), e) for e in raw["children"]]
    park_ids = {eid for (eid, _), e in entries if e.get("entityType") == "PARK"}

    parks: list[CatalogPark] = []
    rides: list[CatalogRide] = []
    for (entity_id, name), entry in entries:
        entity_type = opt_str(entry.get("entityType")) or "UNKNOWN"
        if entity_type == "PARK":
            parks.append(_park_from(entry, entity_id, name, tz))
            continue
        if entity_type in _CONTAINER_TYPES:
            continue
        # parkId is explicit; otherwise a parent that is a listed park, or the park we
        # asked about (entities can hang below lands or other entities).
        parent = opt_str(entry.get("parentId"))
        park_id = opt_str(entry.get("parkId"))
        if park_id is None and parent in park_ids:
            park_id = parent
        if park_id is None and own_is_park:
            park_id = own_id
        if park_id is None:
            park_id = parent
        if park_id is None:
            continue  # an entity we cannot place in any park is of no use to us
        rides.append(
            CatalogRide(
                source=SOURCE,
                upstream_id=entity_id,
                park_upstream_id=park_id,
                name=name,
                category=entity_type,
            )
        )
    return Children(parks=tuple(parks), rides=tuple(rides))


# -- client ----------------------------------------------------------------------------


class ThemeParksWikiClient:
    """The five endpoints we use; every method returns parsed values."""

    def __init__(self, http: HttpClient | None = None, base_url: str = DEFAULT_BASE_URL) -> None:
        self.http = http or HttpClient()
        self.base_url = base_url.rstrip("/")

    def get_raw(self, path: str) -> Any:
        """The decoded body of ``{base_url}/{path}`` (kept public for recording feeds)."""
        return self.http.get_json(f"{self.base_url}/{path.lstrip('/')}")

    @staticmethod
    def _entity_path(entity_id: str, suffix: str = "") -> str:
        # Ids are UUIDs, but quote anyway so a bad id can never reach another endpoint.
        return f"entity/{quote(entity_id, safe='')}{suffix}"

    def destinations(self) -> list[CatalogPark]:
        return parse_destinations(self.get_raw("destinations"))

    def entity(self, entity_id: str) -> CatalogPark | CatalogRide:
        return parse_entity(self.get_raw(self._entity_path(entity_id)))

    def children(self, entity_id: str) -> Children:
        return parse_children(self.get_raw(self._entity_path(entity_id, "/children")))

    def live(self, park_id: str) -> LiveSnapshot:
        raw = self.get_raw(self._entity_path(park_id, "/live"))
        return parse_live(raw, clock.now(), park_upstream_id=park_id)

    def schedule(self, park_id: str) -> ScheduleFetch:
        raw = self.get_raw(self._entity_path(park_id, "/schedule"))
        return parse_schedule(raw, clock.now(), park_upstream_id=park_id)
