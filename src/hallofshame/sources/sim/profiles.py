"""Static traits of simulated parks and rides, inferred from the bundled catalog.

The catalog has no ride types, so importance and exposure to rain are guessed from the
ride's name, land and category. The guesses only need to be plausible: they shape wait
levels, breakdown frequency and outage length, never a metric rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from hallofshame.catalog import BundledPark, BundledRide
from hallofshame.sources.sim.ids import wiki_ride_id
from hallofshame.sources.sim.rng import seeded
from hallofshame.sources.sim.synthetic import is_synthetic, speaks_wiki

# Headliners: long queues, more breakdowns, longer outages.
_BIG = re.compile(
    r"coaster|mountain|tron|hagrid|velocicoaster|guardians|resistance|flight of passage|"
    r"tower of terror|smugglers|mine train|incredicoaster|radiator springs|indiana jones|"
    r"mummy|kong|gringotts|hulk|rock ?'?n'? ?roller|test track|everest|tiana|mario|"
    r"fury|force|top thrill|diamondback|orion|steel|maverick|valravn|gatekeeper|"
    r"magnum|raptor|intimidator|twisted|goliath|batman|superman|kingda|nitro|"
    r"el toro|x2|ride of steel|velocity|ironwood|mystic|phoenix|beast|banshee|"
    r"leviathan|behemoth|lightning|thunder|dragon|monster|cheetah|kraken|mako|manta|"
    r"pantheon|tempesto|iron gwazi|montu|sheikra|cobra|stardust|wildfire|time traveler",
    re.IGNORECASE,
)
# Gentle rides and walk-throughs: short queues, few breakdowns.
_SMALL = re.compile(
    r"carou?sel|carrousel|tea ?cups?|tea party|kiddie|junior|jr\.|playground|play area|"
    r"railroad|train|station|theat(er|re)|treehouse|vehicles|peoplemover|tiki|"
    r"balloon|bumper|bugs|helicopters|motorcycles|mustangs|cars|buggies|wheel|"
    r"boats|swings|frog|dumbo|speedway|puppet|walk|trail|exhibit|tram|sky ?ride",
    re.IGNORECASE,
)
# Outdoor rides that close for lightning and heavy rain: coasters and water rides.
_OUTDOOR = re.compile(
    r"coaster|mountain|splash|rapids|river|falls|flume|log|raft|water|wave|kali|"
    r"jurassic|dudley|popeye|bayou|tiana|velocicoaster|tron|mine|steel|force|thrill|"
    r"drop|tower|swing|sky|wheel|flyer|flying|canoe|chute|slide|speedway",
    re.IGNORECASE,
)
_WATER_PARK = re.compile(r"aquatica|volcano bay", re.IGNORECASE)


class Season(Enum):
    YEAR_ROUND = "year_round"  # open every day (Disney, Universal, big Florida parks)
    SUNBELT = "sunbelt"  # open most days; off-season closes some weekdays
    SEASONAL = "seasonal"  # closed in winter, weekends-only in the shoulder seasons


_YEAR_ROUND_IDS = {21, 20, 24, 61}  # SeaWorld Orlando/San Diego, Busch Tampa, Knott's


@dataclass(frozen=True, slots=True)
class ParkProfile:
    park: BundledPark
    season: Season
    water_park: bool
    # Disney and Universal open earlier and close later than regional parks.
    destination: bool


@dataclass(frozen=True, slots=True)
class RideProfile:
    ride: BundledRide
    wiki_id: str
    importance: int  # 1 headliner … 3 gentle; loosely tracks the product's tiers
    peak_wait: int  # minutes at the daily peak on an average-crowd day
    outdoor: bool
    breakdown_weight: float
    outage_median_min: float


def park_profile(park: BundledPark) -> ParkProfile:
    if is_synthetic(park):
        # Synthetic ThemeParks.wiki parks run like the destination parks that feed speaks
        # for; the others like the sunbelt's regional parks (open most days).
        wiki = speaks_wiki(park)
        season = Season.YEAR_ROUND if wiki else Season.SUNBELT
        return ParkProfile(park=park, season=season, water_park=False, destination=wiki)
    water = bool(_WATER_PARK.search(park.name))
    destination = park.is_disney or park.is_universal
    if (destination and not water) or park.queue_times_id in _YEAR_ROUND_IDS:
        season = Season.YEAR_ROUND
    elif park.region in {"Florida", "California"} and park.operator not in {"Six Flags"}:
        season = Season.SUNBELT
    elif park.queue_times_id == 32:
        season = Season.SUNBELT  # Magic Mountain runs almost all year
    else:
        season = Season.SEASONAL
    return ParkProfile(park=park, season=season, water_park=water, destination=destination)


def open_probability(profile: ParkProfile, day: date) -> float:
    """Chance the park operates at all on ``day`` (local)."""
    weekend = day.weekday() >= 4  # Friday to Sunday
    month = day.month
    summer = 6 <= month <= 7 or (month == 8 and day.day <= 20)
    if profile.water_park:
        if summer or 4 <= month <= 9:
            return 1.0
        return 0.6 if weekend else 0.35
    if profile.season is Season.YEAR_ROUND:
        return 1.0
    if profile.season is Season.SUNBELT:
        if summer or weekend or day.weekday() not in (1, 2):
            return 1.0
        return 0.35  # Legoland-style Tuesday/Wednesday closures off-season
    # Regional seasonal parks (Six Flags, Cedar Fair and most independents).
    if summer:
        return 1.0
    if month in (1, 2) or (month == 3 and day.day < 20):
        return 0.0
    if month == 12 and day.day >= 26:
        return 0.8  # holiday events
    if weekend:
        return 0.5 if month in (11, 12, 3) else 1.0
    return 0.5 if month in (5, 8) else 0.1


def ride_profile(ride: BundledRide, seed: int) -> RideProfile:
    rng = seeded(seed, "ride", ride.queue_times_id)
    text = f"{ride.name} {ride.land or ''}"
    category = ride.category
    if category != "ATTRACTION":
        importance = 3
    elif _BIG.search(ride.name) or "coaster" in (ride.land or "").lower():
        importance = 1
    elif _SMALL.search(text) or (ride.land or "").lower() in {"kids", "kids' rides"}:
        importance = 3
    else:
        importance = 2

    if category == "SHOW":
        peak = 0
    elif category == "EXPERIENCE":
        # Most experiences post no wait; a few (character walk-throughs) post short ones.
        peak = 0 if rng.random() < 0.7 else rng.randint(5, 20)
    elif category == "MEET_AND_GREET":
        peak = rng.randint(15, 50)
    else:
        low, high = {1: (45, 120), 2: (15, 55), 3: (5, 25)}[importance]
        peak = rng.randint(low, high)

    outdoor = category == "ATTRACTION" and bool(
        _OUTDOOR.search(text) or (importance == 1 and rng.random() < 0.6)
    )
    weight = {1: 2.5, 2: 1.4, 3: 0.7}[importance] if category == "ATTRACTION" else 0.0
    median = {1: 45.0, 2: 25.0, 3: 15.0}[importance]
    return RideProfile(
        ride=ride,
        wiki_id=wiki_ride_id(ride.queue_times_id),
        importance=importance,
        peak_wait=peak,
        outdoor=outdoor,
        breakdown_weight=weight * rng.uniform(0.5, 1.6),  # some rides are just flakier
        outage_median_min=median,
    )
