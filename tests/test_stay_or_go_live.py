"""Stay or go in the live listings, and outages read from the rollup's store, on the
Copper Gulch scenario (METRICS.md §8) on every database.

A ride down now carries in the rides-downtime ranking and in its park's details the
figures ``/rides/{id}/recovery`` answers by default; every other ride carries nulls.
The recovery answers are the same whether the outages come from raw cycles, from days
the rollup stored, from stored days one of which late data made stale, or from a day
stored while one of its outages was still going on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hallofshame import clock
from hallofshame.config import get_settings
from hallofshame.db.models import Park, ParkDayRollup, Ride, RideOutage, RideOutageNow
from hallofshame.domain.localtime import local_date_of
from hallofshame.ingest.derived import drop_sums, facts_changed
from hallofshame.metrics.outages import ride_outages
from hallofshame.metrics.recovery import HISTORY
from hallofshame.rollups.daily import rollup_park_days
from hallofshame.rollups.outages import rewrite_outages
from hallofshame.rollups.outages_now import refresh_outages_now
from tests.api.conftest import make_app
from tests.test_stay_or_go import (
    EXPECTED,
    _get,
    client,  # noqa: F401 (the fixture that loads the scenario)
)


@pytest.fixture
def uncached(client: FlaskClient, session: Session) -> FlaskClient:  # noqa: F811
    """The scenario loaded, served without the response cache: the stored outages change
    below while the stamps the cache keys on may not."""
    return make_app(session.connection(), cache_enabled=False).test_client()


LIVE_FIELDS = ("down_for_minutes", "outage_kind", "chance_back_within_30_percentage")
NOW = datetime.fromisoformat(EXPECTED["now"].replace("Z", "+00:00"))


def _recovery_figures(api: FlaskClient, ride_id: int) -> dict[str, Any]:
    answer = _get(api, f"/api/rides/{ride_id}/recovery")["data"]
    return {
        "down_for_minutes": answer["down_for_minutes"],
        "outage_kind": answer["kind"],
        "chance_back_within_30_percentage": answer["chance_back_within_percentage"],
    }


def test_rides_down_now_carry_their_recovery_figures(uncached: FlaskClient) -> None:
    api = uncached
    ranking = _get(api, "/api/rides/downtime?period=live")["data"]
    down = [item for item in ranking if item["current_status"] == "DOWN"]
    assert down, "the scenario ends with rides down"
    park_id = down[0]["park_id"]
    detail = _get(api, f"/api/parks/{park_id}/details?period=live")["data"]["rides"]
    by_id = {r["ride_id"]: r for r in detail}
    with_chance = 0
    for item in down:
        want = _recovery_figures(api, item["ride_id"])
        assert want["down_for_minutes"] > 0
        assert want["outage_kind"] in ("breakdown", "opening_delay")
        assert {f: item[f] for f in LIVE_FIELDS} == want
        assert {f: by_id[item["ride_id"]][f] for f in LIVE_FIELDS} == want
        with_chance += want["chance_back_within_30_percentage"] is not None
    assert with_chance > 0, "some ride down now has enough history for a chance"
    # Rides not down now: every field present and null, in the details of every period.
    for period in ("live", "today", "7days"):
        rides = _get(api, f"/api/parks/{park_id}/details?period={period}")["data"]["rides"]
        not_down = [r for r in rides if r["status"] != "DOWN"]
        assert not_down, period
        assert {f: not_down[0][f] for f in LIVE_FIELDS} == dict.fromkeys(LIVE_FIELDS)
        assert all(r[f] is None for r in not_down for f in LIVE_FIELDS), period
    # The rides of today's ranking that are not down now carry nulls too.
    today = _get(api, "/api/rides/downtime?period=today&limit=200")["data"]
    up_today = [i for i in today if i["current_status"] != "DOWN"]
    assert up_today
    assert all(i[f] is None for i in up_today for f in LIVE_FIELDS)


def _answers(api: FlaskClient, ride_ids: list[int]) -> dict[str, Any]:
    out = {}
    for ride_id in ride_ids:
        out[f"{ride_id}"] = _get(api, f"/api/rides/{ride_id}/recovery")["data"]
        for kind in ("breakdown", "opening_delay"):
            for down_for in (0, 20):
                url = f"/api/rides/{ride_id}/recovery?kind={kind}&down_for={down_for}"
                out[f"{ride_id} {kind} {down_for}"] = _get(api, url)["data"]
    ranking = _get(api, "/api/rides/downtime?period=live")["data"]
    out["live"] = [{f: i[f] for f in ("ride_id", *LIVE_FIELDS)} for i in ranking]
    return out


def test_stored_outages_answer_as_raw_ones(uncached: FlaskClient, session: Session) -> None:
    api = uncached
    park = session.scalars(select(Park).where(Park.name == EXPECTED["park"])).one()
    # The rides down at the end and a few more (each answer reads a park's history).
    ride_ids = list(
        session.scalars(select(Ride.id).where(Ride.park_id == park.id).order_by(Ride.id))
    )[:6]
    version = get_settings().metrics_version
    from_raw = _answers(api, ride_ids)

    first = date.fromisoformat(EXPECTED["start"]) - timedelta(days=5)
    rollup_park_days(
        session,
        park,
        first,
        NOW.date(),
        version=version,
        now=NOW,
        cap_s=get_settings().span_cap_s,
    )
    stored = session.scalar(select(func.count()).select_from(RideOutage))
    assert stored and stored > 50, "the rollup stored the days' outages"
    marked = session.scalar(
        select(func.count()).where(ParkDayRollup.park_id == park.id, ParkDayRollup.outages)
    )
    assert marked and marked > 25
    assert _answers(api, ride_ids) == from_raw
    _the_store_is_read(api, session, park.id)

    # Late data makes a day of the middle stale: from it on, outages are read from raw.
    drop_sums(session, park.id, [NOW.date() - timedelta(days=12)], NOW)
    assert _answers(api, ride_ids) == from_raw

    # A day stored while one of its outages was still going on (its later outages not
    # stored at all) is read again from raw.
    cap = 2 * EXPECTED["interval_s"]
    history = ride_outages(session, park.id, ride_ids[0], NOW - timedelta(days=9), NOW, cap)
    middle = [o for o in history if o.first_ts < NOW - timedelta(days=3)]
    assert middle
    caught = middle[-1].first_ts
    rewrite_outages(
        session,
        park,
        [local_date_of(caught, park.timezone)],
        version=version,
        now=caught,
        cap_s=get_settings().span_cap_s,
    )
    ongoing = session.scalar(
        select(func.count()).where(RideOutage.outcome == "ongoing", RideOutage.park_id == park.id)
    )
    assert ongoing
    assert _answers(api, ride_ids) == from_raw


def _the_store_is_read(api: FlaskClient, session: Session, park_id: int) -> None:
    """Stretch one stored outage: the curve must move (the days are not read from raw)."""
    row = session.execute(
        select(RideOutage.ride_id, RideOutage.first_ts, RideOutage.kind)
        .where(RideOutage.park_id == park_id, RideOutage.outcome == "reopened")
        .order_by(RideOutage.first_ts.desc())
        .limit(1)
    ).one()
    url = f"/api/rides/{row.ride_id}/recovery?kind={row.kind}&down_for=0"
    before = _get(api, url)["data"]["curve"]
    stretch = update(RideOutage).where(
        RideOutage.ride_id == row.ride_id, RideOutage.first_ts == row.first_ts
    )
    session.execute(stretch.values(duration_s=RideOutage.duration_s + 6000))
    assert _get(api, url)["data"]["curve"] != before
    session.execute(stretch.values(duration_s=RideOutage.duration_s - 6000))
    assert _get(api, url)["data"]["curve"] == before


def _listing(api: FlaskClient, at: datetime | None = None) -> dict[int, dict[str, Any]]:
    """The live ranking's stay-or-go fields by ride, asked at ``at`` (default: NOW)."""
    if at is not None:
        clock.set_now(at)
    try:
        ranking = _get(api, "/api/rides/downtime?period=live&limit=200")["data"]
    finally:
        clock.set_now(None)
    return {i["ride_id"]: {f: i[f] for f in LIVE_FIELDS} for i in ranking}


def test_a_stored_answer_is_shown_only_while_it_holds(
    uncached: FlaskClient, session: Session
) -> None:
    """The answers the collection job stores are what the listings compute; one is shown
    only while its data is the request's: a new cycle, late data or a tier change, another
    metrics version or span cap, a clock before it, or its oldest outage leaving the
    90-day window each make the listing compute it again."""
    api = uncached
    cfg = get_settings()
    cap = 2 * EXPECTED["interval_s"]
    computed = _listing(api)
    down = [r for r, fields in computed.items() if fields["down_for_minutes"] is not None]
    assert down
    stored = refresh_outages_now(session, now=NOW, cap_s=cap, version=cfg.metrics_version)
    assert stored == len(down)
    assert _listing(api) == computed  # stored = computed

    # The store is what is shown: a marked answer appears in the listing.
    ride = down[0]
    row = session.get(RideOutageNow, ride)
    assert row is not None and row.oldest_started_at is not None
    row.duration_s += 60 * 60
    session.flush()
    marked = computed[ride]["down_for_minutes"] + 60
    assert _listing(api)[ride]["down_for_minutes"] == marked

    def shown_after(change: Callable[[], object], at: datetime | None = None) -> float:
        saved = {c: getattr(row, c) for c in ("cycle_ts", "as_of", "metrics_version", "cap_s")}
        change()
        session.flush()
        shown = _listing(api, at)[ride]["down_for_minutes"]
        for column, value in saved.items():
            setattr(row, column, value)
        session.flush()
        assert _listing(api)[ride]["down_for_minutes"] == marked  # holds again
        return float(shown)

    truth = computed[ride]["down_for_minutes"]
    # Computed at an earlier cycle than the park's live one.
    assert (
        shown_after(lambda: setattr(row, "cycle_ts", row.cycle_ts - timedelta(minutes=5))) == truth
    )
    # Computed after the request's clock.
    assert shown_after(lambda: setattr(row, "as_of", NOW + timedelta(seconds=1))) == truth
    assert shown_after(lambda: setattr(row, "metrics_version", row.metrics_version + 1)) == truth
    assert shown_after(lambda: setattr(row, "cap_s", cap + 1)) == truth
    # The request's window no longer holds the oldest outage the curve rests on: an
    # outage placed at the window's edge at NOW has left it a second later (the same
    # live cycle), and the answer is computed.
    assert row.oldest_started_at is not None and row.oldest_started_at > NOW - HISTORY
    row.oldest_started_at = NOW - HISTORY
    later = NOW + timedelta(seconds=1)
    assert shown_after(lambda: None, at=later) == truth
    # Late data or a tier change (the facts counter): every stored answer is set aside.
    facts_changed(session)
    assert _listing(api) == computed
