"""The child process of the live meeting's kill test (test_ui_live_meeting_kill.py).

    python live_meeting_proc.py STORE MEETING_ID CASE_ID VOICE_TEXT NOTE_TEXT

Unlocks the store with MARAC_DESK_PASSPHRASE (as the CLI does), opens the live meeting at the
case, adds the referring agency's note, types VOICE_TEXT into the victim's voice and NOTE_TEXT
into the note with key events, and prints "typed" once the debounced saves have run — without
any focus change, so only the typing timer saved them. Then it waits to be killed.
"""

from __future__ import annotations

import os
import sys

if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from marac_desk.services import session, users
from marac_desk.ui.area import AppEvents, AreaContext
from marac_desk.ui.live_meeting import LiveMeetingWindow
from marac_desk.ui.tasks import TaskRunner


def type_into(widget: QWidget, text: str) -> None:
    """Key events for every character (QTest has no key for a line break: Return is one)."""
    for i, line in enumerate(text.split("\n")):
        if i:
            QTest.keyClick(widget, Qt.Key.Key_Return)
        QTest.keyClicks(widget, line)


def main() -> int:
    path, meeting_id, case_id = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    voice_text, note_text = sys.argv[4], sys.argv[5]
    app = QApplication([])
    store = session.unlock_store(path, os.environ["MARAC_DESK_PASSPHRASE"])
    opened = session.sign_in(store, users.list_profiles(store)[0])
    win = LiveMeetingWindow(AreaContext(opened, TaskRunner(), AppEvents()), meeting_id)
    win.show()
    win.activateWindow()
    QTest.qWaitForWindowActive(win)
    assert win.go_to_case(case_id)
    page = win.case_page

    QTest.keyClick(page.note_agency, Qt.Key.Key_Return)  # the referring agency's note
    note = page.note_editors[0]
    typed = {"done": False}

    def after_save() -> None:
        done = note.text.toPlainText() == note_text and page.voice.toPlainText() == voice_text
        if done and not win.hub.pending and not typed["done"]:
            typed["done"] = True
            print("typed", flush=True)

    win.hub.saved.connect(after_save)
    type_into(page.voice, voice_text)
    type_into(note.text, note_text)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
