"""Errors the store raises. Every message is fit to show a coordinator as it is, and none
contains a passphrase, a key or anything read from inside the store."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every store failure; `str(err)` is the one line to show the user."""


class StoreNotFound(StoreError):
    pass


class StoreExists(StoreError):
    pass


class WrongPassphrase(StoreError):
    pass


class NotAStore(StoreError):
    pass


class DamagedStore(StoreError):
    pass


class NewerStore(StoreError):
    pass


class AlreadyOpen(StoreError):
    pass


class StoreLocked(StoreError):
    """The store has been locked (idle lock or sign-out); unlock again to continue."""


class BackupFailed(StoreError):
    pass
