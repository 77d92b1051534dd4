"""The rule that turns a log of changes into polls (spec/REPLAY.md, "ThemeParks.wiki archive").

For one park, over all of its events: a cycle at every multiple of ``interval_s`` seconds
since the Unix epoch, from the first such instant at or after the park's first event to
the last at or before its last event, except instants whose latest park event (of any
entity) is an hour or more old: a log that falls quiet may have stopped, so that time is
a gap, not a stretch of unchanged statuses. At a cycle every entity seen so far has the
status and standby wait of its latest event at or before the instant.

Each cycle comes out as the ``LiveSnapshot`` the live parser makes of the
``/entity/{park}/live`` body that the state at the instant describes: every entity's
reading is produced by ``themeparks_wiki.parse_live`` itself, so an archive and a live
collection of the same day cannot disagree about statuses, types or waits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hallofshame.domain.statuses import ATTRACTION
from hallofshame.sources.archive.reader import ArchiveEvent
from hallofshame.sources.base import LiveSnapshot, RideReading
from hallofshame.sources.themeparks_wiki import SOURCE, parse_live

#: A park whose latest event is this old (or older) at an instant has a gap there.
GAP = timedelta(hours=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_GAP_US = GAP // _US


def _micros(at: datetime) -> int:
    """Exact integer microseconds since the epoch: grid arithmetic without float error."""
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at!r}: archive instants are aware UTC")
    return (at - _EPOCH) // _US


def _ceil(value: int, step: int) -> int:
    return -(-value // step) * step


def resolve_entity_types(
    events: Iterable[ArchiveEvent], known: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """Each entity's type: ``known`` first (children file, then the caller's catalog),
    else ``ATTRACTION`` when any of its events lists a standby queue, else None (the live
    parser then calls it ``UNKNOWN``: stored, never counted as a ride).

    Decided over all events before any cycle, so an entity's type never changes between
    the cycles of one archive.
    """
    known = known or {}
    types: dict[str, str | None] = {}
    for event in events:
        current = types.get(event.entity_id)
        if current is None:
            fallback = ATTRACTION if event.has_standby else None
            types[event.entity_id] = known.get(event.entity_id) or current or fallback
    return types


def live_entry(event: ArchiveEvent, *, name: str, entity_type: str | None) -> dict[str, Any]:
    """One ``liveData`` entry of a live body, as the entity's latest event describes it."""
    entry: dict[str, Any] = {
        "id": event.entity_id,
        "name": name,
        "parkId": event.park_id,
        "status": event.raw_status,
        "lastUpdated": event.event_time.isoformat(),
    }
    if entity_type is not None:
        entry["entityType"] = entity_type
    if event.has_standby:
        entry["queue"] = {"STANDBY": {"waitTime": event.wait_minutes}}
    return entry


class _Reading:
    """An entity's reading from its latest event, parsed once per event (not per cycle)."""

    __slots__ = ("reading", "unknown")

    def __init__(self, entry: dict[str, Any], park_id: str, at: datetime) -> None:
        snap = parse_live({"id": park_id, "liveData": [entry]}, at)
        self.reading: RideReading | None = snap.rides[0] if snap.rides else None
        self.unknown: str | None = snap.unknown_statuses[0] if snap.unknown_statuses else None


def polls_for_park(
    events: Iterable[ArchiveEvent],
    *,
    interval_s: int,
    park_name: str | None = None,
    timezone: str | None = None,
    entity_types: Mapping[str, str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[LiveSnapshot]:
    """The polls that ALL of one park's ``events`` imply, in time order.

    ``entity_types`` holds the types already decided (children file over the caller's
    catalog); the standby-queue rule types the rest. ``timezone`` defaults to the
    events' own. ``start``/``end`` (aware; ``start`` inclusive, ``end`` exclusive, so
    consecutive ranges never share a cycle) select a slice of the polls; the state at
    ``start`` still comes from every earlier event, so a slice equals the same slice of
    the full generation.

    Events are walked once in time order and each entity's reading is parsed once per
    event; between changes a cycle reuses the previous tuple of readings.
    """
    if interval_s <= 0:
        raise ValueError(f"interval_s must be positive, not {interval_s}")
    ordered = sorted(events, key=lambda e: e.event_time)  # stable: ties keep given order
    if not ordered:
        return
    park_id = ordered[0].park_id
    strays = {e.park_id for e in ordered if e.park_id != park_id}
    if strays:
        raise ValueError(f"events of several parks given: {park_id}, {', '.join(sorted(strays))}")
    types = resolve_entity_types(ordered, entity_types)
    zone = timezone or next((e.timezone for e in ordered if e.timezone), None)

    step = interval_s * 1_000_000
    times = [_micros(e.event_time) for e in ordered]
    t = _ceil(times[0], step)
    last = times[-1] // step * step
    if start is not None:
        t = max(t, _ceil(_micros(start), step))
    if end is not None:
        last = min(last, _ceil(_micros(end), step) - step)

    names: dict[str, str] = {}
    current: dict[str, _Reading] = {}  # insertion order: the order entities were first seen
    rides: tuple[RideReading, ...] = ()
    unknown: tuple[str, ...] = ()
    changed = True
    i, n = 0, len(ordered)
    while t <= last:
        while i < n and times[i] <= t:
            event = ordered[i]
            name = event.name or names.get(event.entity_id) or event.entity_id
            names[event.entity_id] = name
            entry = live_entry(event, name=name, entity_type=types[event.entity_id])
            current[event.entity_id] = _Reading(entry, park_id, event.event_time)
            changed = True
            i += 1
        if t - times[i - 1] >= _GAP_US:
            if i == n:
                break
            # Quiet until the next event: jump to the first instant that can be a cycle.
            t = max(t + step, _ceil(times[i], step))
            continue
        if changed:
            rides = tuple(r.reading for r in current.values() if r.reading is not None)
            unknown = tuple(dict.fromkeys(r.unknown for r in current.values() if r.unknown))
            changed = False
        yield LiveSnapshot(
            source=SOURCE,
            park_upstream_id=park_id,
            fetched_at=_EPOCH + timedelta(microseconds=t),
            rides=rides,
            park_name=park_name or None,
            timezone=zone,
            unknown_statuses=unknown,
        )
        t += step
