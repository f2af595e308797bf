"""The QA dip-sample checklist (PDF): the sampled cases checked against SafeLives' ten
principles of an effective MARAC (DOMAIN.md §6).

The first page says how the sample was drawn (the period, the population, N, the **seed** and the
command that draws the same cases again), lists the sampled cases by reference, and leaves room
for the reviewer's name. Then one section per principle, in SafeLives' order: the questions a
reviewer answers (MARAC Desk's own wording), a line of what the sample shows, and a table with a
row per sampled case — what MARAC Desk recorded, tick boxes for the reviewer's judgement
(Yes / Partly / No) and room for notes — followed by the reviewer's finding on the principle.
A last section collects the overall findings for the steering group.

No person is identified anywhere: case references, dates of referral and hearing, agencies and
counts only (`export.qa_model`; DOMAIN.md §7). Landscape A4; the protective marking, "Page X of
Y" and the generation time are on every page (`export.pdf`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph

from marac_desk.core.indicators import percent
from marac_desk.export.model import DEFAULT_MARKING
from marac_desk.export.pdf import (
    Furniture,
    build_pdf,
    escape,
    facts,
    gap,
    nowrap,
    para,
    styles,
    table,
    titled_table,
)
from marac_desk.export.qa_model import DipSample, SampledCase
from marac_desk.export.wording import CASE_OUTCOME_LABELS, fmt_date, long_date

BOX = "\u2610"  # ☐ (in DejaVu Sans)
_PAGE_WIDTH = 267.0  # landscape A4 less the side margins, mm
_NUMBER, _CASE, _JUDGEMENT = 7.0, 30.0, 21.0
_SHORT_CRITERIA = {
    "visible_high_risk": "visible high risk",
    "professional_judgement": "professional judgement",
    "potential_escalation": "potential escalation",
    "repeat": "repeat",
}
_TRI_STATE = {"yes": "Yes", "no": "No", "not_known": "Not known", "not_stated": "Not stated"}
_IDVA = {
    "present": "Present",
    "apologies_sent": "Apologies, information sent",
    "apologies": "Apologies, no information sent",
    "absent": "Not recorded as attending",
}
_RISK_AREAS = {
    "victim": "the victim",
    "children": "children",
    "others": "others",
    "professionals": "professionals",
}


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # mm
    value: Callable[[SampledCase], str]


@dataclass(frozen=True)
class Principle:
    name: str
    aim: str  # what good looks like, in one sentence
    questions: tuple[str, ...]
    columns: tuple[Column, ...]
    summary: Callable[[DipSample], str]


# ----- small wordings ---------------------------------------------------------------------------


def _of(count: int, total: int) -> str:
    """ "3 of 4 (75%)"; "0 of 0" has no percentage."""
    share = percent(count, total)
    return f"{count} of {total}" + (f" ({share}%)" if share is not None else "")


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _count(sample: DipSample, test: Callable[[SampledCase], bool]) -> int:
    return sum(1 for case in sample.cases if test(case))


# ----- what each principle shows per case -------------------------------------------------------


def _checklist(case: SampledCase) -> str:
    score = f"score {case.risk_score}" if case.risk_score is not None else ""
    if case.checklist_in_store:
        return "Completed in MARAC Desk" + (f": {score}" if score else "")
    if score:
        tool = f" ({case.risk_tool})" if case.risk_tool else ""
        return f"Score {case.risk_score} recorded on the referral{tool}"
    if case.risk_grade:
        tool = f" ({case.risk_tool})" if case.risk_tool else ""
        return f"No score; graded {case.risk_grade}{tool}"
    return "Not recorded"


def _criteria(case: SampledCase) -> str:
    if not case.criteria:
        return "None recorded"
    text = ", ".join(_SHORT_CRITERIA.get(c, c) for c in case.criteria)
    return text[0].upper() + text[1:]


def _judgement_reason(case: SampledCase) -> str:
    if case.judgement_reason_recorded is None:
        return "Not used"
    return "Reason written" if case.judgement_reason_recorded else "Reason missing"


def _referred(case: SampledCase) -> str:
    by = case.referring_agency
    if case.joint_agency:
        by += f" and {case.joint_agency} (joint)"
    return f"{fmt_date(case.referral_date)} by {by}"


def _missing(case: SampledCase) -> str:
    if not case.missing:
        return "Nothing"
    text = "; ".join(case.missing)
    return text[0].upper() + text[1:]


def _repeat(case: SampledCase) -> str:
    text = "Yes" if case.is_repeat else "No"
    if case.is_repeat and case.previous_referral_on is not None:
        text += f": previous referral {fmt_date(case.previous_referral_on)}"
    if case.repeat_overridden:
        text += " (coordinator's decision)"
    return text


def _present(case: SampledCase) -> str:
    if not case.agencies_present:
        return "None recorded"
    return f"{len(case.agencies_present)}: " + ", ".join(case.agencies_present)


def _apologies(case: SampledCase) -> str:
    if not case.apologies:
        return "None"
    return f"{case.apologies}, information sent by {case.apologies_information_sent}"


def _research(case: SampledCase) -> str:
    r = case.research
    if not r.asked:
        return "Not requested"
    text = f"{r.returned} of {_plural(r.asked, 'agency', 'agencies')} asked"
    if r.nothing_held:
        text += f" ({r.nothing_held} held nothing)"
    return text


def _contributions(case: SampledCase) -> str:
    if not case.contributions:
        return "None recorded"
    return f"{case.contributions} recorded, {case.contributions_opinion} marked as opinion"


def _children(case: SampledCase) -> str:
    if case.children_listed:
        return str(case.children_listed)
    return "None" if case.children_status == "none" else "Not known"


def _risks(case: SampledCase) -> str:
    if not case.risks_recorded:
        return "None recorded"
    text = ", ".join(_RISK_AREAS[a] for a in case.risks_recorded)
    return f"To {text}"


def _owner_and_due(case: SampledCase) -> str:
    a = case.actions
    return _of(a.owner_and_due, a.total) if a.total else "—"


def _linked(case: SampledCase) -> str:
    a = case.actions
    return _of(a.linked_to_risk, a.total) if a.total else "—"


def _perpetrator_focused(case: SampledCase) -> str:
    n = case.actions.perpetrator_focused
    return f"Yes ({n})" if n else "No"


def _progress(case: SampledCase) -> str:
    a = case.actions
    if not a.total:
        return "—"
    parts = (
        (a.completed_on_time, "completed on time"),
        (a.completed_late, "completed late"),
        (a.completed_undated, "completed (no due date)"),
        (a.overdue, "overdue"),
        (a.open_not_due, "open, not yet due"),
        (a.not_possible, "not possible"),
        (a.not_undertaken, "not undertaken"),
    )
    return "; ".join(f"{n} {label}" for n, label in parts if n)


def _cases_at_meeting(case: SampledCase) -> str:
    n = case.cases_heard_at_meeting
    if n > case.case_cap_strong:
        return f"{n}: above the limit of {case.case_cap_strong}"
    if n >= case.case_cap_warn:
        return f"{n}: at the {case.case_cap_warn}–{case.case_cap_strong} upper range"
    return str(n)


def _time_on_case(case: SampledCase) -> str:
    allotted = f"{case.allotted_minutes} allotted"
    if not case.seconds_on_case:
        return f"Not timed ({allotted})"
    minutes = max(1, round(case.seconds_on_case / 60))
    return f"{minutes} min ({allotted})"


def _minutes(case: SampledCase) -> str:
    due = f"due {fmt_date(case.minutes_due_on)}" if case.minutes_due_on else ""
    if case.minutes_circulated_on is None:
        return "Not recorded" + (f" ({due})" if due else "")
    verdict = {True: "on time", False: "late", None: ""}[case.minutes_on_time]
    detail = ": ".join(part for part in (due, verdict) if part)
    return fmt_date(case.minutes_circulated_on) + (f" ({detail})" if detail else "")


def _risk_areas(case: SampledCase) -> str:
    return f"{len(case.risks_recorded)} of {len(_RISK_AREAS)} areas"


def _updates(case: SampledCase) -> str:
    a = case.actions
    if not a.total:
        return "No actions"
    return f"{_plural(a.updates, 'update')} on {_plural(a.total, 'action')}"


def _hearings(case: SampledCase) -> str:
    return "Once" if case.hearings_in_period == 1 else f"{case.hearings_in_period} times"


def _quorum(case: SampledCase) -> str:
    return "Quorate" if case.quorate else case.quorum_note or "Not quorate"


def _observers(case: SampledCase) -> str:
    if not case.observers:
        return "None"
    return f"{case.observers}, {case.observers_signed} signed the statement"


# ----- what each principle shows for the whole sample -------------------------------------------


def _identification_summary(s: DipSample) -> str:
    n = len(s.cases)
    scored = _count(s, lambda c: c.checklist_completed)
    criteria = _count(s, lambda c: bool(c.criteria))
    return (
        f"A checklist or score is recorded for {_of(scored, n)} sampled cases; at least one "
        f"referral criterion for {_of(criteria, n)}."
    )


def _referral_summary(s: DipSample) -> str:
    n = len(s.cases)
    days = median(c.days_to_hearing for c in s.cases)
    return (
        f"Nothing missing from the referral: {_of(_count(s, lambda c: not c.missing), n)}. "
        f"Repeats: {_of(_count(s, lambda c: c.is_repeat), n)}. "
        f"Median time from referral to hearing: {_plural(round(days), 'day')}."
    )


def _engagement_summary(s: DipSample) -> str:
    asked = [c for c in s.cases if c.research.asked]
    if not asked:
        return "No research requests are recorded for the sampled cases."
    complete = sum(1 for c in asked if c.research.returned == c.research.asked)
    return (
        f"Research was asked for in {_of(len(asked), len(s.cases))} cases, and returned by "
        f"every agency asked in {_of(complete, len(asked))} of those."
    )


def _representation_summary(s: DipSample) -> str:
    n = len(s.cases)
    idva = _count(s, lambda c: c.idva_attendance == "present")
    voice = _count(s, lambda c: c.victim_voice_recorded)
    return f"IDVA present at the meeting: {_of(idva, n)}. Victim's voice recorded: {_of(voice, n)}."


def _sharing_summary(s: DipSample) -> str:
    n = len(s.cases)
    text = f"Agency contributions recorded: {_of(_count(s, lambda c: bool(c.contributions)), n)}."
    with_children = [c for c in s.cases if c.children_listed]
    if not with_children:
        return f"{text} No sampled case lists children in the household."
    to_children = sum(1 for c in with_children if "children" in c.risks_recorded)
    return (
        f"{text} Risks to children recorded in {_of(to_children, len(with_children))} cases "
        "with children in the household."
    )


def _planning_summary(s: DipSample) -> str:
    total = sum(c.actions.total for c in s.cases)
    if not total:
        return "No actions were agreed for the sampled cases."
    both = sum(c.actions.owner_and_due for c in s.cases)
    due = sum(
        c.actions.completed_on_time + c.actions.completed_late + c.actions.overdue for c in s.cases
    )
    on_time = sum(c.actions.completed_on_time for c in s.cases)
    focused = _count(s, lambda c: bool(c.actions.perpetrator_focused))
    text = (
        f"{_plural(total, 'action')} agreed for the {_plural(len(s.cases), 'case')}; "
        f"with a named owner and a due date: {_of(both, total)}. Cases with a perpetrator-focused "
        f"action: {_of(focused, len(s.cases))}."
    )
    if not due:
        return f"{text} No action was due by {fmt_date(s.as_of)}."
    return f"{text} Completed on time, of those due by {fmt_date(s.as_of)}: {_of(on_time, due)}."


def _volume_summary(s: DipSample) -> str:
    if not s.meetings_held:
        return "No meetings held in the period."
    average = s.hearings / s.meetings_held
    return (
        f"In the period, {_plural(s.meetings_held, 'meeting')} heard "
        f"{_plural(s.hearings, 'case')}: {average:.1f} a meeting on average (SafeLives treats "
        "15–20 cases a meeting as the upper limit)."
    )


def _recording_summary(s: DipSample) -> str:
    meetings = {(c.panel, c.meeting_date): c for c in s.cases}
    on_time = sum(1 for c in meetings.values() if c.minutes_on_time)
    return (
        f"Minutes recorded as circulated on time for {_of(on_time, len(meetings))} meetings "
        f"of the sampled cases. Risks recorded in all four areas: "
        f"{_of(_count(s, lambda c: len(c.risks_recorded) == len(_RISK_AREAS)), len(s.cases))}."
    )


def _support_summary(s: DipSample) -> str:
    requested = _count(s, lambda c: bool(c.research.asked))
    text = f"Research requested for {_of(requested, len(s.cases))} cases."
    with_actions = [c for c in s.cases if c.actions.total]
    if not with_actions:
        return text
    chased = sum(1 for c in with_actions if c.actions.updates)
    return (
        f"{text} Action updates recorded for {_of(chased, len(with_actions))} cases with actions."
    )


def _governance_summary(s: DipSample) -> str:
    meetings = {(c.panel, c.meeting_date): c for c in s.cases}
    read = sum(1 for c in meetings.values() if c.confidentiality_read)
    quorate = sum(1 for c in meetings.values() if c.quorate)
    return (
        f"Of the {_plural(len(meetings), 'meeting')} that heard the sampled cases: confidentiality "
        f"statement read at {_of(read, len(meetings))}, quorate {_of(quorate, len(meetings))}."
    )


PRINCIPLE_CHECKS: tuple[Principle, ...] = (
    Principle(
        "Identification",
        "Victims at high risk are identified with a recognised risk tool, and every case heard "
        "meets a referral criterion.",
        (
            "Was a risk checklist completed, and is its score recorded?",
            "Does the case meet a referral criterion, and is that criterion recorded?",
            "Where professional judgement was the criterion, does the referral say why?",
        ),
        (
            Column("Risk checklist", 58, _checklist),
            Column("Criteria recorded", 48, _criteria),
            Column("Professional judgement", 30, _judgement_reason),
        ),
        _identification_summary,
    ),
    Principle(
        "Referral",
        "Referrals are complete, made promptly, and repeats are recognised as repeats.",
        (
            "Was the referral complete enough for agencies to research the case?",
            "If this is a repeat, was it identified as one, and were the earlier actions reviewed?",
            "Was the case heard promptly after it was referred?",
            "Was the victim told about the referral, or is the reason recorded?",
        ),
        (
            Column("Referred", 42, _referred),
            Column("Missing from the referral", 46, _missing),
            Column("Repeat", 34, _repeat),
            Column("Victim aware", 18, lambda c: _TRI_STATE.get(c.victim_aware, c.victim_aware)),
        ),
        _referral_summary,
    ),
    Principle(
        "Multi-agency engagement",
        "The agencies that hold information about the family take part: they research their "
        "records, attend, or send their information.",
        (
            "Were the agencies relevant to this case present, or did they send information?",
            "Did the agencies asked for research return it in time for the meeting?",
            "Is any agency's absence from this case a pattern the steering group should raise?",
        ),
        (
            Column("Agencies present", 72, _present),
            Column("Apologies", 32, _apologies),
            Column("Research returned", 34, _research),
        ),
        _engagement_summary,
    ),
    Principle(
        "Victim representation",
        "The victim's voice is heard at the meeting, through an IDVA, and shapes the safety plan.",
        (
            "Was an IDVA (or another advocate) at the meeting to speak for the victim?",
            "Are the victim's views, wishes and fears recorded?",
            "Does the safety plan reflect what the victim wants, or say why not?",
        ),
        (
            Column("IDVA at the meeting", 44, lambda c: _IDVA[c.idva_attendance]),
            Column("Victim's voice recorded", 30, lambda c: _yes_no(c.victim_voice_recorded)),
            Column("IDVA actions", 22, lambda c: str(c.actions.idva_owned)),
        ),
        _representation_summary,
    ),
    Principle(
        "Information sharing",
        "Agencies share what is relevant and proportionate to the risks, keeping fact apart "
        "from opinion.",
        (
            "Was the information shared relevant and proportionate to the risks?",
            "Is fact kept apart from opinion in what was recorded?",
            "Was information about the children shared where there are children?",
        ),
        (
            Column("Agency contributions", 50, _contributions),
            Column("Children in the household", 30, _children),
            Column("Risks identified", 56, _risks),
        ),
        _sharing_summary,
    ),
    Principle(
        "Action planning",
        "Every risk identified has an action with an owner and a timescale, some actions "
        "address the perpetrator, and actions are done.",
        (
            "Does each risk identified have an action that addresses it?",
            "Does every action have a named owner and a due date?",
            "Is there at least one action aimed at the perpetrator's behaviour?",
            "Were the actions completed on time, or the reason recorded?",
        ),
        (
            Column("Actions", 15, lambda c: str(c.actions.total)),
            Column("Owner named and due date", 28, _owner_and_due),
            Column("Linked to a risk", 24, _linked),
            Column("Perpetrator-focused", 22, _perpetrator_focused),
            Column("Progress", 52, _progress),
        ),
        _planning_summary,
    ),
    Principle(
        "Volume",
        "The MARAC hears the cases it should, and each case has the time it needs.",
        (
            "Did the meeting's case list leave enough time to discuss this case properly?",
            "Was the time spent on the case in proportion to its risks?",
        ),
        (
            Column("Cases heard that meeting", 36, _cases_at_meeting),
            Column("Time on this case", 36, _time_on_case),
        ),
        _volume_summary,
    ),
    Principle(
        "Recording",
        "The minutes are an accurate record of the risks, the actions and the decision, and "
        "reach agencies promptly.",
        (
            "Do the minutes record the risks, the actions and the outcome clearly?",
            "Were the minutes circulated within the protocol's deadline?",
            "Could an agency act on this record without having been at the meeting?",
        ),
        (
            Column("Outcome", 32, lambda c: CASE_OUTCOME_LABELS.get(c.outcome, c.outcome)),
            Column("Minutes circulated", 52, _minutes),
            Column("Risks recorded", 26, _risk_areas),
        ),
        _recording_summary,
    ),
    Principle(
        "Operational support",
        "The coordinator's work — listing, research requests, minutes and chasing actions — "
        "lets the meeting do its job.",
        (
            "Was the case listed, and its research requested, in time for agencies to prepare?",
            "Were the case's actions followed up and their progress recorded?",
            "Did anything in the process delay or weaken the response to this case?",
        ),
        (
            Column(
                "Research requested", 30, lambda c: _plural(c.research.asked, "agency", "agencies")
            ),
            Column("Referral to hearing", 28, lambda c: _plural(c.days_to_hearing, "day")),
            Column("Heard in the period", 26, _hearings),
            Column("Action updates", 34, _updates),
        ),
        _support_summary,
    ),
    Principle(
        "Governance",
        "The MARAC runs under its protocol: confidentiality, quorum, and issues taken to the "
        "steering group.",
        (
            "Was the confidentiality statement read, and did any observers sign it?",
            "Was the meeting quorate?",
            "Does this case raise anything the steering group should act on?",
        ),
        (
            Column("Confidentiality statement read", 32, lambda c: _yes_no(c.confidentiality_read)),
            Column("Quorum", 52, _quorum),
            Column("Observers", 34, _observers),
        ),
        _governance_summary,
    ),
)
# SafeLives' ten principles of an effective MARAC, in its order.
PRINCIPLES: tuple[str, ...] = tuple(p.name for p in PRINCIPLE_CHECKS)


# ----- the document -----------------------------------------------------------------------------


def _boxes(*labels: str) -> Paragraph:
    """Tick boxes, one a line, large enough to tick by hand."""
    sty = styles()
    style = ParagraphStyle("boxes", parent=sty.cell, fontSize=9, leading=12.5)
    lines = [f"{BOX}\u00a0{escape(label)}" for label in labels]
    return Paragraph("<br/>".join(lines), style)


def _blank(lines: int) -> Paragraph:
    """An empty cell `lines` lines high, to write in."""
    return Paragraph("<br/>".join(["\u00a0"] * lines), styles().cell)


def _redraw_command(sample: DipSample) -> str:
    panel = f' --panel "{sample.panel}"' if sample.panel else ""
    return (
        f"marac-desk report dip-sample --from {sample.start.isoformat()} --to "
        f"{sample.end.isoformat()} --n {sample.requested} --seed {sample.seed}{panel} "
        "--out FILE.pdf"
    )


def _sample_text(sample: DipSample) -> str:
    if sample.took_all:
        return (
            f"All {_plural(sample.population, 'case')} heard in the period: "
            f"{sample.requested} were asked for, so every case is included."
        )
    return f"{sample.requested} of the {sample.population} cases heard, drawn at random."


def _period_text(sample: DipSample) -> str:
    dates = f"{fmt_date(sample.start)} to {fmt_date(sample.end)}"
    if sample.period_label == f"{fmt_date(sample.start)} – {fmt_date(sample.end)}":
        return dates
    return f"{sample.period_label} ({dates})"


def _population_text(sample: DipSample) -> str:
    text = _plural(sample.population, "case")
    if sample.meetings_held:
        at = _plural(sample.meetings_held, "meeting")
        text += f", heard {_plural(sample.hearings, 'time')} at {at}"
    return text


_FACT_WIDTHS = (62.0, _PAGE_WIDTH - 62.0)


def _opening(sample: DipSample) -> list[Any]:
    sty = styles()
    panel = sample.panel or "All panels"
    return [
        para("QA dip sample: checklist", sty.title),
        para(" · ".join(p for p in (sample.partnership, panel) if p), sty.subtitle),
        facts(
            [
                ("Cases heard in", _period_text(sample)),
                ("Panel", panel),
                ("Cases heard (the population)", _population_text(sample)),
                ("Sample", _sample_text(sample)),
                ("Seed", str(sample.seed)),
                ("Facts as of", long_date(sample.as_of)),
            ],
            _FACT_WIDTHS,
        ),
        gap(4),
    ]


def _sample_table(sample: DipSample) -> list[Any]:
    many_panels = sample.panel is None and len({c.panel for c in sample.cases}) > 1
    header = ["#", "Case reference", "Referred", "Referred by", "Heard", "Outcome", "Repeat"]
    widths = [_NUMBER, 34.0, 24.0, 62.0, 24.0, 38.0, 16.0]
    if many_panels:
        header.insert(2, "Panel")
        widths.insert(2, 45.0)
    widths.append(_PAGE_WIDTH - sum(widths))
    header.append("Heard in the period")
    rows = []
    for c in sample.cases:
        by = c.referring_agency + (f" and {c.joint_agency} (joint)" if c.joint_agency else "")
        row = [
            str(c.number),
            c.case_ref,
            nowrap(fmt_date(c.referral_date)),
            by,
            nowrap(fmt_date(c.meeting_date)),
            CASE_OUTCOME_LABELS.get(c.outcome, c.outcome),
            "Yes" if c.is_repeat else "No",
            _hearings(c),
        ]
        if many_panels:
            row.insert(2, c.panel)
        rows.append(row)
    return titled_table("The sampled cases", header, rows, widths, level=1)


def _method(sample: DipSample) -> list[Any]:
    sty = styles()
    return [
        CondPageBreak(60 * mm),
        para("About this checklist", sty.heading),
        facts(
            [
                (
                    "How the sample was drawn",
                    "Every case heard in the period was put in order of case reference and "
                    f"shuffled with the seed (Python's random.Random({sample.seed}), a partial "
                    "Fisher–Yates shuffle); the first cases of the shuffle are the sample. The "
                    "same store, period, panel, sample size and seed always draw the same cases. "
                    "A case heard more than once in the period is checked at its first hearing.",
                ),
                ("To draw it again", _redraw_command(sample)),
                (
                    "Identifiers",
                    "Case references only: no names, dates of birth or addresses. Open a case "
                    "in MARAC Desk by its reference to read the referral, the minutes and the "
                    "actions.",
                ),
                (
                    "How to use it",
                    "Each of SafeLives' ten principles of an effective MARAC has a section: the "
                    "questions to answer, what MARAC Desk recorded for each sampled case, boxes "
                    "for your judgement on the case, room for notes, and your finding on the "
                    "principle. The questions are MARAC Desk's own wording; answer them from the "
                    "referral, the minutes and the actions of each case.",
                ),
            ],
            _FACT_WIDTHS,
        ),
        gap(4),
        table(
            ("Reviewer", "Agency and role", "Date of review", "Signature"),
            [[_blank(2), _blank(2), _blank(2), _blank(2)]],
            (75.0, 75.0, 45.0, _PAGE_WIDTH - 195.0),
        ),
    ]


def _principle(number: int, principle: Principle, sample: DipSample) -> list[Any]:
    sty = styles()
    fact_width = sum(c.width for c in principle.columns)
    notes = _PAGE_WIDTH - _NUMBER - _CASE - fact_width - _JUDGEMENT
    header = ["#", "Case", *(c.title for c in principle.columns), "Met?", "Notes"]
    widths = [_NUMBER, _CASE, *(c.width for c in principle.columns), _JUDGEMENT, notes]
    rows: list[list[str | Paragraph]] = [
        [
            str(case.number),
            case.case_ref,
            *(column.value(case) for column in principle.columns),
            _boxes("Yes", "Partly", "No"),
            "",
        ]
        for case in sample.cases
    ]
    questions = [
        Paragraph(f"{number}.{i}\u2002{escape(q)}", sty.body)
        for i, q in enumerate(principle.questions, start=1)
    ]
    intro = KeepTogether(
        [
            para(f"{number}. {principle.name}", sty.heading),
            para(principle.aim, sty.note),
            *questions,
            Paragraph(f"<b>In the sample:</b> {escape(principle.summary(sample))}", sty.small),
        ]
    )
    finding = table(
        (f"Your finding on {principle.name.lower()}", "Notes and recommendations"),
        [[_boxes("Met", "Partly met", "Not met"), _blank(3)]],
        (62.0, _PAGE_WIDTH - 62.0),
    )
    return [
        CondPageBreak(95 * mm),
        intro,
        gap(2),
        *titled_table(f"{number}. {principle.name}: the sampled cases", header, rows, widths),
        gap(3),
        KeepTogether([finding]),
    ]


def _closing() -> list[Any]:
    sty = styles()
    return [
        CondPageBreak(90 * mm),
        para("Overall findings for the steering group", sty.heading),
        para(
            "Strengths, gaps, and what the steering group is asked to do. Note any case that "
            "needs action now (for example, a risk with no action) and tell the coordinator by "
            "its case reference.",
            sty.note,
        ),
        table(
            ("Findings and recommendations",),
            [[_blank(12)]],
            (_PAGE_WIDTH,),
        ),
        gap(3),
        table(
            ("Reviewed by", "Date", "Presented to the steering group on"),
            [[_blank(2), _blank(2), _blank(2)]],
            (120.0, 60.0, _PAGE_WIDTH - 180.0),
        ),
    ]


def qa_checklist_title(sample: DipSample) -> str:
    who = sample.panel or sample.partnership or "MARAC"
    return f"{who}: QA dip sample"


def build_qa_checklist(
    sample: DipSample,
    *,
    generated_at: datetime,
    marking: str = DEFAULT_MARKING,
    password: str | None = None,
) -> bytes:
    """The checklist as PDF bytes; the same sample and `generated_at` give the same bytes."""
    if not sample.cases:
        raise ValueError("A dip sample needs at least one case.")
    furniture = Furniture(
        title=qa_checklist_title(sample),
        date_text=f"Cases heard {sample.period_label}",
        marking=marking,
        generated_at=generated_at,
    )
    story: list[Any] = [*_opening(sample), *_sample_table(sample), *_method(sample)]
    for number, principle in enumerate(PRINCIPLE_CHECKS, start=1):
        story += _principle(number, principle, sample)
    story += _closing()
    return build_pdf(
        story,
        furniture,
        landscape_pages=True,
        subject=f"{marking} QA dip sample",
        password=password,
    )
