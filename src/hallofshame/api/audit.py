"""Audit: how a displayed figure was computed, invariant checks, anomalies, feed problems.

Read-only like the rest of the public API; the answers come from ``metrics.audit``,
``metrics.checks`` and ``metrics.anomalies``, the checks and anomalies of yesterday from
those kept ready (``metrics.stored_audit``) while they hold (``X-Ranking`` says which).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g
from pydantic import BaseModel, ConfigDict, Field

from hallofshame.api.common import blueprint, db, envelope, iso, metric_period, now, settings
from hallofshame.api.errors import ApiError
from hallofshame.api.params import MAX_ID, LocalDate, PeriodQuery, Query, choice
from hallofshame.api.schemas import Envelope
from hallofshame.domain.periods import PeriodError
from hallofshame.domain.statuses import Source
from hallofshame.metrics import anomalies, audit, checks, stored_audit

bp = blueprint("audit", ["audit"])

METRICS = tuple(dict.fromkeys([*audit.PARK_FORMULAS, *audit.RIDE_FORMULAS]))
SOURCES = tuple(s.value for s in Source)
MAX_HOURS = 24 * 30


class ExplainQuery(PeriodQuery):
    # A ride has no shame score: without ``metric`` each entity's headline figure.
    presence_matters = frozenset({"period", "metric"})
    entity: str = choice("park", audit.ENTITIES, "park or ride")
    id: int = Field(ge=1, le=MAX_ID, description="the park's or ride's id")
    metric: str = choice(
        "shame_score",
        METRICS,
        "the figure to explain (default: shame_score for a park, downtime_hours for a ride)",
    )

    def chosen_metric(self) -> str:
        """The figure asked for, or the entity's headline one."""
        if "metric" in self.model_fields_set:
            return self.metric
        return "shame_score" if self.entity == "park" else "downtime_hours"

    def check_together(self) -> None:
        super().check_together()
        formulas = audit.formulas_of(self.entity)
        metric = self.chosen_metric()
        if metric not in formulas:
            raise PeriodError(
                "metric", f"{metric!r} is not a {self.entity} figure", tuple(formulas)
            )


class DateQuery(Query):
    date: LocalDate = Field(None, description="local date YYYY-MM-DD (default: yesterday in UTC)")


class AnomalyQuery(DateQuery):
    severity: str = choice("warning", anomalies.SEVERITIES, "warning lists critical ones too")


class DataQualityQuery(Query):
    hours: int = Field(24, ge=1, le=MAX_HOURS, description="how far back to look")
    source: str | None = Field(
        None, description="one source only", json_schema_extra={"enum": list(SOURCES)}
    )
    limit: int = Field(500, ge=1, le=5000, description="issues to return")


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Trace(Open):
    entity: str
    id: int
    metric: str
    inputs: dict[str, Any]
    formula: str
    result: float | int | None
    displayed: float | int | None


class CheckItem(Open):
    check: str
    park_id: int
    park_name: str
    status: str
    details: dict[str, Any]


class AnomalyItem(Open):
    entity: str
    park_id: int
    metric: str
    value: float
    median: float
    robust_z: float
    severity: str


class IssueItem(Open):
    detected_at: str
    source: str
    kind: str
    message: str


def _date(text: str | None) -> date:
    if text is None:
        return stored_audit.default_date(now())
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodError("date", f"not a valid date: {text!r}") from None


@bp.get("/audit/explain", responses={200: Envelope[Trace]})
def explain(query: ExplainQuery) -> dict[str, Any]:
    """The computation trace of one figure, as the rankings show it."""
    query.check_together()
    period = query.parsed_period()
    try:
        trace = audit.explain(
            db(),
            query.entity,
            query.id,
            metric_period(period),
            query.chosen_metric(),
            now=now(),
            version=settings().metrics_version,
        )
    except audit.NotFound as exc:
        raise ApiError(404, str(exc), id=query.id) from None
    trace["window"]["start"] = iso(trace["window"]["start"])
    trace["window"]["end"] = iso(trace["window"]["end"])
    return envelope(trace, period=period.key, metrics_version=settings().metrics_version)


def _kept(list_name: str, d: date) -> list[dict[str, Any]] | None:
    """The audit list of ``d`` kept ready, if it holds (the header says whether it did)."""
    items = stored_audit.answer(db(), list_name, d, settings().metrics_version, now())
    g.hos_ranking = "computed" if items is None else "stored"
    return items


@bp.get("/audit/checks", responses={200: Envelope[list[CheckItem]]})
def audit_checks(query: DateQuery) -> dict[str, Any]:
    """Invariant checks for one local date in every park."""
    d = _date(query.date)
    items = _kept(stored_audit.CHECKS, d)
    if items is None:
        items = [
            checks.item(r)
            for r in checks.checks(db(), d, now=now(), version=settings().metrics_version)
        ]
    return envelope(
        items,
        date=d.isoformat(),
        summary_counts=checks.summary(items),
        metrics_version=settings().metrics_version,
    )


@bp.get("/audit/anomalies", responses={200: Envelope[list[AnomalyItem]]})
def audit_anomalies(query: AnomalyQuery) -> dict[str, Any]:
    """Park shame and ride downtime of a date far from their own previous 28 days."""
    d = _date(query.date)
    kept = _kept(stored_audit.ANOMALIES, d)  # every severity: keep those asked for
    if kept is not None:
        items = [i for i in kept if i["severity"] in anomalies.at_least(query.severity)]
    else:
        found = anomalies.anomalies(
            db(), d, now=now(), version=settings().metrics_version, severity=query.severity
        )
        items = [anomalies.item(a) for a in found]
    return envelope(
        items,
        date=d.isoformat(),
        severity=query.severity,
        thresholds={
            "warning": anomalies.WARNING_Z,
            "critical": anomalies.CRITICAL_Z,
            "history_days": anomalies.HISTORY_DAYS,
            "min_history": anomalies.MIN_HISTORY,
        },
        metrics_version=settings().metrics_version,
    )


@bp.get("/audit/data-quality", responses={200: Envelope[list[IssueItem]]})
def data_quality(query: DataQualityQuery) -> dict[str, Any]:
    """Recorded feed problems: stale feeds, HTTP errors, malformed payloads."""
    issues = audit.data_quality(
        db(), hours_back=query.hours, now=now(), source=query.source, limit=query.limit
    )
    items = [
        {
            "id": i.id,
            "detected_at": iso(i.detected_at),
            "source": i.source,
            "park_id": i.park_id,
            "upstream_park_id": i.upstream_park_id,
            "kind": i.kind,
            "message": i.message,
        }
        for i in issues
    ]
    from hallofshame.api.lookups import cycles_by_origin
    from hallofshame.api.routes.health import history_items

    # Which figures rest on polls of our own and which on history loaded from elsewhere.
    history = history_items(cycles_by_origin(db()))
    return envelope(
        items, hours=query.hours, source=query.source, limit=query.limit, history=history
    )
