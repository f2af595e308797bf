"""Schema version 2: person matching — blocking keys, the review list of possible duplicates,
reversible merges, and the referral fields intake and import need (children status, match
status, import fingerprint). Existing people get their keys computed here.

Revision ID: 0002_person_matching
Revises: 0001_schema_v1
Create Date: 2026-11-22 00:44:23.921288
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from marac_desk.db.person_keys import rebuild_all_person_keys

revision: str = "0002_person_matching"
down_revision: str | None = "0001_schema_v1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "match_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_a_id", sa.Integer(), nullable=False),
        sa.Column("person_b_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["user_profiles.id"],
            name=op.f("fk_match_reviews_decided_by_user_id_user_profiles"),
        ),
        sa.ForeignKeyConstraint(
            ["person_a_id"], ["people.id"], name=op.f("fk_match_reviews_person_a_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["person_b_id"], ["people.id"], name=op.f("fk_match_reviews_person_b_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_reviews")),
        sa.UniqueConstraint(
            "person_a_id", "person_b_id", name=op.f("uq_match_reviews_person_a_id")
        ),
    )
    with op.batch_alter_table("match_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_match_reviews_person_a_id"), ["person_a_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_match_reviews_person_b_id"), ["person_b_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_match_reviews_status"), ["status"], unique=False)

    op.create_table(
        "person_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_keys_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_keys")),
    )
    with op.batch_alter_table("person_keys", schema=None) as batch_op:
        batch_op.create_index("ix_person_keys_key", ["key", "person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_keys_person_id"), ["person_id"], unique=False)

    op.create_table(
        "person_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kept_id"], ["people.id"], name=op.f("fk_person_merges_kept_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["people.id"], name=op.f("fk_person_merges_merged_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_profiles.id"], name=op.f("fk_person_merges_user_id_user_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merges")),
    )
    with op.batch_alter_table("person_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_merges_kept_id"), ["kept_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_merges_merged_id"), ["merged_id"], unique=False)

    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "children_status", sa.String(length=12), nullable=False, server_default="not_known"
            )
        )
        batch_op.add_column(
            sa.Column("match_status", sa.String(length=10), nullable=False, server_default="new")
        )
        batch_op.add_column(sa.Column("import_fingerprint", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_referrals_import_fingerprint"), ["import_fingerprint"]
        )

    rebuild_all_person_keys(op.get_bind(), identifiers=False)  # their table comes in 0007


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_referrals_import_fingerprint"), type_="unique")
        batch_op.drop_column("import_fingerprint")
        batch_op.drop_column("match_status")
        batch_op.drop_column("children_status")

    with op.batch_alter_table("person_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_merges_merged_id"))
        batch_op.drop_index(batch_op.f("ix_person_merges_kept_id"))

    op.drop_table("person_merges")
    with op.batch_alter_table("person_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_keys_person_id"))
        batch_op.drop_index("ix_person_keys_key")

    op.drop_table("person_keys")
    with op.batch_alter_table("match_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_reviews_status"))
        batch_op.drop_index(batch_op.f("ix_match_reviews_person_b_id"))
        batch_op.drop_index(batch_op.f("ix_match_reviews_person_a_id"))

    op.drop_table("match_reviews")
