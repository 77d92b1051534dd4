"""State-changing operations: refused without a key from ``HOS_API_KEYS``."""

from __future__ import annotations

import hmac
from typing import Any

from flask import request

from hallofshame.api.common import blueprint, envelope, factory, settings
from hallofshame.api.errors import ApiError
from hallofshame.api.params import RecomputeQuery, within_range
from hallofshame.api.schemas import Envelope, ErrorResponse
from hallofshame.domain.periods import custom_period

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
    responses={200: Envelope[dict[str, int]], 401: ErrorResponse, 403: ErrorResponse},
    security=[{"apiKey": []}],
)
def recompute(query: RecomputeQuery) -> dict[str, Any]:
    """Recompute the daily rollups of local dates start..end for the current version."""
    require_api_key()
    from hallofshame.jobs.tasks import recompute as run_recompute

    period = within_range(custom_period(query.start, query.end))
    assert period.start is not None and period.end is not None  # noqa: S101 - custom
    result = run_recompute(factory(), period.start, period.end, version=settings().metrics_version)
    return envelope(
        {
            "park_days": result.park_days,
            "ride_days": result.ride_days,
            "empty_days": result.empty_days,
            "kept_days": result.kept_days,
        },
        start_date=period.start.isoformat(),
        end_date=period.end.isoformat(),
        metrics_version=settings().metrics_version,
    )
