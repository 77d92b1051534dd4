"""The live panel: attractions counted by their state now."""

from __future__ import annotations

from typing import Any

from flask import g

from hallofshame.api.common import blueprint, db, envelope, now, settings
from hallofshame.api.lookups import get_park
from hallofshame.api.params import StatusSummaryQuery
from hallofshame.api.schemas import Envelope, StateCounts
from hallofshame.metrics import live, stored_rankings
from hallofshame.metrics.rankings import LIVE, selected_park_ids, selected_parks

bp = blueprint("live", ["live"])


@bp.get("/live/status-summary", responses={200: Envelope[StateCounts]})
def status_summary(query: StatusSummaryQuery) -> dict[str, Any]:
    """How many attractions are operating, down, closed … right now; each counted once."""
    if query.park_id is not None:
        get_park(db(), query.park_id)
    kept = stored_rankings.holding(
        db(), stored_rankings.LIVE_STATES, LIVE, settings().metrics_version, now()
    )
    if kept is not None:  # kept ready with the live rankings, while it holds
        g.hos_ranking = "stored"
        ids = selected_park_ids(db(), query.filter, park_id=query.park_id)
        counts = stored_rankings.state_counts(db(), kept, ids)
    else:
        g.hos_ranking = "computed"
        parks = selected_parks(db(), query.filter, query.park_id)
        counts = live.state_counts(live.ride_states(db(), parks, now()))
    return envelope(counts, filter=query.filter, park_id=query.park_id, period="live")
