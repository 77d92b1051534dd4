"""The collector against a local fake upstream serving the real recorded payloads."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug import Request, Response

from hallofshame import clock
from hallofshame.db.models import Cycle, DataQualityIssue, JobRun, Observation, Park, Ride
from hallofshame.ingest.live_sources import UpstreamSource
from hallofshame.jobs import tasks
from hallofshame.jobs.collect import collect_once
from hallofshame.sources.http import DEFAULT_MAX_BYTES, HttpClient
from tests.conftest import SHARED

WIKI = SHARED / "data" / "fixtures" / "themeparks_wiki"
QT = SHARED / "data" / "fixtures" / "queue_times"
MK = "75ea578a-adc8-4116-a54d-dccb60765ef9"
_MK_RECORDED = json.loads(
    (WIKI / "live_magic_kingdom_full_official_sdk_2026-04-14.json").read_text()
)
MK_SCHEDULE = json.loads(
    (WIKI / "schedule_magic_kingdom_full_official_sdk_2026-04-14.json").read_text()
)
DL_LIVE = json.loads((QT / "park16_disneyland_lands_2024-12-14.json").read_text())
# A minute after the newest Disneyland record, so its Queue-Times feed is fresh.
NOW = max(
    datetime.fromisoformat(r["last_updated"].replace("Z", "+00:00"))
    for land in DL_LIVE["lands"]
    for r in land["rides"]
)


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def shifted(body: dict[str, Any], by: timedelta) -> dict[str, Any]:
    """A ThemeParks.wiki live body with every ``lastUpdated`` moved by ``by``."""
    out = json.loads(json.dumps(body))
    for row in out["liveData"]:
        if row.get("lastUpdated"):
            moved = _iso(row["lastUpdated"]) + by
            row["lastUpdated"] = moved.isoformat().replace("+00:00", "Z")
    return out


# The two recordings are 16 months apart: the Magic Kingdom body is moved so its newest
# record is at NOW, as a body polled at NOW would be.
MK_LIVE = shifted(
    _MK_RECORDED,
    NOW - max(_iso(r["lastUpdated"]) for r in _MK_RECORDED["liveData"] if r.get("lastUpdated")),
)


def magic_kingdom(**extra: Any) -> Park:
    """The ThemeParks.wiki park of the recorded payloads (it reports DOWN)."""
    return Park(
        name="Magic Kingdom Park",
        wiki_id=MK,
        timezone="America/New_York",
        reports_down=True,
        is_disney=True,
        is_universal=False,
        active=True,
        **extra,
    )


def disneyland(**extra: Any) -> Park:
    """The Queue-Times park of the recorded payloads (breakdowns inferred)."""
    return Park(
        name="Disneyland",
        queue_times_id=16,
        timezone="America/Los_Angeles",
        reports_down=False,
        is_disney=True,
        is_universal=False,
        active=True,
        **extra,
    )


@pytest.fixture
def world(committed_factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    with committed_factory() as s, s.begin():
        s.add_all([magic_kingdom(), disneyland()])
    clock.set_now(NOW)
    yield committed_factory
    clock.set_now(None)


def _source(server: HTTPServer) -> UpstreamSource:
    http = HttpClient(read_timeout=0.5, connect_timeout=0.5, max_attempts=2, sleep=lambda s: None)
    base = server.url_for("")
    return UpstreamSource(
        http, wiki_url=base + "v1", queue_times_url=base.rstrip("/"), weather_url=base + "meteo"
    )


def _serve_good(server: HTTPServer) -> None:
    server.expect_request(f"/v1/entity/{MK}/live").respond_with_json(MK_LIVE)
    server.expect_request("/parks/16/queue_times.json").respond_with_json(DL_LIVE)


def _counts(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as s:
        return (
            s.scalar(select(func.count()).select_from(Cycle)) or 0,
            s.scalar(select(func.count()).select_from(Observation)) or 0,
            s.scalar(select(func.count()).select_from(DataQualityIssue)) or 0,
        )


def test_real_payloads_become_cycles(world: sessionmaker[Session], upstream: HTTPServer) -> None:
    _serve_good(upstream)
    report = collect_once(world, _source(upstream), interval_s=300)
    assert (report.cycles, report.issues) == (2, 0)
    with world() as s:
        statuses = dict(
            s.execute(
                select(Observation.status, func.count())
                .join(Park, Park.id == Observation.park_id)
                .where(Park.wiki_id == MK)
                .group_by(Observation.status)
            ).all()
        )
    # The Magic Kingdom body lists 60 entities besides the park's own row.
    assert sum(statuses.values()) == 60
    assert statuses["REFURBISHMENT"] == 1


def _timeout(request: Request) -> Response:
    time.sleep(1.0)
    return Response("{}", content_type="application/json")


FAULTS = {
    "timeout": lambda srv: srv.expect_request(f"/v1/entity/{MK}/live").respond_with_handler(
        _timeout
    ),
    "429": lambda srv: srv.expect_request(f"/v1/entity/{MK}/live").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    ),
    "500": lambda srv: srv.expect_request(f"/v1/entity/{MK}/live").respond_with_data(
        "boom", status=500
    ),
    "truncated": lambda srv: srv.expect_request(f"/v1/entity/{MK}/live").respond_with_data(
        json.dumps(MK_LIVE)[:5000], content_type="application/json"
    ),
    "html": lambda srv: srv.expect_request(f"/v1/entity/{MK}/live").respond_with_data(
        "<html><body>502 Bad Gateway</body></html>", content_type="text/html"
    ),
    "huge": lambda srv: srv.expect_request(f"/v1/entity/{MK}/live").respond_with_data(
        b"[" + b"0," * (DEFAULT_MAX_BYTES // 2 + 1) + b"0]", content_type="application/json"
    ),
    "error-object": lambda srv: srv.expect_request(f"/v1/entity/{MK}/live").respond_with_json(
        {"statusCode": 404, "message": "Entity not found"}
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_bad_poll_stores_nothing_and_is_recorded_once(
    fault: str, world: sessionmaker[Session], upstream: HTTPServer
) -> None:
    FAULTS[fault](upstream)
    upstream.expect_request("/parks/16/queue_times.json").respond_with_json(DL_LIVE)
    report = collect_once(world, _source(upstream), interval_s=300)
    assert (report.cycles, report.issues) == (1, 1)  # the other park went on
    with world() as s:
        mk_cycles = s.scalar(
            select(func.count()).select_from(Cycle).join(Park).where(Park.wiki_id == MK)
        )
        issues = s.scalars(select(DataQualityIssue)).all()
    assert mk_cycles == 0
    assert len(issues) == 1 and issues[0].upstream_park_id == MK

    upstream.clear()
    _serve_good(upstream)
    clock.set_now(NOW.replace(minute=(NOW.minute + 5) % 60))
    report = collect_once(world, _source(upstream), interval_s=300)
    assert report.cycles == 2  # recovered on the next cycle


def test_unknown_status_is_kept_as_unknown_and_recorded(
    world: sessionmaker[Session], upstream: HTTPServer
) -> None:
    body = json.loads(json.dumps(MK_LIVE))
    body["liveData"][1]["status"] = "TEMPORARILY_WHIMSICAL"
    upstream.expect_request(f"/v1/entity/{MK}/live").respond_with_json(body)
    upstream.expect_request("/parks/16/queue_times.json").respond_with_json(DL_LIVE)
    collect_once(world, _source(upstream), interval_s=300)
    with world() as s:
        unknown = s.scalar(
            select(func.count())
            .select_from(Observation)
            .where(
                Observation.status == "UNKNOWN", Observation.raw_status == "TEMPORARILY_WHIMSICAL"
            )
        )
        kinds = s.scalars(select(DataQualityIssue.kind)).all()
    assert unknown == 1
    assert kinds == ["unknown_status"]


def test_the_same_instant_twice_stores_one_cycle(
    world: sessionmaker[Session], upstream: HTTPServer
) -> None:
    _serve_good(upstream)
    collect_once(world, _source(upstream), interval_s=300)
    before = _counts(world)
    report = collect_once(world, _source(upstream), interval_s=300)
    assert report.duplicates == 2
    assert _counts(world) == before


def test_jobs_are_recorded_and_schedules_and_weather_stored(
    world: sessionmaker[Session], upstream: HTTPServer
) -> None:
    _serve_good(upstream)
    upstream.expect_request(f"/v1/entity/{MK}/schedule").respond_with_json(MK_SCHEDULE)
    meteo = json.loads(
        (
            SHARED / "data" / "fixtures" / "open_meteo" / "forecast_new_jersey_336h_pi-inky.json"
        ).read_text()
    )
    upstream.expect_request("/meteo/forecast").respond_with_json(meteo)
    with world() as s, s.begin():
        for park in s.scalars(select(Park)):
            park.latitude, park.longitude = 28.4, -81.6
    source = _source(upstream)
    tasks.collect_cycle(world, source)
    assert tasks.schedules_job(world, source) > 0
    assert tasks.weather_job(world, source) > 0
    with world() as s:
        runs = {(r.job, r.outcome) for r in s.scalars(select(JobRun))}
        assert all(r.duration_ms is not None for r in s.scalars(select(JobRun)))
    # A cycle collected is followed by the stay-or-go answers of the rides down now and
    # by the rankings kept ready.
    assert runs == {
        ("collect", "ok"),
        ("outages-now", "ok"),
        ("rankings", "ok"),
        ("schedules", "ok"),
        ("weather", "ok"),
    }


def test_directory_sync_renames_and_deactivates_never_deletes(
    world: sessionmaker[Session], upstream: HTTPServer
) -> None:
    children = json.loads(
        (WIKI / "children_magic_kingdom_full_official_sdk_2026-04-14.json").read_text()
    )
    upstream.expect_request(f"/v1/entity/{MK}/children").respond_with_json(children)
    listed = children["children"][0]
    with world() as s, s.begin():
        park = s.scalars(select(Park).where(Park.wiki_id == MK)).one()
        s.add_all(
            [
                Ride(
                    park_id=park.id,
                    name="Old name",
                    wiki_id=listed["id"],
                    category="SHOW",
                    tier_source="default",
                    active=True,
                ),
                Ride(
                    park_id=park.id,
                    name="Gone Coaster",
                    wiki_id="no-longer-listed",
                    category="ATTRACTION",
                    tier_source="default",
                    active=True,
                ),
            ]
        )
    assert tasks.catalog_job(world, _source(upstream)) == 1
    with world() as s:
        rides = {r.wiki_id: r for r in s.scalars(select(Ride).join(Park).where(Park.wiki_id == MK))}
    assert rides["no-longer-listed"].active is False  # kept, only inactive
    assert rides[listed["id"]].name == listed["name"]
    assert sum(1 for r in rides.values() if r.active) == len(children["children"])


class ResettingServer:
    """Accepts each connection and resets it at once (TCP RST), as a dying proxy does."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()


def test_a_connection_reset_stores_nothing_and_is_recorded_once(
    world: sessionmaker[Session], upstream: HTTPServer
) -> None:
    resets = ResettingServer()
    upstream.expect_request("/parks/16/queue_times.json").respond_with_json(DL_LIVE)
    http = HttpClient(read_timeout=0.5, connect_timeout=0.5, max_attempts=2, sleep=lambda s: None)
    source = UpstreamSource(
        http, wiki_url=resets.base + "v1", queue_times_url=upstream.url_for("").rstrip("/")
    )
    report = collect_once(world, source, interval_s=300)
    assert (report.cycles, report.issues) == (1, 1)
    assert resets.accepted == 2  # retried once, as for any connection error
    with world() as s:
        issues = s.scalars(select(DataQualityIssue)).all()
        mk = s.scalar(select(func.count()).select_from(Cycle).join(Park).where(Park.wiki_id == MK))
    assert mk == 0
    assert [(i.kind, i.upstream_park_id) for i in issues] == [("http_error", MK)]
    resets.sock.close()
    _serve_good(upstream)
    clock.set_now(NOW + timedelta(minutes=5))
    assert collect_once(world, _source(upstream), interval_s=300).cycles == 2


def test_clock_skew_is_recorded_and_the_cycle_kept_whole(
    world: sessionmaker[Session], upstream: HTTPServer
) -> None:
    """An upstream clock two hours fast: statuses stand (not stale), one issue says so."""
    upstream.expect_request(f"/v1/entity/{MK}/live").respond_with_json(
        shifted(MK_LIVE, timedelta(hours=2))
    )
    upstream.expect_request("/parks/16/queue_times.json").respond_with_json(DL_LIVE)
    assert collect_once(world, _source(upstream), interval_s=300).cycles == 2
    with world() as s:
        issues = s.scalars(select(DataQualityIssue)).all()
        stored = s.scalar(
            select(func.count())
            .select_from(Observation)
            .join(Park, Park.id == Observation.park_id)
            .where(Park.wiki_id == MK)
        )
    assert stored == 60
    assert [(i.kind, i.upstream_park_id) for i in issues] == [("clock_skew", MK)]
    assert "7200 s after the poll" in issues[0].message
    upstream.clear()
    _serve_good(upstream)
    clock.set_now(NOW + timedelta(minutes=5))
    collect_once(world, _source(upstream), interval_s=300)
    with world() as s:
        assert s.scalar(select(func.count()).select_from(DataQualityIssue)) == 1


def test_a_ride_whose_upstream_id_changes_keeps_its_history(
    world: sessionmaker[Session], upstream: HTTPServer
) -> None:
    _serve_good(upstream)
    collect_once(world, _source(upstream), interval_s=300)
    renamed = json.loads(json.dumps(MK_LIVE))
    row = next(r for r in renamed["liveData"] if r.get("entityType") == "ATTRACTION")
    old_id, row["id"] = row["id"], "00000000-0000-4000-8000-000000000001"  # a new id
    upstream.clear()
    upstream.expect_request(f"/v1/entity/{MK}/live").respond_with_json(renamed)
    upstream.expect_request("/parks/16/queue_times.json").respond_with_json(DL_LIVE)
    clock.set_now(NOW + timedelta(minutes=5))
    with world() as s:
        rides_before = s.scalar(select(func.count()).select_from(Ride))
        ride_id = s.scalar(select(Ride.id).where(Ride.wiki_id == old_id))
    assert collect_once(world, _source(upstream), interval_s=300).cycles == 2
    with world() as s:
        assert s.scalar(select(func.count()).select_from(Ride)) == rides_before
        ride = s.get(Ride, ride_id)
        assert ride is not None and ride.wiki_id == row["id"]
        seen = s.scalar(
            select(func.count()).select_from(Observation).where(Observation.ride_id == ride_id)
        )
        issues = s.scalars(select(DataQualityIssue)).all()
    assert seen == 2  # both cycles, one ride
    assert [i.kind for i in issues] == ["ride_id_changed"]
    assert old_id in issues[0].message and row["id"] in issues[0].message
