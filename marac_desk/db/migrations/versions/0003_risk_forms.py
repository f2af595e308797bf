"""Schema version 3: risk form definitions kept in the store (loaded by a partnership, or a
shipped form kept as it was when an assessment first used it).

Revision ID: 0003_risk_forms
Revises: 0002_person_matching
Create Date: 2026-11-22 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_risk_forms"
down_revision: str | None = "0002_person_matching"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=60), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.Column("loaded_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["loaded_by_user_id"],
            ["user_profiles.id"],
            name=op.f("fk_risk_forms_loaded_by_user_id_user_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_forms")),
        sa.UniqueConstraint("form_id", "version", name=op.f("uq_risk_forms_form_id")),
    )


def downgrade() -> None:
    op.drop_table("risk_forms")
