from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from hallofshame.config import get_settings
from hallofshame.sources.base import FetchError, PayloadError
from hallofshame.sources.http import HttpClient, parse_retry_after

UA = "Theme-Park-Hall-of-Shame-tests/1.0 (+https://example.invalid)"


class Sleeps(list[float]):
    """Records requested delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(sleeps: Sleeps) -> Iterator[HttpClient]:
    http = HttpClient(
        user_agent=UA,
        read_timeout=2.0,
        max_attempts=3,
        backoff_base=1.0,
        sleep=sleeps,
        jitter=lambda: 0.0,
    )
    yield http
    http.close()


def test_user_agent_and_json(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/v1/destinations", headers={"User-Agent": UA}).respond_with_json(
        {"destinations": []}
    )
    assert client.get_json(httpserver.url_for("/v1/destinations")) == {"destinations": []}


def test_default_user_agent_comes_from_settings(httpserver: HTTPServer) -> None:
    expected = get_settings().user_agent
    httpserver.expect_request("/ua", headers={"User-Agent": expected}).respond_with_json([])
    with HttpClient(sleep=Sleeps()) as http:
        assert http.get_json(httpserver.url_for("/ua")) == []


def test_500_then_200_recovers(httpserver: HTTPServer, client: HttpClient, sleeps: Sleeps) -> None:
    httpserver.expect_oneshot_request("/live").respond_with_data("oops", status=500)
    httpserver.expect_request("/live").respond_with_json({"liveData": []})
    assert client.get_json(httpserver.url_for("/live")) == {"liveData": []}
    # backoff_base 1 s, first retry, jitter 0: half of 1 s.
    assert sleeps == [0.5]


def test_500_forever_raises_after_bounded_attempts(
    httpserver: HTTPServer, client: HttpClient, sleeps: Sleeps
) -> None:
    httpserver.expect_request("/live").respond_with_data("down", status=503)
    with pytest.raises(FetchError, match="http 503") as info:
        client.get_json(httpserver.url_for("/live"))
    assert info.value.kind == "http_error"
    assert info.value.sample == "down"
    assert len(httpserver.log) == 3
    assert sleeps == [0.5, 1.0]  # exponential: 1 s then 2 s ceilings, halved by jitter 0


def test_backoff_is_capped_and_jittered() -> None:
    http = HttpClient(user_agent=UA, backoff_base=1.0, backoff_max=8.0, jitter=lambda: 1.0)
    assert [http.backoff_delay(n) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    http.close()


def test_429_retry_after_seconds_is_honoured(
    httpserver: HTTPServer, client: HttpClient, sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/q").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request("/q").respond_with_json({"ok": True})
    assert client.get_json(httpserver.url_for("/q")) == {"ok": True}
    assert sleeps == [7.0]


def test_a_retry_after_beyond_the_cap_ends_the_request_and_spares_the_host(
    httpserver: HTTPServer, sleeps: Sleeps
) -> None:
    """Coming back before the host said would be rude, waiting a day would stall the
    cycle: the request fails now, and the host's other requests are not sent at all."""
    httpserver.expect_oneshot_request("/q").respond_with_data(
        "", status=429, headers={"Retry-After": "86400"}
    )
    httpserver.expect_request("/q").respond_with_json([])
    httpserver.expect_request("/other").respond_with_json([])
    with HttpClient(user_agent=UA, retry_after_cap=60.0, sleep=sleeps) as http:
        with pytest.raises(FetchError) as first:
            http.get_json(httpserver.url_for("/q"))
        with pytest.raises(FetchError) as second:
            http.get_json(httpserver.url_for("/other"))
    assert first.value.status == 429 and second.value.status == 429
    assert "86400 s" in first.value.message
    assert sleeps == []
    assert [r.path for r, _ in httpserver.log] == ["/q"]


def test_a_retry_after_within_the_cap_is_waited_by_every_request_to_the_host(
    httpserver: HTTPServer, sleeps: Sleeps
) -> None:
    """The request that was told waits its Retry-After (plus jitter within one backoff
    base); a later request to the same host waits what is left of it, another host not."""
    httpserver.expect_oneshot_request("/q").respond_with_data(
        "", status=429, headers={"Retry-After": "30"}
    )
    httpserver.expect_request("/q").respond_with_json([])
    elsewhere = HTTPServer(host="127.0.0.1")
    elsewhere.expect_request("/q").respond_with_json({})
    elsewhere.start()
    try:
        with HttpClient(user_agent=UA, sleep=sleeps, jitter=lambda: 0.5, backoff_base=2.0) as http:
            assert http.get_json(httpserver.url_for("/q")) == []  # sleeps recorded, not slept
            assert sleeps == [31.0]
            assert http.get_json(httpserver.url_for("/q")) == []
            assert len(sleeps) == 2 and 29.0 < sleeps[1] <= 31.0
            assert http.get_json(elsewhere.url_for("/q")) == {}
            assert len(sleeps) == 2
    finally:
        elsewhere.stop()


def test_429_without_retry_after_backs_off_and_retries(
    httpserver: HTTPServer, client: HttpClient, sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/q").respond_with_data("", status=429)
    httpserver.expect_request("/q").respond_with_json([])
    assert client.get_json(httpserver.url_for("/q")) == []
    assert sleeps == [0.5]  # the backoff of any retry, jitter 0


def test_the_retry_budget_bounds_the_waits_of_a_request(
    httpserver: HTTPServer, sleeps: Sleeps
) -> None:
    httpserver.expect_request("/q").respond_with_data("", status=429, headers={"Retry-After": "40"})
    with (
        HttpClient(
            user_agent=UA, max_attempts=4, retry_budget=100.0, sleep=sleeps, jitter=lambda: 0.0
        ) as http,
        pytest.raises(FetchError) as raised,
    ):
        http.get_json(httpserver.url_for("/q"))
    assert raised.value.status == 429
    assert sleeps == [40.0, 40.0]  # a third wait of 40 s would pass the 100 s budget
    assert len(httpserver.log) == 3


def test_retry_after_http_date() -> None:
    now = datetime(2026, 7, 21, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Tue, 21 Jul 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Tue, 21 Jul 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("  12 ") == 12.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_404_is_not_retried(httpserver: HTTPServer, client: HttpClient, sleeps: Sleeps) -> None:
    httpserver.expect_request("/missing").respond_with_json(
        {"statusCode": 404, "message": "not found"}, status=404
    )
    with pytest.raises(FetchError, match="http 404"):
        client.get_json(httpserver.url_for("/missing"))
    assert sleeps == []
    assert len(httpserver.log) == 1


def test_timeout(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    http = HttpClient(user_agent=UA, read_timeout=0.2, max_attempts=2, sleep=sleeps)
    with http, pytest.raises(FetchError, match="timeout"):
        http.get_json(httpserver.url_for("/slow"))
    assert len(sleeps) == 1


def test_connection_error(sleeps: Sleeps) -> None:
    with socket.socket() as sock:  # a port nobody listens on once this closes
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    http = HttpClient(user_agent=UA, connect_timeout=1.0, max_attempts=2, sleep=sleeps)
    with http, pytest.raises(FetchError, match="connection error"):
        http.get_json(f"http://127.0.0.1:{port}/x")
    assert len(sleeps) == 1


def test_truncated_json(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/t").respond_with_data(
        '{"id": "abc", "liveData": [{"id": "x", "name": "Sp', content_type="application/json"
    )
    with pytest.raises(PayloadError, match="truncated body") as info:
        client.get_json(httpserver.url_for("/t"))
    assert info.value.kind == "malformed_payload"
    assert info.value.sample is not None and info.value.sample.startswith('{"id": "abc"')


def test_malformed_json(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/m").respond_with_data(
        "{'single': quotes}", content_type="application/json"
    )
    with pytest.raises(PayloadError, match="malformed JSON"):
        client.get_json(httpserver.url_for("/m"))


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "application/json"])
def test_html_error_page(httpserver: HTTPServer, client: HttpClient, content_type: str) -> None:
    page = "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
    httpserver.expect_request("/h").respond_with_data(page, content_type=content_type)
    with pytest.raises(PayloadError, match="HTML error page") as info:
        client.get_json(httpserver.url_for("/h"))
    assert info.value.sample == page


def test_body_over_size_cap(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    httpserver.expect_request("/big").respond_with_data("[" + "1," * 5000 + "1]")
    http = HttpClient(user_agent=UA, max_bytes=1000, sleep=sleeps)
    with http, pytest.raises(PayloadError, match="body too large"):
        http.get_json(httpserver.url_for("/big"))


def test_etag_and_304_reuse(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_oneshot_request("/s").respond_with_json({"v": 1}, headers={"ETag": '"abc"'})
    httpserver.expect_oneshot_request("/s", headers={"If-None-Match": '"abc"'}).respond_with_data(
        "", status=304
    )
    url = httpserver.url_for("/s")
    assert client.get_json(url) == {"v": 1}
    assert client.get_json(url) == {"v": 1}
    assert len(httpserver.log) == 2
    assert httpserver.log[1][1].status_code == 304
    assert "If-None-Match" not in httpserver.log[0][0].headers


def test_etag_is_per_url(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/a").respond_with_json(1, headers={"ETag": '"a"'})
    httpserver.expect_request("/b").respond_with_json(2)
    client.get_json(httpserver.url_for("/a"))
    assert client.get_json(httpserver.url_for("/b")) == 2
    assert "If-None-Match" not in httpserver.log[1][0].headers


def test_fetch_error_carries_the_http_status(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/down").respond_with_data("no", status=503)
    with pytest.raises(FetchError) as gone:
        client.get_bytes(httpserver.url_for("/gone"))
    with pytest.raises(FetchError) as down:
        client.get_bytes(httpserver.url_for("/down"))
    assert (gone.value.status, down.value.status) == (404, 503)


def test_get_bytes_without_remembering_keeps_no_etag_copy(
    httpserver: HTTPServer, client: HttpClient
) -> None:
    httpserver.expect_request("/file").respond_with_data(b"\x78\x9c", headers={"ETag": '"f"'})
    url = httpserver.url_for("/file")
    assert client.get_bytes(url, remember=False) == b"\x78\x9c"
    assert client.get_bytes(url, remember=False) == b"\x78\x9c"
    assert all("If-None-Match" not in request.headers for request, _ in httpserver.log)


def test_head_returns_headers_with_retries(
    httpserver: HTTPServer, client: HttpClient, sleeps: Sleeps
) -> None:
    httpserver.expect_oneshot_request("/f", method="HEAD").respond_with_data("", status=502)
    httpserver.expect_request("/f", method="HEAD").respond_with_data("", headers={"X-Size": "1234"})
    assert client.head(httpserver.url_for("/f"))["x-size"] == "1234"
    assert [request.method for request, _ in httpserver.log] == ["HEAD", "HEAD"]
    assert sleeps == [0.5]


def test_head_of_a_large_file_is_not_refused(httpserver: HTTPServer, sleeps: Sleeps) -> None:
    def large(request: Request) -> Response:
        response = Response(b"")
        response.headers["Content-Length"] = "5000"
        return response

    httpserver.expect_request("/big", method="HEAD").respond_with_handler(large)
    with HttpClient(user_agent=UA, max_bytes=1000, sleep=sleeps) as http:
        assert http.head(httpserver.url_for("/big"))["content-length"] == "5000"
