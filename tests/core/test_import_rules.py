"""Reading spreadsheet rows: every spelling a tracker uses, and every message a coordinator sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from marac_desk.core import import_rules as ir

TODAY = date(2026, 11, 20)
AGENCIES = ir.agency_lookup(["Police", "IDVA", "Children's Social Care", "Housing"])
HEADER = (
    "referral_date",
    "referring_agency",
    "victim_first_name",
    "victim_last_name",
    "victim_dob",
    "perpetrator_first_name",
    "perpetrator_last_name",
    "relationship",
    "perpetrator2_first_name",
    "perpetrator2_last_name",
    "relationship2",
    "criteria",
    "risk_score",
    "heard_on",
)


def header(*cells: str, mapping: dict[str, str] | None = None) -> ir.Header:
    return ir.read_header(cells or HEADER, 1, mapping)


def row(**values: str) -> list[str]:
    return [values.get(name, "") for name in HEADER]


def parse(**values: str) -> tuple[ir.ParsedRow, list[ir.CellProblem]]:
    return ir.parse_row(row(**values), 7, header(), AGENCIES, TODAY)


# ----- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("01/03/2024", date(2024, 3, 1)),
        ("1/3/2024", date(2024, 3, 1)),
        (" 29/02/2024 ", date(2024, 2, 29)),
        ("", None),
        ("   ", None),
    ],
)
def test_dates_are_iso_or_day_first(text: str, expected: date | None) -> None:
    assert ir.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("31/02/2024", "'31/02/2024' is not a real date: February 2024 has 29 days."),
        ("29/02/2023", "'29/02/2023' is not a real date: February 2023 has 28 days."),
        ("2024-04-31", "'2024-04-31' is not a real date: April 2024 has 30 days."),
        ("2024-13-01", "'2024-13-01' is not a real date: there is no month 13."),
        ("12/31/2024", "there is no month 31 (dates are day/month/year)."),
        ("15/31/2024", "there is no month 31."),
        ("05/13/2024", "there is no month 13 (dates are day/month/year)."),
        ("0000-01-01", "there is no year 0"),
        ("2024/01/01", "is not a date: write it as YYYY-MM-DD or DD/MM/YYYY."),
        ("1/1/24", "is not a date"),
        ("yesterday", "is not a date"),
        ("٢٠٢٤-٠١-٠١", "is not a date"),  # non-ASCII digits are not read as a date
    ],
)
def test_impossible_or_unreadable_dates_say_why(text: str, says: str) -> None:
    with pytest.raises(ir.CellError) as caught:
        ir.parse_date(text)
    assert says in str(caught.value)


# ----- vocabularies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *((t, "yes") for t in ("y", "Yes", "YES", "true", "1", "T")),
        *((t, "no") for t in ("n", "No", "false", "0", "F")),
        *(
            (t, "not_known")
            for t in ("", "not known", "Not Known", "unknown", "not_known", "N/K", "don't know")
        ),
        *((t, "not_stated") for t in ("not stated", "Declined", "refused", "prefer not to say")),
    ],
)
def test_yes_no_accepts_the_obvious_spellings(text: str, expected: str) -> None:
    assert ir.parse_tri_state(text) == expected


@pytest.mark.parametrize("text", ["maybe", "yes please", "2", "nope"])
def test_yes_no_refuses_anything_else(text: str) -> None:
    with pytest.raises(ir.CellError, match="not an answer: write yes, no, not known"):
        ir.parse_tri_state(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("F", "female"),
        ("Woman", "female"),
        ("m", "male"),
        ("Non-binary", "non_binary"),
        ("", "not_known"),
        ("prefer not to say", "not_stated"),
    ],
)
def test_genders(text: str, expected: str) -> None:
    assert ir.parse_gender(text) == expected


def test_an_unknown_gender_lists_the_choices() -> None:
    with pytest.raises(ir.CellError, match="write female, male, non-binary"):
        ir.parse_gender("X")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("partner", "current_partner"),
        ("Husband", "current_partner"),
        ("ex-partner", "ex_partner"),
        ("Ex Partner", "ex_partner"),
        ("ex_partner", "ex_partner"),
        ("son", "family_member"),
        ("Family member", "family_member"),
        ("other", "other"),
        ("", "not_known"),
    ],
)
def test_relationships(text: str, expected: str) -> None:
    assert ir.parse_relationship(text) == expected


def test_criteria_are_semicolon_separated_known_names() -> None:
    assert ir.parse_criteria("visible_high_risk; Repeat") == {"visible_high_risk", "repeat"}
    assert ir.parse_criteria("professional judgement,potential-escalation") == {
        "professional_judgement",
        "potential_escalation",
    }
    assert ir.parse_criteria("") == frozenset()
    with pytest.raises(ir.CellError, match="'vhr' is not a referral criterion"):
        ir.parse_criteria("repeat;vhr")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", ("listed", 3)),
        ("0", ("none", 0)),
        ("none", ("none", 0)),
        ("no", ("none", 0)),
        ("yes", ("listed", 0)),
        ("", ("not_known", 0)),
        ("not known", ("not_known", 0)),
    ],
)
def test_children_in_household(text: str, expected: tuple[str, int]) -> None:
    assert ir.parse_children(text) == expected


@pytest.mark.parametrize(("text", "says"), [("lots", "not a number"), ("31", "out of range")])
def test_children_refuses_other_text(text: str, says: str) -> None:
    with pytest.raises(ir.CellError, match=says):
        ir.parse_children(text)


def test_agencies_one_or_two_for_a_joint_referral() -> None:
    assert ir.parse_agencies("police", AGENCIES) == ("Police", "")
    assert ir.parse_agencies(" Police ; idva ", AGENCIES) == ("Police", "IDVA")
    assert ir.parse_agencies("children's  social care", AGENCIES) == ("Children's Social Care", "")
    with pytest.raises(ir.CellError, match="No agency is called 'Polise'; the agencies are: Pol"):
        ir.parse_agencies("Polise", AGENCIES)
    with pytest.raises(ir.CellError, match="At most two agencies"):
        ir.parse_agencies("Police;IDVA;Housing", AGENCIES)


def test_whole_numbers() -> None:
    assert ir.parse_whole_number("14", 0, 24, "a score") == 14
    assert ir.parse_whole_number("14.0", 0, 24, "a score") == 14
    assert ir.parse_whole_number("", 0, 24, "a score") is None
    with pytest.raises(ir.CellError, match="'high' is not a whole number"):
        ir.parse_whole_number("high", 0, 24, "a score")
    with pytest.raises(ir.CellError, match="out of range"):
        ir.parse_whole_number("99999999999999999999999", 0, 24, "a score")


def test_values_repeated_back_are_one_printable_line() -> None:
    assert ir.shown("a\nb\x1b[31m") == "'a b?[31m'"
    assert len(ir.shown("x" * 500)) < 50


# ----- the header --------------------------------------------------------------------------------


def test_header_in_any_order_and_any_case() -> None:
    h = header("Victim Last Name", "REFERRING-AGENCY", " referral_date ")
    assert h.problems == ()
    assert h.index == {"victim_last_name": 0, "referring_agency": 1, "referral_date": 2}
    assert h.name("referring_agency") == "REFERRING-AGENCY"


def test_unknown_and_duplicate_columns_are_named_as_written() -> None:
    h = header("referral_date", "referring_agency", "victim_first_name", "Notes", "Referral Date")
    assert [str(p) for p in h.problems] == [
        "line 1, column Notes: Unknown column: rename it to one MARAC Desk knows, map it with "
        "--mapping, or remove it.",
        "line 1, column Referral Date: Duplicate column: referral_date is already column "
        "'referral_date' (A).",
    ]


def test_required_columns() -> None:
    h = header("victim_dob", "risk_score")
    assert [(p.column, p.message) for p in h.problems] == [
        ("referral_date", "This required column is missing."),
        ("referring_agency", "This required column is missing."),
        (
            "victim_first_name",
            "A victim name column is required (victim_first_name or victim_last_name).",
        ),
    ]


def test_a_mapping_renames_and_ignores_columns() -> None:
    mapping = ir.parse_mapping_rows(
        [
            (1, ["column", "canonical"]),
            (2, ["Date received", "referral_date"]),
            (3, ["Referrer", "referring agency"]),
            (4, ["Surname", "victim_last_name"]),
            (5, ["Notes", "ignore"]),
            (6, []),
        ]
    )
    h = header("Date Received", "referrer", "SURNAME", "Notes", mapping=mapping)
    assert h.problems == ()
    assert h.index == {"referral_date": 0, "referring_agency": 1, "victim_last_name": 2}
    assert h.name("referral_date") == "Date Received"


def test_two_columns_mapped_to_one_name_are_duplicates() -> None:
    mapping = {"dob": "victim_dob"}
    h = header("referral_date", "referring_agency", "victim_first_name", "victim_dob", "DOB",
               mapping=mapping)  # fmt: skip
    assert [str(p) for p in h.problems] == [
        "line 1, column DOB: Duplicate column: victim_dob is already column 'victim_dob' (D)."
    ]


def test_export_and_rejects_columns_are_accepted_and_ignored() -> None:
    h = header(
        "referral_date",
        "referring_agency",
        "victim_first_name",
        *ir.EXPORT_COLUMNS,
        *ir.REJECTS_COLUMNS,
    )
    assert h.problems == ()
    assert set(h.index) == {"referral_date", "referring_agency", "victim_first_name"}


def test_numbered_perpetrator_columns() -> None:
    h = header("referral_date", "referring_agency", "victim_first_name", "perpetrator3_dob",
               "relationship2", "perpetrator21_dob")  # fmt: skip
    assert h.slots == (2, 3)
    assert [p.column for p in h.problems] == ["perpetrator21_dob"]


@pytest.mark.parametrize(
    ("pairs", "says"),
    [
        ([(2, ["DOB", "victim_birthday"])], "line 2: 'victim_birthday' is not a column"),
        ([(2, ["DOB", "victim_dob"]), (3, ["dob", "perpetrator_dob"])], "already mapped on line 2"),
        ([(4, ["DOB"])], "line 4: write two values"),
    ],
)
def test_mapping_file_mistakes(pairs: list[tuple[int, list[str]]], says: str) -> None:
    with pytest.raises(ir.MappingError, match=says):
        ir.parse_mapping_rows(pairs)


def test_json_mapping() -> None:
    assert ir.parse_mapping_json('{"DOB": "victim_dob"}') == {"dob": "victim_dob"}
    with pytest.raises(ir.MappingError, match="not valid JSON"):
        ir.parse_mapping_json("{")
    with pytest.raises(ir.MappingError, match="one JSON object"):
        ir.parse_mapping_json('["DOB"]')


def test_unnamed_columns_with_values_are_reported_at_the_header() -> None:
    cells = ("referral_date", "", "victim_first_name")
    rows = [(2, ("2024-01-01", "", "A")), (3, ("2024-01-01", "x", "A", "", "spill"))]
    assert [str(p) for p in ir.unnamed_columns(cells, rows, 1)] == [
        "line 1, column B: This column has values (from line 3) but no name in the header row: "
        "name it, or delete the column.",
        "line 1, column E: This column has values (from line 3) but no name in the header row: "
        "name it, or delete the column.",
    ]


# ----- rows --------------------------------------------------------------------------------------


def test_a_row_becomes_values() -> None:
    parsed, problems = parse(
        referral_date="01/03/2024",
        referring_agency="Police;IDVA",
        victim_first_name=" Amira ",
        victim_last_name="HADDAD",
        victim_dob="1994-05-01",
        perpetrator2_first_name="Karl",
        relationship2="ex",
        criteria="visible_high_risk",
        risk_score="16",
        heard_on="13/03/2024",
    )
    assert problems == []
    assert parsed.referral_date == date(2024, 3, 1)
    assert (parsed.referring_agency, parsed.joint_agency) == ("Police", "IDVA")
    assert parsed.victim == ir.PersonRow("Amira", "HADDAD", date(1994, 5, 1))
    # The first perpetrator's columns are empty: only perpetrator 2 is there, and keeps its slot.
    assert parsed.perpetrators == (
        ir.PerpetratorRow("Karl", "", None, "not_known", relationship="ex_partner", slot=2),
    )
    assert parsed.heard_on == date(2024, 3, 13)
    assert parsed.victim_lgbt is None  # no such column: the store's default applies


def test_every_bad_cell_of_a_row_is_reported_with_its_column() -> None:
    _, problems = parse(
        referral_date="31/02/2024",
        referring_agency="Polise",
        victim_dob="soon",
        relationship="lodger",
        criteria="urgent",
        risk_score="25",
        heard_on="2030-01-01",
    )
    assert sorted((p.line, p.column) for p in problems) == [
        (7, "criteria"),
        (7, "heard_on"),
        (7, "referral_date"),
        (7, "referring_agency"),
        (7, "relationship"),
        (7, "risk_score"),
        (7, "victim_dob"),
    ]


def test_heard_before_the_referral_date() -> None:
    _, problems = parse(referral_date="2024-03-01", heard_on="2024-02-28")
    assert [str(p) for p in problems] == [
        "line 7, column heard_on: The case was heard before its referral date."
    ]


def test_rule_fields_map_to_the_files_columns() -> None:
    parsed, _ = parse(perpetrator2_first_name="Karl")
    h = header()
    assert ir.column_for_rule("perpetrators[1].name", parsed, h) == "perpetrator2_first_name"
    assert ir.column_for_rule("perpetrators[1].dob", parsed, h) == "perpetrator2_dob"
    assert ir.column_for_rule("victim.name", parsed, h) == "victim_first_name"
    assert ir.column_for_rule("joint_agency", parsed, h) == "referring_agency"
    assert ir.column_for_rule("crit_visible_high_risk", parsed, h) == "criteria"
    assert ir.column_for_rule("professional_judgement_reason", parsed, h) == "criteria"
    only_last = header("referral_date", "referring_agency", "Victim Last Name")
    assert ir.column_for_rule("victim.name", parsed, only_last) == "Victim Last Name"


# ----- fingerprints ------------------------------------------------------------------------------


def test_fingerprint_by_external_ref_ignores_everything_else() -> None:
    a, _ = parse(referral_date="2024-03-01", victim_first_name="Amira")
    with_ref = replace(a, external_ref="PR-123")
    assert ir.fingerprint(with_ref) == ir.fingerprint(
        replace(a, external_ref=" pr-123 ", risk_score=3, victim=ir.PersonRow("Other"))
    )
    assert ir.fingerprint(with_ref).startswith("ref:")
    assert len(ir.fingerprint(with_ref)) <= 64


def test_fingerprint_of_a_row_is_its_identity_case_and_spacing_aside() -> None:
    a, _ = parse(
        referral_date="2024-03-01",
        referring_agency="Police",
        victim_first_name="Amira",
        victim_last_name="Haddad",
        perpetrator_first_name="Karl",
        risk_score="16",
    )
    b, _ = parse(
        referral_date="01/03/2024",
        referring_agency="police",
        victim_first_name=" AMIRA",
        victim_last_name="haddad ",
        perpetrator_first_name="karl",
        risk_score="18",  # corrected later in the tracker: still the same referral
    )
    assert ir.fingerprint(a) == ir.fingerprint(b)
    assert ir.fingerprint(a).startswith("row:") and len(ir.fingerprint(a)) == 64
    assert ir.fingerprint(a) != ir.fingerprint(replace(a, referral_date=date(2024, 3, 2)))
    assert ir.fingerprint(a) != ir.fingerprint(replace(a, victim=ir.PersonRow("Amina", "Haddad")))
