"""What the health check and the metrics endpoint read: each source's newest cycle by now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from hallofshame.api.lookups import latest_cycle_by_source
from hallofshame.db.models import Cycle
from hallofshame.domain.localtime import day_number
from tests.metrics import _builder as b

NOW = datetime(2026, 6, 10, 18, tzinfo=UTC)


def _cycle(session: Session, park_id: int, source: str, ts: datetime) -> None:
    session.add(
        Cycle(
            park_id=park_id,
            ts=ts,
            span_s=300,
            source=source,
            local_date=date(2026, 6, 10),
            local_day=day_number(date(2026, 6, 10)),
            park_open=True,
            open_basis="schedule",
            rides_seen=1,
        )
    )
    session.flush()


def test_each_source_s_newest_cycle_by_now(session: Session) -> None:
    wiki_a, wiki_b, qt = (b.park(session, name) for name in ("Wiki A", "Wiki B", "Queue"))
    quiet = b.park(session, "No Cycles")
    assert quiet.id  # a park without cycles has no newest cycle and is left out
    for minutes in (60, 30, 10):
        _cycle(session, wiki_a.id, "themeparks.wiki", NOW - timedelta(minutes=minutes))
    _cycle(session, wiki_a.id, "themeparks.wiki", NOW + timedelta(minutes=5))  # not by now
    _cycle(session, wiki_b.id, "themeparks.wiki", NOW - timedelta(minutes=3))
    _cycle(session, qt.id, "queue-times", NOW - timedelta(minutes=20))
    _cycle(session, qt.id, "queue-times", NOW - timedelta(minutes=40))
    assert latest_cycle_by_source(session, NOW) == {
        "themeparks.wiki": NOW - timedelta(minutes=3),
        "queue-times": NOW - timedelta(minutes=20),
    }
    assert latest_cycle_by_source(session, NOW - timedelta(days=1)) == {}
