"""The command line contract, run in-process: what a coordinator scripting their week sees."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from conftest import PARTNERSHIP, PASSPHRASE, USER
from store_support import (
    assert_one_line_error,
    cache_key_derivation,
    damage_page,
    raw_query,
    root_page,
)

from marac_desk import __version__, cli
from marac_desk.db.store import Store
from marac_desk.services import audit, settings, users
from marac_desk.services.session import OpenStore


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


NEW_PASSPHRASE = "violet harbour kettle 42 slowly"
HEADER = "seq\toccurred_at_utc\tactor\taction\tentity\tentity_id\tdescription"


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], store: Path) -> None:
        self.capsys = capsys
        self.store = store

    def __call__(self, *argv: str, store: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        args = ["--store", str(self.store), *argv] if store else list(argv)
        code = cli.main(args)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture
def with_passphrase(monkeypatch: pytest.MonkeyPatch, no_tty: None) -> None:
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], store_path: Path, no_tty: None) -> Cli:
    return Cli(capsys, store_path)


@pytest.fixture
def existing(open_store: OpenStore, with_passphrase: None) -> Path:
    """A store made by the app (one profile), closed so the CLI can open it."""
    path = open_store.store.path
    open_store.lock()
    return path


def _events(path: Path) -> list[tuple[str, str, str]]:
    with Store.unlock(path, PASSPHRASE) as store:
        return [(e.actor, e.action, e.description) for e in audit.list_events(store, limit=None)]


def _tamper(path: Path, *sql: str) -> None:
    from store_support import raw_execute

    raw_execute(
        path,
        PASSPHRASE,
        "DROP TRIGGER audit_events_no_update",
        "DROP TRIGGER audit_events_no_delete",
        *sql,
    )


# ----- init --------------------------------------------------------------------------------------


def test_init_creates_a_store_from_the_environment_passphrase(
    run: Cli, store_path: Path, with_passphrase: None
) -> None:
    store_path.parent.mkdir(parents=True)
    code, out, err = run("init", "--partnership", PARTNERSHIP, "--user", USER)
    assert (code, err) == (0, "")
    assert out == f"Created an encrypted store at {store_path}\n"
    assert raw_query(store_path, PASSPHRASE, "SELECT name FROM user_profiles") == [(USER,)]
    with Store.unlock(store_path, PASSPHRASE) as store:
        assert settings.get(store, "partnership_name") == PARTNERSHIP
        assert audit.verify(store).ok


def test_init_makes_the_folder_and_defaults_the_profile_name(
    run: Cli, tmp_path: Path, with_passphrase: None
) -> None:
    path = tmp_path / "new" / "folder" / "x.store"
    code, _, _ = run("--store", str(path), "init", store=False)
    assert code == 0
    assert raw_query(path, PASSPHRASE, "SELECT name FROM user_profiles") == [("Coordinator",)]


def test_init_uses_the_default_store_location(
    run: Cli, app_home: Path, with_passphrase: None
) -> None:
    code, out, _ = run("init", store=False)
    assert code == 0
    default = app_home / "marac" / "data" / "marac-desk.store"
    assert default.is_file()
    assert str(default) in out


def test_init_without_a_passphrase_or_terminal_is_a_usage_error(run: Cli, store_path: Path) -> None:
    code, out, err = run("init")
    assert code == 2
    assert out == ""
    assert_one_line_error(err, must_contain="MARAC_DESK_PASSPHRASE")
    assert not store_path.exists()


def test_init_at_a_terminal_asks_twice_without_echo(
    run: Cli, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSPHRASE, PASSPHRASE])
    prompts: list[str] = []

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty(""))
    monkeypatch.setattr(
        "getpass.getpass", lambda prompt="": prompts.append(prompt) or next(answers)
    )
    store_path.parent.mkdir(parents=True)
    code, out, _ = run("init")
    assert code == 0
    assert prompts == ["New passphrase: ", "New passphrase again: "]
    assert PASSPHRASE not in out


def test_init_at_a_terminal_refuses_two_different_passphrases(
    run: Cli, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSPHRASE, PASSPHRASE + "x"])

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty(""))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    store_path.parent.mkdir(parents=True)
    code, _, err = run("init")
    assert code == 1
    line = assert_one_line_error(err, must_contain="do not match")
    assert PASSPHRASE not in line
    assert not store_path.exists()


@pytest.mark.parametrize(
    ("weak", "says"), [("short", "characters long"), ("Password123!", "too easy to guess")]
)
def test_init_refuses_a_weak_passphrase(
    run: Cli, store_path: Path, monkeypatch: pytest.MonkeyPatch, weak: str, says: str
) -> None:
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", weak)
    store_path.parent.mkdir(parents=True)
    code, _, err = run("init")
    assert code == 1
    line = assert_one_line_error(err, must_contain=says)
    assert weak not in line
    assert not store_path.exists()


def test_init_refuses_to_overwrite(run: Cli, existing: Path) -> None:
    before = existing.read_bytes()
    code, _, err = run("init")
    assert code == 1
    assert_one_line_error(err, must_contain="already exists")
    assert existing.read_bytes() == before


# ----- check, backup, restore, change-passphrase -----------------------------------------------


def test_check_reports_a_healthy_store(run: Cli, existing: Path) -> None:
    code, out, err = run("check")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Store integrity: ok"
    assert lines[1].startswith("Audit trail: ok (")
    # the command signed in and out: both are in the trail
    assert _events(existing)[:2] == [
        (USER, "sign_out", "command finished"),
        (USER, "sign_in", "signed in"),
    ]


def test_check_with_no_store_there(run: Cli, tmp_path: Path, with_passphrase: None) -> None:
    code, _, err = run("--store", str(tmp_path / "none.store"), "check", store=False)
    assert code == 1
    assert_one_line_error(err, must_contain="no store at")


def test_a_wrong_passphrase_is_one_line_and_never_echoed(
    run: Cli, existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "my very wrong passphrase 99"
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", wrong)
    code, out, err = run("check")
    assert code == 1
    assert out == ""
    line = assert_one_line_error(err, must_contain="passphrase is not right")
    assert wrong not in line
    assert PASSPHRASE not in line


def test_a_missing_passphrase_for_an_existing_store_is_a_usage_error(
    run: Cli, existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MARAC_DESK_PASSPHRASE")
    code, _, err = run("check")
    assert code == 2
    assert_one_line_error(err, must_contain="No passphrase")


def test_backup_writes_a_verified_copy_and_refuses_to_overwrite(
    run: Cli, existing: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "usb" / "friday.store"
    out_file.parent.mkdir()
    code, out, err = run("backup", "--out", str(out_file))
    assert (code, err) == (0, "")
    assert out == f"Backup written and verified: {out_file}\n"
    with Store.unlock(out_file, PASSPHRASE) as copy:
        assert [p.name for p in users.list_profiles(copy)] == [USER]
    assert any(action == "backup" for _, action, _ in _events(existing))
    before = out_file.read_bytes()
    code, _, err = run("backup", "--out", str(out_file))
    assert code == 1
    assert_one_line_error(err, must_contain="already exists")
    assert out_file.read_bytes() == before


def test_backup_needs_an_out_file(run: Cli, existing: Path) -> None:
    code, _, err = run("backup")
    assert code == 2
    assert_one_line_error(err, must_contain="--out")


def test_restore_puts_a_backup_back_and_records_it(
    run: Cli, existing: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.store"
    assert run("backup", "--out", str(backup))[0] == 0
    with Store.unlock(existing, PASSPHRASE) as store:
        users.add_profile(store, users.list_profiles(store)[0].actor, "Later Profile", "deputy")
    code, out, err = run("restore", str(backup))
    assert (code, err) == (0, "")
    assert out.startswith("Restored. The previous store was kept at ")
    aside = Path(out.strip().rsplit(" ", 1)[1])
    assert aside.is_file()
    with Store.unlock(existing, PASSPHRASE) as store:
        assert [p.name for p in users.list_profiles(store)] == [USER]
        (last,) = audit.list_events(store, limit=1)
        assert (last.actor, last.action) == (USER, "restore")
        assert audit.verify(store).ok
    with Store.unlock(aside, PASSPHRASE) as old:
        assert "Later Profile" in [p.name for p in users.list_profiles(old)]


def test_restore_refuses_a_damaged_backup(run: Cli, existing: Path, tmp_path: Path) -> None:
    backup = tmp_path / "b.store"
    assert run("backup", "--out", str(backup))[0] == 0
    damage_page(backup, root_page(backup, PASSPHRASE, "agencies"))
    before = existing.read_bytes()
    code, _, err = run("restore", str(backup))
    assert code == 1
    assert_one_line_error(err, must_contain="damaged")
    assert existing.read_bytes() == before


def test_change_passphrase_from_the_environment(
    run: Cli, existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARAC_DESK_NEW_PASSPHRASE", NEW_PASSPHRASE)
    code, out, err = run("change-passphrase")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Passphrase changed."
    assert "safety copy under the old passphrase" in out
    assert NEW_PASSPHRASE not in out and PASSPHRASE not in out
    code, _, err = run("check")  # the old one no longer opens it
    assert code == 1
    assert_one_line_error(err, must_contain="passphrase is not right")
    monkeypatch.setenv("MARAC_DESK_PASSPHRASE", NEW_PASSPHRASE)
    code, out, _ = run("audit", "list")
    assert code == 0
    assert "\trekey\tstore\t" in out


def test_change_passphrase_without_a_new_one_is_a_usage_error(run: Cli, existing: Path) -> None:
    code, _, err = run("change-passphrase")
    assert code == 2
    assert_one_line_error(err, must_contain="MARAC_DESK_NEW_PASSPHRASE")
    assert not list(existing.parent.glob("*.backup-*"))  # nothing was started
    assert run("check")[0] == 0  # the old passphrase still opens it


def test_change_passphrase_refuses_a_weak_new_one(
    run: Cli, existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARAC_DESK_NEW_PASSPHRASE", "Password123!")
    code, _, err = run("change-passphrase")
    assert code == 1
    line = assert_one_line_error(err, must_contain="too easy to guess")
    assert "Password123!" not in line
    assert not list(existing.parent.glob("*.backup-*"))
    assert run("check")[0] == 0  # the old passphrase still works


# ----- audit -------------------------------------------------------------------------------------


def test_audit_verify_on_an_intact_trail(run: Cli, existing: Path) -> None:
    code, out, err = run("audit", "verify")
    assert (code, err) == (0, "")
    assert out.startswith("Audit trail verified: ")
    assert "chain intact" in out


def test_audit_list_prints_a_header_and_tab_separated_rows_oldest_first(
    run: Cli, existing: Path
) -> None:
    code, out, err = run("audit", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == HEADER
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(r) == 7 for r in rows)
    seqs = [int(r[0]) for r in rows]
    assert seqs == sorted(seqs) == list(range(1, len(rows) + 1))
    assert [r[3] for r in rows[:4]] == ["create", "create", "update", "sign_in"]
    assert rows[0][2] == USER
    assert rows[-1][3] == "sign_in"  # this very command's sign-in, written before listing


def test_audit_list_limit_shows_the_newest_events_oldest_first(run: Cli, existing: Path) -> None:
    _, full, _ = run("audit", "list")
    code, out, _ = run("audit", "list", "--limit", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == HEADER
    seqs = [int(line.split("\t")[0]) for line in lines[1:]]
    newest = int(full.splitlines()[-1].split("\t")[0])
    # the previous listing's own sign-in, its sign-out, and this command's sign-in
    assert seqs == [newest, newest + 1, newest + 2]


def test_audit_list_filters_by_action(run: Cli, existing: Path) -> None:
    code, out, _ = run("audit", "list", "--action", "sign_in")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()[1:]]
    assert rows
    assert {r[3] for r in rows} == {"sign_in"}
    _, none, _ = run("audit", "list", "--action", "merge")
    assert none.splitlines() == [HEADER]


def test_audit_list_keeps_one_event_per_line(run: Cli, existing: Path) -> None:
    with Store.unlock(existing, PASSPHRASE) as store, store.write() as s:
        actor = users.list_profiles(store)[0].actor
        audit.record(s, actor, "export", "report", "Q1\tQ2", "line one\nline two\tend")
    code, out, _ = run("audit", "list", "--action", "export")
    assert code == 0
    (row,) = out.splitlines()[1:]
    assert row.split("\t")[5:] == ["Q1 Q2", "line one line two end"]


@pytest.mark.parametrize(
    "argv", [["audit", "list", "--limit", "0"], ["audit", "list", "--since", "yesterday"]]
)
def test_audit_list_refuses_bad_options(run: Cli, existing: Path, argv: list[str]) -> None:
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert_one_line_error(err)


def test_audit_verify_fails_on_an_edited_event(run: Cli, existing: Path) -> None:
    _tamper(existing, "UPDATE audit_events SET description = 'nothing happened' WHERE seq = 2")
    code, out, err = run("audit", "verify")
    assert code == 1
    assert out == ""
    line = assert_one_line_error(err, must_contain="Audit trail FAILED verification")
    assert "event 2 was altered" in line
    code, out, err = run("check")
    assert code == 1
    assert "Store integrity: ok" in out
    assert "Audit trail: FAILED: event 2 was altered" in out
    assert_one_line_error(err, must_contain="failed its check")


def test_audit_verify_fails_on_a_deleted_event(run: Cli, existing: Path) -> None:
    _tamper(existing, "DELETE FROM audit_events WHERE seq = 3")
    code, _, err = run("audit", "verify")
    assert code == 1
    assert_one_line_error(err, must_contain="event 3 is missing")
    assert run("check")[0] == 1


def test_audit_verify_fails_when_the_newest_events_were_deleted(run: Cli, existing: Path) -> None:
    (count,) = raw_query(existing, PASSPHRASE, "SELECT max(seq) FROM audit_events")[0]
    _tamper(existing, f"DELETE FROM audit_events WHERE seq >= {count - 1}")
    code, _, err = run("audit", "verify")
    assert code == 1
    assert_one_line_error(err, must_contain="missing")


def test_check_on_a_damaged_store_fails_cleanly(run: Cli, existing: Path) -> None:
    damage_page(existing, root_page(existing, PASSPHRASE, "agencies"))
    code, out, err = run("check")
    assert code == 1
    assert "page authentication" in out
    assert_one_line_error(err)
    assert "unexpected error" not in err


def test_a_store_damaged_where_profiles_live_fails_in_one_line(run: Cli, existing: Path) -> None:
    damage_page(existing, root_page(existing, PASSPHRASE, "user_profiles"))
    for argv in (["check"], ["audit", "verify"], ["audit", "list"]):
        code, _, err = run(*argv)
        assert code == 1
        assert_one_line_error(err, must_contain="damaged")


def test_a_store_from_a_newer_version(run: Cli, existing: Path) -> None:
    from store_support import raw_execute

    raw_execute(existing, PASSPHRASE, "UPDATE alembic_version SET version_num = '0099_future'")
    code, _, err = run("check")
    assert code == 1
    assert_one_line_error(err, must_contain="newer version")


# ----- choosing the user profile -----------------------------------------------------------------


@pytest.fixture
def two_profiles(existing: Path) -> Path:
    with Store.unlock(existing, PASSPHRASE) as store:
        users.add_profile(store, users.list_profiles(store)[0].actor, "Dana Deputy", "deputy")
    return existing


def test_with_two_profiles_and_no_user_named_it_is_a_usage_error(
    run: Cli, two_profiles: Path
) -> None:
    code, out, err = run("audit", "list")
    assert code == 2
    assert out == ""
    assert_one_line_error(err, must_contain="--user")


@pytest.mark.parametrize(
    "argv",
    [
        ["--user", "Dana Deputy", "audit", "verify"],
        ["audit", "verify", "--user", "Dana Deputy"],
        ["audit", "--user", "Dana Deputy", "verify"],
    ],
)
def test_user_may_come_before_or_after_the_command(
    run: Cli, two_profiles: Path, argv: list[str]
) -> None:
    code, _, err = run(*argv)
    assert (code, err) == (0, "")
    assert _events(two_profiles)[:2] == [
        ("Dana Deputy", "sign_out", "command finished"),
        ("Dana Deputy", "sign_in", "signed in"),
    ]


def test_store_may_come_after_the_command(run: Cli, existing: Path) -> None:
    code, out, _ = run("check", "--store", str(existing), store=False)
    assert code == 0
    assert "Store integrity: ok" in out


def test_the_user_can_come_from_the_environment(
    run: Cli, two_profiles: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARAC_DESK_USER", "Dana Deputy")
    assert run("audit", "verify")[0] == 0
    assert _events(two_profiles)[0][0] == "Dana Deputy"


def test_an_unknown_or_inactive_user_is_refused(run: Cli, two_profiles: Path) -> None:
    code, _, err = run("--user", "Nobody Here", "check")
    assert code == 1
    assert_one_line_error(err, must_contain="No active user profile")
    with Store.unlock(two_profiles, PASSPHRASE) as store:
        me = users.find_profile(store, USER)
        dana = users.find_profile(store, "Dana Deputy")
        assert me is not None and dana is not None
        users.set_active(store, me.actor, dana.id, False)
    code, _, err = run("--user", "Dana Deputy", "check")
    assert code == 1
    assert_one_line_error(err, must_contain="No active user profile")
    # with only one active profile left, no --user is needed
    assert run("check")[0] == 0


# ----- usage errors and the failure contract -----------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["audit"],
        ["audit", "shred"],
        ["restore"],
        ["--demo", "check"],
        ["check", "--verbose"],
    ],
)
def test_usage_errors_exit_2_with_one_line(run: Cli, existing: Path, argv: list[str]) -> None:
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert_one_line_error(err)


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--passphrase", "Secret Phrase Given Here"],
        ["check", "--passphrase=Secret Phrase Given Here"],
        ["check", "Secret Phrase Given Here"],
        ["--key", "Secret Phrase Given Here", "check"],
        ["audit", "verify", "-p", "Secret Phrase Given Here"],
    ],
)
def test_a_passphrase_is_never_taken_from_arguments_nor_echoed(
    run: Cli, existing: Path, argv: list[str]
) -> None:
    events_before = _events(existing)
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    line = assert_one_line_error(err)
    assert "Secret" not in line
    assert "Phrase" not in line
    assert _events(existing) == events_before  # nothing was opened


def test_a_mistyped_option_is_still_named(run: Cli, existing: Path) -> None:
    code, _, err = run("audit", "list", "--limt", "3")
    assert code == 2
    line = assert_one_line_error(err)
    assert "--limt" in line
    assert " 3" not in line.split("--limt")[1].split("(")[0]


def test_an_unexpected_error_shows_no_text_that_could_hold_case_data(
    run: Cli, existing: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Zephyrine Quixlowe, 12 Acacia Avenue")

    monkeypatch.setattr(audit, "verify", boom)
    code, _, err = run("audit", "verify")
    assert code == 1
    line = assert_one_line_error(err, must_contain="unexpected error (RuntimeError)")
    assert "Zephyrine" not in line and "Acacia" not in line
    # the store was still locked and signed out properly
    assert _events(existing)[0][1] == "sign_out"


def test_help_and_version(run: Cli) -> None:
    code, out, _ = run("--help", store=False)
    assert code == 0
    assert "change-passphrase" in out
    assert "passphrase" not in " ".join(a for a in out.split() if a.startswith("--"))
    code, out, _ = run("--version", store=False)
    assert code == 0
    assert __version__ in out


def test_every_command_help_works(run: Cli) -> None:
    for command in (
        ["init"],
        ["check"],
        ["backup"],
        ["restore"],
        ["change-passphrase"],
        ["audit"],
        ["audit", "list"],
        ["audit", "verify"],
    ):
        code, out, _ = run(*command, "--help", store=False)
        assert code == 0
        assert out.startswith("usage: marac-desk")
