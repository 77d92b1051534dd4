"""Health: is the database reachable, how fresh is each feed, when did jobs last run, how
far behind is each read replica."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Response, jsonify
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hallofshame.api.common import (
    blueprint,
    db,
    envelope,
    iso,
    now,
    primary_db,
    replicas,
    settings,
)
from hallofshame.api.lookups import (
    cycles_by_origin,
    latest_cycle_by_source,
    latest_job_runs,
    latest_rollup_date,
)
from hallofshame.api.params import NoQuery
from hallofshame.api.schemas import Envelope, Health
from hallofshame.db.replicas import ReplicaState, error_text

bp = blueprint("health", ["operations"])

#: A feed whose latest cycle is older than this many collection intervals is stale.
STALE_INTERVALS = 3


@bp.get("/health", responses={200: Envelope[Health], 503: Envelope[Health]})
def health(query: NoQuery) -> Response:
    """`ok`: every feed fresh and every read replica serving and current; `degraded`: a
    feed is stale, the primary is unreachable while a replica answers, or a replica is
    unreachable, not replicating or behind (`reasons` says which); `down`: no database."""
    at = now()
    reasons: list[str] = []
    database = True
    facts: Facts | None
    try:
        facts = _facts(primary_db(), at)
    except SQLAlchemyError as exc:
        database = False
        reasons.append(f"primary database unreachable: {error_text(exc)}")
        facts = _facts_from_a_replica(at)
    router = replicas()
    states = router.probe(primary_db() if database else None) if router is not None else []
    replica_items = [_replica_item(s) for s in states]
    if facts is None:
        body = envelope(
            {
                "status": "down",
                "database": False,
                "sources": [],
                "latest_rollup_date": None,
                "jobs": [],
                "history": [],
                "reasons": reasons,
                "read_replicas": replica_items,
            }
        )
        response = jsonify(body)
        response.status_code = 503
        return response
    cycles, rollup, jobs, origins = facts
    limit = STALE_INTERVALS * settings().collect_interval
    sources: list[dict[str, Any]] = []
    for source, ts in sorted(cycles.items()):
        age = (at - ts).total_seconds()
        sources.append({"source": source, "latest_cycle_at": iso(ts), "age_seconds": age})
        if age > limit:
            reasons.append(f"{source}: latest cycle {age:.0f} s old (stale after {limit} s)")
    if not sources:
        reasons.append("no collection cycle stored yet")
    reasons += replica_problems(states, settings().collect_interval)
    data = {
        "status": "degraded" if reasons else "ok",
        "database": database,
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
        "reasons": reasons,
        "read_replicas": replica_items,
    }
    return jsonify(envelope(data, metrics_version=settings().metrics_version))


Facts = tuple[dict[str, datetime], date | None, list[Any], list[tuple[str, Any, Any]]]


def _facts(session: Session, at: datetime) -> Facts:
    return (
        latest_cycle_by_source(session, at),
        latest_rollup_date(session, settings().metrics_version),
        latest_job_runs(session),
        cycles_by_origin(session),
    )


def _facts_from_a_replica(at: datetime) -> Facts | None:
    """The primary is gone: what the readers still see, if a replica answers."""
    if replicas() is None:
        return None
    try:
        return _facts(db(), at)
    except SQLAlchemyError:
        return None


def replica_problems(states: list[ReplicaState], interval: int) -> list[str]:
    """What makes a read replica a reason for `degraded`: unreachable, replication not
    running, or behind the primary by more than one collection interval."""
    problems: list[str] = []
    for state in states:
        if not state.reachable:
            problems.append(f"read replica {state.name} unreachable: {state.error}")
            continue
        if state.replication in ("stopped", "paused"):
            problems.append(f"read replica {state.name}: replication {state.replication}")
        behind = max(state.lag_seconds or 0.0, state.data_lag_seconds or 0.0)
        if behind > interval:
            problems.append(f"read replica {state.name} is {behind:.0f} s behind the primary")
    return problems


def _replica_item(state: ReplicaState) -> dict[str, Any]:
    if not state.reachable:
        status = "unreachable"
    elif replica_problems([state], settings().collect_interval):
        status = "lagging"
    else:
        status = "ok"
    return {
        "replica": state.name,
        "status": status,
        "replication": state.replication,
        "lag_seconds": state.lag_seconds,
        "data_lag_seconds": state.data_lag_seconds,
        "latest_cycle_at": iso(state.latest_cycle_at),
        "error": state.error,
    }


def history_items(origins: list[tuple[str, Any, Any]]) -> list[dict[str, Any]]:
    """Where the stored cycles came from, each origin's first and latest."""
    return [
        {"origin": o, "first_cycle_at": iso(first), "latest_cycle_at": iso(last)}
        for o, first, last in origins
    ]
