from __future__ import annotations

import copy
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.sources.base import (
    CatalogPark,
    CatalogRide,
    LiveSnapshot,
    PayloadError,
    RideReading,
)
from hallofshame.sources.themeparks_wiki import (
    parse_children,
    parse_destinations,
    parse_entity,
    parse_live,
    parse_schedule,
)

from ._fixtures import load

MK = "75ea578a-adc8-4116-a54d-dccb60765ef9"
FETCHED = datetime(2026, 4, 14, 22, 30, tzinfo=UTC)


def _by_name(snapshot: LiveSnapshot) -> dict[str, RideReading]:
    return {r.name: r for r in snapshot.rides}


def test_live_magic_kingdom_full() -> None:
    snap = parse_live(
        load("themeparks_wiki/live_magic_kingdom_full_official_sdk_2026-04-14.json"), FETCHED
    )
    assert snap.source is Source.THEMEPARKS_WIKI
    assert snap.park_upstream_id == MK
    assert snap.park_name == "Magic Kingdom Park"
    assert snap.timezone == "America/New_York"
    assert snap.fetched_at == FETCHED
    # 61 liveData rows, the park's own row dropped.
    assert len(snap.rides) == 60
    assert all(r.upstream_id != MK for r in snap.rides)
    counts = Counter((r.category, r.status) for r in snap.rides)
    assert counts[("ATTRACTION", RideStatus.OPERATING)] == 32
    assert counts[("ATTRACTION", RideStatus.CLOSED)] == 2
    assert counts[("ATTRACTION", RideStatus.REFURBISHMENT)] == 1
    assert counts[("SHOW", RideStatus.OPERATING)] == 13
    assert counts[("SHOW", RideStatus.CLOSED)] == 4
    assert counts[("RESTAURANT", RideStatus.OPERATING)] == 8
    assert sum(r.status is RideStatus.DOWN for r in snap.rides) == 0
    assert snap.unknown_statuses == ()

    rides = _by_name(snap)
    assert rides["TRON Lightcycle / Run"].wait_minutes == 65
    assert rides["Seven Dwarfs Mine Train"].wait_minutes == 65
    assert rides["Space Mountain"].wait_minutes == 20
    assert rides["Walt Disney's Enchanted Tiki Room"].wait_minutes == 0  # a posted 0 is a wait
    assert rides["Casey Jr. Splash 'N' Soak Station"].wait_minutes is None  # no queue at all
    thunder = rides["Big Thunder Mountain Railroad"]
    assert thunder.status is RideStatus.REFURBISHMENT
    assert thunder.raw_status == "REFURBISHMENT"
    assert thunder.wait_minutes is None
    assert thunder.last_updated == datetime(2026, 4, 8, 6, 6, 32, tzinfo=UTC)
    assert rides["Main Street Vehicles"].status is RideStatus.CLOSED
    assert rides["Casey's Corner Pianist"].category == "SHOW"
    assert rides["Space Mountain"].upstream_id == "b2260923-9315-40fd-9c6b-44dd811dbe64"
    assert rides["Space Mountain"].last_updated == datetime(2026, 4, 14, 22, 26, 2, tzinfo=UTC)


def test_live_null_queue_fields() -> None:
    snap = parse_live(
        load("themeparks_wiki/live_magic_kingdom_null_queue_fields_official_sdk.json"), FETCHED
    )
    rides = _by_name(snap)
    assert len(snap.rides) == 60
    assert rides["Walt Disney World Railroad - Fantasyland"].wait_minutes is None
    assert rides["Walt Disney World Railroad - Fantasyland"].status is RideStatus.OPERATING
    assert rides["Walt Disney's Enchanted Tiki Room"].wait_minutes == 0
    assert rides["Dumbo the Flying Elephant"].wait_minutes == 15
    assert sum(r.wait_minutes is not None for r in snap.rides) == 37


def test_live_before_opening() -> None:
    snap = parse_live(
        load("themeparks_wiki/live_magic_kingdom_preopen_official_js_sdk_2026-04-15.json"), FETCHED
    )
    counts = Counter((r.category, r.status) for r in snap.rides if r.category == "ATTRACTION")
    assert counts == {
        ("ATTRACTION", RideStatus.CLOSED): 32,
        ("ATTRACTION", RideStatus.OPERATING): 2,
        ("ATTRACTION", RideStatus.REFURBISHMENT): 1,
    }
    assert all(r.wait_minutes is None for r in snap.rides)


def test_live_minimal_body_without_last_updated() -> None:
    snap = parse_live(
        load("themeparks_wiki/live_universal_studios_florida_minimal_wisekiosk.json"), FETCHED
    )
    assert snap.park_upstream_id == "eb3f4560-2383-4a36-9152-6b3e5ed6bc57"
    assert [(r.name, r.category, r.status, r.wait_minutes) for r in snap.rides] == [
        ("MEN IN BLACK™ Alien Attack!", "ATTRACTION", RideStatus.OPERATING, 15),
        ("Revenge of the Mummy", "ATTRACTION", RideStatus.OPERATING, 35),
        ("Hogwarts™ Express - Last Train", "ATTRACTION", RideStatus.CLOSED, None),
        ("The Bourne Stuntacular", "SHOW", RideStatus.CLOSED, None),
    ]
    assert all(r.last_updated is None for r in snap.rides)


def test_live_fractional_last_updated() -> None:
    snap = parse_live(load("themeparks_wiki/themeparkr_live-park.json"), FETCHED)
    tea = _by_name(snap)["Mad Tea Party"]
    assert tea.wait_minutes == 5
    assert tea.last_updated == datetime(2026, 10, 4, 16, 14, 57, 225000, tzinfo=UTC)


def test_live_empty_show_body() -> None:
    snap = parse_live(
        load("themeparks_wiki/live_show_entity_empty_shoyoyu_2026-07-20.json"), FETCHED
    )
    assert snap.rides == ()
    assert snap.timezone == "Asia/Tokyo"


def test_live_unknown_and_missing_status() -> None:
    raw = copy.deepcopy(
        load("themeparks_wiki/live_universal_studios_florida_minimal_wisekiosk.json")
    )
    raw["liveData"][0]["status"] = "BROKEN_ISH"
    del raw["liveData"][1]["status"]
    raw["liveData"][2]["queue"] = {"STANDBY": {}}
    raw["liveData"][3]["status"] = "DOWN"
    snap = parse_live(raw, FETCHED)
    assert [r.status for r in snap.rides] == [
        RideStatus.UNKNOWN,
        RideStatus.UNKNOWN,
        RideStatus.CLOSED,
        RideStatus.DOWN,
    ]
    assert snap.rides[0].raw_status == "BROKEN_ISH"
    assert snap.rides[1].raw_status is None
    assert snap.rides[2].wait_minutes is None
    assert snap.unknown_statuses == ("BROKEN_ISH",)


@pytest.mark.parametrize(
    "raw",
    [
        {"statusCode": 503, "message": "Service Unavailable"},
        {"message": "Internal server error"},
        {"id": MK, "liveData": {"not": "a list"}},
        {"id": MK, "liveData": ["oops"]},
        {"id": MK, "liveData": [{"id": 5, "name": "x"}]},
        [],
        None,
    ],
)
def test_live_malformed(raw: object) -> None:
    with pytest.raises(PayloadError, match="malformed live body") as info:
        parse_live(raw, FETCHED)
    assert info.value.kind == "malformed_payload"


def test_schedule_magic_kingdom() -> None:
    fetch = parse_schedule(
        load("themeparks_wiki/schedule_magic_kingdom_full_official_sdk_2026-04-14.json"), FETCHED
    )
    assert fetch.park_upstream_id == MK
    assert fetch.timezone == "America/New_York"
    assert len(fetch.windows) == 69
    assert Counter(w.window_type for w in fetch.windows) == {"OPERATING": 31, "TICKETED_EVENT": 38}
    assert fetch.covered == (date(2026, 4, 14), date(2026, 5, 14))
    early, day = fetch.windows[0], fetch.windows[1]
    assert early.local_date == date(2026, 4, 14)
    assert early.window_type == "TICKETED_EVENT"
    assert early.description == "Early Entry"
    assert early.opening_at == datetime(2026, 4, 14, 12, 30, tzinfo=UTC)
    assert early.closing_at == datetime(2026, 4, 14, 13, 0, tzinfo=UTC)
    # 09:00–22:00 EDT: the close falls on the next UTC day.
    assert day.window_type == "OPERATING"
    assert day.opening_at == datetime(2026, 4, 14, 13, 0, tzinfo=UTC)
    assert day.closing_at == datetime(2026, 4, 15, 2, 0, tzinfo=UTC)
    assert day.description is None
    assert all(w.opening_at.tzinfo is UTC for w in fetch.windows)


def test_schedule_entries_without_times_still_cover_their_date() -> None:
    raw = {
        "id": "p1",
        "timezone": "America/Toronto",
        "schedule": [
            {"date": "2026-07-20", "type": "CLOSED"},
            {
                "date": "2026-07-21",
                "type": "OPERATING",
                "openingTime": "2026-07-21T10:00:00-04:00",
                "closingTime": "2026-07-21T20:00:00-04:00",
            },
            {"date": "2026-07-23", "type": "INFO", "description": "closed for the season"},
        ],
    }
    fetch = parse_schedule(raw, FETCHED)
    assert len(fetch.windows) == 1
    assert fetch.windows[0].opening_at == datetime(2026, 7, 21, 14, 0, tzinfo=UTC)
    assert fetch.covered == (date(2026, 7, 20), date(2026, 7, 23))


def test_schedule_dst_window_past_midnight() -> None:
    raw = {
        "id": "fa57fab1",
        "timezone": "America/Los_Angeles",
        "schedule": [
            {
                "date": "2026-03-08",
                "type": "OPERATING",
                "closingTime": "2026-03-09T01:00:00-07:00",
                "openingTime": "2026-03-08T09:00:00-07:00",
            }
        ],
    }
    (window,) = parse_schedule(raw, FETCHED).windows
    assert window.opening_at == datetime(2026, 3, 8, 16, 0, tzinfo=UTC)
    assert window.closing_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def test_schedule_empty_and_malformed() -> None:
    empty = parse_schedule({"id": MK, "schedule": []}, FETCHED)
    assert empty.windows == () and empty.covered is None
    with pytest.raises(PayloadError, match="malformed schedule body"):
        parse_schedule({"statusCode": 404, "message": "not found"}, FETCHED)
    with pytest.raises(PayloadError):
        parse_schedule({"id": MK, "schedule": [{"type": "OPERATING"}]}, FETCHED)


def test_children_magic_kingdom() -> None:
    children = parse_children(
        load("themeparks_wiki/children_magic_kingdom_full_official_sdk_2026-04-14.json")
    )
    assert children.parks == ()
    assert len(children.rides) == 73
    assert Counter(r.category for r in children.rides) == {
        "ATTRACTION": 35,
        "RESTAURANT": 21,
        "SHOW": 17,
    }
    assert {r.park_upstream_id for r in children.rides} == {MK}
    buzz = next(
        r for r in children.rides if r.upstream_id == "72c7343a-f7fb-4f66-95df-c91016de7338"
    )
    assert buzz.name == "Buzz Lightyear’s Space Ranger Spin"
    assert buzz.category == "ATTRACTION"


def test_children_of_a_destination() -> None:
    children = parse_children(load("themeparks_wiki/themeparkr_children-null-location.json"))
    assert [(p.upstream_id, p.name, p.timezone) for p in children.parks] == [
        ("18a2aeb2-7be5-4273-8cac-611ae5b519f6", "Chimelong Spaceship", "Asia/Shanghai"),
        ("6f8764b7-172a-4fcf-8fec-10d3e44a55e4", "Chimelong Ocean Kingdom", "Asia/Shanghai"),
    ]
    assert children.parks[0].latitude == pytest.approx(22.09986599676263)
    (ride,) = children.rides
    assert ride.park_upstream_id == "6f8764b7-172a-4fcf-8fec-10d3e44a55e4"
    assert ride.name == "丛林秘境"


def test_entity_park_and_ride() -> None:
    park = parse_entity(
        load("themeparks_wiki/entity_magic_kingdom_park_official_sdk_2026-04-14.json")
    )
    assert park == CatalogPark(
        source=Source.THEMEPARKS_WIKI,
        upstream_id=MK,
        name="Magic Kingdom Park",
        timezone="America/New_York",
        latitude=28.4160036778,
        longitude=-81.5811902834,
    )
    ride = parse_entity(load("themeparks_wiki/themeparkr_entity-ride.json"))
    assert ride == CatalogRide(
        source=Source.THEMEPARKS_WIKI,
        upstream_id="924a3b2c-6b4b-49e5-99d3-e9dc3f2e8a48",
        park_upstream_id=MK,
        name="The Barnstormer",
        category="ATTRACTION",
    )
    with pytest.raises(PayloadError):
        parse_entity({"statusCode": 404})


def test_destinations() -> None:
    parks = parse_destinations(
        load("themeparks_wiki/destinations_full_official_sdk_2026-04-14.json")
    )
    assert len(parks) == 127
    assert {p.source for p in parks} == {Source.THEMEPARKS_WIKI}
    assert any(p.upstream_id == MK and p.name == "Magic Kingdom Park" for p in parks)
    small = parse_destinations(load("themeparks_wiki/themeparkr_destinations.json"))
    assert [p.name for p in small] == ["Djurs Sommerland", "Mid-America Parks", "Hurricane Harbor"]
    with pytest.raises(PayloadError):
        parse_destinations({"destinations": "nope"})
