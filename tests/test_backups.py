"""The backup and restore lines of docs/operations.md, run as an operator would.

The commands are read from the page (so the page cannot drift from what works), pointed
at a database with data, and the restored copy must hold every row of every table.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hallofshame import clock
from hallofshame.catalog import bundled_parks
from hallofshame.db import migrate
from hallofshame.db.dialects import backend, recreate_database
from hallofshame.db.engine import make_engine
from hallofshame.db.models import Base
from hallofshame.ingest.live_sources import SimulatedSource
from hallofshame.ingest.simulate import link_simulated_ids
from hallofshame.jobs.collect import collect_once
from tests.conftest import sibling_url

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
NOW = datetime(2026, 8, 14, 18, 0, tzinfo=UTC)
#: The first word of the documented lines, per database.
TOOLS = {
    "mysql": ("mariadb-dump", "gunzip"),
    "postgresql": ("pg_dump", "pg_restore"),
    "sqlite": ("sqlite3",),
}


def documented(kind: str) -> list[str]:
    text = OPERATIONS.read_text().split("## Backups and restore", 1)[1].split("\n## ", 1)[0]
    spans = re.findall(r"`([^`\n]+)`", text)
    return [s for s in spans if s.split()[0] in TOOLS[kind] and len(s.split()) > 1]


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


@pytest.fixture
def source(db_url: str) -> Iterator[Engine]:
    url = sibling_url(db_url, "backup_src")
    recreate_database(url)
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = sessionmaker[Session](bind=engine, expire_on_commit=False)
    with factory() as s, s.begin():
        link_simulated_ids(s, bundled_parks()[:4])
    clock.set_now(NOW)
    try:
        collect_once(factory, SimulatedSource(), interval_s=300)
    finally:
        clock.set_now(None)
    yield engine
    engine.dispose()


def test_documented_backup_and_restore(source: Engine, tmp_path: Path) -> None:
    kind = backend(source)
    lines = documented(kind)
    assert lines, f"docs/operations.md shows no backup line for {kind}"
    before = _counts(source)
    assert before["observations"] > 0
    src_url = make_url(source.url.render_as_string(hide_password=False))
    target_url = sibling_url(src_url.render_as_string(hide_password=False), "restored")
    target = make_url(target_url)
    env = dict(os.environ)
    if kind == "sqlite":
        # The documented path is relative to the checkout; run it where the file is.
        data = tmp_path / "var"
        data.mkdir()
        source.dispose()  # the last connection's close folds the WAL into the file
        Path(src_url.database or "").replace(data / "hallofshame.db")
    else:
        recreate_database(target_url)
        if kind == "mysql":
            # The client's own environment variables; the user is the login name (root).
            env.update(
                MYSQL_HOST=src_url.host or "127.0.0.1", MYSQL_TCP_PORT=str(src_url.port or 3306)
            )
        else:
            env.update(
                PGHOST=src_url.host or "127.0.0.1",
                PGPORT=str(src_url.port or 5432),
                PGUSER=src_url.username or "postgres",
            )
        dump, restore = lines
        lines = [
            dump.replace("hallofshame", src_url.database or ""),
            restore.replace("hallofshame", target.database or "").replace("….", "*."),
        ]
    for line in lines:
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", line],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{line}\n{done.stderr}"
    if kind == "sqlite":
        target_url = f"sqlite:///{tmp_path / 'hos.db'}"  # the backup the line wrote
    restored = make_engine(target_url)
    try:
        assert _counts(restored) == before
    finally:
        restored.dispose()
