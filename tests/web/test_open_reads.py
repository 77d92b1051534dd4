"""A page of another origin (a second local server, another port) reads the public API
with fetch, in Chromium; the admin routes stay closed to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = b"<!doctype html><html><head><title>fan site</title></head><body>fans</body></html>"


class _FanSite(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def fan_site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _FanSite)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)


def test_another_origin_reads_the_api(
    browser: Any, server: str, fan_site: str, api: httpx.Client
) -> None:
    assert fan_site.rsplit(":", 1)[1] != server.rsplit(":", 1)[1]  # truly another origin
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{fan_site}/")
        parks = page.evaluate(
            """async (api) => {
                const r = await fetch(api + "/api/parks");
                return (await r.json()).data.map((p) => p.name);
            }""",
            server,
        )
        assert parks == [p["name"] for p in api.get("/parks").json()["data"]]
        assert parks
        admin = page.evaluate(
            """async (api) => {
                try { await fetch(api + "/api/admin/jobs/1"); return "read"; }
                catch (e) { return "blocked: " + e.name; }
            }""",
            server,
        )
        assert admin == "blocked: TypeError"
    finally:
        context.close()
