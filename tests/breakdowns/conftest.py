"""A live world for the feeds and webhooks: Magic Kingdom polled through the real
collector from a local upstream, a local receiver for the webhooks, the app over the
same committed database, and a clock that moves one collection cycle at a time."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug import Request, Response

from hallofshame import clock
from hallofshame.api.app import create_app
from hallofshame.config import get_settings, reset_settings
from hallofshame.db.models import Park, Ride
from hallofshame.ingest.live_sources import UpstreamSource
from hallofshame.jobs import tasks
from hallofshame.sources.http import HttpClient
from tests.conftest import SHARED
from tests.ingest.test_collector import magic_kingdom

MK = "75ea578a-adc8-4116-a54d-dccb60765ef9"
RECORDED = json.loads(
    (
        SHARED
        / "data/fixtures/themeparks_wiki/live_magic_kingdom_full_official_sdk_2026-04-14.json"
    ).read_text()
)
#: Upstream ride ids of the recorded body.
TRON = "5a43d1a7-ad53-4d25-abfe-25625f0da304"  # OPERATING in the recording
HAUNTED = "2551a77d-023f-4ab1-9a19-8afec0190f39"  # OPERATING
SPACE = "b2260923-9315-40fd-9c6b-44dd811dbe64"  # OPERATING
VEHICLES = "888fb4a4-7adf-47a1-8ba2-c258cc64fd75"  # CLOSED: never seen operating
THUNDER = "de3309ca-97d5-4211-bffe-739fed47e92f"  # REFURBISHMENT
TIERS = {TRON: 1, SPACE: 2, HAUNTED: 3}
#: 14:00 in Orlando: the park is open (most attractions operating, no schedule fetched).
T0 = datetime(2026, 4, 14, 18, 0, tzinfo=UTC)
INTERVAL = 300
KEY = {"X-API-Key": "k1"}
SECRET = "s3cret-of-the-receiver-0123456789"


def live_body(at: datetime, changes: dict[str, str] | None = None) -> dict[str, Any]:
    """The recorded body as polled at ``at``, with some rides' statuses changed."""
    body = json.loads(json.dumps(RECORDED))
    stamp = at.isoformat().replace("+00:00", "Z")
    for row in body["liveData"]:
        row["lastUpdated"] = stamp
        if changes and row["id"] in changes:
            row["status"] = changes[row["id"]]
    return body


def verify(secret: str, body: bytes, header: str) -> bool:
    """The receiver's side: the signature header against the raw body (docs/api.md)."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


@dataclass
class Receiver:
    """A local webhook receiver: answers each path with a scripted series of statuses
    (the last one repeated) and records every POST."""

    server: HTTPServer
    script: dict[str, list[int]] = field(default_factory=dict)
    got: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def url(self, path: str, statuses: list[int] | None = None) -> str:
        self.script[path] = list(statuses or [200])
        self.server.expect_request(path, method="POST").respond_with_handler(self._answer)
        return self.server.url_for(path)

    def _answer(self, request: Request) -> Response:
        self.got.append((request.path, dict(request.headers), request.get_data()))
        script = self.script[request.path]
        status = script.pop(0) if len(script) > 1 else script[0]
        return Response("ok" if status < 300 else "no", status=status)

    def events(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(body) for p, _, body in self.got if p == path]


@dataclass
class World:
    factory: sessionmaker[Session]
    upstream: HTTPServer
    client: FlaskClient
    at: datetime = T0
    polls: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)

    def source(self) -> UpstreamSource:
        http = HttpClient(read_timeout=2, connect_timeout=2, max_attempts=1, sleep=lambda s: None)
        return UpstreamSource(http, wiki_url=self.upstream.url_for("").rstrip("/") + "/v1")

    def cycle(self, changes: dict[str, str] | None = None) -> None:
        """One collection cycle through the real collection job, ``INTERVAL`` after the
        previous one."""
        if self.polls:
            self.at += timedelta(seconds=INTERVAL)
        clock.set_now(self.at)
        body = live_body(self.at, changes)
        self.polls.append((self.at, body))
        self.upstream.clear()
        self.upstream.expect_request(f"/v1/entity/{MK}/live").respond_with_json(body)
        report = tasks.collect_cycle(self.factory, self.source())
        assert report.cycles == 1, report

    def ride_id(self, upstream_id: str) -> int:
        with self.factory() as s:
            ride = s.scalars(select(Ride).where(Ride.wiki_id == upstream_id)).one()
            return ride.id

    def park_id(self) -> int:
        with self.factory() as s:
            return s.scalars(select(Park.id).where(Park.wiki_id == MK)).one()

    def subscribe(self, url: str, **fields: Any) -> int:
        answer = self.client.post(
            "/api/admin/webhooks", json={"url": url, "secret": SECRET, **fields}, headers=KEY
        )
        assert answer.status_code == 201, answer.json
        return int(answer.json["data"]["webhook_id"])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield Receiver(server)
    server.clear()
    server.stop()


@pytest.fixture
def world(
    committed_factory: sessionmaker[Session],
    upstream: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    tiers = tmp_path / "tiers.csv"
    tiers.write_text(
        "source,upstream_ride_id,tier,reason\n"
        + "".join(f"themeparks.wiki,{rid},{t},test tier\n" for rid, t in TIERS.items())
    )
    monkeypatch.setenv("HOS_TIER_OVERRIDES", str(tiers))
    monkeypatch.setenv("HOS_TIER_RULES", "0")
    monkeypatch.setenv("HOS_COLLECT_INTERVAL", str(INTERVAL))
    monkeypatch.setenv("HOS_ENV", "test")
    monkeypatch.delenv("HOS_NOW", raising=False)
    reset_settings()
    with committed_factory() as s, s.begin():
        s.add_all(
            [
                magic_kingdom(),
                # Never polled (no upstream id): a filter naming it lets nothing through.
                Park(
                    name="Lakeshore Kingdom",
                    timezone="America/Chicago",
                    reports_down=True,
                    is_disney=False,
                    is_universal=False,
                    active=True,
                ),
            ]
        )
    settings = get_settings().model_copy(update={"env": "test", "api_keys": "k1"})
    app = create_app(settings, session_factory=committed_factory)
    yield World(committed_factory, upstream, app.test_client())
    clock.set_now(None)
    reset_settings()
