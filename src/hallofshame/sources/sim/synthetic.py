"""Synthetic parks: the simulator's parks beyond the 48 of the bundled catalog.

For simulations and benchmarks at sizes the real catalog does not reach (issue #19: 300
parks). Every synthetic park is plainly marked — named "Synthetic Park <n>", operator
``synthetic``, city "Synthetic" — and exists only where a simulation put it: nothing in
the product loads them on its own, and a collection from the real upstreams skips them
(``ParkRef.synthetic``).

Park ``n`` (49, 50, …) follows the catalog's last park. Everything about it comes from
an RNG seeded by (seed, n): its place in the world (one of the time zones below, the
coordinates near that zone's city), its feed (about one park in four speaks
ThemeParks.wiki, the rest Queue-Times, like the catalog's 10 of 48) and its 20–60 rides,
named so that the product's tier rules sort them in about the catalog's proportions.
Its rides are a function of the park's own fields, so a park read back from any seed
always gets the same rides.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from hallofshame.catalog import BundledPark, BundledRide, bundled_parks, bundled_rides
from hallofshame.sources.sim.rng import seeded

SYNTHETIC_OPERATOR = "synthetic"
SYNTHETIC_CITY = "Synthetic"
#: The seed of the synthetic catalog (not the simulator's: parks stay put when only the
#: simulated days change).
DEFAULT_SEED = 1
#: Queue-Times park ids of synthetic parks: far above the real ones (a few hundred).
FIRST_ID = 1_000_000
#: Ride ids are ``park id × 100 + k``; 60 rides at most per park.
_RIDES_PER_PARK = 100
MIN_RIDES, MAX_RIDES = 20, 60

# (time zone, country, region, latitude, longitude) of a real theme-park region; a park
# lands within a degree or two of it. Half-hour offsets and southern-hemisphere summer
# time included on purpose.
_PLACES: tuple[tuple[str, str, str, float, float], ...] = (
    ("America/New_York", "US", "North America", 40.7, -74.0),
    ("America/Chicago", "US", "North America", 41.9, -87.6),
    ("America/Denver", "US", "North America", 39.7, -105.0),
    ("America/Los_Angeles", "US", "North America", 34.0, -118.2),
    ("America/Toronto", "CA", "North America", 43.7, -79.4),
    ("America/Mexico_City", "MX", "North America", 19.4, -99.1),
    ("America/Sao_Paulo", "BR", "South America", -23.5, -46.6),
    ("America/Argentina/Buenos_Aires", "AR", "South America", -34.6, -58.4),
    ("Europe/London", "GB", "Europe", 51.5, -0.1),
    ("Europe/Paris", "FR", "Europe", 48.9, 2.4),
    ("Europe/Berlin", "DE", "Europe", 52.5, 13.4),
    ("Europe/Madrid", "ES", "Europe", 40.4, -3.7),
    ("Europe/Amsterdam", "NL", "Europe", 52.4, 4.9),
    ("Europe/Stockholm", "SE", "Europe", 59.3, 18.1),
    ("Europe/Rome", "IT", "Europe", 41.9, 12.5),
    ("Africa/Johannesburg", "ZA", "Africa", -26.2, 28.0),
    ("Asia/Dubai", "AE", "Asia", 25.2, 55.3),
    ("Asia/Kolkata", "IN", "Asia", 19.1, 72.9),
    ("Asia/Shanghai", "CN", "Asia", 31.2, 121.5),
    ("Asia/Tokyo", "JP", "Asia", 35.7, 139.7),
    ("Asia/Seoul", "KR", "Asia", 37.6, 127.0),
    ("Asia/Singapore", "SG", "Asia", 1.35, 103.8),
    ("Australia/Sydney", "AU", "Oceania", -33.9, 151.2),
    ("Pacific/Auckland", "NZ", "Oceania", -36.8, 174.8),
)

# Ride names. Each pool's share is about the catalog's share of the tier the product's
# keyword rules give such names (the catalog: 5 % tier 1, 6 % tier 2, 13 % tier 3 by
# rule, 76 % matching no rule).
_WORDS = (
    "Comet", "Cyclone", "Falcon", "Voyager", "Sirocco", "Nebula", "Outlaw", "Tornado",
    "Pioneer", "Jaguar", "Avalanche", "Meteor", "Odyssey", "Galleon", "Vortex", "Safari",
    "Atlantis", "Condor", "Stampede", "Lagoon", "Mirage", "Quest", "Rocket", "Sherwood",
)  # fmt: skip
_HEADLINERS = ("{} Coaster", "{} Mountain", "{} Drop Tower", "{} Flume")  # tier 1
_STANDARD = ("{} River Rapids", "{} Dark Ride", "{} Speedway", "{} Boats")  # tier 2
_GENTLE = ("{} Carousel", "{} Tea Cups", "{} Railroad", "{} Kiddie Swings", "{} Theater")
_PLAIN = ("{}", "The {}", "{} Adventure", "{} Expedition", "{} Run", "{} Express")
_LANDS = ("Frontier", "Harbour", "Future World", "Enchanted Forest", "Main Street", "Kids")


def is_synthetic(park: BundledPark) -> bool:
    return park.operator == SYNTHETIC_OPERATOR


def synthetic_park_id(number: int) -> int:
    """The Queue-Times id of synthetic park ``number`` (49 and up)."""
    return FIRST_ID + number


def synthetic_park(number: int, seed: int = DEFAULT_SEED) -> BundledPark:
    if number <= len(bundled_parks()):
        raise ValueError(f"synthetic parks start after the catalog's {len(bundled_parks())}")
    rng = seeded(seed, "synthetic-park", number)
    zone, country, region, lat, lon = rng.choice(_PLACES)
    return BundledPark(
        queue_times_id=synthetic_park_id(number),
        name=f"Synthetic Park {number}",
        city=SYNTHETIC_CITY,
        region=region,
        country=country,
        latitude=round(lat + rng.uniform(-1.5, 1.5), 5),
        longitude=round(lon + rng.uniform(-1.5, 1.5), 5),
        timezone=zone,
        operator=SYNTHETIC_OPERATOR,
        is_disney=False,
        is_universal=False,
    )


def speaks_wiki(park: BundledPark) -> bool:
    """A synthetic park served as ThemeParks.wiki (DOWN and schedules): about one in
    four, decided by its id alone."""
    return is_synthetic(park) and seeded("synthetic-feed", park.queue_times_id).random() < 0.25


def simulated_parks(count: int | None, seed: int = DEFAULT_SEED) -> list[BundledPark]:
    """The catalog's parks, then synthetic ones up to ``count`` (``None``: the catalog)."""
    catalog = list(bundled_parks())
    if count is None:
        return catalog
    if count <= len(catalog):
        return catalog[: max(0, count)]
    return catalog + [synthetic_park(n, seed) for n in range(len(catalog) + 1, count + 1)]


@lru_cache(maxsize=4096)
def synthetic_rides(park: BundledPark) -> tuple[BundledRide, ...]:
    """A synthetic park's rides, drawn from the park's own fields."""
    if not is_synthetic(park):
        raise ValueError(f"{park.name} is not a synthetic park")
    rng = seeded("synthetic-rides", park.queue_times_id, park.name, park.latitude, park.timezone)
    count = rng.randint(MIN_RIDES, MAX_RIDES)
    rides = []
    used: set[str] = set()
    for k in range(count):
        pool = rng.choices((_HEADLINERS, _STANDARD, _GENTLE, _PLAIN), (5, 6, 13, 76))[0]
        base = name = rng.choice(pool).format(rng.choice(_WORDS))
        again = 1
        while name in used:
            again += 1
            name = f"{base} {again}"
        used.add(name)
        roll = rng.random()
        category = (
            "SHOW" if "Theater" in name else
            "ATTRACTION" if roll < 0.9 else
            "EXPERIENCE" if roll < 0.98 else
            "MEET_AND_GREET"
        )  # fmt: skip
        land = None if rng.random() < 0.2 else rng.choice(_LANDS)
        rides.append(
            BundledRide(
                park_queue_times_id=park.queue_times_id,
                queue_times_id=park.queue_times_id * _RIDES_PER_PARK + k,
                name=name,
                land=land,
                category=category,
            )
        )
    return tuple(rides)


@lru_cache(maxsize=1)
def _catalog_rides_by_park() -> dict[int, tuple[BundledRide, ...]]:
    by_park: dict[int, list[BundledRide]] = {}
    for ride in bundled_rides():
        by_park.setdefault(ride.park_queue_times_id, []).append(ride)
    return {park: tuple(rides) for park, rides in by_park.items()}


def rides_of(park: BundledPark) -> tuple[BundledRide, ...]:
    """A simulated park's rides: the catalog's, or the synthetic park's own."""
    if is_synthetic(park):
        return synthetic_rides(park)
    return _catalog_rides_by_park().get(park.queue_times_id, ())


def rides_of_parks(parks: Sequence[BundledPark]) -> list[BundledRide]:
    return [ride for park in parks for ride in rides_of(park)]


def simulated_park(queue_times_id: int, seed: int = DEFAULT_SEED) -> BundledPark | None:
    """The catalog or synthetic park with this Queue-Times id, if the simulator has one."""
    if queue_times_id > FIRST_ID + len(bundled_parks()):
        return synthetic_park(queue_times_id - FIRST_ID, seed)
    return next((p for p in bundled_parks() if p.queue_times_id == queue_times_id), None)
