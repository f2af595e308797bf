"""Writing an export to disk so that a crash never leaves half a file behind, and a set of
files (one per agency, or a meeting's whole set) so that it is written whole or not at all,
never over a file already there."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class FileClash(FileExistsError):
    """A file is already where an export would go; nothing was written."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(errno.EEXIST, "A file already exists", str(path))
        self.path = Path(path)

    def __str__(self) -> str:
        return f"A file already exists at {self.path}: nothing was written."


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` all or nothing; returns the path written.

    The bytes go to a temporary file in the same folder (so the final rename never crosses a
    file system), are flushed and fsync'd, then `os.replace` puts the file in place in one step
    (over any older file of that name); the folder is fsync'd too where the OS allows, so the
    rename itself survives a power cut. On any failure the temporary file is removed and the
    old file, if any, is untouched. The new file is readable by its owner only (0600 on POSIX):
    exports hold personal data. The folder must exist.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"folder does not exist: {folder}")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _sync_folder(folder)
    return target


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":  # Windows cannot open a directory for fsync; NTFS journals renames
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def safe_file_name(name: str, suffix: str) -> str:
    """A file name from free text (an agency's name), safe on every operating system."""
    cleaned = " ".join(_UNSAFE.sub("-", name).split()).strip(" .") or "agency"
    return cleaned + suffix


def unique_file_names(names: Iterable[str]) -> list[str]:
    """The names made safe and told apart — "A/B" and "A-B" both clean to "A-B.pdf", and
    Windows and macOS ignore case — by " (2)", " (3)" … before the suffix."""
    taken: set[str] = set()
    found: list[str] = []
    for name in names:
        stem, suffix = Path(name).stem, Path(name).suffix
        candidate, n = name, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{stem} ({n}){suffix}"
        taken.add(candidate.casefold())
        found.append(candidate)
    return found


def agency_file_names(agencies: Iterable[str], suffix: str = ".pdf") -> list[str]:
    """One file name per agency, named after the agency, no two alike."""
    return unique_file_names(safe_file_name(a, suffix) for a in agencies)


def check_free(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Raise `FileClash` for the first path where something already is."""
    for path in paths:
        p = Path(path)
        if p.exists() or p.is_symlink():
            raise FileClash(p)


def write_new(path: str | os.PathLike[str], data: bytes) -> Path:
    """`write_atomic`, but never over an existing file: `FileClash` if one is there (checked
    by the file system itself as the file appears, so a file made meanwhile is not replaced)."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"folder does not exist: {folder}")
    check_free([target])
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp_name, target)  # fails, rather than replaces, if the name is taken
        except FileExistsError:
            raise FileClash(target) from None
        except OSError:  # a file system without hard links (FAT, some network shares)
            check_free([target])
            os.replace(temp_name, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
    _sync_folder(folder)
    return target


def write_all_new(files: Sequence[tuple[str | os.PathLike[str], bytes]]) -> list[Path]:
    """Write every file or none: nothing is written if any name is taken (`FileClash` names
    the first), and files already written are removed again if a later one fails."""
    paths = [Path(p) for p, _ in files]
    seen: set[str] = set()
    for p in paths:
        key = str(p).casefold()
        if key in seen:
            raise ValueError(f"Two files of the set would both be {p}.")
        seen.add(key)
    check_free(paths)
    written: list[Path] = []
    try:
        for path, (_, data) in zip(paths, files, strict=True):
            written.append(write_new(path, data))
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return paths
