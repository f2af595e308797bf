"""Importing years of spreadsheets, and exporting referrals back out (CSV or XLSX).

An import is one unit of work: every row is read and checked first (cells by
`core.import_rules`, each referral by `core.referral_rules` — the referral form's own rules), and
if any row is wrong nothing is written and every problem is reported as
`line N, column C: what is wrong`. With `skip_invalid` the valid rows go in and the others come
back as rejects. Rows are inserted in referral-date order, so repeat flags come out as if each
referral had been typed in on the day; a person is linked automatically only at very high
confidence, and a possible match becomes a new person put on the review list.

Re-importing is harmless: each row's fingerprint (its external reference, or its identity: date,
agencies, victim and perpetrators) is kept in `Referral.import_fingerprint`, and rows already in
the store are counted as "already imported" and skipped.

An export is a disclosure: it is audited (what, how many rows; never names).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marac_desk.core import import_rules as ir
from marac_desk.core import referral_rules as rules
from marac_desk.core.collector import paused_gc
from marac_desk.core.identifiers import NHS, REFERENCE, typed_forms
from marac_desk.db.models import (
    Agency,
    Meeting,
    MeetingCase,
    PersonIdentifier,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
)
from marac_desk.db.store import Store
from marac_desk.services import audit, settings
from marac_desk.services import referrals as referral_service
from marac_desk.services.context import Actor
from marac_desk.services.intake_batch import IntakeBatch

Progress = Callable[[int, int], object]

HEARD_OUTCOMES = ("heard_open", "heard_closed")
# A case heard at an imported meeting: heard, and left open as a heard referral is.
IMPORTED_OUTCOME = "heard_open"
XLSX_SUFFIXES = (".xlsx", ".xlsm")


class ImportFileError(ValueError):
    """The file cannot be read at all (not UTF-8, not a workbook, no header row…)."""


@dataclass(frozen=True)
class RejectedRow:
    line: int
    cells: tuple[str, ...]
    problems: tuple[ir.CellProblem, ...]

    @property
    def reason(self) -> str:
        return "; ".join(f"column {p.column}: {p.message}" for p in self.problems)


@dataclass(frozen=True)
class ImportResult:
    kind: str  # CSV | XLSX
    imported: int
    repeats: int
    needing_review: int
    rejected: int
    already_imported: int
    heard: int = 0
    meetings_created: int = 0
    dry_run: bool = False
    problems: tuple[ir.CellProblem, ...] = ()
    rejected_rows: tuple[RejectedRow, ...] = ()
    header: tuple[str, ...] = ()
    header_wrong: bool = False  # the header row itself has problems: no row can be imported

    def summary(self) -> str:
        counts = (
            f"{self.repeats} {'repeat' if self.repeats == 1 else 'repeats'}, "
            f"{self.needing_review} needing review, {self.rejected} rejected "
            f"({self.already_imported} already imported)."
        )
        noun = "referral" if self.imported == 1 else "referrals"
        if self.dry_run:
            return (
                f"Dry run, nothing was written: {self.imported} {noun} would be imported: " + counts
            )
        return f"Imported {self.imported} {noun}: " + counts


class ImportRejected(ValueError):
    """Nothing was imported; `problems` lists every one, in line order."""

    def __init__(self, result: ImportResult) -> None:
        self.result = result
        self.problems = result.problems
        rows = len({p.line for p in self.problems})
        super().__init__(
            f"Nothing was imported: {len(self.problems)} "
            f"{'problem' if len(self.problems) == 1 else 'problems'} on {rows} "
            f"{'line' if rows == 1 else 'lines'}."
        )


class _DryRun(Exception):
    """Raised inside the unit of work to roll a dry run back."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


# ----- reading files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    kind: str
    header_line: int
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line, cells), blank rows left out


def _is_xlsx(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(
            "Old Excel .xls files cannot be read: save the sheet as .xlsx or CSV UTF-8."
        )
    return suffix in XLSX_SUFFIXES or (suffix != ".csv" and head.startswith(b"PK\x03\x04"))


def read_table(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"There is no file at {path}.") from None
    except OSError as exc:
        raise ImportFileError(f"{path} cannot be read ({exc.strerror}).") from None
    kind = "XLSX" if _is_xlsx(path, data[:4]) else "CSV"
    lines = _xlsx_lines(path) if kind == "XLSX" else _csv_lines(data)
    rows = [(n, cells) for n, cells in lines if not ir.is_blank(cells)]
    if not rows:
        raise ImportFileError("The file is empty: it needs a header row naming the columns.")
    (header_line, header), *body = rows
    return Table(kind, header_line, header, tuple(body))


def _csv_lines(data: bytes) -> list[tuple[int, tuple[str, ...]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"line {line}: the file is not UTF-8 text; save it as 'CSV UTF-8' and try again."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, tuple[str, ...]]] = []
    start = 1
    try:
        for cells in reader:
            out.append((start, tuple(cells)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"line {start}: the file is not valid CSV ({exc}).") from None
    return out


def _cell_text(value: Any) -> str:  # noqa: PLR0911 - one return per cell type
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


def _xlsx_lines(path: Path) -> list[tuple[int, tuple[str, ...]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportFileError(f"{path.name} is not an XLSX workbook that can be read.") from None
    try:
        if not book.worksheets:
            raise ImportFileError(f"{path.name} has no worksheet.")
        sheet = book.worksheets[0]
        return [
            (number, tuple(_cell_text(v) for v in values))
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1)
        ]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(f"{path.name} is not an XLSX workbook that can be read.") from None
    finally:
        book.close()


def load_mapping(path: Path) -> dict[str, str]:
    """A mapping file: CSV with two columns `column,canonical` (the header row is optional), or
    a JSON object {"Column in your file": "canonical_name"}; 'ignore' leaves a column out."""
    try:
        data = path.read_bytes()
    except OSError:
        raise ir.MappingError([f"there is no readable mapping file at {path}"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ir.MappingError(["the mapping file is not UTF-8 text"]) from None
    if path.suffix.lower() == ".json":
        return ir.parse_mapping_json(text)
    try:
        rows = _csv_lines(data)
    except ImportFileError as exc:
        raise ir.MappingError([str(exc)]) from None
    return ir.parse_mapping_rows(rows)


# ----- checking rows -----------------------------------------------------------------------------


def _input_of(row: ir.ParsedRow, fingerprint: str | None) -> referral_service.ReferralInput:
    facts: dict[str, Any] = {}
    if row.victim_ethnicity is not None:
        facts["victim_ethnicity"] = row.victim_ethnicity
    if row.victim_lgbt is not None:
        facts["victim_lgbt"] = row.victim_lgbt
    if row.victim_disability is not None:
        facts["victim_disability"] = row.victim_disability
    if row.address:
        facts["address"] = row.address
    if row.postcode:
        facts["postcode"] = row.postcode
    return referral_service.ReferralInput(
        referral_date=row.referral_date,
        referring_agency=row.referring_agency,
        joint_agency=row.joint_agency,
        victim=referral_service.PersonInput(
            row.victim.first_name,
            row.victim.last_name,
            row.victim.dob,
            row.victim.gender,
            nhs_number=row.victim.nhs_number,
            agency_person_id=row.victim.agency_person_id,
        ),
        external_ref=row.external_ref,
        perpetrators=tuple(
            referral_service.PerpetratorInput(
                p.first_name,
                p.last_name,
                p.dob,
                p.gender,
                relationship_to_victim=p.relationship,
                nhs_number=p.nhs_number,
                agency_person_id=p.agency_person_id,
            )
            for p in row.perpetrators
        ),
        children=tuple(referral_service.ChildInput() for _ in range(row.children_count)),
        children_status=row.children_status,
        victim_facts=facts,
        crit_visible_high_risk="visible_high_risk" in row.criteria,
        crit_professional_judgement="professional_judgement" in row.criteria,
        professional_judgement_reason=row.professional_judgement_reason,
        crit_potential_escalation="potential_escalation" in row.criteria,
        police_incidents_12m=row.police_incidents_12m,
        crit_repeat="repeat" in row.criteria,
        risk_score=row.risk_score,
        import_fingerprint=fingerprint,
    )


_RULE_HINTS = {
    "professional_judgement_reason": " Add a professional_judgement_reason column.",
    "police_incidents_12m": " Add a police_incidents_12m column.",
}


@dataclass
class _Checked:
    valid: list[tuple[ir.ParsedRow, referral_service.ReferralInput]] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    header_problems: list[ir.CellProblem] = field(default_factory=list)


def _check(
    table: Table,
    header: ir.Header,
    agencies: Mapping[str, str],
    limits: rules.Thresholds,
    today: date,
) -> _Checked:
    checked = _Checked(
        header_problems=[
            *header.problems,
            *ir.unnamed_columns(table.header, table.rows, table.header_line),
        ]
    )
    present = set(header.names.values())
    seen: dict[str, int] = {}
    try:
        for line, cells in table.rows:
            row, problems = ir.parse_row(cells, line, header, agencies, today)
            inp = _input_of(row, None)
            bad_columns = {p.column for p in problems}
            for problem in rules.errors_only(
                rules.validate(referral_service.draft_of(inp), today, limits)
            ):
                column = ir.column_for_rule(problem.field, row, header)
                # A cell that could not be read already says so; a column missing from the file is
                # reported once, at the header.
                if column in bad_columns or column not in present:
                    continue
                message = problem.message
                if problem.field in _RULE_HINTS and not header.has(problem.field):
                    message += _RULE_HINTS[problem.field]
                problems.append(ir.CellProblem(line, column, message))
                bad_columns.add(column)
            fingerprint = None
            if not problems:
                fingerprint = ir.fingerprint(row)
                earlier = seen.get(fingerprint)
                if earlier is not None:
                    by_ref = bool(row.external_ref)
                    column = header.name("external_ref" if by_ref else "referral_date")
                    why = (
                        "the same external_ref"
                        if by_ref
                        else "the same date, agency, victim and perpetrators"
                    )
                    problems.append(
                        ir.CellProblem(
                            line, column, f"This referral is also on line {earlier} ({why})."
                        )
                    )
                else:
                    seen[fingerprint] = line
            if problems:
                problems.sort(key=lambda p: header.position(p.column))
                checked.rejected.append(RejectedRow(line, cells, tuple(problems)))
            else:
                checked.valid.append((row, replace(inp, import_fingerprint=fingerprint)))
    finally:
        ir.forget_cells()
    return checked


# ----- importing ---------------------------------------------------------------------------------


def import_referrals(
    store: Store,
    actor: Actor,
    path: Path,
    *,
    today: date,
    mapping: Mapping[str, str] | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file of referrals, all or nothing (see the module docstring).

    Raises ImportFileError when the file cannot be read, ImportRejected (nothing written) when
    a row is invalid and `skip_invalid` is off, or when the header itself is wrong."""
    with paused_gc():
        return _import_file(
            store,
            actor,
            path,
            today=today,
            mapping=mapping,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            progress=progress,
        )


def _import_file(
    store: Store,
    actor: Actor,
    path: Path,
    *,
    today: date,
    mapping: Mapping[str, str] | None,
    skip_invalid: bool,
    dry_run: bool,
    progress: Progress | None,
) -> ImportResult:
    table = read_table(path)
    header = ir.read_header(table.header, table.header_line, mapping)
    try:
        with store.write() as session:
            result = _import(
                session,
                actor,
                table,
                header,
                today=today,
                skip_invalid=skip_invalid,
                progress=progress,
            )
            if dry_run:
                raise _DryRun(replace(result, dry_run=True))
            return result
    except _DryRun as rolled_back:
        return rolled_back.result
    except ImportRejected as exc:
        if dry_run:
            exc.result = replace(exc.result, dry_run=True)
        raise


def _import(
    session: Session,
    actor: Actor,
    table: Table,
    header: ir.Header,
    *,
    today: date,
    skip_invalid: bool,
    progress: Progress | None,
) -> ImportResult:
    values = settings.get_all_in_session(session)
    agencies = ir.agency_lookup(list(session.scalars(select(Agency.name).order_by(Agency.id))))
    checked = _check(table, header, agencies, referral_service.thresholds(values), today)
    row_problems = [p for r in checked.rejected for p in r.problems]
    base = ImportResult(
        kind=table.kind,
        imported=0,
        repeats=0,
        needing_review=0,
        rejected=len(checked.rejected),
        already_imported=0,
        problems=tuple(checked.header_problems + row_problems),
        rejected_rows=tuple(checked.rejected),
        header=table.header,
        header_wrong=bool(checked.header_problems),
    )
    if checked.header_problems or (row_problems and not skip_invalid):
        raise ImportRejected(base)

    # On the driver: SQLAlchemy's row processing doubled the time of reading every reference.
    dbapi = session.connection().connection.dbapi_connection
    assert dbapi is not None
    # Only the file's own fingerprints are looked up (the unique index), not the store's all.
    fingerprints = json.dumps(
        sorted({fp for _row, inp in checked.valid if (fp := inp.import_fingerprint)})
    )
    known = {
        fp
        for (fp,) in dbapi.execute(
            "SELECT import_fingerprint FROM referrals "
            "WHERE import_fingerprint IN (SELECT value FROM json_each(?))",
            (fingerprints,),
        )
    }
    known_refs = {
        ir.external_ref_key(ref)
        for (ref,) in dbapi.execute(
            "SELECT DISTINCT external_ref FROM referrals WHERE external_ref != ''"
        )
    }
    ordered = sorted(
        checked.valid, key=lambda pair: (pair[0].referral_date or date.min, pair[0].line)
    )
    todo = []
    already = 0
    for row, inp in ordered:
        if inp.import_fingerprint in known or (
            row.external_ref and ir.external_ref_key(row.external_ref) in known_refs
        ):
            already += 1
        else:
            todo.append((row, inp))

    batch = IntakeBatch(session, actor, values=values, auto_link=True, source="import")
    batch.prepare([inp for _row, inp in todo])
    review = heard = 0
    for done, (row, inp) in enumerate(todo, 1):
        saved = batch.create(inp)
        if saved.match_status == "review" or saved.reviews_queued:
            review += 1
        if row.heard_on is not None:
            batch.hear(saved.id, row.heard_on, IMPORTED_OUTCOME)
            heard += 1
        if progress is not None and (done % 200 == 0 or done == len(todo)):
            progress(done, len(todo))
    repeats = batch.repeats()
    result = ImportResult(
        kind=table.kind,
        imported=len(todo),
        repeats=repeats,
        needing_review=review,
        rejected=len(checked.rejected),
        already_imported=already,
        heard=heard,
        meetings_created=batch.meetings_created,
        problems=tuple(row_problems),
        rejected_rows=tuple(checked.rejected),
        header=table.header,
    )
    batch.record(
        "import",
        "referral",
        "",
        f"{table.kind} import: {result.imported} referrals imported ({repeats} repeats, "
        f"{review} needing review), {result.rejected} rows rejected, {already} already "
        f"imported; {heard} heard, {batch.meetings_created} meetings created",
    )
    batch.finish()
    return result


# ----- writing rejects and exports ---------------------------------------------------------------


def _write_table(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV (UTF-8) or XLSX by the file's extension; returns the kind written."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        _write_xlsx(path, columns, rows)
        return "XLSX"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else _plain(v) for v in row])
    return "CSV"


def _plain(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_xlsx(path: Path, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Referrals")

    def cell(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("="):
            # Text, never a formula: a name or note starting with '=' must not compute.
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"
            return text
        if isinstance(value, date):
            day = WriteOnlyCell(sheet, value=value)
            day.number_format = "yyyy-mm-dd"
            return day
        return value

    sheet.append(list(columns))
    for row in rows:
        sheet.append([cell(v) for v in row])
    book.save(path)


def write_rejects(path: Path, result: ImportResult) -> int:
    """The rejected rows as they were in the file, with `source_line` and `rejected_reason`
    columns (both ignored on import, so the corrected file imports as it is)."""
    keep = [
        i for i, name in enumerate(result.header) if ir.column_key(name) not in ir.REJECTS_COLUMNS
    ]
    columns = [result.header[i] for i in keep] + list(ir.REJECTS_COLUMNS)
    rows = [
        [r.cells[i] if i < len(r.cells) else "" for i in keep] + [r.line, r.reason]
        for r in result.rejected_rows
    ]
    _write_table(path, columns, rows)
    return len(rows)


def export_columns(perpetrator_slots: int) -> list[str]:
    """The canonical columns, further perpetrators, the rule columns, the export's own, and
    last (added later, so scripts reading by position are not disturbed) the identifiers."""
    columns = list(ir.CANONICAL_COLUMNS)
    for slot in range(2, perpetrator_slots + 1):
        names = ir.perpetrator_columns(slot)
        columns += [names[p] for p in ir.PERSON_PARTS] + [names["relationship"]]
    columns += list(ir.RULE_COLUMNS) + list(ir.EXPORT_COLUMNS) + list(ir.VICTIM_ID_COLUMNS)
    for slot in range(1, perpetrator_slots + 1):
        names = ir.perpetrator_columns(slot)
        columns += [names[p] for p in ir.ID_PARTS]
    return columns


def _export_rows(session: Session) -> tuple[list[str], list[list[Any]]]:
    agencies = dict(session.execute(select(Agency.id, Agency.name)).all())
    perps: dict[int, list[Any]] = {}
    for p in session.execute(
        select(
            ReferralPerpetrator.referral_id,
            ReferralPerpetrator.person_id,
            ReferralPerpetrator.first_name,
            ReferralPerpetrator.last_name,
            ReferralPerpetrator.dob,
            ReferralPerpetrator.gender,
            ReferralPerpetrator.relationship_to_victim,
        ).order_by(ReferralPerpetrator.referral_id, ReferralPerpetrator.id)
    ):
        perps.setdefault(p.referral_id, []).append(p)
    children = dict(
        session.execute(
            select(ReferralChild.referral_id, func.count()).group_by(ReferralChild.referral_id)
        ).all()
    )
    heard = dict(
        session.execute(
            select(MeetingCase.referral_id, func.max(Meeting.meeting_date))
            .join(Meeting, Meeting.id == MeetingCase.meeting_id)
            .where(MeetingCase.outcome.in_(HEARD_OUTCOMES))
            .group_by(MeetingCase.referral_id)
        ).all()
    )
    slots = max((len(v) for v in perps.values()), default=1)
    columns = export_columns(max(slots, 1))
    held: dict[int, list[str]] = {}
    for pid, identifier in session.execute(
        select(PersonIdentifier.person_id, PersonIdentifier.identifier).order_by(
            PersonIdentifier.id
        )
    ):
        held.setdefault(pid, []).append(identifier)

    def ids_of(person_id: int | None) -> list[str]:
        mine_ = held.get(person_id or 0, [])
        return [typed_forms(mine_, NHS), typed_forms(mine_, REFERENCE)]

    out: list[list[Any]] = []
    for r in session.scalars(select(Referral).order_by(Referral.referral_date, Referral.id)):
        agency = agencies.get(r.referring_agency_id, "")
        if r.joint_agency_id:
            agency += ";" + agencies.get(r.joint_agency_id, "")
        count = int(children.get(r.id, 0))
        if count:
            kids: Any = count
        elif r.children_status == "none":
            kids = 0
        else:
            kids = "yes" if r.children_status == "listed" else ""
        criteria = ";".join(
            name
            for name, ticked in (
                ("visible_high_risk", r.crit_visible_high_risk),
                ("professional_judgement", r.crit_professional_judgement),
                ("potential_escalation", r.crit_potential_escalation),
                ("repeat", r.crit_repeat),
            )
            if ticked
        )
        mine = perps.get(r.id, [])

        def person(i: int, mine: list[Any] = mine) -> list[Any]:
            if i >= len(mine):
                return ["", "", None, "", ""]
            p = mine[i]
            return [p.first_name, p.last_name, p.dob, p.gender, p.relationship_to_victim]

        is_repeat = r.is_repeat if r.repeat_override is None else r.repeat_override
        row: list[Any] = [
            r.external_ref,
            r.referral_date,
            agency,
            r.victim_first_name,
            r.victim_last_name,
            r.victim_dob,
            r.victim_gender,
            r.victim_ethnicity,
            r.victim_lgbt,
            r.victim_disability,
            r.address,
            r.postcode,
            *person(0),
            kids,
            criteria,
            r.risk_score,
            heard.get(r.id),
        ]
        for i in range(1, slots):
            row += person(i)
        row += [
            r.professional_judgement_reason,
            r.police_incidents_12m,
            r.id,
            r.victim_id,
            ";".join(str(p.person_id) for p in mine),
            "yes" if is_repeat else "no",
            r.previous_referral_id,
            r.match_status,
            *ids_of(r.victim_id),
        ]
        for i in range(slots):
            row += ids_of(mine[i].person_id) if i < len(mine) else ["", ""]
        out.append(row)
    return columns, out


def export_referrals(store: Store, actor: Actor, path: Path) -> int:
    """Write every referral to `path` (CSV or XLSX by its extension); returns the row count.

    The columns are the import's canonical columns (so the file imports again as it is), then
    referral_id, victim_id, perpetrator_ids, repeat (yes/no, the coordinator's override if any),
    previous_referral_id and match_status (linked, review or new)."""
    if path.suffix.lower() not in (".csv", *XLSX_SUFFIXES):
        raise ValueError("The export file must end in .csv or .xlsx.")
    written = False
    try:
        with store.write() as session:
            columns, rows = _export_rows(session)
            kind = _write_table(path, columns, rows)
            written = True
            audit.record(
                session,
                actor,
                "export",
                "referral",
                "",
                f"referrals exported as {kind}: {len(rows)} rows, {len(columns)} columns",
            )
    except BaseException:
        if written:
            path.unlink(missing_ok=True)
        raise
    return len(rows)
