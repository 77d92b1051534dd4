"""Read replicas on real engines, through real HTTP.

For each engine a private primary and a replica replicating it with the engine's own
replication (MariaDB: binary log and GTID replication; PostgreSQL: a ``pg_basebackup``
standby streaming WAL), the primary loaded by the product's collector, and the API
served over HTTP with ``HOS_DATABASE_URL`` = primary and ``HOS_READ_DATABASE_URL`` =
replica. What must hold (issue #19):

- reads come from the replica: with its replication stopped and a new cycle on the
  primary, the API still answers the old data, and health shows the lag;
- once replication resumes, the new data appears;
- with the replica killed, the API answers from the primary and health says
  ``degraded`` with the reason; when the replica is back, reads return to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool
from werkzeug.serving import BaseWSGIServer, make_server

from hallofshame import clock
from hallofshame.api.app import create_app
from hallofshame.api.common import EXTENSION
from hallofshame.catalog import bundled_parks
from hallofshame.config import get_settings
from hallofshame.db import migrate
from hallofshame.db.dialects import recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Cycle
from hallofshame.db.replicas import display_name
from hallofshame.ingest.live_sources import SimulatedSource
from hallofshame.ingest.simulate import link_simulated_ids
from hallofshame.jobs.collect import active_parks, collect_once
from tests.servers import PG_BIN, PrivateServer, available

pytestmark = pytest.mark.slow

# Mid-afternoon on the US east coast: the American parks are open.
NOW = datetime(2026, 8, 14, 18, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
KINDS = ("mariadb", "postgres")
CATCH_UP_S = 30


def _server_engine(server: PrivateServer) -> Engine:
    """The server itself, no database: replication is set up and watched here."""
    if server.kind == "mariadb":
        url = f"mysql+pymysql://root@127.0.0.1:{server.port}/"
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{server.port}/postgres"
    return create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _run_sql(server: PrivateServer, statement: str, **params: Any) -> Any:
    engine = _server_engine(server)
    try:
        with engine.connect() as conn:
            result = conn.execute(text(statement), params)
            return result.scalar() if result.returns_rows else None
    finally:
        engine.dispose()


@dataclass
class Pair:
    """A primary and its replica, and the engine's own controls of their replication."""

    kind: str
    primary: PrivateServer
    replica: PrivateServer

    def stop_replication(self) -> None:
        if self.kind == "mariadb":
            _run_sql(self.replica, "STOP SLAVE")
        else:
            _run_sql(self.replica, "SELECT pg_wal_replay_pause()")

    def resume_replication(self) -> None:
        if self.kind == "mariadb":
            _run_sql(self.replica, "START SLAVE")
        else:
            _run_sql(self.replica, "SELECT pg_wal_replay_resume()")

    def wait_caught_up(self) -> None:
        """Until the replica has applied everything the primary has committed."""
        if self.kind == "mariadb":
            position = _run_sql(self.primary, "SELECT @@gtid_binlog_pos")
            waited = _run_sql(
                self.replica, "SELECT MASTER_GTID_WAIT(:pos, :s)", pos=position, s=CATCH_UP_S
            )
            assert waited == 0, f"the replica did not reach {position} in {CATCH_UP_S} s"
            return
        lsn = _run_sql(self.primary, "SELECT pg_current_wal_lsn()::text")
        deadline = time.monotonic() + CATCH_UP_S
        while not _run_sql(
            self.replica, "SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)", lsn=lsn
        ):
            assert time.monotonic() < deadline, f"the standby did not replay {lsn}"
            time.sleep(0.1)

    def close(self) -> None:
        self.replica.close()
        self.primary.close()


def _mariadb_pair(root: Path) -> Pair:
    primary = PrivateServer(
        "mariadb",
        root / "primary",
        database="hos_replicas",
        args=["--server-id=1", "--log-bin=primary-bin", "--binlog-format=ROW"],
    )
    replica = PrivateServer(
        "mariadb", root / "replica", database="hos_replicas", args=["--server-id=2"]
    )
    pair = Pair("mariadb", primary, replica)
    try:
        _in_parallel(primary.init, replica.init)
        _in_parallel(primary.start, replica.start)
        _run_sql(
            replica,
            "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=:port, MASTER_USER='root',"
            " MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            port=primary.port,
        )
        _run_sql(replica, "START SLAVE")
    except BaseException:
        pair.close()
        raise
    return pair


def _postgres_pair(root: Path) -> Pair:
    assert PG_BIN is not None
    primary = PrivateServer(
        "postgres",
        root / "primary",
        database="hos_replicas",
        args=["-c", "wal_level=replica", "-c", "max_wal_senders=4"],
    )
    replica = PrivateServer("postgres", root / "replica", database="hos_replicas")
    pair = Pair("postgres", primary, replica)
    try:
        primary.init()
        primary.start()
        replica.root.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(replica.root, "postgres")
        # -R: standby.signal and primary_conninfo; -C -S: a replication slot, so the
        # primary keeps the WAL the standby has not received while it is down.
        backup = [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port)]
        backup += ["-U", "postgres", "-D", str(replica.data), "-R", "-X", "stream"]
        backup += ["-C", "-S", "hos_replica", "--checkpoint=fast"]
        with open(replica.root / "init.log", "wb") as log:
            subprocess.run(
                replica._as_postgres(backup), check=True, stdout=log, stderr=subprocess.STDOUT
            )
        replica.start()
    except BaseException:
        pair.close()
        raise
    return pair


def _in_parallel(*steps: Any) -> None:
    errors: list[BaseException] = []

    def run(step: Any) -> None:
        try:
            step()
        except BaseException as exc:  # re-raised below, in the calling thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.fixture(params=KINDS)
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    kind = request.param
    tools = available(kind) and (
        kind == "mariadb" or (PG_BIN is not None and (PG_BIN / "pg_basebackup").exists())
    )
    if not tools:
        if os.environ.get("HOS_REQUIRE_ALL_DATABASES"):
            pytest.fail(f"{kind} server binaries are required for the read replica test")
        pytest.skip(f"no {kind} server binaries on this machine")
    # Not under pytest's tmp_path: PostgreSQL runs as its own user.
    root = Path(tempfile.mkdtemp(prefix=f"hos-replicas-{kind}-"))
    root.chmod(0o755)  # the postgres user passes through to its own data directories
    try:
        made = _mariadb_pair(root) if kind == "mariadb" else _postgres_pair(root)
        try:
            yield made
        finally:
            made.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Api:
    base: str
    client: httpx.Client

    def get(self, path: str) -> httpx.Response:
        return self.client.get(self.base + path)

    def health(self) -> dict[str, Any]:
        answer = self.get("/api/health")
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    def metric(self, name: str, **labels: str) -> float | None:
        answer = self.get("/metrics")
        assert answer.status_code == 200
        for family in text_string_to_metric_families(answer.text):
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    return float(sample.value)
        return None


@pytest.fixture
def primary_factory(pair: Pair) -> Iterator[sessionmaker[Session]]:
    recreate_database(pair.primary.url)
    engine = make_engine(pair.primary.url)
    try:
        migrate.upgrade(engine)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with factory() as s, s.begin():
            link_simulated_ids(s, bundled_parks())
        yield factory
    finally:
        engine.dispose()


@pytest.fixture
def api(pair: Pair, primary_factory: sessionmaker[Session]) -> Iterator[Api]:
    settings = get_settings().model_copy(
        update={
            "env": "test",
            "database_url": pair.primary.url,
            "read_database_url": pair.replica.url,
            "read_replica_retry": 1,
            "rate_limit": "",
            "cache_enabled": True,
            "cache_url": "",
            "collect_interval": 300,
        }
    )
    app = create_app(settings, session_factory=primary_factory)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with httpx.Client(timeout=30) as client:
            yield Api(f"http://127.0.0.1:{server.server_port}", client)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions[EXTENSION]["replicas"].dispose()


def _timeseries(api: Api, park_id: int, bucket: str) -> tuple[int, str]:
    """The collection cycles the API counts for a park from NOW - 15 min to NOW + 15 min,
    and whether the answer came from the response cache."""
    start = (NOW - 3 * STEP).isoformat().replace("+00:00", "Z")
    end = (NOW + 3 * STEP).isoformat().replace("+00:00", "Z")
    answer = api.get(f"/api/parks/{park_id}/timeseries?start={start}&end={end}&bucket={bucket}")
    assert answer.status_code == 200, answer.text
    return sum(int(b["cycles"]) for b in answer.json()["data"]), answer.headers["X-Cache"]


def _cycles_in(api: Api, park_id: int, bucket: str) -> int:
    return _timeseries(api, park_id, bucket)[0]


def _primary_cycles(factory: sessionmaker[Session], park_id: int) -> int:
    with factory() as s:
        return int(s.scalar(select(func.count()).where(Cycle.park_id == park_id)) or 0)


def test_the_api_reads_the_replica_and_falls_back_to_the_primary(
    pair: Pair, primary_factory: sessionmaker[Session], api: Api
) -> None:
    started = time.perf_counter()
    clock.set_now(NOW)
    try:
        parks = [p for p in active_parks(primary_factory, NOW) if p.timezone == "America/New_York"]
        assert parks, "the catalog has no park on US eastern time"
        polled = parks[:2]
        park_id = polled[0].id
        replica = display_name(pair.replica.url)

        def collect() -> None:
            report = collect_once(primary_factory, SimulatedSource(), interval_s=300, parks=polled)
            assert report.cycles == len(polled), report

        collect()
        pair.wait_caught_up()
        assert _cycles_in(api, park_id, "5m") == 1
        health = api.health()
        assert health["status"] == "ok", health["reasons"]
        [item] = health["read_replicas"]
        assert item["replica"] == replica
        assert (item["status"], item["replication"], item["data_lag_seconds"]) == (
            "ok",
            "running",
            0.0,
        )

        # Replication stopped, a new cycle on the primary: the API still shows the old data.
        pair.stop_replication()
        clock.set_now(NOW + STEP)
        collect()
        assert _primary_cycles(primary_factory, park_id) == 2
        # The answer stored for the replica's data stamp is still the right one …
        assert _timeseries(api, park_id, "5m") == (1, "hit")
        # … and a question not asked before is computed now, from the replica.
        assert _timeseries(api, park_id, "15m") == (1, "miss")
        health = api.health()
        assert health["status"] == "degraded"
        [item] = health["read_replicas"]
        stopped = "stopped" if pair.kind == "mariadb" else "paused"
        assert (item["status"], item["replication"]) == ("lagging", stopped)
        assert item["data_lag_seconds"] == STEP.total_seconds()
        assert item["latest_cycle_at"] == "2026-08-14T18:00:00Z"
        assert f"read replica {replica}: replication {stopped}" in health["reasons"]
        if pair.kind == "postgres":
            assert item["lag_seconds"] is not None  # WAL is waiting to be replayed
        lag = api.metric("hos_read_replica_data_lag_seconds", replica=replica)
        assert lag == STEP.total_seconds()
        assert api.metric("hos_read_replica_replicating", replica=replica) == 0

        # Replication resumes: the new cycle appears.
        pair.resume_replication()
        pair.wait_caught_up()
        assert _timeseries(api, park_id, "5m") == (2, "miss")  # a new stamp, a new answer
        assert _timeseries(api, park_id, "15m") == (2, "miss")
        health = api.health()
        assert health["status"] == "ok", health["reasons"]
        assert health["read_replicas"][0]["data_lag_seconds"] == 0.0

        # The replica killed: the API answers from the primary, health says degraded.
        pair.replica.kill()
        clock.set_now(NOW + 2 * STEP)
        collect()
        primary_reads = api.metric("hos_read_sessions_total", database="primary") or 0.0
        asked = time.perf_counter()
        assert _cycles_in(api, park_id, "5m") == 3  # only the primary has the third
        fallback_ms = (time.perf_counter() - asked) * 1000
        assert api.metric("hos_read_sessions_total", database="primary") == primary_reads + 1
        health = api.health()
        assert health["status"] == "degraded"
        assert health["database"] is True
        [item] = health["read_replicas"]
        assert (item["status"], item["replication"]) == ("unreachable", "unknown")
        assert item["error"]
        assert [r for r in health["reasons"] if r.startswith(f"read replica {replica} unreachable")]
        assert api.metric("hos_read_replica_up", replica=replica) == 0
        replica_reads = api.metric("hos_read_sessions_total", database=replica) or 0.0

        # It comes back: replication catches up by itself and reads return to it, the
        # first request after the set-aside time (HOS_READ_REPLICA_RETRY=1) trying it.
        pair.replica.start()
        pair.wait_caught_up()
        time.sleep(1.2)
        assert _cycles_in(api, park_id, "15m") == 3
        assert api.metric("hos_read_sessions_total", database=replica) == replica_reads + 1
        health = api.health()
        assert health["status"] == "ok", health["reasons"]
        assert health["read_replicas"][0]["status"] == "ok"

        # The primary stopped: reads go on from the replica, health names the primary.
        pair.primary.stop()
        assert _timeseries(api, park_id, "1h") == (3, "miss")
        health = api.health()
        assert (health["status"], health["database"]) == ("degraded", False)
        assert health["reasons"][0].startswith("primary database unreachable: ")
        assert [s["source"] for s in health["sources"]]  # the feeds as the replica has them
        assert health["read_replicas"][0]["replication"] == "stopped"  # its primary is gone
        assert api.metric("hos_read_replica_up", replica=replica) == 1
    finally:
        clock.set_now(None)
    took = time.perf_counter() - started
    print(
        f"{pair.kind}: {took:.1f} s with the servers up; first answer after the kill "
        f"{fallback_ms:.0f} ms"
    )
