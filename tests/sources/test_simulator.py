"""The simulated feeds: deterministic, realistic, and parseable by the real parsers."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hallofshame.catalog import BundledPark, bundled_parks, bundled_rides
from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.sources import open_meteo, queue_times, replay, themeparks_wiki
from hallofshame.sources.base import StaleFeedError
from hallofshame.sources.simulator import Simulator, feed_of, wiki_park_id, wiki_ride_id

PARKS = {p.queue_times_id: p for p in bundled_parks()}
MAGIC_KINGDOM = PARKS[6]
DISNEYLAND = PARKS[16]
HOLLYWOOD = PARKS[66]
CEDAR_POINT = PARKS[50]
WIKI_PARKS = [p for p in bundled_parks() if feed_of(p) is Source.THEMEPARKS_WIKI]
QT_PARKS = [p for p in bundled_parks() if feed_of(p) is Source.QUEUE_TIMES]
SUMMER_NOON = datetime(2026, 7, 14, 17, 0, 2, tzinfo=UTC)  # 13:00 in Orlando
ISO_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def _catalog_count(park: BundledPark) -> int:
    return sum(1 for r in bundled_rides() if r.park_queue_times_id == park.queue_times_id)


def _wiki_snapshot(sim: Simulator, park: BundledPark, t: datetime) -> themeparks_wiki.LiveSnapshot:
    return themeparks_wiki.parse_live(sim.live_payload(park, t), t)


def test_feeds_and_ids() -> None:
    assert len(WIKI_PARKS) == 11 and len(QT_PARKS) == 37
    assert all(p.is_disney or p.is_universal for p in WIKI_PARKS)
    assert uuid.UUID(wiki_park_id(6)).version == 5
    assert wiki_park_id(6) == wiki_park_id(6) != wiki_ride_id(6)
    raw = Simulator().live_payload(MAGIC_KINGDOM, SUMMER_NOON)
    assert raw["id"] == wiki_park_id(6)
    assert {e["id"] for e in raw["liveData"][1:]} == {
        wiki_ride_id(r.queue_times_id) for r in bundled_rides() if r.park_queue_times_id == 6
    }


def test_same_seed_same_payloads_and_different_seed_differs() -> None:
    for park in (MAGIC_KINGDOM, CEDAR_POINT):
        first = Simulator(seed=7).live_payload(park, SUMMER_NOON)
        assert Simulator(seed=7).live_payload(park, SUMMER_NOON) == first
        assert Simulator(seed=8).live_payload(park, SUMMER_NOON) != first
    assert Simulator(seed=7).schedule_payload(MAGIC_KINGDOM, date(2026, 7, 1), 30) == Simulator(
        seed=7
    ).schedule_payload(MAGIC_KINGDOM, date(2026, 7, 1), 30)


def test_random_access_equals_replay() -> None:
    """A live payload at any instant needs no history: it equals the replayed one."""
    start = datetime(2026, 7, 14, 12, tzinfo=UTC)
    parks = [MAGIC_KINGDOM, CEDAR_POINT]
    lines = [
        line
        for line in Simulator(seed=3).replay_lines(start, start + timedelta(hours=3), parks=parks)
        if line["kind"] == "live"
    ]
    assert len(lines) == 2 * 36  # two parks, three hours of five-minute ticks
    fresh = Simulator(seed=3)
    for line in reversed(lines):  # backwards on purpose: no state may leak forward
        park = CEDAR_POINT if line["park_id"] == 50 else MAGIC_KINGDOM
        t = datetime.fromisoformat(line["ts"].replace("Z", "+00:00"))
        assert fresh.live_payload(park, t) == line["raw"]


@pytest.mark.parametrize(
    ("park", "first", "before", "after"),
    [
        (MAGIC_KINGDOM, date(2026, 3, 6), "-05:00", "-04:00"),  # spring forward, Mar 8
        (DISNEYLAND, date(2026, 10, 30), "-07:00", "-08:00"),  # fall back, Nov 1
    ],
)
def test_schedule_in_local_time_across_dst(
    park: BundledPark, first: date, before: str, after: str
) -> None:
    sim = Simulator()
    raw = sim.schedule_payload(park, first, 5)
    assert raw is not None and raw["timezone"] == park.timezone
    operating = [e for e in raw["schedule"] if e["type"] == "OPERATING"]
    assert [e["date"] for e in operating] == [
        (first + timedelta(days=n)).isoformat() for n in range(5)
    ]
    for entry in raw["schedule"]:
        assert ISO_OFFSET.match(entry["openingTime"]) and ISO_OFFSET.match(entry["closingTime"])
    assert operating[0]["openingTime"].endswith(before)
    assert operating[-1]["openingTime"].endswith(after)
    zone = ZoneInfo(park.timezone)
    fetch = themeparks_wiki.parse_schedule(raw, SUMMER_NOON)
    assert fetch.covered == (first, first + timedelta(days=4))
    for window in fetch.windows:
        if window.window_type == "OPERATING":
            opening, closing = (
                window.opening_at.astimezone(zone),
                window.closing_at.astimezone(zone),
            )
            assert opening.date() == window.local_date
            assert 8 <= opening.hour <= 10 and 18 <= closing.hour <= 23
    assert any(w.description == "Early Entry" for w in fetch.windows)
    assert sim.schedule_payload(CEDAR_POINT, first, 5) is None


def test_rides_operate_only_inside_the_park_window() -> None:
    sim = Simulator()
    for park in (MAGIC_KINGDOM, HOLLYWOOD):
        raw = sim.schedule_payload(park, date(2026, 7, 13), 3)
        windows = [
            w
            for w in themeparks_wiki.parse_schedule(raw, SUMMER_NOON).windows
            if w.window_type == "OPERATING"
        ]
        t = datetime(2026, 7, 14, 0, 2, tzinfo=UTC)
        seen_open = seen_closed = False
        while t < datetime(2026, 7, 16, tzinfo=UTC):
            snap = _wiki_snapshot(sim, park, t)
            inside = any(w.opening_at <= t < w.closing_at for w in windows)
            operating = [r for r in snap.rides if r.status is RideStatus.OPERATING]
            assert inside or not operating, (park.name, t)
            seen_open |= inside and bool(operating)
            seen_closed |= not inside
            t += timedelta(minutes=15)
        assert seen_open and seen_closed
    # Queue-Times parks: open rides only inside the planned day.
    day = sim.plan(CEDAR_POINT, date(2026, 7, 14))
    assert day.operating is not None
    for hour in range(24):
        t = datetime(2026, 7, 14, 4, 1, tzinfo=UTC) + timedelta(hours=hour)
        snap = queue_times.parse_live(sim.live_payload(CEDAR_POINT, t), t, 50)
        if any(r.status is RideStatus.OPERATING for r in snap.rides):
            assert day.operating[0] <= t.timestamp() < day.operating[1] + 300


def test_a_week_of_wiki_parks_has_down_and_refurbishment() -> None:
    sim = Simulator()
    seen: set[RideStatus] = set()
    t = datetime(2026, 7, 6, 12, 2, tzinfo=UTC)
    while t < datetime(2026, 7, 13, tzinfo=UTC):
        for park in WIKI_PARKS:
            seen.update(r.status for r in _wiki_snapshot(sim, park, t).rides)
        t += timedelta(hours=1)
    assert {RideStatus.DOWN, RideStatus.REFURBISHMENT, RideStatus.OPERATING} <= seen
    assert RideStatus.UNKNOWN not in seen


def test_wiki_payloads_parse_with_the_real_parser() -> None:
    sim = Simulator()
    rides_seen = 0  # the catalog lists no rides for a park or two
    for park in WIKI_PARKS:
        raw = sim.live_payload(park, SUMMER_NOON)
        assert raw["liveData"][0]["id"] == raw["id"] and raw["liveData"][0]["entityType"] == "PARK"
        snap = themeparks_wiki.parse_live(raw, SUMMER_NOON)
        assert snap.park_upstream_id == wiki_park_id(park.queue_times_id)
        assert snap.timezone == park.timezone and not snap.unknown_statuses
        assert len(snap.rides) == _catalog_count(park)
        rides_seen += len(snap.rides)
        assert {r.category for r in snap.rides} <= {
            "ATTRACTION",
            "SHOW",
            "EXPERIENCE",
            "MEET_AND_GREET",
        }
        for ride in snap.rides:
            assert ride.last_updated is not None and ride.last_updated <= SUMMER_NOON
            if ride.status is not RideStatus.OPERATING:
                assert ride.wait_minutes is None
    assert rides_seen > 100  # so the per-ride checks above did run


def test_queue_times_payloads_parse_with_the_real_parser() -> None:
    sim = Simulator()
    lands_by_park: dict[int, set[str]] = {}
    for ride in bundled_rides():
        if ride.land:
            lands_by_park.setdefault(ride.park_queue_times_id, set()).add(ride.land)
    parsed = stale = 0
    for park in QT_PARKS:
        raw = sim.live_payload(park, SUMMER_NOON)
        assert set(raw) == {"lands", "rides"}
        assert {land["name"] for land in raw["lands"]} == lands_by_park.get(
            park.queue_times_id, set()
        )
        try:
            snap = queue_times.parse_live(raw, SUMMER_NOON, park.queue_times_id)
        except StaleFeedError:
            stale += 1
            continue  # a frozen feed this noon; covered by its own test
        parsed += 1
        assert len(snap.rides) == _catalog_count(park)
        assert {r.status for r in snap.rides} <= {RideStatus.OPERATING, RideStatus.CLOSED}
        for ride in snap.rides:
            assert ride.last_updated is not None
            assert timedelta(0) <= SUMMER_NOON - ride.last_updated <= timedelta(minutes=5)
    # Frozen feeds are the exception: most parks parse, so the checks above ran.
    assert parsed > stale and parsed + stale == len(QT_PARKS)


def test_a_stale_queue_times_feed_appears_within_30_days() -> None:
    sim = Simulator()
    stale_polls = 0
    for park in QT_PARKS:
        for n in range(30):
            plan = sim.plan(park, date(2026, 6, 1) + timedelta(days=n))
            if plan.stale is None or plan.stale[1] - plan.stale[0] < 35 * 60:
                continue
            if not _catalog_count(park):
                continue  # the catalog lists no rides for a couple of parks
            t = datetime.fromtimestamp(plan.stale[1] - 60, UTC)
            raw = sim.live_payload(park, t)
            with pytest.raises(StaleFeedError):
                queue_times.parse_live(raw, t, park.queue_times_id)
            # The frozen body repeats what the feed said when it froze.
            frozen = datetime.fromtimestamp(plan.stale[0] + 1, UTC)
            assert raw == sim.live_payload(park, frozen)
            stale_polls += 1
    assert stale_polls >= 1


def test_waits_are_plausible() -> None:
    sim = Simulator()
    waits: list[int] = []
    t = datetime(2026, 7, 14, 12, 2, tzinfo=UTC)
    for _ in range(12 * 12):  # every 5 minutes, 08:00–20:00 in Florida
        for park in (MAGIC_KINGDOM, CEDAR_POINT, PARKS[65]):
            raw = sim.live_payload(park, t)
            if "lands" in raw:
                waits += [r["wait_time"] for land in raw["lands"] for r in land["rides"]]
            else:
                waits += [
                    e["queue"]["STANDBY"]["waitTime"]
                    for e in raw["liveData"][1:]
                    if "queue" in e and e["queue"]["STANDBY"]["waitTime"] is not None
                ]
        t += timedelta(minutes=5)
    assert waits and all(0 <= w <= 240 and w % 5 == 0 for w in waits)
    assert max(waits) >= 60 and sum(waits) / len(waits) > 10


def test_weather_payload_parses() -> None:
    raw = Simulator().weather_payload(MAGIC_KINGDOM, SUMMER_NOON)
    assert raw["timezone"] == "GMT" and len(raw["hourly"]["time"]) == 48
    fetch = open_meteo.parse_forecast(raw, SUMMER_NOON)
    assert fetch.hours[0].at == datetime(2026, 7, 14, tzinfo=UTC)
    assert all(h.temperature_c is not None and h.precipitation_mm is not None for h in fetch.hours)


def test_rain_closes_outdoor_rides() -> None:
    sim = Simulator()
    for n in range(60):
        day = date(2026, 6, 1) + timedelta(days=n)
        plan = sim.plan(MAGIC_KINGDOM, day)
        if plan.operating is None:
            continue
        weather = sim._day_weather(sim._park(MAGIC_KINGDOM), day)
        zone = ZoneInfo(MAGIC_KINGDOM.timezone)
        for hour in range(24):
            at = datetime(day.year, day.month, day.day, hour, 30, tzinfo=zone)
            inside = plan.operating[0] + 900 <= at.timestamp() < plan.operating[1] - 900
            if not (weather.closes_outdoor_rides(hour) and inside):
                continue
            snap = _wiki_snapshot(sim, MAGIC_KINGDOM, at)
            outdoor = {p.wiki_id for p in sim.rides(MAGIC_KINGDOM) if p.outdoor}
            statuses = {r.status for r in snap.rides if r.upstream_id in outdoor}
            assert RideStatus.OPERATING not in statuses and RideStatus.DOWN in statuses
            return
    pytest.fail("no rainy operating hour in 60 summer days")


def test_replay_lines_follow_the_replay_format(tmp_path: Path) -> None:
    start = datetime(2026, 7, 14, 3, 0, tzinfo=UTC)
    parks = [MAGIC_KINGDOM, DISNEYLAND, CEDAR_POINT]
    lines = list(
        Simulator().replay_lines(
            start, start + timedelta(hours=5), interval_s=600, parks=parks, weather_every_s=3600
        )
    )
    path = tmp_path / "feed.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    parsed = list(replay.read_replay(path))
    assert parsed[0].kind == "parks" and parsed[0].source is Source.QUEUE_TIMES
    assert [p.upstream_id for p in replay.parks_from_line(parsed[0])] == ["50"]
    assert [line.ts for line in parsed] == sorted(line.ts for line in parsed)
    assert all(line["ts"].endswith("2Z") for line in lines if line["kind"] == "live")
    lives = [line for line in parsed if line.kind == "live"]
    assert len(lives) == 30 * 3
    # Each wiki park's schedule arrives before its first cycle of every local day: the
    # window crosses local midnight in Orlando (04:00Z) and Anaheim (07:00Z).
    schedules = [line for line in parsed if line.kind == "schedule"]
    assert sorted(line.park_id for line in schedules if line.park_id) == sorted(
        [wiki_park_id(6), wiki_park_id(6), wiki_park_id(16), wiki_park_id(16)]
    )
    for line in schedules:
        first_live = next(x for x in lives if x.park_id == line.park_id and x.ts >= line.ts)
        assert parsed.index(line) < parsed.index(first_live)
        fetch = replay.schedule_from_line(line)
        assert fetch.timezone is not None and fetch.covered is not None
        local_day = first_live.ts.astimezone(ZoneInfo(fetch.timezone)).date()
        assert fetch.covered[0] == local_day
    for line in lives:
        replay.snapshot_from_line(line)
    weather = [line for line in parsed if line.kind == "weather"]
    assert len(weather) == 5 * 3
    assert len(replay.weather_from_line(weather[0]).hours) == 48


@pytest.mark.slow
def test_a_day_of_all_parks_polls_every_park_at_every_tick() -> None:
    """A day of the whole catalog, as the standard dataset is built (its speed is measured
    by bench/simulator.py, not here)."""
    start = datetime(2026, 7, 14, 4, tzinfo=UTC)
    lines = list(Simulator().replay_lines(start, start + timedelta(days=1)))
    ticks = [start + timedelta(seconds=300 * k + 2) for k in range(288)]
    assert lines[0]["kind"] == "parks" and [x["kind"] for x in lines].count("parks") == 1
    lives: dict[object, list[str]] = {}
    schedules: dict[object, int] = {}
    for line in lines:
        if line["kind"] == "live":
            lives.setdefault(line["park_id"], []).append(line["ts"])
        elif line["kind"] == "schedule":
            schedules[line["park_id"]] = schedules.get(line["park_id"], 0) + 1
    # Every park, once per five-minute tick, polled two seconds after it.
    assert len(lives) == len(PARKS) == 48
    expected_ts = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in ticks]
    assert all(polls == expected_ts for polls in lives.values())
    # A wiki park's schedule once per local date its polls fall on; none for Queue-Times.
    assert schedules == {
        wiki_park_id(p.queue_times_id): len(
            {t.astimezone(ZoneInfo(p.timezone)).date() for t in ticks}
        )
        for p in WIKI_PARKS
    }
    assert len(lines) == 1 + sum(schedules.values()) + 48 * 288
