"""Minutes: drafts, approved versions, and every document leaving the store recorded as a
disclosure.

The rules:
- A draft is made from the meeting as it stands now and carries DRAFT on every page.
- Approving records who approved and when, and keeps that version whole in the store: the PDF
  as issued and a fingerprint of what it was made from. Version numbers start at 1.
- A change to the meeting after approval makes the approved version out of date: exporting the
  minutes then needs a new draft and a new approval (version 2, …); the earlier versions stay
  retrievable exactly as issued.
- Every export (minutes, agency action list, agenda, spreadsheet, calendar) is recorded in the
  audit trail as a disclosure: what, for which agency, when, by whom.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select

from marac_desk.db.models import MinutesVersion
from marac_desk.db.store import Store
from marac_desk.export import model
from marac_desk.export.minutes import build_minutes
from marac_desk.services import audit, documents
from marac_desk.services.context import Actor, utcnow


class MinutesError(ValueError):
    """The minutes cannot be produced as asked; the message says why and what to do."""


@dataclass(frozen=True)
class VersionRow:
    version: int
    approved: bool
    approved_by: str
    approved_at: datetime | None
    created_at: datetime
    current: bool  # made from the meeting exactly as it stands now


@dataclass(frozen=True)
class MinutesState:
    versions: tuple[VersionRow, ...]

    @property
    def latest(self) -> VersionRow | None:
        return self.versions[-1] if self.versions else None

    @property
    def approved_and_current(self) -> bool:
        latest = self.latest
        return latest is not None and latest.approved and latest.current


def fingerprint(meeting: model.Meeting) -> str:
    """What the minutes say, as a hash: the document data without its approval."""
    text = repr(replace(meeting, approval=None))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def state(store: Store, meeting_id: int) -> MinutesState:
    current = fingerprint(documents.meeting_document(store, meeting_id))
    with store.read() as session:
        rows = session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting_id)
            .order_by(MinutesVersion.version)
        ).all()
        return MinutesState(
            tuple(
                VersionRow(
                    r.version,
                    r.approved,
                    r.approved_by,
                    r.approved_at,
                    r.created_at,
                    r.content_hash == current,
                )
                for r in rows
            )
        )


def draft(
    store: Store, actor: Actor, meeting_id: int, *, generated_at: datetime, marking: str
) -> bytes:
    """The minutes as they stand now, watermarked DRAFT; recorded as a disclosure."""
    doc = documents.meeting_document(store, meeting_id)
    data = build_minutes(doc, generated_at=generated_at, marking=marking)
    with store.write() as session:
        audit.record(session, actor, "export", "meeting", meeting_id, "minutes (draft)")
    return data


def approve(
    store: Store, actor: Actor, meeting_id: int, *, approved_by: str, on: date, marking: str
) -> int:
    """Approve the minutes as they stand now; returns the new version's number. Approving
    minutes identical to the latest approved version changes nothing and returns it."""
    if not approved_by.strip():
        raise MinutesError("Say who approved the minutes.")
    doc = documents.meeting_document(store, meeting_id)
    content = fingerprint(doc)
    with store.write() as session:
        latest = session.scalars(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting_id)
            .order_by(MinutesVersion.version.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.approved and latest.content_hash == content:
            return latest.version
        number = (latest.version if latest is not None else 0) + 1
        approval = model.Approval(approved_by.strip(), on, number)
        now = utcnow()
        pdf = build_minutes(replace(doc, approval=approval), generated_at=now, marking=marking)
        session.add(
            MinutesVersion(
                meeting_id=meeting_id,
                version=number,
                approved=True,
                approved_by=approved_by.strip(),
                approved_at=now,
                content_hash=content,
                pdf=pdf,
                created_at=now,
            )
        )
        audit.record(
            session,
            actor,
            "update",
            "meeting",
            meeting_id,
            f"minutes version {number} approved by {approved_by.strip()}",
        )
        return number


def approved(store: Store, actor: Actor, meeting_id: int, version: int | None = None) -> bytes:
    """An approved version exactly as issued: the given one, or the latest — which must still
    match the meeting, or the coordinator is told to approve the changes first."""
    if version is None:
        found = state(store, meeting_id)
        latest = found.latest
        if latest is None:
            raise MinutesError(
                "The minutes have not been approved yet: export a draft, or approve them first."
            )
        if not latest.current:
            raise MinutesError(
                f"The meeting has changed since version {latest.version} was approved: export a "
                "draft, or approve the changes as a new version."
            )
        version = latest.version
    with store.write() as session:
        pdf = session.scalar(
            select(MinutesVersion.pdf).where(
                MinutesVersion.meeting_id == meeting_id, MinutesVersion.version == version
            )
        )
        if pdf is None:
            raise MinutesError(f"There is no version {version} of these minutes.")
        audit.record(session, actor, "export", "meeting", meeting_id, f"minutes version {version}")
        return bytes(pdf)
