"""Many parks: for each size (48, 150, 300 parks, the same simulated days), build the
dataset with the simulator, time the uncached rankings, then time collection cycles.

    python bench/scale.py --url-prefix mysql+pymysql://root@127.0.0.1:3306/hos_scale_bench \
        --sizes 48,150,300 --days 3 --runs 15 --cycles 3

Each size gets its own database, ``<prefix>_<parks>`` (dropped and recreated by
``make_dataset.py``). Steps per size, each in a process of its own so no setting or cache
leaks from one size to the next:

1. ``make_dataset.py --parks N`` with ``--days`` days (clock pinned to 2026-08-15 12:00 Z);
2. the rankings in-process (Flask test client, response cache off, clock pinned 5 s
   after the database's latest cycle, as a visitor just after a collection sees it):
   kept ready first (the ``rankings`` job, timed), then set aside and computed per
   request; ``--runs`` timed calls of each path in each mode after one warm-up, p50 and
   p95. Not a fixed
   instant: with cycles after the pinned clock (a later run's collections) today's
   running sums no longer cover the day up to "now", and every today figure is computed
   from raw observations instead — a different, much slower path;
3. ``collect_cycle.py --keep --parks N``: ``--cycles`` collection cycles of every park
   after the dataset's last one, against the local fake upstream, with no latency and
   with ``--latency-ms`` per answer (a distant upstream).

A table is printed at the end (and as JSON with --json-out).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATHS = (
    "/api/parks/downtime?period=live",
    "/api/parks/downtime?period=today",
    "/api/parks/downtime?period=yesterday",
    "/api/rides/downtime?period=today",
)


def rankings(url: str, runs: int) -> dict[str, dict[str, float]]:
    """p50 / p95 / min in ms of each path, uncached (runs in a child process)."""
    from datetime import UTC, timedelta

    from sqlalchemy import create_engine, func, select

    from hallofshame.db.models import Cycle

    engine = create_engine(url)
    with engine.connect() as conn:
        latest = conn.scalar(select(func.max(Cycle.ts)))
    engine.dispose()
    if latest is None:
        raise SystemExit(f"{url}: no cycles")
    now = latest.replace(tzinfo=UTC) + timedelta(seconds=5)
    os.environ.update(
        HOS_DATABASE_URL=url,
        HOS_NOW=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        HOS_CACHE_ENABLED="0",
        HOS_CACHE_URL="",
        HOS_RATE_LIMIT="",
    )
    from sqlalchemy import delete

    from hallofshame.api.app import create_app
    from hallofshame.db.engine import writer_factory
    from hallofshame.db.models import RankingAnswer, RankingRow
    from hallofshame.jobs.tasks import outages_now_job, rankings_job

    client = create_app().test_client()
    out: dict[str, dict[str, float]] = {}
    print(f"rankings at {os.environ['HOS_NOW']}", file=sys.stderr)
    factory = writer_factory()
    # Kept ready as the scheduler keeps them after a cycle, then computed per request.
    outages_now_job(factory)  # the stay-or-go fields of the rides down now, as after a cycle
    t0 = time.perf_counter()
    rankings_job(factory)
    out["keeping them ready"] = {"s": time.perf_counter() - t0}
    for mode in ("kept", "computed"):
        if mode == "computed":
            with factory() as session, session.begin():
                session.execute(delete(RankingRow))
                session.execute(delete(RankingAnswer))
        for path in PATHS:
            answer = client.get(path)  # the warm-up, and a check
            # X-Ranking says how it was answered: stored (kept ready) or computed.
            way = "stored" if mode == "kept" else "computed"
            if answer.status_code != 200 or answer.headers.get("X-Ranking") != way:
                raise SystemExit(f"{path}: {answer.status_code}, {answer.headers.get('X-Ranking')}")
            samples = []
            for _ in range(runs):
                t0 = time.perf_counter()
                status = client.get(path).status_code
                samples.append((time.perf_counter() - t0) * 1000)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
            samples.sort()
            out[f"{mode} {path}"] = {
                "p50": statistics.median(samples),
                "p95": samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
                "min": samples[0],
            }
    return out


def _run(args: list[str], env: dict[str, str] | None = None) -> str:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    print(f"  ({time.perf_counter() - started:.0f} s) {' '.join(args[:2])}", file=sys.stderr)
    return done.stdout


def _last_json(text: str) -> dict[str, object]:
    return json.loads(text.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url-prefix", required=True, help="database URL without the size")
    parser.add_argument("--sizes", default="48,150,300")
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--skip-build", action="store_true", help="datasets already built")
    parser.add_argument("--json-out")
    parser.add_argument("--rankings-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rankings_only:
        print(json.dumps(rankings(args.rankings_only, args.runs)))
        return

    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        url = f"{args.url_prefix}_{size}"
        print(f"{size} parks: {url.split('@')[-1]}", file=sys.stderr)
        row: dict[str, object] = {"parks": size, "load": os.getloadavg()[0]}
        if not args.skip_build:
            t0 = time.perf_counter()
            built = _run(
                [
                    str(HERE / "make_dataset.py"),
                    "--url",
                    url,
                    "--parks",
                    str(size),
                    "--days",
                    str(args.days),
                ]
            )
            row["build_s"] = time.perf_counter() - t0
            row["dataset"] = built.strip().splitlines()[-1]
        ranking_args = ["--url-prefix", "-", "--rankings-only", url, "--runs", str(args.runs)]
        row["rankings"] = _last_json(_run([str(Path(__file__)), *ranking_args]))
        for latency in (0.0, args.latency_ms):
            collected = _last_json(
                _run(
                    [
                        str(HERE / "collect_cycle.py"),
                        "--url",
                        url,
                        "--keep",
                        "--parks",
                        str(size),
                        "--cycles",
                        str(args.cycles),
                        "--latency-ms",
                        str(latency),
                        "--json",
                    ]
                )
            )
            row[f"collect_{latency:.0f}ms"] = collected
        results.append(row)

    print()
    header = "| parks | " + " | ".join(p.split("/api/")[1] for p in PATHS) + " | "
    header += "keeping them ready (s) | "
    header += f"cycle, local (s) | cycle, {args.latency_ms:.0f} ms upstream (s) |"
    print(header + "\n(each ranking: p50 ms kept ready / computed per request)")
    print("|" + "---:|" * (len(PATHS) + 4))
    for row in results:
        ranks = row["rankings"]
        assert isinstance(ranks, dict)
        cells = [
            f"{ranks['kept ' + p]['p50']:.1f} / {ranks['computed ' + p]['p50']:.0f}" for p in PATHS
        ]
        cells.append(f"{ranks['keeping them ready']['s']:.1f}")
        for key in ("collect_0ms", f"collect_{args.latency_ms:.0f}ms"):
            c = row[key]
            assert isinstance(c, dict)
            walls = c["walls"]
            cells.append(
                f"{statistics.median(walls):.1f} (fetch {statistics.median(c['fetches']):.1f})"
            )
        print(f"| {row['parks']} | " + " | ".join(cells) + " |")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
