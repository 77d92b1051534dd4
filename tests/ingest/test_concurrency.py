"""Two collectors started at once (two processes of the scheduler, a cron job beside
it): every park's cycle is stored once, whole, and nothing is lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.catalog import bundled_parks
from hallofshame.db.models import Cycle, Observation
from hallofshame.ingest.collector import CollectReport
from hallofshame.ingest.live_sources import SimulatedSource
from hallofshame.ingest.simulate import link_simulated_ids
from hallofshame.jobs.collect import collect_once

NOW = datetime(2026, 8, 14, 18, 0, tzinfo=UTC)


def test_two_collectors_at_once_store_each_cycle_once(
    committed_factory: sessionmaker[Session],
) -> None:
    with committed_factory() as s, s.begin():
        link_simulated_ids(s, bundled_parks()[:8])
    clock.set_now(NOW)
    start = threading.Barrier(2)

    def collector(_: int) -> CollectReport:
        start.wait()
        return collect_once(committed_factory, SimulatedSource(), interval_s=300, workers=4)

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            a, b = pool.map(collector, range(2))
    finally:
        clock.set_now(None)
    with committed_factory() as s:
        per_park = dict(
            s.execute(select(Cycle.park_id, func.count()).group_by(Cycle.park_id)).all()
        )
        observations = dict(
            s.execute(
                select(Observation.cycle_id, func.count()).group_by(Observation.cycle_id)
            ).all()
        )
        seen = dict(s.execute(select(Cycle.id, Cycle.rides_seen)).all())
    assert per_park and set(per_park.values()) == {1}  # no duplicate cycle
    assert a.cycles + b.cycles == len(per_park)  # each stored by exactly one of them
    assert observations == {cid: n for cid, n in seen.items() if n}  # every cycle whole
