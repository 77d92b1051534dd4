"""The live listings' stay-or-go answers stored by the collection job (METRICS.md §8).

Through the real collection job against a local upstream playing the recorded Magic
Kingdom payload: after each cycle the answers of the rides down now are stored, and a
listing shows what ``/rides/{id}/recovery`` answers by default, stored or not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hallofshame.db.models import RideOutageNow
from tests.breakdowns.conftest import INTERVAL, TRON, World

FIELDS = ("down_for_minutes", "outage_kind", "chance_back_within_30_percentage")


def _stored(world: World) -> dict[int, RideOutageNow]:
    with world.factory() as s:
        return {r.ride_id: r for r in s.scalars(select(RideOutageNow))}


def _listed(world: World, ride_id: int) -> dict[str, Any]:
    """The ride in its park's live details (every ride, down or not)."""
    details = world.client.get(f"/api/parks/{world.park_id()}/details?period=live").json
    item = next(i for i in details["data"]["rides"] if i["ride_id"] == ride_id)
    return {f: item[f] for f in FIELDS}


def _recovery(world: World, ride_id: int) -> dict[str, Any]:
    answer = world.client.get(f"/api/rides/{ride_id}/recovery").json["data"]
    return {
        "down_for_minutes": answer["down_for_minutes"],
        "outage_kind": answer["kind"],
        "chance_back_within_30_percentage": answer["chance_back_within_percentage"],
    }


def test_each_collection_stores_the_answers_of_the_rides_down_now(world: World) -> None:
    world.cycle()  # as recorded: TRON operating
    assert _stored(world) == {}
    tron = world.ride_id(TRON)

    world.cycle({TRON: "DOWN"})
    stored = _stored(world)
    assert tron in stored
    row = stored[tron]
    assert (row.cycle_ts, row.as_of) == (world.at, world.at)
    assert (row.duration_s, row.kind) == (INTERVAL, "breakdown")
    assert row.chance is None  # one outage of history: too little for a chance
    assert _listed(world, tron) == _recovery(world, tron)
    assert _listed(world, tron)["down_for_minutes"] == INTERVAL / 60
    ranking = world.client.get("/api/rides/downtime?period=live").json["data"]
    assert {f: ranking[0][f] for f in FIELDS} == _listed(world, tron)

    world.cycle({TRON: "DOWN"})  # still down: the answer of the new cycle
    row = _stored(world)[tron]
    assert (row.cycle_ts, row.duration_s) == (world.at, 2 * INTERVAL)
    assert _listed(world, tron) == _recovery(world, tron)

    world.cycle()  # back up: nothing down, nothing stored, nulls listed
    assert tron not in _stored(world)
    assert _listed(world, tron) == dict.fromkeys(FIELDS)
