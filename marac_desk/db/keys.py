"""Key derivation for SQLCipher 4 stores, done once per unlock.

SQLCipher 4's default turns a passphrase into a key with PBKDF2-HMAC-SHA512 over 256,000
iterations, salted with the first 16 bytes of the file. We derive the same key ourselves, once,
and hand SQLCipher the raw key on every connection: the file stays openable by any SQLCipher 4
tool with the passphrase alone (no lock-in), and a new connection costs milliseconds instead of
a quarter of a second.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

KDF_ITERATIONS = 256_000
KEY_BYTES = 32
SALT_BYTES = 16
PAGE_SIZE = 4096


class RawKey:
    """A derived key held in a mutable buffer so it can be wiped when the store locks."""

    __slots__ = ("_buf", "_salt")

    def __init__(self, key: bytes | bytearray, salt: bytes) -> None:
        if len(key) != KEY_BYTES or len(salt) != SALT_BYTES:
            raise ValueError("key material has the wrong size")
        self._buf = bytearray(key)
        self._salt = bytes(salt)

    @property
    def wiped(self) -> bool:
        return not any(self._buf)

    def pragma_value(self, *, with_salt: bool = False) -> str:
        """The `PRAGMA key` literal. With the salt it also fixes the salt of a new file."""
        if self.wiped:
            raise ValueError("the key has been wiped")
        hex_key = self._buf.hex() + (self._salt.hex() if with_salt else "")
        return f"\"x'{hex_key}'\""

    def wipe(self) -> None:
        for i in range(len(self._buf)):
            self._buf[i] = 0

    def __repr__(self) -> str:  # never show key material, even in a debugger or traceback
        return "RawKey(<hidden>)"


def derive_key(passphrase: str, salt: bytes) -> RawKey:
    derived = hashlib.pbkdf2_hmac(
        "sha512", passphrase.encode("utf-8"), salt, KDF_ITERATIONS, KEY_BYTES
    )
    return RawKey(derived, salt)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def read_salt(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(SALT_BYTES)
