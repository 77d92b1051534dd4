"""The Atom feeds: valid Atom for all parks, one park and one ride, filters, validators
and conditional requests, bad parameters named (three databases)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from hallofshame import clock
from tests.breakdowns.conftest import HAUNTED, TRON, World

ATOM = "{http://www.w3.org/2005/Atom}"
HOS = "{urn:x-hallofshame:breakdowns:1}"


def parse(world: World, url: str) -> ET.Element:
    """The feed at ``url``, checked for what RFC 4287 requires of a feed and its entries."""
    answer = world.client.get(url)
    assert answer.status_code == 200, answer.data
    assert answer.content_type == "application/atom+xml; charset=utf-8"
    assert answer.headers["ETag"] and answer.headers["Last-Modified"]
    assert answer.headers["Cache-Control"].startswith("public, max-age=")
    feed = ET.fromstring(answer.data)  # noqa: S314 (our own answer, parsed in a test)
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{tag}")) == 1, tag
    selves = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert [link.get("href") for link in selves] == [f"http://localhost{url}"]
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None  # entries have no author
    for entry in feed.findall(f"{ATOM}entry"):
        for tag in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{tag}")) == 1, tag
        alternates = [e for e in entry.findall(f"{ATOM}link") if e.get("rel") == "alternate"]
        assert alternates  # no atom:content, so an alternate link is required
    return feed


def rides_in(feed: ET.Element) -> list[str]:
    return [e.findtext(f"{HOS}ride") or "" for e in feed.findall(f"{ATOM}entry")]


@pytest.fixture
def two_breakdowns(world: World) -> World:
    """TRON (tier 1) down 5 minutes and over; the Haunted Mansion (tier 3) down now."""
    world.cycle()
    world.cycle({TRON: "DOWN"})
    world.cycle({HAUNTED: "DOWN"})
    return world


def test_every_kind_of_feed_is_atom(two_breakdowns: World) -> None:
    world = two_breakdowns
    park, tron = world.park_id(), world.ride_id(TRON)
    everything = parse(world, "/feeds/breakdowns.atom")
    # Most recently changed first: the Haunted Mansion went down after TRON came back.
    assert rides_in(everything) == ["Haunted Mansion", "TRON Lightcycle / Run"]
    assert everything.findtext(f"{ATOM}updated") == "2026-04-14T18:10:00Z"
    assert rides_in(parse(world, f"/feeds/parks/{park}.atom")) == rides_in(everything)
    ride_feed = parse(world, f"/feeds/rides/{tron}.atom")
    (entry,) = ride_feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{HOS}status") == "ended"
    assert entry.findtext(f"{HOS}duration_minutes") == "5.0"
    assert entry.findtext(f"{HOS}end_local") == "2026-04-14T14:05:00-04:00"
    assert entry.findtext(f"{ATOM}updated") == "2026-04-14T18:10:00Z"  # seen back up
    # The three feeds are three documents with ids of their own.
    ids = {
        parse(world, u).findtext(f"{ATOM}id")
        for u in (
            "/feeds/breakdowns.atom",
            f"/feeds/parks/{park}.atom",
            f"/feeds/rides/{tron}.atom",
        )
    }
    assert len(ids) == 3


def test_an_empty_feed_is_still_atom(world: World) -> None:
    feed = parse(world, "/feeds/breakdowns.atom")
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"  # never polled
    world.cycle()
    assert parse(world, "/feeds/breakdowns.atom").findtext(f"{ATOM}updated") == (
        "2026-04-14T18:00:00Z"  # the latest cycle: nothing has broken down since
    )


def test_filters_tier_and_park(two_breakdowns: World) -> None:
    world = two_breakdowns
    assert rides_in(parse(world, "/feeds/breakdowns.atom?tier=1")) == ["TRON Lightcycle / Run"]
    assert rides_in(parse(world, "/feeds/breakdowns.atom?tier=3")) == ["Haunted Mansion"]
    assert rides_in(parse(world, "/feeds/breakdowns.atom?tier=2")) == []
    other = world.park_id() + 1  # known, never polled
    assert rides_in(parse(world, f"/feeds/breakdowns.atom?park_id={other}")) == []
    both = f"/feeds/breakdowns.atom?park_id={world.park_id()}&tier=1"
    assert rides_in(parse(world, both)) == ["TRON Lightcycle / Run"]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("tier=0", "tier"),
        ("tier=4", "tier"),
        ("tier=one", "tier"),
        ("tier=1&tier=2", "tier"),
        ("park_id=-3", "park_id"),
        ("park_id=99999999999", "park_id"),
        ("limit=5", "limit"),
    ],
)
def test_bad_parameters_are_named(world: World, query: str, param: str) -> None:
    answer = world.client.get(f"/feeds/breakdowns.atom?{query}")
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "invalid_parameter"
    assert answer.json["error"]["details"]["parameter"] == param


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/parks/999999.atom",
        "/feeds/rides/999999.atom",
        "/feeds/rides/99999999999.atom",
        "/feeds/breakdowns.atom?park_id=999999",
    ],
)
def test_unknown_ids_are_404(world: World, url: str) -> None:
    answer = world.client.get(url)
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found"


def test_an_unknown_parameter_of_a_ride_feed_is_named(two_breakdowns: World) -> None:
    answer = two_breakdowns.client.get(f"/feeds/rides/{two_breakdowns.ride_id(TRON)}.atom?tier=1")
    assert answer.status_code == 400
    assert answer.json["error"]["details"]["parameter"] == "tier"


def test_conditional_requests(two_breakdowns: World) -> None:
    world = two_breakdowns
    url = f"/feeds/parks/{world.park_id()}.atom"
    first = world.client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert modified == "Tue, 14 Apr 2026 18:10:00 GMT"
    again = world.client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert world.client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert world.client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

    # The Haunted Mansion comes back: its entry is updated, so the feed changes.
    world.cycle()
    changed = world.client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert world.client.get(url, headers={"If-Modified-Since": modified}).status_code == 200


def test_an_episode_at_local_midnight_ends_with_the_day(world: World) -> None:
    """METRICS.md §4: the local day's end ends an episode even if no cycle says so."""
    world.cycle()
    world.cycle({TRON: "DOWN"})
    tron = world.ride_id(TRON)
    url = f"/feeds/rides/{tron}.atom"
    (entry,) = parse(world, url).findall(f"{ATOM}entry")
    assert entry.findtext(f"{HOS}status") == "ongoing"
    clock.set_now(world.at + timedelta(hours=12))  # past midnight in Orlando, no cycle
    (entry,) = parse(world, url).findall(f"{ATOM}entry")
    assert entry.findtext(f"{HOS}status") == "ended"
    assert entry.findtext(f"{ATOM}updated") == "2026-04-15T04:00:00Z"  # local midnight
