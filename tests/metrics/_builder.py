"""Small synthetic parks for metrics tests: cycles and observations written directly.

Each simulated day opens the park from 09:00 to 17:00 local time with a cycle every
15 minutes (span 900 s); a ride's status per cycle comes from a function of the local
hour, so a test states its breakdowns in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle, Observation, OperatedDay, Park, Ride
from hallofshame.domain.localtime import day_number

SPAN = 900
#: (ride name, local hour as a float) → (status, wait minutes)
StatusFn = Callable[[str, float], tuple[str, int | None]]


def park(session: Session, name: str = "Test Park", tz: str = "America/New_York") -> Park:
    p = Park(name=name, timezone=tz, reports_down=True, is_disney=False, is_universal=False)
    session.add(p)
    session.flush()
    return p


def ride(session: Session, p: Park, name: str, tier: int | None = 1) -> Ride:
    r = Ride(park_id=p.id, name=name, tier=tier, category="ATTRACTION", active=True)
    session.add(r)
    session.flush()
    return r


def all_up(_name: str, _hour: float) -> tuple[str, int | None]:
    return "OPERATING", 20


def day(session: Session, p: Park, rides: list[Ride], d: date, fn: StatusFn = all_up) -> None:
    tz = ZoneInfo(p.timezone)
    start = datetime.combine(d, time(9), tzinfo=tz)
    operated: dict[int, datetime] = {}
    for k in range(32):  # 09:00 → 16:45, eight hours of 15-minute cycles
        local = start + timedelta(seconds=SPAN * k)
        ts = local.astimezone(ZoneInfo("UTC"))
        cycle = Cycle(
            park_id=p.id,
            ts=ts,
            span_s=SPAN,
            source="themeparks.wiki",
            local_date=d,
            local_day=day_number(d),
            park_open=True,
            open_basis="schedule",
            rides_seen=len(rides),
        )
        session.add(cycle)
        session.flush()
        for r in rides:
            status, wait = fn(r.name, 9 + k * SPAN / 3600)
            if status == "OPERATING" and r.id not in operated:
                operated[r.id] = ts
                session.add(
                    OperatedDay(ride_id=r.id, local_day=day_number(d), first_operated_at=ts)
                )
                session.flush()
            session.add(
                Observation(
                    cycle_id=cycle.id,
                    ride_id=r.id,
                    park_id=p.id,
                    ts=ts,
                    status=status,
                    raw_status=status,
                    wait_minutes=wait if status == "OPERATING" else None,
                )
            )
    session.flush()


def down_between(name: str, first: float, last: float) -> StatusFn:
    """``name`` is DOWN from local hour ``first`` (inclusive) to ``last`` (exclusive)."""

    def fn(ride_name: str, hour: float) -> tuple[str, int | None]:
        if ride_name == name and first <= hour < last:
            return "DOWN", None
        return "OPERATING", 20

    return fn
