"""rankings kept ready: each standard period's ranking lists, stored after the data changed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 04:03:37

Every visitor of a ranking asks the same question until the data changes. The park and
ride rankings of each named period are now computed after a collection, a rollup or a
recompute and stored with what they were computed from (``ranking_answers``), each
listed item once with its place in every sort order (``ranking_rows``); a request reads
them while they still hold and computes otherwise. The tables start empty: the next
collection fills them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hallofshame.db.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ranking_answers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("list_name", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("metrics_version", sa.Integer(), nullable=False),
        sa.Column("facts_version", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.Column("cycle_id", sa.BigInteger(), nullable=False),
        sa.Column("as_of", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("valid_until", hallofshame.db.types.UTCDateTime(), nullable=False),
        sa.Column("window_end", hallofshame.db.types.UTCDateTime(), nullable=True),
        sa.Column("parks", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking_answers")),
        sa.UniqueConstraint(
            "list_name",
            "period",
            "metrics_version",
            name=op.f("uq_ranking_answers_list_name_period_metrics_version"),
        ),
    )
    op.create_table(
        "ranking_rows",
        sa.Column(
            "answer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("park_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("pos0", sa.Integer(), nullable=False),
        sa.Column("pos1", sa.Integer(), nullable=True),
        sa.Column("pos2", sa.Integer(), nullable=True),
        sa.Column("pos3", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["ranking_answers.id"],
            name=op.f("fk_ranking_rows_answer_id_ranking_answers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "entity_id", name=op.f("pk_ranking_rows")),
    )
    with op.batch_alter_table("ranking_rows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ranking_rows_answer_id_pos0"), ["answer_id", "pos0"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ranking_rows_answer_id_pos1"), ["answer_id", "pos1"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ranking_rows_answer_id_pos2"), ["answer_id", "pos2"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ranking_rows_answer_id_pos3"), ["answer_id", "pos3"], unique=False
        )
    with op.batch_alter_table("park_day_rollups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_park_day_rollups_computed_at"), ["computed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("park_day_rollups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_park_day_rollups_computed_at"))
    with op.batch_alter_table("ranking_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ranking_rows_answer_id_pos3"))
        batch_op.drop_index(batch_op.f("ix_ranking_rows_answer_id_pos2"))
        batch_op.drop_index(batch_op.f("ix_ranking_rows_answer_id_pos1"))
        batch_op.drop_index(batch_op.f("ix_ranking_rows_answer_id_pos0"))

    op.drop_table("ranking_rows")
    op.drop_table("ranking_answers")
