"""Outages of one ride (METRICS.md §8) built cycle by cycle, on every database.

One park in Los Angeles polled every 10 minutes (span cap 20 minutes); each step of a
feed is (local time, park open?, the ride's status or None when the poll missed it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.config import get_settings
from hallofshame.db.models import Cycle, Observation, OperatedDay, Park, Ride, RideOutage
from hallofshame.domain.localtime import day_number
from hallofshame.metrics.outages import (
    BREAKDOWN,
    LEAD,
    ONGOING,
    OPENING_DELAY,
    PARK_CLOSED,
    REOPENED,
    Outage,
    opening_start,
    outages_started_in,
    ride_outages,
)
from hallofshame.rollups.daily import rollup_park_days

TZ = ZoneInfo("America/Los_Angeles")
UTC = ZoneInfo("UTC")
INTERVAL = 600
CAP = 2 * INTERVAL
D = date(2026, 9, 18)  # a Friday

Step = tuple[str, bool, str | None]


def _load(session: Session, steps: list[Step]) -> tuple[Park, Ride]:
    park = Park(
        name="Test Park", timezone=TZ.key, reports_down=True, is_disney=False, is_universal=False
    )
    session.add(park)
    session.flush()
    ride = Ride(park_id=park.id, name="Coaster", tier=1, category="ATTRACTION", active=True)
    session.add(ride)
    session.flush()
    prev: datetime | None = None
    operated: set[date] = set()
    for when, is_open, status in steps:
        local = datetime.fromisoformat(when).replace(tzinfo=TZ)
        ts = local.astimezone(UTC)
        span = INTERVAL if prev is None else min(int((ts - prev).total_seconds()), CAP)
        prev = ts
        cycle = Cycle(
            park_id=park.id,
            ts=ts,
            span_s=span,
            source="themeparks.wiki",
            local_date=local.date(),
            local_day=day_number(local.date()),
            park_open=is_open,
            open_basis="schedule",
            rides_seen=0 if status is None else 1,
        )
        session.add(cycle)
        session.flush()
        if status is None:
            continue
        if status == "OPERATING" and is_open and local.date() not in operated:
            operated.add(local.date())
            session.add(
                OperatedDay(
                    ride_id=ride.id, local_day=day_number(local.date()), first_operated_at=ts
                )
            )
        session.add(
            Observation(
                cycle_id=cycle.id,
                ride_id=ride.id,
                park_id=park.id,
                ts=ts,
                status=status,
                raw_status=status,
                wait_minutes=None,
            )
        )
    session.flush()
    return park, ride


def _every(start: str, count: int, is_open: bool, status: str | None) -> list[Step]:
    first = datetime.fromisoformat(start)
    return [
        ((first + timedelta(minutes=10 * k)).isoformat(), is_open, status) for k in range(count)
    ]


def _day(d: date, hhmm: str) -> str:
    return f"{d.isoformat()}T{hhmm}"


D1, D2 = D + timedelta(days=1), D + timedelta(days=2)
STEPS: list[Step] = [
    # Friday: open until 00:30; down 23:30 → 00:10, up again at 00:20 (across midnight).
    *_every(_day(D, "09:00"), 6, True, "OPERATING"),
    *_every(_day(D, "23:20"), 1, True, "OPERATING"),
    *_every(_day(D, "23:30"), 5, True, "DOWN"),
    *_every(_day(D1, "00:20"), 1, True, "OPERATING"),
    *_every(_day(D1, "00:30"), 2, False, "CLOSED"),
    # Saturday: operates (again at 20:40, after a long gap), then down 21:00 → 21:50
    # until the park closes at 22:00.
    *_every(_day(D1, "09:00"), 3, True, "OPERATING"),
    *_every(_day(D1, "20:40"), 2, True, "OPERATING"),  # after a gap: operates again
    *_every(_day(D1, "21:00"), 6, True, "DOWN"),
    *_every(_day(D1, "22:00"), 2, False, "CLOSED"),
    # Sunday: down from the first cycle of the opening (an opening delay), up at 09:20.
    *_every(_day(D2, "09:00"), 2, True, "DOWN"),
    *_every(_day(D2, "09:20"), 4, True, "OPERATING"),
    # A breakdown at 10:00, an unknown status, a missed poll, then a 40-minute gap: the
    # outage goes on (10:00 + the 11:00 cycle capped at 20 minutes) until up at 11:10.
    (_day(D2, "10:00"), True, "DOWN"),
    (_day(D2, "10:10"), True, "UNKNOWN"),
    (_day(D2, "10:20"), True, None),
    (_day(D2, "11:00"), True, "DOWN"),
    (_day(D2, "11:10"), True, "OPERATING"),
    # After another gap, operating again, then down at the park's latest cycle: ongoing.
    *_every(_day(D2, "19:40"), 2, True, "OPERATING"),
    *_every(_day(D2, "20:00"), 3, True, "DOWN"),
]


def _local(ts: datetime | None) -> str | None:
    return None if ts is None else ts.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def _shape(o: Outage) -> tuple[str | None, str | None, int, str, str, str]:
    return (
        _local(o.started_at),
        _local(o.ended_at),
        o.duration_s // 60,
        o.outcome,
        o.kind,
        o.severity,
    )


def _now() -> datetime:
    return datetime.combine(D2, datetime.min.time(), TZ).replace(hour=20, minute=30)


def test_outages_edge_cases(session: Session) -> None:
    park, ride = _load(session, STEPS)
    start = datetime.combine(D, datetime.min.time(), TZ)
    found = ride_outages(session, park.id, ride.id, start, _now(), CAP)
    assert [_shape(o) for o in found] == [
        # One outage across local midnight, not cut there.
        ("2026-09-18 23:20", "2026-09-19 00:10", 50, REOPENED, BREAKDOWN, "moderate"),
        # Cut short by the closing: censored.
        ("2026-09-19 20:50", "2026-09-19 21:50", 60, PARK_CLOSED, BREAKDOWN, "major"),
        # Down from the opening's first cycle: the ride never opened that morning.
        # (Its first cycle follows the night's gap: its span is the 20-minute cap.)
        ("2026-09-20 08:40", "2026-09-20 09:10", 30, REOPENED, OPENING_DELAY, "moderate"),
        # The unknown status, the missed poll and the gap neither end nor extend it.
        ("2026-09-20 09:50", "2026-09-20 11:00", 30, REOPENED, BREAKDOWN, "moderate"),
        # Still down at the latest cycle.
        ("2026-09-20 19:50", None, 30, ONGOING, BREAKDOWN, "moderate"),
    ]


def test_breakdown_after_operating_is_not_an_opening_delay(session: Session) -> None:
    steps: list[Step] = [
        *_every(_day(D, "09:00"), 2, True, "OPERATING"),
        *_every(_day(D, "09:20"), 1, True, "DOWN"),
        *_every(_day(D, "09:30"), 1, True, "OPERATING"),
        *_every(_day(D, "22:00"), 1, False, "CLOSED"),
        # Next morning: closed cycles, then down when the park opens.
        *_every(_day(D1, "08:40"), 2, False, "CLOSED"),
        *_every(_day(D1, "09:00"), 1, True, "DOWN"),
        *_every(_day(D1, "09:10"), 1, True, "OPERATING"),
        *_every(_day(D1, "09:20"), 1, True, "DOWN"),
        *_every(_day(D1, "09:30"), 1, True, "OPERATING"),
    ]
    park, ride = _load(session, steps)
    start = datetime.combine(D, datetime.min.time(), TZ)
    found = ride_outages(session, park.id, ride.id, start, _now(), CAP)
    assert [(o.kind, o.outcome, o.duration_s) for o in found] == [
        (BREAKDOWN, REOPENED, 600),
        (OPENING_DELAY, REOPENED, 600),
        (BREAKDOWN, REOPENED, 600),
    ]


def test_window_keeps_outages_that_started_in_it(session: Session) -> None:
    park, ride = _load(session, STEPS)
    saturday = datetime.combine(D1, datetime.min.time(), TZ)
    listed = outages_started_in(
        session, park.id, ride.id, saturday, saturday + timedelta(days=1), _now(), CAP
    )
    # The outage across Friday's midnight started on Friday: not Saturday's.
    assert [_shape(o)[:4] for o in listed] == [
        ("2026-09-19 20:50", "2026-09-19 21:50", 60, PARK_CLOSED),
    ]


def test_a_pass_from_the_opening_start_finds_what_a_longer_pass_finds(session: Session) -> None:
    park, ride = _load(session, STEPS)
    first = datetime.combine(D, datetime.min.time(), TZ)
    every = ride_outages(session, park.id, ride.id, first - LEAD, _now(), CAP)

    def local(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=TZ)

    cases = [
        # Inside Friday's opening, which runs past midnight: no closed cycle before it
        # within LEAD, so LEAD before.
        (local(_day(D1, "00:00")), local(_day(D1, "00:00")) - LEAD),
        # Sunday's midnight and a Sunday morning instant: after Saturday's last closed
        # cycle (22:10), whatever lies in between.
        (local(_day(D2, "00:00")), local(_day(D1, "22:10"))),
        (local(_day(D2, "10:05")), local(_day(D1, "22:10"))),
        # Saturday's gap after 09:20 is not a closing: the night's closing is (00:40).
        (local(_day(D1, "21:05")), local(_day(D1, "00:40"))),
    ]
    for start, want in cases:
        assert opening_start(session, park.id, start) == want, start
        found = ride_outages(session, park.id, ride.id, want, _now(), CAP)
        assert [o for o in found if o.first_ts >= start] == [
            o for o in every if o.first_ts >= start
        ], start


def test_a_rolled_up_day_stores_an_outage_that_ends_days_later_as_it_ends(
    session: Session,
) -> None:
    # Down on Friday evening, then no cycle until Monday morning (a gap neither ends nor
    # extends an outage), up again at 10:10: the outage belongs to Friday and ends on
    # Monday, beyond what the rollup of Friday reads at first (LEAD past the day).
    monday = D + timedelta(days=3)
    steps: list[Step] = [
        *_every(_day(D, "09:00"), 3, True, "OPERATING"),
        *_every(_day(D, "20:00"), 2, True, "DOWN"),
        (_day(monday, "10:00"), True, "DOWN"),
        (_day(monday, "10:10"), True, "OPERATING"),
    ]
    park, ride = _load(session, steps)
    now = datetime.combine(monday, datetime.min.time(), TZ).replace(hour=12)
    # The rollup's cap is the one it is given (not the settings' 600 s): the Monday cycle
    # after the gap is capped at CAP in both.
    rollup_park_days(session, park, D, D, version=1, now=now, cap_s=CAP)
    stored = session.scalars(select(RideOutage).where(RideOutage.ride_id == ride.id)).all()
    raw = ride_outages(
        session, park.id, ride.id, datetime.combine(D, datetime.min.time(), TZ), now, CAP
    )
    assert [(_local(o.first_ts), _local(o.last_ts), o.outcome) for o in raw] == [
        ("2026-09-18 20:00", "2026-09-21 10:00", REOPENED)
    ]
    assert [
        (r.local_date, r.started_at, r.first_ts, r.last_ts, r.duration_s, r.outcome, r.kind)
        for r in stored
    ] == [(D, o.started_at, o.first_ts, o.last_ts, o.duration_s, o.outcome, o.kind) for o in raw]


def test_rolled_up_days_store_the_outages_found_from_raw(session: Session) -> None:
    # The edge-case feed: an outage across Friday's midnight, one cut by Saturday's
    # closing; Friday and Saturday rolled up one day at a time, each read only from the
    # opening its day starts in to the closing after it.
    park, ride = _load(session, STEPS)
    for day in (D, D1):
        rollup_park_days(session, park, day, day, version=1, now=_now(), cap_s=CAP)
    stored = session.scalars(
        select(RideOutage).where(RideOutage.ride_id == ride.id).order_by(RideOutage.first_ts)
    ).all()
    raw = ride_outages(
        session, park.id, ride.id, datetime.combine(D, datetime.min.time(), TZ) - LEAD, _now(), CAP
    )
    saturday_end = datetime.combine(D2, datetime.min.time(), TZ)
    assert len(stored) == 2
    assert [(r.first_ts, r.last_ts, r.duration_s, r.outcome, r.kind) for r in stored] == [
        (o.first_ts, o.last_ts, o.duration_s, o.outcome, o.kind)
        for o in raw
        if o.first_ts < saturday_end
    ]


def test_a_rollup_caps_gaps_at_the_cap_it_is_given(session: Session) -> None:
    # Up, then a 15-minute gap (longer than the settings' default cap of 600 s, within
    # this feed's CAP of 1,200 s), then down: the same opening, so a breakdown, only if
    # the rollup uses the cap it is given.
    steps: list[Step] = [
        *_every(_day(D, "09:00"), 2, True, "OPERATING"),
        (_day(D, "09:25"), True, "DOWN"),
        (_day(D, "09:35"), True, "OPERATING"),
        *_every(_day(D, "17:00"), 2, False, "CLOSED"),
    ]
    park, ride = _load(session, steps)
    assert get_settings().span_cap_s < CAP
    rollup_park_days(session, park, D, D, version=1, now=_now(), cap_s=CAP)
    stored = session.scalars(select(RideOutage).where(RideOutage.ride_id == ride.id)).all()
    assert [(_local(r.first_ts), r.kind) for r in stored] == [("2026-09-18 09:25", BREAKDOWN)]
