"""The subscriptions' admin API: keyed, validated, and never showing a secret."""

from __future__ import annotations

from typing import Any

import pytest

from hallofshame.api.app import create_app
from hallofshame.config import get_settings
from hallofshame.jobs.webhooks import webhooks_job
from tests.breakdowns.conftest import KEY, SECRET, TRON, Receiver, World

GOOD: dict[str, Any] = {"url": "https://hooks.example.org/in", "secret": SECRET}


def test_the_key_is_required(world: World) -> None:
    assert world.client.get("/api/admin/webhooks").status_code == 401
    assert world.client.post("/api/admin/webhooks", json=GOOD).status_code == 401
    wrong = {"X-API-Key": "nope"}
    assert world.client.delete("/api/admin/webhooks/1", headers=wrong).status_code == 401
    assert world.client.get("/api/admin/webhooks/1/deliveries", headers=wrong).status_code == 401
    keyless = create_app(
        get_settings().model_copy(update={"env": "test", "api_keys": ""}),
        session_factory=world.factory,
    ).test_client()
    assert keyless.post("/api/admin/webhooks", json=GOOD, headers=KEY).status_code == 403


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"url": "ftp://hooks.example.org/in"}, "url"),
        ({"url": "https:///no-host"}, "url"),
        ({"url": "http://h:99999/"}, "url"),
        ({"url": "0"}, "url"),
        ({"url": " https://hooks.example.org/in"}, "url"),  # as the document's pattern says
        ({"min_duration_minutes": False}, "min_duration_minutes"),  # not a number
        ({"max_tier": "1"}, "max_tier"),
        ({"secret": "short"}, "secret"),
        ({"max_tier": 4}, "max_tier"),
        ({"min_duration_minutes": -1}, "min_duration_minutes"),
        ({"format": "xml"}, "format"),
        ({"park_ids": [0]}, "park_ids"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_subscription_is_a_400_naming_the_field(
    world: World, change: dict[str, Any], param: str
) -> None:
    answer = world.client.post("/api/admin/webhooks", json={**GOOD, **change}, headers=KEY)
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["code"] == "invalid_parameter"
    assert answer.json["error"]["details"]["parameter"] == param
    assert world.client.get("/api/admin/webhooks", headers=KEY).json["data"] == []


def test_an_unknown_park_is_not_found_and_named(world: World) -> None:
    answer = world.client.post(
        "/api/admin/webhooks", json={**GOOD, "park_ids": [424242]}, headers=KEY
    )
    assert answer.status_code == 404, answer.json
    error = answer.json["error"]
    assert error["code"] == "not_found"
    assert error["details"] == {"parameter": "park_ids", "ids": [424242]}
    assert "424242" in error["message"]
    assert world.client.get("/api/admin/webhooks", headers=KEY).json["data"] == []


def test_a_subscription_is_listed_without_its_secret_and_deleted(
    world: World, receiver: Receiver
) -> None:
    park = world.park_id()
    created = world.client.post(
        "/api/admin/webhooks",
        json={
            **GOOD,
            "url": receiver.url("/hook"),
            "park_ids": [park, park],
            "max_tier": 2,
            "min_duration_minutes": 0,
            "format": "discord",
        },
        headers=KEY,
    )
    assert created.status_code == 201
    item = created.json["data"]
    assert (item["park_ids"], item["max_tier"], item["format"], item["active"]) == (
        [park],
        2,
        "discord",
        True,
    )
    listed = world.client.get("/api/admin/webhooks", headers=KEY)
    assert [w["webhook_id"] for w in listed.json["data"]] == [item["webhook_id"]]
    for answer in (created, listed):
        assert SECRET.encode() not in answer.data and "secret" not in answer.json["data"]

    world.cycle()
    world.cycle({TRON: "DOWN"})
    webhooks_job(world.factory)
    (content,) = receiver.events("/hook")
    assert set(content) == {"content"} and content["content"].startswith("DOWN: TRON")

    url = f"/api/admin/webhooks/{item['webhook_id']}"
    assert world.client.delete(url, headers=KEY).status_code == 204
    assert world.client.delete(url, headers=KEY).status_code == 404
    assert world.client.get(f"{url}/deliveries", headers=KEY).status_code == 404
    assert world.client.get("/api/admin/webhooks", headers=KEY).json["data"] == []
    world.cycle()  # TRON back: nobody is subscribed any more
    assert webhooks_job(world.factory).attempted == 0
    assert len(receiver.got) == 1
