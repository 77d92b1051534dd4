from __future__ import annotations

import copy
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from hallofshame.domain.statuses import RideStatus, Source
from hallofshame.sources.base import PayloadError, StaleFeedError
from hallofshame.sources.queue_times import parse_live, parse_parks, rides_of

from ._fixtures import load

DISNEYLAND = "queue_times/park16_disneyland_lands_2024-12-14.json"
TOKYO = "queue_times/park274_tokyo_disneyland_flat_rides_2026-05-22.json"
PARIS = "queue_times/park4_disneyland_paris_lands_2024-05-23.json"
# Each capture's records share one last_updated; poll a little after it.
DL_UPDATED = datetime(2024, 12, 14, 23, 57, 4, tzinfo=UTC)
TDL_UPDATED = datetime(2026, 5, 22, 0, 36, 4, tzinfo=UTC)


def test_disneyland_lands_shape() -> None:
    snap = parse_live(load(DISNEYLAND), DL_UPDATED + timedelta(minutes=3), 16)
    assert snap.source is Source.QUEUE_TIMES
    assert snap.park_upstream_id == "16"
    # 51 rides in 9 lands + 1 top-level ride.
    assert len(snap.rides) == 52
    assert Counter(r.status for r in snap.rides) == {RideStatus.OPERATING: 46, RideStatus.CLOSED: 6}
    assert {r.category for r in snap.rides} == {"ATTRACTION"}
    rides = {r.name: r for r in snap.rides}
    indy = rides["Indiana Jones™ Adventure"]
    assert (indy.upstream_id, indy.wait_minutes, indy.land, indy.raw_status) == (
        "326",
        65,
        "Adventureland",
        "open",
    )
    assert indy.last_updated == DL_UPDATED
    assert rides["Haunted Mansion Holiday"].wait_minutes == 95
    thunder = rides["Big Thunder Mountain Railroad"]
    assert (thunder.status, thunder.raw_status, thunder.wait_minutes) == (
        RideStatus.CLOSED,
        "closed",
        None,  # a closed ride's posted 0 is not a wait
    )
    santa = rides["Holiday Fun with Santa & Friends!"]
    assert santa.land is None and santa.wait_minutes == 0
    assert Counter(r.land for r in snap.rides)["Fantasyland"] == 14


def test_tokyo_flat_shape() -> None:
    snap = parse_live(load(TOKYO), TDL_UPDATED + timedelta(minutes=5), "274")
    assert len(snap.rides) == 37
    assert all(r.land is None for r in snap.rides)
    closed = sorted(r.name for r in snap.rides if r.status is RideStatus.CLOSED)
    assert closed == [
        "Big Thunder Mountain",
        "Dumbo The Flying Elephant",
        "Penny Arcade",
        "Peter Pan's Flight",
        "Pirates of the Caribbean",
        "Swiss Family Treehouse",
        "Toon Park",
    ]
    rides = {r.name: r for r in snap.rides}
    assert rides["Enchanted Tale of Beauty and the Beast"].wait_minutes == 140
    assert rides["Alice's Tea Party"].wait_minutes == 5


def test_paris_counts() -> None:
    snap = parse_live(load(PARIS), datetime(2024, 5, 23, 18, 45, tzinfo=UTC), 4)
    assert len(snap.rides) == 42
    assert Counter(r.status for r in snap.rides) == {
        RideStatus.OPERATING: 25,
        RideStatus.CLOSED: 17,
    }
    assert rides_of(snap)[0].land == "Adventureland"
    assert {r.park_upstream_id for r in rides_of(snap)} == {"4"}


def test_staleness_boundary_is_strict() -> None:
    raw = load(TOKYO)
    exactly = parse_live(raw, TDL_UPDATED + timedelta(minutes=30), 274)
    assert Counter(r.status for r in exactly.rides)[RideStatus.OPERATING] == 30
    with pytest.raises(StaleFeedError, match="stale for the whole park") as info:
        parse_live(raw, TDL_UPDATED + timedelta(minutes=30, seconds=1), 274)
    assert info.value.kind == "stale_feed"


def test_some_stale_records_become_unknown() -> None:
    raw = copy.deepcopy(load(TOKYO))
    raw["rides"][0]["last_updated"] = "2026-05-21T20:00:00.000Z"  # hours old
    del raw["rides"][1]["last_updated"]  # no timestamp: fresh
    snap = parse_live(raw, TDL_UPDATED + timedelta(minutes=5), 274)
    first, second = snap.rides[0], snap.rides[1]
    assert (first.status, first.wait_minutes, first.raw_status) == (
        RideStatus.UNKNOWN,
        None,
        "open",
    )
    assert (second.status, second.wait_minutes, second.last_updated) == (
        RideStatus.OPERATING,
        5,
        None,
    )


def test_empty_park_is_not_stale() -> None:
    snap = parse_live({"lands": [], "rides": []}, DL_UPDATED, 16)
    assert snap.rides == ()


@pytest.mark.parametrize(
    "raw",
    [
        {"error": "not found"},
        {"lands": "x", "rides": []},
        {"lands": [{"name": "A"}], "rides": []},
        {"rides": [{"id": 1, "name": "A", "is_open": "yes"}]},
        {"rides": [{"id": 1, "name": "A", "is_open": True, "last_updated": "yesterday"}]},
        [],
    ],
)
def test_malformed_live(raw: object) -> None:
    with pytest.raises(PayloadError, match="malformed live body"):
        parse_live(raw, DL_UPDATED, 16)


def test_parks_directory() -> None:
    parks = parse_parks(load("queue_times/parks_full_shoyoyu_2026-07-20.json"))
    assert len(parks) == 141
    by_id = {p.upstream_id: p for p in parks}
    dl = by_id["16"]
    assert (dl.name, dl.timezone, dl.country, dl.operator) == (
        "Disneyland",
        "America/Los_Angeles",
        "United States",
        "Walt Disney Attractions",
    )
    assert dl.latitude == pytest.approx(33.8104856)
    assert dl.longitude == pytest.approx(-117.9190001)
    assert by_id["57"].name == "California's Great America"
    assert by_id["57"].operator == "Cedar Fair Entertainment Company"
    with pytest.raises(PayloadError):
        parse_parks({"parks": []})
