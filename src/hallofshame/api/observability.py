"""``/metrics`` for Prometheus: requests and latency per endpoint, feed age per source.

It lives outside ``/api`` (it is operational, not product data). The collectors are
created once per process: Prometheus' registry refuses duplicates, and one process may
build several apps (tests do).
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

from hallofshame.api.common import db, now
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


def _start() -> None:
    g.hos_started = time.perf_counter()


def _record(response: Response) -> Response:
    # The route's name, never the raw path: ids in paths would explode the label set.
    endpoint = request.endpoint or "unmatched"
    started = g.get("hos_started")
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    return response


def metrics() -> Response:
    at = now()
    for source, ts in latest_cycle_by_source(db(), at).items():
        CYCLE_AGE.labels(source).set((at - ts).total_seconds())
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def init_observability(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_record)
    app.add_url_rule("/metrics", "metrics", metrics)
