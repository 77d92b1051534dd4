"""Query and path parameter models: they validate requests and document them.

Every model forbids unknown parameters. Choice parameters list their values once, from
the constants of the metrics layer, both in the OpenAPI document (``enum``) and in the
400 answer naming what is allowed.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

from hallofshame.api.errors import QUERY_MODELS
from hallofshame.api.export import FORMATS
from hallofshame.domain.fidelity import FIDELITY_FILTERS
from hallofshame.domain.periods import NAMED_PERIODS, Period, PeriodError, parse_period
from hallofshame.metrics.outages import KINDS
from hallofshame.metrics.rankings import (
    FILTERS,
    PARK_DOWNTIME_SORTS,
    RIDE_DOWNTIME_SORTS,
    WAIT_SORTS,
)

MAX_ID = 2**31 - 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 200

#: A local date of the years data can exist in (``FIRST_DATE`` … ``LAST_DATE``), so the
#: document promises only what the API accepts; ``parse_period`` checks the calendar
#: (no 30 February) and a 400 names the parameter either way.
DATE_PATTERN = r"^20\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
LocalDate = Annotated[
    str | None,
    Field(pattern=DATE_PATTERN),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]

#: An optional id in the query string (a query parameter is never JSON null).
OptionalId = Annotated[
    int | None,
    Field(ge=1, le=MAX_ID),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}),
]


#: Custom ranges must lie in these years: beyond them no data exists, and far-off years
#: are outside what time-zone arithmetic can represent.
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)


def within_range(period: Period) -> Period:
    for param, value in (("start", period.start), ("end", period.end)):
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            raise PeriodError(param, f"dates run from {FIRST_DATE} to {LAST_DATE}, got {value}")
    return period


#: What ``format`` says in the document (``api.export`` writes the CSV).
FORMAT_TEXT = "json, or csv: the same rows and rounded values as a download"


def choice(default: str, allowed: tuple[str, ...], description: str) -> Any:
    return Field(default, description=description, json_schema_extra={"enum": list(allowed)})


class Query(BaseModel):
    """Base of every query model: unknown parameters are an error, choices are checked."""

    model_config = ConfigDict(extra="forbid")
    #: Parameters whose mere presence changes the answer, even when given their default
    #: (the response cache must not treat them as implied).
    presence_matters: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        QUERY_MODELS[cls.__name__] = cls

    @field_validator("*", mode="after")
    @classmethod
    def _in_enum(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        extra = field.json_schema_extra if field is not None else None
        allowed = extra.get("enum") if isinstance(extra, dict) else None
        if isinstance(allowed, list) and value not in allowed:
            raise PydanticCustomError(
                "invalid_choice",
                "{shown} is not one of {text}",
                {"allowed": allowed, "text": ", ".join(map(str, allowed)), "shown": repr(value)},
            )
        return value


class NoQuery(Query):
    """An endpoint without parameters still refuses unknown ones."""


class PeriodQuery(Query):
    # "period=today&start=…&end=…" is a conflict (400); "start=…&end=…" is a custom range.
    presence_matters = frozenset({"period"})
    period: str = choice(
        "today", NAMED_PERIODS, "a named period, or give start and end for a custom range"
    )
    start: LocalDate = Field(None, description="first local date of a custom range")
    end: LocalDate = Field(None, description="last local date (inclusive), at most 366 days")

    def parsed_period(self) -> Period:
        named = self.period if "period" in self.model_fields_set else None
        return within_range(parse_period(named, self.start, self.end))


class RankingQuery(PeriodQuery):
    filter: str = choice("all-parks", FILTERS, "all parks, or Disney and Universal parks only")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items to return")
    format: str = choice("json", FORMATS, FORMAT_TEXT)
    fidelity: str = choice(
        "all",
        FIDELITY_FILTERS,
        "all parks, or only parks whose breakdowns are reported "
        "by their feed (DOWN), or only parks where they are inferred (open/closed feeds)",
    )


class ParkDowntimeQuery(RankingQuery):
    sort_by: str = choice(PARK_DOWNTIME_SORTS[0], PARK_DOWNTIME_SORTS, "ranking order")


class RideDowntimeQuery(RankingQuery):
    sort_by: str = choice(RIDE_DOWNTIME_SORTS[0], RIDE_DOWNTIME_SORTS, "ranking order")


class WaitQuery(RankingQuery):
    sort_by: str = choice(WAIT_SORTS[0], WAIT_SORTS, "ranking order")


class StatusSummaryQuery(Query):
    filter: str = choice("all-parks", FILTERS, "all parks, or Disney and Universal parks only")
    park_id: OptionalId = Field(None, description="one park only")


class SearchQuery(Query):
    q: str = Field(min_length=1, max_length=100, description="part of a park or ride name")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="hits to return")


class WeatherQuery(Query):
    start: LocalDate = Field(None, description="first local date (default: today)")
    end: LocalDate = Field(None, description="last local date (default: start)")


class RecomputeQuery(Query):
    start: str = Field(description="first local date", pattern=DATE_PATTERN)
    end: str = Field(description="last local date (inclusive)", pattern=DATE_PATTERN)


class ParkPath(BaseModel):
    park_id: int = Field(ge=1, le=MAX_ID)


class JobPath(BaseModel):
    job_id: int = Field(ge=1, le=MAX_ID)


class RidePath(BaseModel):
    ride_id: int = Field(ge=1, le=MAX_ID)


class BreakdownsQuery(PeriodQuery):
    """The ride's outages that started in the period."""

    format: str = choice("json", FORMATS, FORMAT_TEXT)


class RecoveryQuery(Query):
    down_for: float | None = Field(
        None,
        ge=0,
        le=100_000,
        allow_inf_nan=False,
        description="minutes down so far (default: now, or 0)",
    )
    within: float = Field(30, gt=0, le=100_000, allow_inf_nan=False, description="minutes ahead")
    kind: str | None = Field(
        None,
        description="outage kind (default: the kind of its outage now, else breakdown)",
        json_schema_extra={"enum": list(KINDS)},
    )


class WebhookPath(BaseModel):
    webhook_id: int = Field(ge=1, le=MAX_ID)


class DeliveriesQuery(Query):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="deliveries to return")


class WebhookBody(BaseModel):
    """A new subscription: where to POST, how to sign, and which breakdowns."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1, max_length=2000, description="http(s) URL the events are POSTed to"
    )
    secret: str = Field(
        min_length=16,
        max_length=200,
        description="key of the HMAC-SHA256 signature (X-HallOfShame-Signature); never shown",
    )
    park_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=1000, description="only these parks (empty: all)"
    )
    max_tier: int | None = Field(
        None, ge=1, le=3, description="only rides of this tier or a better one (1 is best)"
    )
    min_duration_minutes: int = Field(
        0,
        ge=0,
        le=7 * 24 * 60,
        description="only breakdowns that lasted this long (then only breakdown.ended)",
    )
    format: str = Field(
        "json",
        description="the body: the event as JSON, or a Discord or Slack chat message",
        json_schema_extra={"enum": ["json", "discord", "slack"]},
    )

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in ("json", "discord", "slack"):
            raise PydanticCustomError(
                "invalid_choice",
                "{shown} is not one of json, discord, slack",
                {"allowed": ["json", "discord", "slack"], "shown": repr(value)},
            )
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value.strip())
            port_ok = parts.port is None or parts.port > 0
        except ValueError:
            port_ok = False
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.hostname or not port_ok:
            raise PydanticCustomError(
                "invalid_url", "{shown} is not an http or https URL", {"shown": repr(value)}
            )
        return value.strip()
