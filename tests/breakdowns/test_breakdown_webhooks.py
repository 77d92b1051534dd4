"""Breakdowns seen by the real collector reach the Atom feed within the cycle and a
local receiver as signed events once the webhook job runs (three databases)."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hallofshame import clock
from hallofshame.db.models import BreakdownEvent, JobRun, WebhookSubscription
from hallofshame.jobs.webhooks import webhooks_job
from tests.breakdowns.conftest import (
    HAUNTED,
    KEY,
    SECRET,
    SPACE,
    TRON,
    VEHICLES,
    Receiver,
    World,
    verify,
)

ATOM = "{http://www.w3.org/2005/Atom}"
HOS = "{urn:x-hallofshame:breakdowns:1}"


def entries(world: World, url: str = "/feeds/breakdowns.atom") -> list[ET.Element]:
    answer = world.client.get(url)
    assert answer.status_code == 200, answer.data
    assert answer.content_type.startswith("application/atom+xml")
    root = ET.fromstring(answer.data)  # noqa: S314 (our own answer, parsed in a test)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def runs(world: World) -> list[str]:
    with world.factory() as s:
        return list(s.scalars(select(JobRun.outcome).where(JobRun.job == "webhooks")))


def field(entry: ET.Element, name: str) -> str:
    found = entry.find(f"{HOS}{name}")
    assert found is not None and found.text is not None, name
    return found.text


def text(entry: ET.Element, tag: str) -> str:
    found = entry.find(f"{ATOM}{tag}")
    assert found is not None and found.text is not None, tag
    return found.text


def test_a_breakdown_reaches_the_feed_and_a_signed_webhook(
    world: World, receiver: Receiver
) -> None:
    hook = receiver.url("/hook")
    sub_id = world.subscribe(hook)
    world.cycle()  # all as recorded: TRON operating
    assert entries(world) == []
    webhooks_job(world.factory)  # nothing to send: no run at all, none recorded
    assert runs(world) == []
    tron = world.ride_id(TRON)

    # TRON breaks down. In the same cycle: Space Mountain CLOSED at a park that reports
    # DOWN, Main Street Vehicles DOWN without having operated (not eligible) and Big
    # Thunder still in refurbishment: none of those is a breakdown.
    world.cycle({TRON: "DOWN", SPACE: "CLOSED", VEHICLES: "DOWN"})
    found = entries(world)
    assert [field(e, "ride_id") for e in found] == [str(tron)]
    (down,) = found
    entry_id = text(down, "id")
    assert entry_id.startswith("tag:")
    assert field(down, "status") == "ongoing"
    assert field(down, "tier") == "1"
    assert field(down, "park") == "Magic Kingdom Park"
    # Started one span before its first down cycle, shown in Orlando's time.
    assert field(down, "start_local") == "2026-04-14T14:00:00-04:00"
    assert down.find(f"{HOS}duration_minutes") is None

    assert receiver.got == []  # nothing is sent by the collection itself
    report = webhooks_job(world.factory)
    assert (report.attempted, report.delivered) == (1, 1)
    ((path, headers, body),) = receiver.got
    assert path == "/hook"
    assert verify(SECRET, body, headers["X-Hallofshame-Signature"])
    assert not verify("not-the-secret-of-this-hook", body, headers["X-Hallofshame-Signature"])
    started = receiver.events("/hook")[0]
    assert started["event_type"] == "breakdown.started"
    assert headers["X-Hallofshame-Event-Id"] == started["event_id"]
    assert (started["ride_id"], started["ride_name"], started["tier"]) == (
        tron,
        "TRON Lightcycle / Run",
        1,
    )
    assert started["park_id"] == world.park_id()
    assert started["start_local"] == "2026-04-14T14:00:00-04:00"
    assert started["entry_id"] == entry_id
    assert started["duration_minutes"] is None

    webhooks_job(world.factory)
    assert len(receiver.got) == 1  # delivered once: nothing more to send
    assert runs(world) == ["ok"]

    world.cycle()  # TRON is back
    (up,) = entries(world)
    assert text(up, "id") == entry_id
    assert text(up, "updated") > text(down, "updated")
    assert field(up, "status") == "ended"
    webhooks_job(world.factory)
    assert len(receiver.got) == 2
    _, headers, body = receiver.got[1]
    assert verify(SECRET, body, headers["X-Hallofshame-Signature"])
    ended = receiver.events("/hook")[1]
    assert ended["event_type"] == "breakdown.ended"
    assert ended["event_id"] != started["event_id"] and ended["entry_id"] == entry_id
    assert headers["X-Hallofshame-Delivery"] != receiver.got[0][1]["X-Hallofshame-Delivery"]

    details = world.client.get(f"/api/rides/{tron}/details?period=today").json["data"]
    (episode,) = details["episodes"]
    assert ended["duration_minutes"] == episode["duration_minutes"] == 5.0
    assert float(field(up, "duration_minutes")) == episode["duration_minutes"]
    assert ended["end"] == episode["end"] and ended["start"] == episode["start"]

    log = world.client.get(f"/api/admin/webhooks/{sub_id}/deliveries", headers=KEY).json
    assert [(d["event_type"], d["state"], d["attempts"]) for d in log["data"]] == [
        ("breakdown.ended", "delivered", 1),
        ("breakdown.started", "delivered", 1),
    ]
    assert log["data"][1]["log"][0]["delivery_id"] == receiver.got[0][1]["X-Hallofshame-Delivery"]


def test_a_failing_receiver_gets_the_same_event_again_after_backoff(
    world: World, receiver: Receiver
) -> None:
    sub_id = world.subscribe(receiver.url("/flaky", [500, 500, 500, 200]))
    world.cycle()
    world.cycle({TRON: "DOWN"})
    rng = random.Random(7)
    assert webhooks_job(world.factory, rng=rng).failed == 1
    # The retry is not due yet: running again at once sends nothing.
    assert webhooks_job(world.factory, rng=rng).attempted == 0
    for _ in range(3):
        clock.set_now(clock.now() + timedelta(hours=2))  # past any backoff
        webhooks_job(world.factory, rng=rng)
    assert len(receiver.got) == 4
    ids = {h["X-Hallofshame-Event-Id"] for _, h, _ in receiver.got}
    bodies = {body for _, _, body in receiver.got}
    assert len(ids) == 1 and len(bodies) == 1  # the same event, byte for byte
    assert len({h["X-Hallofshame-Delivery"] for _, h, _ in receiver.got}) == 4
    assert all(verify(SECRET, b, h["X-Hallofshame-Signature"]) for _, h, b in receiver.got)
    clock.set_now(clock.now() + timedelta(hours=2))
    assert webhooks_job(world.factory, rng=rng).attempted == 0  # delivered: done

    (delivery,) = world.client.get(f"/api/admin/webhooks/{sub_id}/deliveries", headers=KEY).json[
        "data"
    ]
    assert (delivery["state"], delivery["attempts"]) == ("delivered", 4)
    assert [a["status_code"] for a in delivery["log"]] == [500, 500, 500, 200]
    listed = world.client.get("/api/admin/webhooks", headers=KEY).json["data"]
    assert listed[0]["active"] is True and listed[0]["failing_since"] is None


def test_a_day_of_failures_disables_the_subscription(world: World, receiver: Receiver) -> None:
    sub_id = world.subscribe(receiver.url("/down", [503]))
    world.cycle()
    world.cycle({TRON: "DOWN"})
    rng = random.Random(3)
    for _ in range(6):  # 0 h, 5 h … 25 h after the first failure
        webhooks_job(world.factory, rng=rng)
        clock.set_now(clock.now() + timedelta(hours=5))
    (sub,) = world.client.get("/api/admin/webhooks", headers=KEY).json["data"]
    assert sub["webhook_id"] == sub_id
    assert sub["active"] is False and sub["disabled_at"] is not None
    assert "HTTP 503" in sub["disabled_reason"]
    assert len(receiver.got) == 6
    clock.set_now(clock.now() + timedelta(hours=5))
    assert webhooks_job(world.factory, rng=rng).attempted == 0


def test_a_receiver_that_does_not_answer_in_time_is_retried(
    world: World, receiver: Receiver
) -> None:
    import time

    from werkzeug import Request, Response

    def slow(request: Request) -> Response:
        time.sleep(1.0)
        return Response("late")

    receiver.server.expect_request("/slow", method="POST").respond_with_handler(slow)
    sub_id = world.subscribe(receiver.server.url_for("/slow"))
    world.cycle()
    world.cycle({TRON: "DOWN"})
    report = webhooks_job(world.factory, timeout_s=0.2)
    assert (report.attempted, report.failed) == (1, 1)
    (delivery,) = world.client.get(f"/api/admin/webhooks/{sub_id}/deliveries", headers=KEY).json[
        "data"
    ]
    assert delivery["state"] == "pending" and delivery["next_attempt_at"] is not None
    assert delivery["log"][0]["error"].startswith("timeout")


def test_filters_park_tier_and_duration(world: World, receiver: Receiver) -> None:
    lakeshore = world.park_id() + 1
    everything = receiver.url("/all")
    world.subscribe(receiver.url("/other-park"), park_ids=[lakeshore])
    world.subscribe(receiver.url("/tier1"), max_tier=1)
    world.subscribe(receiver.url("/long"), min_duration_minutes=10)
    world.subscribe(receiver.url("/slack"), park_ids=[world.park_id()], max_tier=3, format="slack")
    world.subscribe(everything)
    world.cycle()
    world.cycle({TRON: "DOWN", HAUNTED: "DOWN"})
    world.cycle({HAUNTED: "DOWN"})  # TRON back after 5 minutes
    world.cycle({HAUNTED: "DOWN"})
    world.cycle()  # the Haunted Mansion back after 15 minutes
    webhooks_job(world.factory)
    tron, haunted = world.ride_id(TRON), world.ride_id(HAUNTED)

    def seen(path: str) -> set[tuple[str, int]]:
        return {(e["event_type"], e["ride_id"]) for e in receiver.events(path)}

    both = {
        ("breakdown.started", tron),
        ("breakdown.ended", tron),
        ("breakdown.started", haunted),
        ("breakdown.ended", haunted),
    }
    assert seen("/all") == both
    assert receiver.events("/other-park") == []
    assert seen("/tier1") == {("breakdown.started", tron), ("breakdown.ended", tron)}
    assert seen("/long") == {("breakdown.ended", haunted)}
    durations = {
        e["ride_id"]: e["duration_minutes"]
        for e in receiver.events("/all")
        if e["event_type"] == "breakdown.ended"
    }
    assert durations == {tron: 5.0, haunted: 15.0}
    slack = [body for p, _, body in receiver.got if p == "/slack"]
    assert len(slack) == 4
    chat: list[dict[str, Any]] = [json.loads(b) for b in slack]
    assert all(set(c) == {"text"} for c in chat)
    assert any("BACK UP: Haunted Mansion (tier 3)" in c["text"] for c in chat)


def test_a_replay_of_history_sends_nothing(world: World, receiver: Receiver, tmp_path: Any) -> None:
    import gzip

    from hallofshame.jobs import tasks
    from tests.breakdowns.conftest import MK, T0, live_body

    world.subscribe(receiver.url("/hook"))
    lines = []
    for i, changes in enumerate([{}, {TRON: "DOWN"}, {TRON: "DOWN"}, {}]):
        at = T0 + timedelta(minutes=5 * i)
        lines.append(
            {
                "ts": at.isoformat().replace("+00:00", "Z"),
                "source": "themeparks.wiki",
                "park_id": MK,
                "kind": "live",
                "http_status": 200,
                "raw": live_body(at, changes),
            }
        )
    feed = tmp_path / "history.ndjson.gz"
    feed.write_bytes(gzip.compress("\n".join(json.dumps(x) for x in lines).encode()))
    clock.set_now(T0 + timedelta(minutes=20))
    stats = tasks.replay_files(world.factory, [feed], interval_s=300)
    assert stats.cycles == 4
    # The history is in the feed (it is a breakdown like any other) …
    assert [field(e, "status") for e in entries(world)] == ["ended"]
    # … but it is news to nobody: no event, nothing sent.
    with world.factory() as s:
        assert s.scalar(select(func.count()).select_from(BreakdownEvent)) == 0
        assert s.scalar(select(func.count()).select_from(WebhookSubscription)) == 1
    assert webhooks_job(world.factory).attempted == 0
    assert receiver.got == []
