"""Which observations a ``Scope`` hands to the rules (metrics.classify): each window and
filter the periods, the live panel and the ride pages use picks exactly its cycles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from hallofshame.db.models import Cycle
from hallofshame.domain.localtime import day_number
from hallofshame.metrics.classify import Scope, bound, classified
from tests.metrics import _builder as b

D1, D2, D3 = date(2026, 6, 8), date(2026, 6, 9), date(2026, 6, 10)


def _rows(session: Session, scope: Scope) -> list[tuple[int, int]]:
    c = classified(scope)
    stmt = bound(select(c.c.ride_id, c.c.cycle_id), scope)
    return [(r, cid) for r, cid in session.execute(stmt)]


def test_each_scope_picks_its_cycles(session: Session) -> None:
    p = b.park(session)
    other = b.park(session, "Other Park")
    coaster, wheel = b.ride(session, p, "Coaster"), b.ride(session, p, "Wheel", 3)
    elsewhere = b.ride(session, other, "Elsewhere")
    for d in (D1, D3):  # no data on D2: days 1 and 3 are not a contiguous range
        b.day(session, p, [coaster, wheel], d)
    b.day(session, other, [elsewhere], D1)
    cycles = list(
        session.execute(select(Cycle.id, Cycle.ts).where(Cycle.park_id == p.id).order_by(Cycle.ts))
    )
    assert len(cycles) == 64  # 32 a day

    def count(scope: Scope) -> int:
        return len(_rows(session, scope))

    n1, n3 = day_number(D1), day_number(D3)
    assert count(Scope(days={p.id: (n1,)})) == 64  # two rides × 32 cycles
    assert count(Scope(days={p.id: (n1, n3)})) == 128  # not contiguous: a list of days
    assert count(Scope(days={p.id: (n1, day_number(D2), n3)})) == 128  # a range
    assert count(Scope(days={p.id: ()})) == 0
    assert count(Scope(days={p.id: (n1,), other.id: (n1,)})) == 64 + 32
    assert count(Scope()) == 0  # no days and no cycles: nothing, not everything
    # today: cycles at or before the instant (METRICS.md §5 "cycles at or before now")
    assert count(Scope(days={p.id: (n1,)}, until=cycles[9][1])) == 2 * 10
    # a window [start, end)
    window = Scope(days={p.id: (n1,)}, start=cycles[5][1], end=cycles[15][1])
    assert count(window) == 2 * 10
    assert count(Scope(days={p.id: (n1,)}, start=cycles[30][1])) == 2 * 2
    assert count(Scope(days={p.id: (n1,)}, end=cycles[1][1] + timedelta(seconds=1))) == 2 * 2
    # live: exact cycles, any park
    assert sorted(_rows(session, Scope(cycle_ids=(cycles[0][0],)))) == sorted(
        [(coaster.id, cycles[0][0]), (wheel.id, cycles[0][0])]
    )
    assert count(Scope(cycle_ids=())) == 0
    # one ride's page
    rows = _rows(session, Scope(days={p.id: (n1, n3)}, ride_id=wheel.id))
    assert len(rows) == 64 and {r for r, _ in rows} == {wheel.id}
    assert Scope(days={p.id: (n3, n1), other.id: (n1,)}).day_range() == (n1, n3)
    assert Scope().day_range() is None
    assert session.scalar(select(func.count()).select_from(Cycle)) == 64 + 32


def test_scopes_of_one_shape_share_a_statement_never_its_values(session: Session) -> None:
    """The statement is built once per shape of scope; each execution binds its own
    scope's values, and one executed without them is refused, not run with others'."""
    p, other = b.park(session), b.park(session, "Other Park")
    coaster, elsewhere = b.ride(session, p, "Coaster"), b.ride(session, other, "Elsewhere")
    b.day(session, p, [coaster], D1)
    b.day(session, p, [coaster], D2)
    b.day(session, other, [elsewhere], D2)
    n1, n2 = day_number(D1), day_number(D2)
    first, second = Scope(days={p.id: (n1,)}), Scope(days={other.id: (n2,)})
    assert first.shape() == second.shape()
    assert classified(first) is classified(second)
    assert {r for r, _ in _rows(session, first)} == {coaster.id}
    assert {r for r, _ in _rows(session, second)} == {elsewhere.id}
    c = classified(first)
    with pytest.raises(StatementError, match="scope_"):
        session.execute(select(c.c.ride_id))
    # Another shape (two parks, a list of days, a ride) is another statement.
    two = Scope(days={p.id: (n1,), other.id: (n2,)})
    assert classified(two) is not classified(first)
    assert len(_rows(session, two)) == len(_rows(session, first)) + len(_rows(session, second))
