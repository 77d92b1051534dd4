"""breakdown events (the webhooks' outbox), webhook subscriptions and deliveries

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:40:00

A live cycle that sees a breakdown start or end writes a ``breakdown_events`` row in its
own transaction; the webhook job fans each event out to the matching subscriptions
(``webhook_deliveries``, one per subscription and event) and POSTs them, logging every
POST in ``webhook_attempts``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("body_format", sa.String(length=16), nullable=False),
        sa.Column("max_tier", sa.SmallInteger(), nullable=True),
        sa.Column("min_duration_minutes", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("failing_since", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.Column("disabled_at", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.Column("disabled_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "body_format IN ('json','discord','slack')",
            name=op.f("ck_webhook_subscriptions_body_format"),
        ),
        sa.CheckConstraint(
            "max_tier IS NULL OR max_tier IN (1, 2, 3)",
            name=op.f("ck_webhook_subscriptions_max_tier"),
        ),
        sa.CheckConstraint(
            "min_duration_minutes >= 0", name=op.f("ck_webhook_subscriptions_min_duration")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_table(
        "webhook_subscription_parks",
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_webhook_subscription_parks_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_subscription_parks_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "subscription_id", "park_id", name=op.f("pk_webhook_subscription_parks")
        ),
    )
    op.create_table(
        "breakdown_events",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("event_key", sa.String(length=80), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("ride_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("episode_first_ts", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("occurred_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dispatched_at", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "event_type IN ('breakdown.started','breakdown.ended')",
            name=op.f("ck_breakdown_events_event_type"),
        ),
        sa.ForeignKeyConstraint(
            ["park_id"], ["parks.id"], name=op.f("fk_breakdown_events_park_id_parks")
        ),
        sa.ForeignKeyConstraint(
            ["ride_id", "park_id"],
            ["rides.id", "rides.park_id"],
            name=op.f("fk_breakdown_events_ride_id_park_id_rides"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakdown_events")),
        sa.UniqueConstraint("event_key", name=op.f("uq_breakdown_events_event_key")),
        sa.UniqueConstraint(
            "ride_id",
            "episode_first_ts",
            "event_type",
            name=op.f("uq_breakdown_events_ride_id_episode_first_ts_event_type"),
        ),
    )
    op.create_index(
        op.f("ix_breakdown_events_dispatched_at"), "breakdown_events", ["dispatched_at"]
    )
    op.create_index(
        op.f("ix_breakdown_events_park_id_episode_first_ts"),
        "breakdown_events",
        ["park_id", "episode_first_ts"],
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("event_id", BIGINT, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("last_attempt_at", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("delivered_at", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending','delivered')", name=op.f("ck_webhook_deliveries_state")
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_webhook_deliveries_attempts_nonneg")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["breakdown_events.id"],
            name=op.f("fk_webhook_deliveries_event_id_breakdown_events"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "subscription_id",
            "event_id",
            name=op.f("uq_webhook_deliveries_subscription_id_event_id"),
        ),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_state_next_attempt_at"),
        "webhook_deliveries",
        ["state", "next_attempt_at"],
    )
    op.create_table(
        "webhook_attempts",
        sa.Column("id", BIGINT, autoincrement=True, nullable=False),
        sa.Column("delivery_id", BIGINT, nullable=False),
        sa.Column("delivery_uuid", sa.String(length=36), nullable=False),
        sa.Column("attempted_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_id_webhook_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
        sa.UniqueConstraint("delivery_uuid", name=op.f("uq_webhook_attempts_delivery_uuid")),
    )
    op.create_index(
        op.f("ix_webhook_attempts_delivery_id_attempted_at"),
        "webhook_attempts",
        ["delivery_id", "attempted_at"],
    )


def downgrade() -> None:
    # Indexes go with their tables (MariaDB refuses to drop one a foreign key uses).
    for name in (
        "webhook_attempts",
        "webhook_deliveries",
        "breakdown_events",
        "webhook_subscription_parks",
        "webhook_subscriptions",
    ):
        op.drop_table(name)
