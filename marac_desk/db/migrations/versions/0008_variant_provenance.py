"""Schema version 8: where a person's aliases, alternative dates of birth and identifiers came
from (`referral_id`: the referral that named them so), and the identifiers each referral gave
(`referrals.victim_identifiers`, `referral_perpetrators.identifiers`), so relinking a referral to
another person takes along what it said and leaves nothing of it on the wrong person.

Older spelling aliases and alternative dates of birth are attributed to a referral of the
person that says them; other older rows (merge copies, identifiers) have no provenance (NULL)
and stay where they are. The three tables are rebuilt with AUTOINCREMENT ids.

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
    _attribute_what_referrals_say()
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


# The referral (lowest id) among a person's own, as victim or perpetrator, that wrote them with
# this alias's spelling / this date of birth. Any will do: a relink keeps a row another of
# their referrals also says, and hands it to that one.
_SAYS_ALIAS = """
    CASE WHEN {victim} IS NULL THEN {perp} WHEN {perp} IS NULL THEN {victim}
    ELSE min({victim}, {perp}) END
""".format(
    victim="(SELECT min(r.id) FROM referrals r WHERE r.victim_id = person_aliases.person_id "
    "AND r.victim_first_name = person_aliases.first_name "
    "AND r.victim_last_name = person_aliases.last_name)",
    perp="(SELECT min(p.referral_id) FROM referral_perpetrators p "
    "WHERE p.person_id = person_aliases.person_id AND p.first_name = person_aliases.first_name "
    "AND p.last_name = person_aliases.last_name)",
)
_SAYS_DOB = """
    CASE WHEN {victim} IS NULL THEN {perp} WHEN {perp} IS NULL THEN {victim}
    ELSE min({victim}, {perp}) END
""".format(
    victim="(SELECT min(r.id) FROM referrals r WHERE r.victim_id = person_dobs.person_id "
    "AND r.victim_dob = person_dobs.dob)",
    perp="(SELECT min(p.referral_id) FROM referral_perpetrators p "
    "WHERE p.person_id = person_dobs.person_id AND p.dob = person_dobs.dob)",
)


def _attribute_what_referrals_say() -> None:
    """Older rows came from referrals too: a spelling a linked referral used (kind
    "spelling"), an alternative date of birth. Where one of the person's referrals says it,
    that referral is recorded, so relinking it moves the row as it would a new one. Merge
    copies and identifiers (no referral kept them before) stay without."""
    op.execute(
        f"UPDATE person_aliases SET referral_id = {_SAYS_ALIAS} "
        "WHERE kind = 'spelling' AND referral_id IS NULL"
    )
    op.execute(f"UPDATE person_dobs SET referral_id = {_SAYS_DOB} WHERE referral_id IS NULL")


def downgrade() -> None:
    # Not a rebuild: dropping the referrals table to rebuild it would cascade to the rows that
    # hang off it (SQLite 3.35 drops a plain column in place).
    op.execute("ALTER TABLE referral_perpetrators DROP COLUMN identifiers")
    op.execute("ALTER TABLE referrals DROP COLUMN victim_identifiers")
    for table in reversed(_VARIANT_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_referral_id_referrals", type_="foreignkey")
            batch_op.drop_column("referral_id")
