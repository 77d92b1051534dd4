"""One park's simulated local day, planned once and then read at any instant.

Everything about a (park, local date) comes from one RNG seeded by (seed, park, date):
the schedule, every ride's status timeline and posted waits, a possible Queue-Times
freeze. No plan depends on another day's, so any instant is computable without history
and a live run continues a replay exactly.
"""

from __future__ import annotations

import math
import random
import time
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from hallofshame.sources.sim.profiles import ParkProfile, RideProfile, open_probability
from hallofshame.sources.sim.rng import seeded
from hallofshame.sources.sim.weather import DayWeather

OPERATING = "OPERATING"
DOWN = "DOWN"
CLOSED = "CLOSED"
REFURBISHMENT = "REFURBISHMENT"

WAIT_BUCKET_S = 600  # posted waits change every 10 minutes, as upstream feeds do
MAX_WAIT = 240
_REFURB_BLOCK_DAYS = 56


def utc_text(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


@dataclass(frozen=True, slots=True)
class Window:
    kind: str  # OPERATING, TICKETED_EVENT, CLOSED
    opening: datetime  # aware, park-local
    closing: datetime
    description: str | None = None


@dataclass(frozen=True, slots=True)
class RideDay:
    """A ride's status timeline for the day: segment i runs from starts[i] to starts[i+1]."""

    starts: tuple[float, ...]
    statuses: tuple[str, ...]
    changed: tuple[str, ...]  # segment start as upstream ``lastUpdated`` text
    waits: tuple[int, ...] | None  # posted wait per WAIT_BUCKET_S bucket; None: no queue
    hours: tuple[str, str] | None  # the ride's operating hours (local ISO), if any

    def segment(self, ts: float) -> int:
        return max(0, bisect_right(self.starts, ts) - 1)


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    start: float  # local midnight, epoch seconds
    end: float  # next local midnight (23, 24 or 25 hours later)
    windows: tuple[Window, ...]
    operating: tuple[float, float] | None
    rides: tuple[RideDay, ...]  # same order as the simulator's ride profiles
    stale: tuple[float, float] | None  # Queue-Times feed frozen during [start, end)
    buckets: int  # wait buckets in the day (a 25-hour day has more)

    def bucket(self, ts: float) -> int:
        return min(self.buckets - 1, max(0, int((ts - self.start) // WAIT_BUCKET_S)))

    def wait_at(self, ride: RideDay, ts: float) -> int | None:
        return None if ride.waits is None else ride.waits[self.bucket(ts)]


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    # Overflowing hours (a 24:00 close) roll into the next day.
    return datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(
        hours=hour, minutes=minute
    )


@lru_cache(maxsize=16384)
def refurbishment(seed: int, ride_id: int, block: int) -> tuple[int, int] | None:
    """[first, last) ordinal days of a ride's multi-week refurbishment in this block.

    Time is cut into fixed blocks so a refurbishment is decided without history; about
    one ride in twenty is closed for refurbishment on a given day.
    """
    rng = seeded(seed, "refurb", ride_id, block)
    if rng.random() >= 0.12:
        return None
    length = rng.randint(14, 42)
    first = block * _REFURB_BLOCK_DAYS + rng.randint(0, _REFURB_BLOCK_DAYS - length)
    return first, first + length


def _schedule(
    rng: random.Random, profile: ParkProfile, day: date, zone: ZoneInfo
) -> tuple[Window, ...]:
    weekend = day.weekday() >= 4
    summer = 6 <= day.month <= 8
    holiday = day.month == 12 and day.day >= 20
    if rng.random() >= open_probability(profile, day):
        if not profile.destination:
            return ()
        # ThemeParks.wiki lists a closed date with a CLOSED entry, so the date is covered.
        return (Window("CLOSED", _local(day, 0, 0, zone), _local(day, 23, 59, zone)),)

    if profile.water_park:
        open_h, open_m = 10, 0
        close_h = 19 if summer else 17
    elif profile.destination:
        open_h, open_m = rng.choices((8, 9, 10), (2, 6, 2))[0], 0
        close_h = (22 if summer or holiday else 21 if weekend else 20) + rng.choice((-1, 0, 0, 1))
    else:
        open_h, open_m = rng.choices(((10, 0), (10, 30), (11, 0)), (6, 2, 2))[0]
        close_h = 22 if summer or holiday else (20 if weekend else 18) + rng.choice((0, 0, 1))
    opening = _local(day, open_h, open_m, zone)
    closing = _local(day, close_h, 0, zone)
    windows = [Window(OPERATING, opening, closing)]
    if profile.park.is_disney and not profile.water_park:
        if rng.random() < 0.75:
            windows.insert(
                0,
                Window("TICKETED_EVENT", opening - timedelta(minutes=30), opening, "Early Entry"),
            )
        if rng.random() < 0.12:
            windows.append(
                Window("TICKETED_EVENT", closing, closing + timedelta(hours=2), "Extended Evening")
            )
    return tuple(windows)


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth's method: fine for the small rates of a ride-day.
    limit, count, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _merge(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _curve(start: float, operating: tuple[float, float], zone: ZoneInfo, n: int) -> list[float]:
    """The park-day's crowd shape per wait bucket: builds over the first hour after
    opening, peaks around 13:30 local, 0 outside the operating window."""
    offset = datetime.fromtimestamp(start, zone).utcoffset() or timedelta()
    base_hour = (start + offset.total_seconds()) % 86400 / 3600
    curve = [0.0] * n
    first = max(0, int((operating[0] - start) // WAIT_BUCKET_S))
    last = min(n - 1, int((operating[1] - start) // WAIT_BUCKET_S))
    for bucket in range(first, last + 1):
        hour = base_hour + bucket * WAIT_BUCKET_S / 3600
        since_open = (start + bucket * WAIT_BUCKET_S - operating[0]) / 3600
        ramp = min(1.0, max(0.2, since_open + 0.2))
        curve[bucket] = (0.3 + 0.7 * math.exp(-(((hour - 13.5) / 3.5) ** 2))) * ramp
    return curve


def _waits(rng: random.Random, peak: float, curve: list[float]) -> tuple[int, ...]:
    """Posted waits per bucket: the day's curve with slow noise, in steps of 5 minutes."""
    noise = 0.0
    out = [0] * len(curve)
    rand = rng.random
    for bucket, shape in enumerate(curve):
        if shape:
            noise = 0.7 * noise + 0.36 * (rand() - 0.5)
            minutes = 5 * round(peak * shape * (1.0 + noise) / 5)
            out[bucket] = MAX_WAIT if minutes > MAX_WAIT else minutes
    return tuple(out)


def plan_day(
    seed: int,
    profile: ParkProfile,
    rides: tuple[RideProfile, ...],
    day: date,
    weather: DayWeather,
) -> DayPlan:
    zone = ZoneInfo(profile.park.timezone)
    rng = seeded(seed, "day", profile.park.queue_times_id, day.isoformat())
    start = _local(day, 0, 0, zone).timestamp()
    end = _local(day + timedelta(days=1), 0, 0, zone).timestamp()
    windows = _schedule(rng, profile, day, zone)
    op = next((w for w in windows if w.kind == OPERATING), None)
    operating = (op.opening.timestamp(), op.closing.timestamp()) if op else None
    hours = (op.opening.isoformat(), op.closing.isoformat()) if op else None

    weekend = day.weekday() >= 5
    crowd = 1.0 + (0.2 if weekend else 0.0) + (0.15 if 6 <= day.month <= 8 else 0.0)
    crowd += rng.uniform(-0.25, 0.25)
    # Rainy hours as epoch intervals; each outdoor ride reacts with its own lag.
    rain = [
        (_local(day, h, 0, zone).timestamp(), _local(day, h + 1, 0, zone).timestamp())
        for h in range(24)
        if weather.closes_outdoor_rides(h)
    ]
    attractions = [r for r in rides if r.breakdown_weight > 0]
    total_weight = sum(r.breakdown_weight for r in attractions) or 1.0
    open_hours = (operating[1] - operating[0]) / 3600 if operating else 0.0
    # "A few" breakdowns per park-day, more in big parks and on long days.
    park_rate = (2.0 + 0.08 * len(attractions)) * open_hours / 11.0
    n_buckets = math.ceil((end - start) / WAIT_BUCKET_S)
    curve = _curve(start, operating, zone, n_buckets) if operating else [0.0] * n_buckets
    block = day.toordinal() // _REFURB_BLOCK_DAYS

    plans: list[RideDay] = []
    for ride in rides:
        is_attraction = ride.ride.category == "ATTRACTION"
        refurb = refurbishment(seed, ride.ride.queue_times_id, block) if is_attraction else None
        if refurb and refurb[0] <= day.toordinal() < refurb[1]:
            plans.append(RideDay((start,), (REFURBISHMENT,), (utc_text(start),), None, None))
            continue
        dark = rng.random() < (0.01 if is_attraction else 0.04)  # occasional all-day closure
        queue = is_attraction or ride.peak_wait > 0
        if operating is None or dark:
            empty = (0,) * n_buckets if queue else None
            plans.append(RideDay((start,), (CLOSED,), (utc_text(start),), empty, hours))
            continue
        opens = operating[0] + 60 * rng.randint(0, 10)
        closes = operating[1] - 60 * rng.randint(0, 2)
        events: list[tuple[float, float]] = []
        if is_attraction:
            for _ in range(_poisson(rng, park_rate * ride.breakdown_weight / total_weight)):
                begin = rng.uniform(opens, closes)
                sigma = 1.1 if ride.importance == 1 else 0.9
                # Log-normal: mostly short stops, a long tail of multi-hour outages.
                minutes = rng.lognormvariate(0, sigma) * ride.outage_median_min
                minutes = min(360.0, max(3.0, minutes))
                events.append((begin, begin + 60 * minutes))
        if ride.outdoor:
            lag = rng.uniform(-600, 300)
            events.extend((s + lag, e + lag + rng.uniform(0, 1200)) for s, e in rain)
        starts, statuses = [start, opens], [CLOSED, OPERATING]
        for s, e in _merge(events):
            s, e = max(s, opens), min(e, closes)
            if s >= e:
                continue
            if starts[-1] >= s:  # down from the moment it would have opened
                statuses[-1] = DOWN
            else:
                starts.append(s)
                statuses.append(DOWN)
            if e < closes:
                starts.append(e)
                statuses.append(OPERATING)
        starts.append(closes)
        statuses.append(CLOSED)
        starts_i = tuple(float(int(s)) for s in starts)
        waits = _waits(rng, ride.peak_wait * crowd, curve) if queue else None
        changed = tuple(utc_text(s) for s in starts_i)
        plans.append(RideDay(starts_i, tuple(statuses), changed, waits, hours))

    stale = None
    if rng.random() < 0.06:
        freeze = _local(day, 9, 0, zone).timestamp() + rng.uniform(0, 11 * 3600)
        stale = (freeze, freeze + 60 * rng.uniform(30, 90))
    return DayPlan(day, start, end, windows, operating, tuple(plans), stale, n_buckets)
