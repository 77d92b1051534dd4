"""The two things the collector can poll: the real upstream feeds, or the simulator.

Both hand back parsed snapshots from the same parsers, so nothing downstream can tell
them apart.
"""

from __future__ import annotations

from datetime import datetime

from hallofshame.catalog import BundledPark
from hallofshame.domain.statuses import Source
from hallofshame.ingest.collector import ParkRef
from hallofshame.sources import open_meteo, queue_times, themeparks_wiki
from hallofshame.sources.base import CatalogRide, LiveSnapshot, ScheduleFetch, WeatherFetch
from hallofshame.sources.http import HttpClient
from hallofshame.sources.sim.synthetic import simulated_park
from hallofshame.sources.simulator import Simulator


class UpstreamSource:
    """ThemeParks.wiki for parks that have a wiki id, else Queue-Times; Open-Meteo weather."""

    def __init__(
        self,
        http: HttpClient | None = None,
        *,
        wiki_url: str | None = None,
        queue_times_url: str | None = None,
        weather_url: str | None = None,
        serves_synthetic: bool = False,
    ) -> None:
        # True only for a local fake upstream that serves the simulator's synthetic parks
        # (bench/collect_cycle.py): the real upstreams never hear of them.
        self.serves_synthetic = serves_synthetic
        self.http = http or HttpClient()
        self.wiki = themeparks_wiki.ThemeParksWikiClient(
            self.http, **({"base_url": wiki_url} if wiki_url else {})
        )
        self.qt = queue_times.QueueTimesClient(
            self.http, **({"base_url": queue_times_url} if queue_times_url else {})
        )
        self.meteo = open_meteo.OpenMeteoClient(
            self.http, **({"base_url": weather_url} if weather_url else {})
        )

    def live(self, park: ParkRef, at: datetime) -> LiveSnapshot:
        if park.source is Source.THEMEPARKS_WIKI:
            return self.wiki.live(park.upstream_id)
        return self.qt.live(park.upstream_id)

    def schedule(self, park: ParkRef, at: datetime) -> ScheduleFetch | None:
        if park.source is Source.THEMEPARKS_WIKI:
            return self.wiki.schedule(park.upstream_id)
        return None  # Queue-Times publishes no schedules: the heuristic decides

    def weather(self, park: ParkRef, at: datetime) -> WeatherFetch | None:
        if park.latitude is None or park.longitude is None:
            return None
        return self.meteo.forecast(park.latitude, park.longitude)

    def directory(self, park: ParkRef, at: datetime) -> list[CatalogRide]:
        if park.source is Source.THEMEPARKS_WIKI:
            return list(self.wiki.children(park.upstream_id).rides)
        return queue_times.rides_of(self.qt.live(park.upstream_id))


class SimulatedSource:
    """The simulator's payloads at the application clock's instant, parsed for real:
    the catalog's parks and synthetic ones (``serves_synthetic``)."""

    serves_synthetic = True

    def __init__(self, seed: int = 42) -> None:
        self.sim = Simulator(seed=seed)
        self.parks: dict[int, BundledPark] = {}

    def _bundled(self, park: ParkRef) -> BundledPark:
        found = None
        if park.queue_times_id is not None:
            found = self.parks.get(park.queue_times_id) or simulated_park(park.queue_times_id)
        if found is None:
            raise LookupError(f"{park.name} is not a simulated park")
        self.parks[found.queue_times_id] = found
        return found

    def live(self, park: ParkRef, at: datetime) -> LiveSnapshot:
        raw = self.sim.live_payload(self._bundled(park), at)
        if park.source is Source.THEMEPARKS_WIKI:
            return themeparks_wiki.parse_live(raw, at, park_upstream_id=park.upstream_id)
        return queue_times.parse_live(raw, at, park.upstream_id)

    def schedule(self, park: ParkRef, at: datetime) -> ScheduleFetch | None:
        from hallofshame.domain.localtime import local_date_of

        raw = self.sim.schedule_payload(self._bundled(park), local_date_of(at, park.timezone), 7)
        if raw is None:
            return None
        return themeparks_wiki.parse_schedule(raw, at, park_upstream_id=park.upstream_id)

    def weather(self, park: ParkRef, at: datetime) -> WeatherFetch | None:
        return open_meteo.parse_forecast(self.sim.weather_payload(self._bundled(park), at), at)

    def directory(self, park: ParkRef, at: datetime) -> list[CatalogRide]:
        snapshot = self.live(park, at)
        return [
            CatalogRide(
                source=park.source,
                upstream_id=r.upstream_id,
                park_upstream_id=park.upstream_id,
                name=r.name,
                category=r.category,
                land=r.land,
            )
            for r in snapshot.rides
        ]
