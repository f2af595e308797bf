"""The schema of a MARAC Desk store (SQLAlchemy 2 typed models).

Schema changes go through Alembic migrations in `db/migrations`; these models describe the head.
Types are portable (no SQLite-only features outside `db/`), so a shared PostgreSQL deployment
stays a configuration change.

Conventions:
- Tri-state facts that national returns count ("yes" / "no" / "not known" = not asked /
  "not stated" = asked and declined) are stored as short strings, see `core.vocab`.
- A referral keeps the people *as referred* (names, DOB as written on the form) apart from the
  linked person record, so matching can be revisited without losing what the referrer wrote.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _id() -> Mapped[int]:
    return mapped_column(Integer, primary_key=True)


class Setting(Base):
    """Store-wide settings (partnership name, marking, thresholds). Values are JSON."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class UserProfile(Base):
    """A person who uses this store (coordinator, deputy). Audit events name the profile."""

    __tablename__ = "user_profiles"
    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(40), default="coordinator")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Agency(Base):
    __tablename__ = "agencies"
    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # One of core.agencies.REFERRAL_SOURCE_CATEGORIES: how the agency counts in national data.
    category: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Panel(Base):
    """A MARAC, Community MARAC or daily triage run from this store."""

    __tablename__ = "panels"
    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(120), unique=True)
    panel_type: Mapped[str] = mapped_column(String(30))  # marac | community_marac | daily_triage
    cadence: Mapped[str] = mapped_column(String(40))  # e.g. weekly:wed, monthly:2:wed
    default_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    chair_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Person(Base):
    """Someone named in a referral: victim, perpetrator or child.

    A person merged into another keeps their row (merged_into_id set) so a merge can be undone.
    """

    __tablename__ = "people"
    id: Mapped[int] = _id()
    first_name: Mapped[str] = mapped_column(String(120), default="")
    middle_names: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    dob: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str] = mapped_column(String(20), default="not_known")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    aliases: Mapped[list[PersonAlias]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    alternative_dobs: Mapped[list[PersonDob]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_people_last_first", "last_name", "first_name"),
        Index("ix_people_dob", "dob"),
    )


# Schema version 8: aliases, alternative DOBs and identifiers never reuse a deleted row's id
# (AUTOINCREMENT): a merge record names the rows it added, and a relink may delete rows.
_NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class PersonAlias(Base):
    __tablename__ = "person_aliases"
    __table_args__ = _NEVER_REUSE_IDS
    id: Mapped[int] = _id()
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    kind: Mapped[str] = mapped_column(String(20), default="alias")  # alias | spelling | previous
    # Schema version 8: the referral that named the person so (NULL: typed on the person, a
    # merge's own names, or from before version 8), so relinking that referral takes it along.
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="SET NULL"), nullable=True
    )
    person: Mapped[Person] = relationship(back_populates="aliases")


class PersonIdentifier(Base):
    """An identifier an agency gives this person (NHS number, police or other agency person
    id), as `core.identifiers` normalises it: "nhs:9434765919", "ref:NT123456"."""

    __tablename__ = "person_identifiers"
    __table_args__ = (UniqueConstraint("person_id", "identifier"), _NEVER_REUSE_IDS)
    id: Mapped[int] = _id()
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    identifier: Mapped[str] = mapped_column(String(60), index=True)
    # Schema version 8: the referral that named the person so (NULL: typed on the person, a
    # merge's own names, or from before version 8), so relinking that referral takes it along.
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="SET NULL"), nullable=True
    )


class PersonDob(Base):
    """An alternative date of birth seen for a person (records disagree more often than not)."""

    __tablename__ = "person_dobs"
    __table_args__ = _NEVER_REUSE_IDS
    id: Mapped[int] = _id()
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    dob: Mapped[date] = mapped_column(Date)
    # Schema version 8: the referral that named the person so (NULL: typed on the person, a
    # merge's own names, or from before version 8), so relinking that referral takes it along.
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id", ondelete="SET NULL"), nullable=True
    )
    person: Mapped[Person] = relationship(back_populates="alternative_dobs")


class Referral(Base):
    __tablename__ = "referrals"
    id: Mapped[int] = _id()
    case_ref: Mapped[str] = mapped_column(String(40), unique=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"))
    referral_date: Mapped[date] = mapped_column(Date)
    referring_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    joint_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    referrer_name: Mapped[str] = mapped_column(String(120), default="")
    referrer_contact: Mapped[str] = mapped_column(String(200), default="")
    external_ref: Mapped[str] = mapped_column(String(80), default="", index=True)

    victim_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The victim as written on the form (see module docstring).
    victim_first_name: Mapped[str] = mapped_column(String(120), default="")
    victim_last_name: Mapped[str] = mapped_column(String(120), default="")
    victim_dob: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Schema version 8: agencies' identifiers as the form gave them (core.identifiers forms,
    # ";"-joined), so they follow the referral if it is relinked to another person.
    victim_identifiers: Mapped[str] = mapped_column(String(400), default="")
    victim_gender: Mapped[str] = mapped_column(String(20), default="not_known")
    victim_ethnicity: Mapped[str] = mapped_column(String(60), default="not_known")
    victim_bame: Mapped[str] = mapped_column(String(12), default="not_known")
    victim_lgbt: Mapped[str] = mapped_column(String(12), default="not_known")
    victim_disability: Mapped[str] = mapped_column(String(12), default="not_known")
    victim_mental_health: Mapped[str] = mapped_column(String(12), default="not_known")
    victim_substance_misuse: Mapped[str] = mapped_column(String(12), default="not_known")
    victim_pregnant: Mapped[str] = mapped_column(String(12), default="not_known")
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    safe_to_call: Mapped[str] = mapped_column(String(12), default="not_known")
    safe_to_text: Mapped[str] = mapped_column(String(12), default="not_known")
    safe_to_leave_message: Mapped[str] = mapped_column(String(12), default="not_known")
    best_contact_time: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(60), default="")
    interpreter_needed: Mapped[str] = mapped_column(String(12), default="not_known")

    reason: Mapped[str] = mapped_column(Text, default="")
    others_feared: Mapped[str] = mapped_column(Text, default="")
    victim_aware: Mapped[str] = mapped_column(String(12), default="not_known")
    victim_consented: Mapped[str] = mapped_column(String(12), default="not_known")
    no_consent_reason: Mapped[str] = mapped_column(Text, default="")
    previous_marac_elsewhere: Mapped[str] = mapped_column(String(12), default="not_known")

    crit_visible_high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    crit_professional_judgement: Mapped[bool] = mapped_column(Boolean, default=False)
    professional_judgement_reason: Mapped[str] = mapped_column(Text, default="")
    crit_potential_escalation: Mapped[bool] = mapped_column(Boolean, default=False)
    police_incidents_12m: Mapped[int | None] = mapped_column(Integer, nullable=True)
    crit_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_tool: Mapped[str] = mapped_column(String(40), default="")
    risk_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    risk_grade: Mapped[str] = mapped_column(String(20), default="")

    # received | listed | heard | closed | diverted | withdrawn
    status: Mapped[str] = mapped_column(String(20), default="received")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_decided_by: Mapped[str] = mapped_column(String(120), default="")

    # Schema version 2. none | listed | not_known: "no children" is an answer, not a gap.
    children_status: Mapped[str] = mapped_column(String(12), default="not_known")
    # How the victim was matched at intake or import: linked | review | new.
    match_status: Mapped[str] = mapped_column(String(10), default="new")
    # Idempotent re-import: the external reference, or a stable fingerprint of the source row.
    import_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)

    # Repeat flags as computed by core.repeats, and the coordinator's override if any.
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    previous_referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referrals.id"), nullable=True
    )
    new_perpetrator_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_override: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    repeat_override_reason: Mapped[str] = mapped_column(Text, default="")

    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    perpetrators: Mapped[list[ReferralPerpetrator]] = relationship(
        back_populates="referral", cascade="all, delete-orphan"
    )
    children: Mapped[list[ReferralChild]] = relationship(
        back_populates="referral", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_referrals_panel_date", "panel_id", "referral_date"),
        # Schema version 4: the referral list sorts by these, and the dashboard counts by them.
        Index("ix_referrals_victim_last_name", "victim_last_name", "victim_first_name"),
        Index("ix_referrals_risk_score", "risk_score"),
        Index("ix_referrals_status_date", "status", "referral_date"),
        Index("ix_referrals_date_repeat", "referral_date", "is_repeat", "repeat_override"),
    )


class ReferralPerpetrator(Base):
    __tablename__ = "referral_perpetrators"
    id: Mapped[int] = _id()
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    dob: Mapped[date | None] = mapped_column(Date, nullable=True)
    identifiers: Mapped[str] = mapped_column(String(400), default="")  # as victim_identifiers
    gender: Mapped[str] = mapped_column(String(20), default="not_known")
    # current_partner | ex_partner | family_member | other | not_known
    relationship_to_victim: Mapped[str] = mapped_column(String(30), default="not_known")
    address: Mapped[str] = mapped_column(Text, default="")
    mental_health: Mapped[str] = mapped_column(String(12), default="not_known")
    substance_misuse: Mapped[str] = mapped_column(String(12), default="not_known")
    referral: Mapped[Referral] = relationship(back_populates="perpetrators")


class ReferralChild(Base):
    __tablename__ = "referral_children"
    id: Mapped[int] = _id()
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    dob: Mapped[date | None] = mapped_column(Date, nullable=True)
    relationship_to_victim: Mapped[str] = mapped_column(String(40), default="")
    relationship_to_perpetrator: Mapped[str] = mapped_column(String(40), default="")
    school: Mapped[str] = mapped_column(String(200), default="")
    referral: Mapped[Referral] = relationship(back_populates="children")


class RiskAssessment(Base):
    """One completed risk form. Keeps the form id and version it was answered on, so it still
    reads correctly after a partnership loads a newer form."""

    __tablename__ = "risk_assessments"
    id: Mapped[int] = _id()
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    form_id: Mapped[str] = mapped_column(String(60))
    form_version: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="initial")  # initial | review
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(String(120), default="")
    # {question_id: {"answer": "yes|no|dont_know", "comment": str, "source": str}}
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    band: Mapped[str] = mapped_column(String(20), default="")
    judgement_band: Mapped[str] = mapped_column(String(20), default="")
    judgement_reason: Mapped[str] = mapped_column(Text, default="")
    review_due: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Schema version 5: each referral's newest assessment and its review date straight from the
    # index (assessment rows are large: reading them to count reviews cost ten times more).
    __table_args__ = (
        Index("ix_risk_assessments_newest", "referral_id", "assessed_on", "id", "review_due"),
    )


class Meeting(Base):
    """One sitting of a panel. Dates come from the panel's cadence (core.calendar) or are added
    by hand; a moved meeting keeps the date it was first planned for, a cancelled one its
    reason."""

    __tablename__ = "meetings"
    id: Mapped[int] = _id()
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id"), index=True)
    meeting_date: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    end_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    venue: Mapped[str] = mapped_column(String(200), default="")
    chair: Mapped[str] = mapped_column(String(120), default="")
    minute_taker: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned|held|cancelled
    status_reason: Mapped[str] = mapped_column(Text, default="")
    confidentiality_read: Mapped[bool] = mapped_column(Boolean, default=False)
    minutes_circulated_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Schema version 5.
    original_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # set when moved
    any_other_business: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class MeetingCase(Base):
    """A referral on a meeting's case list, and what the meeting made of it."""

    __tablename__ = "meeting_cases"
    id: Mapped[int] = _id()
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    allotted_minutes: Mapped[int] = mapped_column(Integer, default=15)
    # pending | heard_closed | heard_open | deferred
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    victim_voice: Mapped[str] = mapped_column(Text, default="")
    # The column kept its schema-1 name; since schema 5 it holds the risks to the victim, beside
    # the risks to children, to others and to professionals.
    risks_to_victim: Mapped[str] = mapped_column("risks_identified", Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Schema version 5.
    risks_to_children: Mapped[str] = mapped_column(Text, default="")
    risks_to_others: Mapped[str] = mapped_column(Text, default="")
    risks_to_professionals: Mapped[str] = mapped_column(Text, default="")
    elapsed_seconds: Mapped[int] = mapped_column(Integer, default=0)  # the case timer
    __table_args__ = (UniqueConstraint("meeting_id", "referral_id"),)


class Attendance(Base):
    __tablename__ = "attendance"
    id: Mapped[int] = _id()
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    person_name: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[str] = mapped_column(String(20))  # present | apologies | observer
    information_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    information_sent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    statement_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    substitute_for: Mapped[str] = mapped_column(String(120), default="")


class Action(Base):
    __tablename__ = "actions"
    # Schema version 4: overdue actions by agency without touching closed ones; version 5 adds
    # the referral so the quarterly report's "overdue now" per panel is covered by the index.
    __table_args__ = (
        Index(
            "ix_actions_status_due_owner", "status", "due_date", "owner_agency_id", "referral_id"
        ),
    )
    id: Mapped[int] = _id()
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    meeting_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_cases.id"), nullable=True, index=True
    )
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    owner_person: Mapped[str] = mapped_column(String(120), default="")
    text: Mapped[str] = mapped_column(Text)
    linked_risk: Mapped[str] = mapped_column(String(200), default="")
    # One of core.vocab.ACTION_CATEGORIES.
    category: Mapped[str] = mapped_column(String(30), default="other")
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    # open | completed | not_possible | not_undertaken | carried_forward
    status: Mapped[str] = mapped_column(String(20), default="open")
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ActionUpdate(Base):
    __tablename__ = "action_updates"
    id: Mapped[int] = _id()
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    updated_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    new_due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_profiles.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Schema version 5: the meeting whose review of outstanding actions made this update, and
    # the due date the action had before this update moved it (the minutes print both).
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id"), nullable=True, index=True
    )
    previous_due_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class AuditEvent(Base):
    """Append-only, hash-chained record of every change, export and sign-in (core.audit_chain).

    The store refuses UPDATE and DELETE on this table (triggers in the migration); `AuditHead`
    remembers the newest event so deleting the tail is detected too.
    """

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_profiles.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(30), index=True)
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


# ----- schema version 2: person matching ---------------------------------------------------------


class PersonKey(Base):
    """Blocking keys for candidate search (core.names.blocking_keys), kept inside the encrypted
    store so finding candidates is one indexed query, not a scan of every person."""

    __tablename__ = "person_keys"
    id: Mapped[int] = _id()
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    __table_args__ = (Index("ix_person_keys_key", "key", "person_id"),)


class MatchReview(Base):
    """A pair of people who may be one person, waiting for (or given) the coordinator's word."""

    __tablename__ = "match_reviews"
    id: Mapped[int] = _id()
    person_a_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    person_b_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    weight: Mapped[float] = mapped_column()
    score: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(20))  # intake | import | scan
    status: Mapped[str] = mapped_column(
        String(20), default="open", index=True
    )  # open|same|not_same
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    decided_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_profiles.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id"),)


class PersonMerge(Base):
    """One merge of a duplicate into a kept person, with exactly what moved, so it can be undone."""

    __tablename__ = "person_merges"
    id: Mapped[int] = _id()
    kept_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # {"victim_of": [referral ids], "perpetrator_rows": [...], "child_rows": [...]}
    moved: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    merged_at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_profiles.id"), nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


# ----- schema version 3: risk forms --------------------------------------------------------------


class RiskForm(Base):
    """A risk form definition kept in the store: one a partnership loaded from a file, or a
    shipped form kept as it was when an assessment first used it. A (form id, version) pair
    never changes once kept, so old assessments read the same after newer forms arrive."""

    __tablename__ = "risk_forms"
    id: Mapped[int] = _id()
    form_id: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    # The definition document as validated by core.risk_forms (format 1).
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(10))  # shipped | loaded
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    loaded_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_profiles.id"), nullable=True
    )
    __table_args__ = (UniqueConstraint("form_id", "version"),)


# ----- schema version 5: the live meeting and minutes ---------------------------------------------


class CaseNote(Base):
    """What one agency shared about a case at a meeting, marked as fact or opinion."""

    __tablename__ = "case_notes"
    id: Mapped[int] = _id()
    meeting_case_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_cases.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(10), default="fact")  # fact | opinion
    text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CaseResearch(Base):
    """Whether an agency has returned its research on a listed case."""

    __tablename__ = "case_research"
    id: Mapped[int] = _id()
    meeting_case_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_cases.id", ondelete="CASCADE"), index=True
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(20))  # requested | received | nothing_held
    updated_on: Mapped[date] = mapped_column(Date)
    __table_args__ = (UniqueConstraint("meeting_case_id", "agency_id"),)


class MinutesVersion(Base):
    """One issued version of a meeting's minutes, kept whole (the PDF as issued and the data it
    was made from), so an earlier version can be produced again exactly."""

    __tablename__ = "minutes_versions"
    id: Mapped[int] = _id()
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by: Mapped[str] = mapped_column(String(120), default="")
    approved_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)


# ----- schema version 6: the referral list's search index -----------------------------------------


class ReferralSearch(Base):
    """The referral list's search index: lower-cased, accent-folded word tokens per referral
    (db.referral_search says which), looked up by prefix range so a text filter is an index
    range scan, not a LIKE over every referral."""

    __tablename__ = "referral_search"
    id: Mapped[int] = _id()
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(120))
    __table_args__ = (Index("ix_referral_search_token", "token", "referral_id"),)
