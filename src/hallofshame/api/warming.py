"""Refresh-ahead for the shared response cache.

The figures change only when data lands: a collection cycle (live and today) or a
rollup (closed periods). Right after either, the dashboard's standard answers are
computed once, through the app itself, into the shared cache, so a visitor is served a
stored answer instead of waiting for a ranking to be computed while others queue.

Only a shared cache (``HOS_CACHE_URL``) is worth filling: an in-process cache belongs
to the process that computed it, not to the API workers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame.config import Settings, get_settings
from hallofshame.db.models import Park

log = logging.getLogger("hallofshame.cache")

#: The period switcher of the dashboard, in its order.
DASHBOARD_PERIODS = ("live", "today", "yesterday", "last_week", "last_month")
#: The rankings each view of the landing page asks for, with the dashboard's defaults.
RANKINGS = ("parks/downtime", "rides/downtime", "parks/waittimes", "rides/waittimes")


@dataclass
class WarmReport:
    answers: int = 0  #: requests made
    computed: int = 0  #: of which were not yet in the cache
    failed: int = 0  #: answered with an error (not stored; logged)
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.answers} answers: {self.computed} computed, {self.failed} failed, "
            f"in {self.seconds:.1f} s"
        )


def dashboard_paths(park_ids: Iterable[int]) -> list[str]:
    """What the dashboard asks for without a visitor choosing anything but a period and
    a park: the rankings, the status panel, the park list, and each park's page head and
    explanation."""
    ids = list(park_ids)
    paths = [f"/api/{what}?period={p}" for p in DASHBOARD_PERIODS for what in RANKINGS]
    paths += ["/api/live/status-summary", "/api/parks"]
    paths += [f"/api/parks/{i}" for i in ids]
    paths += [f"/api/parks/{i}/details?period={p}" for i in ids for p in DASHBOARD_PERIODS]
    return paths


def shared_cache(settings: Settings) -> bool:
    return settings.cache_enabled and bool(settings.cache_url)


def warm(
    factory: sessionmaker[Session] | None = None, *, settings: Settings | None = None
) -> WarmReport:
    """Ask the app for every dashboard path; answers already cached cost a lookup."""
    from hallofshame.api.app import create_app
    from hallofshame.db.engine import session_factory

    settings = settings or get_settings()
    factory = factory or session_factory()
    with factory() as session:
        ids = list(session.scalars(select(Park.id).where(Park.active.is_(True)).order_by(Park.id)))
    # The warmer is not a visitor: the rate limit would only count it against loopback.
    # It reads the primary, which has the cycle just written: its answers are stored
    # under that data's stamp, which a replica's readers ask for once it has caught up.
    app = create_app(
        settings.model_copy(update={"rate_limit": "", "read_database_url": ""}),
        session_factory=factory,
    )
    report = WarmReport()
    started = time.perf_counter()
    with app.test_client() as client:
        for path in dashboard_paths(ids):
            answer = client.get(path)
            report.answers += 1
            if answer.status_code != 200:
                report.failed += 1
                log.warning("warming %s: %s", path, answer.status_code)
            elif answer.headers.get("X-Cache") == "miss":
                report.computed += 1
    report.seconds = time.perf_counter() - started
    return report
