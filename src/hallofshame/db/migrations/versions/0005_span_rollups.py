"""week and month sums of the daily rollups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 14:36:48

A month's ranking summed ~47,000 ride-day rows for 48 parks; a Sunday–Saturday week and a
calendar month are now also kept summed (``domain.spans``), written with their days. The
tables start empty: until a recompute of the range (``hallofshame rollup --from … --to
…``) fills them, periods read the days themselves and get the same figures.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "park_span_rollups",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("open_s", sa.BigInteger(), nullable=False),
        sa.Column("cycles", sa.Integer(), nullable=False),
        sa.Column("span_s", sa.BigInteger(), nullable=True),
        sa.Column("computed_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("days > 0", name=op.f("ck_park_span_rollups_days_positive")),
        sa.CheckConstraint("last_date >= first_date", name=op.f("ck_park_span_rollups_ordered")),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_park_span_rollups_park_id_parks")
        ),
        sa.PrimaryKeyConstraint(
            "park_id",
            "first_date",
            "last_date",
            "metrics_version",
            name=op.f("pk_park_span_rollups"),
        ),
    )
    op.create_table(
        "ride_span_rollups",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("up_s", sa.BigInteger(), nullable=False),
        sa.Column("down_s", sa.BigInteger(), nullable=False),
        sa.Column("capacity_s", sa.BigInteger(), nullable=False),
        sa.Column("wait_sum", sa.BigInteger(), nullable=False),
        sa.Column("wait_n", sa.Integer(), nullable=False),
        sa.Column("wait_max", sa.Integer(), nullable=True),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("longest_outage_s", sa.Integer(), nullable=True),
        sa.Column("observed_s", sa.BigInteger(), nullable=True),
        sa.Column("computed_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "down_s <= capacity_s", name=op.f("ck_ride_span_rollups_down_within_capacity")
        ),
        sa.CheckConstraint("last_date >= first_date", name=op.f("ck_ride_span_rollups_ordered")),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_ride_span_rollups_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.id"], name=op.f("fk_ride_span_rollups_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint(
            "park_id",
            "first_date",
            "last_date",
            "metrics_version",
            "ride_id",
            name=op.f("pk_ride_span_rollups"),
        ),
    )


def downgrade() -> None:
    op.drop_table("ride_span_rollups")
    op.drop_table("park_span_rollups")
