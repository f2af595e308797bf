"""Schema version 6: the referral list's search index (`referral_search`: word tokens of the
names and references each referral can be found by; see db.referral_search). Existing
referrals get their tokens here, before the indexes are built.

Revision ID: 0006_referral_search
Revises: 0005_live_meeting
Create Date: 2026-11-22 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from marac_desk.db.referral_search import rebuild_all_referral_search

revision: str = "0006_referral_search"
down_revision: str | None = "0005_live_meeting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_search_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_search")),
    )
    rebuild_all_referral_search(op.get_bind())
    with op.batch_alter_table("referral_search", schema=None) as batch_op:
        batch_op.create_index("ix_referral_search_token", ["token", "referral_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referral_search_referral_id"), ["referral_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_search_referral_id"))
        batch_op.drop_index("ix_referral_search_token")
    op.drop_table("referral_search")
