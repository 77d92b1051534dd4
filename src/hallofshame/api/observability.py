"""``/metrics`` for Prometheus: requests and latency per endpoint, feed age per source,
where reads went and how far behind each read replica is.

It lives outside ``/api`` (it is operational, not product data). The collectors are
created once per process: Prometheus' registry refuses duplicates, and one process may
build several apps (tests do).
"""

from __future__ import annotations

import math
import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hallofshame.api.common import now, primary_db, replicas
from hallofshame.api.lookups import latest_cycle_by_source

REQUESTS = Counter(
    "hos_http_requests_total", "HTTP requests answered", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "hos_http_request_seconds",
    "Time to answer an HTTP request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CYCLE_AGE = Gauge("hos_cycle_age_seconds", "Age of the latest collection cycle", ["source"])
READS = Counter(
    "hos_read_sessions_total",
    "Requests that read the database, by where they read: a replica or the primary",
    ["database"],
)
REPLICA_UP = Gauge(
    "hos_read_replica_up", "1 when the read replica answers (requests read it), else 0", ["replica"]
)
REPLICA_LAG = Gauge(
    "hos_read_replica_lag_seconds",
    "Replication delay as the engine reports it (NaN when it does not say)",
    ["replica"],
)
REPLICA_DATA_LAG = Gauge(
    "hos_read_replica_data_lag_seconds",
    "The primary's latest collection cycle minus the replica's (NaN when unknown)",
    ["replica"],
)
REPLICA_RUNNING = Gauge(
    "hos_read_replica_replicating",
    "1 when the engine reports its replication running, else 0",
    ["replica"],
)


def _start() -> None:
    g.hos_started = time.perf_counter()


def _record(response: Response) -> Response:
    # The route's name, never the raw path: ids in paths would explode the label set.
    endpoint = request.endpoint or "unmatched"
    started = g.get("hos_started")
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    read_from = g.get("hos_read_from")
    if read_from is not None:
        READS.labels(read_from).inc()
    return response


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def metrics() -> Response:
    at = now()
    primary: Session | None = None
    try:
        primary = primary_db()
        for source, ts in latest_cycle_by_source(primary, at).items():
            CYCLE_AGE.labels(source).set((at - ts).total_seconds())
    except SQLAlchemyError:
        primary = None
        if replicas() is None:
            raise  # no database to report on: the scrape fails (503)
    router = replicas()
    if router is not None:
        for state in router.probe(primary):
            REPLICA_UP.labels(state.name).set(1 if state.reachable else 0)
            REPLICA_RUNNING.labels(state.name).set(1 if state.replication == "running" else 0)
            REPLICA_LAG.labels(state.name).set(_nan(state.lag_seconds))
            REPLICA_DATA_LAG.labels(state.name).set(_nan(state.data_lag_seconds))
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def init_observability(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_record)
    app.add_url_rule("/metrics", "metrics", metrics)
