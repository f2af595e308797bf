"""Schema version 4: indexes for sorting the referral list (victim name, risk score, status
and date) and for the dashboard's overdue-actions and repeat counts on large stores.

Revision ID: 0004_list_indexes
Revises: 0003_risk_forms
Create Date: 2026-11-22 01:19:59.720803
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004_list_indexes"
down_revision: str | None = "0003_risk_forms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        # Single-column indexes that the composite ones below begin with: kept, they only cost.
        batch_op.drop_index("ix_actions_status")
        batch_op.create_index(
            "ix_actions_status_due_owner", ["status", "due_date", "owner_agency_id"], unique=False
        )

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_panel_id")
        batch_op.drop_index("ix_referrals_referral_date")
        batch_op.drop_index("ix_referrals_status")
        batch_op.create_index(
            "ix_referrals_date_repeat",
            ["referral_date", "is_repeat", "repeat_override"],
            unique=False,
        )
        batch_op.create_index("ix_referrals_risk_score", ["risk_score"], unique=False)
        batch_op.create_index("ix_referrals_status_date", ["status", "referral_date"], unique=False)
        batch_op.create_index(
            "ix_referrals_victim_last_name", ["victim_last_name", "victim_first_name"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_victim_last_name")
        batch_op.drop_index("ix_referrals_status_date")
        batch_op.drop_index("ix_referrals_risk_score")
        batch_op.drop_index("ix_referrals_date_repeat")
        batch_op.create_index("ix_referrals_status", ["status"], unique=False)
        batch_op.create_index("ix_referrals_referral_date", ["referral_date"], unique=False)
        batch_op.create_index("ix_referrals_panel_id", ["panel_id"], unique=False)

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_status_due_owner")
        batch_op.create_index("ix_actions_status", ["status"], unique=False)
