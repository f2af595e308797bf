"""Schema version 5: the live meeting and minutes — what each agency shared (fact or opinion),
research returns per agency, risks to children, others and professionals beside the risks to
the victim, the case timer, moved meetings and any other business, the meeting at which an
outstanding action was reviewed, issued versions of the minutes, and the actions index extended
by the referral (the quarterly report's per-panel overdue count), and an index giving each
referral's newest risk assessment and review date without reading the assessment rows.

Revision ID: 0005_live_meeting
Revises: 0004_list_indexes
Create Date: 2026-11-22 02:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_live_meeting"
down_revision: str | None = "0004_list_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("original_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("any_other_business", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("meeting_cases", schema=None) as batch_op:
        for name in ("risks_to_children", "risks_to_others", "risks_to_professionals"):
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("elapsed_seconds", sa.Integer(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_status_due_owner")
        batch_op.create_index(
            "ix_actions_status_due_owner", ["status", "due_date", "owner_agency_id", "referral_id"]
        )

    op.create_index(
        "ix_risk_assessments_newest",
        "risk_assessments",
        ["referral_id", "assessed_on", "id", "review_due"],
    )

    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("previous_due_date", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_action_updates_meeting_id"), ["meeting_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_action_updates_meeting_id_meetings"), "meetings", ["meeting_id"], ["id"]
        )

    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_notes_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_case_id"],
            ["meeting_cases.id"],
            name=op.f("fk_case_notes_meeting_case_id_meeting_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    op.create_index(op.f("ix_case_notes_meeting_case_id"), "case_notes", ["meeting_case_id"])

    op.create_table(
        "case_research",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_case_research_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_case_id"],
            ["meeting_cases.id"],
            name=op.f("fk_case_research_meeting_case_id_meeting_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_research")),
        sa.UniqueConstraint(
            "meeting_case_id", "agency_id", name=op.f("uq_case_research_meeting_case_id")
        ),
    )
    op.create_index(op.f("ix_case_research_meeting_case_id"), "case_research", ["meeting_case_id"])

    op.create_table(
        "minutes_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_minutes_versions_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_versions")),
        sa.UniqueConstraint("meeting_id", "version", name=op.f("uq_minutes_versions_meeting_id")),
    )
    op.create_index(op.f("ix_minutes_versions_meeting_id"), "minutes_versions", ["meeting_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_minutes_versions_meeting_id"), table_name="minutes_versions")
    op.drop_table("minutes_versions")
    op.drop_index(op.f("ix_case_research_meeting_case_id"), table_name="case_research")
    op.drop_table("case_research")
    op.drop_index(op.f("ix_case_notes_meeting_case_id"), table_name="case_notes")
    op.drop_table("case_notes")
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_action_updates_meeting_id_meetings"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_action_updates_meeting_id"))
        batch_op.drop_column("previous_due_date")
        batch_op.drop_column("meeting_id")
    with op.batch_alter_table("meeting_cases", schema=None) as batch_op:
        for name in ("elapsed_seconds", "risks_to_professionals", "risks_to_others"):
            batch_op.drop_column(name)
        batch_op.drop_column("risks_to_children")
    op.drop_index("ix_risk_assessments_newest", table_name="risk_assessments")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_status_due_owner")
        batch_op.create_index(
            "ix_actions_status_due_owner", ["status", "due_date", "owner_agency_id"]
        )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("any_other_business")
        batch_op.drop_column("original_date")
