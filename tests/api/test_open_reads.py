"""Open reads: other sites' pages may read the public API (CORS), never the admin routes."""

from __future__ import annotations

from tests.api.conftest import Populated, make_app

ORIGIN = "https://fans.example"


def test_public_reads_are_open_to_any_origin_by_default(pinned: Populated) -> None:
    client = make_app(pinned.conn).test_client()
    for url in ("/api/parks", "/api/parks/downtime?period=yesterday", "/api/search/index"):
        response = client.get(url, headers={"Origin": ORIGIN})
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*", url
    # A preflight for a conditional read is answered too.
    preflight = client.options(
        "/api/parks",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_admin_routes_are_never_open(pinned: Populated) -> None:
    client = make_app(pinned.conn, api_keys="k").test_client()
    for headers in ({"Origin": ORIGIN}, {"Origin": ORIGIN, "X-API-Key": "k"}):
        response = client.get("/api/admin/jobs/1", headers=headers)
        assert response.status_code in (401, 404)
        assert "Access-Control-Allow-Origin" not in response.headers
    posted = client.post(
        "/api/admin/recompute?start=2026-07-20&end=2026-07-20", headers={"Origin": ORIGIN}
    )
    assert "Access-Control-Allow-Origin" not in posted.headers


def test_an_empty_setting_closes_them(pinned: Populated) -> None:
    client = make_app(pinned.conn, cors_origins="").test_client()
    response = client.get("/api/parks", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
