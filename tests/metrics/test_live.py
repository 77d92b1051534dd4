"""The roster: each ride's eligibility now and the day it last operated (metrics.live,
METRICS.md §2 "Eligible": operated on one of the local days D-6 … D, by t)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hallofshame.db.models import OperatedDay
from hallofshame.domain.localtime import day_number
from hallofshame.metrics import live
from tests.metrics import _builder as b

TODAY = date(2026, 6, 10)
TZ = ZoneInfo("America/New_York")
#: 11:00 local on TODAY.
NOW = datetime.combine(TODAY, time(11), tzinfo=TZ).astimezone(UTC)


def _operated(session: Session, ride_id: int, d: date, hour: int) -> None:
    at = datetime.combine(d, time(hour), tzinfo=TZ).astimezone(UTC)
    session.add(OperatedDay(ride_id=ride_id, local_day=day_number(d), first_operated_at=at))
    session.flush()


def test_roster_names_each_ride_s_latest_operation_by_now(session: Session) -> None:
    p = b.park(session)
    recent, later_today, stale, _never = (
        b.ride(session, p, name) for name in ("Recent", "Later Today", "Stale", "Never")
    )
    # Several days each: the latest by now is named, not the first.
    for d in (TODAY - timedelta(days=20), TODAY - timedelta(days=9), TODAY - timedelta(days=3)):
        _operated(session, recent.id, d, 10)
    # Today's first operation is after now: the day before it is the latest by now.
    _operated(session, later_today.id, TODAY - timedelta(days=6), 9)
    _operated(session, later_today.id, TODAY, 15)
    # Seven local days back is outside D-6 … D.
    _operated(session, stale.id, TODAY - timedelta(days=30), 9)
    _operated(session, stale.id, TODAY - timedelta(days=7), 9)
    # A later day than today (a clock pinned in the past) is not by now either.
    _operated(session, stale.id, TODAY + timedelta(days=1), 9)
    by_name = {e.ride.name: e for e in live.roster(session, p, NOW)}
    assert list(by_name) == ["Later Today", "Never", "Recent", "Stale"]  # by name
    got = {name: (e.eligible, e.last_operated_date, e.reason) for name, e in by_name.items()}
    assert got == {
        "Recent": (True, TODAY - timedelta(days=3), None),
        "Later Today": (True, TODAY - timedelta(days=6), None),
        "Stale": (False, TODAY - timedelta(days=7), live.NOT_OPERATED),
        "Never": (False, None, live.NOT_OPERATED),
    }
    assert by_name["Recent"].last_operated_at == datetime.combine(
        TODAY - timedelta(days=3), time(10), tzinfo=TZ
    ).astimezone(UTC)
