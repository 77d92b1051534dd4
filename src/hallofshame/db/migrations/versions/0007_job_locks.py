"""job locks, and queued jobs' parameters and progress

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:12:31

"One run of a job at a time" was a check for a running row in ``job_runs`` followed by an
insert, which two processes could both pass. A job now takes its row in ``job_locks``
(the primary key lets one holder in, on every database) and gives it back when done; a
row whose heartbeat went stale may be taken over. ``job_runs`` keeps the record of every
run, and for a queued job (a recompute asked for over the API) its parameters and
progress.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=True),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("acquired_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_locks")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("params", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("progress", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_column("progress")
        batch_op.drop_column("params")
    op.drop_table("job_locks")
