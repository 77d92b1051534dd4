"""A polite, bounded HTTP client for the upstream feeds.

Upstreams are free community services: every request identifies us (User-Agent), reuses
the previous body when the upstream says nothing changed (ETag / 304), backs off on
overload (429, 5xx) and gives up after a bounded number of attempts so one bad park
never stalls a collection cycle. Whatever goes wrong ends as a ``FetchError`` (the
request failed) or a ``PayloadError`` (it answered, but not with usable JSON).

One client is shared by the threads of a collection job, and is polite per host: at
most ``per_host`` requests in flight to any one host (``HOS_UPSTREAM_HOST_CONCURRENCY``),
and a host that answers 429 (or 503 with ``Retry-After``) is left alone by every thread
until the wait it asked for is over, not only by the request it answered. A wait that
does not fit the request's budget ends that request at once (a ``FetchError``, so one
data-quality issue for its park) instead of stalling the cycle.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from hallofshame.backoff import equal_jitter
from hallofshame.sources.base import FetchError, PayloadError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: Statuses worth another attempt: overload and server-side trouble.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

Params = Mapping[str, str | int | float]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 7231 dates are GMT even when the zone is missing
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def _sample(body: bytes) -> str:
    return body[:2000].decode("utf-8", errors="replace")


def _looks_like_html(body: bytes, content_type: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def decode_json(body: bytes, content_type: str = "") -> Any:
    """Parse a JSON body, naming the failure the way data quality reports it."""
    if _looks_like_html(body, content_type):
        raise PayloadError("HTML error page", sample=_sample(body))
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PayloadError("malformed JSON: not UTF-8", sample=_sample(body)) from exc
    if not text.strip():
        raise PayloadError("truncated body: empty", sample="")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # An error at the very end of the text means the body stopped early (a dropped
        # connection or a proxy cutting it), which is worth telling apart from garbage.
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise PayloadError("truncated body", sample=_sample(body)) from exc
        raise PayloadError(f"malformed JSON: {exc.msg}", sample=_sample(body)) from exc


class HostGate:
    """What every thread of one client agrees on about each upstream host: a semaphore of
    ``limit`` requests in flight, and the instant (``time.monotonic``) before which the
    host asked to be left alone."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, limit)
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._resume: dict[str, float] = {}

    def slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            found = self._slots.get(host)
            if found is None:
                found = self._slots[host] = threading.BoundedSemaphore(self.limit)
            return found

    def defer(self, host: str, until: float) -> float:
        """Leave ``host`` alone until ``until`` (or later, if already asked); the instant."""
        with self._lock:
            later = max(until, self._resume.get(host, 0.0))
            self._resume[host] = later
            return later

    def resume_at(self, host: str) -> float:
        with self._lock:
            return self._resume.get(host, 0.0)


@dataclass(frozen=True)
class _Retry:
    """Why an attempt did not answer, and the wait the host's throttling decided, if any."""

    problem: str
    delay: float | None = None
    #: Whether the host named the wait (Retry-After) rather than our backoff choosing it.
    named: bool = False
    #: The host's "leave me alone" instant this request will have waited for.
    cleared: float | None = None


class HttpClient:
    """GET with timeouts, bounded retries, conditional requests, a size cap, and a limit
    of requests in flight per host."""

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 20.0,
        max_attempts: int = 4,
        backoff_base: float = 1.0,
        backoff_max: float = 30.0,
        retry_after_cap: float = 120.0,
        retry_budget: float = 120.0,
        per_host: int | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if user_agent is None or per_host is None:
            from hallofshame.config import get_settings

            settings = get_settings()
            user_agent = user_agent if user_agent is not None else settings.user_agent
            per_host = per_host if per_host is not None else settings.upstream_host_concurrency
        self.user_agent = user_agent
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        # The longest Retry-After a request waits for, and the most it waits in all
        # (backoffs and Retry-Afters): a longer wait ends the request now.
        self.retry_after_cap = retry_after_cap
        self.retry_budget = retry_budget
        self.hosts = HostGate(per_host)
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._jitter = jitter
        # url -> (etag, body): only the latest good body per URL, so memory stays bounded
        # by the number of URLs we poll.
        self._etags: dict[str, tuple[str, bytes]] = {}
        self._client = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=True,
            transport=transport,
        )

    # -- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- public ----------------------------------------------------------------------

    def get_json(self, url: str, params: Params | None = None) -> Any:
        """GET ``url`` and parse its JSON body (the cached one on 304)."""
        body, headers = self._get(url, params)
        try:
            return decode_json(body, headers.get("content-type", ""))
        except PayloadError:
            # Never answer a later 304 with a body we could not use.
            self._etags.pop(self._key(url, params), None)
            raise

    def get_bytes(self, url: str, params: Params | None = None, *, remember: bool = True) -> bytes:
        """GET ``url`` as bytes. ``remember=False`` keeps no ETag copy of the body: for
        large one-off downloads (archive files) that would otherwise pile up in memory."""
        return self._get(url, params, remember=remember)[0]

    def head(self, url: str) -> httpx.Headers:
        """HEAD ``url`` with the same retries; the answer's headers (e.g. Content-Length)."""
        return self._get(url, None, method="HEAD", remember=False)[1]

    # -- internals -------------------------------------------------------------------

    def backoff_delay(self, attempt: int) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random.

        The random half spreads retries of many parks polled on the same tick.
        """
        return equal_jitter(attempt, self.backoff_base, self.backoff_max, self._jitter())

    @staticmethod
    def _key(url: str, params: Params | None) -> str:
        return str(httpx.URL(url, params=dict(params) if params else None))

    def _get(
        self, url: str, params: Params | None, *, method: str = "GET", remember: bool = True
    ) -> tuple[bytes, httpx.Headers]:
        key = self._key(url, params)
        host = httpx.URL(key).netloc.decode("ascii")
        slot = self.hosts.slot(host)
        retry = _Retry("no attempt made")
        waited = 0.0  # seconds this request has spent waiting so far
        cleared = 0.0  # the host's "leave me alone" instant this request already waited for
        attempt = 0
        while attempt < self.max_attempts:
            final = attempt == self.max_attempts - 1
            with slot:
                # Asked again under the slot: a request that queued for it while another
                # was told to back off must not go out before the host's wait is over.
                resume = self.hosts.resume_at(host)
                pause = resume - time.monotonic() if resume > cleared else 0.0
                if pause <= 0:
                    answer = self._try(key, method, remember, host, attempt, waited, final)
                    if not isinstance(answer, _Retry):
                        return answer
                    retry = answer
                    cleared = retry.cleared if retry.cleared is not None else cleared
            if pause > 0:
                # Another request was told to leave this host alone: so is this one. Not an
                # attempt: nothing was sent.
                waited += self._wait_for_host(pause, waited)
                cleared = resume
                continue
            if final:
                break
            delay = self._retry_delay(retry, attempt, waited)
            self._sleep(delay)
            waited += delay
            attempt += 1
        raise FetchError(retry.problem)

    def _try(
        self,
        key: str,
        method: str,
        remember: bool,
        host: str,
        attempt: int,
        waited: float,
        final: bool,
    ) -> tuple[bytes, httpx.Headers] | _Retry:
        """One attempt, holding the host's slot: the answer, or what to retry after.
        Raises ``FetchError`` when retrying cannot help (or this was the last attempt)."""
        cached = self._etags.get(key) if remember else None
        headers = {"If-None-Match": cached[0]} if cached is not None else {}
        try:
            status, body, resp_headers = self._attempt(key, headers, method)
        except httpx.TimeoutException:
            return _Retry("timeout")
        except httpx.TransportError as exc:
            return _Retry(f"connection error: {type(exc).__name__}")
        if status == 304:
            if cached is None:
                raise FetchError("http 304 without a cached body")
            return cached[1], httpx.Headers({"content-type": "application/json"})
        if 200 <= status < 300:
            etag = resp_headers.get("etag")
            if etag and remember:
                self._etags[key] = (etag, body)
            return body, resp_headers
        retry = _Retry(f"http {status}")
        if status not in RETRYABLE_STATUSES:
            raise FetchError(retry.problem, sample=_sample(body), status=status)
        after = parse_retry_after(resp_headers.get("retry-after"))
        if status == 429 or (status == 503 and after is not None):
            # The host is throttling us: every request to it waits (decided before the
            # slot is let go, so no queued request slips out).
            asked = after if after is not None else self.backoff_delay(attempt)
            until = time.monotonic() + asked
            cleared = self.hosts.defer(host, until)
            # Another request may have been told to wait longer still.
            delay = asked + (cleared - until)
            if delay > min(self.retry_after_cap, self.retry_budget - waited):
                raise FetchError(
                    f"{retry.problem}: asked to wait {delay:.0f} s, more than this poll can",
                    sample=_sample(body),
                    status=status,
                )
            retry = _Retry(retry.problem, delay, after is not None, cleared)
        if final:
            raise FetchError(retry.problem, sample=_sample(body), status=status)
        return retry

    def _wait_for_host(self, pause: float, waited: float) -> float:
        """Wait out another request's "leave me alone", with a little jitter so the waiting
        requests do not all return at once; the seconds waited."""
        if waited + pause > self.retry_budget:
            raise FetchError(
                f"http 429: host asked to be left alone {pause:.0f} s more, "
                "more than this poll can wait",
                status=429,
            )
        spread = min(self._jitter() * self.backoff_base, self.retry_budget - waited - pause)
        self._sleep(pause + spread)
        return pause + spread

    def _retry_delay(self, retry: _Retry, attempt: int, waited: float) -> float:
        """How long to wait before the next attempt, within the request's budget."""
        if retry.delay is None:
            return min(self.backoff_delay(attempt), max(0.0, self.retry_budget - waited))
        if not retry.named:
            return retry.delay
        # Retry-After honoured, plus up to one backoff base of jitter within budget.
        spread = self._jitter() * self.backoff_base
        return retry.delay + max(0.0, min(spread, self.retry_budget - waited - retry.delay))

    def _attempt(
        self, url: str, headers: dict[str, str], method: str = "GET"
    ) -> tuple[int, bytes, httpx.Headers]:
        """One request; the body is streamed so an oversized one is cut off early."""
        with self._client.stream(method, url, headers=headers) as response:
            declared = response.headers.get("content-length")
            # A HEAD answer has no body: its Content-Length is what the caller asked for.
            too_large = declared and declared.isdigit() and int(declared) > self.max_bytes
            if too_large and method != "HEAD":
                raise PayloadError(f"body too large: {declared} bytes")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise PayloadError(
                        f"body too large: over {self.max_bytes} bytes",
                        sample=_sample(b"".join(chunks)),
                    )
                chunks.append(chunk)
            return response.status_code, b"".join(chunks), response.headers
