"""Running sums of the current local day, updated in the transaction of each new cycle.

A cycle's rows are classified by the one SQL definition (``metrics.classify``) and added
to the ride's running row; the only state carried between cycles is the length of the
downtime episode still open. "Today" is then read from these rows instead of rescanning
the day's raw observations on every request. When cycles arrive out of order the day is
rebuilt from all of its cycles, or dropped and computed from raw (``advance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hallofshame.db.dialects import bulk_insert
from hallofshame.db.models import Cycle, ParkDayRunning, RideDayRunning, table_of
from hallofshame.domain.localtime import date_of_day_number, day_number
from hallofshame.metrics.classify import Scope, bound, classified


@dataclass(slots=True)
class _Row:
    """A ride's running day while it is being advanced: the columns of
    ``ride_day_running`` as plain attributes (an ORM instance costs ten times more per
    cycle, and the rows are written back with one batched insert anyway)."""

    ride_id: int
    park_id: int
    local_date: date
    metrics_version: int
    up_s: int = 0
    down_s: int = 0
    capacity_s: int = 0
    wait_sum: int = 0
    wait_n: int = 0
    wait_max: int | None = None
    episodes: int = 0
    longest_outage_s: int | None = None
    open_episode_s: int | None = None
    observations: int = 0


def _step(
    row: _Row, *, span: int, up: int, down: int, cap: int, is_open: int, wait: int | None
) -> None:
    """Add one classified cycle to a ride's running day (sums and episode state)."""
    row.up_s += span * up
    row.down_s += span * down
    row.capacity_s += span * cap
    row.observations += 1
    if wait is not None:
        row.wait_sum += wait
        row.wait_n += 1
        row.wait_max = wait if row.wait_max is None else max(row.wait_max, wait)
    # METRICS.md §4: a run of down cycles; up or park closed ends it; neither extends
    # nor ends it otherwise. The day boundary ends it because each day has its own row.
    if down:
        if row.open_episode_s is None:
            row.episodes += 1
            row.open_episode_s = 0
        row.open_episode_s += span
        row.longest_outage_s = max(row.longest_outage_s or 0, row.open_episode_s)
    elif up or not is_open:
        row.open_episode_s = None


def _blank(ride_id: int, park_id: int, day: date, version: int) -> _Row:
    return _Row(ride_id=ride_id, park_id=park_id, local_date=day, metrics_version=version)


def advance(
    session: Session,
    park_id: int,
    cycles: Sequence[tuple[int, datetime, int, int, bool]],
    *,
    latest_day: int,
    version: int,
) -> None:
    """Add new cycles (id, ts, span_s, local_day, park_open) of one park to ``version``'s
    running sums of their days.

    A day whose rows end before the new cycles is advanced by them alone. The park's
    latest day, when it has no rows yet, or rows that do not end before the new cycles (a
    cycle arrived late, or the metrics version changed mid-day), is rebuilt from all of
    its stored cycles; any other day's rows are dropped and the day is read from raw until
    it is rolled up. So running rows always hold every cycle of their day up to their
    ``last_ts``, whatever order the cycles came in.
    """
    if not cycles:
        return
    days = sorted({date_of_day_number(c[3]) for c in cycles})
    parks = {
        p.local_date: p
        for p in session.scalars(
            select(ParkDayRunning).where(
                ParkDayRunning.park_id == park_id,
                ParkDayRunning.metrics_version == version,
                ParkDayRunning.local_date.in_(days),
            )
        )
    }
    first_ts = {d: min(c[1] for c in cycles if date_of_day_number(c[3]) == d) for d in days}
    latest = date_of_day_number(latest_day)
    extend = [d for d in days if d in parks and parks[d].last_ts < first_ts[d]]
    rebuild = [d for d in days if d not in extend and d == latest]
    _drop(session, park_id, [d for d in days if d not in extend and d in parks], version)
    for d in days:
        if d not in extend and d in parks:
            session.expunge(parks.pop(d))
    if not extend and not rebuild:
        return
    # Rows are read as detached objects and written back whole (delete + one batched
    # insert), so a cycle costs the same few statements however many rides the park has.
    ride_cols = table_of(RideDayRunning).columns
    rides: dict[tuple[int, date], _Row] = (
        {
            (r.ride_id, r.local_date): _Row(**dict(r._mapping))
            for r in session.execute(
                select(*ride_cols).where(
                    RideDayRunning.park_id == park_id,
                    RideDayRunning.metrics_version == version,
                    RideDayRunning.local_date.in_(extend),
                )
            )
        }
        if extend
        else {}
    )
    for day in rebuild:
        parks[day] = ParkDayRunning(
            park_id=park_id,
            local_date=day,
            metrics_version=version,
            open_s=0,
            cycles=0,
            last_ts=first_ts[day],
        )
        session.add(parks[day])
    scopes = []
    if extend:
        new = tuple(c[0] for c in cycles if date_of_day_number(c[3]) in extend)
        scopes.append(Scope(cycle_ids=new))
        for _cid, ts, span, local_day, is_open in cycles:
            if date_of_day_number(local_day) in extend:
                _count(parks[date_of_day_number(local_day)], ts, span, is_open)
    if rebuild:
        scope = Scope(days={park_id: tuple(day_number(d) for d in rebuild)})
        scopes.append(scope)
        for local_day, ts, span, is_open in session.execute(
            bound(
                select(Cycle.local_day, Cycle.ts, Cycle.span_s, Cycle.park_open).where(
                    scope.cycle_filter()
                ),
                scope,
            )
        ):
            _count(parks[date_of_day_number(int(local_day))], ts, int(span), bool(is_open))

    for scope in scopes:
        c = classified(scope)
        rows = session.execute(
            bound(
                select(
                    c.c.ride_id,
                    c.c.local_day,
                    c.c.span_s,
                    c.c.up,
                    c.c.down,
                    c.c.cap,
                    c.c.open,
                    c.c.wait,
                ).order_by(c.c.ts, c.c.ride_id),
                scope,
            )
        ).all()
        for ride_id, local_day, span, up, down, cap, is_open, wait in rows:
            key = (ride_id, date_of_day_number(int(local_day)))
            row = rides.get(key)
            if row is None:
                row = rides[key] = _blank(ride_id, park_id, key[1], version)
            _step(
                row,
                span=int(span),
                up=int(up),
                down=int(down),
                cap=int(cap),
                is_open=int(is_open),
                wait=None if wait is None else int(wait),
            )
    if extend:
        session.execute(
            delete(RideDayRunning).where(
                RideDayRunning.park_id == park_id,
                RideDayRunning.metrics_version == version,
                RideDayRunning.local_date.in_(extend),
            )
        )
    bulk_insert(
        session,
        table_of(RideDayRunning),
        [{col.key: getattr(r, col.key) for col in ride_cols} for r in rides.values()],
    )
    session.flush()


def _count(row: ParkDayRunning, ts: datetime, span: int, is_open: bool) -> None:
    """Add one cycle to the park's running day."""
    row.open_s += span if is_open else 0
    row.cycles += 1
    row.last_ts = max(row.last_ts, ts)


def _drop(session: Session, park_id: int, days: Sequence[date], version: int) -> None:
    if not days:
        return
    for model in (RideDayRunning, ParkDayRunning):
        session.execute(
            delete(model).where(
                model.park_id == park_id,
                model.metrics_version == version,
                model.local_date.in_(days),
            )
        )


def forget(session: Session, park_id: int, days: Sequence[date]) -> None:
    """Drop the running sums of days that got cycles without them (every version): they no
    longer hold every cycle of their day."""
    if not days:
        return
    for model in (RideDayRunning, ParkDayRunning):
        session.execute(delete(model).where(model.park_id == park_id, model.local_date.in_(days)))
