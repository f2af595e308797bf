"""Writing an export to disk so that a crash never leaves half a file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


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
