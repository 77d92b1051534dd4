"""The audit kept ready: the invariant checks and anomalies of the default date (yesterday
in UTC), stored when the rollups that decide them change and read while they hold.

Both recompute a day from raw observations and 29 days of figures for every park, so
asking them costs seconds on a large database; they change only when the day's data or
its rollups do. They are stored with the rankings' stamps in the same tables (one row
per listed item, in order) and held by the same rule (``stored_rankings.held``): same
metrics version, facts counter and latest rollup computation, and no cycle stored since
within the day. Only a day already over in every park's zone is kept (until then its
figures move with each cycle); the API computes any other date per request.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import RankingRow
from hallofshame.metrics.stored_rankings import held

CHECKS = "audit_checks"
ANOMALIES = "audit_anomalies"
LISTS = (CHECKS, ANOMALIES)


def default_date(now: datetime) -> date:
    """The date the audit looks at when none is asked for: yesterday in UTC."""
    return (now - timedelta(days=1)).date()


def period_key(d: date) -> str:
    """The ``period`` of a stored audit answer: its date."""
    return f"audit:{d.isoformat()}"


def answer(
    session: Session, list_name: str, d: date, version: int, now: datetime
) -> list[dict[str, Any]] | None:
    """The stored items of an audit list for date ``d`` in order, if they still hold."""
    found = held(session, [list_name], period_key(d), version, now).get(list_name)
    if found is None:
        return None
    bodies = session.scalars(
        select(RankingRow.body).where(RankingRow.answer_id == found.id).order_by(RankingRow.pos0)
    )
    return [json.loads(b) for b in bodies]
