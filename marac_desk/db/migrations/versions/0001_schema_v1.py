"""Schema version 1: the foundation tables, the audit trail's append-only guard, and the
SafeLives referral-source agencies every new store starts with.

Revision ID: 0001_schema_v1
Revises:
Create Date: 2026-11-22 00:17:31.656504
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from marac_desk.core.agencies import REFERRAL_SOURCE_CATEGORIES

revision: str = "0001_schema_v1"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("middle_names", sa.String(length=200), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=False),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["people.id"], name=op.f("fk_people_merged_into_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_dob", ["dob"], unique=False)
        batch_op.create_index("ix_people_last_first", ["last_name", "first_name"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "user_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_user_profiles_name")),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_profiles.id"], name=op.f("fk_audit_events_user_id_user_profiles")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_entity"), ["entity"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "panels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("panel_type", sa.String(length=30), nullable=False),
        sa.Column("cadence", sa.String(length=40), nullable=False),
        sa.Column("default_time", sa.Time(), nullable=True),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("chair_agency_id", sa.Integer(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_agency_id"], ["agencies.id"], name=op.f("fk_panels_chair_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
        sa.UniqueConstraint("name", name=op.f("uq_panels_name")),
    )
    op.create_table(
        "person_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_aliases_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_aliases")),
    )
    with op.batch_alter_table("person_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_aliases_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "person_dobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("dob", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_dobs_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_dobs")),
    )
    with op.batch_alter_table("person_dobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_dobs_person_id"), ["person_id"], unique=False)

    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("venue", sa.String(length=200), nullable=False),
        sa.Column("chair", sa.String(length=120), nullable=False),
        sa.Column("minute_taker", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("confidentiality_read", sa.Boolean(), nullable=False),
        sa.Column("minutes_circulated_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_meetings_panel_id_panels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meetings_meeting_date"), ["meeting_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_meetings_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_ref", sa.String(length=40), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("referral_date", sa.Date(), nullable=False),
        sa.Column("referring_agency_id", sa.Integer(), nullable=False),
        sa.Column("joint_agency_id", sa.Integer(), nullable=True),
        sa.Column("referrer_name", sa.String(length=120), nullable=False),
        sa.Column("referrer_contact", sa.String(length=200), nullable=False),
        sa.Column("external_ref", sa.String(length=80), nullable=False),
        sa.Column("victim_id", sa.Integer(), nullable=False),
        sa.Column("victim_first_name", sa.String(length=120), nullable=False),
        sa.Column("victim_last_name", sa.String(length=120), nullable=False),
        sa.Column("victim_dob", sa.Date(), nullable=True),
        sa.Column("victim_gender", sa.String(length=20), nullable=False),
        sa.Column("victim_ethnicity", sa.String(length=60), nullable=False),
        sa.Column("victim_bame", sa.String(length=12), nullable=False),
        sa.Column("victim_lgbt", sa.String(length=12), nullable=False),
        sa.Column("victim_disability", sa.String(length=12), nullable=False),
        sa.Column("victim_mental_health", sa.String(length=12), nullable=False),
        sa.Column("victim_substance_misuse", sa.String(length=12), nullable=False),
        sa.Column("victim_pregnant", sa.String(length=12), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("safe_to_call", sa.String(length=12), nullable=False),
        sa.Column("safe_to_text", sa.String(length=12), nullable=False),
        sa.Column("safe_to_leave_message", sa.String(length=12), nullable=False),
        sa.Column("best_contact_time", sa.String(length=120), nullable=False),
        sa.Column("language", sa.String(length=60), nullable=False),
        sa.Column("interpreter_needed", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("others_feared", sa.Text(), nullable=False),
        sa.Column("victim_aware", sa.String(length=12), nullable=False),
        sa.Column("victim_consented", sa.String(length=12), nullable=False),
        sa.Column("no_consent_reason", sa.Text(), nullable=False),
        sa.Column("previous_marac_elsewhere", sa.String(length=12), nullable=False),
        sa.Column("crit_visible_high_risk", sa.Boolean(), nullable=False),
        sa.Column("crit_professional_judgement", sa.Boolean(), nullable=False),
        sa.Column("professional_judgement_reason", sa.Text(), nullable=False),
        sa.Column("crit_potential_escalation", sa.Boolean(), nullable=False),
        sa.Column("police_incidents_12m", sa.Integer(), nullable=True),
        sa.Column("crit_repeat", sa.Boolean(), nullable=False),
        sa.Column("risk_tool", sa.String(length=40), nullable=False),
        sa.Column("risk_score", sa.Integer(), nullable=True),
        sa.Column("risk_grade", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("status_decided_by", sa.String(length=120), nullable=False),
        sa.Column("is_repeat", sa.Boolean(), nullable=False),
        sa.Column("previous_referral_id", sa.Integer(), nullable=True),
        sa.Column("new_perpetrator_flag", sa.Boolean(), nullable=False),
        sa.Column("repeat_override", sa.Boolean(), nullable=True),
        sa.Column("repeat_override_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["joint_agency_id"], ["agencies.id"], name=op.f("fk_referrals_joint_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panels.id"], name=op.f("fk_referrals_panel_id_panels")
        ),
        sa.ForeignKeyConstraint(
            ["previous_referral_id"],
            ["referrals.id"],
            name=op.f("fk_referrals_previous_referral_id_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["referring_agency_id"],
            ["agencies.id"],
            name=op.f("fk_referrals_referring_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["victim_id"], ["people.id"], name=op.f("fk_referrals_victim_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("case_ref", name=op.f("uq_referrals_case_ref")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referrals_external_ref"), ["external_ref"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_is_repeat"), ["is_repeat"], unique=False)
        batch_op.create_index(
            "ix_referrals_panel_date", ["panel_id", "referral_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referrals_referral_date"), ["referral_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referrals_referring_agency_id"), ["referring_agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_victim_id"), ["victim_id"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("person_name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("information_sent", sa.Boolean(), nullable=False),
        sa.Column("information_sent_on", sa.Date(), nullable=True),
        sa.Column("statement_signed", sa.Boolean(), nullable=False),
        sa.Column("substitute_for", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_attendance_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_attendance_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "meeting_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("allotted_minutes", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("outcome_reason", sa.Text(), nullable=False),
        sa.Column("victim_voice", sa.Text(), nullable=False),
        sa.Column("risks_identified", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_meeting_cases_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_meeting_cases_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_cases")),
        sa.UniqueConstraint("meeting_id", "referral_id", name=op.f("uq_meeting_cases_meeting_id")),
    )
    with op.batch_alter_table("meeting_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_cases_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_cases_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "referral_children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("relationship_to_victim", sa.String(length=40), nullable=False),
        sa.Column("relationship_to_perpetrator", sa.String(length=40), nullable=False),
        sa.Column("school", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_referral_children_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_children_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_children")),
    )
    with op.batch_alter_table("referral_children", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_children_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "referral_perpetrators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=120), nullable=False),
        sa.Column("last_name", sa.String(length=120), nullable=False),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=False),
        sa.Column("relationship_to_victim", sa.String(length=30), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("mental_health", sa.String(length=12), nullable=False),
        sa.Column("substance_misuse", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_referral_perpetrators_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_perpetrators_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_perpetrators")),
    )
    with op.batch_alter_table("referral_perpetrators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_perpetrators_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_perpetrators_referral_id"), ["referral_id"], unique=False
        )

    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=60), nullable=False),
        sa.Column("form_version", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessor", sa.String(length=120), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("band", sa.String(length=20), nullable=False),
        sa.Column("judgement_band", sa.String(length=20), nullable=False),
        sa.Column("judgement_reason", sa.Text(), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_risk_assessments_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_assessments_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_risk_assessments_review_due"), ["review_due"], unique=False
        )

    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("meeting_case_id", sa.Integer(), nullable=True),
        sa.Column("owner_agency_id", sa.Integer(), nullable=False),
        sa.Column("owner_person", sa.String(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("linked_risk", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_case_id"],
            ["meeting_cases.id"],
            name=op.f("fk_actions_meeting_case_id_meeting_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_agency_id"], ["agencies.id"], name=op.f("fk_actions_owner_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_actions_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actions_due_date"), ["due_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_actions_meeting_case_id"), ["meeting_case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_actions_owner_agency_id"), ["owner_agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_actions_referral_id"), ["referral_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_actions_status"), ["status"], unique=False)

    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("new_due_date", sa.Date(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("fk_action_updates_action_id_actions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_profiles.id"], name=op.f("fk_action_updates_user_id_user_profiles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False
        )

    _guard_audit_trail()
    _seed_agencies()


def _guard_audit_trail() -> None:
    """The audit trail is append-only: the database itself refuses edits and deletions."""
    if op.get_bind().dialect.name != "sqlite":
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )


def _seed_agencies() -> None:
    agencies = sa.table(
        "agencies",
        sa.column("name", sa.String),
        sa.column("category", sa.String),
        sa.column("active", sa.Boolean),
        sa.column("created_at", sa.DateTime),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        agencies,
        [
            {"name": name, "category": name, "active": True, "created_at": now}
            for name in REFERRAL_SOURCE_CATEGORIES
        ],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))

    op.drop_table("action_updates")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actions_status"))
        batch_op.drop_index(batch_op.f("ix_actions_referral_id"))
        batch_op.drop_index(batch_op.f("ix_actions_owner_agency_id"))
        batch_op.drop_index(batch_op.f("ix_actions_meeting_case_id"))
        batch_op.drop_index(batch_op.f("ix_actions_due_date"))

    op.drop_table("actions")
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_assessments_review_due"))
        batch_op.drop_index(batch_op.f("ix_risk_assessments_referral_id"))

    op.drop_table("risk_assessments")
    with op.batch_alter_table("referral_perpetrators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_perpetrators_referral_id"))
        batch_op.drop_index(batch_op.f("ix_referral_perpetrators_person_id"))

    op.drop_table("referral_perpetrators")
    with op.batch_alter_table("referral_children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_children_referral_id"))

    op.drop_table("referral_children")
    with op.batch_alter_table("meeting_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_cases_referral_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_cases_meeting_id"))

    op.drop_table("meeting_cases")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_meeting_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_victim_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_status"))
        batch_op.drop_index(batch_op.f("ix_referrals_referring_agency_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_referral_date"))
        batch_op.drop_index(batch_op.f("ix_referrals_panel_id"))
        batch_op.drop_index("ix_referrals_panel_date")
        batch_op.drop_index(batch_op.f("ix_referrals_is_repeat"))
        batch_op.drop_index(batch_op.f("ix_referrals_external_ref"))

    op.drop_table("referrals")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meetings_panel_id"))
        batch_op.drop_index(batch_op.f("ix_meetings_meeting_date"))

    op.drop_table("meetings")
    with op.batch_alter_table("person_dobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_dobs_person_id"))

    op.drop_table("person_dobs")
    with op.batch_alter_table("person_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_aliases_person_id"))

    op.drop_table("person_aliases")
    op.drop_table("panels")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_entity"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    op.drop_table("user_profiles")
    op.drop_table("settings")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_last_first")
        batch_op.drop_index("ix_people_dob")

    op.drop_table("people")
    op.drop_table("audit_head")
    op.drop_table("agencies")
