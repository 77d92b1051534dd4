"""State-changing operations: refused without a key from ``HOS_API_KEYS``.

A recompute can take minutes: the request only queues it (a ``job_runs`` row, committed
in the request's own short transaction) and answers 202 with where to follow it; the
scheduler (or ``hallofshame jobs run-queued``) runs it.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from flask import request, url_for

from hallofshame.api.common import blueprint, envelope, factory, iso, primary_db, settings
from hallofshame.api.errors import ApiError, not_found
from hallofshame.api.params import JobPath, NoQuery, RecomputeQuery
from hallofshame.api.schemas import Envelope, ErrorResponse, JobQueued, JobStatus
from hallofshame.db.dialects import begin_writing
from hallofshame.db.models import JobRun
from hallofshame.jobs.runs import QUEUED

bp = blueprint("admin", ["operations"])

API_KEY_HEADER = "X-API-Key"


def require_api_key() -> None:
    """401 without a valid key; 403 when no key is configured at all (nothing may write)."""
    keys = settings().api_key_set
    if not keys:
        raise ApiError(403, "state-changing endpoints are disabled: no API key is configured")
    given = request.headers.get(API_KEY_HEADER, "")
    if not any(hmac.compare_digest(given.encode(), k.encode()) for k in keys):
        raise ApiError(401, f"a valid {API_KEY_HEADER} header is required")


@bp.post(
    "/admin/recompute",
    responses={202: Envelope[JobQueued], 401: ErrorResponse, 403: ErrorResponse},
    security=[{"apiKey": []}],
)
def recompute(query: RecomputeQuery) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Queue a recompute of the daily rollups of local dates start..end for the current
    version; follow it at the ``Location`` answered. Recomputes run one at a time, in the
    order they were asked for."""
    require_api_key()
    from hallofshame.jobs.tasks import queue_recompute

    period = query.window()
    assert period.start is not None and period.end is not None  # noqa: S101 - custom
    version = settings().metrics_version
    with factory()() as session, session.begin():
        begin_writing(session)
        job_id = queue_recompute(session, period.start, period.end, version=version)
    body = envelope(
        {"job_id": job_id, "status": QUEUED},
        start_date=period.start.isoformat(),
        end_date=period.end.isoformat(),
        metrics_version=version,
    )
    return body, 202, {"Location": url_for("admin.job_status", job_id=job_id)}


@bp.get(
    "/admin/jobs/<int:job_id>",
    responses={200: Envelope[JobStatus], 401: ErrorResponse, 403: ErrorResponse},
    security=[{"apiKey": []}],
)
def job_status(path: JobPath, query: NoQuery) -> dict[str, Any]:
    """A job run: queued, running, ok or failed, with its parameters, progress and result."""
    require_api_key()
    run = primary_db().get(JobRun, path.job_id)  # the primary: a job just queued is there
    if run is None:
        raise not_found("job", path.job_id)
    queued = run.outcome == QUEUED
    data = {
        "job_id": run.id,
        "job": run.job,
        "status": run.outcome,
        "params": json.loads(run.params) if run.params else None,
        "progress": json.loads(run.progress) if run.progress else None,
        "started_at": None if queued else iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "duration_ms": run.duration_ms,
        "rows": run.rows,
        "message": run.message,
    }
    return envelope(data)
