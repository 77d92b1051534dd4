"""Latency from the cycle that sees a breakdown to its webhook POST at a receiver.

    python bench/webhooks.py --url sqlite:///var/bench/webhooks.db --runs 5
    python bench/webhooks.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_webhooks

The database named in --url is dropped and recreated with one park (Magic Kingdom, the
recorded ThemeParks.wiki body) and --subscriptions subscriptions, all to one local
receiver. The webhook job runs as the scheduler registers it (every
``WEBHOOK_POLL_S`` seconds, in its own thread); the main thread runs the real
collection job against a local fake upstream. Each run: a cycle with every ride as
recorded, a cycle with TRON DOWN (``breakdown.started``), a cycle with it back
(``breakdown.ended``). A sample is the time from the end of the collection job whose
cycle saw the change (its transaction committed) to one POST's arrival at the receiver;
each run gives one sample per subscription and event. Each cycle starts after a random
pause of up to one job period, so the samples cover every phase of the job's timer.

The application clock is pinned to the cycles' instants, so a retry (due 15 s or more
later by that clock) never comes due: a POST that fails stops the benchmark rather than
hiding in its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MK = "75ea578a-adc8-4116-a54d-dccb60765ef9"
TRON = "5a43d1a7-ad53-4d25-abfe-25625f0da304"
RECORDED = (
    Path(__file__).resolve().parents[1]
    / "tests/data/shared/data/fixtures/themeparks_wiki"
    / "live_magic_kingdom_full_official_sdk_2026-04-14.json"
)
#: 10:00 in Orlando: the park is open all through the runs.
T0 = datetime(2026, 4, 14, 14, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=5)


class Upstream:
    """Serves the park's live body, which the main thread changes between cycles."""

    def __init__(self) -> None:
        self.body = b"{}"
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(upstream.body)))
                self.end_headers()
                self.wfile.write(upstream.body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class _Backlogged(ThreadingHTTPServer):
    # A hundred POSTs land at once: the default backlog of 5 resets connections.
    request_queue_size = 512


class Receiver:
    """Notes when each POST arrives (monotonic clock) and which event it carried."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, str]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                at = time.monotonic()
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.arrivals.append((at, self.headers["X-HallOfShame-Event-Id"]))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = _Backlogged(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of(self, event_suffix: str) -> list[float]:
        with self.lock:
            return [at for at, key in self.arrivals if key.endswith(event_suffix)]


def body_at(at: datetime, tron: str) -> bytes:
    body = json.loads(RECORDED.read_text())
    stamp = at.isoformat().replace("+00:00", "Z")
    for row in body["liveData"]:
        row["lastUpdated"] = stamp
        if row["id"] == TRON:
            row["status"] = tron
    return json.dumps(body).encode()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a scratch database")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--subscriptions", type=int, default=100)
    parser.add_argument("--wait", type=float, default=120.0, help="seconds to wait per event")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    tiers = Path(tempfile.mkdtemp(prefix="hos-bench-")) / "tiers.csv"
    tiers.write_text(f"source,upstream_ride_id,tier,reason\nthemeparks.wiki,{TRON},1,bench\n")
    os.environ.update(
        HOS_TIER_OVERRIDES=str(tiers),
        HOS_TIER_RULES="0",
        HOS_COLLECT_INTERVAL=str(int(INTERVAL.total_seconds())),
        HOS_DATABASE_URL=args.url,
    )
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy.orm import sessionmaker

    from hallofshame import clock
    from hallofshame.config import reset_settings
    from hallofshame.db import migrate
    from hallofshame.db.dialects import recreate_database
    from hallofshame.db.engine import make_engine
    from hallofshame.db.models import Park
    from hallofshame.ingest.live_sources import UpstreamSource
    from hallofshame.jobs import tasks
    from hallofshame.jobs.scheduler import WEBHOOK_POLL_S, add_webhook_job
    from hallofshame.webhooks import subscriptions

    reset_settings()
    recreate_database(args.url)
    engine = make_engine(args.url)
    migrate.upgrade(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    upstream, receiver = Upstream(), Receiver()
    with factory() as s, s.begin():
        s.add(
            Park(
                name="Magic Kingdom Park",
                wiki_id=MK,
                timezone="America/New_York",
                reports_down=True,
                is_disney=True,
                is_universal=False,
                active=True,
            )
        )
        for i in range(args.subscriptions):
            subscriptions.create(
                s,
                url=f"{receiver.base}/hook/{i}",
                secret=f"bench-secret-{i:04d}-0123456789",
                park_ids=[],
                max_tier=None,
                min_duration_minutes=0,
                body_format="json",
                now=T0,
            )
    source = UpstreamSource(wiki_url=upstream.base + "/v1")
    sched = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True})
    add_webhook_job(sched, factory)

    at = T0
    samples: dict[str, list[float]] = {"started": [], "ended": []}
    per_run: list[dict[str, float]] = []

    rng = random.Random(args.seed)

    def cycle(tron: str) -> float:
        nonlocal at
        # Cycles come at any moment of the webhook job's period, not in step with it
        # (waiting for the last POST would otherwise start each cycle right after a run).
        time.sleep(rng.uniform(0, WEBHOOK_POLL_S))
        clock.set_now(at)
        upstream.body = body_at(at, tron)
        report = tasks.collect_cycle(factory, source)
        assert report.cycles == 1, report
        at += INTERVAL
        return time.monotonic()

    def arrivals(suffix: str, since: float) -> list[float]:
        deadline = time.monotonic() + args.wait
        while time.monotonic() < deadline:
            got = [t - since for t in receiver.of(suffix) if t >= since]
            if len(got) >= args.subscriptions:
                return got
            time.sleep(0.05)
        raise SystemExit(f"only {len(receiver.of(suffix))} of {args.subscriptions} arrived")

    sched.start()
    try:
        for run in range(args.runs):
            cycle("OPERATING")
            detected = cycle("DOWN")
            started = arrivals("-started", detected)
            back = cycle("OPERATING")
            ended = arrivals("-ended", back)
            with receiver.lock:
                receiver.arrivals.clear()
            samples["started"] += started
            samples["ended"] += ended
            both = started + ended
            per_run.append(
                {"run": run + 1, "p95_s": round(p95(both), 2), "max_s": round(max(both), 2)}
            )
            print(json.dumps(per_run[-1]), flush=True)
    finally:
        sched.shutdown(wait=True)
        clock.set_now(None)
    every = samples["started"] + samples["ended"]
    print(
        json.dumps(
            {
                "database": engine.dialect.name,
                "subscriptions": args.subscriptions,
                "runs": args.runs,
                "samples": len(every),
                "poll_s": WEBHOOK_POLL_S,
                "p50_s": round(statistics.median(every), 2),
                "p95_s": round(p95(every), 2),
                "max_s": round(max(every), 2),
                "p95_started_s": round(p95(samples["started"]), 2),
                "p95_ended_s": round(p95(samples["ended"]), 2),
                "python": platform.python_version(),
            }
        )
    )
    engine.dispose()


if __name__ == "__main__":
    main()
