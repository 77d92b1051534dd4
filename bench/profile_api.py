"""Where one API answer's time goes: wall time of several runs, then a cProfile of as many
more runs (the profile's own overhead kept out of the timings).

    python bench/profile_api.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_l \
        --path '/api/parks/downtime?period=last_month' --runs 10

The app runs in this process with the response cache off and the clock pinned, as the
cache-off load test runs it; the first call (imports, connection pool, catalog) is left
out of both the timings and the profile.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time


def _check(path: str, status: int) -> None:
    if status != 200:
        raise SystemExit(f"{path} answered {status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--path", action="append", required=True, help="repeatable")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--now", default="2026-08-15T11:55:07Z")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    os.environ.update(
        HOS_DATABASE_URL=args.url,
        HOS_NOW=args.now,
        HOS_CACHE_ENABLED="0",
        HOS_CACHE_URL="",
        HOS_RATE_LIMIT="",
    )
    from hallofshame.api.app import create_app

    client = create_app().test_client()
    profile = cProfile.Profile()
    for path in args.path:
        _check(path, client.get(path).status_code)  # the warm-up, and a check
        samples = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            status = client.get(path).status_code
            samples.append((time.perf_counter() - t0) * 1000)
            _check(path, status)
        print(
            f"{path}: median {statistics.median(samples):.1f} ms, "
            f"min {min(samples):.1f}, max {max(samples):.1f} (n={args.runs})"
        )
        # Profiled apart: cProfile's overhead inflates Python-heavy parts about twofold.
        for _ in range(args.runs):
            profile.enable()
            client.get(path)
            profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
