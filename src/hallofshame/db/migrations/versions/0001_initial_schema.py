"""initial schema: catalog, cycles, observations, schedules, rollups, quality, jobs

Revision ID: 0001
Revises:
Create Date: 2026-11-27 21:59:38.402945
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("started_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("finished_at", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("message", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_runs_job_started_at"), ["job", "started_at"], unique=False
        )

    op.create_table(
        "parks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("wiki_id", sa.String(length=64), nullable=True),
        sa.Column("queue_times_id", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("operator", sa.String(length=120), nullable=True),
        sa.Column("is_disney", sa.Boolean(), nullable=False),
        sa.Column("is_universal", sa.Boolean(), nullable=False),
        sa.Column("reports_down", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parks")),
        sa.UniqueConstraint("queue_times_id", name=op.f("uq_parks_queue_times_id")),
        sa.UniqueConstraint("wiki_id", name=op.f("uq_parks_wiki_id")),
    )
    op.create_table(
        "tier_overrides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("upstream_ride_id", sa.String(length=64), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "source IN ('themeparks.wiki','queue-times')", name=op.f("ck_tier_overrides_source")
        ),
        sa.CheckConstraint("tier IN (1, 2, 3)", name=op.f("ck_tier_overrides_tier_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_overrides")),
        sa.UniqueConstraint(
            "source", "upstream_ride_id", name=op.f("uq_tier_overrides_source_upstream_ride_id")
        ),
    )
    op.create_table(
        "cycles",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("ts", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("span_s", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("local_day", sa.Integer(), nullable=False),
        sa.Column("park_open", sa.Boolean(), nullable=False),
        sa.Column("open_basis", sa.String(length=16), nullable=False),
        sa.Column("rides_seen", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "source IN ('themeparks.wiki','queue-times')", name=op.f("ck_cycles_source")
        ),
        sa.CheckConstraint("span_s > 0", name=op.f("ck_cycles_span_positive")),
        sa.ForeignKeyConstraint(["park_id"], ["parks.id"], name=op.f("fk_cycles_park_id_parks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycles")),
        sa.UniqueConstraint("id", "park_id", "ts", name=op.f("uq_cycles_id_park_id_ts")),
        sa.UniqueConstraint("park_id", "ts", name=op.f("uq_cycles_park_id_ts")),
    )
    with op.batch_alter_table("cycles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cycles_park_id_local_day"), ["park_id", "local_day"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_cycles_ts"), ["ts"], unique=False)

    op.create_table(
        "data_quality_issues",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("detected_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=True),
        sa.Column("upstream_park_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("sample", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_data_quality_issues_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_quality_issues")),
        sa.UniqueConstraint(
            "source",
            "upstream_park_id",
            "kind",
            "detected_at",
            name=op.f("uq_data_quality_issues_source_upstream_park_id_kind_detected_at"),
        ),
    )
    with op.batch_alter_table("data_quality_issues", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_quality_issues_detected_at"), ["detected_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_data_quality_issues_park_id_detected_at"),
            ["park_id", "detected_at"],
            unique=False,
        )

    op.create_table(
        "park_day_rollups",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("open_s", sa.BigInteger(), nullable=False),
        sa.Column("cycles", sa.Integer(), nullable=False),
        sa.Column("weighted_down_s", sa.BigInteger(), nullable=False),
        sa.Column("weighted_capacity_s", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_park_day_rollups_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_park_day_rollups")),
        sa.UniqueConstraint(
            "park_id",
            "local_date",
            "metrics_version",
            name=op.f("uq_park_day_rollups_park_id_local_date_metrics_version"),
        ),
    )
    op.create_table(
        "rides",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("land", sa.String(length=120), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("wiki_id", sa.String(length=64), nullable=True),
        sa.Column("queue_times_id", sa.Integer(), nullable=True),
        sa.Column("tier", sa.SmallInteger(), nullable=True),
        sa.Column("tier_source", sa.String(length=16), nullable=False),
        sa.Column("tier_reason", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "tier_source IN ('manual','rule','default')", name=op.f("ck_rides_tier_source")
        ),
        sa.CheckConstraint("tier IS NULL OR tier IN (1, 2, 3)", name=op.f("ck_rides_tier_range")),
        sa.ForeignKeyConstraint(["park_id"], ["parks.id"], name=op.f("fk_rides_park_id_parks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rides")),
        sa.UniqueConstraint("id", "park_id", name=op.f("uq_rides_id_park_id")),
        sa.UniqueConstraint(
            "park_id", "queue_times_id", name=op.f("uq_rides_park_id_queue_times_id")
        ),
        sa.UniqueConstraint("park_id", "wiki_id", name=op.f("uq_rides_park_id_wiki_id")),
    )
    with op.batch_alter_table("rides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rides_park_id_category_active"),
            ["park_id", "category", "active"],
            unique=False,
        )

    op.create_table(
        "schedule_days",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("fetched_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_schedule_days_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("park_id", "local_date", name=op.f("pk_schedule_days")),
    )
    op.create_table(
        "schedule_windows",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("window_type", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("opening_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("closing_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "closing_at > opening_at", name=op.f("ck_schedule_windows_window_order")
        ),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_schedule_windows_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_windows")),
    )
    with op.batch_alter_table("schedule_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_windows_park_id_local_date"),
            ["park_id", "local_date"],
            unique=False,
        )

    op.create_table(
        "observations",
        sa.Column("cycle_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("ts", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raw_status", sa.String(length=32), nullable=True),
        sa.Column("wait_minutes", sa.Integer(), nullable=True),
        sa.Column("last_updated", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('OPERATING','DOWN','CLOSED','REFURBISHMENT','UNKNOWN')",
            name=op.f("ck_observations_status"),
        ),
        sa.CheckConstraint(
            "wait_minutes IS NULL OR wait_minutes >= 0", name=op.f("ck_observations_wait_nonneg")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id", "park_id", "ts"],
            ["cycles.id", "cycles.park_id", "cycles.ts"],
            name=op.f("fk_observations_cycle_id_park_id_ts_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ride_id", "park_id"],
            ["rides.id", "rides.park_id"],
            name=op.f("fk_observations_ride_id_park_id_rides"),
        ),
        sa.PrimaryKeyConstraint("cycle_id", "ride_id", name=op.f("pk_observations")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observations_ride_id_ts"), ["ride_id", "ts"], unique=False
        )

    op.create_table(
        "operated_days",
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Integer(), nullable=False),
        sa.Column("first_operated_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.id"], name=op.f("fk_operated_days_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint("ride_id", "local_day", name=op.f("pk_operated_days")),
    )
    op.create_table(
        "ride_day_rollups",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("up_s", sa.BigInteger(), nullable=False),
        sa.Column("down_s", sa.BigInteger(), nullable=False),
        sa.Column("capacity_s", sa.BigInteger(), nullable=False),
        sa.Column("wait_sum", sa.BigInteger(), nullable=False),
        sa.Column("wait_n", sa.Integer(), nullable=False),
        sa.Column("wait_max", sa.Integer(), nullable=True),
        sa.Column("operated", sa.Boolean(), nullable=False),
        sa.Column("first_operated_at", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("longest_outage_s", sa.Integer(), nullable=True),
        sa.Column("computed_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "down_s <= capacity_s", name=op.f("ck_ride_day_rollups_down_within_capacity")
        ),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_ride_day_rollups_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.id"], name=op.f("fk_ride_day_rollups_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ride_day_rollups")),
        sa.UniqueConstraint(
            "ride_id",
            "local_date",
            "metrics_version",
            name=op.f("uq_ride_day_rollups_ride_id_local_date_metrics_version"),
        ),
    )
    with op.batch_alter_table("ride_day_rollups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ride_day_rollups_park_id_local_date_metrics_version"),
            ["park_id", "local_date", "metrics_version"],
            unique=False,
        )


def downgrade() -> None:
    # Dropping a table drops its indexes; MariaDB refuses to drop an index a foreign key uses.
    op.drop_table("ride_day_rollups")
    op.drop_table("operated_days")
    op.drop_table("observations")
    op.drop_table("schedule_windows")
    op.drop_table("schedule_days")
    op.drop_table("rides")
    op.drop_table("park_day_rollups")
    op.drop_table("data_quality_issues")
    op.drop_table("cycles")
    op.drop_table("tier_overrides")
    op.drop_table("parks")
    op.drop_table("job_runs")
