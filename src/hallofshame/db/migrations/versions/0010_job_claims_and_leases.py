"""due-time claims, and job locks as leases

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 09:00:00

Several schedulers may run against one database. Each scheduled job's due time is
claimed by inserting its row in ``job_claims`` (the primary key admits one scheduler per
job and due time), so a job runs once per due time whichever scheduler fires first.

A job lock now carries its lease's end (``job_locks.expires_at``), set by its holder from
the job's own cadence, so that a collection whose holder died is taken over at its next
due times rather than ten minutes later. Locks held during the upgrade keep the old rule:
their lease ends ten minutes after their last heartbeat.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

#: The old rule: a lock whose heartbeat was older than this was stale.
OLD_STALE_AFTER = timedelta(minutes=10)


def upgrade() -> None:
    op.create_table(
        "job_claims",
        sa.Column("job", sa.String(length=64), nullable=False),
        sa.Column("due_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("claimed_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("job", "due_at", name=op.f("pk_job_claims")),
    )
    with op.batch_alter_table("job_locks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("expires_at", hallofshame.db.types.UTCDateTime(), nullable=True)
        )
    locks = sa.table(
        "job_locks",
        sa.column("name", sa.String()),
        sa.column("heartbeat_at", hallofshame.db.types.UTCDateTime()),
        sa.column("expires_at", hallofshame.db.types.UTCDateTime()),
    )
    conn = op.get_bind()
    for name, beat in conn.execute(sa.select(locks.c.name, locks.c.heartbeat_at)).all():
        conn.execute(
            sa.update(locks).where(locks.c.name == name).values(expires_at=beat + OLD_STALE_AFTER)
        )
    with op.batch_alter_table("job_locks", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=hallofshame.db.types.UTCDateTime(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("job_locks", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    op.drop_table("job_claims")
