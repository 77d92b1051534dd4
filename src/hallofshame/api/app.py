"""The app factory. Nothing here touches the database: sessions open per request.

``BLUEPRINTS`` names every blueprint as ``module:attribute``; a module that does not
exist yet (the dashboard, say) is skipped, so the API runs before every part lands.
"""

from __future__ import annotations

import importlib
import logging

from flask import Blueprint, Flask
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.info import Info
from flask_openapi3.openapi import OpenAPI
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import __version__
from hallofshame.api.caching import init_cache
from hallofshame.api.common import EXTENSION, close_db
from hallofshame.api.docs import add_links
from hallofshame.api.errors import register_error_handlers, validation_error_response
from hallofshame.api.export import document_csv, init_export
from hallofshame.api.observability import init_observability
from hallofshame.api.security import init_security
from hallofshame.config import Settings, get_settings
from hallofshame.db.replicas import ReadReplicas

log = logging.getLogger("hallofshame.api")

BLUEPRINTS: list[str] = [
    "hallofshame.api.routes.health:bp",
    "hallofshame.api.routes.parks:bp",
    "hallofshame.api.routes.park_details:bp",
    "hallofshame.api.routes.live:bp",
    "hallofshame.api.routes.rides:bp",
    "hallofshame.api.routes.days:bp",
    "hallofshame.api.routes.search:bp",
    "hallofshame.api.routes.weather:bp",
    "hallofshame.api.routes.admin:bp",
    "hallofshame.api.routes.webhooks:bp",
    "hallofshame.api.routes.feeds:bp",
    "hallofshame.api.analytics:bp",
    "hallofshame.api.audit:bp",
    "hallofshame.api.docs:bp",
    "hallofshame.api.badges:bp",
    "hallofshame.web.blueprint:bp",
]


def _load(spec: str) -> Blueprint | None:
    module_name, _, attr = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:  # a real import error inside an existing module
            raise
        log.info("blueprint %s is not installed; skipped", spec)
        return None
    bp: Blueprint = getattr(module, attr or "bp")
    return bp


class _OpenAPI(OpenAPI):
    def generate_spec_json(self) -> None:
        super().generate_spec_json()  # type: ignore[no-untyped-call]  # untyped upstream
        add_links(self.spec_json)
        document_csv(self.spec_json)


def create_app(
    settings: Settings | None = None, *, session_factory: sessionmaker[Session] | None = None
) -> Flask:
    settings = settings or get_settings()
    app = _OpenAPI(
        __name__,
        info=Info(
            title="Theme Park Hall of Shame API",
            version=__version__,
            description="Which theme parks and rides break down the most. "
            "Every figure follows the published metrics definitions.",
        ),
        # Documents the key that state-changing endpoints require (X-API-Key).
        security_schemes={"apiKey": {"type": "apiKey", "name": "X-API-Key", "in": "header"}},
        doc_prefix="/api",
        doc_url="/openapi.json",
        validation_error_status=400,
        validation_error_callback=validation_error_response,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented order
    app.extensions[EXTENSION] = {
        "settings": settings,
        "session_factory": session_factory,
        "replicas": ReadReplicas.from_settings(settings),
    }
    app.teardown_appcontext(close_db)
    init_observability(app)
    limiter = init_security(app, settings)
    cache = init_cache(app)
    init_export(app)  # after the cache: its hook runs first (CSV answers are cached as CSV)
    app.extensions[EXTENSION].update(cache=cache, limiter=limiter)
    register_error_handlers(app)
    for spec in BLUEPRINTS:
        bp = _load(spec)
        if isinstance(bp, APIBlueprint):
            app.register_api(bp)
        elif bp is not None:
            app.register_blueprint(bp)
    limiter.exempt(app.view_functions["metrics"])
    return app
