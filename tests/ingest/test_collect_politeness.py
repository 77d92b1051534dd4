"""A collection cycle of many parks against a throttling upstream (real HTTP, loopback):
every park collected, never more requests in flight at the host than its limit, and a
429's Retry-After honoured by every request to that host, not only the one told."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug import Request, Response

from hallofshame import clock
from hallofshame.catalog import BundledPark, bundled_parks
from hallofshame.db.models import Cycle, DataQualityIssue, Park
from hallofshame.domain.statuses import Source
from hallofshame.ingest.live_sources import UpstreamSource
from hallofshame.ingest.simulate import link_simulated_ids
from hallofshame.jobs.collect import collect_once
from hallofshame.sources.http import HttpClient
from hallofshame.sources.sim.synthetic import synthetic_park
from hallofshame.sources.simulator import Simulator, feed_of, wiki_park_id

NOW = datetime(2026, 8, 14, 18, 0, tzinfo=UTC)
PER_HOST = 2
RETRY_AFTER_S = 1
#: Two small catalog parks (one of each feed), then synthetic ones of both feeds.
PARKS: tuple[BundledPark, ...] = (
    *(p for p in bundled_parks() if p.name in ("Seaworld San Antonio", "Epic Universe")),
    *(synthetic_park(n) for n in range(49, 57)),
)


def _path(park: BundledPark) -> str:
    if feed_of(park) is Source.THEMEPARKS_WIKI:
        return f"/v1/entity/{wiki_park_id(park.queue_times_id)}/live"
    return f"/parks/{park.queue_times_id}/queue_times.json"


@dataclass
class Throttling:
    """Serves the simulator's bodies; the first request starts a window of
    ``RETRY_AFTER_S`` in which every request is answered 429 with Retry-After."""

    bodies: dict[str, bytes]
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    most_in_flight: int = 0
    window_end: float | None = None
    seen: list[tuple[str, float, int]] = field(default_factory=list)  # path, arrived, status

    def __call__(self, request: Request) -> Response:
        arrived = time.monotonic()
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            if self.window_end is None:
                self.window_end = arrived + RETRY_AFTER_S
            throttled = arrived < self.window_end
            self.seen.append((request.path, arrived, 429 if throttled else 200))
        try:
            time.sleep(0.02)  # long enough for requests to overlap
            if throttled:
                return Response("slow down", 429, headers={"Retry-After": str(RETRY_AFTER_S)})
            return Response(self.bodies[request.path], 200, content_type="application/json")
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.fixture
def many(committed_factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    with committed_factory() as s, s.begin():
        link_simulated_ids(s, PARKS)
    clock.set_now(NOW)
    yield committed_factory
    clock.set_now(None)


def _source(server: HTTPServer, *, serves_synthetic: bool) -> UpstreamSource:
    http = HttpClient(
        user_agent="tests",
        read_timeout=5.0,
        max_attempts=3,
        backoff_base=0.2,
        per_host=PER_HOST,
        sleep=time.sleep,  # the waits are real: the server sees when requests come
    )
    base = server.url_for("").rstrip("/")
    return UpstreamSource(
        http, wiki_url=base + "/v1", queue_times_url=base, serves_synthetic=serves_synthetic
    )


def test_a_throttled_cycle_collects_every_park_politely(
    many: sessionmaker[Session], upstream: HTTPServer
) -> None:
    sim = Simulator(seed=42)
    assert {feed_of(p) for p in PARKS[2:]} == {Source.THEMEPARKS_WIKI, Source.QUEUE_TIMES}
    fake = Throttling({_path(p): json.dumps(sim.live_payload(p, NOW)).encode() for p in PARKS})
    for path in fake.bodies:
        upstream.expect_request(path).respond_with_handler(fake)

    report = collect_once(many, _source(upstream, serves_synthetic=True), interval_s=300, workers=6)

    assert (report.cycles, report.issues, report.db_errors) == (len(PARKS), 0, 0)
    with many() as s:
        assert s.scalar(select(func.count()).select_from(Cycle)) == len(PARKS)
        assert s.scalar(select(func.count()).select_from(DataQualityIssue)) == 0
    # Never more than the per-host limit at the host (and the limit was reached).
    assert fake.most_in_flight == PER_HOST
    throttled = [(path, at) for path, at, status in fake.seen if status == 429]
    assert throttled
    # Once a 429 is seen no new request goes out until the wait is over: only requests
    # already under way (at most one per slot, and one more per slot that was just
    # freed by a success) can meet the window.
    assert len(throttled) <= 2 * PER_HOST - 1
    assert fake.window_end is not None
    # Each throttled park asked again only after the Retry-After it was given.
    for path, at in throttled:
        later = [t for p, t, status in fake.seen if p == path and t > at]
        assert later and min(later) >= at + RETRY_AFTER_S
    assert all(status == 200 for _, t, status in fake.seen if t >= fake.window_end)
    served = {path for path, _, status in fake.seen if status == 200}
    assert served == set(fake.bodies)


def test_synthetic_parks_only_for_a_source_that_serves_them_and_a_stuck_park_is_one_issue(
    many: sessionmaker[Session], upstream: HTTPServer
) -> None:
    sim = Simulator(seed=42)
    stuck = PARKS[3]
    for park in PARKS:
        if park is stuck:
            upstream.expect_request(_path(park)).respond_with_data(
                "slow down", status=429, headers={"Retry-After": "0"}
            )
        else:
            upstream.expect_request(_path(park)).respond_with_json(sim.live_payload(park, NOW))
    # A real upstream is never asked about synthetic parks: only the catalog's are polled.
    report = collect_once(many, _source(upstream, serves_synthetic=False), interval_s=300)
    assert (report.cycles, report.issues) == (2, 0)
    assert {r.path for r, _ in upstream.log} == {_path(p) for p in PARKS[:2]}

    upstream.clear_log()
    clock.set_now(NOW + timedelta(minutes=5))
    report = collect_once(many, _source(upstream, serves_synthetic=True), interval_s=300)
    # The park still throttled after its attempts is one issue; every other park goes on.
    assert (report.cycles, report.issues) == (len(PARKS) - 1, 1)
    with many() as s:
        issue = s.scalars(select(DataQualityIssue)).one()
        park = s.get(Park, issue.park_id)
    assert park is not None and park.name == stuck.name
    assert issue.kind == "http_error" and "429" in issue.message
    assert sum(1 for r, _ in upstream.log if r.path == _path(stuck)) == 3  # max_attempts
