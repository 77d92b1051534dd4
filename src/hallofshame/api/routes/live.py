"""The live panel: attractions counted by their state now."""

from __future__ import annotations

from typing import Any

from hallofshame.api.common import blueprint, db, envelope, now
from hallofshame.api.lookups import get_park
from hallofshame.api.params import StatusSummaryQuery
from hallofshame.api.schemas import Envelope, StateCounts
from hallofshame.metrics import live
from hallofshame.metrics.rankings import selected_parks

bp = blueprint("live", ["live"])


@bp.get("/live/status-summary", responses={200: Envelope[StateCounts]})
def status_summary(query: StatusSummaryQuery) -> dict[str, Any]:
    """How many attractions are operating, down, closed … right now; each counted once."""
    if query.park_id is not None:
        get_park(db(), query.park_id)
    parks = selected_parks(db(), query.filter, query.park_id)
    counts = live.state_counts(live.ride_states(db(), parks, now()))
    return envelope(counts, filter=query.filter, park_id=query.park_id, period="live")
