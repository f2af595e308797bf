"""Importing spreadsheets of referrals, all or nothing, and exporting them back out."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import PASSPHRASE
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marac_desk.core import import_rules as ir
from marac_desk.db.models import (
    AuditEvent,
    MatchReview,
    Meeting,
    MeetingCase,
    Person,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
)
from marac_desk.services import audit, imports, referrals
from marac_desk.services.paths import AppPaths
from marac_desk.services.session import OpenStore, create_store

TODAY = date(2026, 11, 20)
COLUMNS = [
    "external_ref",
    "referral_date",
    "referring_agency",
    "victim_first_name",
    "victim_last_name",
    "victim_dob",
    "victim_lgbt",
    "perpetrator_first_name",
    "perpetrator_last_name",
    "perpetrator_dob",
    "relationship",
    "children_in_household",
    "criteria",
    "risk_score",
    "heard_on",
]
GOOD = {
    "referral_date": "2024-03-01",
    "referring_agency": "Police",
    "victim_first_name": "Amira",
    "victim_last_name": "Haddad",
    "victim_dob": "1994-05-01",
    "perpetrator_first_name": "Karl",
    "perpetrator_last_name": "Dunn",
    "perpetrator_dob": "1990-01-01",
    "relationship": "ex-partner",
    "criteria": "visible_high_risk",
    "risk_score": "16",
}
OTHER = {
    "referral_date": "2024-04-02",
    "referring_agency": "IDVA",
    "victim_first_name": "Joanne",
    "victim_last_name": "Pickering",
    "victim_dob": "1981-10-12",
    "criteria": "repeat",
}


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or COLUMNS
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])
    return path


def run_import(opened: OpenStore, path: Path, **kw: object) -> imports.ImportResult:
    return imports.import_referrals(opened.store, opened.actor, path, today=TODAY, **kw)  # type: ignore[arg-type]


def counts(opened: OpenStore) -> dict[str, int]:
    models = (
        Referral,
        Person,
        ReferralPerpetrator,
        ReferralChild,
        Meeting,
        MeetingCase,
        MatchReview,
        AuditEvent,
    )
    with opened.store.read() as s:
        return {m.__name__: int(s.scalar(select(func.count()).select_from(m)) or 0) for m in models}


def rejected(opened: OpenStore, path: Path, **kw: object) -> list[str]:
    """Import that must fail whole: returns every problem as printed; asserts nothing changed."""
    before = counts(opened)
    with pytest.raises(imports.ImportRejected) as caught:
        run_import(opened, path, **kw)
    assert counts(opened) == before
    assert audit.verify(opened.store).ok
    return [str(p) for p in caught.value.problems]


# ----- every kind of bad row ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"referral_date": "2024/03/01"},
            "column referral_date: '2024/03/01' is not a date: write it as YYYY-MM-DD or "
            "DD/MM/YYYY.",
        ),
        (
            {"referral_date": "31/02/2024"},
            "column referral_date: '31/02/2024' is not a real date: February 2024 has 29 days.",
        ),
        (
            {"referral_date": "2026-12-01"},
            "column referral_date: The referral date is in the future.",
        ),
        ({"referral_date": ""}, "column referral_date: The referral date is required."),
        ({"referring_agency": "Polise"}, "column referring_agency: No agency is called 'Polise'"),
        ({"referring_agency": ""}, "column referring_agency: The referring agency is required."),
        (
            {"referring_agency": "Police;police"},
            "column referring_agency: A joint referral needs two different agencies.",
        ),
        (
            {"victim_first_name": "", "victim_last_name": " "},
            "column victim_first_name: The victim's name is required.",
        ),
        ({"victim_lgbt": "maybe"}, "column victim_lgbt: 'maybe' is not an answer"),
        ({"criteria": "vhr"}, "column criteria: 'vhr' is not a referral criterion"),
        (
            {"risk_score": "25"},
            "column risk_score: '25' is out of range: a checklist score is between 0 and 24.",
        ),
        (
            {"risk_score": "9"},
            "column criteria: Visible high risk needs a checklist score of 14 or more; "
            "the score is 9.",
        ),
        (
            {"victim_dob": "2024-03-02"},
            "column victim_dob: The victim's date of birth is after the referral date.",
        ),
        (
            {"perpetrator_dob": "2030-01-01"},
            "column perpetrator_dob: Perpetrator 1's date of birth is in the future.",
        ),
        (
            {"perpetrator_first_name": "", "perpetrator_last_name": ""},
            "column perpetrator_first_name: Perpetrator 1 needs a name (or remove them).",
        ),
        ({"relationship": "lodger"}, "column relationship: 'lodger' is not a relationship"),
        ({"children_in_household": "lots"}, "column children_in_household: 'lots' is not a number"),
        (
            {"heard_on": "2024-02-01"},
            "column heard_on: The case was heard before its referral date.",
        ),
        (
            {"criteria": "professional_judgement"},
            "column criteria: Professional judgement needs the referrer's reason in writing. Add "
            "a professional_judgement_reason column.",
        ),
        (
            {"criteria": "potential_escalation"},
            "column criteria: Potential escalation needs the number of police incidents in 12 "
            "months. Add a police_incidents_12m column.",
        ),
    ],
)
def test_a_bad_row_is_reported_by_line_and_column_and_nothing_is_imported(
    open_store: OpenStore, tmp_path: Path, change: dict[str, str], expected: str
) -> None:
    path = write_csv(
        tmp_path / "in.csv", [OTHER, {**GOOD, **change}, OTHER | {"external_ref": "X"}]
    )
    problems = rejected(open_store, path)
    assert len(problems) == 1
    assert problems[0].startswith(f"line 3, {expected}")


def test_every_problem_is_reported_not_just_the_first(
    open_store: OpenStore, tmp_path: Path
) -> None:
    rows = [
        {**GOOD, "referral_date": "31/02/2024", "referring_agency": "Nobody"},
        OTHER,
        {**OTHER, "victim_first_name": "", "victim_last_name": ""},
        {**GOOD, "external_ref": "A1", "risk_score": "x", "victim_lgbt": "perhaps"},
    ]
    problems = rejected(open_store, write_csv(tmp_path / "in.csv", rows))
    assert [p.split(":")[0] for p in problems] == [
        "line 2, column referral_date",
        "line 2, column referring_agency",
        "line 4, column victim_first_name",
        "line 5, column victim_lgbt",
        "line 5, column risk_score",
    ]


def test_header_problems_are_reported_with_the_rows_problems(
    open_store: OpenStore, tmp_path: Path
) -> None:
    columns = [*COLUMNS, "Notes", "victim_dob"]
    path = write_csv(tmp_path / "in.csv", [{**GOOD, "risk_score": "x"}], columns)
    problems = rejected(open_store, path)
    assert problems == [
        "line 1, column Notes: Unknown column: rename it to one MARAC Desk knows, map it with "
        "--mapping, or remove it.",
        "line 1, column victim_dob: Duplicate column: victim_dob is already column F.",
        "line 2, column risk_score: 'x' is not a whole number (a checklist score).",
    ]


def test_a_wrong_header_fails_even_with_skip_invalid(open_store: OpenStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [GOOD], ["Date", *COLUMNS[2:]])
    problems = rejected(open_store, path, skip_invalid=True)
    assert problems == [
        "line 1, column Date: Unknown column: rename it to one MARAC Desk knows, map it with "
        "--mapping, or remove it.",
        "line 1, column referral_date: This required column is missing.",
    ]


def test_physical_lines_count_the_header_and_multi_line_cells(
    open_store: OpenStore, tmp_path: Path
) -> None:
    path = tmp_path / "in.csv"
    write_csv(path, [{**GOOD, "victim_last_name": "Had\ndad"}, {}, {**OTHER, "criteria": "bad"}])
    # line 1 header, lines 2–3 the first row (a quoted line break), line 4 blank, line 5 the bad row
    assert rejected(open_store, path) == [
        "line 5, column criteria: 'bad' is not a referral criterion: use visible_high_risk, "
        "professional_judgement, potential_escalation, repeat, separated by ';'."
    ]


def test_the_same_referral_twice_in_one_file(open_store: OpenStore, tmp_path: Path) -> None:
    rows = [GOOD, OTHER | {"external_ref": "R1"}, GOOD, OTHER | {"external_ref": "r1 "}]
    assert rejected(open_store, write_csv(tmp_path / "in.csv", rows)) == [
        "line 4, column referral_date: This referral is also on line 2 (the same date, agency, "
        "victim and perpetrators).",
        "line 5, column external_ref: This referral is also on line 3 (the same external_ref).",
    ]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "The file is empty"),
        (b"referral_date\n\xff\xfe\n", "line 2: the file is not UTF-8 text"),
    ],
)
def test_unreadable_files(open_store: OpenStore, tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    before = counts(open_store)
    with pytest.raises(imports.ImportFileError, match=says):
        run_import(open_store, path)
    assert counts(open_store) == before


# ----- importing ---------------------------------------------------------------------------------


def test_a_valid_file_imports_every_field(open_store: OpenStore, tmp_path: Path) -> None:
    columns = [
        *COLUMNS,
        "victim_gender",
        "victim_ethnicity",
        "victim_disability",
        "victim_address",
        "victim_postcode",
        "perpetrator_gender",
        "perpetrator2_first_name",
        "perpetrator2_last_name",
        "relationship2",
        "professional_judgement_reason",
    ]
    row = {
        **GOOD,
        "external_ref": "PR-1",
        "referring_agency": "police; IDVA",
        "victim_lgbt": "Declined",
        "victim_gender": "F",
        "victim_ethnicity": "White British",
        "victim_disability": "y",
        "victim_address": "2 Mill Street, Northtown",
        "victim_postcode": "nt3 6wa",
        "perpetrator_gender": "m",
        "perpetrator2_first_name": "Bob",
        "perpetrator2_last_name": "Dunn",
        "relationship2": "brother",
        "children_in_household": "2",
        "criteria": "visible_high_risk;professional_judgement",
        "professional_judgement_reason": "Threats to kill at the school gate.",
    }
    result = run_import(open_store, write_csv(tmp_path / "in.csv", [row], columns))
    assert (result.imported, result.rejected, result.already_imported) == (1, 0, 0)
    detail = referrals.get_referral(
        open_store.store, referrals.list_referrals(open_store.store)[0].id
    )
    assert detail.external_ref == "PR-1"
    assert (detail.referring_agency, detail.joint_agency) == ("Police", "IDVA")
    assert (detail.victim.first_name, detail.victim.last_name) == ("Amira", "Haddad")
    assert detail.victim.dob == date(1994, 5, 1)
    assert detail.facts["victim_gender"] == "female"
    assert detail.facts["victim_lgbt"] == "not_stated"
    assert detail.facts["victim_disability"] == "yes"
    assert detail.facts["victim_ethnicity"] == "White British"
    assert detail.facts["postcode"] == "NT3 6WA"
    assert [(p.first_name, p.relationship) for p in detail.perpetrators] == [
        ("Karl", "ex_partner"),
        ("Bob", "family_member"),
    ]
    # A number of children becomes that many children, unnamed, on the referral.
    assert len(detail.children) == 2 and detail.children_status == "listed"
    assert detail.criteria == ("visible_high_risk", "professional_judgement")
    assert detail.professional_judgement_reason == "Threats to kill at the school gate."
    assert detail.risk_score == 16
    assert detail.status == "received"


def test_bom_csv_and_friendly_header_spelling(open_store: OpenStore, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    text = "Referral Date,Referring Agency,Victim First Name\n01/03/2024,Police,Amira\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert run_import(open_store, path).imported == 1


def test_skip_invalid_imports_the_rest_and_returns_the_rejects(
    open_store: OpenStore, tmp_path: Path
) -> None:
    rows = [GOOD, {**OTHER, "referral_date": "31/02/2024"}, {**OTHER, "external_ref": "Z9"}]
    path = write_csv(tmp_path / "in.csv", rows)
    result = run_import(open_store, path, skip_invalid=True)
    assert (result.imported, result.rejected) == (2, 1)
    assert counts(open_store)["Referral"] == 2
    rejects = tmp_path / "rejects.csv"
    assert imports.write_rejects(rejects, result) == 1
    with rejects.open(encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == [*COLUMNS, "source_line", "rejected_reason"]
    assert lines[1][1] == "31/02/2024"
    assert lines[1][-2:] == [
        "3",
        "column referral_date: '31/02/2024' is not a real date: February 2024 has 29 days.",
    ]
    # The corrected rejects file imports as it is.
    lines[1][1] = "28/02/2024"
    with rejects.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(lines)
    again = run_import(open_store, rejects)
    assert (again.imported, again.rejected) == (1, 0)


def test_dry_run_reports_counts_and_writes_nothing(open_store: OpenStore, tmp_path: Path) -> None:
    before = counts(open_store)
    rows = [GOOD, {**GOOD, "referral_date": "2024-06-01"}, OTHER]
    result = run_import(open_store, write_csv(tmp_path / "in.csv", rows), dry_run=True)
    assert (result.imported, result.repeats, result.dry_run) == (3, 1, True)
    assert result.summary() == (
        "Dry run, nothing was written: 3 referrals would be imported: 1 repeat, 0 needing "
        "review, 0 rejected (0 already imported)."
    )
    assert counts(open_store) == before
    assert audit.verify(open_store.store).ok


def test_reimporting_the_same_file_adds_nothing(open_store: OpenStore, tmp_path: Path) -> None:
    rows = [GOOD, OTHER | {"external_ref": "R-7"}, {**GOOD, "referral_date": "2024-05-05"}]
    path = write_csv(tmp_path / "in.csv", rows)
    first = run_import(open_store, path)
    assert first.imported == 3
    after_first = counts(open_store)
    second = run_import(open_store, path)
    assert second.summary() == (
        "Imported 0 referrals: 0 repeats, 0 needing review, 0 rejected (3 already imported)."
    )
    after_second = counts(open_store)
    assert after_second.pop("AuditEvent") == after_first.pop("AuditEvent") + 1  # the import event
    assert after_second == after_first
    # A new row added to the tracker is the only one imported next time.
    write_csv(path, [*rows, {**OTHER, "referral_date": "2024-09-09"}])
    third = run_import(open_store, path)
    assert (third.imported, third.already_imported) == (1, 3)


def test_a_referral_typed_in_with_the_same_external_ref_is_already_there(
    open_store: OpenStore, tmp_path: Path
) -> None:
    referrals.create_referral(
        open_store.store,
        open_store.actor,
        referrals.ReferralInput(
            referral_date=date(2024, 3, 1),
            referring_agency="Police",
            victim=referrals.PersonInput("Amira", "Haddad"),
            external_ref="PR-55",
        ),
        today=TODAY,
    )
    result = run_import(
        open_store, write_csv(tmp_path / "in.csv", [GOOD | {"external_ref": "pr-55"}])
    )
    assert (result.imported, result.already_imported) == (0, 1)


def test_repeats_are_computed_in_date_order_whatever_the_file_order(
    open_store: OpenStore, tmp_path: Path
) -> None:
    later = {**GOOD, "external_ref": "LATER", "referral_date": "2024-09-01"}
    earlier = {**GOOD, "external_ref": "EARLIER", "referral_date": "01/03/2024"}
    lapsed = {**GOOD, "external_ref": "LAPSED", "referral_date": "2025-10-01"}
    path = write_csv(tmp_path / "in.csv", [lapsed, later, OTHER, earlier])
    result = run_import(open_store, path)
    assert (result.imported, result.repeats) == (4, 1)
    assert result.summary().startswith("Imported 4 referrals: 1 repeat, ")
    with open_store.store.read() as s:
        by_ref = {r.external_ref: r for r in s.scalars(select(Referral))}
        assert by_ref["EARLIER"].is_repeat is False
        assert by_ref["LATER"].is_repeat is True
        assert by_ref["LATER"].previous_referral_id == by_ref["EARLIER"].id
        assert by_ref["LAPSED"].is_repeat is False  # more than 12 months after the last one
        # Case references are numbered in date order too.
        assert by_ref["EARLIER"].case_ref < by_ref["LATER"].case_ref
        assert len({r.victim_id for r in by_ref.values() if r.victim_first_name == "Amira"}) == 1


def test_a_possible_match_is_a_new_person_on_the_review_list(
    open_store: OpenStore, tmp_path: Path
) -> None:
    no_perpetrator = {k: "" for k in GOOD if k.startswith("perpetrator_") or k == "relationship"}
    rows = [GOOD, {**GOOD, **no_perpetrator, "referral_date": "2024-06-01", "victim_dob": ""}]
    result = run_import(open_store, write_csv(tmp_path / "in.csv", rows))
    assert (result.imported, result.needing_review) == (2, 1)
    with open_store.store.read() as s:
        victims = list(s.scalars(select(Referral).order_by(Referral.referral_date)))
        assert victims[0].victim_id != victims[1].victim_id
        assert victims[1].match_status == "review"
        assert victims[1].is_repeat is False
    reviews = referrals.people.list_reviews(open_store.store)
    assert {(r.person_a.id, r.person_b.id) for r in reviews} >= {
        tuple(sorted((victims[0].victim_id, victims[1].victim_id)))
    }
    assert all(r.source == "import" for r in reviews)


def test_the_same_perpetrator_links_a_victim_named_without_a_date_of_birth(
    open_store: OpenStore, tmp_path: Path
) -> None:
    # Names alone are not enough, but the perpetrator (same DOB) was named with this victim
    # before: the pair together is overwhelming, so it links and is a repeat.
    rows = [GOOD, {**GOOD, "referral_date": "2024-06-01", "victim_dob": ""}]
    result = run_import(open_store, write_csv(tmp_path / "in.csv", rows))
    assert (result.imported, result.repeats, result.needing_review) == (2, 1, 0)
    with open_store.store.read() as s:
        first, second = s.scalars(select(Referral).order_by(Referral.referral_date))
        assert second.victim_id == first.victim_id
        assert second.is_repeat is True
        assert second.match_status == "linked"


def test_heard_on_creates_each_meeting_once_and_marks_cases_heard(
    open_store: OpenStore, tmp_path: Path
) -> None:
    rows = [
        {**GOOD, "heard_on": "13/03/2024"},
        {**OTHER, "referral_date": "2024-03-04", "heard_on": "2024-03-13"},
        {**OTHER, "victim_first_name": "Zoe", "heard_on": "2024-04-10"},
        {**OTHER, "victim_first_name": "Yasmin"},
    ]
    result = run_import(open_store, write_csv(tmp_path / "in.csv", rows))
    assert (result.heard, result.meetings_created) == (3, 2)
    with open_store.store.read() as s:
        meetings = {m.meeting_date: m for m in s.scalars(select(Meeting))}
        assert set(meetings) == {date(2024, 3, 13), date(2024, 4, 10)}
        assert {m.status for m in meetings.values()} == {"held"}
        cases = list(s.scalars(select(MeetingCase).order_by(MeetingCase.id)))
        assert [(c.meeting_id, c.position, c.outcome) for c in cases] == [
            (meetings[date(2024, 3, 13)].id, 1, "heard_open"),
            (meetings[date(2024, 3, 13)].id, 2, "heard_open"),
            (meetings[date(2024, 4, 10)].id, 1, "heard_open"),
        ]
        statuses = dict(s.execute(select(Referral.victim_first_name, Referral.status)).all())
        assert statuses == {
            "Amira": "heard",
            "Joanne": "heard",
            "Zoe": "heard",
            "Yasmin": "received",
        }
    # A later file heard at the same meeting joins it rather than making another.
    more = [
        {
            **OTHER,
            "victim_first_name": "Maya",
            "referral_date": "2024-03-05",
            "heard_on": "2024-03-13",
        }
    ]
    again = run_import(open_store, write_csv(tmp_path / "more.csv", more))
    assert (again.heard, again.meetings_created) == (1, 0)
    with open_store.store.read() as s:
        assert s.scalar(select(func.count()).select_from(Meeting)) == 2
        assert s.scalar(select(func.max(MeetingCase.position))) == 3


def test_one_import_event_with_counts_and_no_names(open_store: OpenStore, tmp_path: Path) -> None:
    rows = [GOOD, {**GOOD, "referral_date": "2024-06-01"}, OTHER, {**OTHER, "criteria": "x"}]
    run_import(open_store, write_csv(tmp_path / "in.csv", rows), skip_invalid=True)
    events = audit.list_events(open_store.store, audit.AuditFilter(action="import"))
    assert [e.description for e in events] == [
        "CSV import: 3 referrals imported (1 repeats, 0 needing review), 1 rows rejected, "
        "0 already imported; 0 heard, 0 meetings created"
    ]
    everything = " ".join(e.description for e in audit.list_events(open_store.store, limit=None))
    for name in ("Amira", "Haddad", "Karl", "Dunn", "Joanne", "Pickering"):
        assert name not in everything
    assert audit.verify(open_store.store).ok


def test_mapping_files_csv_and_json(open_store: OpenStore, tmp_path: Path) -> None:
    columns = ["Date received", "Referrer", "Forename", "Surname", "DOB", "Notes"]
    path = tmp_path / "tracker.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [columns, ["01/03/2024", "Police", "Amira", "Haddad", "01/05/1994", "called twice"]]
        )
    rejected_without = rejected(open_store, path)
    assert rejected_without[0] == (
        "line 1, column Date received: Unknown column: rename it to one MARAC Desk knows, map it "
        "with --mapping, or remove it."
    )
    mapping_csv = tmp_path / "map.csv"
    mapping_csv.write_text(
        "column,canonical\nDate received,referral_date\nReferrer,referring_agency\n"
        "Forename,victim_first_name\nSurname,victim_last_name\nDOB,victim_dob\nNotes,ignore\n",
        encoding="utf-8",
    )
    mapping = imports.load_mapping(mapping_csv)
    assert run_import(open_store, path, mapping=mapping, dry_run=True).imported == 1
    mapping_json = tmp_path / "map.json"
    mapping_json.write_text(
        json.dumps(
            {
                "Date received": "referral_date",
                "Referrer": "referring_agency",
                "Forename": "victim_first_name",
                "Surname": "victim_last_name",
                "DOB": "victim_dob",
                "Notes": "ignore",
            }
        ),
        encoding="utf-8",
    )
    result = run_import(open_store, path, mapping=imports.load_mapping(mapping_json))
    assert result.imported == 1
    with open_store.store.read() as s:
        r = s.scalars(select(Referral)).one()
        assert (r.victim_last_name, r.victim_dob) == ("Haddad", date(1994, 5, 1))


def test_a_wrong_mapping_file_says_which_line(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("DOB,victim_birthday\n", encoding="utf-8")
    with pytest.raises(ir.MappingError, match="line 1: 'victim_birthday' is not a column"):
        imports.load_mapping(path)


# ----- XLSX --------------------------------------------------------------------------------------


def test_xlsx_import_reads_typed_cells_and_reports_sheet_rows(
    open_store: OpenStore, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        [
            "referral_date",
            "referring_agency",
            "victim_first_name",
            "victim_dob",
            "risk_score",
            "criteria",
        ]
    )
    sheet.append(
        [datetime(2024, 3, 1), "Police", "Amira", date(1994, 5, 1), 16, "visible_high_risk"]
    )
    sheet.append([])
    sheet.append(["02/04/2024", "IDVA", "Joanne", None, 15.0, True])
    path = tmp_path / "in.xlsx"
    book.save(path)
    problems = rejected(open_store, path)
    assert problems == ["line 4, column criteria: 'yes' is not a referral criterion: use "
                        "visible_high_risk, professional_judgement, potential_escalation, "
                        "repeat, separated by ';'."]  # fmt: skip
    sheet.cell(row=4, column=6, value="visible_high_risk")
    book.save(path)
    result = run_import(open_store, path)
    assert (result.kind, result.imported) == ("XLSX", 2)
    with open_store.store.read() as s:
        rows = {r.victim_first_name: r for r in s.scalars(select(Referral))}
        assert rows["Amira"].referral_date == date(2024, 3, 1)
        assert rows["Amira"].victim_dob == date(1994, 5, 1)
        assert rows["Joanne"].risk_score == 15


def test_a_file_that_is_not_a_workbook(open_store: OpenStore, tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(imports.ImportFileError, match="not an XLSX workbook"):
        run_import(open_store, path)


# ----- export ------------------------------------------------------------------------------------


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROUND_TRIP_ROWS = [
    {**GOOD, "external_ref": "PR-1", "heard_on": "2024-03-13", "children_in_household": "2"},
    {**GOOD, "referral_date": "2024-06-01", "referring_agency": "Police;IDVA", "victim_lgbt": "n"},
    {**OTHER, "children_in_household": "none"},
    {**OTHER, "victim_first_name": "=cmd()", "children_in_household": "yes"},
]


def test_export_has_the_canonical_columns_and_the_matching_results(
    open_store: OpenStore, tmp_path: Path
) -> None:
    run_import(open_store, write_csv(tmp_path / "in.csv", ROUND_TRIP_ROWS))
    out = tmp_path / "out.csv"
    assert imports.export_referrals(open_store.store, open_store.actor, out) == 4
    rows = _read_csv(out)
    assert list(rows[0]) == [
        *ir.CANONICAL_COLUMNS,
        *ir.RULE_COLUMNS,
        "referral_id",
        "victim_id",
        "perpetrator_ids",
        "repeat",
        "previous_referral_id",
        "match_status",
        # Added later, so last: whoever reads columns by position is not disturbed.
        "victim_nhs_number",
        "victim_agency_person_id",
        "perpetrator_nhs_number",
        "perpetrator_agency_person_id",
    ]
    first, second = rows[0], rows[3]
    assert (first["external_ref"], first["referral_date"], first["heard_on"]) == (
        "PR-1",
        "2024-03-01",
        "2024-03-13",
    )
    assert first["children_in_household"] == "2"
    assert (first["repeat"], first["previous_referral_id"], first["match_status"]) == (
        "no",
        "",
        "new",
    )
    assert second["referring_agency"] == "Police;IDVA"
    assert (second["repeat"], second["previous_referral_id"]) == ("yes", first["referral_id"])
    assert second["match_status"] == "linked"
    assert second["victim_id"] == first["victim_id"]
    assert second["perpetrator_ids"] == first["perpetrator_ids"] != ""
    assert [r["children_in_household"] for r in rows] == ["2", "0", "yes", ""]
    events = audit.list_events(open_store.store, audit.AuditFilter(action="export"))
    assert [e.description for e in events] == ["referrals exported as CSV: 4 rows, 33 columns"]
    # An override is what the export calls the repeat flag.
    referrals.override_repeat(
        open_store.store, open_store.actor, int(second["referral_id"]), False, "different incident"
    )
    imports.export_referrals(open_store.store, open_store.actor, tmp_path / "again.csv")
    assert _read_csv(tmp_path / "again.csv")[3]["repeat"] == "no"


def test_export_round_trips_into_a_new_store(
    open_store: OpenStore, tmp_path: Path, app_paths: AppPaths
) -> None:
    run_import(open_store, write_csv(tmp_path / "in.csv", ROUND_TRIP_ROWS))
    first = tmp_path / "first.csv"
    imports.export_referrals(open_store.store, open_store.actor, first)
    other = create_store(
        tmp_path / "other.store", PASSPHRASE, PASSPHRASE, partnership="B", user_name="Kim",
        paths=app_paths,
    )  # fmt: skip
    try:
        result = run_import(other, first)
        assert (result.imported, result.repeats, result.heard) == (4, 1, 1)
        assert run_import(other, first).already_imported == 4
        second = tmp_path / "second.xlsx"
        imports.export_referrals(other.store, other.actor, second)
    finally:
        other.store.close()
    sheet = openpyxl.load_workbook(second, read_only=True).worksheets[0]
    values = [[imports._cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert [dict(zip(values[0], row, strict=True)) for row in values[1:]] == _read_csv(first)


def test_export_refuses_other_formats(open_store: OpenStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.csv or \.xlsx"):
        imports.export_referrals(open_store.store, open_store.actor, tmp_path / "out.txt")
    assert audit.list_events(open_store.store, audit.AuditFilter(action="export")) == ()


def test_xlsx_export_keeps_text_as_text(open_store: OpenStore, tmp_path: Path) -> None:
    run_import(open_store, write_csv(tmp_path / "in.csv", ROUND_TRIP_ROWS))
    out = tmp_path / "out.xlsx"
    imports.export_referrals(open_store.store, open_store.actor, out)
    sheet = openpyxl.load_workbook(out).worksheets[0]
    names = [c.value for c in sheet["D"]]
    assert "=cmd()" in names
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


# ----- never a crash, never a partial import -----------------------------------------------------

PLAUSIBLE = st.sampled_from(
    [
        "",
        "2024-03-01",
        "01/03/2024",
        "31/02/2024",
        "Police",
        "Police;IDVA",
        "Amira",
        "yes",
        "not known",
        "visible_high_risk",
        "repeat",
        "16",
        "3",
        "ex-partner",
        "F",
    ]
)
CELL = st.one_of(PLAUSIBLE, st.text(st.characters(exclude_categories=("Cs",)), max_size=12))
HEADER_CELL = st.one_of(
    st.sampled_from([*ir.CANONICAL_COLUMNS, "perpetrator2_first_name", "referral_id"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=8),
)


VALID_HEADER = ["referral_date", "referring_agency", "victim_first_name", "criteria", "risk_score"]
VALID_ROW = st.tuples(
    st.sampled_from(["2024-03-01", "02/03/2024", "2025-12-31"]),
    st.sampled_from(["Police", "idva", "Police;Housing"]),
    st.text("abcdefghij ", min_size=1, max_size=8).filter(str.strip),
    st.sampled_from(["", "repeat", "visible_high_risk"]),
    st.sampled_from(["", "14", "20"]),
).map(list)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=st.one_of(
        *[st.just(VALID_HEADER)] * 3,
        st.lists(HEADER_CELL, min_size=1, max_size=6),
    ),
    rows=st.lists(st.one_of(*[VALID_ROW] * 3, st.lists(CELL, max_size=6)), max_size=5),
    skip=st.booleans(),
)
def test_any_file_imports_whole_or_not_at_all(
    open_store: OpenStore,
    tmp_path: Path,
    header: list[str],
    rows: list[list[str]],
    skip: bool,
) -> None:
    path = tmp_path / "fuzz.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    before = counts(open_store)
    try:
        result = run_import(open_store, path, skip_invalid=skip)
    except imports.ImportRejected as exc:
        event("rejected")
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1
            assert "\n" not in str(problem)
        assert counts(open_store) == before
        return
    except imports.ImportFileError as exc:
        assert "\n" not in str(exc)
        assert counts(open_store) == before
        return
    event("imported" if result.imported else "nothing to import")
    after = counts(open_store)
    data_rows = len(imports.read_table(path).rows)
    assert result.imported + result.already_imported + result.rejected == data_rows
    assert after["Referral"] - before["Referral"] == result.imported
    if not skip:
        assert result.rejected == 0
    assert audit.verify(open_store.store).ok


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(VALID_ROW, min_size=1, max_size=5),
    damage=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4), CELL), max_size=2),
)
def test_valid_rows_with_a_damaged_cell_import_whole_or_not_at_all(
    open_store: OpenStore,
    tmp_path: Path,
    rows: list[list[str]],
    damage: list[tuple[int, int, str]],
) -> None:
    for row_index, column, text in damage:
        rows[row_index % len(rows)][column] = text
    path = tmp_path / "damaged.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([VALID_HEADER, *rows])
    before = counts(open_store)
    try:
        result = run_import(open_store, path)
    except imports.ImportRejected as exc:
        event("rejected")
        assert all(p.line >= 2 and p.column in VALID_HEADER for p in exc.problems)
        assert counts(open_store) == before
        return
    event("imported" if result.imported else "already imported")
    assert result.imported + result.already_imported == len(imports.read_table(path).rows)
    assert counts(open_store)["Referral"] - before["Referral"] == result.imported


# ----- agencies' identifiers ---------------------------------------------------------------------

ID_COLUMNS = [
    *COLUMNS,
    "victim_nhs_number",
    "victim_agency_person_id",
    "perpetrator_nhs_number",
    "perpetrator2_first_name",
    "perpetrator2_last_name",
    "perpetrator2_agency_person_id",
]


def test_identifiers_import_link_and_are_exported(open_store: OpenStore, tmp_path: Path) -> None:
    first = {**GOOD, "victim_nhs_number": "943 476 5919", "perpetrator_nhs_number": ""}
    # Known by her middle name, with her NHS number: the same person, not a new one.
    later = {
        **GOOD,
        "referral_date": "2024-06-01",
        "victim_first_name": "Louise",
        "victim_nhs_number": "9434765919",
        "victim_agency_person_id": "nt/123-456",
        "perpetrator2_first_name": "Ian",
        "perpetrator2_last_name": "Moss",
        "perpetrator2_agency_person_id": "PNC1; PNC2",
    }
    result = run_import(open_store, write_csv(tmp_path / "in.csv", [first, later], ID_COLUMNS))
    assert (result.imported, result.needing_review) == (2, 0)
    with open_store.store.read() as s:
        a, b = s.scalars(select(Referral).order_by(Referral.referral_date))
        assert a.victim_id == b.victim_id and b.is_repeat
    victim = referrals.people.get_person(open_store.store, a.victim_id)
    assert victim is not None
    assert victim.identifiers == ("NHS number 943 476 5919", "agency person ID NT123456")

    out = tmp_path / "out.csv"
    imports.export_referrals(open_store.store, open_store.actor, out)
    with out.open(encoding="utf-8") as fh:
        exported = list(csv.DictReader(fh))
    assert exported[1]["victim_nhs_number"] == "9434765919"
    assert exported[1]["victim_agency_person_id"] == "NT123456"
    assert exported[1]["perpetrator2_agency_person_id"] == "PNC1; PNC2"
    assert exported[1]["perpetrator_nhs_number"] == ""


def test_a_mistyped_nhs_number_is_reported_by_line_and_column(
    open_store: OpenStore, tmp_path: Path
) -> None:
    rows = [
        {**GOOD, "victim_nhs_number": "943 476 5918"},
        {**GOOD, "referral_date": "2024-06-01", "perpetrator2_agency_person_id": "PNC#1"},
    ]
    problems = rejected(open_store, write_csv(tmp_path / "in.csv", rows, ID_COLUMNS))
    assert problems[0].startswith("line 2, column victim_nhs_number: This NHS number's check")
    assert "5918" not in problems[0]  # the number is not repeated back
    assert sorted(problems[1:]) == [
        "line 3, column perpetrator2_agency_person_id: An agency person ID has letters and "
        "digits only (spaces, - / . allowed).",
        "line 3, column perpetrator2_first_name: Perpetrator 2 needs a name (or remove them).",
    ]
