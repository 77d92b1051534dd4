"""Upstream identities the simulator hands out.

ThemeParks.wiki ids are UUIDs; the simulator derives them from the catalog's
Queue-Times ids with uuid5 so every run, machine and seed agrees on them.
"""

from __future__ import annotations

import uuid

from hallofshame.catalog import BundledPark
from hallofshame.domain.statuses import Source
from hallofshame.sources.sim.synthetic import is_synthetic, speaks_wiki

# A fixed namespace: changing it would re-key every simulated wiki entity.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://api.themeparks.wiki/simulated")


def wiki_park_id(qt_park_id: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"park/{qt_park_id}"))


def wiki_ride_id(qt_ride_id: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"ride/{qt_ride_id}"))


def feed_of(park: BundledPark) -> Source:
    """Disney and Universal parks report DOWN and schedules (ThemeParks.wiki); the rest
    are only on Queue-Times, as in the real world; a synthetic park's feed is its own."""
    if is_synthetic(park):
        return Source.THEMEPARKS_WIKI if speaks_wiki(park) else Source.QUEUE_TIMES
    if park.is_disney or park.is_universal:
        return Source.THEMEPARKS_WIKI
    return Source.QUEUE_TIMES


def upstream_park_id(park: BundledPark) -> str | int:
    """The ``park_id`` a replay line carries: a UUID string or a Queue-Times integer."""
    if feed_of(park) is Source.THEMEPARKS_WIKI:
        return wiki_park_id(park.queue_times_id)
    return park.queue_times_id
