"""Every keystroke is safe: the live meeting killed (kill -9) right after its typing timer saved
loses nothing typed, and the store is consistent."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from store_support import ChildLines, child_env
from test_ui_live_meeting import build_meeting

from marac_desk.db.store import Store
from marac_desk.services import audit, meetings
from marac_desk.services.session import OpenStore

CHILD = Path(__file__).with_name("live_meeting_proc.py")

VOICE = (
    'She said he\'d "finish it" if she went to the police; she is 100% sure he means it.\n'
    "Wants: locks changed (front & back), a <panic alarm>, school told - today!"
)
NOTE = "Call-outs on 03/06, 17/06 and 02/07; bail conditions breached twice since June."


@pytest.mark.slow
def test_killed_after_the_typing_timer_saved_nothing_typed_is_lost(
    open_store: OpenStore,
) -> None:
    setup = build_meeting(open_store)
    path = open_store.store.path
    open_store.lock()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(CHILD),
            str(path),
            str(setup.meeting_id),
            str(setup.repeat_case),
            VOICE,
            NOTE,
        ],
        env=child_env(MARAC_DESK_PASSPHRASE=PASSPHRASE, QT_QPA_PLATFORM="offscreen"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines = ChildLines(proc)
    try:
        assert lines.next_line() == "typed"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        lines.close()
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    with Store.unlock(path, PASSPHRASE) as store:
        assert store.integrity_check().ok
        assert audit.verify(store).ok
        sheet = meetings.get_case_sheet(store, setup.repeat_case)
    assert sheet.victim_voice == VOICE
    assert [(n.agency, n.kind, n.text) for n in sheet.agency_notes] == [("Police", "fact", NOTE)]
