"""Synthetic parks beyond the catalog: deterministic, plainly marked, and served by the
simulator in both upstream shapes that the real parsers read."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from hallofshame.catalog import bundled_parks, bundled_rides
from hallofshame.domain.statuses import Source
from hallofshame.domain.tiers import classify_by_rules
from hallofshame.ingest.simulate import choose_parks
from hallofshame.sources import open_meteo, queue_times, themeparks_wiki
from hallofshame.sources.sim.synthetic import (
    MAX_RIDES,
    MIN_RIDES,
    SYNTHETIC_OPERATOR,
    is_synthetic,
    rides_of,
    simulated_park,
    simulated_parks,
)
from hallofshame.sources.simulator import Simulator, feed_of, wiki_park_id

CATALOG = len(bundled_parks())


def test_the_same_seed_gives_the_same_parks_and_rides() -> None:
    first = simulated_parks(120, seed=7)
    again = simulated_parks(120, seed=7)
    assert first == again
    assert [rides_of(p) for p in first] == [rides_of(p) for p in again]
    other = simulated_parks(120, seed=8)
    assert first[:CATALOG] == other[:CATALOG]  # the catalog is the catalog
    assert first[CATALOG:] != other[CATALOG:]
    # A park is the same whichever count asked for it.
    assert simulated_parks(60, seed=7) == first[:60]


def test_three_hundred_parks_are_the_catalog_then_marked_synthetic_ones() -> None:
    parks = choose_parks(300)
    assert len(parks) == 300
    assert parks[:CATALOG] == list(bundled_parks())
    assert not any(is_synthetic(p) for p in parks[:CATALOG])
    synthetic = parks[CATALOG:]
    for n, park in enumerate(synthetic, start=CATALOG + 1):
        assert park.name == f"Synthetic Park {n}"
        assert park.operator == SYNTHETIC_OPERATOR and park.city == "Synthetic"
        assert not park.is_disney and not park.is_universal
        ZoneInfo(park.timezone)  # a real zone
        assert simulated_park(park.queue_times_id) == park
    ids = [p.queue_times_id for p in parks]
    assert len(set(ids)) == 300
    # Spread over the world, in both feeds.
    assert len({p.timezone for p in synthetic}) >= 15
    assert {p.region for p in synthetic} >= {"Europe", "Asia", "North America", "Oceania"}
    feeds = Counter(feed_of(p) for p in synthetic)
    assert feeds[Source.THEMEPARKS_WIKI] >= 30 and feeds[Source.QUEUE_TIMES] >= 120
    assert choose_parks(None) == list(bundled_parks()) and len(choose_parks(10)) == 10


def test_synthetic_rides_look_like_the_catalogs() -> None:
    synthetic = choose_parks(300)[CATALOG:]
    rides = [r for p in synthetic for r in rides_of(p)]
    assert all(MIN_RIDES <= len(rides_of(p)) <= MAX_RIDES for p in synthetic)
    assert len({r.queue_times_id for r in rides}) == len(rides)
    assert not {r.queue_times_id for r in rides} & {r.queue_times_id for r in bundled_rides()}
    for park in synthetic[:20]:
        names = [r.name for r in rides_of(park)]
        assert len(set(names)) == len(names)
        assert {r.park_queue_times_id for r in rides_of(park)} == {park.queue_times_id}

    def shares(items: list[tuple[str, str]]) -> dict[int | None, float]:
        tiers = Counter(classify_by_rules(name, category)[0] for name, category in items)
        return {tier: n / len(items) for tier, n in tiers.items()}

    ours = shares([(r.name, r.category) for r in rides])
    catalog = shares([(r.name, r.category) for r in bundled_rides()])
    for tier in (1, 2, 3, None):
        assert abs(ours[tier] - catalog[tier]) < 0.05, (tier, ours, catalog)


@pytest.mark.parametrize("feed", [Source.THEMEPARKS_WIKI, Source.QUEUE_TIMES])
def test_the_simulators_payloads_for_synthetic_parks_parse(feed: Source) -> None:
    sim = Simulator(seed=42)
    parks = [p for p in choose_parks(120)[CATALOG:] if feed_of(p) is feed][:6]
    assert len(parks) == 6
    at = datetime(2026, 8, 14, 12, 0, tzinfo=UTC)
    statuses: Counter[str] = Counter()
    for park in parks:
        raw = sim.live_payload(park, at)
        if feed is Source.THEMEPARKS_WIKI:
            upstream = wiki_park_id(park.queue_times_id)
            snapshot = themeparks_wiki.parse_live(raw, at, park_upstream_id=upstream)
            schedule = themeparks_wiki.parse_schedule(
                sim.schedule_payload(park, date(2026, 8, 14), 7), at, park_upstream_id=upstream
            )
            assert schedule.windows  # a destination park: open every day
        else:
            snapshot = queue_times.parse_live(raw, at, str(park.queue_times_id))
            assert sim.schedule_payload(park, date(2026, 8, 14), 7) is None
        assert len(snapshot.rides) == len(rides_of(park))
        assert not snapshot.unknown_statuses
        statuses.update(r.status.value for r in snapshot.rides)
        weather = open_meteo.parse_forecast(sim.weather_payload(park, at), at)
        assert weather.hours
    assert statuses["OPERATING"] and statuses["CLOSED"]  # some parks open, some not
    if feed is Source.QUEUE_TIMES:
        listed = queue_times.parse_parks(sim.parks_payload(parks))
        assert {p.upstream_id for p in listed} == {str(p.queue_times_id) for p in parks}
