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
from hallofshame.domain.periods import (
    NAMED_PERIODS,
    Period,
    PeriodError,
    custom_period,
    parse_period,
)
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

#: A calendar date of the years data can exist in (``FIRST_DATE`` … ``LAST_DATE``),
#: exactly: every string it matches is a real day (no 30 February; 29 February of leap
#: years only), so the document promises only what the API accepts.
_DAY = (
    r"20\d{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)"
    r"|20(?:[02468][048]|[13579][26])-02-29"
)
DATE_PATTERN = rf"^(?:{_DAY})$"
#: A series' edge: a local date, a local date-time, or an instant with ``Z`` or an offset.
INSTANT_PATTERN = (
    rf"^(?:{_DAY})"
    r"(?:T(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?$"
)
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


def cross_parameter_problem(query: Query) -> PeriodError | None:
    """Why a query whose every parameter is valid alone is still refused, or None."""
    try:
        query.check_together()
    except PeriodError as problem:
        return problem
    return None


def within_range(period: Period) -> Period:
    for param, value in (("start", period.start), ("end", period.end)):
        if value is not None and not FIRST_DATE <= value <= LAST_DATE:
            raise PeriodError(param, f"dates run from {FIRST_DATE} to {LAST_DATE}, got {value}")
    return period


#: What ``format`` says in the document (``api.export`` writes the CSV).
FORMAT_TEXT = "json, or csv: the same rows and rounded values as a download"


def choice(default: str, allowed: tuple[str, ...], description: str) -> Any:
    return Field(default, description=description, json_schema_extra={"enum": list(allowed)})


_SCHEMAS: dict[type[BaseModel], dict[str, Any]] = {}


class Query(BaseModel):
    """Base of every query model: unknown parameters are an error, choices are checked."""

    model_config = ConfigDict(extra="forbid")
    #: Parameters whose mere presence changes the answer, even when given their default
    #: (the response cache must not treat them as implied).
    presence_matters: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        QUERY_MODELS[cls.__name__] = cls

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The schema of the model's defaults, generated once per class: the request
        validation of ``flask_openapi3`` asks for it on every request (to tell list
        parameters apart), and generating it cost a millisecond or two each time. Callers
        only read it; any other form is generated as asked."""
        if args or kwargs:
            return super().model_json_schema(*args, **kwargs)
        schema = _SCHEMAS.get(cls)
        if schema is None:
            schema = _SCHEMAS[cls] = super().model_json_schema()
        return schema

    def check_together(self) -> None:
        """The rules between parameters, which an OpenAPI document cannot state (a named
        period or start and end, not both; start not after end; at most 366 days …):
        raises ``PeriodError`` naming the parameter, as the route would. Each parameter
        is valid on its own by then (the model validated it)."""

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

    def check_together(self) -> None:
        self.parsed_period()


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
    start: LocalDate = Field(None, description="first local date (default: end, else today)")
    end: LocalDate = Field(None, description="last local date (default: start)")

    def window(self, today: date) -> Period:
        """start..end; one of them alone is that one day; neither, today."""
        first = self.start or self.end or today.isoformat()
        return within_range(custom_period(first, self.end or first))

    def check_together(self) -> None:
        self.window(FIRST_DATE)  # today matters only when neither is given


class RecomputeQuery(Query):
    start: str = Field(description="first local date", pattern=DATE_PATTERN)
    end: str = Field(description="last local date (inclusive)", pattern=DATE_PATTERN)

    def window(self) -> Period:
        return within_range(custom_period(self.start, self.end))

    def check_together(self) -> None:
        self.window()


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


#: An http(s) URL with a host name or address and, if any, a port of 1–65535.
WEBHOOK_URL_PATTERN = (
    r"^https?://[A-Za-z0-9.-]+"
    r"(?::(?:6553[0-5]|655[0-2]\d|65[0-4]\d{2}|6[0-4]\d{3}|[1-5]\d{4}|[1-9]\d{0,3}))?"
    r"(?:[/?#]\S*)?$"
)


class WebhookBody(BaseModel):
    """A new subscription: where to POST, how to sign, and which breakdowns."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2000,
        pattern=WEBHOOK_URL_PATTERN,
        description="http(s) URL the events are POSTed to",
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

    @field_validator("park_ids", "max_tier", "min_duration_minutes", mode="before")
    @classmethod
    def _numbers_only(cls, value: Any) -> Any:
        """JSON ``true``/``false`` and ``"1"`` are not numbers (pydantic would take them
        for 1, 0 and 1); a whole number written ``603.0`` is one, as JSON Schema's
        ``integer`` says."""
        items = value if isinstance(value, list) else [value]
        if any(isinstance(v, bool | str) for v in items):
            raise PydanticCustomError("int_type", "{shown} is not a number", {"shown": value})
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
