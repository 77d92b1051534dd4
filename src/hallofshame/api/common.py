"""What every route shares: the request's session, the settings, the envelope.

One SQLAlchemy session per request, opened on first use and closed at teardown; the
API only reads, so nothing is ever committed here. With read replicas configured
(``HOS_READ_DATABASE_URL``) that session reads one replica, or the primary when none
answers; what must see the primary's latest state (health, the key-protected admin
routes, which read what they have just written) takes ``primary_db()``. A route that
writes opens its own short transaction on ``factory()``, the primary.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g
from flask_openapi3.blueprint import APIBlueprint
from flask_openapi3.models.tag import Tag
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.config import Settings
from hallofshame.db.dialects import begin_reading
from hallofshame.db.engine import session_factory
from hallofshame.db.replicas import ReadReplicas
from hallofshame.domain.periods import Period, PeriodKind
from hallofshame.metrics import rankings
from hallofshame.metrics.rankings import Snapshot

EXTENSION = "hallofshame"


def state() -> dict[str, Any]:
    ext: dict[str, Any] = current_app.extensions[EXTENSION]
    return ext


def settings() -> Settings:
    value: Settings = state()["settings"]
    return value


def factory() -> sessionmaker[Session]:
    """The app's session factory; the process-wide one unless ``create_app`` got one."""
    given: sessionmaker[Session] | None = state()["session_factory"]
    return given if given is not None else session_factory()


def replicas() -> ReadReplicas | None:
    """The app's read replicas; None when the API reads the primary."""
    value: ReadReplicas | None = state().get("replicas")
    return value


#: Where the request's reads went: a replica's name, or this.
PRIMARY = "primary"


def db() -> Session:
    """The request's read session, created lazily so that requests without data open none:
    one snapshot transaction on a read replica, or on the primary when there is none or
    none answers."""
    session: Session | None = g.get("hos_session")
    if session is None:
        router = replicas()
        opened = router.open() if router is not None else None
        if opened is not None:
            session, replica = opened
            g.hos_read_from = replica.name
        else:
            session = primary_db()
            g.hos_read_from = PRIMARY
        g.hos_session = session
    return session


def primary_db() -> Session:
    """The request's session on the primary (the same as ``db()`` without replicas)."""
    session: Session | None = g.get("hos_primary")
    if session is None:
        session = factory()()
        g.hos_primary = session
        begin_reading(session)
    return session


def close_db(_exc: BaseException | None = None) -> None:
    for name in ("hos_session", "hos_primary"):
        session: Session | None = g.pop(name, None)
        if session is not None:
            session.close()


def now() -> datetime:
    return clock.now()


def iso(value: datetime | None) -> str | None:
    """A UTC instant as ISO 8601 with ``Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def envelope(data: Any, **meta: Any) -> dict[str, Any]:
    body_meta = {"generated_at": iso(now())}
    body_meta.update({k: v for k, v in meta.items() if v is not None})
    return {"data": data, "meta": body_meta}


def period_text(period: object) -> str:
    return str(period)


def blueprint(name: str, tags: Iterable[str]) -> APIBlueprint:
    from hallofshame.api.schemas import ERROR_RESPONSES

    return APIBlueprint(
        name,
        __name__,
        url_prefix="/api",
        abp_tags=[Tag(name=t) for t in tags],
        abp_responses=ERROR_RESPONSES,  # type: ignore[arg-type]
    )


def metric_period(period: Period) -> str | Period:
    """What the metrics layer takes: a named period's text, or the custom period."""
    return period if period.kind is PeriodKind.CUSTOM else period.kind.value


def snapshot(
    period: Period, filter_: str = "all-parks", park_id: int | None = None, fidelity: str = "all"
) -> Snapshot:
    """The one metrics call behind every ranking and detail view."""
    return rankings.compute(
        db(),
        metric_period(period),
        now=now(),
        version=settings().metrics_version,
        filter_=filter_,
        park_id=park_id,
        fidelity=fidelity,
    )
