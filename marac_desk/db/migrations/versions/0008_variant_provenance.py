"""Schema version 8: where a person's aliases, alternative dates of birth and identifiers came
from (`referral_id`: the referral that named them so), and the identifiers each referral gave
(`referrals.victim_identifiers`, `referral_perpetrators.identifiers`), so relinking a referral to
another person takes along what it said and leaves nothing of it on the wrong person.

Rows from before this version have no provenance (NULL) and stay where they are. The three
tables are rebuilt with AUTOINCREMENT ids.

Revision ID: 0008_variant_provenance
Revises: 0007_person_identifiers
Create Date: 2026-12-07 23:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_variant_provenance"
down_revision: str | None = "0007_person_identifiers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VARIANT_TABLES = ("person_aliases", "person_dobs", "person_identifiers")


def upgrade() -> None:
    for table in _VARIANT_TABLES:
        # Rebuilt (for the foreign key) with AUTOINCREMENT: ids never reused, since a merge
        # record names the rows it added and a relink may now delete rows.
        with op.batch_alter_table(
            table, schema=None, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch_op:
            batch_op.add_column(sa.Column("referral_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_referral_id_referrals"),
                "referrals",
                ["referral_id"],
                ["id"],
                ondelete="SET NULL",
            )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "victim_identifiers", sa.String(length=400), nullable=False, server_default=""
            )
        )
    with op.batch_alter_table("referral_perpetrators", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("identifiers", sa.String(length=400), nullable=False, server_default="")
        )


def downgrade() -> None:
    # Not a rebuild: dropping the referrals table to rebuild it would cascade to the rows that
    # hang off it (SQLite 3.35 drops a plain column in place).
    op.execute("ALTER TABLE referral_perpetrators DROP COLUMN identifiers")
    op.execute("ALTER TABLE referrals DROP COLUMN victim_identifiers")
    for table in reversed(_VARIANT_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_referral_id_referrals", type_="foreignkey")
            batch_op.drop_column("referral_id")
