"""Fuzzy search over park and ride names, and the index for searching in the browser."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process, utils

from hallofshame.api.common import blueprint, db, envelope
from hallofshame.api.lookups import search_entries
from hallofshame.api.params import NoQuery, SearchQuery
from hallofshame.api.schemas import Envelope, SearchHit

bp = blueprint("search", ["search"])

#: Below this WRatio score a hit is noise. WRatio weighs partial matches, so a
#: misspelled fragment ("thundr run") still finds "Thunder Run Coaster".
MIN_SCORE = 60.0


def _name_score(query: str, choice: str, **_: Any) -> float:
    return float(fuzz.WRatio(query, choice, processor=utils.default_process))


@bp.get("/search", responses={200: Envelope[list[SearchHit]]})
def search(query: SearchQuery) -> dict[str, Any]:
    """Parks and rides whose names resemble `q`, best first."""
    entries = search_entries(db())
    names = [e["name"] for e in entries]
    found = process.extract(query.q, names, scorer=_name_score, limit=None, score_cutoff=MIN_SCORE)
    # Best score first; ties keep parks before rides and then alphabetical order.
    ranked = sorted(found, key=lambda hit: (-hit[1], entries[hit[2]]["type"] != "park", hit[0]))
    hits = [{**entries[i], "score": round(score, 1)} for _, score, i in ranked[: query.limit]]
    return envelope(hits, q=query.q, limit=query.limit)


@bp.get("/search/index", responses={200: Envelope[list[SearchHit]]})
def search_index(query: NoQuery) -> dict[str, Any]:
    """Every park and ride name, for client-side search."""
    return envelope(search_entries(db()))
