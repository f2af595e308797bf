"""Helpers shared by the store, CLI and durability tests.

They look at a store the way an outsider would: through the stock `sqlcipher3` driver with only
`PRAGMA key = '<passphrase>'`, as raw bytes on disk, or through a separate process.
"""

from __future__ import annotations

import hashlib
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from marac_desk.db import keys
from marac_desk.db import store as store_module

PAGE = 4096
_DERIVED: dict[tuple[str, bytes], bytes] = {}
CHILD_TIMEOUT = 60.0  # seconds: a bound on a hung child, never a wait


def sidecars(path: Path) -> tuple[Path, Path]:
    return Path(f"{path}-wal"), Path(f"{path}-shm")


def raw_open(path: Path, passphrase: str) -> Any:
    """Open a store as any SQLCipher 4 tool would: the passphrase and default settings only."""
    conn = sqlcipher3.connect(str(path))
    quoted = passphrase.replace("'", "''")
    conn.execute(f"PRAGMA key = '{quoted}'")
    return conn


def raw_query(path: Path, passphrase: str, sql: str) -> list[tuple[Any, ...]]:
    conn = raw_open(path, passphrase)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()


def raw_execute(path: Path, passphrase: str, *statements: str) -> None:
    """Change a store behind the app's back (as someone with the passphrase and a tool could).

    Uses the key derived from the passphrase (memoised, see `derived_key`), which SQLCipher
    treats exactly like `PRAGMA key = '<passphrase>'`, only without paying the KDF again.
    """
    conn = _keyed_open(path, passphrase)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def derived_key(passphrase: str, salt: bytes) -> bytes:
    """SQLCipher 4's default KDF, memoised for the test session."""
    memo = (passphrase, bytes(salt))
    if memo not in _DERIVED:
        _DERIVED[memo] = hashlib.pbkdf2_hmac(
            "sha512", passphrase.encode("utf-8"), salt, keys.KDF_ITERATIONS, keys.KEY_BYTES
        )
    return _DERIVED[memo]


def _keyed_open(path: Path, passphrase: str) -> Any:
    conn = sqlcipher3.connect(str(path))
    if path.exists() and path.stat().st_size >= keys.SALT_BYTES:
        key = derived_key(passphrase, keys.read_salt(path))
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    else:  # a new file: let SQLCipher pick the salt
        quoted = passphrase.replace("'", "''")
        conn.execute(f"PRAGMA key = '{quoted}'")
    return conn


def fingerprint(path: Path) -> dict[str, str]:
    """sha256 of the store and of its -wal if there is one: equal fingerprints = nothing written.

    The -shm is left out on purpose: it is SQLite's index of the -wal, holds no data and is
    rebuilt by any reader; that it exists or not is checked separately.
    """
    out = {}
    for p in (path, sidecars(path)[0]):
        if p.exists():
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def root_page(path: Path, passphrase: str, table: str) -> int:
    conn = _keyed_open(path, passphrase)
    try:
        ((page,),) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchall()
    finally:
        conn.close()
    return int(page)


def damage_page(path: Path, page_no: int, *, at: int = 200, length: int = 32) -> None:
    """Flip bytes inside one encrypted page (1-based), as a bad sector or a bit rot would."""
    data = bytearray(path.read_bytes())
    start = (page_no - 1) * PAGE + at
    for i in range(start, start + length):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def child_env(**extra: str) -> dict[str, str]:
    """The test's environment (already pointing every app directory at a temporary home)."""
    env = dict(os.environ)
    env.pop("MARAC_DESK_PASSPHRASE", None)
    env.pop("MARAC_DESK_NEW_PASSPHRASE", None)
    env.update(extra)
    return env


def run_cli(
    args: list[str], env: dict[str, str], *, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m marac_desk ARGS` in a real process with no terminal on stdin."""
    return subprocess.run(
        [sys.executable, "-m", "marac_desk", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )


def assert_one_line_error(stderr: str, *, must_contain: str = "") -> str:
    """The CLI's failure contract: exactly one line on stderr, no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {stderr!r}"
    assert "Traceback" not in stderr
    line = lines[0]
    assert line.startswith("marac-desk: "), line
    if must_contain:
        assert must_contain.lower() in line.lower(), line
    return line


class ChildLines:
    """Read a child's stdout line by line with a deadline (no sleeps: wait on the pipe)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self._sel = selectors.DefaultSelector()
        self._sel.register(proc.stdout, selectors.EVENT_READ)
        self._buf = b""

    def next_line(self, timeout: float = CHILD_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the child process printed nothing in time")
            if not self._sel.select(left):
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise AssertionError(f"the child process ended early: {err}")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode()

    def close(self) -> None:
        self._sel.close()


# ----- faster unlocks for tests that are not about key derivation ------------------------------

TEST_SALT = bytes.fromhex("8f3ac1d27be04e9a15c6d3f08a2b7e61")


def cache_key_derivation(monkeypatch: pytest.MonkeyPatch, *, fixed_salt: bool = True) -> None:
    """Derive each (passphrase, salt) key once per test session instead of once per unlock.

    A derivation costs ~0.13 s by design; a behaviour test unlocks its store many times. The
    keys are exactly the ones SQLCipher derives (the stock driver still opens these stores with
    the passphrase), only memoised. With `fixed_salt` every new store gets the same salt, so a
    passphrase is derived once for the whole session. Tests of the derivation itself
    (tests/db/test_store_keys.py, test_store_create.py) do not use this.
    """

    def derive(passphrase: str, salt: bytes) -> keys.RawKey:
        return keys.RawKey(derived_key(passphrase, salt), salt)

    monkeypatch.setattr(store_module, "derive_key", derive)
    if fixed_salt:
        monkeypatch.setattr(store_module, "new_salt", lambda: TEST_SALT)
