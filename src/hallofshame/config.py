"""The one settings object. Every knob is an environment variable prefixed ``HOS_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hallofshame.domain.cycle_span import span_cap

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = PROJECT_ROOT / "var"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOS_", extra="ignore")

    env: str = Field("development", description="development, test or production")
    data_dir: Path = Field(DEFAULT_DATA_DIR, description="where the embedded database lives")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite in data_dir")
    read_database_url: str = Field(
        "",
        description="read replicas of database_url for the API's reads: one SQLAlchemy URL "
        "or several, comma-separated; empty = the API reads database_url",
    )
    read_replica_retry: int = Field(
        10, ge=1, le=3600, description="seconds before an unreachable read replica is tried again"
    )
    now: str = Field("", description="pin the application clock (ISO 8601 UTC instant)")
    collect_interval: int = Field(300, ge=30, description="seconds between collection cycles")
    collect_concurrency: int = Field(
        8, ge=1, le=64, description="parks fetched at once in a collection job"
    )
    upstream_host_concurrency: int = Field(
        4, ge=1, le=32, description="requests in flight at once to any one upstream host"
    )
    metrics_version: int = Field(1, ge=1, description="rollup version the API reads")
    # Job locks and due-time claims name their holder "<instance>:<pid>". Schedulers that
    # share a host name but not a process table (containers on one host's network) need
    # names of their own: a holder named after this host whose pid is gone here is taken
    # to be dead at once.
    instance: str = Field(
        "",
        max_length=120,
        description="this process's name in job locks and claims; empty = the host name",
    )
    recompute_workers: int = Field(
        4, ge=1, le=16, description="park-weeks recomputed at once (SQLite: always one)"
    )
    raw_retention_days: int = Field(90, ge=8, description="days of raw observations kept")
    tier_overrides: str = Field("", description="CSV of manual tiers; empty = the bundled one")
    tier_rules: bool = Field(True, description="classify unlisted rides by keyword rules")
    sql_echo: bool = Field(False, description="log every SQL statement")
    slow_query_ms: int = Field(1000, ge=0, description="log statements slower than this")
    cache_url: str = Field("", description="redis://… for a shared cache; empty = in-process")
    cache_enabled: bool = Field(True, description="response cache on/off")
    api_keys: str = Field("", description="comma-separated keys for state-changing endpoints")
    rate_limit: str = Field("600/minute", description="per-client limit; empty disables")
    trusted_proxies: int = Field(
        0, ge=0, le=4, description="reverse proxies in front whose X-Forwarded-For is believed"
    )
    cors_origins: str = Field(
        "*",
        description="origins whose pages may read the public API: * (anyone, the default), "
        "a comma-separated list, or empty for none; never the admin routes",
    )
    # Where the upstream feeds are; an operator can point them at a mirror or caching proxy.
    # Empty means the public address each client names (``DEFAULT_BASE_URL``).
    wiki_url: str = Field("", description="ThemeParks.wiki v1 base URL; empty = public")
    queue_times_url: str = Field("", description="Queue-Times base URL; empty = public")
    weather_url: str = Field("", description="Open-Meteo v1 base URL; empty = public")
    # The archive's public address is not one we have verified, so there is no default:
    # an archive fetch needs this setting (or the command's --url).
    archive_url: str = Field(
        "",
        description=(
            "ThemeParks.wiki archive base URL, the folder holding "
            "<destination>/<yyyy>/<mm>/<dd>.json.gz; no default: set it or pass --url"
        ),
    )
    # Atom ids must never change once published: the feeds' tag: URIs carry this name.
    feed_authority: str = Field(
        "hallofshame.invalid",
        description="domain (or email) in the Atom feeds' tag: ids; set once, never change",
        pattern=r"^[A-Za-z0-9.@-]+$",
    )
    user_agent: str = Field(
        "Theme-Park-Hall-of-Shame/0.1 (+https://github.com/hallofshame)",
        description="sent to upstream feeds",
    )

    @field_validator("database_url", "read_database_url")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'hallofshame.db'}"

    @property
    def span_cap_s(self) -> int:
        """The longest span a cycle can count for at this collection interval (METRICS.md
        §2, ``domain.cycle_span.span_cap``): the cap every job and answer passes down."""
        return span_cap(self.collect_interval)

    @property
    def read_database_urls(self) -> list[str]:
        """The read replicas, in the order given (empty: the API reads the primary)."""
        return [u.strip() for u in self.read_database_url.split(",") if u.strip()]

    @property
    def api_key_set(self) -> frozenset[str]:
        return frozenset(k.strip() for k in self.api_keys.split(",") if k.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()
