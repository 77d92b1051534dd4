"""Security headers, CORS and the per-client rate limit."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request
from flask_limiter import Limit, Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from hallofshame.config import Settings

#: Only our own origin may supply scripts, styles, images and frames; nobody may frame us.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The API explorer's bundle injects its own <style> elements; scripts stay self-only.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
DOCS_PREFIXES = ("/api/docs", "/api/swagger")
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
#: Reads other sites' pages may make: the public API, never the key-protected routes.
CORS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CORS_EXCLUDED = ("/api/admin",)


def _security_headers(response: Response) -> Response:
    docs = request.path.startswith(DOCS_PREFIXES)
    response.headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_security(app: Flask, settings: Settings) -> Limiter:
    origins = {o.strip().rstrip("/") for o in settings.cors_origins.split(",") if o.strip()}

    def cors(response: Response) -> Response:
        origin = request.headers.get("Origin", "").rstrip("/")
        public = request.method in CORS_METHODS and not request.path.startswith(CORS_EXCLUDED)
        if origin and public and ("*" in origins or origin in origins):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
            response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
            response.headers["Access-Control-Max-Age"] = "600"
            response.vary.add("Origin")
        return response

    if settings.trusted_proxies:
        # Behind nginx every request comes from the proxy's address: without this one
        # rate-limit bucket would be shared by every visitor. Only as many hops as the
        # operator says are believed, so a client cannot pick its own address.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.after_request(_security_headers)
    app.after_request(cors)
    limits: list[str | Callable[[], str] | Limit] = (
        [settings.rate_limit] if settings.rate_limit.strip() else []
    )
    limiter = Limiter(
        get_remote_address,
        app=app,
        default_limits=limits,
        storage_uri=settings.cache_url or "memory://",
        headers_enabled=True,
        strategy="moving-window",
        key_prefix="hos-limit",
    )

    @limiter.request_filter
    def _exempt() -> bool:
        # Tests and local health probes come from loopback; production traffic does not
        # (behind a proxy, HOS_TRUSTED_PROXIES makes the client's address the real one).
        return settings.env == "test" and (request.remote_addr or "") in LOOPBACK

    return limiter
