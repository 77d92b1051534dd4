"""Read replicas: where the API's reads go when ``HOS_READ_DATABASE_URL`` names some.

The engines replicate (MariaDB GTID replication, PostgreSQL streaming replication); this
module only chooses where a request reads. Each request takes the next replica in turn
that accepts a connection and reads it in one REPEATABLE READ transaction, so all of its
reads, the response cache's data stamp included, come from one snapshot of one replica.

A replica that refuses a connection is set aside for ``HOS_READ_REPLICA_RETRY`` seconds
(requests read the next one, or the primary) and tried again after that; a health probe
(``/api/health``, ``/metrics``) tries it at once. Connection attempts are bounded by a
short connect timeout, so a replica that is gone costs a request little.

The probe also asks the engine how far behind it is: MariaDB's ``SHOW SLAVE STATUS``
(``Seconds_Behind_Master``, needs the REPLICA MONITOR privilege; without it the state is
``unknown``), PostgreSQL's WAL replay position and last replayed commit on the standby.
Beside it stands a measure that needs no privilege and is what a reader sees: how much
older the replica's latest collection cycle is than the primary's.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from hallofshame.config import Settings
from hallofshame.db.dialects import begin_reading
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Cycle
from hallofshame.db.types import UTCDateTime

log = logging.getLogger("hallofshame.db")

#: Seconds a connection attempt to a replica may take before it counts as unreachable.
CONNECT_TIMEOUT_S = 2


def display_name(url: str) -> str:
    """host:port/database, never the credentials: it is shown in health and metrics."""
    parsed = make_url(url)
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    return f"{host}{port}/{parsed.database or ''}"


def error_text(exc: BaseException) -> str:
    """The driver's own message, one line, without the SQL or the docs link."""
    orig = getattr(exc, "orig", None) or exc
    message = " ".join(str(orig).split())
    return message[:200] or type(orig).__name__


@dataclass
class Replica:
    url: str
    name: str
    engine: Engine
    down_until: float = 0.0  #: monotonic instant before which no request tries it
    error: str | None = None  #: why the last attempt failed; None while it serves

    def usable(self, at: float) -> bool:
        return self.error is None or at >= self.down_until

    def mark_down(self, exc: BaseException, retry_s: float) -> None:
        reason = error_text(exc)
        if self.error is None:
            log.warning("read replica %s unreachable, reading elsewhere: %s", self.name, reason)
        self.error = reason
        self.down_until = time.monotonic() + retry_s

    def mark_up(self) -> None:
        if self.error is not None:
            log.info("read replica %s answers again", self.name)
        self.error = None
        self.down_until = 0.0


@dataclass
class ReplicaState:
    """What a probe found: reachability, the engine's replication state and the lags."""

    name: str
    reachable: bool  #: it answered the probe, so requests read from it
    replication: str  #: running, stopped, paused, not_replicating, unknown
    lag_seconds: float | None  #: the engine's own measure
    data_lag_seconds: float | None  #: primary's latest cycle minus the replica's
    error: str | None = None
    latest_cycle_at: datetime | None = field(default=None, repr=False)


class ReadReplicas:
    """The configured replicas and the choice of one per request."""

    def __init__(self, settings: Settings) -> None:
        self.retry_s = float(settings.read_replica_retry)
        self.replicas = [
            Replica(
                url,
                display_name(url),
                make_engine(url, settings, connect_timeout=CONNECT_TIMEOUT_S),
            )
            for url in settings.read_database_urls
        ]
        self._turn = itertools.count()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadReplicas | None:
        return cls(settings) if settings.read_database_urls else None

    def open(self) -> tuple[Session, Replica] | None:
        """A session in a snapshot transaction on the next replica that takes a connection;
        None when every replica is down (the caller reads the primary)."""
        with self._lock:
            first = next(self._turn)
        count = len(self.replicas)
        at = time.monotonic()
        for step in range(count):
            replica = self.replicas[(first + step) % count]
            if not replica.usable(at):
                continue
            session = Session(bind=replica.engine, expire_on_commit=False)
            try:
                begin_reading(session)  # checks a connection out: fails here when down
            except DBAPIError as exc:
                session.close()
                replica.mark_down(exc, self.retry_s)
                continue
            replica.mark_up()
            return session, replica
        return None

    def probe(self, primary: Session | None) -> list[ReplicaState]:
        """Each replica's state, tried now whatever its set-aside time; a replica that
        answers serves again at once. ``primary`` (when reachable) gives the data lag."""
        primary_cycle: datetime | None = None
        if primary is not None:
            try:
                primary_cycle = _latest_cycle(primary)
            except SQLAlchemyError:
                primary_cycle = None
        return [self._probe_one(replica, primary_cycle) for replica in self.replicas]

    def _probe_one(self, replica: Replica, primary_cycle: datetime | None) -> ReplicaState:
        try:
            with replica.engine.connect() as conn:
                dialect = conn.dialect.name
                with Session(bind=conn) as session:
                    cycle = _latest_cycle(session)
                replication, lag = _engine_lag(conn, dialect)
        except DBAPIError as exc:
            replica.mark_down(exc, self.retry_s)
            return ReplicaState(replica.name, False, "unknown", None, None, error=replica.error)
        replica.mark_up()
        data_lag: float | None = None
        if primary_cycle is not None:
            data_lag = max(0.0, (primary_cycle - cycle).total_seconds()) if cycle else None
        return ReplicaState(replica.name, True, replication, lag, data_lag, latest_cycle_at=cycle)

    def dispose(self) -> None:
        for replica in self.replicas:
            replica.engine.dispose()


def _latest_cycle(session: Session) -> datetime | None:
    value: Any = session.scalar(select(func.max(Cycle.ts)))
    result: datetime | None = UTCDateTime().process_result_value(value, None)  # type: ignore[arg-type]
    return result


def _engine_lag(conn: Any, dialect: str) -> tuple[str, float | None]:
    """(replication state, seconds behind) as the engine reports them."""
    if dialect == "postgresql":
        row = conn.execute(
            text(
                "SELECT pg_is_in_recovery(),"
                " CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END,"
                " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                "  ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END,"
                " EXISTS (SELECT 1 FROM pg_stat_wal_receiver),"
                " (SELECT status FROM pg_stat_wal_receiver LIMIT 1)"
            )
        ).one()
        in_recovery, paused, lag, receiving, receiver = row
        if not in_recovery:
            return "not_replicating", None
        if paused:
            state = "paused"
        elif not receiving:
            state = "stopped"  # no WAL receiver: the primary is gone or refuses it
        elif receiver is None:
            state = "unknown"  # the receiver's details need pg_read_all_stats
        else:
            state = "running" if receiver == "streaming" else "stopped"
        return state, None if lag is None else max(0.0, float(lag))
    if dialect == "mysql":
        try:
            row = conn.execute(text("SHOW SLAVE STATUS")).mappings().first()
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise
            return "unknown", None  # no REPLICA MONITOR privilege
        if row is None:
            return "not_replicating", None
        running = row["Slave_IO_Running"] == "Yes" and row["Slave_SQL_Running"] == "Yes"
        behind = row["Seconds_Behind_Master"]
        return ("running" if running else "stopped"), None if behind is None else float(behind)
    return "unknown", None
