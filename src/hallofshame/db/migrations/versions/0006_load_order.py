"""data in any order: every schedule fetch kept, stale days, archive events, cycle origin

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:40:00

- ``schedule_days`` keeps every fetch (the key gains ``fetched_at``): a cycle is decided
  by the latest fetch before it, so a fetch loaded late must not replace a later one.
- ``stale_days``: park-days whose stored sums were dropped because older data arrived;
  the rollup job redoes them.
- ``pending_polls``: recorded polls of parks not known yet, recorded when the park is.
- ``archive_events``: the ThemeParks.wiki archive's log of changes, kept because the
  cycles it implies depend on every event loaded so far.
- ``data_versions``: bumped when stored facts change other than by a new latest cycle
  (late data, a tier change), so a cached answer never outlives them.
- ``cycles.origin``: live, replay, archive or simulated (existing rows: live).
- ``park_day_rollups`` loses its weighted sums: a period is weighed by each ride's current
  tier when it is read, so a stored weight could only go stale.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ORIGINS = "origin IN ('live','replay','archive','simulated')"


def _schedule_key(columns: list[str]) -> None:
    if op.get_bind().dialect.name == "mysql":
        # One statement: the park's foreign key needs an index the whole time.
        op.execute(
            f"ALTER TABLE schedule_days DROP PRIMARY KEY, ADD PRIMARY KEY ({', '.join(columns)})"
        )
        return
    with op.batch_alter_table("schedule_days", schema=None) as batch_op:
        batch_op.drop_constraint("pk_schedule_days", type_="primary")
        batch_op.create_primary_key("pk_schedule_days", columns)


def upgrade() -> None:
    _schedule_key(["park_id", "local_date", "fetched_at"])
    op.create_table(
        "stale_days",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("marked_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_stale_days_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("park_id", "local_date", name=op.f("pk_stale_days")),
    )
    op.create_table(
        "archive_events",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("event_time", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raw_status", sa.String(length=32), nullable=True),
        sa.Column("wait_minutes", sa.Integer(), nullable=True),
        sa.Column("has_standby", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('OPERATING','DOWN','CLOSED','REFURBISHMENT','UNKNOWN')",
            name=op.f("ck_archive_events_status"),
        ),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_archive_events_park_id_parks")
        ),
        sa.PrimaryKeyConstraint(
            "park_id", "entity_id", "event_time", name=op.f("pk_archive_events")
        ),
    )
    op.create_table(
        "pending_polls",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("upstream_park_id", sa.String(length=64), nullable=False),
        sa.Column("ts", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("source", "upstream_park_id", "ts", name=op.f("pk_pending_polls")),
    )
    versions = op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )
    op.bulk_insert(versions, [{"name": "facts", "version": 0}])
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=16), server_default="live", nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_cycles_origin"), ORIGINS)
        batch_op.create_index(batch_op.f("ix_cycles_origin_ts"), ["origin", "ts"], unique=False)
    with op.batch_alter_table("park_day_rollups", schema=None) as batch_op:
        batch_op.drop_column("weighted_down_s")
        batch_op.drop_column("weighted_capacity_s")


def downgrade() -> None:
    # The weighted sums come back as zeros: a recompute of the range fills them again.
    with op.batch_alter_table("park_day_rollups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("weighted_capacity_s", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("weighted_down_s", sa.BigInteger(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycles_origin_ts"))
        batch_op.drop_constraint(op.f("ck_cycles_origin"), type_="check")
        batch_op.drop_column("origin")
    op.drop_table("data_versions")
    op.drop_table("pending_polls")
    op.drop_table("archive_events")
    op.drop_table("stale_days")
    # Only the latest fetch of each date can stay under the old key.
    op.execute(
        "DELETE FROM schedule_days WHERE fetched_at < "
        "(SELECT latest FROM (SELECT MAX(s2.fetched_at) AS latest, s2.park_id, s2.local_date "
        "FROM schedule_days s2 GROUP BY s2.park_id, s2.local_date) m "
        "WHERE m.park_id = schedule_days.park_id AND m.local_date = schedule_days.local_date)"
    )
    op.execute(
        "DELETE FROM schedule_windows WHERE NOT EXISTS (SELECT 1 FROM schedule_days d "
        "WHERE d.park_id = schedule_windows.park_id AND d.local_date = schedule_windows.local_date "
        "AND d.fetched_at = schedule_windows.fetched_at)"
    )
    _schedule_key(["park_id", "local_date"])
