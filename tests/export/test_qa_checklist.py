"""The QA dip-sample checklist as a reviewer reads it: the seed, the sample, the ten principles in
SafeLives' order, tick boxes, the marking on every page; nothing typed as markup restyles it."""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from marac_desk.export.model import DEFAULT_MARKING
from marac_desk.export.qa_checklist import BOX, PRINCIPLES, build_qa_checklist
from marac_desk.export.qa_model import ActionFacts, DipSample, ResearchFacts, SampledCase

GENERATED_AT = datetime(2026, 10, 5, 9, 30)
SAFELIVES_ORDER = (
    "Identification",
    "Referral",
    "Multi-agency engagement",
    "Victim representation",
    "Information sharing",
    "Action planning",
    "Volume",
    "Recording",
    "Operational support",
    "Governance",
)


def _case(number: int, **kw: object) -> SampledCase:
    base = SampledCase(
        number=number,
        case_ref=f"NT-2026-{number:05d}",
        panel="Northtown MARAC",
        meeting_date=date(2026, 4, 8),
        outcome="heard_closed",
        referral_date=date(2026, 3, 20),
        referring_agency="Police",
        risk_tool="checklist",
        risk_score=16,
        criteria=("visible_high_risk",),
        agencies_present=("IDVA", "Police", "Housing"),
        idva_attendance="present",
        research=ResearchFacts(requested=1, received=3, nothing_held=1),
        victim_voice_recorded=True,
        risks_recorded=("victim",),
        actions=ActionFacts(
            total=4,
            owner_named=3,
            with_due_date=4,
            owner_and_due=3,
            linked_to_risk=2,
            perpetrator_focused=1,
            completed_on_time=2,
            overdue=1,
            open_not_due=1,
            updates=2,
        ),
        cases_heard_at_meeting=12,
        minutes_circulated_on=date(2026, 4, 10),
        minutes_due_on=date(2026, 4, 13),
        confidentiality_read=True,
        quorate=True,
        quorum_note="Quorate: 3 agencies present, including Police and IDVA.",
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def _sample(size: int = 3, **kw: object) -> DipSample:
    base = DipSample(
        partnership="Northtown Community Safety Partnership",
        panel="Northtown MARAC",
        period_label="Q1 2026/27",
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        seed=31337,
        requested=size,
        population=40,
        cases=tuple(_case(i) for i in range(1, size + 1)),
        as_of=date(2026, 10, 1),
        meetings_held=12,
        hearings=44,
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def _pages(data: bytes) -> list[str]:
    return [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in PdfReader(io.BytesIO(data)).pages
    ]


def test_the_seed_the_population_and_how_to_redraw_are_printed() -> None:
    text = " ".join(_pages(build_qa_checklist(_sample(), generated_at=GENERATED_AT)))
    assert "QA dip sample: checklist" in text
    assert "Seed 31337" in text
    assert "Q1 2026/27 (1 Apr 2026 to 30 Jun 2026)" in text
    assert "40 cases, heard 44 times at 12 meetings" in text
    assert "3 of the 40 cases heard, drawn at random." in text
    assert (
        "marac-desk report dip-sample --from 2026-04-01 --to 2026-06-30 --n 3 --seed 31337 "
        '--panel "Northtown MARAC" --out FILE.pdf'
    ) in text
    for n in (1, 2, 3):
        assert f"NT-2026-{n:05d}" in text


def test_taking_every_case_is_said_plainly() -> None:
    sample = _sample(3, requested=10, population=3)
    text = " ".join(_pages(build_qa_checklist(sample, generated_at=GENERATED_AT)))
    assert "All 3 cases heard in the period: 10 were asked for, so every case is included." in text


def test_the_ten_principles_come_in_safelives_order_with_questions_and_boxes() -> None:
    assert PRINCIPLES == SAFELIVES_ORDER
    text = " ".join(_pages(build_qa_checklist(_sample(), generated_at=GENERATED_AT)))
    positions = [text.index(f"{n}. {name}") for n, name in enumerate(SAFELIVES_ORDER, start=1)]
    assert positions == sorted(positions)
    for n in range(1, 11):
        assert f"{n}.1 " in text  # each principle has its questions
    # One judgement per case per principle, and one finding per principle.
    assert text.count(f"{BOX} Partly met") == 10
    assert text.count(f"{BOX} Partly") == 10 * 3 + 10
    assert "Overall findings for the steering group" in text


def test_the_facts_are_worded_for_a_reviewer() -> None:
    case = _case(
        1,
        joint_agency="IDVA",
        criteria=("professional_judgement", "repeat"),
        judgement_reason_recorded=False,
        is_repeat=True,
        previous_referral_on=date(2025, 11, 4),
        missing=("sexual orientation", "safe contact"),
        idva_attendance="apologies_sent",
        minutes_circulated_on=date(2026, 4, 15),
        cases_heard_at_meeting=22,
        seconds_on_case=754,
    )
    text = " ".join(
        _pages(build_qa_checklist(_sample(1, cases=(case,)), generated_at=GENERATED_AT))
    )
    for expected in (
        "Score 16 recorded on the referral (checklist)",
        "Professional judgement, repeat",
        "Reason missing",
        "20 Mar 2026 by Police and IDVA (joint)",
        "Sexual orientation; safe contact",
        "Yes: previous referral 4 Nov 2025",
        "Apologies, information sent",
        "4 of 5 agencies asked (1 held nothing)",
        "3 of 4 (75%)",
        "Yes (1)",
        "2 completed on time; 1 overdue; 1 open, not yet due",
        "22: above the limit of 20",
        "13 min (15 allotted)",
        "15 Apr 2026 (due 13 Apr 2026: late)",
    ):
        assert expected in text, expected


def test_marking_and_page_numbers_on_every_page() -> None:
    pages = _pages(build_qa_checklist(_sample(12), generated_at=GENERATED_AT, marking="SECRET X"))
    assert len(pages) > 10
    for number, text in enumerate(pages, start=1):
        assert text.count("SECRET X") >= 2, f"page {number}: marking top and bottom"
        assert f"Page {number} of {len(pages)}" in text
        assert "Generated 5 Oct 2026 09:30" in text
    default = _pages(build_qa_checklist(_sample(1), generated_at=GENERATED_AT))
    assert all(page.count(DEFAULT_MARKING) >= 2 for page in default)


def test_same_sample_same_bytes() -> None:
    first = build_qa_checklist(_sample(), generated_at=GENERATED_AT)
    assert build_qa_checklist(_sample(), generated_at=GENERATED_AT) == first


def test_markup_in_agency_and_panel_names_prints_literally() -> None:
    case = _case(1, referring_agency="<b>Police</b> & Co", panel="<font size=40>Big</font>")
    sample = _sample(1, cases=(case,), panel="A <i>panel</i>", partnership="X &amp; Y")
    text = " ".join(_pages(build_qa_checklist(sample, generated_at=GENERATED_AT)))
    assert "<b>Police</b> & Co" in text
    assert "A <i>panel</i>" in text and "X &amp; Y" in text


def test_an_empty_sample_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one case"):
        build_qa_checklist(_sample(0), generated_at=GENERATED_AT)
