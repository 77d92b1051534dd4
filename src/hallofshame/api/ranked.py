"""A ranking's answer: read from the rankings kept ready while they hold, else computed.

Both paths list with ``metrics.ranking_lists``, so they give the same items; what only
the request can know (the state now of the listed rides, a filter of the parks) is added
here to either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g

from hallofshame.api.common import db, metric_period, now, settings, snapshot
from hallofshame.db.models import Park
from hallofshame.domain.periods import Period, PeriodKind
from hallofshame.metrics import rankings, stored_rankings
from hallofshame.metrics.ranking_lists import ParkPart, RankingList, park_parts


@dataclass(frozen=True)
class Ranked:
    items: list[dict[str, Any]]
    parts: list[ParkPart]  # every park of the answer, listed or not
    parks: list[Park]  # the parks of the listed items
    stored: bool  # read from the rankings kept ready (else computed for the request)


def ranked(
    ranking: RankingList, period: Period, filter_: str, fidelity: str, sort_by: str, limit: int
) -> Ranked:
    """The first ``limit`` items of the ranking of the parks of ``filter_``/``fidelity``."""
    if period.kind is not PeriodKind.CUSTOM:
        parks = rankings.selected_parks(db(), filter_, None, fidelity)
        ids = {p.id for p in parks}
        answer = stored_rankings.holding(
            db(), ranking.name, str(metric_period(period)), settings().metrics_version, now()
        )
        if answer is not None:
            g.hos_ranking = "stored"
            items = stored_rankings.items(db(), answer, ranking, sort_by, ids, limit)
            return Ranked(items, stored_rankings.parts(answer, ids), _listed(parks, items), True)
    g.hos_ranking = "computed"
    snap = snapshot(period, filter_, fidelity=fidelity)
    items = ranking.items(snap, sort_by, limit)
    parks = [r.park for r in snap.parks]
    return Ranked(items, list(park_parts(snap).values()), _listed(parks, items), False)


def _listed(parks: list[Park], items: list[dict[str, Any]]) -> list[Park]:
    wanted = {i["park_id"] for i in items}
    return [p for p in parks if p.id in wanted]
