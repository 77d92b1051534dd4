"""Time one collection cycle of every park against a local fake upstream.

    python bench/collect_cycle.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_collect
    python bench/collect_cycle.py --url … --parks 300 --latency-ms 300

The database named in --url is dropped and recreated and given the simulator's parks:
the bundled catalog (48 parks, 1,572 rides), or with --parks N the catalog then synthetic
parks up to N. With --keep it is used as it is (a dataset of ``make_dataset.py`` built
with the same --parks), and the cycles follow its latest one. A local HTTP server plays
ThemeParks.wiki and Queue-Times, serving the simulator's payloads for each park at each
cycle's instant (rendered before the clock starts, so the fake upstream costs nothing
unless --latency-ms makes each answer wait, as a distant upstream would); the collector
polls it over real HTTP with its real client (HOS_COLLECT_CONCURRENCY parks at once,
HOS_UPSTREAM_HOST_CONCURRENCY requests per host), parses, and stores. Reported per cycle:
wall time, the fetch and store phases, cycles and observations stored, HTTP requests
served and the most in flight at once, and SQL statements sent (in total and per park:
it must not grow with the rides).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: Midday in July, Eastern time: every park of the catalog is open.
START = datetime(2026, 7, 18, 17, 0, tzinfo=UTC)


class FakeUpstream:
    """Serves prepared JSON bodies by path, each after ``latency`` seconds; counts the
    requests and the most in flight at once."""

    def __init__(self, latency: float = 0.0) -> None:
        self.bodies: dict[str, bytes] = {}
        self.requests = 0
        self.in_flight = 0
        self.most_in_flight = 0
        lock = threading.Lock()
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with lock:
                    upstream.requests += 1
                    upstream.in_flight += 1
                    upstream.most_in_flight = max(upstream.most_in_flight, upstream.in_flight)
                try:
                    if latency:
                        time.sleep(latency)
                    body = upstream.bodies.get(self.path.split("?")[0])
                    self.send_response(200 if body is not None else 404)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body or b"")))
                    self.end_headers()
                    self.wfile.write(body or b"")
                finally:
                    with lock:
                        upstream.in_flight -= 1

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a scratch database")
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--parks", type=int, default=48, help="catalog, then synthetic parks")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="each answer's delay")
    parser.add_argument(
        "--keep", action="store_true", help="use the database as it is (a dataset), no recreate"
    )
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args()
    os.environ["HOS_DATABASE_URL"] = args.url
    start = START

    from sqlalchemy import event

    from hallofshame import clock
    from hallofshame.config import get_settings
    from hallofshame.db import migrate
    from hallofshame.db.dialects import recreate_database
    from hallofshame.db.engine import get_engine, session_factory
    from hallofshame.domain.statuses import Source
    from hallofshame.ingest.collector import park_refs
    from hallofshame.ingest.live_sources import UpstreamSource
    from hallofshame.ingest.simulate import choose_parks, link_simulated_ids
    from hallofshame.jobs import collect
    from hallofshame.sources.simulator import Simulator

    if not args.keep:
        recreate_database(args.url)
    engine = get_engine()
    migrate.upgrade(engine)
    factory = session_factory()
    parks = choose_parks(args.parks)
    with factory() as s, s.begin():
        link_simulated_ids(s, parks)
    bundled = {p.queue_times_id: p for p in parks}
    if args.keep:
        # Cycles after the database's last one (the dataset's, or an earlier run's), on
        # the next 5-minute tick: each run stores new cycles, never duplicates.
        from sqlalchemy import func, select

        from hallofshame.db.models import Cycle

        with factory() as s:
            latest = s.scalar(select(func.max(Cycle.ts)))
        if latest is not None:
            latest = latest.replace(tzinfo=UTC, second=0, microsecond=0)
            start = latest - timedelta(minutes=latest.minute % 5) + timedelta(minutes=5)
    with factory() as s:
        refs = [r for r in park_refs(s) if r.queue_times_id in bundled]
    sim = Simulator(seed=42)
    fake = FakeUpstream(latency=args.latency_ms / 1000)
    # The fake upstream serves the synthetic parks too (the real ones never hear of them).
    source = UpstreamSource(
        wiki_url=fake.base + "/v1", queue_times_url=fake.base, serves_synthetic=True
    )
    settings = get_settings()
    fetch_s = 0.0
    fetch_all = collect.fetch_all

    def timed_fetch_all(*a: Any, **kw: Any) -> Any:
        nonlocal fetch_s
        t0 = time.perf_counter()
        try:
            return fetch_all(*a, **kw)
        finally:
            fetch_s = time.perf_counter() - t0

    collect.fetch_all = timed_fetch_all  # type: ignore[assignment]
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f}; database: {args.url.split('@')[-1]}; parks: {len(refs)}; "
        f"concurrency {settings.collect_concurrency} parks, "
        f"{settings.upstream_host_concurrency} per host; latency {args.latency_ms:.0f} ms"
    )
    walls, fetches = [], []
    for i in range(args.cycles):
        at = start + timedelta(minutes=5 * i)
        for ref in refs:
            payload = sim.live_payload(bundled[ref.queue_times_id], at)
            path = (
                f"/v1/entity/{ref.upstream_id}/live"
                if ref.source is Source.THEMEPARKS_WIKI
                else f"/parks/{ref.upstream_id}/queue_times.json"
            )
            fake.bodies[path] = json.dumps(payload).encode()
        clock.set_now(at)
        statements, fake.requests, fake.most_in_flight = 0, 0, 0
        started = time.perf_counter()
        report = collect.collect_once(factory, source, interval_s=300, parks=refs)
        wall = time.perf_counter() - started
        walls.append(wall)
        fetches.append(fetch_s)
        rides = sum(int(line.split("rides=")[1].split()[0]) for line in report.lines)
        print(
            f"cycle {i + 1}: {wall:6.2f} s wall (fetch {fetch_s:.2f} s, store "
            f"{wall - fetch_s:.2f} s); {report.cycles} cycles, {rides} observations, "
            f"{report.issues} issues; {fake.requests} HTTP requests, at most "
            f"{fake.most_in_flight} at once; {statements} SQL statements "
            f"({statements / max(1, len(refs)):.1f} per park)"
        )
    print(f"median {statistics.median(walls):.2f} s, max {max(walls):.2f} s")
    if args.json:
        print(
            json.dumps(
                {
                    "parks": len(refs),
                    "walls": walls,
                    "fetches": fetches,
                    "median": statistics.median(walls),
                }
            )
        )


if __name__ == "__main__":
    main()
