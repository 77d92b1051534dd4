"""What every answer kept ready is stamped with and how it is replaced, for the jobs that
keep them (``rollups.stored_rankings``, ``rollups.stored_audit``): one stamp, read by
``metrics.stored_rankings.held``. Runs in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from hallofshame.db.models import (
    Cycle,
    DataVersion,
    Park,
    ParkDayRollup,
    RankingAnswer,
    RankingRow,
)


def rests_on(session: Session) -> dict[str, Any]:
    """The data an answer computed now rests on: the facts counter, the latest rollup
    computation and the highest cycle id. Read before computing: anything committed in
    between is then seen as newer than the answer, never as part of it."""
    return {
        "facts_version": int(session.scalar(select(DataVersion.current())) or 0),
        "computed_at": session.scalar(select(ParkDayRollup.latest_computation())),
        "cycle_id": session.scalar(select(func.max(Cycle.id))) or 0,
    }


def forget(session: Session, which: ColumnElement[bool]) -> None:
    """Delete the stored answers ``which`` selects, with their rows."""
    ids = list(session.scalars(select(RankingAnswer.id).where(which)))
    if ids:
        session.execute(delete(RankingRow).where(RankingRow.answer_id.in_(ids)))
        session.execute(delete(RankingAnswer).where(RankingAnswer.id.in_(ids)))


def header(session: Session, list_name: str, stamp: dict[str, Any]) -> RankingAnswer:
    """A new stored answer of ``list_name`` with ``stamp``, flushed (its id is known)."""
    answer = RankingAnswer(list_name=list_name, **stamp)
    session.add(answer)
    session.flush()
    return answer


def active_zones(session: Session) -> list[str]:
    """The time zones of the active parks: where the days of stored answers end."""
    return list(session.scalars(select(Park.timezone).where(Park.active.is_(True)).distinct()))
