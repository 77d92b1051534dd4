"""Per-park constants of the simulator and the Queue-Times park directory body."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from hallofshame.catalog import BundledPark
from hallofshame.sources.sim.ids import feed_of, wiki_park_id
from hallofshame.sources.sim.profiles import ParkProfile, RideProfile, park_profile, ride_profile
from hallofshame.sources.sim.synthetic import is_synthetic, rides_of

QT_REFRESH_S = 300  # Queue-Times refreshes each park about every five minutes
_QT_GROUPS = {  # operator → Queue-Times group (id, name) as parks.json lists them
    "Disney": (2, "Walt Disney Attractions"),
    "Universal": (12, "Universal Parks & Resorts"),
    "SeaWorld": (3, "SeaWorld Parks & Entertainment"),
    "Six Flags": (1, "Six Flags Entertainment Corporation"),
    "Cedar Fair": (11, "Cedar Fair Entertainment Company"),
}
_COUNTRIES = {"US": "United States", "CA": "Canada"}


class ParkState:
    """Per-park constants, computed once: profiles, zone, ids, land grouping."""

    def __init__(self, park: BundledPark, seed: int) -> None:
        self.park = park
        self.profile: ParkProfile = park_profile(park)
        self.zone = ZoneInfo(park.timezone)
        self.feed = feed_of(park)
        self.wiki_id = wiki_park_id(park.queue_times_id)
        rides = rides_of(park)
        self.rides: tuple[RideProfile, ...] = tuple(ride_profile(r, seed) for r in rides)
        # Queue-Times land ids are global integers; derive stable ones from the park id.
        lands: dict[str, list[int]] = {}
        self.landless: list[int] = []
        for i, r in enumerate(rides):
            if r.land:
                lands.setdefault(r.land, []).append(i)
            else:
                self.landless.append(i)
        self.lands = [
            (park.queue_times_id * 100 + n, name, idx)
            for n, (name, idx) in enumerate(lands.items(), start=1)
        ]
        # Each park refreshes on its own phase of the Queue-Times cycle.
        self.qt_phase = (park.queue_times_id * 97) % QT_REFRESH_S


def parks_payload(parks: Sequence[BundledPark]) -> list[dict[str, Any]]:
    """Queue-Times ``/parks.json``: operator groups with their parks."""
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for park in parks:
        key = _QT_GROUPS.get(park.operator, (9, "Other"))
        groups.setdefault(key, []).append(
            {
                "id": park.queue_times_id,
                "name": park.name,
                "country": _COUNTRIES.get(park.country, park.country),
                "continent": park.region if is_synthetic(park) else "North America",
                "latitude": f"{park.latitude:.6f}",
                "longitude": f"{park.longitude:.6f}",
                "timezone": park.timezone,
            }
        )
    return [
        {"id": gid, "name": name, "parks": members}
        for (gid, name), members in sorted(groups.items(), key=lambda g: g[0][1])
    ]
