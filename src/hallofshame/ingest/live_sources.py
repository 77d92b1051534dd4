"""The two things the collector can poll: the real upstream feeds, or the simulator.

Both hand back parsed snapshots from the same parsers, so nothing downstream can tell
them apart.
"""

from __future__ import annotations

from datetime import datetime

from hallofshame.catalog import bundled_parks
from hallofshame.domain.statuses import Source
from hallofshame.ingest.collector import ParkRef
from hallofshame.sources import open_meteo, queue_times, themeparks_wiki
from hallofshame.sources.base import CatalogRide, LiveSnapshot, ScheduleFetch, WeatherFetch
from hallofshame.sources.http import HttpClient
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
    ) -> None:
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
    """The simulator's payloads at the application clock's instant, parsed for real."""

    def __init__(self, seed: int = 42) -> None:
        self.sim = Simulator(seed=seed)
        self.parks = {p.queue_times_id: p for p in bundled_parks()}

    def _bundled(self, park: ParkRef):  # type: ignore[no-untyped-def]
        if park.queue_times_id is None or park.queue_times_id not in self.parks:
            raise LookupError(f"{park.name} is not a simulated park")
        return self.parks[park.queue_times_id]

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
