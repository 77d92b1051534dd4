"""The bundled catalog of real parks and rides (``hallofshame/data/*.csv``).

Parks carry their Queue-Times ids, timezone, coordinates and operator; rides their
Queue-Times ids, land and category. ``tier_overrides.csv`` is the default hand-made tier
file (REPLAY.md § Tier overrides).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    return Path(str(resources.files("hallofshame") / "data" / name))


@dataclass(frozen=True, slots=True)
class BundledPark:
    queue_times_id: int
    name: str
    city: str
    region: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    operator: str
    is_disney: bool
    is_universal: bool


@dataclass(frozen=True, slots=True)
class BundledRide:
    park_queue_times_id: int
    queue_times_id: int
    name: str
    land: str | None
    category: str


@lru_cache(maxsize=1)
def bundled_parks() -> tuple[BundledPark, ...]:
    with data_path("parks.csv").open(newline="", encoding="utf-8") as fh:
        return tuple(
            BundledPark(
                queue_times_id=int(row["queue_times_id"]),
                name=row["name"],
                city=row["city"],
                region=row["state_province"],
                country=row["country"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                timezone=row["timezone"],
                operator=row["operator"],
                is_disney=row["is_disney"] == "1",
                is_universal=row["is_universal"] == "1",
            )
            for row in csv.DictReader(fh)
        )


@lru_cache(maxsize=1)
def bundled_rides() -> tuple[BundledRide, ...]:
    with data_path("rides.csv").open(newline="", encoding="utf-8") as fh:
        return tuple(
            BundledRide(
                park_queue_times_id=int(row["park_queue_times_id"]),
                queue_times_id=int(row["queue_times_id"]),
                name=row["name"],
                land=row["land"] or None,
                category=row["category"],
            )
            for row in csv.DictReader(fh)
        )
