"""Week and month sums of the daily rollups, rewritten with the days they add up.

Whoever replaces a park's daily rollups calls :func:`rewrite_spans` in the same
transaction, so a kept span always equals the SUM of its days' rows as committed. The
writers of one park's rollups take turns (``rollups.daily`` locks the park's row first),
so the later of two sums what the earlier committed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, delete, insert, literal, select
from sqlalchemy.orm import Session

from hallofshame.db.models import (
    ParkDayRollup,
    ParkSpanRollup,
    RideDayRollup,
    RideSpanRollup,
    table_of,
)
from hallofshame.db.types import UTCDateTime
from hallofshame.domain.spans import Span, touching
from hallofshame.metrics.sums import STORED_RIDE_SUMS, park_aggregates, ride_aggregates

_KEY = ("park_id", "first_date", "last_date", "metrics_version")


def rewrite_spans(
    session: Session, park_id: int, first: date, last: date, *, version: int, now: datetime
) -> None:
    """Rewrite ``version``'s kept spans of the park that hold any day of first..last (a
    span without rolled days is left without rows)."""
    for span in touching(first, last):
        _rewrite(session, park_id, span, version, now)


def _rewrite(session: Session, park_id: int, span: Span, version: int, now: datetime) -> None:
    for model in (RideSpanRollup, ParkSpanRollup):
        session.execute(
            delete(model).where(
                model.park_id == park_id,
                model.first_date == span.first,
                model.last_date == span.last,
                model.metrics_version == version,
            )
        )
    key = (
        literal(span.first, Date),
        literal(span.last, Date),
        literal(version, Integer),
    )
    stamp = literal(now.replace(microsecond=0), UTCDateTime())
    r = RideDayRollup
    rides = (
        select(r.park_id, *key, r.ride_id, *ride_aggregates(r), stamp)
        .where(
            r.park_id == park_id,
            r.metrics_version == version,
            r.local_date.between(span.first, span.last),
        )
        .group_by(r.park_id, r.ride_id)
    )
    session.execute(
        insert(table_of(RideSpanRollup)).from_select(
            [*_KEY, "ride_id", *STORED_RIDE_SUMS, "computed_at"], rides
        )
    )
    p = ParkDayRollup
    park = (
        select(p.park_id, *key, *park_aggregates(p), stamp)
        .where(
            p.park_id == park_id,
            p.metrics_version == version,
            p.local_date.between(span.first, span.last),
        )
        .group_by(p.park_id)
    )
    session.execute(
        insert(table_of(ParkSpanRollup)).from_select(
            [*_KEY, "days", "open_s", "cycles", "span_s", "computed_at"], park
        )
    )
