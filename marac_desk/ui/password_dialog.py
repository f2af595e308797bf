"""A password for protected PDFs (DOMAIN.md §7: "password-protected encrypted attachments").

Typed twice, masked, at least `MIN_LENGTH` characters. The dialog hands it to the caller once
(`chosen`), clears both fields at once and keeps nothing; the caller passes it to the one export
it is for. It is never stored, never written to a setting, never put in the audit trail.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QWidget

from marac_desk.ui.panel_dialog import FormDialog
from marac_desk.ui.widgets import MUTED_COLOUR, named

MIN_LENGTH = 10


class PasswordDialog(FormDialog):
    chosen = Signal(str)  # the password, once; the fields are empty again by then

    def __init__(self, parent: QWidget | None = None, *, what: str = "") -> None:
        super().__init__(self.tr("Protect with a password"), self.tr("Use this password"), parent)
        self.setMinimumWidth(500)
        intro = QLabel(
            (what + "\n\n" if what else "")
            + self.tr(
                "The PDFs are encrypted (AES-256) and open only with this password. Tell each "
                "recipient the password another way — by phone, not in the same e-mail. "
                "MARAC Desk does not keep it: you type it each time."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {MUTED_COLOUR};")
        intro.setAccessibleName(self.tr("About the password"))
        self.outer.insertWidget(0, intro)
        self.first = self._masked(self.tr("Password"))
        self.second = self._masked(self.tr("The password again"))
        self.add_field(
            "first",
            self.tr("&Password"),
            self.first,
            self.tr("At least {n} characters: a few words are easy to read out.").format(
                n=MIN_LENGTH
            ),
        )
        self.add_field("second", self.tr("&Again"), self.second)
        self.finish()
        self.first.setFocus()

    def _masked(self, name: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setMaxLength(200)
        edit.setMinimumWidth(260)
        named(edit, name)
        return edit

    def values(self) -> str | None:
        password = self.first.text()
        if len(password) < MIN_LENGTH:
            self.problem(
                "first",
                self.tr("Use at least {n} characters ({have} typed).").format(
                    n=MIN_LENGTH, have=len(password)
                ),
            )
            self.first.setFocus()
            return None
        if password != self.second.text():
            self.problem("second", self.tr("The two passwords are not the same: type it again."))
            self.second.clear()
            self.second.setFocus()
            return None
        return password

    def accept(self) -> None:
        for message in (*self.messages.values(), self.error):
            message.clear_message()
        password = self.values()
        if password is None:
            return
        self.clear()
        QDialog.accept(self)
        self.chosen.emit(password)

    def reject(self) -> None:
        self.clear()
        super().reject()

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()
