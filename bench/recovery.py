"""Stay or go timings: one ride's recovery answer, and what the stay-or-go fields of rides
down now add to the live listings.

    python bench/recovery.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_l --derive
    python bench/recovery.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_l --runs 15

``--derive`` first brings the schema to head and stores the outages of every rolled-up
day (``ride_outages``), as the daily rollup now does as days end; a dataset built before
revision 0009 has none. Then, in this process, response cache off, clock pinned to the
dataset's, one request at a time (the first of each path left out):

- ``/api/rides/{id}/recovery`` for the rides down now (and the rides with the most
  outages, up to ``--rides``), each once per run: outages from the store, and with the
  store ignored (every outage read from 90 days of raw cycles, as before revision 0009);
- that lookup by itself, for every ride down now at once, which a 10 ms budget can be
  read against where a whole listing's spread cannot: computed (``outages_now``), read as
  a listing reads it with the answers the collection job stores after each cycle (the
  job run here once, ``refresh_outages_now``), and with that store empty;
- the live listings (``/api/rides/downtime?period=live`` and the details of the parks
  with the most rides down), answers stored, with the stay-or-go fields and without them
  (the fields' lookup switched off), alternated within each run so both see the same
  load.

Medians and ranges over the runs; run it several times on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def _derive(url: str) -> None:
    from sqlalchemy import select, update

    from hallofshame.config import get_settings
    from hallofshame.db import migrate
    from hallofshame.db.engine import get_engine, session_factory
    from hallofshame.db.models import Park, ParkDayRollup
    from hallofshame.rollups.outages import rewrite_outages

    migrate.upgrade(get_engine())
    version = get_settings().metrics_version
    cap = get_settings().span_cap_s
    from hallofshame import clock

    now = clock.now()
    factory = session_factory()
    with factory() as s:
        parks = list(s.scalars(select(Park).order_by(Park.id)))
    started = time.perf_counter()
    stored = 0
    for park in parks:
        with factory() as s, s.begin():
            days = list(
                s.scalars(
                    select(ParkDayRollup.local_date).where(
                        ParkDayRollup.park_id == park.id,
                        ParkDayRollup.metrics_version == version,
                        ParkDayRollup.outages.is_(False),
                    )
                )
            )
            if not days:
                continue
            stored += rewrite_outages(s, park, days, version=version, now=now, cap_s=cap)
            s.execute(
                update(ParkDayRollup)
                .where(
                    ParkDayRollup.park_id == park.id,
                    ParkDayRollup.metrics_version == version,
                    ParkDayRollup.local_date.in_(days),
                )
                .values(outages=True)
            )
        print(f"{park.name}: {len(days)} days, {stored} outages so far", flush=True)
    print(f"derived {stored} outages in {time.perf_counter() - started:.0f} s")


def _timed(call: Callable[[], int]) -> float:
    t0 = time.perf_counter()
    status = call()
    if status != 200:
        raise SystemExit(f"answered {status}")
    return (time.perf_counter() - t0) * 1000


def _summary(name: str, samples: list[float]) -> str:
    return (
        f"{name}: median {statistics.median(samples):.1f} ms, "
        f"min {min(samples):.1f}, max {max(samples):.1f} (n={len(samples)})"
    )


@contextmanager
def _patched(target: Any, name: str, value: Any) -> Iterator[None]:
    saved = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rides", type=int, default=10)
    parser.add_argument("--parks", type=int, default=3, help="park details measured")
    # The afternoon before the dataset's pinned instant: American parks are open (at the
    # pinned noon UTC itself they are not, and no ride is down in any live listing).
    parser.add_argument("--now", default="2026-08-14T19:55:07Z")
    parser.add_argument("--derive", action="store_true")
    args = parser.parse_args()
    os.environ.update(
        HOS_DATABASE_URL=args.url,
        HOS_NOW=args.now,
        HOS_CACHE_ENABLED="0",
        HOS_CACHE_URL="",
        HOS_RATE_LIMIT="",
        HOS_SLOW_QUERY_MS="600000",
    )
    if args.derive:
        _derive(args.url)
        return
    from hallofshame.api import views
    from hallofshame.api.app import create_app
    from hallofshame.api.routes import park_details
    from hallofshame.metrics import outage_history

    client = create_app().test_client()
    live = client.get("/api/rides/downtime?period=live&limit=200").get_json()["data"]
    down = [r for r in live if r.get("down_for_minutes") is not None]
    week = client.get("/api/rides/downtime?period=30days&limit=200").get_json()["data"]
    rides = [r["ride_id"] for r in down][: args.rides]
    for r in sorted(week, key=lambda r: -r["breakdowns"]):
        if len(rides) >= args.rides:
            break
        if r["ride_id"] not in rides:
            rides.append(r["ride_id"])
    by_park: dict[int, int] = {}
    for r in down:
        by_park[r["park_id"]] = by_park.get(r["park_id"], 0) + 1
    parks = sorted(by_park, key=lambda p: -by_park[p])[: args.parks]
    print(
        f"{len(live)} rides down now in {len(by_park)} parks; recovery of {len(rides)} rides; "
        f"details of parks {parks} ({[by_park[p] for p in parks]} rides down)"
    )

    def no_fields(*_: Any, **__: Any) -> dict[int, Any]:
        return {}

    def no_store(*_: Any, **__: Any) -> dict[int, Any]:
        return {}

    _lookup_alone(down, args.now, args.runs)
    recovery: dict[str, list[float]] = {"stored": [], "raw": []}
    paths = [
        "/api/rides/downtime?period=live",
        *(f"/api/parks/{p}/details?period=live" for p in parks),
    ]
    listing: dict[tuple[str, str], list[float]] = {}
    for path in paths:  # warm-up, and a check
        _timed(lambda path=path: client.get(path).status_code)
    for ride in rides:
        _timed(lambda ride=ride: client.get(f"/api/rides/{ride}/recovery").status_code)
    for run in range(args.runs):
        for ride in rides:
            url = f"/api/rides/{ride}/recovery"
            recovery["stored"].append(_timed(lambda url=url: client.get(url).status_code))
            with _patched(outage_history, "_stored_until", no_store):
                recovery["raw"].append(_timed(lambda url=url: client.get(url).status_code))
        for path in paths:

            def with_fields(path: str = path) -> float:
                return _timed(lambda: client.get(path).status_code)

            def without_fields(path: str = path) -> float:
                with (
                    _patched(views, "outages_now_of", no_fields),
                    _patched(park_details, "outages_now_of", no_fields),
                ):
                    return _timed(lambda: client.get(path).status_code)

            # Each first in every other run: the second of a pair finds the database's
            # pages warm (+30 ms for the second of two 900 ms listings otherwise).
            if run % 2:
                without, with_ = without_fields(), with_fields()
            else:
                with_, without = with_fields(), without_fields()
            listing.setdefault((path, "with"), []).append(with_)
            listing.setdefault((path, "without"), []).append(without)
    print(_summary("recovery, outages stored", recovery["stored"]))
    print(_summary("recovery, all raw (store ignored)", recovery["raw"]))
    for path in paths:
        w, wo = listing[(path, "with")], listing[(path, "without")]
        added = [a - b for a, b in zip(w, wo, strict=True)]
        print(_summary(f"{path} with fields", w))
        print(_summary(f"{path} without fields", wo))
        print(
            f"  added: median of medians {statistics.median(w) - statistics.median(wo):+.1f} ms, "
            f"paired median {statistics.median(added):+.1f} ms"
        )


def _lookup_alone(down: list[dict[str, Any]], now_text: str, runs: int) -> None:
    """The listings' stay-or-go lookup by itself, for every ride down now at once: the
    part of a listing the fields add, without the rest of the request's spread. Timed
    three ways: computed (``outages_now``, as every request did before revision 0011);
    read as a listing reads it (``listed``) with the answers the collection job stores
    (``refresh_outages_now``, run here once as the job runs it after a cycle); and the
    same with the store emptied (every answer computed, the fallback)."""
    from sqlalchemy import delete, select

    from hallofshame.clock import parse_instant
    from hallofshame.config import get_settings
    from hallofshame.db.engine import session_factory
    from hallofshame.db.models import Park, RideOutageNow
    from hallofshame.metrics import live
    from hallofshame.metrics.outage_now import asked, listed, outages_now
    from hallofshame.rollups.outages_now import refresh_outages_now

    cfg = get_settings()
    now = parse_instant(now_text)
    cap = cfg.span_cap_s
    version = cfg.metrics_version
    factory = session_factory()
    with factory() as session:
        parks = list(session.scalars(select(Park).where(Park.active.is_(True))))
        states = live.ride_states(session, parks, now)
    rides = asked({p.id: p.timezone for p in parks}, states, [r["ride_id"] for r in down])
    t0 = time.perf_counter()
    with factory() as session, session.begin():
        stored = refresh_outages_now(session, now=now, cap_s=cap, version=version)
    print(
        f"refresh_outages_now (the job, once): {stored} answers in "
        f"{(time.perf_counter() - t0) * 1000:.0f} ms"
    )

    def timed(call: Callable[[Any], Any]) -> list[float]:
        out = []
        with factory() as session:
            first = call(session)  # warm-up, and a check
            if len(first) != len(down):
                raise SystemExit(f"{len(first)} answers for {len(down)} rides down")
            for _ in range(runs):
                t0 = time.perf_counter()
                call(session)
                out.append((time.perf_counter() - t0) * 1000)
                session.rollback()
        return out

    computed = timed(lambda s: outages_now(s, rides.parks, now, cap, version))
    from_store = timed(lambda s: listed(s, rides, now, cap, version))
    with factory() as session, session.begin():
        session.execute(delete(RideOutageNow))
    fallback = timed(lambda s: listed(s, rides, now, cap, version))
    n = len(down)
    print(_summary(f"lookup computed, outages_now ({n} rides down)", computed))
    print(_summary(f"lookup as listed, answers stored ({n} rides)", from_store))
    print(_summary(f"lookup as listed, store empty ({n} rides)", fallback))
    with factory() as session, session.begin():  # the listings below read the store
        refresh_outages_now(session, now=now, cap_s=cap, version=version)


if __name__ == "__main__":
    main()
