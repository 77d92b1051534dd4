"""Health: is the database reachable, how fresh is each feed, when did jobs last run."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from hallofshame.api.common import blueprint, db, envelope, iso, now, settings
from hallofshame.api.lookups import (
    cycles_by_origin,
    latest_cycle_by_source,
    latest_job_runs,
    latest_rollup_date,
)
from hallofshame.api.params import NoQuery
from hallofshame.api.schemas import Envelope, Health

bp = blueprint("health", ["operations"])

#: A feed whose latest cycle is older than this many collection intervals is stale.
STALE_INTERVALS = 3


@bp.get("/health", responses={200: Envelope[Health], 503: Envelope[Health]})
def health(query: NoQuery) -> Response:
    """`ok`: every feed fresh; `degraded`: one is stale; `down`: no database."""
    at = now()
    try:
        cycles = latest_cycle_by_source(db(), at)
        rollup = latest_rollup_date(db(), settings().metrics_version)
        jobs = latest_job_runs(db())
        origins = cycles_by_origin(db())
    except SQLAlchemyError:
        body = envelope(
            {
                "status": "down",
                "database": False,
                "sources": [],
                "latest_rollup_date": None,
                "jobs": [],
                "history": [],
            }
        )
        response = jsonify(body)
        response.status_code = 503
        return response
    limit = STALE_INTERVALS * settings().collect_interval
    sources: list[dict[str, Any]] = []
    for source, ts in sorted(cycles.items()):
        age = (at - ts).total_seconds()
        sources.append({"source": source, "latest_cycle_at": iso(ts), "age_seconds": age})
    fresh = bool(sources) and all(s["age_seconds"] <= limit for s in sources)
    data = {
        "status": "ok" if fresh else "degraded",
        "database": True,
        "sources": sources,
        "latest_rollup_date": rollup.isoformat() if rollup else None,
        "history": history_items(origins),
        "jobs": [
            {
                "job": j.job,
                "started_at": iso(j.started_at),
                "finished_at": iso(j.finished_at),
                "outcome": j.outcome,
            }
            for j in jobs
        ],
    }
    return jsonify(envelope(data, metrics_version=settings().metrics_version))


def history_items(origins: list[tuple[str, Any, Any]]) -> list[dict[str, Any]]:
    """Where the stored cycles came from, each origin's first and latest."""
    return [
        {"origin": o, "first_cycle_at": iso(first), "latest_cycle_at": iso(last)}
        for o, first, last in origins
    ]
