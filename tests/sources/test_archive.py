"""The ThemeParks.wiki archive as a source: reading, the log-to-polls rule, fetching.

The real example (the copy of shared/data/archive in tests/data/shared) is the reference:
its polls file is what REPLAY.md's rule implies, computed independently of this code.
Hand-built events pin each clause of the rule, and a naive implementation of the rule
(every instant rebuilt from scratch, through ``parse_live``) checks the fast one.
"""

from __future__ import annotations

import bisect
import gzip
import itertools
import json
import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from hallofshame.config import reset_settings
from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.sources.archive import (
    ArchiveEvent,
    ArchiveFormatError,
    archive_base_url,
    fetch_archive,
    polls_for_park,
    read_archive,
)
from hallofshame.sources.archive.reader import parse_event
from hallofshame.sources.base import FetchError, LiveSnapshot
from hallofshame.sources.http import HttpClient
from hallofshame.sources.replay import read_replay, snapshot_from_line
from hallofshame.sources.themeparks_wiki import parse_live

from ._fixtures import SHARED

DATA = SHARED / "data" / "archive"
EXAMPLE = DATA / "dca_2021-08"
EXAMPLE_POLLS = DATA / "dca_2021-08.polls.ndjson.gz"
DLR = "bfc89fd6-314d-44b4-b89e-df1a89cf991e"  # Disneyland Resort (destination)
DCA = "832fcd51-ea19-4e77-85c7-75d5843b127c"  # Disney California Adventure (park)
PARK = "11111111-0000-0000-0000-000000000001"
DEST = "22222222-0000-0000-0000-000000000002"
BASE = datetime(2024, 5, 1, 16, 0, tzinfo=UTC)


# -- helpers ---------------------------------------------------------------------------


def raw_event(
    entity: str,
    at: datetime,
    status: Any = "OPERATING",
    wait: Any = None,
    *,
    standby: bool = True,
    park: str = PARK,
    name: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"status": status, "destinationId": DEST}
    if standby:
        data["queue"] = {"STANDBY": {"waitTime": wait}}
    return {
        "entityId": entity,
        "name": name or f"Ride {entity}",
        "parkId": park,
        "timezone": "America/New_York",
        "eventTime": at.isoformat().replace("+00:00", "Z"),
        "data": data,
    }


def event(entity: str, at: datetime, status: Any = "OPERATING", wait: Any = None, **kw: Any):
    parsed = parse_event(raw_event(entity, at, status, wait, **kw))
    assert parsed is not None
    return parsed


def write_day(
    root: Path,
    day: date,
    events: list[Any],
    *,
    compress: Callable[[bytes], bytes] = zlib.compress,
    body: Any = None,
) -> Path:
    path = root / DEST / f"{day:%Y}" / f"{day:%m}" / f"{day:%d}.json.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(compress(json.dumps(body or {"events": events}).encode()))
    return path


def at(minutes: float) -> datetime:
    return BASE + timedelta(minutes=minutes)


def instants(polls: Iterator[LiveSnapshot] | Sequence[LiveSnapshot]) -> list[datetime]:
    return [p.fetched_at for p in polls]


def reference_polls(
    events: Sequence[ArchiveEvent],
    interval_s: int,
    *,
    types: dict[str, str] | None = None,
    park_name: str | None = None,
    timezone: str | None = None,
) -> list[LiveSnapshot]:
    """REPLAY.md's rule written as plainly as possible: each instant from scratch."""
    evs = sorted(events, key=lambda e: e.event_time)
    types = types or {}
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    step = timedelta(seconds=interval_s)
    first = epoch + -((epoch - evs[0].event_time) // step) * step  # ceil to the grid
    last = epoch + ((evs[-1].event_time - epoch) // step) * step  # floor to the grid
    times = [e.event_time for e in evs]
    polls = []
    instant = first
    while instant <= last:
        past = evs[: bisect.bisect_right(times, instant)]
        if instant - past[-1].event_time < timedelta(hours=1):
            latest: dict[str, ArchiveEvent] = {}
            names: dict[str, str] = {}
            for e in past:
                latest[e.entity_id] = e
                names[e.entity_id] = e.name or names.get(e.entity_id) or e.entity_id
            entries = []
            for entity, e in latest.items():
                entry: dict[str, Any] = {
                    "id": entity,
                    "name": names[entity],
                    "status": e.raw_status,
                    "lastUpdated": e.event_time.isoformat(),
                }
                typed = types.get(entity) or (
                    "ATTRACTION"
                    if any(x.has_standby for x in evs if x.entity_id == entity)
                    else None
                )
                if typed:
                    entry["entityType"] = typed
                if e.has_standby:
                    entry["queue"] = {"STANDBY": {"waitTime": e.wait_minutes}}
                entries.append(entry)
            body = {"id": evs[0].park_id, "name": park_name, "liveData": entries}
            body["timezone"] = timezone or evs[0].timezone
            polls.append(parse_live(body, instant))
        instant += step
    return polls


def readings(snapshot: LiveSnapshot) -> dict[str, tuple[Any, ...]]:
    return {
        r.upstream_id: (r.name, r.category, r.status, r.raw_status, r.wait_minutes)
        for r in snapshot.rides
    }


# -- the real example ------------------------------------------------------------------


def test_real_example_gives_exactly_the_recorded_polls() -> None:
    archive = read_archive(EXAMPLE)
    assert archive.park_ids() == (DCA,)
    ours = list(archive.polls(DCA, interval_s=600))
    expected = [snapshot_from_line(line) for line in read_replay(EXAMPLE_POLLS)]

    assert len(expected) == 222
    assert instants(ours) == instants(expected)
    for mine, theirs in zip(ours, expected, strict=True):
        assert (mine.source, mine.park_upstream_id) == (Source.THEMEPARKS_WIKI, DCA)
        assert (mine.park_name, mine.timezone) == (theirs.park_name, theirs.timezone)
        assert readings(mine) == readings(theirs), mine.fetched_at
        assert mine.unknown_statuses == theirs.unknown_statuses == ()
        # The live feed's lastUpdated is when the entity last changed: its latest event.
        assert all(r.last_updated and r.last_updated <= mine.fetched_at for r in mine.rides)


def test_real_example_has_its_nights_as_gaps_and_real_down_episodes() -> None:
    polls = list(read_archive(EXAMPLE).polls(DCA, interval_s=600))
    steps = {b.fetched_at - a.fetched_at for a, b in itertools.pairwise(polls)}
    assert steps == {timedelta(minutes=10), timedelta(hours=9), timedelta(hours=9, minutes=30)}
    down = {r.upstream_id for p in polls for r in p.rides if r.status is RideStatus.DOWN}
    assert down
    categories = {r.category for r in polls[0].rides}
    assert categories == {"ATTRACTION", "RESTAURANT"}


def test_real_example_equals_the_plain_rule_through_parse_live() -> None:
    archive = read_archive(EXAMPLE)
    fast = list(archive.polls(DCA, interval_s=600))
    info = archive.parks[DCA]
    plain = reference_polls(
        archive.events_of(DCA),
        600,
        types=dict(archive.entity_types),
        park_name=info.name,
        timezone=info.timezone,
    )
    assert fast == plain  # every field, lastUpdated and ride order included


# -- reading ---------------------------------------------------------------------------


def test_reading_the_example_tree() -> None:
    archive = read_archive(EXAMPLE)
    assert len(archive.events) == 254 + 244 + 248
    assert archive.skipped_events == 0
    assert [e.event_time for e in archive.events] == sorted(e.event_time for e in archive.events)
    first = archive.events[0]
    assert first == ArchiveEvent(
        entity_id="2295351d-ce6b-4c04-92d5-5b416372c5b5",
        name="WEB SLINGERS: A Spider-Man Adventure",
        park_id=DCA,
        timezone="America/Los_Angeles",
        event_time=datetime(2021, 8, 18, 20, 26, 13, tzinfo=UTC),
        status=RideStatus.OPERATING,
        raw_status="OPERATING",
        wait_minutes=None,
        has_standby=True,
    )
    assert archive.parks[DCA].name == "Disney California Adventure Park"
    assert archive.parks[DCA].timezone == "America/Los_Angeles"
    assert archive.entity_types[DCA] == "PARK"
    assert sorted(set(archive.entity_types.values())) == ["ATTRACTION", "PARK", "RESTAURANT"]
    assert len(archive.files) == 4


def test_date_filter_uses_the_local_date_of_the_path() -> None:
    only_19 = read_archive([EXAMPLE], from_date=date(2021, 8, 19), to_date=date(2021, 8, 19))
    assert len(only_19.events) == 244
    # 19.json.gz runs to local midnight: its last event is on the 20th in UTC.
    assert only_19.events[-1].event_time.date() == date(2021, 8, 20)
    assert len(read_archive(EXAMPLE, from_date=date(2021, 8, 20)).events) == 248
    assert len(read_archive(EXAMPLE, to_date=date(2021, 8, 18)).events) == 254
    assert read_archive(EXAMPLE, from_date=date(2022, 1, 1)).events == ()


def test_a_single_day_file_still_finds_the_children_of_its_tree() -> None:
    day = EXAMPLE / DLR / "2021" / "08" / "19.json.gz"
    archive = read_archive(day)
    assert len(archive.events) == 244
    assert archive.parks[DCA].name == "Disney California Adventure Park"
    assert archive.entity_types[DCA] == "PARK"


def test_zlib_and_gzip_files_read_alike(tmp_path: Path) -> None:
    events = [raw_event("a", at(0), wait=10), raw_event("b", at(1), "DOWN")]
    write_day(tmp_path / "z", date(2024, 5, 1), events, compress=zlib.compress)
    write_day(tmp_path / "g", date(2024, 5, 1), events, compress=gzip.compress)
    from_zlib = read_archive(tmp_path / "z").events
    assert len(from_zlib) == 2
    assert read_archive(tmp_path / "g").events == from_zlib


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"plain text, not compressed", "neither zlib nor gzip"),
        # mtime pinned: gzip stamps the current second into its header, and the test's id
        # must be the same in every xdist process that collects it.
        (gzip.compress(b"x", mtime=0)[:12], "neither zlib nor gzip"),
        (zlib.compress(b"{not json"), "not JSON"),
        (zlib.compress(b'{"events": {"a": 1}}'), 'no "events" list'),
        (zlib.compress(b"[1, 2]"), 'no "events" list'),
    ],
    ids=["plain text", "truncated gzip", "not JSON", "events not a list", "a bare list"],
)
def test_a_malformed_file_is_an_error_naming_it(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    write_day(tmp_path, date(2024, 5, 1), [raw_event("a", at(0))])
    bad = tmp_path / DEST / "2024" / "05" / "02.json.gz"
    bad.write_bytes(content)
    with pytest.raises(ArchiveFormatError, match=problem) as info:
        read_archive(tmp_path)
    assert str(bad) in str(info.value)


def test_a_malformed_children_file_is_an_error_naming_it(tmp_path: Path) -> None:
    write_day(tmp_path, date(2024, 5, 1), [raw_event("a", at(0))])
    children = tmp_path / f"children-{PARK}.json"
    children.write_text('{"id": "x"}')
    with pytest.raises(ArchiveFormatError, match="malformed children body") as info:
        read_archive(tmp_path)
    assert str(children) in str(info.value)


def test_malformed_events_are_skipped_and_counted(tmp_path: Path) -> None:
    good = raw_event("a", at(0))
    broken = [
        {k: v for k, v in good.items() if k != "entityId"},
        {k: v for k, v in good.items() if k != "eventTime"},
        {k: v for k, v in good.items() if k != "parkId"},
        {**good, "eventTime": "yesterday-ish"},
        {**good, "entityId": 42},
        "not an event",
    ]
    write_day(tmp_path, date(2024, 5, 1), [*broken, good, {**good, "data": None}])
    archive = read_archive(tmp_path)
    assert archive.skipped_events == len(broken)
    assert len(archive.events) == 2
    assert archive.events[1].status is RideStatus.UNKNOWN  # no data: no status, no queue
    assert not archive.events[1].has_standby


def test_events_are_normalised_like_a_live_poll() -> None:
    weird = event("a", at(0), "WEIRD", 5)
    assert (weird.status, weird.raw_status) == (RideStatus.UNKNOWN, "WEIRD")
    missing = event("a", at(0), None)
    assert (missing.status, missing.raw_status) == (RideStatus.UNKNOWN, None)
    assert event("a", at(0), "DOWN", -3).wait_minutes is None  # nonsense wait: unknown
    assert event("a", at(0), "OPERATING", 12.4).wait_minutes == 12
    null_wait = event("a", at(0), "CLOSED", None)
    assert null_wait.has_standby and null_wait.wait_minutes is None
    assert not event("a", at(0), standby=False).has_standby
    offset = parse_event({**raw_event("a", at(0)), "eventTime": "2024-05-01T12:00:00-04:00"})
    assert offset is not None and offset.event_time == BASE


def test_a_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_archive(tmp_path / "nope")


# -- the rule --------------------------------------------------------------------------


def test_first_instant_at_or_after_the_first_event_last_at_or_before_the_last() -> None:
    events = [event("a", at(0.5)), event("a", at(29.9), "DOWN")]
    assert instants(polls_for_park(events, interval_s=600)) == [at(10), at(20)]
    on_grid = [event("a", at(0)), event("a", at(30), "DOWN")]
    polls = list(polls_for_park(on_grid, interval_s=600))
    assert instants(polls) == [at(0), at(10), at(20), at(30)]
    assert [p.rides[0].status for p in polls][-2:] == [RideStatus.OPERATING, RideStatus.DOWN]


def test_instants_are_multiples_of_the_interval_since_the_epoch() -> None:
    events = [event("a", datetime(2024, 5, 1, 16, 3, 7, tzinfo=UTC)), event("a", at(20))]
    polls = list(polls_for_park(events, interval_s=420))
    assert polls and all(p.fetched_at.timestamp() % 420 == 0 for p in polls)
    assert polls[0].fetched_at - timedelta(seconds=420) < events[0].event_time


@pytest.mark.parametrize(
    ("quiet_since", "is_gap"),
    [
        (at(1), False),  # 59 minutes quiet at 17:00
        (at(0) + timedelta(microseconds=1), False),  # a hair under an hour
        (at(0), True),  # exactly an hour: a gap
        (at(-0.5), True),
    ],
)
def test_an_hour_of_silence_is_a_gap(quiet_since: datetime, is_gap: bool) -> None:
    events = [event("a", at(-10)), event("b", quiet_since), event("a", at(65), "DOWN")]
    got = instants(polls_for_park(events, interval_s=300))
    assert (at(60) not in got) is is_gap
    assert at(55) in got and at(65) in got


def test_a_gap_ends_at_the_next_event_and_the_state_carries_over() -> None:
    events = [
        event("a", at(0), "OPERATING", 20),
        event("b", at(5), "DOWN"),
        event("a", at(600), "CLOSED"),  # ten hours later: the next morning, say
    ]
    polls = list(polls_for_park(events, interval_s=600))
    # Quiet from b's event at :05, so 17:00 (55 minutes) is a cycle and 17:10 is not.
    assert instants(polls) == [at(m) for m in (0, 10, 20, 30, 40, 50, 60, 600)]
    assert readings(polls[-1])["b"][2] is RideStatus.DOWN  # seen before the gap: still there
    assert readings(polls[-1])["a"][2:] == (RideStatus.CLOSED, "CLOSED", None)
    assert readings(polls[3])["a"][2:] == (RideStatus.OPERATING, "OPERATING", 20)


def test_any_entity_keeps_the_park_out_of_a_gap() -> None:
    events = [event("quiet", at(0), "DOWN")]
    events += [event("busy", at(m), "OPERATING", m % 7) for m in range(0, 181, 30)]
    polls = list(polls_for_park(events, interval_s=600))
    assert instants(polls) == [at(m) for m in range(0, 181, 10)]
    assert all(readings(p)["quiet"][2] is RideStatus.DOWN for p in polls)


def test_an_entity_appearing_later_joins_from_its_first_event() -> None:
    events = [event("a", at(0)), event("late", at(25), "DOWN"), event("a", at(40))]
    polls = list(polls_for_park(events, interval_s=600))
    assert [sorted(readings(p)) for p in polls] == [
        ["a"],
        ["a"],
        ["a"],
        ["a", "late"],
        ["a", "late"],
    ]


def test_the_latest_event_at_or_before_the_instant_counts() -> None:
    events = [event("a", at(0)), event("a", at(10), "DOWN"), event("a", at(10.01), "CLOSED")]
    events.append(event("a", at(20), "OPERATING"))
    statuses = [p.rides[0].status for p in polls_for_park(events, interval_s=600)]
    assert statuses == [RideStatus.OPERATING, RideStatus.DOWN, RideStatus.OPERATING]


def test_typing_children_then_known_then_standby() -> None:
    events = [
        event("typed", at(0), standby=False),
        event("catalog", at(0), standby=False),
        event("queue", at(0), standby=False),
        event("queue", at(5), standby=True),  # one event with a queue is enough
        event("untyped", at(0), standby=False),
        event("diner", at(0), standby=True),
    ]
    polls = list(
        polls_for_park(
            events,
            interval_s=600,
            entity_types={"typed": "SHOW", "catalog": "ATTRACTION", "diner": "RESTAURANT"},
        )
    )
    # Decided over all events: "queue" is a ride from the first cycle on.
    categories = {r.upstream_id: r.category for r in polls[0].rides}
    assert categories == {
        "typed": "SHOW",
        "catalog": "ATTRACTION",
        "queue": "ATTRACTION",
        "untyped": "UNKNOWN",  # what the live parser calls an entity without a type
        "diner": "RESTAURANT",
    }


def test_children_types_win_over_known_types(tmp_path: Path) -> None:
    write_day(tmp_path, date(2024, 5, 1), [raw_event("a", at(0)), raw_event("b", at(0))])
    children = {
        "id": PARK,
        "name": "Test Park",
        "entityType": "PARK",
        "timezone": "America/New_York",
        "children": [{"id": "a", "name": "A show", "entityType": "SHOW", "parentId": PARK}],
    }
    (tmp_path / f"children-{PARK}.json").write_text(json.dumps(children))
    archive = read_archive(tmp_path)
    poll = next(archive.polls(PARK, interval_s=600, known_types={"a": "ATTRACTION", "b": "SHOW"}))
    assert {r.upstream_id: r.category for r in poll.rides} == {"a": "SHOW", "b": "SHOW"}
    assert (poll.park_name, poll.timezone) == ("Test Park", "America/New_York")


def test_the_park_entity_counts_for_gaps_but_is_not_a_ride() -> None:
    events = [event("a", at(0)), event(PARK, at(50), "OPERATING", standby=False)]
    events.append(event("a", at(110), "DOWN"))
    polls = list(polls_for_park(events, interval_s=600, entity_types={PARK: "PARK"}))
    assert instants(polls) == [at(m) for m in range(0, 111, 10)]
    assert all(set(readings(p)) == {"a"} for p in polls)


def test_unknown_statuses_are_reported_like_a_live_poll() -> None:
    events = [event("a", at(0), "WEIRD"), event("b", at(0), "ODD"), event("c", at(0), "WEIRD")]
    poll = next(polls_for_park(events, interval_s=600))
    assert poll.unknown_statuses == ("WEIRD", "ODD")
    assert [r.status for r in poll.rides] == [RideStatus.UNKNOWN] * 3


def test_a_name_missing_from_an_event_keeps_the_earlier_one() -> None:
    unnamed = parse_event({**raw_event("a", at(10), "DOWN"), "name": ""})
    nameless = parse_event({**raw_event("b", at(10)), "name": None})
    assert unnamed is not None and nameless is not None
    polls = list(
        polls_for_park([event("a", at(0), name="Big Coaster"), unnamed, nameless], interval_s=600)
    )
    assert readings(polls[-1])["a"][:3] == ("Big Coaster", "ATTRACTION", RideStatus.DOWN)
    assert readings(polls[-1])["b"][0] == "b"  # never named: its id stands in


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, datetime(2021, 8, 19, 12, tzinfo=UTC)),
        (datetime(2021, 8, 19, 12, tzinfo=UTC), None),  # inside the night's gap
        (datetime(2021, 8, 19, 17, 5, tzinfo=UTC), datetime(2021, 8, 20, 17, 0, tzinfo=UTC)),
        (datetime(2021, 8, 1, tzinfo=UTC), datetime(2021, 9, 1, tzinfo=UTC)),
        (datetime(2021, 8, 20, 0, 0, tzinfo=UTC), datetime(2021, 8, 20, 0, 0, tzinfo=UTC)),
    ],
)
def test_a_sub_range_is_the_same_slice_of_the_full_generation(
    start: datetime | None, end: datetime | None
) -> None:
    archive = read_archive(EXAMPLE)
    full = list(archive.polls(DCA, interval_s=600))
    part = list(archive.polls(DCA, interval_s=600, start=start, end=end))
    low = start or datetime.min.replace(tzinfo=UTC)
    high = end or datetime.max.replace(tzinfo=UTC)
    assert part == [p for p in full if low <= p.fetched_at < high]


def test_daily_chunks_add_up_to_the_whole() -> None:
    archive = read_archive(EXAMPLE)
    full = list(archive.polls(DCA, interval_s=600))
    chunks = []
    day = datetime(2021, 8, 18, tzinfo=UTC)
    while day < datetime(2021, 8, 22, tzinfo=UTC):
        nxt = day + timedelta(days=1)
        chunks += list(archive.polls(DCA, interval_s=600, start=day, end=nxt))
        day = nxt
    assert chunks == full


def test_bad_arguments() -> None:
    events = [event("a", at(0)), event("b", at(10), park="elsewhere")]
    with pytest.raises(ValueError, match="several parks"):
        list(polls_for_park(events, interval_s=600))
    with pytest.raises(ValueError, match="positive"):
        list(polls_for_park(events[:1], interval_s=0))
    with pytest.raises(ValueError, match="naive"):
        list(polls_for_park(events[:1], interval_s=600, start=datetime(2024, 5, 1)))
    assert list(polls_for_park([], interval_s=600)) == []


_STATUSES = st.sampled_from(["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", "WEIRD", None])


@st.composite
def event_logs(draw: st.DrawFn) -> list[ArchiveEvent]:
    count = draw(st.integers(min_value=1, max_value=40))
    logs = []
    for _ in range(count):
        logs.append(
            event(
                draw(st.sampled_from(["a", "b", "c", "d"])),
                BASE + timedelta(seconds=draw(st.integers(0, 8 * 3600))),
                draw(_STATUSES),
                draw(st.sampled_from([None, 0, 5, 45, -1])),
                standby=draw(st.booleans()),
            )
        )
    return logs


@settings(max_examples=60, deadline=None)
@given(
    logs=event_logs(),
    interval_s=st.sampled_from([60, 300, 600, 900]),
    cut=st.integers(0, 9 * 3600),
    width=st.integers(0, 4 * 3600),
)
def test_the_fast_walk_equals_the_plain_rule(
    logs: list[ArchiveEvent], interval_s: int, cut: int, width: int
) -> None:
    types = {"d": "SHOW"}
    full = list(polls_for_park(logs, interval_s=interval_s, entity_types=types))
    assert full == reference_polls(logs, interval_s, types=types)
    start = BASE + timedelta(seconds=cut)
    end = start + timedelta(seconds=width)
    part = list(
        polls_for_park(logs, interval_s=interval_s, entity_types=types, start=start, end=end)
    )
    assert part == [p for p in full if start <= p.fetched_at < end]


def test_a_park_month_of_five_minute_cycles_is_one_walk() -> None:
    """60 entities changing every 30 minutes, day and night, for 30 days: a poll every
    five minutes with every entity in it, no gaps. (How fast the walk is belongs to
    bench/archive_import.py, which times a park-year through the same code.)"""
    start = datetime(2023, 1, 1, 14, tzinfo=UTC)
    events = [
        ArchiveEvent(
            entity_id=f"ride-{entity}",
            name=f"Ride {entity}",
            park_id=PARK,
            timezone="America/New_York",
            event_time=start + timedelta(minutes=minute, seconds=entity * 7),
            status=RideStatus.DOWN if (minute + entity) % 11 == 0 else RideStatus.OPERATING,
            raw_status="DOWN" if (minute + entity) % 11 == 0 else "OPERATING",
            wait_minutes=(entity + minute) % 60,
            has_standby=True,
        )
        for minute in range(0, 30 * 24 * 60, 30)
        for entity in range(60)
    ]
    polls = list(polls_for_park(events, interval_s=300))
    last = events[-1].event_time.replace(second=0)
    last -= timedelta(minutes=last.minute % 5)
    assert len(polls) == (last - start) // timedelta(minutes=5) + 1
    assert all(len(p.rides) == 60 for p in polls[2:])
    steps = {b.fetched_at - a.fetched_at for a, b in itertools.pairwise(polls)}
    assert steps == {timedelta(minutes=5)}


# -- fetching --------------------------------------------------------------------------


class ArchiveServer:
    """Serves a directory the way the archive's bucket does: GET and HEAD, 404 else."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.fail_with: int | None = None

    def __call__(self, request: Request) -> Response:
        if self.fail_with is not None:
            return Response("trouble", status=self.fail_with)
        path = (self.root / request.path.lstrip("/")).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            return Response("<Error><Code>NoSuchKey</Code></Error>", status=404)
        return Response(path.read_bytes(), content_type="application/octet-stream")


@pytest.fixture
def archive_server(httpserver: HTTPServer) -> ArchiveServer:
    served = ArchiveServer(EXAMPLE)
    httpserver.expect_request(re.compile(".*")).respond_with_handler(served)
    return served


@pytest.fixture
def http() -> Iterator[HttpClient]:
    client = HttpClient(user_agent="tests", max_attempts=2, sleep=lambda s: None)
    yield client
    client.close()


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_fetch_mirrors_a_date_range_and_skips_404_days(
    archive_server: ArchiveServer, httpserver: HTTPServer, http: HttpClient, tmp_path: Path
) -> None:
    report = fetch_archive(
        httpserver.url_for("/"),
        DLR,
        date(2021, 8, 17),
        date(2021, 8, 20),
        tmp_path,
        park_ids=[DCA],
        client=http,
    )
    days = [f"{DLR}/2021/08/{d}.json.gz" for d in (17, 18, 19, 20)]
    assert report.downloaded == (*days[1:], f"children-{DCA}.json")
    assert report.missing == (days[0],)
    assert report.unchanged == ()
    assert _files(tmp_path) == _files(EXAMPLE)
    assert read_archive(tmp_path).events == read_archive(EXAMPLE).events


def test_a_second_fetch_downloads_nothing(
    archive_server: ArchiveServer, httpserver: HTTPServer, http: HttpClient, tmp_path: Path
) -> None:
    args = (httpserver.url_for("/"), DLR, date(2021, 8, 17), date(2021, 8, 20), tmp_path)
    fetch_archive(*args, park_ids=[DCA], client=http)
    httpserver.clear_log()
    again = fetch_archive(*args, park_ids=[DCA], client=http)
    assert again.downloaded == ()
    assert len(again.unchanged) == 4 and len(again.missing) == 1
    # Present files are only asked for their size; the absent day is asked for again.
    sent = sorted((r.method, r.path) for r, _ in httpserver.log)
    assert [m for m, _ in sent].count("GET") == 1
    assert ("GET", f"/{DLR}/2021/08/17.json.gz") in sent
    assert _files(tmp_path) == _files(EXAMPLE)


def test_a_file_of_another_size_is_downloaded_again(
    archive_server: ArchiveServer, httpserver: HTTPServer, http: HttpClient, tmp_path: Path
) -> None:
    # The current day's file grows during the day: a shorter local copy is refreshed.
    partial = tmp_path / DLR / "2021" / "08" / "19.json.gz"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"old")
    report = fetch_archive(
        httpserver.url_for("/"), DLR, date(2021, 8, 19), date(2021, 8, 19), tmp_path, client=http
    )
    assert report.downloaded == (f"{DLR}/2021/08/19.json.gz",)
    assert partial.read_bytes() == (EXAMPLE / DLR / "2021" / "08" / "19.json.gz").read_bytes()
    assert not list(partial.parent.glob(".*part"))


def test_a_failing_server_is_an_error_naming_the_url(
    archive_server: ArchiveServer, httpserver: HTTPServer, http: HttpClient, tmp_path: Path
) -> None:
    archive_server.fail_with = 503
    with pytest.raises(FetchError, match=r"18\.json\.gz: http 503") as info:
        fetch_archive(
            httpserver.url_for("/"),
            DLR,
            date(2021, 8, 18),
            date(2021, 8, 19),
            tmp_path,
            client=http,
        )
    assert info.value.status == 503
    assert len(httpserver.log) == 2  # the client's two attempts, then it gave up
    assert _files(tmp_path) == {}


def test_a_body_that_is_not_an_archive_file_is_not_kept(
    httpserver: HTTPServer, http: HttpClient, tmp_path: Path
) -> None:
    httpserver.expect_request(re.compile(".*")).respond_with_data("<html>maintenance</html>")
    with pytest.raises(ArchiveFormatError, match=r"18\.json\.gz: neither zlib nor gzip"):
        fetch_archive(
            httpserver.url_for("/"),
            DLR,
            date(2021, 8, 18),
            date(2021, 8, 18),
            tmp_path,
            client=http,
        )
    assert _files(tmp_path) == {}


def test_fetch_refuses_a_reversed_range(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="after"):
        fetch_archive("http://127.0.0.1:9", DLR, date(2021, 8, 2), date(2021, 8, 1), tmp_path)


def test_the_archive_url_has_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOS_ARCHIVE_URL", raising=False)
    reset_settings()
    try:
        with pytest.raises(ValueError, match="HOS_ARCHIVE_URL"):
            archive_base_url()
        assert archive_base_url("http://mirror.example/archive/") == "http://mirror.example/archive"
        monkeypatch.setenv("HOS_ARCHIVE_URL", "http://setting.example/a/")
        reset_settings()
        assert archive_base_url() == "http://setting.example/a"
        assert archive_base_url("http://given.example") == "http://given.example"
    finally:
        monkeypatch.undo()
        reset_settings()
