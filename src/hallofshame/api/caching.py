"""Response cache, validators and compression for the read-only API.

A cached answer is keyed by the endpoint, the normalised query string and a stamp of
the data it was computed from: the latest cycle instant and the latest rollup
computation. New data or a recompute changes the key, so neither is ever hidden.

How long an answer may live follows the data: live and running periods change at the
next collection cycle; closed periods change only when a park's local day ends (their
key also carries the next local midnight of any park, so "yesterday" rolls over).
"""

from __future__ import annotations

import gzip
import hashlib
import typing
from datetime import datetime, timedelta
from functools import cache as memoise
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, g, request
from flask_caching import Cache

from hallofshame.api.common import db, now, settings
from hallofshame.api.lookups import data_stamp
from hallofshame.api.params import Query
from hallofshame.domain.localtime import next_local_midnight

#: Closed periods: yesterday, last week … never change until a local day ends.
CLOSED_PERIODS = frozenset({"yesterday", "last_week", "last_month", "7days", "30days"})
CLOSED_TTL = timedelta(hours=6)
MIN_TTL_S = 5
GZIP_MIN_BYTES = 1024
#: Answers that must always be fresh or are not data at all.
UNCACHED = frozenset({"/api/health", "/api/openapi.json", "/metrics"})
#: Never cached, never stored by a proxy: key-protected answers about jobs that change.
UNCACHED_PREFIX = "/api/admin/"


def _uncached(path: str) -> bool:
    return path in UNCACHED or path.startswith(UNCACHED_PREFIX)


def init_cache(app: Flask) -> Cache:
    cfg = settings_from(app)
    config: dict[str, Any] = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
    if not cfg.cache_enabled:
        config = {"CACHE_TYPE": "NullCache"}
    elif cfg.cache_url:
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": cfg.cache_url}
    # One Redis may serve several deployments (staging beside production): answers are
    # only shared between processes reading the same database.
    database = hashlib.sha256(cfg.effective_database_url.encode()).hexdigest()[:12]
    config["CACHE_KEY_PREFIX"] = f"hos-api:{database}:"
    cache = Cache(config=config)
    cache.init_app(app)
    app.before_request(_serve_cached)
    app.after_request(_finish)
    return cache


def settings_from(app: Flask) -> Any:
    return app.extensions["hallofshame"]["settings"]


def _cacheable() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.path.startswith("/api/")
        and not _uncached(request.path)
        and request.endpoint is not None
        and not request.endpoint.endswith("static")
        and request.blueprint not in ("openapi", "swagger", "docs")
    )


def _closed_window(args: dict[str, str]) -> bool:
    if args.get("period") in CLOSED_PERIODS:
        return True
    end = args.get("end") or ""
    # A custom range ending two days ago has ended in every time zone.
    return bool(end) and end < (now() - timedelta(days=2)).date().isoformat()


def _next_midnight(zones: list[str], at: datetime) -> datetime:
    return next_local_midnight(zones, at) or at + CLOSED_TTL


@memoise
def _defaults(view: Any) -> dict[str, str]:
    """The query parameters of a view whose value is implied when absent."""
    model = typing.get_type_hints(view).get("query")
    if not (isinstance(model, type) and issubclass(model, Query)):
        return {}
    return {
        name: str(field.default)
        for name, field in model.model_fields.items()
        if field.default not in (None, "") and name not in model.presence_matters
    }


def _normalised_args() -> list[tuple[str, str]]:
    """The query string as the view will read it: "?period=today&limit=50" and
    "?period=today" are one answer, so they share one cache entry (the dashboard spells
    its defaults out, other clients do not)."""
    implied = _defaults(current_app.view_functions[request.endpoint or ""])
    pairs = list(request.args.items(multi=True))
    # A repeated parameter is kept whole: the key names exactly what was asked.
    single = {k for k in request.args if len(request.args.getlist(k)) == 1}
    return sorted((k, v) for k, v in pairs if not (k in single and implied.get(k) == v))


def _key_and_ttl() -> tuple[str, int]:
    args = _normalised_args()
    cycle, computed, facts, zones = data_stamp(db())
    at = now()
    cfg = settings()
    if _closed_window(dict(args)):
        boundary = _next_midnight(zones, at)
        ttl = min(CLOSED_TTL, boundary - at).total_seconds()
        stamp = f"closed|{computed}|{facts}|{boundary.isoformat()}"
    else:
        interval = cfg.collect_interval
        age = (at - cycle).total_seconds() if cycle is not None else 0.0
        ttl = interval - age % interval
        stamp = f"running|{cycle}|{computed}|{facts}"
    raw = "|".join((request.path, urlencode(args), stamp, str(cfg.metrics_version), cfg.now or ""))
    return hashlib.sha256(raw.encode()).hexdigest(), max(MIN_TTL_S, int(ttl))


def _serve_cached() -> Response | None:
    if not _cacheable():
        return None
    key, ttl = _key_and_ttl()
    g.hos_cache_key, g.hos_ttl = key, ttl
    hit = _cache().get(key)
    if hit is None:
        return None
    body, mimetype = hit
    g.hos_cache_hit = True
    return Response(body, status=200, mimetype=mimetype)


def _cache() -> Cache:
    cache: Cache = current_app.extensions["hallofshame"]["cache"]
    return cache


def _finish(response: Response) -> Response:
    """Store, then add validators and compress: in that order, so 304s stay cheap."""
    key = g.get("hos_cache_key")
    if response.status_code != 200 or key is None or response.direct_passthrough:
        failed = response.status_code >= 400 and request.path.startswith("/api/")
        if failed or _uncached(request.path):
            response.headers["Cache-Control"] = "no-store"
        return response
    body = response.get_data()
    if not g.get("hos_cache_hit"):
        _cache().set(key, (body, response.mimetype), timeout=g.hos_ttl)
    response.headers["Cache-Control"] = f"public, max-age={g.hos_ttl}"
    response.headers["X-Cache"] = "hit" if g.get("hos_cache_hit") else "miss"
    if g.get("hos_ranking"):  # a ranking read from those kept ready, or computed now
        response.headers["X-Ranking"] = g.hos_ranking
    return _conditional(response, body)


def _conditional(response: Response, body: bytes) -> Response:
    digest = hashlib.sha256(body).hexdigest()[:32]
    wants_gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    compress = wants_gzip and len(body) >= GZIP_MIN_BYTES
    # A strong ETag names one representation, so the compressed one has its own.
    etag = f'"{digest}-gz"' if compress else f'"{digest}"'
    response.headers["ETag"] = etag
    response.vary.add("Accept-Encoding")
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Length", None)
        response.headers.pop("Content-Type", None)
        return response
    if compress:
        response.set_data(gzip.compress(body, compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    return response


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",") if t.strip()]
    return "*" in tags or etag in tags
