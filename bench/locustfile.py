"""The dashboard's request mix, for Locust (run it through ``bench/load.py``).

Each simulated visitor does what the dashboard does: rankings of parks and rides,
downtime and waits, for the five periods of the period switcher; a park's details;
the live status panel; now and then the health check. Tasks are weighted roughly as
the pages call them (the downtime view is the landing page).
"""

from __future__ import annotations

import random
from typing import ClassVar

from locust import HttpUser, between, task

PERIODS = ("live", "today", "yesterday", "last_week", "last_month")
# Live has no ranking of downtime hours; its shame is the live score. All periods rank.
_rng = random.Random(7)


class DashboardVisitor(HttpUser):
    wait_time = between(1, 3)
    park_ids: ClassVar[list[int]] = []  # fetched once, shared by all visitors

    def on_start(self) -> None:
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
