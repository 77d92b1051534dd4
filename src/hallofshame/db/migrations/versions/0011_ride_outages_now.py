"""the live listings' stay-or-go answers, computed after each collection

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:00:00

A listing of rides down now carries each one's stay-or-go figures (METRICS.md §8), which
rest on 90 days of the ride's outages. They are now computed once after each collection
for every ride down (``ride_outages_now``) and read by the listings while the data they
came from is still the data of the request; otherwise a listing computes them as before.
The table starts empty: the next collection fills it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ride_outages_now",
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("cycle_ts", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("as_of", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("facts_version", sa.Integer(), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("cap_s", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("chance", sa.Double(), nullable=True),
        sa.Column("oldest_started_at", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('breakdown','opening_delay')", name=op.f("ck_ride_outages_now_kind")
        ),
        sa.CheckConstraint(
            "chance >= 0 AND chance <= 1",
            name=op.f("ck_ride_outages_now_chance_is_a_probability"),
        ),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_ride_outages_now_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["ride_id"], ["rides.id"], name=op.f("fk_ride_outages_now_ride_id_rides")
        ),
        sa.PrimaryKeyConstraint("ride_id", name=op.f("pk_ride_outages_now")),
    )


def downgrade() -> None:
    op.drop_table("ride_outages_now")
