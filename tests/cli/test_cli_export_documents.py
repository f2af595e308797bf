"""`export minutes|actions|agenda|calendar` and `minutes approve|versions` from the command line:
the files a coordinator scripts, read back as a recipient would."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from icalendar import Calendar
from pypdf import PdfReader
from store_support import cache_key_derivation

from marac_desk import cli
from marac_desk.services import audit
from marac_desk.services.session import OpenStore
from tests.services.meeting_support import two_meetings


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    cache_key_derivation(monkeypatch)


@pytest.fixture
def store(open_store: OpenStore, monkeypatch: pytest.MonkeyPatch) -> Path:
    two_meetings(open_store)
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)
    path = open_store.store.path
    open_store.lock()
    return path


def run(capsys: pytest.CaptureFixture[str], store: Path, *argv: str) -> tuple[int, str, str]:
    code = cli.main([*argv, "--store", str(store)])
    out, err = capsys.readouterr()
    return code, out, err


def text_of(path: Path, password: str | None = None) -> str:
    reader = PdfReader(path)
    if password is not None:
        reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


def test_draft_minutes_then_approval_then_the_approved_copy(
    capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, store, "export", "minutes", "--meeting", "2026-12-02", "--out",
                       str(tmp_path / "m.pdf"))  # fmt: skip
    assert code == 1
    assert "not been approved" in err

    draft = tmp_path / "draft.pdf"
    assert run(capsys, store, "export", "minutes", "--meeting", "2026-12-02", "--out",
               str(draft), "--draft")[0] == 0  # fmt: skip
    assert "DRAFT" in text_of(draft)
    assert "Sanctuary scheme" in text_of(draft)

    code, out, _ = run(capsys, store, "minutes", "approve", "--meeting", "2026-12-02",
                       "--by", "DI Shah", "--on", "2026-12-03")  # fmt: skip
    assert (code, out.strip()[-18:]) == (0, "version 1 approved")
    final = tmp_path / "final.pdf"
    assert run(capsys, store, "export", "minutes", "--meeting", "2026-12-02", "--out",
               str(final))[0] == 0  # fmt: skip
    assert "Approved by DI Shah" in text_of(final)
    code, out, _ = run(capsys, store, "minutes", "versions", "--meeting", "2026-12-02")
    assert out.splitlines()[1].startswith("1\tDI Shah\t")


def test_one_file_per_agency_holds_only_its_own_actions(
    capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path
) -> None:
    # The meeting gave Housing an action; Police's earlier one was carried forward to a later
    # date, so it is not overdue and Police gets no list for this meeting.
    folder = tmp_path / "meeting"
    code, _, _ = run(capsys, store, "export", "actions", "--meeting", "2026-12-02",
                     "--out", str(folder))  # fmt: skip
    assert code == 0
    assert [p.name for p in folder.iterdir()] == ["Housing.pdf"]
    # Every open action: one list per agency, each with its own actions only.
    folder = tmp_path / "open"
    assert run(capsys, store, "export", "actions", "--out", str(folder))[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["Housing.pdf", "Police.pdf"]
    housing = text_of(folder / "Housing.pdf")
    police = text_of(folder / "Police.pdf")
    assert "Sanctuary scheme" in housing and "Serve DVPN" not in housing
    assert "Serve DVPN" in police and "Sanctuary scheme" not in police
    assert "Nia" not in housing and "Ola" not in police  # case references only, by default
    # Run again: nothing is overwritten, nothing half-written.
    code, _, err = run(capsys, store, "export", "actions", "--out", str(folder))
    assert code == 1 and "already exists" in err


def test_an_encrypted_list_needs_its_password(
    capsys: pytest.CaptureFixture[str],
    store: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LIST_PASSWORD", "river-otter-91")
    out = tmp_path / "housing.pdf"
    code, _, _ = run(capsys, store, "export", "actions", "--meeting", "2026-12-02", "--agency",
                     "Housing", "--out", str(out), "--password-env", "LIST_PASSWORD")  # fmt: skip
    assert code == 0
    reader = PdfReader(out)
    assert reader.is_encrypted
    with pytest.raises(Exception):  # noqa: B017 - pypdf refuses to read it, any way
        reader.pages[0].extract_text()
    assert "Sanctuary scheme" in text_of(out, "river-otter-91")
    code, _, err = run(capsys, store, "export", "actions", "--agency", "Housing", "--out",
                       str(tmp_path / "x.pdf"), "--password-env", "NOT_SET_ANYWHERE")  # fmt: skip
    assert code == 2 and "NOT_SET_ANYWHERE" in err


def test_the_actions_csv_has_the_promised_columns(
    capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "actions.csv"
    assert run(capsys, store, "export", "actions", "--out", str(out))[0] == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[0][:9] == [
        "action_id", "meeting_date", "case_ref", "owner_agency", "owner_person", "action",
        "linked_risk", "due_date", "status",
    ]  # fmt: skip
    assert sorted(r[5] for r in rows[1:]) == ["Sanctuary scheme", "Serve DVPN"]


def test_agenda_and_calendar(
    capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path
) -> None:
    agenda = tmp_path / "agenda.pdf"
    assert run(capsys, store, "export", "agenda", "--meeting", "2026-12-02", "--out",
               str(agenda))[0] == 0  # fmt: skip
    assert "Nia New" in text_of(agenda)
    ics = tmp_path / "schedule.ics"
    assert run(capsys, store, "export", "calendar", "--out", str(ics))[0] == 0
    calendar = Calendar.from_ical(ics.read_bytes())
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) >= 3
    assert "Nia" not in ics.read_text(encoding="utf-8")


def test_a_meeting_must_be_found_and_every_export_is_audited(
    capsys: pytest.CaptureFixture[str], store: Path, tmp_path: Path, open_store: OpenStore
) -> None:
    code, _, err = run(capsys, store, "export", "agenda", "--meeting", "2026-12-03", "--out",
                       str(tmp_path / "a.pdf"))  # fmt: skip
    assert (code, err.strip()) == (1, "marac-desk: No meeting on 2026-12-03.")
    run(capsys, store, "export", "agenda", "--meeting", "2026-12-02", "--out",
        str(tmp_path / "b.csv"))  # fmt: skip
    from marac_desk.services import session

    opened = session.unlock_store(store, PASSPHRASE)
    try:
        events = audit.list_events(opened, audit.AuditFilter(action="export"))
        assert [e.description for e in events] == ["agenda CSV (1 cases; not password-protected)"]
    finally:
        opened.close()
