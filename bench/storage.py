"""What the data weighs: rows, bytes and bytes per row of each table, and how fast the
raw data grows per park-day, on a dataset made by make_dataset.py.

    python bench/storage.py --url mysql+pymysql://root@127.0.0.1:3306/hos_bench_l

Bytes are the database's own accounting after ANALYZE: InnoDB data + index length on
MariaDB, ``pg_total_relation_size`` (heap, indexes, TOAST) on PostgreSQL. SQLite is not
measured (it is the one-machine demo store).
"""

from __future__ import annotations

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    os.environ["HOS_DATABASE_URL"] = args.url

    from sqlalchemy import func, select

    from hallofshame.db.dialects import backend, refresh_statistics, table_bytes
    from hallofshame.db.engine import get_engine, session_factory
    from hallofshame.db.models import Base, Cycle, Observation

    engine = get_engine()
    kind = backend(engine)
    with session_factory()() as session:
        tables = list(Base.metadata.sorted_tables)
        refresh_statistics(session, tables)
        session.commit()
        print(f"database: {kind} {args.url.split('@')[-1]}")
        print(f"{'table':<22}{'rows':>12}{'MiB':>10}{'bytes/row':>11}")
        for table in tables:
            rows = session.scalar(select(func.count()).select_from(table)) or 0
            size = table_bytes(session, table.name)
            per_row = f"{size / rows:11.0f}" if rows else f"{'-':>11}"
            print(f"{table.name:<22}{rows:>12}{size / 2**20:>10.1f}{per_row}")
        pairs = select(Cycle.park_id, Cycle.local_day).distinct().subquery()
        park_days = session.scalar(select(func.count()).select_from(pairs))
        cycles = session.scalar(select(func.count()).select_from(Cycle)) or 0
        obs = session.scalar(select(func.count()).select_from(Observation)) or 0
        if park_days:
            print(
                f"park-days with cycles: {park_days}; per park-day: "
                f"{cycles / park_days:.0f} cycles, {obs / park_days:.0f} observations"
            )


if __name__ == "__main__":
    main()
