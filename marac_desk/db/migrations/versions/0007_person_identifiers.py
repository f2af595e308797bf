"""Schema version 7: agencies' identifiers for people (`person_identifiers`: NHS numbers and
agency person ids, normalised by core.identifiers), compared by matching, with an `i:` key per
identifier in `person_keys`; and every person's spellings as `g:` / `f:` keys, so intake can
count how many people go by a spelling (`core.matching.NameCounts`). Keys are rebuilt here.

Revision ID: 0007_person_identifiers
Revises: 0006_referral_search
Create Date: 2026-12-07 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from marac_desk.db.person_keys import rebuild_all_person_keys

revision: str = "0007_person_identifiers"
down_revision: str | None = "0006_referral_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_identifiers_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_identifiers")),
        sa.UniqueConstraint(
            "person_id", "identifier", name=op.f("uq_person_identifiers_person_id")
        ),
    )
    op.create_index(op.f("ix_person_identifiers_person_id"), "person_identifiers", ["person_id"])
    op.create_index(op.f("ix_person_identifiers_identifier"), "person_identifiers", ["identifier"])
    rebuild_all_person_keys(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_person_identifiers_identifier"), table_name="person_identifiers")
    op.drop_index(op.f("ix_person_identifiers_person_id"), table_name="person_identifiers")
    op.drop_table("person_identifiers")
