"""rollups keep the time observed: ride observed seconds, park cycle span

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 04:36:00

A complete day's buckets of a daily series are read from the rollups, which needs the
time each ride was seen and the park's whole recorded time. Rows rolled up before this
revision keep NULL (unknown): their days are read from raw observations while those
exist, and a recompute of the range fills them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ride_day_rollups", sa.Column("observed_s", sa.BigInteger(), nullable=True))
    op.add_column("park_day_rollups", sa.Column("span_s", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column("park_day_rollups", "span_s")
    op.drop_column("ride_day_rollups", "observed_s")
