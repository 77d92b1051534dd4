"""Rankings kept ready against rankings computed per request, one request at a time.

    python bench/rankings.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_l --runs 30

Serves the dataset with ``hallofshame serve`` (gunicorn, two workers, response cache and
per-client rate limit off, clock pinned just after the dataset's latest cycle, as
``load.py`` pins it), keeps the
rankings ready as the scheduler does after a cycle (``hallofshame warm``), and asks every
ranking of every named period, the details of the largest park and of one of its rides,
and that park's one-day 15-minute series, ``--runs`` times each: p50 and p95 per path
and which way each ranking was answered (``X-Ranking``). Then the rankings kept are set
aside (their rows deleted, as a change of data would) and the same paths are asked
again: those answers are computed per request. Last, the time the rankings take to be
kept ready: computed from scratch, and checked again with nothing changed.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
from load import _clock, _free_port  # the same pinned clock and port as the load test
from side_by_side import percentile
from sqlalchemy import create_engine, delete, func, select

from hallofshame.db.models import Park, RankingAnswer, RankingRow, Ride
from hallofshame.domain.periods import NAMED_PERIODS

ROUTES = ("parks/downtime", "parks/waittimes", "rides/downtime", "rides/waittimes")


def _exe() -> str:
    return str(Path(sys.executable).with_name("hallofshame"))


def _warm(env: dict[str, str]) -> str:
    done = subprocess.run([_exe(), "warm"], env=env, capture_output=True, text=True, check=True)
    return next(x for x in done.stdout.splitlines() if x.startswith("rankings kept ready"))


def _paths(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        park_id, ride_id = conn.execute(
            select(Ride.park_id, func.min(Ride.id))
            .join(Park, Park.id == Ride.park_id)
            .where(Park.active.is_(True))
            .group_by(Ride.park_id)
            .order_by(func.count().desc(), Ride.park_id)
            .limit(1)
        ).one()
    engine.dispose()
    paths = [f"/api/{r}?period={p}" for r in ROUTES for p in NAMED_PERIODS]
    paths += [f"/api/parks/{park_id}/details?period={p}" for p in ("today", "last_month")]
    paths += [f"/api/rides/{ride_id}/details?period=today"]
    paths += [f"/api/parks/{park_id}/timeseries?bucket=15m"]
    return paths


def _ask(
    client: httpx.Client, paths: list[str], runs: int
) -> dict[str, tuple[list[float], Counter[str]]]:
    for path in paths:  # warm-up: connections, first compilations
        client.get(path)
    out: dict[str, tuple[list[float], Counter[str]]] = {p: ([], Counter()) for p in paths}
    for _ in range(runs):
        for path in paths:
            started = time.perf_counter()
            answer = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if answer.status_code != 200:
                raise SystemExit(f"{path} answered {answer.status_code}: {answer.text[:200]}")
            out[path][0].append(elapsed)
            out[path][1][answer.headers.get("X-Ranking", "-")] += 1
    return out


def _print(title: str, times: dict[str, tuple[list[float], Counter[str]]]) -> None:
    width = max(len(p) for p in times)
    print(f"\n{title}\n{'path':<{width}}  {'p50':>7} {'p95':>7}  answered")
    for path, (samples, how) in times.items():
        answered = ", ".join(f"{k} {v}" for k, v in sorted(how.items()))
        print(
            f"{path:<{width}}  {statistics.median(samples):7.1f} "
            f"{percentile(samples, 0.95):7.1f}  {answered}"
        )
    ranking = [t for p, (s, _) in times.items() if p.split("?")[0][5:] in ROUTES for t in s]
    print(
        f"{'every ranking request':<{width}}  {statistics.median(ranking):7.1f} "
        f"{percentile(ranking, 0.95):7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the dataset")
    parser.add_argument("--runs", type=int, default=30, help="requests per path and mode")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    now = _clock(args.url)
    env = dict(os.environ)
    # One client asks thousands of times: the per-client rate limit would refuse it.
    env.update(
        HOS_DATABASE_URL=args.url,
        HOS_NOW=now,
        HOS_CACHE_ENABLED="0",
        HOS_CACHE_URL="",
        HOS_RATE_LIMIT="",
    )
    engine = create_engine(args.url)
    with engine.begin() as conn:  # the first refresh computes every period
        conn.execute(delete(RankingRow))
        conn.execute(delete(RankingAnswer))
    started = time.perf_counter()
    first = _warm(env)
    kept_s = time.perf_counter() - started
    started = time.perf_counter()
    again = _warm(env)
    held_s = time.perf_counter() - started
    port = _free_port()
    cmd = [_exe(), "serve", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        [*cmd, "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=5).status_code < 500:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not come up within 120 s") from None
                time.sleep(0.5)
        print(
            f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores; "
            f"database: {args.url.split('@')[-1]}; cache off, {args.workers} workers, "
            f"clock pinned at {now}; {args.runs} requests per path and mode"
        )
        print(f"keeping the rankings ready: {first} — {kept_s:.1f} s with start-up")
        print(f"again, nothing changed: {again} — {held_s:.1f} s with start-up")
        paths = _paths(args.url)
        with httpx.Client(base_url=base, timeout=120) as client:
            _print("rankings kept ready", _ask(client, paths, args.runs))
            with engine.begin() as conn:
                conn.execute(delete(RankingRow))
                conn.execute(delete(RankingAnswer))
            _print("rankings computed per request", _ask(client, paths, args.runs))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        engine.dispose()


if __name__ == "__main__":
    main()
