"""running sums of today

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:40:50.809561
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "park_day_running",
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("open_s", sa.BigInteger(), nullable=False),
        sa.Column("cycles", sa.Integer(), nullable=False),
        sa.Column("last_ts", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_park_day_running_park_id_parks")
        ),
        sa.PrimaryKeyConstraint(
            "park_id", "local_date", "metrics_version", name=op.f("pk_park_day_running")
        ),
    )
    op.create_table(
        "ride_day_running",
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("up_s", sa.BigInteger(), nullable=False),
        sa.Column("down_s", sa.BigInteger(), nullable=False),
        sa.Column("capacity_s", sa.BigInteger(), nullable=False),
        sa.Column("wait_sum", sa.BigInteger(), nullable=False),
        sa.Column("wait_n", sa.Integer(), nullable=False),
        sa.Column("wait_max", sa.Integer(), nullable=True),
        sa.Column("episodes", sa.Integer(), nullable=False),
        sa.Column("longest_outage_s", sa.Integer(), nullable=True),
        sa.Column("open_episode_s", sa.Integer(), nullable=True),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_ride_day_running_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.id"], name=op.f("fk_ride_day_running_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint(
            "ride_id", "local_date", "metrics_version", name=op.f("pk_ride_day_running")
        ),
    )
    with op.batch_alter_table("ride_day_running", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ride_day_running_park_id_local_date_metrics_version"),
            ["park_id", "local_date", "metrics_version"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("ride_day_running")
    op.drop_table("park_day_running")
