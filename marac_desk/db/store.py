"""The encrypted store's lifecycle: create, unlock, lock, back up, restore, rekey, check.

One SQLCipher 4 file per partnership, default cipher settings. Every connection gets the raw key
derived once at unlock (see `keys`), then foreign keys, WAL and full synchronous commits, so a
killed process or a dead laptop battery loses nothing that was committed.

Failures raise `errors.StoreError` subclasses whose text is safe to show. Nothing is written to
disk until the file has been shown to be a healthy MARAC Desk store of a version we understand.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlcipher3
from filelock import FileLock, Timeout
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from marac_desk.db import errors, migrate
from marac_desk.db.keys import PAGE_SIZE, RawKey, derive_key, new_salt, read_salt

# PRAGMA application_id marks a decrypted file as ours ("MRCD"), so another app's SQLCipher
# database is told apart from a MARAC Desk store.
APPLICATION_ID = 0x4D524344

_SQLITE_MAGIC = b"SQLite format 3\x00"
_OTHER_FORMATS = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive or Office document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old-style Office document",
}

# The process-wide registry of stores this process has open: the file lock stops other
# processes, this stops a second window of the same process.
_open_paths: set[Path] = set()
_open_paths_guard = threading.Lock()

# SQLCipher logs decryption failures (no data, but noise) to stderr; the user gets our message.
_cipher_log_quieted = False


def _quiet_cipher_log() -> None:
    global _cipher_log_quieted  # noqa: PLW0603 - a process-wide switch of the driver
    if not _cipher_log_quieted:
        probe = sqlcipher3.connect(":memory:")
        try:
            probe.execute("PRAGMA cipher_log_level = NONE")
        finally:
            probe.close()
        _cipher_log_quieted = True


def compact_json(value: Any) -> str:
    """How the store writes JSON columns (db.bulk writes the same)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sidecars(path: Path) -> tuple[Path, Path]:
    return Path(f"{path}-wal"), Path(f"{path}-shm")


def _real(path: Path) -> Path:
    """The file's one true name: a store reached through a symlink (a shortcut, a linked
    folder) is the same store, so it shares its lock, its -wal and its "already open" entry."""
    return Path(path).expanduser().resolve()


def lock_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


# Evidence is read with ORDER BY inside json_group_array (db.person_keys), new in SQLite 3.44;
# the sqlcipher3 wheel bundles a newer one, a source build may link an older SQLCipher.
MIN_SQLITE = (3, 44, 0)


def _require_recent_sqlite() -> None:
    if tuple(sqlcipher3.sqlite_version_info) < MIN_SQLITE:
        raise errors.StoreError(
            "This installation's SQLCipher is too old: MARAC Desk needs one built on SQLite "
            f"{'.'.join(map(str, MIN_SQLITE))} or later (the sqlcipher3 wheel has one)."
        )


def _raw_connect(
    path: Path, key: RawKey, *, read_only: bool = False, with_salt: bool = False
) -> Any:
    """A DB-API connection with the key set before anything else touches the file."""
    _require_recent_sqlite()
    _quiet_cipher_log()
    target = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    conn = sqlcipher3.connect(target, uri=True, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA key = {key.pragma_value(with_salt=with_salt)}")
    except Exception:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def _reading_only(path: Path, key: RawKey) -> Iterator[Any]:
    """A read-only connection that leaves the folder as it found it.

    A read-only connection to a WAL-mode file creates an empty -wal and a -shm index that it
    cannot remove when it closes, so a refused store (newer, damaged) or a checked backup would
    be left with new files beside it. Those are removed again if this connection made them and
    the log is still empty. (A wrong key never gets that far: the header cannot be decrypted.)
    """
    made = [side for side in _sidecars(path) if not side.exists()]
    try:
        conn = _raw_connect(path, key, read_only=True)
    except sqlcipher3.Error as exc:
        raise errors.DamagedStore("The store file cannot be opened.") from exc
    try:
        yield conn
    finally:
        conn.close()
        wal = _sidecars(path)[0]
        if wal in made and wal.exists() and wal.stat().st_size == 0:
            for side in made:
                side.unlink(missing_ok=True)


def _configure(conn: Any) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    # Sorting and temp tables stay in memory: no plaintext temp files beside the store.
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL in WAL mode: a commit survives power loss, not just a killed process.
    conn.execute("PRAGMA synchronous = FULL")


def _is_decrypt_failure(exc: BaseException) -> bool:
    return "file is not a database" in str(exc) or "encrypted" in str(exc)


def _is_damage(exc: BaseException | None) -> bool:
    """A read failed because the file is corrupt (not a constraint or a busy database)."""
    if exc is None or type(exc) is not sqlcipher3.DatabaseError:
        return False
    return "malformed" in str(exc) or _is_decrypt_failure(exc)


@contextlib.contextmanager
def _damage_as_store_error() -> Iterator[None]:
    """Turn the driver's corruption errors into DamagedStore, whose text is safe to show.

    The driver's error carries the SQL and its parameters (names, addresses), so it is not
    chained: a crash report or log made from the DamagedStore holds nothing from the store.
    """
    try:
        yield
    except DBAPIError as exc:
        if not _is_damage(exc.orig):
            raise
        raise errors.DamagedStore(
            "The store file is damaged and part of it cannot be read. Restore it from a backup."
        ) from None


def _describe_foreign_file(path: Path) -> None:
    """Raise NotAStore or DamagedStore for files that cannot be a store, before any key is tried."""
    size = path.stat().st_size
    if size == 0:
        raise errors.NotAStore("The file is empty: it is not a MARAC Desk store.")
    with path.open("rb") as fh:
        head = fh.read(512)
    if head.startswith(_SQLITE_MAGIC):
        raise errors.NotAStore(
            "The file is an unencrypted SQLite database, not a MARAC Desk store."
        )
    for magic, what in _OTHER_FORMATS.items():
        if head.startswith(magic):
            raise errors.NotAStore(f"The file is {what}, not a MARAC Desk store.")
    if len(head) >= 64 and all(b in b"\t\n\r" or 32 <= b < 127 for b in head):
        raise errors.NotAStore("The file is a text file, not a MARAC Desk store.")
    if size < PAGE_SIZE or size % PAGE_SIZE:
        raise errors.DamagedStore(
            "The store file is truncated or damaged (its size is not a whole number of pages). "
            "Restore it from a backup."
        )


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    problems: tuple[str, ...]


class Store:
    """An unlocked store. Create one with `Store.create` or `Store.unlock`; `close()` locks it."""

    def __init__(self, path: Path, key: RawKey, file_lock: FileLock) -> None:
        self.path = path
        self._key = key
        self._file_lock = file_lock
        self._closed = False
        self.engine: Engine = self._make_engine()
        # Write units of work start with BEGIN IMMEDIATE so the audit chain's "read the newest
        # event, append the next" can never interleave between two writers.
        self._write_engine = self.engine.execution_options(begin_mode="IMMEDIATE")
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)

    # ----- lifecycle -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, passphrase: str) -> Store:
        """Create a new, empty store at the current schema. Refuses to overwrite anything."""
        path = _real(path)
        if path.exists() or any(p.exists() for p in _sidecars(path)):
            raise errors.StoreExists(
                "A file already exists at that location; choose another name or folder."
            )
        if not path.parent.is_dir():
            raise errors.StoreNotFound("The folder for the new store does not exist.")
        file_lock = cls._acquire(path)
        try:
            key = derive_key(passphrase, new_salt())
            conn = _raw_connect(path, key, with_salt=True)
            try:
                _configure(conn)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            finally:
                conn.close()
            store = cls(path, key, file_lock)
        except BaseException:
            cls._release(path, file_lock)
            for p in (path, *_sidecars(path)):
                p.unlink(missing_ok=True)
            raise
        try:
            migrate.upgrade_to_head(store.engine)
        except BaseException:
            store.close()
            for p in (path, *_sidecars(path)):
                p.unlink(missing_ok=True)
            raise
        return store

    @classmethod
    def unlock(
        cls,
        path: Path,
        passphrase: str,
        *,
        backup_before_migrate: Callable[[Path], Path] | None = None,
    ) -> Store:
        """Open an existing store. A wrong passphrase or a bad file changes nothing on disk."""
        path = _real(path)
        if not path.is_file():
            raise errors.StoreNotFound("There is no store at that location.")
        _describe_foreign_file(path)
        file_lock = cls._acquire(path)
        try:
            key = derive_key(passphrase, read_salt(path))
            revision = cls._probe(path, key)
            if migrate.is_newer_than_app(revision):
                raise errors.NewerStore(
                    "This store was written by a newer version of MARAC Desk. "
                    "Update MARAC Desk to open it; nothing was changed."
                )
            store = cls(path, key, file_lock)
        except BaseException:
            cls._release(path, file_lock)
            raise
        try:
            if migrate.needs_upgrade(revision):
                (backup_before_migrate or store.backup_beside)(path)
                migrate.upgrade_to_head(store.engine)
        except BaseException:
            store.close()
            raise
        return store

    @staticmethod
    def _probe(path: Path, key: RawKey) -> str | None:
        """Check key and file read-only; return the schema revision found."""
        with _reading_only(path, key) as conn:
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
            except sqlcipher3.DatabaseError as exc:
                if _is_decrypt_failure(exc):
                    raise errors.WrongPassphrase(
                        "The passphrase is not right for this store."
                    ) from None
                raise errors.DamagedStore(
                    "The store file is damaged or incomplete and cannot be read. "
                    "Restore it from a backup."
                ) from None
            try:
                (app_id,) = conn.execute("PRAGMA application_id").fetchone()
                if app_id != APPLICATION_ID:
                    raise errors.NotAStore(
                        "The file is an encrypted database, but not a MARAC Desk store."
                    )
                (pages,) = conn.execute("PRAGMA page_count").fetchone()
                wal = _sidecars(path)[0]
                has_wal = wal.exists() and wal.stat().st_size > 0
                if not has_wal and pages * PAGE_SIZE > path.stat().st_size:
                    raise errors.DamagedStore(
                        "The store file is truncated: part of it is missing. "
                        "Restore it from a backup."
                    )
                return migrate.read_revision(conn)
            except sqlcipher3.DatabaseError as exc:
                raise errors.DamagedStore(
                    "The store file is damaged and cannot be read. Restore it from a backup."
                ) from exc

    @staticmethod
    def _acquire(path: Path) -> FileLock:
        with _open_paths_guard:
            if path in _open_paths:
                raise errors.AlreadyOpen("This store is already open in this MARAC Desk window.")
            lock = FileLock(lock_path_for(path), is_singleton=False)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                raise errors.AlreadyOpen(
                    "This store is already open in another MARAC Desk window or command. "
                    "Close it there first."
                ) from None
            except OSError as exc:
                raise errors.StoreError(
                    "The store's folder cannot be written to, so the store cannot be opened."
                ) from exc
            _open_paths.add(path)
            return lock

    @staticmethod
    def _release(path: Path, lock: FileLock) -> None:
        with _open_paths_guard:
            _open_paths.discard(path)
        lock.release()

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Lock the store: close every connection, wipe the key, release the file lock."""
        if self._closed:
            return
        self._closed = True
        self.engine.dispose()
        self._key.wipe()
        self._release(self.path, self._file_lock)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- connections -----------------------------------------------------------------------

    def _make_engine(self) -> Engine:
        def creator() -> Any:
            if self._closed:
                raise errors.StoreLocked("The store is locked.")
            conn = _raw_connect(self.path, self._key)
            try:
                _configure(conn)
            except Exception:
                conn.close()
                raise
            return conn

        # The URL names no file and no key: the creator opens the file with the raw key.
        engine = create_engine(
            "sqlite+pysqlite://",
            module=sqlcipher3,
            creator=creator,
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
            # Compact JSON: risk answers and settings take less room, and less to encrypt.
            json_serializer=compact_json,
        )

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            mode = conn.get_execution_options().get("begin_mode", "")
            conn.exec_driver_sql(f"BEGIN {mode}".strip())

        return engine

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work that changes data: commits on success, rolls back on any error."""
        self._check_open()
        with _damage_as_store_error(), self._write_sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        self._check_open()
        with _damage_as_store_error(), self._read_sessions() as session, session.begin():
            yield session

    def raw_connection_time_probe(self) -> None:
        """Open and close one fresh connection (used by the benchmark)."""
        conn = _raw_connect(self.path, self._key)
        try:
            _configure(conn)
            conn.execute("SELECT 1").fetchone()
        finally:
            conn.close()

    def _check_open(self) -> None:
        if self._closed:
            raise errors.StoreLocked("The store is locked.")

    # ----- checks, backups, passphrase ---------------------------------------------------------

    def integrity_check(self) -> IntegrityReport:
        """SQLite's structural check, SQLCipher's page authentication, and foreign keys."""
        self._check_open()
        problems: list[str] = []
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            # Page authentication first: it reports damaged pages as rows, where the structural
            # check stops with an error at the first page that fails to decrypt.
            for row in raw.execute("PRAGMA cipher_integrity_check").fetchall():
                problems.append(f"page authentication: {row[0]}")
            try:
                for (row,) in raw.execute("PRAGMA integrity_check").fetchall():
                    if row != "ok":
                        problems.append(f"structure: {row}")
                fk_rows = raw.execute("PRAGMA foreign_key_check").fetchall()
                if fk_rows:
                    problems.append(f"{len(fk_rows)} broken references between records")
            except sqlcipher3.DatabaseError as exc:
                if not _is_damage(exc):
                    raise
                problems.append("structure: the store file is damaged and cannot be read")
                # A connection that met a damaged page is not reused.
                conn.invalidate()
        return IntegrityReport(not problems, tuple(problems))

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (before copying or rekeying)."""
        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def backup_to(self, dest: Path) -> Path:
        """Write an encrypted copy (same passphrase) and prove it by reopening it.

        The copy is written under a temporary name in the destination folder and renamed into
        place only after it verified, so a failed backup never leaves a file that looks good.
        """
        self._check_open()
        dest = Path(dest).expanduser().absolute()
        if dest.exists():
            raise errors.BackupFailed("A file already exists at the backup location.")
        if not dest.parent.is_dir():
            raise errors.BackupFailed("The folder for the backup does not exist.")
        partial = dest.with_name(f".{dest.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            with self.engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                assert raw is not None
                raw.execute(
                    f"ATTACH DATABASE ? AS backup KEY {self._key.pragma_value(with_salt=True)}",
                    (str(partial),),
                )
                try:
                    raw.execute("SELECT sqlcipher_export('backup')").fetchall()
                    raw.execute(f"PRAGMA backup.application_id = {APPLICATION_ID}")
                finally:
                    raw.execute("DETACH DATABASE backup")
            self._verify_copy(partial)
            os.replace(partial, dest)
        except errors.StoreError:
            partial.unlink(missing_ok=True)
            raise
        except Exception as exc:
            partial.unlink(missing_ok=True)
            raise errors.BackupFailed(
                f"The backup could not be written ({type(exc).__name__})."
            ) from exc
        return dest

    def backup_beside(self, path: Path | None = None) -> Path:
        """A timestamped backup next to the store (before migrations and rekeying)."""
        base = path or self.path
        stamp = _utcnow().strftime("%Y%m%d-%H%M%S-%f")
        return self.backup_to(base.with_name(f"{base.name}.backup-{stamp}"))

    def _verify_copy(self, copy: Path) -> None:
        conn = _raw_connect(copy, self._key, read_only=True)
        try:
            (ok,) = conn.execute("PRAGMA quick_check").fetchone()
            (app_id,) = conn.execute("PRAGMA application_id").fetchone()
            bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
            if ok != "ok" or app_id != APPLICATION_ID or bad_pages:
                raise errors.BackupFailed("The backup did not verify; no backup was kept.")
            with self.engine.connect() as src_conn:
                src = src_conn.connection.dbapi_connection
                assert src is not None
                tables = [
                    name
                    for (name,) in src.execute(
                        "SELECT name FROM sqlite_master WHERE type='table' "
                        "AND name NOT LIKE 'sqlite_%'"
                    ).fetchall()
                ]
                for table in tables:
                    (a,) = src.execute(f'SELECT count(*) FROM "{table}"').fetchone()
                    (b,) = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
                    if a != b:
                        raise errors.BackupFailed(
                            "The backup did not match the store; no backup was kept."
                        )
        except sqlcipher3.DatabaseError as exc:
            raise errors.BackupFailed("The backup could not be read back; none was kept.") from exc
        finally:
            conn.close()

    def change_passphrase(self, new_passphrase: str) -> Path:
        """Rekey safely: back up, rekey on one connection, verify a fresh open, then resume.

        Returns the path of the safety backup taken first (encrypted with the *old* passphrase).
        If anything fails after the rekey began, the store is put back from that backup.
        """
        self._check_open()
        safety = self.backup_beside()
        self.engine.dispose()
        new_key = derive_key(new_passphrase, read_salt(self.path))
        conn = _raw_connect(self.path, self._key)
        try:
            try:
                conn.execute("PRAGMA journal_mode = DELETE")
                conn.execute(f"PRAGMA rekey = {new_key.pragma_value()}")
            finally:
                conn.close()
            # Verify with a key derived afresh from the passphrase and the file's own salt.
            check_key = derive_key(new_passphrase, read_salt(self.path))
            check = _raw_connect(self.path, check_key, read_only=True)
            try:
                (ok,) = check.execute("PRAGMA quick_check").fetchone()
            finally:
                check.close()
                check_key.wipe()
            if ok != "ok":
                raise errors.StoreError("The store did not verify after changing the passphrase.")
        except Exception as exc:
            new_key.wipe()
            shutil.copyfile(safety, self.path)
            for p in _sidecars(self.path):
                p.unlink(missing_ok=True)
            self.engine.dispose()
            if isinstance(exc, errors.StoreError):
                raise
            raise errors.StoreError(
                "The passphrase could not be changed; the store was put back as it was."
            ) from exc
        old = self._key
        self._key = new_key
        old.wipe()
        self.engine.dispose()
        return safety


def restore_backup(store_path: Path, backup_path: Path, backup_passphrase: str) -> Path | None:
    """Put a verified backup in place of the store; the current store is kept aside.

    Returns where the previous store file was moved (None if there was none). The store must
    not be open anywhere.
    """
    store_path = _real(store_path)
    backup_path = _real(backup_path)
    if not backup_path.is_file():
        raise errors.StoreNotFound("There is no backup file at that location.")
    _describe_foreign_file(backup_path)
    file_lock = Store._acquire(store_path)
    try:
        key = derive_key(backup_passphrase, read_salt(backup_path))
        try:
            revision = Store._probe(backup_path, key)
            if migrate.is_newer_than_app(revision):
                raise errors.NewerStore(
                    "The backup was written by a newer version of MARAC Desk; update first."
                )
            with _reading_only(backup_path, key) as conn:
                try:
                    bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
                    (ok,) = conn.execute("PRAGMA quick_check").fetchone()
                except sqlcipher3.DatabaseError as exc:
                    if not _is_damage(exc):
                        raise
                    ok = "damaged"
        finally:
            key.wipe()
        if ok != "ok" or bad_pages:
            raise errors.DamagedStore("The backup is damaged; the current store was left alone.")
        stamp = _utcnow().strftime("%Y%m%d-%H%M%S-%f")
        aside = store_path.with_name(f"{store_path.name}.replaced-{stamp}")
        incoming = store_path.with_name(f".{store_path.name}.restoring")
        shutil.copyfile(backup_path, incoming)
        with open(incoming, "rb+") as fh:
            os.fsync(fh.fileno())
        moved: Path | None = None
        if store_path.exists():
            os.replace(store_path, aside)
            moved = aside
            for side, suffix in zip(_sidecars(store_path), ("-wal", "-shm"), strict=True):
                if side.exists():
                    os.replace(side, Path(f"{aside}{suffix}"))
        os.replace(incoming, store_path)
        return moved
    finally:
        Store._release(store_path, file_lock)
