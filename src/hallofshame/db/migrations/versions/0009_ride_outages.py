"""outages of rolled-up days

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 00:40:00

A ride's recovery curve (METRICS.md §8) rests on its outages of the last 90 days; read
from raw, that is 90 days of its park's cycles per ride. The daily rollup now stores the
outages that started on the days it rolls up (``ride_outages``) and says so on the
park-day (``park_day_rollups.outages``). Days rolled up before this revision say false,
so their outages keep being read from raw until they are recomputed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ride_outages",
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("first_ts", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("started_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_ts", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('reopened','park_closed','ongoing')",
            name=op.f("ck_ride_outages_outcome"),
        ),
        sa.CheckConstraint(
            "kind IN ('breakdown','opening_delay')", name=op.f("ck_ride_outages_kind")
        ),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_ride_outages_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.id"], name=op.f("fk_ride_outages_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint(
            "ride_id", "metrics_version", "first_ts", name=op.f("pk_ride_outages")
        ),
    )
    op.create_index(
        op.f("ix_ride_outages_park_id_local_date_metrics_version"),
        "ride_outages",
        ["park_id", "local_date", "metrics_version"],
        unique=False,
    )
    with op.batch_alter_table("park_day_rollups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("outages", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("park_day_rollups", schema=None) as batch_op:
        batch_op.drop_column("outages")
    # The table's indexes go with it (MariaDB refuses to drop one a foreign key uses).
    op.drop_table("ride_outages")
