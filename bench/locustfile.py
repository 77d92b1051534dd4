"""The dashboard's request mix, for Locust (run it through ``bench/load.py``).

Each simulated visitor does what the dashboard does: rankings of parks and rides,
downtime and waits, for the five periods of the period switcher; a park's details;
the live status panel; now and then the health check. Tasks are weighted roughly as
the pages call them (the downtime view is the landing page).

The server sits where nginx would put it (``HOS_TRUSTED_PROXIES=1``): each visitor
sends its own ``X-Forwarded-For``, so the per-client rate limit stays on and counts
visitors. With ``HOS_LOAD_HAMMER=1`` one extra client asks without pause, at about
twice the limit, to show the limit holding while the visitors are not refused.
"""

from __future__ import annotations

import itertools
import os
import random
from typing import ClassVar

from locust import HttpUser, between, constant_throughput, events, task

from hallofshame.api.warming import DASHBOARD_PERIODS as PERIODS  # the period switcher

# Live has no ranking of downtime hours; its shame is the live score. All periods rank.
_rng = random.Random(7)
_addresses = (f"198.51.{n // 250}.{n % 250 + 1}" for n in itertools.count())
#: Every visitor's response time (ms): the aggregate load.py reports leaves the hammer out.
_visitor_ms: list[float] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: object, **_: object) -> None:
    if not name.startswith("hammer"):
        _visitor_ms.append(response_time)


@events.test_stop.add_listener
def _dump(**_: object) -> None:
    target = os.environ.get("HOS_LOAD_SAMPLES")
    if target:
        with open(target, "w") as f:
            f.write("\n".join(f"{ms:.2f}" for ms in _visitor_ms))


class DashboardVisitor(HttpUser):
    wait_time = between(1, 3)
    park_ids: ClassVar[list[int]] = []  # fetched once, shared by all visitors

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = next(_addresses)
        if not DashboardVisitor.park_ids:
            answer = self.client.get("/api/parks", name="/api/parks")
            DashboardVisitor.park_ids = [p["park_id"] for p in answer.json()["data"]]

    def _period(self) -> str:
        return _rng.choice(PERIODS)

    @task(6)
    def park_downtime(self) -> None:
        p = self._period()
        self.client.get(f"/api/parks/downtime?period={p}", name=f"parks/downtime {p}")

    @task(4)
    def ride_downtime(self) -> None:
        p = self._period()
        self.client.get(f"/api/rides/downtime?period={p}", name=f"rides/downtime {p}")

    @task(2)
    def park_waits(self) -> None:
        p = self._period()
        self.client.get(f"/api/parks/waittimes?period={p}", name=f"parks/waittimes {p}")

    @task(2)
    def ride_waits(self) -> None:
        p = self._period()
        self.client.get(f"/api/rides/waittimes?period={p}", name=f"rides/waittimes {p}")

    @task(3)
    def park_details(self) -> None:
        p = _rng.choice(PERIODS[1:])  # details explain a window; live is the ranking's
        park = _rng.choice(self.park_ids)
        self.client.get(f"/api/parks/{park}/details?period={p}", name=f"parks/details {p}")

    @task(3)
    def status_summary(self) -> None:
        self.client.get("/api/live/status-summary", name="live/status-summary")

    @task(1)
    def health(self) -> None:
        self.client.get("/api/health", name="health")


class Hammer(HttpUser):
    """One client far over the per-client limit (600 a minute): about 20 requests a second.
    Its 429s are the expected answer and are reported under their own name."""

    fixed_count = 1 if os.environ.get("HOS_LOAD_HAMMER") == "1" else 0
    weight = 0  # never one of the --users visitors; fixed_count adds it
    wait_time = constant_throughput(20)

    def on_start(self) -> None:
        self.client.headers["X-Forwarded-For"] = "203.0.113.66"

    @task
    def hammer(self) -> None:
        with self.client.get("/api/parks", name="hammer", catch_response=True) as answer:
            if answer.status_code in (200, 429):
                answer.request_meta["name"] = f"hammer {answer.status_code}"
                answer.success()
