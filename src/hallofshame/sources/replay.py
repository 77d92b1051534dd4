"""Recorded feeds (spec/REPLAY.md): read NDJSON lines and turn them into source values.

Each line goes through the very parsers live collection uses, with ``fetched_at`` set
to the line's ``ts``, so a replay and a live run cannot disagree about a payload.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar, overload

from hallofshame.domain.statuses import Source
from hallofshame.sources import open_meteo, queue_times, themeparks_wiki
from hallofshame.sources._parse import sample_of
from hallofshame.sources.base import (
    CatalogPark,
    FetchError,
    LiveSnapshot,
    PayloadError,
    ScheduleFetch,
    WeatherFetch,
)

T = TypeVar("T")

KINDS = frozenset({"live", "schedule", "children", "entity", "destinations", "parks", "weather"})


class ReplayFormatError(ValueError):
    """A line of a recorded feed that is not in the REPLAY.md format."""

    def __init__(self, path: Path, line_no: int, problem: str) -> None:
        super().__init__(f"{path}:{line_no}: {problem}")
        self.path = path
        self.line_no = line_no
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ReplayLine:
    ts: datetime  # aware UTC: the instant the response was fetched
    source: Source
    park_id: str | None
    kind: str
    http_status: int | None
    raw: Any
    line_no: int


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open("r", encoding="utf-8")


def _parse_ts(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        ts = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(UTC)


def parse_line(text: str, *, path: Path, line_no: int) -> ReplayLine:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReplayFormatError(path, line_no, f"not JSON ({exc.msg})") from exc
    if not isinstance(obj, dict):
        raise ReplayFormatError(path, line_no, "not a JSON object")
    return parse_line_dict(obj, path=path, line_no=line_no)


def parse_line_dict(obj: dict[str, Any], *, line_no: int, path: Path | None = None) -> ReplayLine:
    """A line already decoded (e.g. straight from the simulator) → ReplayLine."""
    path = path or Path("<memory>")
    ts = _parse_ts(obj.get("ts"))
    if ts is None:
        raise ReplayFormatError(path, line_no, "missing or unreadable 'ts'")
    try:
        source = Source(str(obj.get("source")))
    except ValueError as exc:
        raise ReplayFormatError(
            path, line_no, f"missing or unknown 'source': {obj.get('source')!r}"
        ) from exc
    kind = obj.get("kind") or "live"
    if kind not in KINDS:
        raise ReplayFormatError(path, line_no, f"unknown 'kind': {kind!r}")
    status = obj.get("http_status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int)):
        raise ReplayFormatError(path, line_no, f"'http_status' is not an integer: {status!r}")
    park_id = obj.get("park_id")
    return ReplayLine(
        ts=ts,
        source=source,
        # Queue-Times ids are JSON integers; every upstream id is text to us.
        park_id=None if park_id is None else str(park_id),
        kind=kind,
        http_status=status,
        raw=obj.get("raw"),
        line_no=line_no,
    )


@overload
def read_replay(path: str | Path) -> Iterator[ReplayLine]: ...


@overload
def read_replay(path: str | Path, *, errors: bool) -> Iterator[ReplayLine | ReplayFormatError]: ...


def read_replay(
    path: str | Path, *, errors: bool = False
) -> Iterator[ReplayLine] | Iterator[ReplayLine | ReplayFormatError]:
    """Every line of an ``.ndjson`` / ``.ndjson.gz`` feed, in file order (blank lines
    skipped). A malformed line raises ``ReplayFormatError``, or with ``errors`` is yielded
    as one in its place, so a caller can record it and go on."""
    return _lines(Path(path), errors)


def _lines(path: Path, errors: bool) -> Iterator[ReplayLine | ReplayFormatError]:
    with _open(path) as handle:
        for line_no, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                yield parse_line(text, path=path, line_no=line_no)
            except ReplayFormatError as error:
                if not errors:
                    raise
                yield error


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive runs of at most ``size`` items."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _check_status(line: ReplayLine) -> None:
    """A recorded non-200 answer is a failed poll, whatever its body says."""
    if line.http_status is not None and line.http_status != 200:
        raise FetchError(f"http {line.http_status}", sample=sample_of(line.raw))


def _expect_kind(line: ReplayLine, *kinds: str) -> None:
    if line.kind not in kinds:
        raise ValueError(f"line {line.line_no} is a {line.kind!r} line, not {'/'.join(kinds)}")


def snapshot_from_line(line: ReplayLine) -> LiveSnapshot:
    _expect_kind(line, "live")
    _check_status(line)
    if line.source is Source.QUEUE_TIMES:
        if line.park_id is None:
            raise PayloadError("queue-times live line without park_id", sample=sample_of(line.raw))
        return queue_times.parse_live(line.raw, line.ts, line.park_id)
    return themeparks_wiki.parse_live(line.raw, line.ts, park_upstream_id=line.park_id)


def schedule_from_line(line: ReplayLine) -> ScheduleFetch:
    _expect_kind(line, "schedule")
    _check_status(line)
    if line.source is not Source.THEMEPARKS_WIKI:
        raise ValueError(f"line {line.line_no}: only themeparks.wiki publishes schedules")
    return themeparks_wiki.parse_schedule(line.raw, line.ts, park_upstream_id=line.park_id)


def parks_from_line(line: ReplayLine) -> list[CatalogPark]:
    """A Queue-Times ``parks`` line or a ThemeParks.wiki ``destinations`` line."""
    _expect_kind(line, "parks", "destinations")
    _check_status(line)
    if line.source is Source.QUEUE_TIMES:
        return queue_times.parse_parks(line.raw)
    return themeparks_wiki.parse_destinations(line.raw)


def weather_from_line(line: ReplayLine) -> WeatherFetch:
    _expect_kind(line, "weather")
    _check_status(line)
    return open_meteo.parse_forecast(line.raw, line.ts)
