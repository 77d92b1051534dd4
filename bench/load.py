"""Load test: the real server (gunicorn, ``hallofshame serve``) under Locust's visitors.

    python bench/load.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_l \\
        --users 20 --duration 60 --cache off

Starts ``hallofshame serve`` on loopback against the dataset (clock pinned to the
dataset's), drives it with ``bench/locustfile.py`` headless, and prints per-endpoint
request counts, failures and the 50th/95th/99th percentiles, plus the API workers'
memory at the start and the end of the run. Traffic goes to 127.0.0.1 only and stops
by itself after ``--duration`` seconds.

The server runs as in production behind nginx: the rate limit on, counted per visitor
(``HOS_TRUSTED_PROXIES=1``, each visitor its own ``X-Forwarded-For``) in Redis.
``--cache shared`` is the production cache: Redis, filled by ``hallofshame warm`` first
(what the scheduler does after every cycle); ``--cache local`` is each worker's own
in-process cache; ``--cache off`` computes every answer.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, timedelta
from pathlib import Path

import httpx
import psutil
import redis

HERE = Path(__file__).resolve().parent
PINNED_NOW = "2026-08-15T12:00:00Z"  # the clock make_dataset.py builds the data at
#: How long after a cycle lands the scheduler has warmed the cache for it.
AFTER_CYCLE = timedelta(seconds=5)


def _clock(url: str) -> str:
    """The instant the server is pinned at: just after the dataset's latest cycle.

    A running answer lives until the next cycle is due. With the clock frozen where the
    dataset ends (12:00:00, two seconds before its next cycle) every live and today
    answer would expire after the five-second minimum, forever: a state production never
    stays in. Pinned just after the latest cycle, answers live as they do after a real
    cycle, and ``_keep_warm`` refreshes them once per interval as the scheduler would.
    """
    from sqlalchemy import create_engine, func, select

    from hallofshame.clock import parse_instant
    from hallofshame.db.models import Cycle
    from hallofshame.metrics.timeseries import iso_utc

    limit = parse_instant(os.environ.get("HOS_NOW", PINNED_NOW))
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            latest = conn.scalar(select(func.max(Cycle.ts)).where(Cycle.ts <= limit))
    finally:
        engine.dispose()
    if latest is None:
        return iso_utc(limit)
    return iso_utc(latest.replace(tzinfo=UTC) + AFTER_CYCLE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss_mib(server: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory of each gunicorn worker (the children of the master)."""
    master = psutil.Process(server.pid)
    return sorted(round(c.memory_info().rss / 2**20, 1) for c in master.children(recursive=True))


def _server_env(args: argparse.Namespace) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HOS_DATABASE_URL=args.url,
        HOS_NOW=args.now,
        HOS_CACHE_ENABLED="0" if args.cache == "off" else "1",
        # The limiter counts in Redis in every mode, as in production; only --cache local
        # keeps answers (and so the limiter's counts) per worker.
        HOS_CACHE_URL="" if args.cache == "local" else args.redis,
        HOS_TRUSTED_PROXIES="1",
    )
    return env


def _warm(args: argparse.Namespace) -> None:
    exe = Path(sys.executable).with_name("hallofshame")
    started = time.perf_counter()
    done = subprocess.run(
        [str(exe), "warm"], env=_server_env(args), capture_output=True, text=True, check=True
    )
    print(f"warm: {done.stdout.strip()} ({time.perf_counter() - started:.1f} s with start-up)")


def _keep_warm(args: argparse.Namespace, stop: threading.Event) -> None:
    """What the scheduler does after each collection cycle. The clock is pinned, so no
    cycle arrives; live and today's answers still expire after one interval, and are
    refreshed here once per interval as a new cycle would have them refreshed."""
    interval = int(os.environ.get("HOS_COLLECT_INTERVAL", "300"))
    while not stop.wait(interval):
        _warm(args)


def _start_server(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    env = _server_env(args)
    exe = Path(sys.executable).with_name("hallofshame")
    cmd = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(args.workers)]
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=5).status_code < 500:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not come up within 120 s")


def _visitors(samples: Path) -> None:
    """The visitors' own percentiles over every request (the hammer left out)."""
    times = sorted(float(x) for x in samples.read_text().split())
    if not times:
        return
    pick = [times[min(len(times) - 1, int(q * len(times)))] for q in (0.50, 0.95, 0.99)]
    print(
        f"{'visitors (all endpoints)':<30}{len(times):>9}{'':>7}"
        + "".join(f"{round(ms):>7}" for ms in pick)
    )


def _report(prefix: Path) -> None:
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"{'endpoint':<30}{'requests':>9}{'fails':>7}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
    for row in rows:
        print(
            f"{row['Name']:<30}{row['Request Count']:>9}{row['Failure Count']:>7}"
            f"{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of the dataset")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5.0)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--cache", choices=("off", "local", "shared"), default="off")
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/12", help="Redis database (flushed)"
    )
    parser.add_argument(
        "--hammer", action="store_true", help="add one client asking at twice the rate limit"
    )
    parser.add_argument(
        "--target",
        default=None,
        help="base URL of a deployment already running (e.g. deploy/cluster's proxy): "
        "drive it instead of starting a server; --url, --cache and --workers are then its own",
    )
    args = parser.parse_args()
    if args.target:
        _drive(args, args.target.rstrip("/"))
        return
    args.now = _clock(args.url)

    redis.Redis.from_url(args.redis).flushdb()  # every run starts from an empty cache
    stop = threading.Event()
    # What the scheduler does after each cycle: the rankings kept ready in the database
    # (every mode), and the shared cache filled from them (``--cache shared``).
    _warm(args)
    threading.Thread(target=_keep_warm, args=(args, stop), daemon=True).start()
    port = _free_port()
    server = _start_server(args, port)
    try:
        print(
            f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores; "
            f"database: {args.url.split('@')[-1]}; {args.users} users, {args.duration} s, "
            f"cache {args.cache}, {args.workers} workers, clock pinned at {args.now}"
            + (", plus one client over the rate limit" if args.hammer else "")
        )
        print(f"worker memory at start (MiB): {_rss_mib(server)}")
        _locust(args, f"http://127.0.0.1:{port}")
        print(f"worker memory at end (MiB): {_rss_mib(server)}")
    finally:
        stop.set()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _locust(args: argparse.Namespace, host: str) -> None:
    """Locust's visitors against ``host`` for ``--duration`` seconds, then the report."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "load"
        locust = Path(sys.executable).with_name("locust")
        subprocess.run(
            [
                str(locust),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--only-summary",
                "--users",
                str(args.users + (1 if args.hammer else 0)),
                "--spawn-rate",
                str(args.spawn_rate),
                "--run-time",
                f"{args.duration}s",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--loglevel",
                "WARNING",
            ],
            check=False,
            env={
                **os.environ,
                "HOS_LOAD_HAMMER": "1" if args.hammer else "0",
                "HOS_LOAD_SAMPLES": f"{prefix}_visitors.txt",
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # its own summary; the CSV files hold the same
        )
        _report(prefix)
        _visitors(Path(f"{prefix}_visitors.txt"))
        failures = Path(f"{prefix}_failures.csv").read_text().strip().splitlines()
        for line in failures[1:]:
            print(f"failure: {line}")


def _drive(args: argparse.Namespace, target: str) -> None:
    """A deployment already running: its clock, cache and workers are its own."""
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f}; target {target}; {args.users} users, {args.duration} s"
        + (", plus one client over the rate limit" if args.hammer else "")
    )
    _locust(args, target)


if __name__ == "__main__":
    main()
