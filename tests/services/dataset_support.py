"""Builders for the national return and dip-sample tests: referrals with the facts the returns
count, heard at meetings, all through the services."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from marac_desk.services import meetings, referrals
from marac_desk.services.referrals import ChildInput, PerpetratorInput, PersonInput, ReferralInput
from marac_desk.services.session import OpenStore
from tests.services.meeting_support import TODAY

_SURNAMES = ("Abernethy", "Okonkwo", "Lindqvist", "Marchetti", "Nakamura", "Oyelaran",
             "Pietrowski", "Quintero", "Rasmussen", "Szabo", "Tremblay", "Uchenna")  # fmt: skip
_numbers = itertools.count()


def refer(
    opened: OpenStore,
    on: date,
    *,
    agency: str = "Police",
    joint: str = "",
    victim_dob: date | None = date(1990, 4, 12),
    gender: str = "female",
    perpetrator_dobs: tuple[date | None, ...] = (date(1985, 1, 1),),
    children: int = 0,
    children_status: str = "not_known",
    panel: str = "Northtown MARAC",
    **facts: Any,
) -> int:
    """A referral with a victim no other referral could be matched with; returns its id."""
    n = next(_numbers)
    surname = f"{_SURNAMES[n % len(_SURNAMES)]}{n}"
    inp = ReferralInput(
        referral_date=on,
        referring_agency=agency,
        joint_agency=joint,
        panel=panel,
        victim=PersonInput(f"Victim{n}", surname, victim_dob, gender=gender),
        perpetrators=tuple(
            PerpetratorInput(f"Perp{n}x{i}", surname, dob, relationship_to_victim="ex_partner")
            for i, dob in enumerate(perpetrator_dobs)
        ),
        children=tuple(ChildInput(f"Child{n}x{i}", surname) for i in range(children)),
        children_status=children_status,
        victim_facts={"victim_gender": gender, **facts},
        crit_visible_high_risk=True,
        risk_score=15,
    )
    return referrals.create_referral(opened.store, opened.actor, inp, today=TODAY).id


def hear(
    opened: OpenStore, meeting_id: int, referral_id: int, outcome: str = "heard_closed"
) -> int:
    """List the referral at the meeting and record the outcome; returns the meeting case id."""
    s, a = opened.store, opened.actor
    case_id = meetings.add_case(s, a, meeting_id, referral_id)
    if outcome != "pending":
        meetings.set_outcome(s, a, case_id, outcome, "no time" if outcome == "deferred" else "")
    return case_id
