"""A realistic meeting for the document tests and benchmarks/documents.py: 20 cases by default,
several actions each, notes long enough to wrap, earlier actions under review, and names in
several scripts. Deterministic for a seed."""

from __future__ import annotations

import io
import random
import unicodedata
from datetime import date, datetime, time, timedelta

from pypdf import PdfReader

from marac_desk.export.model import (
    Action,
    Approval,
    Attendee,
    Case,
    Meeting,
    MeetingDetails,
    OutstandingAction,
    Person,
    ResearchReturn,
    Risks,
    SharedNote,
)

MEETING_ID = 41
MEETING_DATE = date(2025, 3, 5)
AGENCIES: tuple[str, ...] = (
    "Police",
    "IDVA",
    "Children's Social Care",
    "Housing",
    "Probation",
    "Primary Care",
    "Mental Health",
    "Substance Misuse",
    "Adult Social Care",
    "Acute Trust",
    "Education",
    "Voluntary Sector",
)
FIRST = (
    "Sarah",
    "Emma",
    "Aisha",
    "Joanne",
    "Kerry",
    "Danielle",
    "Priya",
    "Agnieszka",
    "Chloe",
    "Mohammed",
    "Leanne",
    "Ruth",
    "Gemma",
    "Bethany",
    "Olena",
)
LAST = (
    "Hughes",
    "Patel",
    "Kowalski",
    "Begum",
    "Thompson",
    "O'Neill",
    "Robinson",
    "Ahmed",
    "Walker",
    "Evans",
    "Nowak",
    "Clarke",
    "Osei",
    "Murphy",
    "Khan",
)
# Professionals (action owners, attendees) and perpetrators come from other pools than victims,
# so a test looking for a victim's name cannot be fooled by a namesake.
PRO_FIRST = ("Ruth", "Dev", "Marcus", "Alison", "Tom", "Nadia", "Colin", "Fiona", "Grace")
PRO_LAST = ("Fenwick", "Ashdown", "Quarry", "Lindqvist", "Petrakis", "Brennan", "Ogunleye")
PERP_FIRST = ("Darren", "Wayne", "Kyle", "Lee", "Jason", "Arkadiusz", "Imran", "Craig", "Stuart")
PERP_LAST = ("Hollis", "Turnbull", "Pryce", "Maddox", "Vance", "Szymański", "Rourke")
# Names the export tests check survive the round trip through the PDF.
WORLD_NAMES: tuple[Person, ...] = (
    Person("فاطمة", "الزهراء", date(1990, 4, 2)),
    Person("Łukasz", "Wójcik-Żółć", date(1984, 11, 30)),
    Person("Thị Ánh", "Nguyễn", date(1995, 1, 17)),
    Person("Şükrü Çağlayan", "Işık", date(1979, 6, 8)),
)
SENTENCES = (
    "Victim disclosed that the perpetrator has been waiting outside her workplace most evenings.",
    "Two call-outs in the last month; on the second the perpetrator had left before officers "
    "arrived.",
    "Children attend the local primary school; attendance has dropped to 78% this term.",
    "The perpetrator is subject to a community order with an unpaid work requirement.",
    "Housing has a management transfer application open; the victim prefers to stay in area.",
    "GP records show repeated attendance for anxiety and a recent prescription for sleep problems.",
    "Perpetrator missed his last two probation appointments and has not been seen since Friday.",
    "There are concerns about financial control: the victim has no access to the joint account.",
    "Victim reports the perpetrator has threatened to take the children abroad.",
    "Nothing held on the perpetrator beyond a 2019 referral for alcohol misuse, now closed.",
)
ACTIONS = (
    "Flag the address for an urgent response and arrange a safety visit within 48 hours.",
    "Complete a child and family assessment and share the outcome with the IDVA.",
    "Fit additional security (door chain, window locks, letterbox guard) through the sanctuary "
    "scheme.",
    "Raise a breach with the court if the perpetrator misses his next appointment.",
    "Offer a GP appointment and screen for depression at the next contact.",
    "Discuss a Claire's Law disclosure with the victim and record her views.",
    "Check whether the perpetrator's new address has children living there.",
    "Refer to the specialist service for an interpreter-led support session.",
    "Share the safety plan with the school's designated safeguarding lead.",
)
RISKS = (
    "Stalking at workplace",
    "Threats to kill",
    "Child abduction",
    "Financial control",
    "Escalation after separation",
)


def _dob(rng: random.Random, year: int) -> date:
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def _perpetrator(rng: random.Random) -> Person:
    born = _dob(rng, rng.randint(1965, 2000))
    return Person(rng.choice(PERP_FIRST), rng.choice(PERP_LAST), born)


def _child(rng: random.Random, surname: str) -> Person:
    return Person(
        rng.choice(("Mia", "Leo", "Ava", "Noah", "Zara", "Kai")),
        surname,
        _dob(rng, rng.randint(2010, 2022)),
    )


def _professional(rng: random.Random) -> str:
    return f"{rng.choice(PRO_FIRST)} {rng.choice(PRO_LAST)}"


def _slot(position: int) -> time:
    minutes = 9 * 60 + 30 + 10 * (position - 1)
    return time(minutes // 60, minutes % 60)


def sample_meeting(
    cases: int = 20,
    *,
    seed: int = 1,
    actions_per_case: tuple[int, int] = (3, 6),
    approved: bool = False,
) -> Meeting:
    rng = random.Random(seed)
    details = MeetingDetails(
        meeting_id=MEETING_ID,
        partnership="Northtown Community Safety Partnership",
        panel="Northtown MARAC",
        meeting_date=MEETING_DATE,
        start_time=time(9, 30),
        end_time=time(13, 5),
        venue="Committee Room 2, Northtown Civic Centre",
        chair="DI Helen Marsh (Police)",
        minute_taker="Sam Coordinator",
        status="held",
    )
    action_id = 1000
    listed: list[Case] = []
    victim_names = rng.sample([(first, last) for first in FIRST for last in LAST], cases)
    for position in range(1, cases + 1):
        ref = f"NT-2025-{position:04d}"
        victim = (
            WORLD_NAMES[(position - 1) // 5]
            if position % 5 == 1 and (position - 1) // 5 < len(WORLD_NAMES)
            else Person(*victim_names[position - 1], _dob(rng, rng.randint(1970, 2004)))
        )
        actions = []
        for _ in range(rng.randint(*actions_per_case)):
            action_id += 1
            agency = rng.choice(AGENCIES)
            actions.append(
                Action(
                    action_id=action_id,
                    meeting_id=MEETING_ID,
                    meeting_date=MEETING_DATE,
                    case_ref=ref,
                    owner_agency=agency,
                    owner_person=_professional(rng),
                    text=rng.choice(ACTIONS),
                    linked_risk=rng.choice(RISKS),
                    category="victim_safety",
                    due_date=MEETING_DATE + timedelta(days=rng.choice((7, 14, 28))),
                )
            )
        repeat = position % 3 == 0
        deferred = position == cases and cases > 3
        listed.append(
            Case(
                position=position,
                case_ref=ref,
                victim=victim,
                referring_agency=rng.choice(AGENCIES[:6]),
                is_repeat=repeat,
                previous_referral_on=MEETING_DATE - timedelta(days=200) if repeat else None,
                perpetrators=(_perpetrator(rng),),
                children=tuple(_child(rng, victim.last_name) for _ in range(position % 3)),
                time_slot=_slot(position),
                risk_tool="DASH",
                risk_score=rng.randint(10, 22),
                risk_max=24,
                risk_band="High",
                criteria_met=("visible_high_risk", "repeat") if repeat else ("visible_high_risk",),
                victim_voice=" ".join(rng.sample(SENTENCES, 2)),
                shared=tuple(
                    SharedNote(
                        agency=rng.choice(AGENCIES),
                        text=" ".join(rng.sample(SENTENCES, rng.randint(1, 3))),
                        kind=rng.choice(("fact", "fact", "opinion")),
                    )
                    for _ in range(rng.randint(3, 6))
                ),
                risks=Risks(
                    to_victim=rng.choice(RISKS),
                    to_children="Exposure to abuse; possible abduction" if position % 3 else "",
                    to_others="",
                    to_professionals="Perpetrator hostile to housing officers"
                    if position % 4 == 0
                    else "",
                ),
                actions=tuple(actions) if not deferred else (),
                outcome="deferred" if deferred else rng.choice(("heard_open", "heard_closed")),
                outcome_reason="Referrer unable to attend; relisted for next week"
                if deferred
                else "",
                research=tuple(
                    ResearchReturn(agency, rng.choice(("requested", "received", "nothing_held")))
                    for agency in AGENCIES
                ),
            )
        )
    outstanding = []
    for n, status in enumerate(
        ("completed", "not_possible", "not_undertaken", "carried_forward", "open", "open")
    ):
        earlier = MEETING_DATE - timedelta(days=28 + 7 * n)
        outstanding.append(
            OutstandingAction(
                action=Action(
                    action_id=900 + n,
                    meeting_id=30 + n,
                    meeting_date=earlier,
                    case_ref=f"NT-2024-{n + 900:04d}",
                    owner_agency=AGENCIES[n % 4],
                    owner_person="Pat Fenwick",
                    text=ACTIONS[n],
                    linked_risk=RISKS[n % len(RISKS)],
                    due_date=MEETING_DATE + timedelta(days=14)
                    if status == "carried_forward"
                    else earlier + timedelta(days=14),
                    status=status,
                    completed_on=MEETING_DATE - timedelta(days=3)
                    if status == "completed"
                    else None,
                    status_note={
                        "not_possible": "Victim moved out of area on 20 February",
                        "not_undertaken": "No capacity in the team; escalated to manager",
                        "carried_forward": "Awaiting court date",
                    }.get(status, ""),
                ),
                victim=Person("Earlier", f"Victim{n}", date(1980 + n, 1, 1)),
                previous_due_date=earlier + timedelta(days=14)
                if status == "carried_forward"
                else None,
            )
        )
    attendance = tuple(
        Attendee(
            agency=agency,
            name=_professional(rng),
            status="apologies" if i in (4, 9) else ("observer" if i == 11 else "present"),
            information_sent=i == 4,
            information_sent_on=MEETING_DATE - timedelta(days=1) if i == 4 else None,
            statement_signed=i == 11,
            substitute_for="Jo Bloggs" if i == 2 else "",
        )
        for i, agency in enumerate(AGENCIES)
    )
    return Meeting(
        details=details,
        cases=tuple(listed),
        attendance=attendance,
        confidentiality_read=True,
        outstanding=tuple(outstanding),
        other_business=(
            "Steering group asks for attendance figures by agency for Q4 2024/25.",
            "New IDVA manager starts on 1 April.",
        ),
        next_meeting_date=MEETING_DATE + timedelta(days=7),
        next_meeting_time=time(9, 30),
        approval=Approval("DI Helen Marsh", MEETING_DATE + timedelta(days=2), 2)
        if approved
        else None,
        research_agencies=AGENCIES,
    )


GENERATED_AT = datetime(2025, 3, 6, 14, 2)


def pdf_pages(data: bytes, password: str | None = None) -> list[str]:
    """The text of each page, as a PDF reader (pypdf) extracts it."""
    reader = PdfReader(io.BytesIO(data))
    if password is not None:
        reader.decrypt(password)
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Whitespace (line breaks, no-break spaces) collapsed, Unicode composed (NFKC), so text
    wrapped over lines or drawn in presentation forms compares with what was stored."""
    return " ".join(unicodedata.normalize("NFKC", text).split())
