"""What surrounds the figures: caching and validators, compression, security headers,
CORS, rate limiting, API keys, /metrics, the OpenAPI document and docs, and errors."""

from __future__ import annotations

import gzip
import json
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.api.app import create_app
from hallofshame.config import get_settings
from hallofshame.db.models import Park, ParkDayRollup, Ride
from hallofshame.ingest.derived import facts_changed
from tests.api.conftest import Populated, make_app

OTHER_CLIENT = {"REMOTE_ADDR": "203.0.113.9"}


def test_etag_and_304(client: FlaskClient) -> None:
    first = client.get("/api/parks/downtime?period=today")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "max-age=" in first.headers["Cache-Control"]
    again = client.get("/api/parks/downtime?period=today", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get("/api/parks/downtime?period=today", headers={"If-None-Match": '"x"'})
    assert other.status_code == 200


def test_cached_answer_is_reused(client: FlaskClient) -> None:
    assert client.get("/api/rides/downtime?period=yesterday&limit=5").headers["X-Cache"] == "miss"
    hit = client.get("/api/rides/downtime?limit=5&period=yesterday")  # same, reordered
    assert hit.headers["X-Cache"] == "hit" and hit.json["data"]


def test_recompute_is_never_hidden(client: FlaskClient, pinned: Populated) -> None:
    url = "/api/parks/downtime?period=yesterday"
    client.get(url)
    assert client.get(url).headers["X-Cache"] == "hit"
    nested = pinned.conn.begin_nested()
    try:
        with Session(bind=pinned.conn, join_transaction_mode="create_savepoint") as s:
            park_id = s.scalar(select(Park.id))
            s.add(
                ParkDayRollup(
                    park_id=park_id,
                    local_date=date(2020, 1, 1),
                    metrics_version=1,
                    open_s=0,
                    cycles=0,
                    computed_at=clock.now(),
                )
            )
            s.flush()
            assert client.get(url).headers["X-Cache"] == "miss"
    finally:
        nested.rollback()


def test_a_tier_change_is_never_hidden(client: FlaskClient, pinned: Populated) -> None:
    """A tier change moves past figures without a new cycle or rollup: the cached answer
    of a closed period must not outlive it."""
    url = "/api/parks/downtime?period=yesterday"
    before = client.get(url)
    assert client.get(url).headers["X-Cache"] == "hit"
    nested = pinned.conn.begin_nested()
    try:
        with Session(bind=pinned.conn, join_transaction_mode="create_savepoint") as s:
            down = [r for r in before.json["data"] if r["shame_score"] > 0]
            assert down, "yesterday has downtime to weigh"
            for ride in s.scalars(select(Ride).where(Ride.park_id == down[0]["park_id"])):
                ride.tier = 1 if ride.tier != 1 else 3
            facts_changed(s)  # as sync_overrides does when the file moves a tier
            s.flush()
            after = client.get(url)
            assert after.headers["X-Cache"] == "miss"
            assert after.json["data"] != before.json["data"]
    finally:
        nested.rollback()


def test_ttl_follows_the_data(client: FlaskClient) -> None:
    live = client.get("/api/parks/downtime?period=live").headers["Cache-Control"]
    closed = client.get("/api/parks/downtime?period=last_week").headers["Cache-Control"]
    live_ttl = int(live.split("max-age=")[1])
    closed_ttl = int(closed.split("max-age=")[1])
    # The latest cycle was 298 s before now with a 300 s interval: the next is due soon.
    assert live_ttl <= get_settings().collect_interval
    assert closed_ttl > live_ttl  # until the next local midnight (05:00 local now)


def test_gzip_for_large_answers(client: FlaskClient) -> None:
    pid = client.get("/api/parks").json["data"][0]["park_id"]
    url = f"/api/parks/{pid}/details?period=today"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(packed.data)) == plain.json
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in packed.headers["Vary"]
    small = client.get("/api/live/status-summary", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers


def test_security_headers(client: FlaskClient) -> None:
    for url in ("/api/parks", "/api/parks/0", "/api/docs"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src 'self';" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_spelled_out_defaults_share_the_cached_answer(client: FlaskClient) -> None:
    first = client.get("/api/parks/downtime?period=yesterday")
    assert first.headers["X-Cache"] == "miss"
    spelled = client.get(
        "/api/parks/downtime?period=yesterday&filter=all-parks&sort_by=shame_score&limit=50"
    )
    assert spelled.headers["X-Cache"] == "hit" and spelled.json == first.json
    # Not a default: a different answer, a different entry.
    assert client.get("/api/parks/downtime?period=yesterday&limit=2").headers["X-Cache"] == "miss"


def test_a_conflicting_period_is_never_served_from_the_cache(client: FlaskClient) -> None:
    custom = "start=2026-07-20&end=2026-07-21"
    assert client.get(f"/api/parks/downtime?{custom}").status_code == 200
    # "today" is the default period, yet naming it beside a range is a conflict.
    conflict = client.get(f"/api/parks/downtime?period=today&{custom}")
    assert conflict.status_code == 400


def test_cors(pinned: Populated) -> None:
    client = make_app(pinned.conn, cors_origins="https://fans.example").test_client()
    allowed = client.get("/api/parks", headers={"Origin": "https://fans.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://fans.example"
    denied = client.get("/api/parks", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in denied.headers


def test_rate_limit(pinned: Populated) -> None:
    client = make_app(pinned.conn, rate_limit="2/minute").test_client()
    for _ in range(2):
        assert client.get("/api/parks", environ_base=OTHER_CLIENT).status_code == 200
    limited = client.get("/api/parks", environ_base=OTHER_CLIENT)
    assert limited.status_code == 429
    assert limited.json["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    # Loopback (tests, local probes) is exempt in the test environment.
    assert all(client.get("/api/parks").status_code == 200 for _ in range(4))


def _forwarded(client: FlaskClient, address: str) -> int:
    # What nginx sends: the proxy connects from 10.0.0.2 and names the visitor.
    headers = {"X-Forwarded-For": address}
    environ = {"REMOTE_ADDR": "10.0.0.2"}
    return client.get("/api/parks", headers=headers, environ_base=environ).status_code


def test_rate_limit_counts_each_visitor_behind_the_proxy(pinned: Populated) -> None:
    behind = make_app(pinned.conn, rate_limit="2/minute", trusted_proxies=1).test_client()
    assert [_forwarded(behind, "198.51.100.1") for _ in range(3)] == [200, 200, 429]
    # Another visitor through the same proxy has a bucket of its own.
    assert _forwarded(behind, "198.51.100.2") == 200


def test_forwarded_address_is_ignored_without_a_trusted_proxy(pinned: Populated) -> None:
    # Directly exposed, a client could otherwise dodge the limit by inventing addresses.
    exposed = make_app(pinned.conn, rate_limit="2/minute").test_client()
    codes = [_forwarded(exposed, f"198.51.100.{i}") for i in range(3)]
    assert codes == [200, 200, 429]


def test_state_changes_need_a_key(client: FlaskClient, pinned: Populated) -> None:
    url = "/api/admin/recompute?start=2026-07-20&end=2026-07-20"
    assert client.post(url).status_code == 403  # no key configured: disabled
    keyed = make_app(pinned.conn, api_keys="k1,k2").test_client()
    assert keyed.post(url).json["error"]["code"] == "unauthorized"
    assert keyed.post(url, headers={"X-API-Key": "wrong"}).status_code == 401
    wrong_method = keyed.get(url)
    assert wrong_method.status_code == 405
    assert "POST" in wrong_method.headers["Allow"].split(", ")  # RFC 9110
    allowed = set(client.delete("/api/parks").headers["Allow"].split(", "))
    assert {"GET", "HEAD"} <= allowed and "DELETE" not in allowed
    nested = pinned.conn.begin_nested()  # the queued run is rolled back below
    try:
        done = keyed.post(url, headers={"X-API-Key": "k2"})
        assert done.status_code == 202, done.json
        assert done.json["data"]["status"] == "queued"
        listed = keyed.get("/api/health").json["data"]["jobs"]
        assert [(j["job"], j["outcome"]) for j in listed] == [("recompute", "queued")]
    finally:
        nested.rollback()


def test_prometheus_metrics(client: FlaskClient) -> None:
    client.get("/api/parks")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'hos_http_requests_total{endpoint="parks.parks_list",method="GET",status="200"}' in text
    assert 'hos_cycle_age_seconds{source="themeparks.wiki"} 298.0' in text
    assert "hos_http_request_seconds_bucket" in text


def test_openapi_document_and_offline_docs(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    for path in (
        "/api/health",
        "/api/parks",
        "/api/parks/downtime",
        "/api/parks/waittimes",
        "/api/parks/{park_id}",
        "/api/parks/{park_id}/details",
        "/api/parks/{park_id}/rides",
        "/api/live/status-summary",
        "/api/rides/downtime",
        "/api/rides/waittimes",
        "/api/rides/{ride_id}",
        "/api/rides/{ride_id}/details",
        "/api/search",
        "/api/search/index",
        "/api/weather/{park_id}",
    ):
        assert path in spec["paths"], path
    params = {p["name"]: p for p in spec["paths"]["/api/parks/downtime"]["get"]["parameters"]}
    assert params["sort_by"]["schema"]["enum"][0] == "shame_score"
    page = client.get("/api/docs").get_data(as_text=True)
    assert "https://" not in page and "<script>" not in page
    for asset in ("/api/swagger/js/swagger-ui-bundle.js", "/api/swagger/css/swagger-ui.css"):
        assert asset in page
        assert client.get(asset).status_code == 200
    assert client.get("/api/docs/init.js").status_code == 200


def test_internal_errors_hide_the_trace(app: Flask) -> None:
    def boom() -> str:
        raise RuntimeError("secret detail")

    app.add_url_rule("/api/boom", "boom", boom)
    response = app.test_client().get("/api/boom")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal"
    assert "secret" not in response.get_data(as_text=True)


def test_unreachable_database_is_503(tmp_path: object) -> None:
    from sqlalchemy import create_engine

    engine = create_engine("sqlite:////nonexistent-dir/for/hos.db")
    settings = get_settings().model_copy(update={"env": "test"})
    client = create_app(settings, session_factory=sessionmaker(bind=engine)).test_client()
    response = client.get("/api/parks/downtime")
    assert response.status_code == 503
    assert response.json["error"]["code"] == "unavailable"
    health = client.get("/api/health")
    assert health.status_code == 503 and health.json["data"]["status"] == "down"
