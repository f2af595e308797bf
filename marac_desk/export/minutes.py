"""The minutes of one meeting (restricted circulation): the audit trail of what was shared and
agreed. Cases are identified by reference only; names stay on the agenda."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.platypus import KeepTogether, Paragraph

from marac_desk.export.model import DEFAULT_MARKING, Case, Meeting
from marac_desk.export.pdf import (
    Furniture,
    build_pdf,
    escape,
    facts,
    gap,
    labelled,
    nowrap,
    para,
    section,
    styles,
    subsection,
    titled_table,
)
from marac_desk.export.wording import (
    ATTENDANCE_LABELS,
    NOTE_KIND_LABELS,
    action_status_text,
    criteria_text,
    fmt_date,
    fmt_time,
    long_date,
    outcome_text,
    referral_kind,
    review_outcome_text,
    risk_summary,
)

# Column widths in mm; each table fills the 180 mm between A4 portrait margins.
_FACTS = (38.0, 142.0)
_ATTENDANCE = (45.0, 45.0, 25.0, 65.0)
_REVIEW = (11.0, 25.0, 25.0, 54.0, 22.0, 43.0)
_SHARED = (32.0, 17.0, 131.0)
_ACTIONS = (11.0, 24.0, 23.0, 51.0, 27.0, 22.0, 22.0)
_DEFERRED = (32.0, 40.0, 108.0)


def minutes_title(meeting: Meeting) -> str:
    return f"{meeting.details.panel} — minutes"


def build_minutes(
    meeting: Meeting,
    *,
    generated_at: datetime,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The minutes as PDF bytes. A meeting without `approval` is a draft (DRAFT on every page).

    Same input and `generated_at` → same bytes (unless a password is given: encryption salts).
    """
    details = meeting.details
    furniture = Furniture(
        title=minutes_title(meeting),
        date_text=f"Meeting of {fmt_date(details.meeting_date)}",
        marking=marking,
        generated_at=generated_at,
        watermark=None if meeting.approval else "DRAFT",
    )
    story = [
        *_opening(meeting),
        *_confidentiality(meeting),
        *_attendance(meeting),
        *_review(meeting),
        *_cases(meeting),
        *_closing(meeting),
    ]
    return build_pdf(story, furniture, subject=f"{marking} minutes", password=password)


def _opening(meeting: Meeting) -> list[Any]:
    sty = styles()
    details = meeting.details
    if meeting.approval is None:
        status = "DRAFT — not yet approved; subject to change."
    else:
        a = meeting.approval
        status = f"Approved by {a.approved_by} on {fmt_date(a.approved_on)}, version {a.version}."
    times = f"Started {fmt_time(details.start_time)}, finished {fmt_time(details.end_time)}"
    return [
        para(f"{details.panel}: minutes", sty.title),
        para(details.partnership, sty.subtitle),
        para(status, sty.cell_bold),
        gap(2),
        facts(
            [
                ("Date", long_date(details.meeting_date)),
                ("Time", times),
                ("Venue", details.venue or "—"),
                ("Chair", details.chair or "—"),
                ("Minute taker", details.minute_taker or "—"),
                ("Cases on the list", str(len(meeting.cases))),
            ],
            _FACTS,
        ),
    ]


def _confidentiality(meeting: Meeting) -> list[Any]:
    sty = styles()
    read = "Yes" if meeting.confidentiality_read else "No"
    return [
        *section("1. Confidentiality statement"),
        para(meeting.confidentiality_statement, sty.note),
        labelled("Read by the chair at the start of the meeting:", read, sty.body),
    ]


def _attendance(meeting: Meeting) -> list[Any]:
    sty = styles()
    title = "2. Attendance"
    if not meeting.attendance:
        return [*section(title), para("No attendance recorded.", sty.body)]
    rows = []
    for person in meeting.attendance:
        notes = []
        if person.status == "apologies":
            if person.information_sent:
                sent = "Information sent"
                if person.information_sent_on is not None:
                    sent += f" {fmt_date(person.information_sent_on)}"
                notes.append(sent)
            else:
                notes.append("No information sent")
        if person.status == "observer":
            signed = "signed" if person.statement_signed else "NOT signed"
            notes.append(f"Confidentiality statement {signed}")
        if person.substitute_for:
            notes.append(f"Substitute for {person.substitute_for}")
        rows.append(
            [person.agency, person.name, ATTENDANCE_LABELS[person.status], "; ".join(notes)]
        )
    counts = {status: 0 for status in ATTENDANCE_LABELS}
    for person in meeting.attendance:
        counts[person.status] += 1
    summary = ", ".join(f"{ATTENDANCE_LABELS[s].lower()} {n}" for s, n in counts.items())
    return [
        *titled_table(title, ["Agency", "Name", "Attendance", "Notes"], rows, _ATTENDANCE, level=1),
        gap(1.5),
        para(f"Recorded: {summary}.", sty.small),
    ]


def _review(meeting: Meeting) -> list[Any]:
    sty = styles()
    title = "3. Review of outstanding actions from earlier meetings"
    if not meeting.outstanding:
        return [
            *section(title),
            para("No actions were outstanding from earlier meetings.", sty.body),
        ]
    items = sorted(meeting.outstanding, key=lambda i: (i.action.meeting_date, i.action.action_id))
    rows = [
        [
            str(i.action.action_id),
            i.action.case_ref,
            i.action.owner_agency,
            i.action.text,
            nowrap(fmt_date(i.action.meeting_date)),
            review_outcome_text(i),
        ]
        for i in items
    ]
    header = ["No.", "Case", "Agency", "Action", "Agreed", "Outcome"]
    return titled_table(title, header, rows, _REVIEW, level=1)


def _cases(meeting: Meeting) -> list[Any]:
    sty = styles()
    out: list[Any] = section("4. Cases")
    if not meeting.cases:
        return [*out, para("No cases were listed.", sty.body)]
    agenda = meeting.agenda
    for number, case in enumerate(agenda, start=1):
        out.extend(_case(case, number, len(agenda)))
    return out


def _case(case: Case, number: int, total: int) -> list[Any]:
    sty = styles()
    ref = case.case_ref
    out: list[Any] = [
        KeepTogether(
            [
                para(f"4.{number}  Case {ref}  ({number} of {total})", sty.heading),
                facts(
                    [
                        ("Referral", referral_kind(case)),
                        ("Referring agency", case.referring_agency),
                        ("Risk", risk_summary(case)),
                        ("Criteria met", criteria_text(case)),
                        ("Outcome", outcome_text(case)),
                    ],
                    _FACTS,
                ),
            ]
        )
    ]
    if case.outcome == "deferred" and not (case.victim_voice or case.shared or case.actions):
        return [*out, gap(2)]
    out += subsection(
        f"Victim's voice ({ref})", para(case.victim_voice or "Not recorded.", sty.body)
    )
    if case.shared:
        rows = [[n.agency, NOTE_KIND_LABELS[n.kind], n.text] for n in case.shared]
        header = ["Agency", "Fact or opinion", "Information"]
        out += titled_table(f"Information shared ({ref})", header, rows, _SHARED)
    else:
        out += subsection(f"Information shared ({ref})", para("Nothing recorded.", sty.body))
    risks = case.risks
    out += subsection(
        f"Risks identified ({ref})",
        facts(
            [
                ("To the victim", risks.to_victim or "None identified"),
                ("To children", risks.to_children or "None identified"),
                ("To others", risks.to_others or "None identified"),
                ("To professionals", risks.to_professionals or "None identified"),
            ],
            _FACTS,
        ),
    )
    if case.actions:
        rows = [
            [
                str(a.action_id),
                a.owner_agency,
                a.owner_person or "—",
                a.text,
                a.linked_risk or "—",
                nowrap(fmt_date(a.due_date)),
                action_status_text(a),
            ]
            for a in case.actions
        ]
        header = ["No.", "Owner agency", "Named person", "Action", "Linked risk", "Due", "Status"]
        out += titled_table(f"Actions ({ref})", header, rows, _ACTIONS)
    else:
        out += subsection(f"Actions ({ref})", para("No actions agreed.", sty.body))
    out.append(gap(2))
    return out


def _closing(meeting: Meeting) -> list[Any]:
    sty = styles()
    title = "5. Deferred cases"
    deferred = [case for case in meeting.agenda if case.outcome == "deferred"]
    out: list[Any]
    if deferred:
        rows = [
            [case.case_ref, case.referring_agency, case.outcome_reason or "No reason recorded"]
            for case in deferred
        ]
        header = ["Case", "Referring agency", "Reason"]
        out = titled_table(title, header, rows, _DEFERRED, level=1)
    else:
        out = [*section(title), para("No cases were deferred.", sty.body)]
    out.extend(section("6. Any other business"))
    if meeting.other_business:
        out.extend(
            Paragraph(f"{n}. {escape(item)}", sty.body)
            for n, item in enumerate(meeting.other_business, start=1)
        )
    else:
        out.append(para("None.", sty.body))
    out.extend(section("7. Date of the next meeting"))
    nxt = meeting.next_meeting_date
    if nxt is None:
        out.append(para("To be confirmed.", sty.body))
    else:
        when = long_date(nxt)
        if meeting.next_meeting_time is not None:
            when += f" at {fmt_time(meeting.next_meeting_time)}"
        out.append(para(when, sty.body))
    return out
