"""The outbox at a park whose feed never says DOWN (Queue-Times): a ride CLOSED after
operating while the park is open is counted down (METRICS.md), so its first CLOSED cycle
announces the start and its return the end — the same as a reported DOWN (three
databases; the cycles written directly, then announced one by one as live cycles are)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hallofshame.db.models import BreakdownEvent, Cycle
from hallofshame.domain.statuses import Origin
from hallofshame.ingest.cycles import CycleOutcome
from hallofshame.webhooks.outbox import ENDED, STARTED, record_breakdown_events
from tests.metrics import _builder as build

DAY = date(2026, 7, 14)


def _closed_from_11_to_12(name: str, hour: float) -> tuple[str, int | None]:
    if name == "Coaster" and 11 <= hour < 12:
        return "CLOSED", None
    return "OPERATING", 20


def test_an_inferred_breakdown_is_announced(session: Session) -> None:
    park = build.park(session, name="Inferring Park")
    park.reports_down = False
    coaster = build.ride(session, park, "Coaster")
    carousel = build.ride(session, park, "Carousel")
    build.day(session, park, [coaster, carousel], DAY, _closed_from_11_to_12)
    written = Counter[int]()
    for ts in session.scalars(select(Cycle.ts).where(Cycle.park_id == park.id).order_by(Cycle.ts)):
        outcome = CycleOutcome(
            park.id, park.name, ts.isoformat(), created=True, park_open=True, origin=Origin.LIVE
        )
        written[record_breakdown_events(session, outcome)] += 1
    events = session.execute(
        select(BreakdownEvent.ride_id, BreakdownEvent.event_type, BreakdownEvent.occurred_at)
        .where(BreakdownEvent.park_id == park.id)
        .order_by(BreakdownEvent.occurred_at)
    ).all()
    assert [(ride, kind) for ride, kind, _ in events] == [
        (coaster.id, STARTED),
        (coaster.id, ENDED),
    ]
    started_at, ended_at = (at for _, _, at in events)
    # 11:00 and 12:00 in July in New York: the first CLOSED cycle and the first one back.
    assert (started_at.hour, started_at.minute) == (15, 0)
    assert (ended_at.hour, ended_at.minute) == (16, 0)
    assert written == Counter({0: 30, 1: 2})  # 32 cycles, each event written once
