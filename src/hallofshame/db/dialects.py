"""The one place where the three databases differ in ways SQL expressions can't hide.

Literal SQL is allowed here and in migrations only (see docs/sql-policy.md).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, insert, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import text
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement, Insert
from sqlalchemy.types import String


def backend(engine_or_url: Engine | URL | str) -> str:
    """``sqlite``, ``mysql`` (MariaDB) or ``postgresql``."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name()


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"refusing database name {name!r}")
    return name


def recreate_database(url: str) -> None:
    """Drop and create the database named in ``url`` (tests and benchmarks only)."""
    parsed = make_url(url)
    kind = parsed.get_backend_name()
    if kind == "sqlite":
        from pathlib import Path

        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).unlink(missing_ok=True)
        return
    name = _quoted(parsed.database or "")
    # URL.set() ignores None, so build the server URL explicitly.
    server = URL.create(
        parsed.drivername,
        username=parsed.username,
        password=parsed.password,
        host=parsed.host,
        port=parsed.port,
        database="postgres" if kind == "postgresql" else None,
        query=parsed.query,
    )
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if kind == "postgresql":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            else:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    finally:
        engine.dispose()


class joined_ids(FunctionElement[str]):
    """The integers of a group as one comma-separated string (aggregate): reading a
    group's ids as one value instead of one row each spares the driver most of its work
    (pymysql parses every row in Python)."""

    type = String()
    inherit_cache = True
    name = "joined_ids"

    def __init__(self, column: ColumnElement[int]) -> None:
        super().__init__(column)


@compiles(joined_ids)
def _joined_ids(element: joined_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)})"


@compiles(joined_ids, "mysql")
def _joined_ids_mysql(element: joined_ids, compiler: SQLCompiler, **kw: Any) -> str:
    # Cast, or the concatenation of integers is binary. Its length is bounded by the
    # server's group_concat_max_len (1 MiB by default): callers keep groups small.
    return f"group_concat(CAST({compiler.process(element.clauses, **kw)} AS CHAR))"


@compiles(joined_ids, "postgresql")
def _joined_ids_pg(element: joined_ids, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


def split_ids(joined: str | bytes | None) -> list[int]:
    """The integers of a ``joined_ids`` value."""
    if not joined:
        return []
    text_ = joined.decode() if isinstance(joined, bytes) else joined
    return [int(x) for x in text_.split(",")]


def insert_ignore(table: Table, engine_name: str) -> Insert:
    """An INSERT that skips rows whose unique key already exists."""
    if engine_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if engine_name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    from sqlalchemy import insert

    return insert(table).prefix_with("IGNORE")


#: Execution option of a session's connection that will write (see ``begin_writing``).
WRITER_OPTION = "hos_writer"


def begin_writing(session: Session) -> None:
    """Mark the session's coming transaction as one that writes; call it first thing.

    SQLite then takes its single write lock at BEGIN (waiting up to the busy timeout for
    another writer) rather than failing when a read turns into a write after a
    concurrent commit. The servers lock rows as they go and need nothing.
    """
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        session.connection(execution_options={WRITER_OPTION: True})


def begin_reading(session: Session) -> None:
    """Make the session's coming transaction one snapshot; call it first thing.

    A request reads its data stamp (the response cache's key) and then its answer; on the
    servers both come from one REPEATABLE READ transaction, so the answer is the data the
    stamp names (PostgreSQL's default, READ COMMITTED, takes a snapshot per statement).
    SQLite's transactions are snapshots already."""
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name in ("mysql", "postgresql"):
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def lock_park(session: Session, park_id: int) -> None:
    """Take turns with the other writers of one park's cycles and sums, first thing.

    Whoever adds cycles or rewrites a park's stored sums derives rows from what the
    others committed (running sums, spans, week and month sums), so they must not
    interleave. PostgreSQL's NO KEY UPDATE leaves foreign-key checks on the park free;
    MariaDB's FOR UPDATE makes them wait; SQLite's writers are one at a time already.
    """
    from hallofshame.db.models import Park

    session.execute(select(Park.id).where(Park.id == park_id).with_for_update(key_share=True))


def sqlite_setup(engine: Engine) -> None:
    """Make SQLite behave like the servers: foreign keys, real transactions, savepoints."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that reads first and writes later cannot take the write lock once
        # another writer has committed since its read (WAL: "database is locked" at once,
        # no busy wait). Writers say so up front and queue for the lock instead.
        writer = conn.get_execution_options().get(WRITER_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows with one DBAPI ``executemany``.

    The statement is compiled by SQLAlchemy and every value goes through the column's own
    bind processor (so instants are stored exactly as the ORM stores them); only the
    per-row bookkeeping of the ORM is skipped, which is most of the cost at millions of
    rows.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    names = compiled.positiontup or list(compiled.params)
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    if dialect.name == "mysql" and len(rows) >= LOAD_DATA_ROWS:
        # Straight to the stream's text, one formatter per column (no tuple per row first).
        formats = [
            _tsv_column(table.c[name], proc) for name, proc in zip(names, processors, strict=True)
        ]
        pairs = list(zip(names, formats, strict=True))
        lines = ["\t".join([f(row[n]) for n, f in pairs]) + "\n" for row in rows]
        raw = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            _load_data(raw, table.name, names, lines)
        finally:
            raw.close()
        return
    params = [
        tuple(
            proc(row[name]) if proc else row[name]
            for name, proc in zip(names, processors, strict=True)
        )
        for row in rows
    ]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if dialect.name == "postgresql" and len(params) >= LOAD_DATA_ROWS:
            columns = ", ".join(f'"{n}"' for n in names)
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for values in params:
                    copy.write_row(values)
            return
        if not compiled.positional:
            params = [dict(zip(names, values, strict=True)) for values in params]  # type: ignore[misc]
        cursor.executemany(str(compiled), params)
    finally:
        cursor.close()


#: From this many rows (about a day of a park's archive events) MariaDB gets them as one
#: LOAD DATA stream and PostgreSQL as one COPY instead of INSERTs: the drivers handle every
#: value of an INSERT in Python (a third of an archive import's time). Constraints hold as
#: for an INSERT (``_load_data``).
LOAD_DATA_ROWS = 1000

_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"})


def _tsv(value: Any) -> str:
    """One value as LOAD DATA reads it (tab-separated, backslash escapes, \\N for NULL)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).translate(_TSV_ESCAPES)


def _tsv_column(column: Any, proc: Any) -> Any:
    """A column's values as LOAD DATA text: its bind processor's result, formatted by
    the column's type (one call per value, not a chain of type tests)."""
    try:
        # A decorated type (UTCDateTime) reports ``object``: its implementation says.
        kind = getattr(column.type, "impl_instance", column.type).python_type
    except NotImplementedError:
        kind = None
    fmt: Any = {
        bool: lambda v: "1" if v else "0",
        int: str,
        str: lambda v: v.translate(_TSV_ESCAPES),
        datetime: lambda v: v.isoformat(sep=" "),
        date: date.isoformat,
    }.get(kind, _tsv)
    if proc is None:
        return lambda value: "\\N" if value is None else fmt(value)
    if kind is datetime:
        # Every observation of a cycle carries the cycle's instant: each distinct instant
        # is converted and formatted once (a sixth of an archive import's time otherwise).
        memo: dict[datetime, str] = {}

        def instant(value: datetime | None) -> str:
            if value is None:
                return "\\N"
            text_ = memo.get(value)
            if text_ is None:
                text_ = memo[value] = fmt(proc(value))
            return text_

        return instant
    return lambda value: "\\N" if value is None else fmt(proc(value))


def _load_data(cursor: Any, table: str, names: Sequence[str], lines: Sequence[str]) -> None:
    """Rows (as LOAD DATA lines) into a MariaDB table, in the caller's transaction.

    LOAD DATA LOCAL turns what an INSERT refuses (a duplicate key, a failed check or
    foreign key) into warnings, as the server cannot stop the client mid-stream; any
    warning is therefore raised as the error it stands for, and the transaction rolls back.
    """
    import pymysql

    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".tsv") as handle:
        handle.writelines(lines)
        handle.flush()
        path = handle.name.replace("\\", "/").replace("'", "")
        columns = ", ".join(f"`{n}`" for n in names)
        cursor.execute(
            f"LOAD DATA LOCAL INFILE '{path}' INTO TABLE `{table}` CHARACTER SET utf8mb4 "
            f"FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ({columns})"
        )
        result = getattr(cursor, "_result", None)
        if not getattr(result, "warning_count", 1):
            return
        cursor.execute("SHOW WARNINGS LIMIT 5")
        warnings = cursor.fetchall()
        if warnings:
            raise pymysql.err.IntegrityError(
                warnings[0][1], f"LOAD DATA into {table}: " + "; ".join(str(w[2]) for w in warnings)
            )


def refresh_statistics(session: Session, tables: Sequence[Table]) -> None:
    """Refresh the planner's statistics after a bulk load.

    InnoDB keeps the statistics it took while a table was nearly empty; after millions
    of bulk-inserted rows its plans then scan every observation (seen: 26 s → 1.7 s for a
    day of 48 parks once analysed). The other databases benefit too.
    """
    kind = session.get_bind().dialect.name
    for table in tables:
        name = _quoted(table.name)
        if kind == "mysql":
            session.execute(text(f"ANALYZE TABLE `{name}`"))
        else:  # PostgreSQL and SQLite spell it the same way
            session.execute(text(f'ANALYZE "{name}"'))


def table_bytes(session: Session, name: str) -> int:
    """Bytes a table takes on disk with its indexes, in the database's own accounting
    (0 on SQLite, which keeps no per-table figure without an optional extension)."""
    kind = session.get_bind().dialect.name
    if kind == "mysql":
        stmt = text(
            "SELECT data_length + index_length FROM information_schema.tables"
            " WHERE table_schema = DATABASE() AND table_name = :name"
        )
    elif kind == "postgresql":
        stmt = text("SELECT pg_total_relation_size(CAST(:name AS regclass))")
    else:
        return 0
    return int(session.scalar(stmt, {"name": _quoted(name)}) or 0)


def explain(conn: Connection, statement: str, parameters: Any, *, index_paths: bool = False) -> Any:
    """The plan the database chooses for ``statement`` (as the driver received it): the
    server's JSON document on MariaDB and PostgreSQL, the list of ``EXPLAIN QUERY PLAN``
    detail lines (``SEARCH observations USING …`` / ``SCAN …``) on SQLite.

    ``index_paths`` asks PostgreSQL for its plan with sequential scans priced out, i.e.
    whether an index can serve each table at all: on a small table its cost model rightly
    prefers a sequential scan, which says nothing about the large one in production.
    """
    import json

    kind = conn.dialect.name
    if kind == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return [row[-1] for row in rows]
    if kind == "postgresql" and index_paths:
        with conn.begin():
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            return conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    prefix = "EXPLAIN FORMAT=JSON " if kind == "mysql" else "EXPLAIN (FORMAT JSON) "
    plan = conn.exec_driver_sql(prefix + statement, parameters).scalar()
    return json.loads(plan) if isinstance(plan, str) else plan


def replace_range_isolation(session: Session) -> None:
    """Start a delete-and-insert job's transaction at READ COMMITTED on MariaDB.

    Under InnoDB's default REPEATABLE READ the range deletes take gap locks that make two
    workers writing different parks deadlock on the shared rollup indexes; READ COMMITTED
    takes none, and the job needs no repeatable snapshot (each transaction rewrites rows
    from data that is not changing). PostgreSQL is at READ COMMITTED already; SQLite has
    one writer, taken at BEGIN (``begin_writing``). Call it before the transaction's
    first statement.
    """
    bind = session.get_bind()
    # A session on a connection someone else opened (and may be in a transaction on)
    # keeps that connection's level.
    if isinstance(bind, Engine) and bind.dialect.name == "mysql":
        session.connection(execution_options={"isolation_level": "READ COMMITTED"})
    begin_writing(session)


def parallel_writers(bind: Engine | Connection, wanted: int) -> int:
    """How many sessions may write at once: SQLite has one writer, the servers many.

    Sessions bound to one given connection (a request's, a test's) share it: one.
    """
    if isinstance(bind, Connection) or backend(bind) == "sqlite":
        return 1
    return max(1, wanted)


#: Driver error codes that mean "another transaction wrote the same rows first": MariaDB
#: deadlock, lock-wait timeout and duplicate key; PostgreSQL deadlock, serialization
#: failure and unique violation (under READ COMMITTED a concurrent delete-and-insert of
#: the same rows surfaces as a duplicate key); SQLite busy (5) and busy-snapshot (517), a
#: reader that tried to write after another writer committed.
_CONFLICTS = {1213, 1205, 1062, "40P01", "40001", "23505", 5, 517}


def is_write_conflict(exc: BaseException) -> bool:
    """The database refused a transaction because a concurrent one wrote the same rows.

    Only for idempotent transactions (replace-a-range jobs): rerunning them whole is safe.
    """
    orig = getattr(exc, "orig", None)
    code = (
        getattr(orig, "sqlstate", None)
        or getattr(orig, "sqlite_errorcode", None)
        or (getattr(orig, "args", None) or (None,))[0]
    )
    return code in _CONFLICTS
