"""The CLI as a real process: exit codes, stdout and stderr as a shell script would see them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import PARTNERSHIP, PASSPHRASE
from store_support import assert_one_line_error, child_env, raw_execute, run_cli

from marac_desk.services.session import create_store

pytestmark = pytest.mark.slow


def test_a_week_of_scripted_work(tmp_path: Path) -> None:
    store = tmp_path / "partnership.store"
    env = child_env(MARAC_DESK_PASSPHRASE=PASSPHRASE)
    steps = [
        ["--store", str(store), "init", "--partnership", PARTNERSHIP, "--user", "Sam"],
        ["backup", "--out", str(tmp_path / "friday.store"), "--store", str(store)],
        ["--store", str(store), "audit", "list", "--action", "backup"],
    ]
    results = [run_cli(argv, env) for argv in steps]
    for argv, result in zip(steps, results, strict=True):
        assert result.returncode == 0, (argv, result.stderr)
        assert result.stderr == ""
        assert PASSPHRASE not in result.stdout
    assert results[1].stdout.startswith("Backup written and verified: ")
    header, *rows = results[2].stdout.splitlines()
    assert header.split("\t")[0] == "seq"
    assert [row.split("\t")[2:5] for row in rows] == [["Sam", "backup", "store"]]
    assert (tmp_path / "friday.store").is_file()


def test_usage_errors_in_a_real_process(tmp_path: Path) -> None:
    store = tmp_path / "x.store"
    no_passphrase = run_cli(["--store", str(store), "init"], child_env())
    assert no_passphrase.returncode == 2
    assert_one_line_error(no_passphrase.stderr, must_contain="MARAC_DESK_PASSPHRASE")
    assert not store.exists()
    unknown = run_cli(["shred-everything"], child_env())
    assert unknown.returncode == 2
    assert_one_line_error(unknown.stderr)
    as_argument = run_cli(["--store", str(store), "init", "--passphrase", PASSPHRASE], child_env())
    assert as_argument.returncode == 2
    line = assert_one_line_error(as_argument.stderr)
    assert PASSPHRASE not in line
    assert not store.exists()


def test_wrong_passphrase_and_a_tampered_trail_in_a_real_process(tmp_path: Path) -> None:
    store = tmp_path / "x.store"
    env = child_env(MARAC_DESK_PASSPHRASE=PASSPHRASE)
    create_store(store, PASSPHRASE, PASSPHRASE, partnership="", user_name="Sam").lock()
    wrong = "wrong horse battery staple 1"
    refused = run_cli(["--store", str(store), "check"], child_env(MARAC_DESK_PASSPHRASE=wrong))
    assert refused.returncode == 1
    assert refused.stdout == ""
    line = assert_one_line_error(refused.stderr, must_contain="passphrase is not right")
    assert wrong not in line
    raw_execute(
        store,
        PASSPHRASE,
        "DROP TRIGGER audit_events_no_update",
        "UPDATE audit_events SET actor = 'Someone Else' WHERE seq = 1",
    )
    verify = run_cli(["--store", str(store), "audit", "verify"], env)
    assert verify.returncode == 1
    assert_one_line_error(verify.stderr, must_contain="event 1 was altered")
    check = run_cli(["--store", str(store), "check"], env)
    assert check.returncode == 1
    assert "Audit trail: FAILED: event 1 was altered" in check.stdout
    assert_one_line_error(check.stderr, must_contain="failed its check")
