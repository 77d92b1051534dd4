"""Keep the audit of the default date ready (``metrics.stored_audit``), after the rollups
that decide it changed. Runs in the caller's transaction."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from hallofshame.db.models import (
    Cycle,
    DataVersion,
    Park,
    ParkDayRollup,
    RankingAnswer,
    RankingRow,
    table_of,
)
from hallofshame.domain.localtime import local_midnight
from hallofshame.metrics import anomalies, checks
from hallofshame.metrics.stored_audit import (
    ANOMALIES,
    CHECKS,
    LISTS,
    default_date,
    period_key,
)
from hallofshame.metrics.stored_rankings import held

#: How long a stored audit is offered (the default date has moved on by then).
KEPT_FOR = timedelta(days=2)


def refresh_audit(session: Session, *, now: datetime, version: int) -> bool:
    """Store the checks and anomalies of the default date unless they still hold; whether
    they were computed. Nothing is stored while the date is still running somewhere."""
    d = default_date(now)
    zones = list(session.scalars(select(Park.timezone).where(Park.active.is_(True)).distinct()))
    ends = [local_midnight(d + timedelta(days=1), z) for z in zones]
    if not ends or max(ends) > now:
        return False
    key = period_key(d)
    if len(held(session, LISTS, key, version, now)) == len(LISTS):
        return False
    # What the answers rest on is read before they are computed (as for the rankings).
    stamp = {
        "period": key,
        "metrics_version": version,
        "facts_version": int(session.scalar(select(DataVersion.current())) or 0),
        "computed_at": session.scalar(select(ParkDayRollup.latest_computation())),
        "cycle_id": session.scalar(select(func.max(Cycle.id))) or 0,
        "as_of": now,
        "valid_until": now + KEPT_FOR,
        "window_end": max(ends),
        "parks": "{}",
    }
    lists = {
        CHECKS: [checks.item(r) for r in checks.checks(session, d, now=now, version=version)],
        ANOMALIES: [
            anomalies.item(a)
            for a in anomalies.anomalies(
                session, d, now=now, version=version, severity=anomalies.SEVERITIES[0]
            )
        ],
    }
    old = list(
        session.scalars(
            select(RankingAnswer.id).where(
                RankingAnswer.list_name.in_(LISTS), RankingAnswer.metrics_version == version
            )
        )
    )
    if old:
        session.execute(delete(RankingRow).where(RankingRow.answer_id.in_(old)))
        session.execute(delete(RankingAnswer).where(RankingAnswer.id.in_(old)))
    for name, items in lists.items():
        answer = RankingAnswer(list_name=name, **stamp)
        session.add(answer)
        session.flush()
        rows = [
            {
                "answer_id": answer.id,
                "entity_id": place,  # a park has several checks: the place is the key
                "park_id": item["park_id"],
                "body": json.dumps(item),
                "pos0": place,
            }
            for place, item in enumerate(items)
        ]
        if rows:
            session.execute(insert(table_of(RankingRow)), rows)
    return True
