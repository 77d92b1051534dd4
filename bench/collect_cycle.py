"""Time one collection cycle of every catalog park against a local fake upstream.

    python bench/collect_cycle.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_collect

The database named in --url is dropped and recreated and given the bundled catalog (48
parks, 1,572 rides). A local HTTP server plays ThemeParks.wiki and Queue-Times, serving
the simulator's payloads for each park at each cycle's instant (rendered before the
clock starts, so the fake upstream costs nothing); the collector polls it over real HTTP
with its real client, parses, and stores. Reported per cycle: wall time, cycles and
observations stored, HTTP requests served, and SQL statements sent (in total and per
park: it must not grow with the rides).
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

#: Midday in July, Eastern time: every park of the catalog is open.
START = datetime(2026, 7, 18, 17, 0, tzinfo=UTC)


class FakeUpstream:
    """Serves prepared JSON bodies by path; counts the requests."""

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}
        self.requests = 0
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                upstream.requests += 1
                body = upstream.bodies.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a scratch database")
    parser.add_argument("--cycles", type=int, default=5)
    args = parser.parse_args()
    os.environ["HOS_DATABASE_URL"] = args.url

    from sqlalchemy import event

    from hallofshame import clock
    from hallofshame.catalog import bundled_parks
    from hallofshame.db import migrate
    from hallofshame.db.dialects import recreate_database
    from hallofshame.db.engine import get_engine, session_factory
    from hallofshame.domain.statuses import Source
    from hallofshame.ingest.collector import park_refs
    from hallofshame.ingest.live_sources import UpstreamSource
    from hallofshame.ingest.simulate import link_simulated_ids
    from hallofshame.jobs.collect import collect_once
    from hallofshame.sources.simulator import Simulator

    recreate_database(args.url)
    engine = get_engine()
    migrate.upgrade(engine)
    factory = session_factory()
    with factory() as s, s.begin():
        link_simulated_ids(s, bundled_parks())
    with factory() as s:
        refs = park_refs(s)
    bundled = {p.queue_times_id: p for p in bundled_parks()}
    sim = Simulator(seed=42)
    fake = FakeUpstream()
    source = UpstreamSource(wiki_url=fake.base + "/v1", queue_times_url=fake.base)
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} cores; "
        f"database: {args.url.split('@')[-1]}; parks: {len(refs)}"
    )
    walls = []
    for i in range(args.cycles):
        at = START + timedelta(minutes=5 * i)
        for ref in refs:
            payload = sim.live_payload(bundled[ref.queue_times_id], at)
            path = (
                f"/v1/entity/{ref.upstream_id}/live"
                if ref.source is Source.THEMEPARKS_WIKI
                else f"/parks/{ref.upstream_id}/queue_times.json"
            )
            fake.bodies[path] = json.dumps(payload).encode()
        clock.set_now(at)
        statements, fake.requests = 0, 0
        started = time.perf_counter()
        report = collect_once(factory, source, interval_s=300)
        wall = time.perf_counter() - started
        walls.append(wall)
        rides = sum(int(line.split("rides=")[1].split()[0]) for line in report.lines)
        print(
            f"cycle {i + 1}: {wall:6.2f} s wall; {report.cycles} cycles, {rides} observations, "
            f"{report.issues} issues; {fake.requests} HTTP requests; {statements} SQL "
            f"statements ({statements / max(1, len(refs)):.1f} per park)"
        )
    print(f"median {statistics.median(walls):.2f} s, max {max(walls):.2f} s")


if __name__ == "__main__":
    main()
