"""One agency's action list: only what that agency needs (DOMAIN.md §5 and §7).

The builder is given the whole meeting and the agency's name and chooses the actions itself, so
a caller cannot hand it another agency's actions: it prints the actions this meeting gave the
agency and the agency's overdue actions from earlier meetings, and nothing else about any case.
How far a case is identified is the `identify` setting: the case reference only, with the
victim's initials, or with the victim's name and date of birth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marac_desk.export.model import (
    DEFAULT_MARKING,
    IDENTIFY_MODES,
    Action,
    Identify,
    Meeting,
    OpenActions,
    Person,
)
from marac_desk.export.pdf import (
    Furniture,
    build_pdf,
    facts,
    gap,
    nowrap,
    para,
    section,
    styles,
    titled_table,
)
from marac_desk.export.wording import (
    action_status_text,
    fmt_date,
    identify_text,
    long_date,
)

_FACTS = (60.0, 120.0)
_CURRENT = (11.0, 30.0, 23.0, 52.0, 24.0, 22.0, 18.0)
_OVERDUE = (11.0, 30.0, 22.0, 44.0, 22.0, 22.0, 13.0, 16.0)
_IDENTIFY_WORDS: dict[str, str] = {
    "case_ref": "case reference only",
    "initials": "case reference and the victim's initials",
    "name_dob": "case reference, the victim's name and date of birth",
}


@dataclass(frozen=True)
class AgencyActions:
    """What one agency's list holds: each action with the victim of its case."""

    agency: str
    current: tuple[tuple[Action, Person], ...]  # agreed at this meeting, in agenda order
    overdue: tuple[tuple[Action, Person], ...]  # earlier meetings', overdue on the meeting date


def select_agency_actions(meeting: Meeting, agency: str) -> AgencyActions:
    """The agency's own actions from this meeting and its overdue ones from earlier meetings."""
    day = meeting.details.meeting_date
    current = tuple(
        (action, case.victim)
        for case in meeting.agenda
        for action in case.actions
        if action.owner_agency == agency
    )
    overdue = tuple(
        sorted(
            (
                (item.action, item.victim)
                for item in meeting.outstanding
                if item.action.owner_agency == agency and item.action.is_overdue(day)
            ),
            key=lambda pair: (pair[0].due_date or day, pair[0].action_id),
        )
    )
    chosen = AgencyActions(agency, current, overdue)
    # Belt and braces: the list is circulated outside the panel.
    if any(a.owner_agency != agency for a, _ in (*chosen.current, *chosen.overdue)):
        raise AssertionError("an agency's list would hold another agency's action")
    return chosen


def agencies_with_actions(meeting: Meeting) -> tuple[str, ...]:
    """Every agency that gets a list for this meeting (an action now or one overdue), A-Z."""
    day = meeting.details.meeting_date
    names = {action.owner_agency for action in meeting.actions}
    names |= {
        item.action.owner_agency for item in meeting.outstanding if item.action.is_overdue(day)
    }
    return tuple(sorted(names, key=str.casefold))


def action_list_title(meeting: Meeting, agency: str) -> str:
    return f"{meeting.details.panel} — actions for {agency}"


def _check_request(agency: str, identify: str) -> None:
    if identify not in IDENTIFY_MODES:
        raise ValueError(f"identify must be one of {', '.join(IDENTIFY_MODES)}")
    if not agency.strip():
        raise ValueError("an action list needs an agency")


def build_action_list(
    meeting: Meeting,
    agency: str,
    *,
    generated_at: datetime,
    identify: Identify = "case_ref",
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The agency's action list as PDF bytes (see the module docstring)."""
    _check_request(agency, identify)
    chosen = select_agency_actions(meeting, agency)
    details = meeting.details
    sty = styles()
    still_open = sum(1 for action, _ in chosen.current if action.is_open)
    story: list[Any] = [
        para(f"Actions for {agency}", sty.title),
        para(f"{details.panel} · {details.partnership}", sty.subtitle),
        facts(
            [
                ("Agency", agency),
                ("Meeting", long_date(details.meeting_date)),
                ("Actions from this meeting", f"{len(chosen.current)} ({still_open} open)"),
                ("Overdue from earlier meetings", str(len(chosen.overdue))),
                ("Cases identified by", _IDENTIFY_WORDS[identify]),
            ],
            _FACTS,
        ),
        gap(2),
        para(
            f"This list holds only the actions owned by {agency}. Please update the "
            "coordinator on each action by its due date, quoting the action number.",
            sty.small,
        ),
    ]
    story += _current(chosen, identify)
    story += _overdue(chosen, identify, meeting)
    furniture = Furniture(
        title=action_list_title(meeting, agency),
        date_text=f"Meeting of {fmt_date(details.meeting_date)}",
        marking=marking,
        generated_at=generated_at,
    )
    return build_pdf(story, furniture, subject=f"{marking} action list", password=password)


def _current(chosen: AgencyActions, identify: Identify) -> list[Any]:
    title = "1. Actions agreed at this meeting"
    if not chosen.current:
        return [*section(title), para("No actions for this agency.", styles().body)]
    rows = [
        [
            str(action.action_id),
            identify_text(victim, action.case_ref, identify),
            action.owner_person or "—",
            action.text,
            action.linked_risk or "—",
            nowrap(fmt_date(action.due_date)),
            action_status_text(action),
        ]
        for action, victim in chosen.current
    ]
    header = ["No.", "Case", "Named person", "Action", "Linked risk", "Due", "Status"]
    return titled_table(title, header, rows, _CURRENT, level=1)


def _overdue(chosen: AgencyActions, identify: Identify, meeting: Meeting) -> list[Any]:
    title = "2. Overdue actions from earlier meetings"
    if not chosen.overdue:
        return [*section(title), para("None overdue.", styles().body)]
    return _dated_table(title, chosen.overdue, identify, meeting.details.meeting_date)


def _dated_table(
    title: str, pairs: tuple[tuple[Action, Person], ...], identify: Identify, day: date
) -> list[Any]:
    """Actions with the meeting that agreed them and how many days they are overdue on `day`."""
    rows = [
        [
            str(action.action_id),
            identify_text(victim, action.case_ref, identify),
            action.owner_person or "—",
            action.text,
            nowrap(fmt_date(action.meeting_date)),
            nowrap(fmt_date(action.due_date)),
            str((day - action.due_date).days)
            if action.is_overdue(day) and action.due_date
            else "—",
            action_status_text(action),
        ]
        for action, victim in pairs
    ]
    header = ["No.", "Case", "Named person", "Action", "Agreed", "Due", "Days over", "Status"]
    return titled_table(title, header, rows, _OVERDUE, level=1)


# ----- every open action, outside any one meeting ------------------------------------------------


def select_open_actions(
    open_actions: OpenActions, agency: str
) -> tuple[tuple[Action, Person], ...]:
    """The agency's open actions, the longest overdue first."""
    chosen = tuple(
        sorted(
            (pair for pair in open_actions.actions if pair[0].owner_agency == agency),
            key=lambda pair: (pair[0].due_date or date.max, pair[0].action_id),
        )
    )
    if any(a.owner_agency != agency for a, _ in chosen):
        raise AssertionError("an agency's list would hold another agency's action")
    return chosen


def agencies_with_open_actions(open_actions: OpenActions) -> tuple[str, ...]:
    return tuple(sorted({a.owner_agency for a, _ in open_actions.actions}, key=str.casefold))


def build_open_action_list(
    open_actions: OpenActions,
    agency: str,
    *,
    generated_at: datetime,
    identify: Identify = "case_ref",
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """One agency's list of all its open actions, from every meeting, as PDF bytes."""
    _check_request(agency, identify)
    chosen = select_open_actions(open_actions, agency)
    day = open_actions.as_of
    overdue = sum(1 for action, _ in chosen if action.is_overdue(day))
    sty = styles()
    story: list[Any] = [
        para(f"Open actions for {agency}", sty.title),
        para(open_actions.partnership, sty.subtitle),
        facts(
            [
                ("Agency", agency),
                ("As of", long_date(day)),
                ("Open actions", str(len(chosen))),
                ("Overdue", str(overdue)),
                ("Cases identified by", _IDENTIFY_WORDS[identify]),
            ],
            _FACTS,
        ),
        gap(2),
        para(
            f"This list holds only the open actions owned by {agency}. Please update the "
            "coordinator on each action by its due date, quoting the action number.",
            sty.small,
        ),
    ]
    if chosen:
        story += _dated_table("Open actions", chosen, identify, day)
    else:
        story += [*section("Open actions"), para("No open actions for this agency.", sty.body)]
    furniture = Furniture(
        title=f"Open actions for {agency}",
        date_text=f"As of {fmt_date(day)}",
        marking=marking,
        generated_at=generated_at,
    )
    return build_pdf(story, furniture, subject=f"{marking} action list", password=password)
