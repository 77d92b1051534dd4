"""Reading a ThemeParks.wiki archive tree (spec/REPLAY.md, "ThemeParks.wiki archive").

The archive is a log of changes: one file per destination and local date,
``<destination-uuid>/<yyyy>/<mm>/<dd>.json.gz``, zlib-compressed JSON ``{"events": […]}``,
plus optional ``children-<park-uuid>.json`` files at the root of the tree that say what
type each entity is (the events themselves do not).

Reading is strict about files and lenient about events: a file that is not what the
format promises stops the read with an ``ArchiveFormatError`` naming it (a silently
skipped day would read as a day without changes), while a single event without its
entity, park or time is skipped and counted, as one bad record among thousands.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hallofshame.domain.statuses import RideStatus
from hallofshame.sources._parse import opt_str, parse_instant
from hallofshame.sources.base import LiveSnapshot, PayloadError
from hallofshame.sources.themeparks_wiki import normalise_status, parse_children, standby_wait

DAY_SUFFIX = ".json.gz"
CHILDREN_PREFIX = "children-"
_GZIP_MAGIC = b"\x1f\x8b"


class ArchiveFormatError(ValueError):
    """An archive file (or download) that is not what the format promises."""

    def __init__(self, where: Path | str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ArchiveEvent:
    """One change of one entity's live data, already normalised like a live poll."""

    entity_id: str
    name: str | None
    park_id: str
    timezone: str | None
    event_time: datetime  # aware UTC
    status: RideStatus
    raw_status: str | None
    wait_minutes: int | None  # queue.STANDBY.waitTime
    has_standby: bool  # a STANDBY queue is listed (even with a null wait): a ride's sign


@dataclass(frozen=True, slots=True)
class ParkInfo:
    """What a children file says about a park: the events name neither."""

    name: str | None
    timezone: str | None


@dataclass(frozen=True)
class Archive:
    """Everything read from one or more archive trees.

    ``events`` are in time order (events of the same instant keep their file order);
    ``entity_types`` and ``parks`` come from the children files only.
    """

    events: tuple[ArchiveEvent, ...]
    entity_types: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    parks: Mapping[str, ParkInfo] = field(default_factory=lambda: MappingProxyType({}))
    files: tuple[Path, ...] = ()
    skipped_events: int = 0

    def park_ids(self) -> tuple[str, ...]:
        """Every park with events, in order of its first event."""
        return tuple(dict.fromkeys(e.park_id for e in self.events))

    def events_of(self, park_id: str) -> list[ArchiveEvent]:
        return [e for e in self.events if e.park_id == park_id]

    def polls(
        self,
        park_id: str,
        *,
        interval_s: int,
        known_types: Mapping[str, str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[LiveSnapshot]:
        """``polls_for_park`` for one park of this archive, typed by the REPLAY.md order:
        the children files first, then ``known_types`` (what the caller already knows,
        e.g. its stored catalog), then the standby-queue rule."""
        from hallofshame.sources.archive.polls import polls_for_park

        info = self.parks.get(park_id, ParkInfo(None, None))
        types = {**(known_types or {}), **self.entity_types}
        return polls_for_park(
            self.events_of(park_id),
            interval_s=interval_s,
            park_name=info.name,
            timezone=info.timezone,
            entity_types=types,
            start=start,
            end=end,
        )


def path_date(path: Path) -> date | None:
    """The date a file covers, from ``…/<yyyy>/<mm>/<dd>.json.gz``; None for other paths."""
    parts = path.parts
    if len(parts) < 3 or not parts[-1].endswith(DAY_SUFFIX):
        return None
    year, month, day = parts[-3], parts[-2], parts[-1][: -len(DAY_SUFFIX)]
    if not (year.isdigit() and month.isdigit() and day.isdigit()):
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def decode_day(data: bytes, where: Path | str) -> list[Any]:
    """The ``events`` list of one day file's bytes.

    The archive's files are zlib streams despite their ``.gz`` name; real gzip is
    accepted too (a file recompressed by hand, or served decoded-and-regzipped), told
    apart by its magic bytes rather than by the name that already lies.
    """
    try:
        raw = gzip.decompress(data) if data[:2] == _GZIP_MAGIC else zlib.decompress(data)
    except (zlib.error, OSError, EOFError) as exc:
        raise ArchiveFormatError(where, f"neither zlib nor gzip data ({exc})") from exc
    try:
        body = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveFormatError(where, f"not JSON ({exc})") from exc
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        raise ArchiveFormatError(where, 'not an archive file: no "events" list')
    events: list[Any] = body["events"]
    return events


def parse_event(obj: Any) -> ArchiveEvent | None:
    """One event, or None when it lacks what every event must have."""
    if not isinstance(obj, dict):
        return None
    entity_id = opt_str(obj.get("entityId"))
    park_id = opt_str(obj.get("parkId"))
    event_time = parse_instant(obj.get("eventTime"))
    if entity_id is None or park_id is None or event_time is None:
        return None
    data = obj.get("data")
    if not isinstance(data, dict):
        data = {}
    status, raw_status, _ = normalise_status(data.get("status"))
    queue = data.get("queue")
    return ArchiveEvent(
        entity_id=entity_id,
        name=opt_str(obj.get("name")),
        park_id=park_id,
        timezone=opt_str(obj.get("timezone")),
        event_time=event_time,
        status=status,
        raw_status=raw_status,
        wait_minutes=standby_wait(data),
        has_standby=isinstance(queue, dict) and "STANDBY" in queue,
    )


def read_children(path: Path) -> tuple[dict[str, str], dict[str, ParkInfo]]:
    """Entity types and park names/timezones of one ``/entity/{id}/children`` body.

    Parsed by the live client's own ``parse_children`` so both agree on what a type is.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
        children = parse_children(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveFormatError(path, f"not JSON ({exc})") from exc
    except PayloadError as exc:
        raise ArchiveFormatError(path, exc.message) from exc
    types = {r.upstream_id: r.category for r in children.rides}
    parks = {p.upstream_id: ParkInfo(p.name, p.timezone) for p in children.parks}
    for park_id in parks:
        types[park_id] = "PARK"
    own_id = opt_str(raw.get("id"))
    if own_id is not None and raw.get("entityType") == "PARK":
        parks[own_id] = ParkInfo(opt_str(raw.get("name")), opt_str(raw.get("timezone")))
        types[own_id] = "PARK"
    return types, parks


def _is_children(path: Path) -> bool:
    return path.name.startswith(CHILDREN_PREFIX) and path.suffix == ".json"


def _tree_root(day_file: Path) -> Path | None:
    """``<root>`` of ``<root>/<destination>/<yyyy>/<mm>/<dd>.json.gz``."""
    if path_date(day_file) is None:
        return None
    parents = day_file.resolve().parents
    return parents[3] if len(parents) > 3 else None


def _collect(
    paths: Iterable[str | Path], from_date: date | None, to_date: date | None
) -> tuple[list[Path], list[Path]]:
    day_files: list[Path] = []
    roots: list[Path] = []
    children: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            roots.append(path)
            day_files.extend(p for p in path.rglob("*" + DAY_SUFFIX) if p.is_file())
        elif _is_children(path):
            children.append(path)
        elif path.is_file():
            day_files.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or directory")

    def wanted(p: Path) -> bool:
        day = path_date(p)
        if day is None:
            # Only a file named by hand can be undated (a walk finds dated paths or
            # files the caller put there); it is read, since no date can exclude it.
            return True
        return (from_date is None or day >= from_date) and (to_date is None or day <= to_date)

    selected = sorted({p.resolve(): p for p in day_files if wanted(p)}.values(), key=_order)
    # Children files sit at the root of a tree: of each directory given, and of the
    # tree each day file belongs to (so a single day file still finds its types).
    for root in [*roots, *(r for r in map(_tree_root, selected) if r is not None)]:
        children.extend(p for p in root.glob(CHILDREN_PREFIX + "*.json") if p.is_file())
    unique_children = sorted({p.resolve(): p for p in children}.values())
    return selected, unique_children


def _order(path: Path) -> tuple[date, str]:
    return path_date(path) or date.min, str(path)


def read_archive(
    paths: str | Path | Iterable[str | Path],
    *,
    from_date: date | None = None,
    to_date: date | None = None,
) -> Archive:
    """Read archive trees and/or single files into one ``Archive``.

    ``from_date``/``to_date`` (inclusive) filter by the date in a file's path, which is
    a local date of the destination: an event just after local midnight is in the next
    day's file even though its UTC date may be the previous one.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    day_files, children_files = _collect(paths, from_date, to_date)

    entity_types: dict[str, str] = {}
    parks: dict[str, ParkInfo] = {}
    for path in children_files:
        types, infos = read_children(path)
        entity_types.update(types)
        parks.update(infos)

    events: list[ArchiveEvent] = []
    skipped = 0
    for path in day_files:
        for obj in decode_day(path.read_bytes(), path):
            event = parse_event(obj)
            if event is None:
                skipped += 1
            else:
                events.append(event)
    events.sort(key=lambda e: e.event_time)  # stable: same-instant events keep file order
    return Archive(
        events=tuple(events),
        entity_types=MappingProxyType(entity_types),
        parks=MappingProxyType(parks),
        files=tuple(day_files) + tuple(children_files),
        skipped_events=skipped,
    )
