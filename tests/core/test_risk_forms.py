"""Risk forms as data: the shipped forms, validation of broken definitions, scoring and bands,
"don't know", professional judgement, the referral criteria summary and review dates."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marac_desk.core import risk_forms as rf
from marac_desk.core import synthetic
from marac_desk.core.referral_rules import Thresholds
from marac_desk.core.risk_forms import Answer, FormDefinitionError, ReviewState


def shipped(form_id: str) -> rf.FormDefinition:
    return next(f for f in rf.shipped_forms() if f.form_id == form_id)


def checklist() -> rf.FormDefinition:
    return shipped(rf.DA_CHECKLIST_ID)


def asb() -> rf.FormDefinition:
    return shipped(rf.ASB_MATRIX_ID)


def doc(form_id: str = rf.DA_CHECKLIST_ID) -> dict[str, Any]:
    return copy.deepcopy(dict(shipped(form_id).document))


def problems(document: Any, name: str = "checklist.json") -> list[str]:
    return rf.check_definition(json.dumps(document), name)


def answers(yes: int, dont_know: int = 0, no: int | None = None) -> dict[str, str]:
    """The first `yes` questions yes, the next `dont_know` don't know, the rest no."""
    ids = [q.id for q in checklist().scored_questions]
    out = {qid: "yes" for qid in ids[:yes]}
    out |= {qid: "dont_know" for qid in ids[yes : yes + dont_know]}
    rest = ids[yes + dont_know :] if no is None else ids[yes + dont_know : yes + dont_know + no]
    out |= {qid: "no" for qid in rest}
    return out


# ----- the shipped forms --------------------------------------------------------------------------


def test_the_checklist_is_the_one_demo_assessments_were_answered_on() -> None:
    form = checklist()
    assert form.key == (synthetic.FORM_ID, synthetic.FORM_VERSION)
    assert tuple(q.id for q in form.scored_questions) == synthetic.QUESTION_IDS
    assert [o.id for o in form.options] == ["yes", "no", "dont_know"]
    assert [o.key for o in form.options] == ["Y", "N", "D"]
    assert form.method is rf.ScoringMethod.COUNT and form.count_answers == ("yes",)
    assert form.max_score == 24
    assert form.visible_high_risk == 14
    assert [b.describe() for b in form.bands] == [
        "Standard: 0 to 9",
        "Medium: 10 to 13",
        "High: 14 or more",
    ]
    assert set(form.panel_types) == {"marac", "daily_triage"}


def test_the_checklist_asks_the_24_topics_in_order_in_plain_words() -> None:
    topics = [q.topic.lower() for q in checklist().scored_questions]
    for position, word in [
        (1, "injury"),
        (2, "frightened"),
        (4, "isolation"),
        (6, "separation"),
        (8, "stalking"),
        (9, "pregnancy"),
        (13, "weapons"),
        (14, "threats to kill"),
        (15, "strangulation"),
        (16, "sexual"),
        (19, "animals"),
        (23, "bail"),
        (24, "criminal"),
    ]:
        assert word in topics[position - 1], (position, topics[position - 1])
    for q in checklist().questions:
        assert q.text.endswith("?") and q.help.strip() if q.scored else q.text.endswith("?")


# Phrases of the copyrighted official checklist: our wording must never drift into them.
OFFICIAL_PHRASES = (
    "has the current incident resulted in injury",
    "are you very frightened",
    "what are you afraid of",
    "do you feel isolated",
    "are you feeling depressed",
    "have you separated or tried to separate",
    "is there conflict over child contact",
    "constantly text, call, contact",
    "are you pregnant or have you recently had a baby",
    "is the abuse happening more often",
    "is the abuse getting worse",
    "try to control everything you do",
    "ever used weapons or objects to hurt you",
    "threatened to kill you or someone else and you believed them",
    "attempted to strangle",
    "do or say things of a sexual nature",
    "is there any other person that has threatened you",
    "do you know if",
    "mistreated an animal or the family pet",
    "are there any financial issues",
    "leading to problems in leading a normal life",
    "ever threatened or attempted suicide",
    "broken bail/an injunction",
    "ever been in trouble with the police",
)


def test_the_wording_is_our_own() -> None:
    texts = " ".join(
        f"{q.text} {q.help} {' '.join(f.text for f in q.follow_ups)}".lower()
        for q in checklist().questions
    )
    assert [p for p in OFFICIAL_PHRASES if p in texts] == []


def test_the_stalking_supplement_is_optional_and_never_scored() -> None:
    form = checklist()
    (stalking,) = [s for s in form.sections if s.id == "stalking"]
    assert stalking.optional and not stalking.scored
    assert 8 <= len(stalking.question_ids) <= 12
    every_yes = {q.id: "yes" for q in form.questions}
    only_checklist = {q.id: "yes" for q in form.scored_questions}
    assert rf.evaluate(form, every_yes).score == rf.evaluate(form, only_checklist).score == 24
    assert rf.evaluate(form, {qid: "yes" for qid in stalking.question_ids}).score == 0


def test_the_asb_matrix_is_for_community_marac_with_documented_points() -> None:
    form = asb()
    assert form.panel_types == ("community_marac",)
    assert form.method is rf.ScoringMethod.POINTS
    assert [b.describe() for b in form.bands] == [
        "Low: 0 to 6",
        "Medium: 7 to 14",
        "High: 15 or more",
    ]
    assert form.max_score == 39
    sections = [s.id for s in form.sections]
    assert sections == ["personal", "nuisance", "environmental", "vulnerability", "frequency"]
    assert form.refer_at_band == "high"
    # The description states the cut-offs a coordinator can check the score against.
    assert "0-6" in form.description and "7-14" in form.description


# ----- scoring and bands ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yes", "band", "visible"),
    [
        (0, "standard", False),
        (1, "standard", False),
        (9, "standard", False),
        (10, "medium", False),
        (13, "medium", False),
        (14, "high", True),
        (24, "high", True),
    ],
)
def test_the_checklist_score_is_the_number_of_yes(yes: int, band: str, visible: bool) -> None:
    ev = rf.evaluate(checklist(), answers(yes))
    assert (ev.score, ev.band.id, ev.threshold_met) == (yes, band, visible)
    assert ev.complete


def test_dont_know_is_never_yes() -> None:
    ev = rf.evaluate(checklist(), answers(13, dont_know=11))
    assert ev.score == 13
    assert ev.band.id == "medium"
    assert ev.dont_know == 11
    assert not ev.threshold_met
    assert rf.evaluate(checklist(), answers(0, dont_know=24)).score == 0


def test_unanswered_questions_add_nothing_and_are_listed() -> None:
    ev = rf.evaluate(checklist(), {"q01": "yes", "q02": "no", "q03": "maybe"})
    assert ev.score == 1
    assert ev.answered == 2
    assert ev.unanswered[:2] == ("q03", "q04") and len(ev.unanswered) == 22
    assert not ev.complete


def test_a_setting_can_move_the_visible_high_risk_threshold() -> None:
    ev = rf.evaluate(checklist(), answers(14), visible_high_risk=15)
    assert (ev.threshold, ev.threshold_met) == (15, False)
    assert ev.band.id == "high"  # the bands are the form's


def test_asb_points_add_up_to_the_band() -> None:
    form = asb()
    low = {"n01": "yes", "e01": "yes", "f01": "freq_twice", "x02": "yes"}
    assert rf.evaluate(form, low).score == 4
    assert rf.evaluate(form, low).band.id == "low"
    medium = {"p02": "yes", "p05": "yes", "f01": "freq_3plus", "x01": "yes", "v01": "yes"}
    assert (rf.evaluate(form, medium).score, rf.evaluate(form, medium).band.id) == (11, "medium")
    high = medium | {"p03": "yes", "p04": "yes", "x03": "yes"}
    ev = rf.evaluate(form, high)
    assert (ev.score, ev.band.id, ev.threshold_met) == (18, "high", True)
    every = {q.id: q.options[0] for q in form.questions}
    every["f01"] = "freq_weekly"
    assert rf.evaluate(form, every).score == form.max_score


def test_asb_fire_or_self_harm_is_high_whatever_the_score() -> None:
    form = asb()
    for qid in ("e02", "v02"):
        ev = rf.evaluate(form, {qid: "yes"})
        assert ev.score_band.id == "low"
        assert ev.band.id == "high"
        assert ev.threshold_met
        assert [f.question for f in ev.floors_applied] == [qid]
    hurt = rf.evaluate(form, {"p01": "yes"})
    assert (hurt.score, hurt.band.id) == (4, "medium")


def test_asb_dont_know_scores_nothing_and_raises_nothing() -> None:
    form = asb()
    ev = rf.evaluate(form, {q.id: "dont_know" for q in form.questions})
    assert (ev.score, ev.band.id, ev.dont_know) == (0, "low", len(form.questions))


# ----- professional judgement -------------------------------------------------------------------


def test_judgement_can_raise_the_level_with_a_reason() -> None:
    form = checklist()
    assert rf.check_judgement(form, "medium", "high", "Threats to the children yesterday.") == []
    assert rf.effective_band(form, "medium", "high") == "high"
    assert rf.effective_band(form, "medium", "") == "medium"


def test_judgement_never_lowers_the_level() -> None:
    form = checklist()
    lowered = rf.check_judgement(form, "high", "medium", "The victim has moved away.")
    assert lowered == [
        "Professional judgement can only raise the level: the answers already give high, so "
        "choose a higher level or none."
    ]
    assert rf.check_judgement(form, "high", "high", "Same level.") != []
    # A stored judgement below the answers (written by other means) never lowers what stands.
    assert rf.effective_band(form, "high", "standard") == "high"


def test_judgement_needs_a_written_reason_and_a_real_level() -> None:
    form = checklist()
    assert rf.check_judgement(form, "standard", "high", "   ") == [
        "Professional judgement needs the reason in writing."
    ]
    assert "not a level on this form" in rf.check_judgement(form, "standard", "severe", "x")[0]
    assert rf.check_judgement(form, "standard", "", "a reason but no level") != []
    assert rf.check_judgement(form, "standard", "", "") == []


# ----- referral criteria -------------------------------------------------------------------------


def test_eligibility_says_which_criteria_are_met_and_why() -> None:
    results = rf.eligibility(
        risk_score=15,
        professional_judgement=True,
        judgement_reason="Recent threats with a knife.",
        police_incidents_12m=3,
        is_repeat=False,
    )
    assert rf.criteria_met(results) == (
        "visible_high_risk",
        "professional_judgement",
        "potential_escalation",
    )
    by = {r.criterion: r.reason for r in results}
    assert by["visible_high_risk"] == "Checklist score 15: 14 or more is needed."
    assert by["professional_judgement"] == "Referrer's reason: Recent threats with a knife."
    assert by["potential_escalation"] == (
        "3 police-reported incidents in 12 months; 3 or more is needed."
    )
    assert by["repeat"] == "Not a repeat."


def test_eligibility_at_the_panel_thresholds() -> None:
    limits = Thresholds(visible_high_risk_score=16, escalation_incidents=4)
    results = rf.eligibility(risk_score=15, police_incidents_12m=3, thresholds=limits)
    assert rf.criteria_met(results) == ()
    assert results[0].reason == "Checklist score 15 is below 16."
    assert results[2].reason == "3 police-reported incidents in 12 months; 4 or more is needed."


def test_eligibility_of_a_grade_without_a_score_and_judgement_without_reason() -> None:
    results = rf.eligibility(
        risk_score=None, risk_tool="dara", risk_grade="high", professional_judgement=True
    )
    assert rf.criteria_met(results) == ()
    assert results[0].reason == "No checklist score is recorded (risk from dara, graded high)."
    assert results[1].reason == "Ticked, but the referrer's reason is not written."
    assert rf.criteria_met(rf.eligibility(risk_score=None, is_repeat=True)) == ("repeat",)


# ----- review dates ------------------------------------------------------------------------------


def test_a_review_is_due_six_weeks_after_the_assessment_by_default() -> None:
    assert rf.review_due_date(date(2026, 3, 2)) == date(2026, 4, 13)
    assert rf.review_due_date(date(2026, 3, 2), weeks=8) == date(2026, 4, 27)
    assert rf.review_due_date(date(2026, 12, 28)) == date(2027, 2, 8)
    with pytest.raises(ValueError, match="at least one week"):
        rf.review_due_date(date(2026, 3, 2), weeks=0)


@pytest.mark.parametrize(
    ("due", "state"),
    [
        (None, ReviewState.NONE),
        (date(2026, 4, 12), ReviewState.OVERDUE),
        (date(2026, 4, 13), ReviewState.DUE_SOON),
        (date(2026, 4, 27), ReviewState.DUE_SOON),
        (date(2026, 4, 28), ReviewState.NOT_DUE),
    ],
)
def test_review_states(due: date | None, state: ReviewState) -> None:
    assert rf.review_state(due, today=date(2026, 4, 13)) is state


def test_score_trend() -> None:
    assert [rf.score_trend(10, 14), rf.score_trend(14, 9), rf.score_trend(9, 9)] == [
        "up",
        "down",
        "same",
    ]
    assert rf.score_trend(None, 9) == ""


# ----- answers ------------------------------------------------------------------------------------


def test_answers_are_checked_against_the_form() -> None:
    form = checklist()
    good = {
        "q01": Answer("yes", "Bruised arm", "victim"),
        "q03": Answer("yes", follow_ups=(("q03a", "That he will find her new flat."),)),
        "s01": Answer("dont_know"),
    }
    assert rf.check_answers(form, good) == []
    bad = {
        "q07": Answer("maybe"),
        "q99": Answer("yes"),
        "q17": Answer("no", follow_ups=(("q17a", "His brother"),)),
        "q18": Answer("yes", follow_ups=(("zz", "x"),)),
        "q02": Answer("yes", source="x" * 201),
    }
    assert rf.check_answers(form, bad) == [
        "question q07: 'maybe' is not an answer (use Yes, No, Don't know)",
        "question q99: there is no such question on " + form.title,
        "question q17: follow-up q17a is only asked when the answer is Yes",
        "question q18: it has no follow-up question zz",
        "question q02: the source of information is longer than 200 characters",
    ]


def test_stored_answers_round_trip_and_old_records_read_tolerantly() -> None:
    given_answers = {
        "q01": Answer("yes", "c", "s"),
        "q03": Answer("yes", follow_ups=(("q03a", "x"),)),
    }
    stored = rf.answers_to_json(given_answers)
    assert stored["q01"] == {"answer": "yes", "comment": "c", "source": "s"}
    assert rf.answers_from_json(stored) == given_answers
    odd = rf.answers_from_json({"q01": "yes", "q02": None, "q03": {"comment": 5}})
    assert odd == {"q01": Answer("yes"), "q03": Answer("", "5")}
    assert rf.answers_from_json(["not", "a", "mapping"]) == {}


def test_demo_assessments_display_and_score_as_stored() -> None:
    data = synthetic.generate(120, seed=3, today=date(2026, 3, 18))
    assessments = [r.risk_assessment for r in data.referrals if r.risk_assessment is not None]
    assert assessments
    form = checklist()
    for ra in assessments:
        stored = rf.answers_from_json(ra.answers_json())
        assert rf.check_answers(form, stored) == []
        ev = rf.evaluate(form, stored)
        assert (ev.score, ev.band.id) == (ra.score, ra.band)
        rows = rf.answer_rows(form, stored)
        assert [r.question_id for r in rows[:24]] == list(synthetic.QUESTION_IDS)
        assert sum(r.counts for r in rows) == ra.score


def test_answer_rows_keep_answers_the_form_does_not_have() -> None:
    rows = rf.answer_rows(checklist(), {"q01": Answer("yes"), "old9": Answer("no", "kept")})
    assert rows[0].answer_label == "Yes" and rows[0].counts == 1
    assert rows[-1].question_id == "old9" and rows[-1].comment == "kept"
    assert [r.question_id for r in rf.answer_rows(None, {"q01": Answer("yes")})] == ["q01"]


# ----- validation: messages that name the file, the question and the problem ----------------


def test_the_shipped_definitions_pass_the_schema_and_the_rules() -> None:
    for form in rf.shipped_forms():
        assert problems(dict(form.document), f"{form.form_id}.json") == []


def test_an_undefined_answer_option_is_named_with_its_question() -> None:
    d = doc()
    d["sections"][0]["questions"][6]["options"] = ["yes", "maybe"]
    assert problems(d) == [
        "checklist.json: question q07: answer option 'maybe' is not defined (options)"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["sections"][0]["questions"][4].update(id="q04"),
            "checklist.json: question q04: the id q04 is used twice",
        ),
        (
            lambda d: d["sections"][0]["questions"][3].update(hepl="typo"),
            "checklist.json: question q04: unknown field 'hepl' (a misspelling? fields of your "
            "own must start with 'x-')",
        ),
        (
            lambda d: d["sections"][0]["questions"][1].pop("text"),
            "checklist.json: question q02: 'text' is a required property",
        ),
        (
            lambda d: d["bands"][1].update(min=11),
            "checklist.json: band medium: a score of 10 falls between bands standard and medium",
        ),
        (
            lambda d: d["bands"][1].update(min=9),
            "checklist.json: band medium: it overlaps band standard (a score of 9 would be in "
            "both)",
        ),
        (
            lambda d: d["bands"].reverse(),
            "checklist.json: band medium: bands must be listed from the lowest score to the "
            "highest",
        ),
        (
            lambda d: d["bands"][0].update(min=1),
            "checklist.json: band standard: the lowest band starts at 1, so a score of 0 has no "
            "band",
        ),
        (
            lambda d: d["bands"][2].update(min=25, max=30),
            "checklist.json: band high: it starts at 25 but the highest possible score is 24",
        ),
        (
            lambda d: d["bands"][2].update(max=20),
            "checklist.json: band high: the highest band ends at 20 but scores go up to 24",
        ),
        (
            lambda d: d["thresholds"].update(visible_high_risk=30),
            "checklist.json: thresholds: visible_high_risk is 30 but the highest possible score "
            "is 24",
        ),
        (
            lambda d: d["scoring"].update(count_answers=["yes", "dont_know"]),
            "checklist.json: scoring: answer option 'dont_know' is a don't-know answer and can "
            "never count towards the score",
        ),
        (
            lambda d: d["sections"][1].update(scored=True),
            "checklist.json: section stalking: an optional section cannot be scored (leaving it "
            "out would lower the score)",
        ),
        (
            lambda d: d["sections"][0]["questions"][2]["follow_ups"][0].update(when=["maybe"]),
            "checklist.json: question q03: follow-up q03a: answer option 'maybe' is not defined "
            "(when)",
        ),
        (
            lambda d: d.update(panel_types=["marac", "court"]),
            "checklist.json: panel_types: 'court' is not a panel type (use marac, "
            "community_marac, daily_triage)",
        ),
        (
            lambda d: d.update(version="v2"),
            "checklist.json: version: 'v2' is not a version like '1', '2' or '2.1'",
        ),
        (
            lambda d: d["answer_options"][1].update(key="Y"),
            "checklist.json: answer options 'yes' and 'no' share the key Y (default answer "
            "options)",
        ),
        (
            lambda d: d.update(format=2),
            "checklist.json: format: this file is not in definition format 1",
        ),
    ],
)
def test_broken_definitions_say_where_and_what(change: Any, expected: str) -> None:
    d = doc()
    change(d)
    found = problems(d)
    assert expected in found, found


def test_asb_rules_for_points_and_floors() -> None:
    d = doc(rf.ASB_MATRIX_ID)
    d["sections"][0]["questions"][0]["points"]["dont_know"] = 2
    d["band_floors"][0]["answers"] = ["dont_know"]
    d["band_floors"][1]["band"] = "critical"
    d["sections"][1]["questions"][0]["points"] = {"yes": 0}
    assert problems(d, "asb.json") == [
        "asb.json: question p01: answer option 'dont_know' is a don't-know answer and must score 0",
        "asb.json: question n01: a scored question needs points for at least one answer",
        "asb.json: band floor 1: 'dont_know' is a don't-know answer and cannot raise the band",
        "asb.json: band floor 2: band 'critical' is not defined",
    ]


def test_file_level_problems() -> None:
    assert rf.check_definition(b"\xff\xfe", "f.json") == [
        "f.json: the file is not UTF-8 text (byte 0)"
    ]
    assert rf.check_definition("{", "f.json")[0].startswith("f.json: not valid JSON: ")
    assert rf.check_definition('{"id": 1, "id": 2}', "f.json") == [
        "f.json: not valid JSON: the key 'id' appears twice in one object"
    ]
    assert rf.check_definition("[" * 50_000, "f.json") == [
        "f.json: not valid JSON: nested too deeply"
    ]
    assert rf.check_definition('{"a": NaN}', "f.json") == [
        "f.json: not valid JSON: NaN is not a number JSON allows"
    ]
    assert rf.check_definition(b" " * (rf.MAX_FILE_BYTES + 1), "f.json") == [
        "f.json: the file is larger than 1000 kB"
    ]
    assert rf.check_definition("[]", "f.json") == ["f.json: [] is not of type 'object'"]
    deep: Any = "x"
    for _ in range(40):
        deep = {"x-deep": deep}
    assert rf.check_definition(json.dumps(deep), "f.json") == [
        "f.json: the definition is nested more than 32 levels deep"
    ]


def test_a_bom_and_floats_that_are_whole_numbers_are_accepted() -> None:
    d = doc()
    d["bands"][1]["min"] = 10.0
    form = rf.load_definition(b"\xef\xbb\xbf" + json.dumps(d).encode(), "bom.json")
    assert form.bands[1].min == 10 and isinstance(form.bands[1].min, int)


def test_many_problems_are_capped() -> None:
    d = doc()
    for q in d["sections"][0]["questions"]:
        q["options"] = ["maybe", "perhaps"]
    found = problems(d)
    assert len(found) == rf.MAX_PROBLEMS + 1
    assert found[-1].startswith("… and ")


def test_version_ordering() -> None:
    assert rf.version_key("10") > rf.version_key("9")
    assert rf.version_key("2.0") == rf.version_key("2")
    assert rf.version_key("2.1") > rf.version_key("2")
    forms = [checklist(), rf.parse_definition({**doc(), "version": "2"}, "v2.json")]
    assert rf.newest(forms)[rf.DA_CHECKLIST_ID].version == "2"


# ----- property-based: arbitrary and broken definitions never crash ---------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "version", "title", "questions", "bands", "min", "max", "x"])
            | st.text(max_size=6),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def _outcome(data: str | bytes) -> rf.FormDefinition | list[str]:
    try:
        return rf.load_definition(data, "fuzz.json")
    except FormDefinitionError as exc:
        assert exc.problems and all(p.startswith("fuzz.json: ") for p in exc.problems)
        assert all("\n" not in p for p in exc.problems)
        return list(exc.problems)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    assert isinstance(_outcome(data), list)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_arbitrary_json_never_crashes(value: Any) -> None:
    assert isinstance(_outcome(json.dumps(value)), list)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate(document: dict[str, Any], path: tuple[Any, ...], action: str, value: Any) -> Any:
    if not path:
        return value
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    else:
        parent[last] = value
    return document


MUTABLE = {
    rf.DA_CHECKLIST_ID: _paths(doc(rf.DA_CHECKLIST_ID)),
    rf.ASB_MATRIX_ID: _paths(doc(rf.ASB_MATRIX_ID)),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    form_id=st.sampled_from(sorted(MUTABLE)),
    picks=st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.sampled_from(["delete", "replace", "duplicate"]),
            json_values,
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_broken_shipped_definitions_never_crash(
    form_id: str, picks: list[tuple[int, str, Any]]
) -> None:
    document: Any = doc(form_id)
    for index, action, value in picks:
        paths = _paths(document)
        document = _mutate(document, paths[index % len(paths)], action, value)
    outcome = _outcome(json.dumps(document))
    if isinstance(outcome, rf.FormDefinition):
        # Whatever survived the mutation is still a coherent form.
        ev = rf.evaluate(outcome, {q.id: q.options[0] for q in outcome.questions})
        assert 0 <= ev.score <= outcome.max_score
        assert outcome.band_for_score(ev.score) in outcome.bands


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list(synthetic.QUESTION_IDS)),
        st.sampled_from(["yes", "no", "dont_know"]),
    )
)
def test_the_score_is_the_number_of_yes_for_any_answers(given_answers: dict[str, str]) -> None:
    ev = rf.evaluate(checklist(), given_answers)
    assert ev.score == sum(1 for a in given_answers.values() if a == "yes")
    assert ev.dont_know == sum(1 for a in given_answers.values() if a == "dont_know")
    more_dont_know = given_answers | {
        q: "dont_know" for q in synthetic.QUESTION_IDS if q not in given_answers
    }
    assert rf.evaluate(checklist(), more_dont_know).score == ev.score


@pytest.mark.parametrize(
    ("answers_given", "score", "band"),
    [
        ({"n01": "yes", "f01": "freq_weekly", "x02": "yes", "n03": "yes"}, 6, "low"),
        (
            {"p02": "yes", "p05": "yes", "f01": "freq_3plus", "x01": "yes", "v01": "yes"},
            11,
            "medium",
        ),
        (
            {
                "p02": "yes",
                "p05": "yes",
                "f01": "freq_weekly",
                "x01": "yes",
                "v01": "yes",
                "p03": "yes",
            },
            15,
            "high",
        ),
        (
            {
                "n01": "yes",
                "n02": "yes",
                "n03": "yes",
                "e01": "yes",
                "f01": "freq_weekly",
                "x01": "yes",
                "x02": "yes",
                "x03": "yes",
            },
            13,
            "medium",
        ),
    ],
)
def test_the_documented_asb_examples(answers_given: dict[str, str], score: int, band: str) -> None:
    """docs/risk-forms.md's worked examples, as a coordinator would check them."""
    ev = rf.evaluate(asb(), answers_given)
    assert (ev.score, ev.band.id) == (score, band)
