"""weather: hourly observations and forecasts per park

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weather_forecasts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("forecast_for", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("precipitation_mm", sa.Float(), nullable=True),
        sa.Column("weather_code", sa.Integer(), nullable=True),
        sa.Column("wind_kmh", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_weather_forecasts_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weather_forecasts")),
        sa.UniqueConstraint(
            "park_id",
            "issued_at",
            "forecast_for",
            name=op.f("uq_weather_forecasts_park_id_issued_at_forecast_for"),
        ),
    )
    op.create_table(
        "weather_observations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("precipitation_mm", sa.Float(), nullable=True),
        sa.Column("weather_code", sa.Integer(), nullable=True),
        sa.Column("wind_kmh", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_weather_observations_park_id_parks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weather_observations")),
        sa.UniqueConstraint(
            "park_id", "observed_at", name=op.f("uq_weather_observations_park_id_observed_at")
        ),
    )


def downgrade() -> None:
    op.drop_table("weather_forecasts")
    op.drop_table("weather_observations")
