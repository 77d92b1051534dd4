"""Keep the audit of the default date ready (``metrics.stored_audit``), after the rollups
that decide it changed. Runs in the caller's transaction."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import and_, insert
from sqlalchemy.orm import Session

from hallofshame.db.models import (
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
from hallofshame.rollups.stored_answers import active_zones, forget, header, rests_on

#: How long a stored audit is offered (the default date has moved on by then).
KEPT_FOR = timedelta(days=2)


def refresh_audit(session: Session, *, now: datetime, version: int) -> bool:
    """Store the checks and anomalies of the default date unless they still hold; whether
    they were computed. Nothing is stored while the date is still running somewhere."""
    d = default_date(now)
    zones = active_zones(session)
    ends = [local_midnight(d + timedelta(days=1), z) for z in zones]
    if not ends or max(ends) > now:
        return False
    key = period_key(d)
    if len(held(session, LISTS, key, version, now)) == len(LISTS):
        return False
    stamp = {
        "period": key,
        "metrics_version": version,
        **rests_on(session),  # before anything is computed
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
    forget(
        session,
        and_(RankingAnswer.list_name.in_(LISTS), RankingAnswer.metrics_version == version),
    )
    for name, items in lists.items():
        answer = header(session, name, stamp)
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
