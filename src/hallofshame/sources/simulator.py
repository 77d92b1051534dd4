"""A deterministic, seeded stand-in for ThemeParks.wiki, Queue-Times and Open-Meteo.

It serves the real bundled catalog and produces raw bodies in the exact upstream shapes
(see ``data/fixtures/``), so everything downstream runs the same parsers and pipeline as
in production. Disney and Universal parks get ThemeParks.wiki bodies (DOWN, schedules);
all other parks Queue-Times bodies (no DOWN, no schedule, occasional stale feeds).

Every (park, local date) is planned once from an RNG seeded by (seed, park, date); any
instant is then a lookup in that plan, so ``live_payload`` needs no history, a replay
and a live run agree, and generating a month of polls takes minutes.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hallofshame.catalog import BundledPark, bundled_parks
from hallofshame.domain.statuses import Source
from hallofshame.sources.sim.ids import feed_of, upstream_park_id, wiki_park_id, wiki_ride_id
from hallofshame.sources.sim.parks import QT_REFRESH_S, ParkState, parks_payload
from hallofshame.sources.sim.plan import (
    OPERATING,
    REFURBISHMENT,
    DayPlan,
    plan_day,
    utc_text,
)
from hallofshame.sources.sim.profiles import RideProfile
from hallofshame.sources.sim.weather import DayWeather, day_weather, forecast_payload

__all__ = ["Simulator", "feed_of", "wiki_park_id", "wiki_ride_id"]

POLL_OFFSET_S = 2  # pollers fire a couple of seconds after the tick
SCHEDULE_DAYS = 7  # days each simulated schedule fetch covers


def _aware(t: datetime) -> float:
    if t.tzinfo is None:
        raise ValueError("the simulator needs aware datetimes")
    return t.timestamp()


def _qt_text(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


class Simulator:
    def __init__(self, seed: int = 42, parks: Sequence[BundledPark] | None = None) -> None:
        self.seed = seed
        self.parks: tuple[BundledPark, ...] = tuple(parks) if parks is not None else bundled_parks()
        self._parks: dict[int, ParkState] = {}
        # Small LRUs: a replay walks time forward, so two days per park is plenty.
        self._cache_size = max(64, 3 * len(self.parks))
        self._plans: OrderedDict[tuple[int, date], DayPlan] = OrderedDict()
        self._weather: OrderedDict[tuple[int, date], DayWeather] = OrderedDict()

    # -- planning -----------------------------------------------------------------------

    def _park(self, park: BundledPark) -> ParkState:
        state = self._parks.get(park.queue_times_id)
        if state is None:
            state = self._parks[park.queue_times_id] = ParkState(park, self.seed)
        return state

    def _day_weather(self, state: ParkState, day: date) -> DayWeather:
        key = (state.park.queue_times_id, day)
        found = self._weather.get(key)
        if found is None:
            found = self._weather[key] = day_weather(self.seed, state.park, day)
            if len(self._weather) > self._cache_size:
                self._weather.popitem(last=False)
        else:
            self._weather.move_to_end(key)
        return found

    def _plan(self, state: ParkState, day: date) -> DayPlan:
        key = (state.park.queue_times_id, day)
        found = self._plans.get(key)
        if found is None:
            weather = self._day_weather(state, day)
            found = plan_day(self.seed, state.profile, state.rides, day, weather)
            self._plans[key] = found
            if len(self._plans) > self._cache_size:
                self._plans.popitem(last=False)
        else:
            self._plans.move_to_end(key)
        return found

    def _plan_at(self, state: ParkState, ts: float) -> DayPlan:
        return self._plan(state, datetime.fromtimestamp(ts, state.zone).date())

    def rides(self, park: BundledPark) -> tuple[RideProfile, ...]:
        """The park's simulated rides, in the order of every plan's ``rides``."""
        return self._park(park).rides

    def plan(self, park: BundledPark, day: date) -> DayPlan:
        """The park's plan for a local date (for tests and diagnostics)."""
        return self._plan(self._park(park), day)

    # -- payloads -----------------------------------------------------------------------

    def live_payload(self, park: BundledPark, t: datetime) -> dict[str, Any]:
        state = self._park(park)
        if state.feed is Source.THEMEPARKS_WIKI:
            return self._wiki_live(state, _aware(t))
        return self._qt_live(state, _aware(t))

    def _wiki_live(self, state: ParkState, ts: float) -> dict[str, Any]:
        plan = self._plan_at(state, ts)
        pid = state.wiki_id
        is_open = plan.operating is not None and plan.operating[0] <= ts < plan.operating[1]
        if plan.operating is None or ts < plan.operating[0]:
            park_changed = plan.start
        else:
            park_changed = plan.operating[0 if is_open else 1]
        rows: list[dict[str, Any]] = [
            {
                "id": pid,
                "name": state.park.name,
                "entityType": "PARK",
                "parkId": None,
                "externalId": f"{state.park.queue_times_id};entityType=theme-park",
                "queue": {"STANDBY": {"waitTime": None}},
                "status": "OPERATING" if is_open else "CLOSED",
                "lastUpdated": utc_text(park_changed),
            }
        ]
        for profile, day in zip(state.rides, plan.rides, strict=True):
            ride = profile.ride
            i = day.segment(ts)
            status = day.statuses[i]
            row: dict[str, Any] = {
                "id": profile.wiki_id,
                "name": ride.name,
                "entityType": ride.category,
                "parkId": pid,
                "externalId": f"{ride.queue_times_id};entityType="
                + ("Entertainment" if ride.category == "SHOW" else "Attraction"),
            }
            if day.waits is not None:
                wait = plan.wait_at(day, ts) if status == OPERATING else None
                row["queue"] = {"STANDBY": {"waitTime": wait}}
            row["status"] = status
            if day.hours is None or status == REFURBISHMENT:
                row["operatingHours"] = []
            else:
                row["operatingHours"] = [
                    {"type": "Operating", "endTime": day.hours[1], "startTime": day.hours[0]}
                ]
            row["lastUpdated"] = day.changed[i]
            rows.append(row)
        return {
            "id": pid,
            "name": state.park.name,
            "entityType": "PARK",
            "timezone": state.park.timezone,
            "liveData": rows,
        }

    def _qt_updated(self, state: ParkState, ts: float) -> float:
        """When Queue-Times last refreshed this park: a little before the poll, or frozen."""
        phase = state.qt_phase
        updated = math.floor((ts - phase) / QT_REFRESH_S) * QT_REFRESH_S + phase
        stale = self._plan_at(state, ts).stale
        if stale is not None and stale[0] <= ts < stale[1]:
            updated = math.floor((stale[0] - phase) / QT_REFRESH_S) * QT_REFRESH_S + phase
        return updated

    def _qt_live(self, state: ParkState, ts: float) -> dict[str, Any]:
        # The body shows the park as of its last refresh, so a frozen feed repeats itself.
        updated = self._qt_updated(state, ts)
        plan = self._plan_at(state, updated)
        stamp = _qt_text(updated)

        bucket = plan.bucket(updated)
        records: list[dict[str, Any]] = []
        for profile, day in zip(state.rides, plan.rides, strict=True):
            i = bisect_right(day.starts, updated) - 1
            is_open = i >= 0 and day.statuses[i] == OPERATING
            records.append(
                {
                    "id": profile.ride.queue_times_id,
                    "name": profile.ride.name,
                    "is_open": is_open,
                    # Queue-Times posts 0 for closed rides and for rides without a queue.
                    "wait_time": day.waits[bucket] if is_open and day.waits else 0,
                    "last_updated": stamp,
                }
            )
        return {
            "lands": [
                {"id": land_id, "name": name, "rides": [records[i] for i in idx]}
                for land_id, name, idx in state.lands
            ],
            "rides": [records[i] for i in state.landless],
        }

    def schedule_payload(self, park: BundledPark, first: date, days: int) -> dict[str, Any] | None:
        state = self._park(park)
        if state.feed is not Source.THEMEPARKS_WIKI:
            return None  # Queue-Times publishes no schedules
        entries: list[dict[str, Any]] = []
        for n in range(days):
            day = first + timedelta(days=n)
            for window in self._plan(state, day).windows:
                entry: dict[str, Any] = {
                    "date": day.isoformat(),
                    "type": window.kind,
                    "closingTime": window.closing.isoformat(),
                }
                if window.description:
                    entry["description"] = window.description
                entry["openingTime"] = window.opening.isoformat()
                entries.append(entry)
        return {
            "id": state.wiki_id,
            "name": park.name,
            "entityType": "PARK",
            "timezone": park.timezone,
            "schedule": entries,
        }

    def weather_payload(self, park: BundledPark, t: datetime) -> dict[str, Any]:
        """Open-Meteo ``/v1/forecast`` for 2 days from UTC midnight, ``timezone=GMT``."""
        state = self._park(park)
        return forecast_payload(park, _aware(t), lambda day: self._day_weather(state, day))

    def parks_payload(self, parks: Sequence[BundledPark] | None = None) -> list[dict[str, Any]]:
        """Queue-Times ``/parks.json``: operator groups with their parks."""
        return parks_payload(parks if parks is not None else self.parks)

    # -- replay -------------------------------------------------------------------------

    def replay_lines(
        self,
        start: datetime,
        end: datetime,
        interval_s: int = 300,
        parks: Sequence[BundledPark] | None = None,
        weather_every_s: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """REPLAY.md lines in time order: Queue-Times ``parks`` first, each wiki park's
        schedule before its first cycle of every local day, then a ``live`` line per
        park per tick (polled ``POLL_OFFSET_S`` after the tick). With ``weather_every_s``
        a ``weather`` line per park is added at the first tick and then that often."""
        if interval_s <= 0 or (weather_every_s is not None and weather_every_s <= 0):
            raise ValueError("intervals must be positive")
        chosen = tuple(parks) if parks is not None else self.parks
        states = [self._park(p) for p in chosen]
        t0, t_end = _aware(start), _aware(end)
        qt = [s.park for s in states if s.feed is Source.QUEUE_TIMES]
        scheduled: dict[int, date] = {}
        tick = t0
        first = True
        next_weather = t0
        while tick < t_end:
            poll = tick + POLL_OFFSET_S
            side_ts = utc_text(tick + POLL_OFFSET_S - 1)
            if first and qt:
                yield {
                    "ts": side_ts,
                    "source": Source.QUEUE_TIMES.value,
                    "kind": "parks",
                    "raw": self.parks_payload(qt),
                }
            first = False
            for state in states:
                if state.feed is not Source.THEMEPARKS_WIKI:
                    continue
                today = datetime.fromtimestamp(poll, state.zone).date()
                if scheduled.get(state.park.queue_times_id) != today:
                    scheduled[state.park.queue_times_id] = today
                    yield {
                        "ts": side_ts,
                        "source": Source.THEMEPARKS_WIKI.value,
                        "park_id": state.wiki_id,
                        "kind": "schedule",
                        "raw": self.schedule_payload(state.park, today, SCHEDULE_DAYS),
                    }
            if weather_every_s is not None and tick >= next_weather:
                next_weather = tick + weather_every_s
                for state in states:
                    yield {
                        "ts": side_ts,
                        "source": state.feed.value,
                        "park_id": upstream_park_id(state.park),
                        "kind": "weather",
                        "raw": self.weather_payload(state.park, datetime.fromtimestamp(poll, UTC)),
                    }
            poll_ts = utc_text(poll)
            for state in states:
                raw = (
                    self._wiki_live(state, poll)
                    if state.feed is Source.THEMEPARKS_WIKI
                    else self._qt_live(state, poll)
                )
                yield {
                    "ts": poll_ts,
                    "source": state.feed.value,
                    "park_id": upstream_park_id(state.park),
                    "kind": "live",
                    "raw": raw,
                }
            tick += interval_s
