"""What a park's stored facts imply, re-derived when older data arrives (REPLAY.md,
"Load order").

Figures never depend on the order data was loaded in: after any sequence of loads they
equal those of all the data loaded once, in time order. Live collection only ever
appends, and needs none of this; a backfill, a late cycle or a schedule loaded after the
cycles it decides changes facts that later rows were derived from:

- the span of the park's next stored cycle (``respan``);
- park-open of stored cycles on the dates a late schedule covers (``reopen``), and so the
  days each ride operated on (``recount_operated``);
- eligibility, which looks back seven local days, so the classification of the 7 local
  days that follow a changed day;
- the stored sums of those days: running sums, daily rollups and the week and month sums
  that hold them. They are dropped (``drop_sums``) and the day is marked stale; until the
  rollup job redoes it the day is computed from raw, so a figure is right at every commit.

Code here works in the caller's transaction and never commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from hallofshame.db.models import (
    Cycle,
    DataVersion,
    Observation,
    OperatedDay,
    ParkDayRollup,
    ParkSpanRollup,
    Ride,
    RideDayRollup,
    RideOutage,
    RideSpanRollup,
    StaleDay,
    table_of,
)
from hallofshame.domain.localtime import day_number
from hallofshame.domain.spans import touching
from hallofshame.domain.statuses import ATTRACTION, RideStatus
from hallofshame.metrics.classify import ELIGIBILITY_DAYS
from hallofshame.rollups import running

#: A changed local day changes the eligibility of itself and the days that look back at it.
REACH = timedelta(days=ELIGIBILITY_DAYS - 1)


def affected_dates(changed: Iterable[date]) -> set[date]:
    """The local dates whose figures depend on the changed ones (D … D+6)."""
    out: set[date] = set()
    for d in changed:
        out.update(d + timedelta(days=i) for i in range(REACH.days + 1))
    return out


def drop_sums(session: Session, park_id: int, dates: Iterable[date], at: datetime) -> None:
    """Drop every stored sum of the park's dates (all metrics versions) and mark the dates
    stale; the kept week and month sums holding them go too (they add those days up)."""
    days = sorted(set(dates))
    if not days:
        return
    facts_changed(session)
    first, last = days[0], days[-1]
    running.forget(session, park_id, days)
    for rollup in (RideDayRollup, ParkDayRollup, RideOutage):
        session.execute(
            delete(rollup).where(rollup.park_id == park_id, rollup.local_date.in_(days))
        )
    spans = [s for s in touching(first, last) if any(s.first <= d <= s.last for d in days)]
    for span_model in (RideSpanRollup, ParkSpanRollup):
        if spans:
            session.execute(
                delete(span_model).where(
                    span_model.park_id == park_id,
                    or_(
                        *(
                            and_(span_model.first_date == s.first, span_model.last_date == s.last)
                            for s in spans
                        )
                    ),
                )
            )
    known = set(
        session.scalars(
            select(StaleDay.local_date).where(
                StaleDay.park_id == park_id, StaleDay.local_date.in_(days)
            )
        )
    )
    stamp = at.replace(microsecond=0)
    new = [
        {"park_id": park_id, "local_date": d, "marked_at": stamp} for d in days if d not in known
    ]
    if new:
        session.execute(insert(table_of(StaleDay)), new)


#: The counter of ``data_versions`` that late data and tier changes bump.
FACTS = "facts"


def facts_changed(session: Session) -> None:
    """Say that stored facts changed behind the latest cycle (the response cache keys on
    it). The row is made by the migration, so this is one update."""
    session.execute(
        update(DataVersion).where(DataVersion.name == FACTS).values(version=DataVersion.version + 1)
    )


def rolled_dates(session: Session, park_id: int, dates: Sequence[date]) -> set[date]:
    """Which of the dates have a daily rollup of any version (late data makes it stale)."""
    if not dates:
        return set()
    return set(
        session.scalars(
            select(ParkDayRollup.local_date)
            .where(ParkDayRollup.park_id == park_id, ParkDayRollup.local_date.in_(dates))
            .distinct()
        )
    )


def respan(
    session: Session,
    park_id: int,
    followers: dict[datetime, datetime],
    span_of: Callable[[datetime, datetime], int],
) -> set[date]:
    """Give stored cycles their span from a new predecessor; returns the dates changed.

    ``followers`` maps a stored cycle's instant to its new predecessor's instant;
    ``span_of(ts, prev)`` is the one span rule (``domain.cycle_span`` bound to the
    interval).
    """
    if not followers:
        return set()
    rows = session.execute(
        select(Cycle.id, Cycle.ts, Cycle.span_s, Cycle.local_date).where(
            Cycle.park_id == park_id, Cycle.ts.in_(list(followers))
        )
    ).all()
    changed: set[date] = set()
    for cid, ts, old, local in rows:
        new = span_of(ts, followers[ts])
        if new != old:
            session.execute(update(Cycle).where(Cycle.id == cid).values(span_s=new))
            changed.add(local)
    return changed


def recount_operated(session: Session, park_id: int, dates: Sequence[date]) -> set[date]:
    """Rebuild the rides' operated days of the park's dates from the stored cycles and
    observations (after park-open changed); returns the dates whose rows changed."""
    if not dates:
        return set()
    numbers = [day_number(d) for d in dates]
    rides = select(Ride.id).where(Ride.park_id == park_id)
    before = {
        (r, d): ts
        for r, d, ts in session.execute(
            select(OperatedDay.ride_id, OperatedDay.local_day, OperatedDay.first_operated_at).where(
                OperatedDay.ride_id.in_(rides), OperatedDay.local_day.in_(numbers)
            )
        )
    }
    after = {
        (r, int(d)): ts
        for r, d, ts in session.execute(
            select(Observation.ride_id, Cycle.local_day, func.min(Cycle.ts))
            .join(Cycle, Cycle.id == Observation.cycle_id)
            .where(
                Cycle.park_id == park_id,
                Cycle.local_day.in_(numbers),
                Cycle.park_open.is_(True),
                Observation.status == RideStatus.OPERATING.value,
            )
            .group_by(Observation.ride_id, Cycle.local_day)
        )
    }
    if before == after:
        return set()
    session.execute(
        delete(OperatedDay).where(
            OperatedDay.ride_id.in_(rides), OperatedDay.local_day.in_(numbers)
        )
    )
    if after:
        session.execute(
            insert(table_of(OperatedDay)),
            [
                {"ride_id": r, "local_day": d, "first_operated_at": ts}
                for (r, d), ts in after.items()
            ],
        )
    by_number = {day_number(d): d for d in dates}
    return {by_number[k[1]] for k in set(before) | set(after) if before.get(k) != after.get(k)}


def operating_attractions(session: Session, cycle_ids: Sequence[int]) -> dict[int, int]:
    """How many active attractions each cycle found OPERATING (the heuristic's count)."""
    if not cycle_ids:
        return {}
    rows = session.execute(
        select(Observation.cycle_id, func.count())
        .join(Ride, Ride.id == Observation.ride_id)
        .where(
            Observation.cycle_id.in_(cycle_ids),
            Observation.status == RideStatus.OPERATING.value,
            Ride.category == ATTRACTION,
            Ride.active.is_(True),
        )
        .group_by(Observation.cycle_id)
    )
    return {int(cid): int(n) for cid, n in rows}
