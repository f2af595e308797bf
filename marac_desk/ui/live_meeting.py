"""The live meeting (DOMAIN.md §5), run from the keyboard while the room talks.

Pages, in the order of a meeting: the opening (confidentiality statement, the minutes' header,
attendance and quorum), the review of outstanding actions, one page per case in agenda order,
and the closing (any other business, finish time, next meeting). PageDown / PageUp (or
Ctrl+Right / Ctrl+Left outside text) move between them; the list on the left shows where the
meeting is and what each case's outcome was. The footer lists the keys of the page and whether
everything typed is saved.

Everything typed is saved as it is typed (`ui.autosave`), each save one service call; leaving a
page or closing the window saves whatever is still waiting.

Keys (the footer shows those of the page): anywhere PageDown/PageUp (Ctrl+Right/Left outside
text), Ctrl+G the list of pages, Ctrl+S save now, Ctrl+W close. Opening: Alt+R statement read,
Alt+C chair, Alt+M minute taker, Alt+T start now, Alt+A add attendance (Enter adds), Alt+L the
register (Enter edits, Delete removes). Review: C / P / U / F in the list (Alt+ anywhere),
Alt+N note, Alt+D new date, Enter confirms. Case: Ctrl+T timer, Alt+N note, Alt+F/Alt+O fact or
opinion, Alt+V victim's voice, Alt+R risks, Alt+A action (Enter saves and starts the next, Esc
takes it back), Alt+L actions (Enter edits, Delete removes), Alt+U outcome then 1-4. Closing:
Alt+B any other business, Alt+F finish now.
"""

from __future__ import annotations

import time as clock_module
from collections.abc import Callable
from datetime import datetime
from functools import partial

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import actions, meetings, settings
from marac_desk.services.meetings import AgendaCase, MeetingDetails
from marac_desk.services.session import OpenStore
from marac_desk.ui import live_common
from marac_desk.ui.area import AreaContext
from marac_desk.ui.autosave import Autosaver, SaveHub
from marac_desk.ui.live_case import CasePage
from marac_desk.ui.live_common import (
    LivePage,
    page_shortcut,
    parse_time,
    text_area,
    time_text,
)
from marac_desk.ui.live_opening import OpeningPage
from marac_desk.ui.live_review import ReviewPage
from marac_desk.ui.referral_text import long_date
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    MUTED_COLOUR,
    OK_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    app_icon,
    heading,
    name_unnamed_buttons,
    named,
    safe_error,
)

OUTCOME_MARKS = {
    "pending": "",
    "heard_closed": "✓ ",
    "heard_open": "✓ ",
    "deferred": "↷ ",
}
OUTCOME_SHORT = {
    "pending": "",
    "heard_closed": QT_TRANSLATE_NOOP("LiveMeetingWindow", "heard, closed"),
    "heard_open": QT_TRANSLATE_NOOP("LiveMeetingWindow", "heard, kept open"),
    "deferred": QT_TRANSLATE_NOOP("LiveMeetingWindow", "deferred"),
}


class ClosingPage(LivePage):
    """Any other business, the finish time and the next meeting's date."""

    finished = Signal()

    def __init__(
        self, opened: OpenStore, hub: SaveHub, details: MeetingDetails, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.title = self.tr("Closing: any other business and finish")
        self._opened = opened
        self._hub = hub
        self.meeting_id = details.meeting.id
        named(self, self.title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addWidget(heading(self.title, 2, self))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        named(self.summary, self.tr("The meeting so far"))
        layout.addWidget(self.summary)

        finish = QHBoxLayout()
        finish.addWidget(QLabel(self.tr("Finished at"), self))
        self.end_time = QLineEdit(time_text(details.end_time), self)
        self.end_time.setMaxLength(5)
        self.end_time.setMaximumWidth(110)
        self.end_time.setPlaceholderText(self.tr("HH:MM"))
        named(self.end_time, self.tr("Finish time"), self.tr("Hours and minutes, e.g. 11:45"))
        finish.addWidget(self.end_time)
        self.finish_button = QPushButton(self.tr("Finish meeting now (Alt+F)"), self)
        named(self.finish_button, self.tr("Finish meeting now"))
        self.finish_button.clicked.connect(self.finish_now)
        finish.addWidget(self.finish_button)
        finish.addStretch(1)
        layout.addLayout(finish)
        self.message = MessageLabel(self, name=self.tr("Closing: message"))
        layout.addWidget(self.message)
        self.next_meeting = QLabel(self)
        self.next_meeting.setStyleSheet("font-weight: bold;")
        named(self.next_meeting, self.tr("Next meeting"))
        layout.addWidget(self.next_meeting)
        self._show_next(details)

        aob_group = QGroupBox(self.tr("Any other business (Alt+B)"), self)
        named(aob_group, self.tr("Any other business"))
        aob_layout = QVBoxLayout(aob_group)
        self.aob = text_area(aob_group, self.tr("Any other business"), 6)
        self.aob.setPlainText(details.any_other_business)
        aob_layout.addWidget(self.aob)
        layout.addWidget(aob_group, 1)

        self.saver = Autosaver(hub, self._save, self).watch(self.aob, self.end_time)
        page_shortcut(self, "Alt+B", partial(self.aob.setFocus, Qt.FocusReason.ShortcutFocusReason))
        page_shortcut(self, "Alt+F", self.finish_now)

    def hints(self) -> str:
        return self.tr(
            "Alt+B any other business · Alt+F finish the meeting now (records the time) · "
            "PageUp back to the last case"
        )

    def _show_next(self, details: MeetingDetails) -> None:
        if details.next_meeting_date is not None:
            self.next_meeting.setText(
                self.tr("Next meeting: {day}").format(day=long_date(details.next_meeting_date))
            )
        else:
            self.next_meeting.setText(self.tr("Next meeting: none planned yet."))

    def enter(self, focus: bool = True) -> None:
        store = self._opened.store
        agenda = meetings.get_agenda(store, self.meeting_id)
        counts: dict[str, int] = {}
        for case in agenda.cases:
            counts[case.outcome] = counts.get(case.outcome, 0) + 1
        agreed = actions.count_actions(store, actions.ActionFilter(meeting_id=self.meeting_id))
        outstanding = actions.outstanding_for_meeting(store, self.meeting_id)
        reviewed = actions.reviewed_at(store, self.meeting_id)
        lines = [
            self.tr(
                "{n} cases: {closed} heard and closed, {open} heard and kept open, "
                "{deferred} deferred, {pending} not yet heard."
            ).format(
                n=len(agenda.cases),
                closed=counts.get("heard_closed", 0),
                open=counts.get("heard_open", 0),
                deferred=counts.get("deferred", 0),
                pending=counts.get("pending", 0),
            ),
            self.tr("{n} actions agreed at this meeting.").format(n=agreed),
            self.tr("{done} of {total} outstanding actions reviewed.").format(
                done=sum(1 for a in outstanding if a.id in reviewed), total=len(outstanding)
            ),
        ]
        pending = [c.case_ref for c in agenda.cases if c.outcome == "pending"]
        if pending:
            lines.append("⚠ " + self.tr("No outcome yet: {refs}.").format(refs=", ".join(pending)))
        self.summary.setText("\n".join(lines))
        self.summary.setStyleSheet(f"color: {WARNING_COLOUR if pending else OK_COLOUR};")
        self._show_next(meetings.meeting_details(store, self.meeting_id))
        if focus:
            self.aob.setFocus()

    def leave(self) -> None:
        self.saver.flush()

    def _save(self) -> None:
        text = self.end_time.text().strip()
        ended = parse_time(text) if text else None
        if text and ended is None:
            self.message.show_error(self.tr("Type the finish time as HH:MM, for example 11:45."))
        meetings.update_meeting_details(
            self._opened.store,
            self._opened.actor,
            self.meeting_id,
            any_other_business=self.aob.toPlainText(),
            end_time=ended,
        )

    def finish_now(self) -> None:
        self.saver.flush()
        now = datetime.now().time().replace(second=0, microsecond=0)
        try:
            meetings.finish_meeting(self._opened.store, self._opened.actor, self.meeting_id, now)
        except Exception as exc:
            self.message.show_error(safe_error(exc))
            return
        self.end_time.setText(time_text(now))
        self.message.show_ok(self.tr("The meeting finished at {time}.").format(time=time_text(now)))
        self._hub.note_saved()
        self.finished.emit()


class _ParentWatcher(QObject):
    """Closes the live meeting when the window it was opened from closes (a lock, a quit):
    what is waiting is saved before the store goes."""

    def __init__(self, live: LiveMeetingWindow) -> None:
        super().__init__(live)
        self._live = live

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self._live.close_now()
        return False


class LiveMeetingWindow(QMainWindow):
    """The live meeting for one meeting, in its own window."""

    page_changed = Signal(int)
    closed = Signal()

    def __init__(  # noqa: PLR0915 - builds the window in reading order
        self,
        ctx: AreaContext,
        meeting_id: int,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = clock_module.monotonic,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.opened = ctx.opened
        self.meeting_id = meeting_id
        self.hub = SaveHub(self)
        self._closed = False
        store = self.opened.store
        self.details = details = meetings.meeting_details(store, meeting_id)
        self.agenda_cases: list[AgendaCase] = list(meetings.get_agenda(store, meeting_id).cases)
        meeting = details.meeting

        self.setWindowIcon(app_icon())
        self.setWindowTitle(
            self.tr("Live meeting — {panel}, {day}").format(
                panel=meeting.panel, day=long_date(meeting.meeting_date)
            )
        )
        self.resize(1440, 920)

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._build_header(details))
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.sidebar = QListWidget(central)
        self.sidebar.setFixedWidth(290)
        self.sidebar.setStyleSheet(
            "QListWidget { border: none; border-right: 1px solid #c8ccd2; outline: 0; }"
            "QListWidget::item { padding: 6px 10px; }"
            "QListWidget::item:selected { background: #dbe6f7; color: black; }"
        )
        named(
            self.sidebar,
            self.tr("The meeting's pages"),
            self.tr("Up and Down move between pages; Enter goes into the page"),
        )
        body.addWidget(self.sidebar)
        self.stack = QStackedWidget(central)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        outer.addWidget(self._build_footer(central))
        self.setCentralWidget(central)

        self.opening = OpeningPage(self.opened, self.hub, details, self.stack)
        self.review = ReviewPage(self.opened, self.hub, meeting_id, self.stack)
        self.case_page = CasePage(self.opened, self.hub, meeting, clock, self.stack)
        self.closing = ClosingPage(self.opened, self.hub, details, self.stack)
        for page in (self.opening, self.review, self.case_page, self.closing):
            self.stack.addWidget(page)
        self.opening.details_changed.connect(self._refresh_header)
        self.closing.finished.connect(self._refresh_header)
        self.review.reviewed.connect(self._refresh_review_item)
        self.case_page.outcome_changed.connect(self._outcome_changed)
        self.hub.state_changed.connect(self._show_save_state)

        # The pages in meeting order: ("opening"|"review"|"closing", None) or ("case", case id).
        self.entries: list[tuple[str, int | None]] = [
            ("opening", None),
            ("review", None),
            *(("case", c.id) for c in self.agenda_cases),
            ("closing", None),
        ]
        self._fill_sidebar()
        self.current = -1
        self.sidebar.currentRowChanged.connect(lambda row: self.go(row, focus=False))
        self.sidebar.itemActivated.connect(lambda _item: self._focus_page())

        for keys, slot in (
            ("PgDown", self.next_page),
            ("Ctrl+Right", self.next_page),
            ("PgUp", self.previous_page),
            ("Ctrl+Left", self.previous_page),
            ("Ctrl+G", lambda: self.sidebar.setFocus(Qt.FocusReason.ShortcutFocusReason)),
            ("Ctrl+S", self.save_now),
            ("Ctrl+W", self.close),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

        if parent is not None:
            parent.window().installEventFilter(_ParentWatcher(self))
        name_unnamed_buttons(self)
        self.go(0)

    # ----- building --------------------------------------------------------------------------

    def _build_header(self, details: MeetingDetails) -> QFrame:
        bar = QFrame(self)
        bar.setObjectName("liveHeader")
        bar.setStyleSheet(
            "QFrame#liveHeader { background: #1f3a5f; } QFrame#liveHeader QLabel { color: white; }"
        )
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(16, 8, 16, 8)
        self.header = QLabel(bar)
        font = self.header.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.header.setFont(font)
        named(self.header, self.tr("The meeting"))
        layout.addWidget(self.header, 1)
        marking = str(settings.get(self.opened.store, "protective_marking") or "")
        self.marking = QLabel(marking, bar)
        self.marking.setStyleSheet("font-weight: bold; letter-spacing: 1px;")
        named(self.marking, self.tr("Protective marking: {marking}").format(marking=marking))
        layout.addWidget(self.marking)
        self._show_header(details)
        return bar

    def _show_header(self, details: MeetingDetails) -> None:
        meeting = details.meeting
        parts = [meeting.panel, meeting.meeting_date.strftime("%A %d %B %Y")]
        if meeting.status == "held" and meeting.start_time is not None:
            started = self.tr("started {time}").format(time=time_text(meeting.start_time))
            if details.end_time is not None:
                started += " " + self.tr("· finished {time}").format(
                    time=time_text(details.end_time)
                )
            parts.append(started)
        elif meeting.start_time is not None:
            parts.append(self.tr("planned for {time}").format(time=time_text(meeting.start_time)))
        if meeting.venue:
            parts.append(meeting.venue)
        self.header.setText(" · ".join(parts))
        self.header.setAccessibleDescription(self.header.text())

    def _refresh_header(self) -> None:
        self.details = meetings.meeting_details(self.opened.store, self.meeting_id)
        self._show_header(self.details)

    def _build_footer(self, parent: QWidget) -> QFrame:
        bar = QFrame(parent)
        bar.setObjectName("liveFooter")
        bar.setStyleSheet(
            "QFrame#liveFooter { background: #f3f5f8; border-top: 1px solid #c8ccd2; }"
        )
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 6, 12, 6)
        self.hints = QLabel(bar)
        self.hints.setWordWrap(True)
        self.hints.setStyleSheet(f"color: {MUTED_COLOUR};")
        named(self.hints, self.tr("Keys"))
        layout.addWidget(self.hints, 1)
        self.notice = MessageLabel(bar, name=self.tr("Notice"))
        layout.addWidget(self.notice)
        self.save_state = QLabel(self.tr("✓ Nothing to save yet"), bar)
        self.save_state.setMinimumWidth(180)
        self.save_state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        named(self.save_state, self.tr("Save state"))
        layout.addWidget(self.save_state)
        return bar

    def _show_save_state(self, state: str, text: str) -> None:
        colour = {"saved": OK_COLOUR, "pending": MUTED_COLOUR, "error": ERROR_COLOUR}[state]
        self.save_state.setText(text)
        self.save_state.setStyleSheet(
            f"color: {colour};" + (" font-weight: bold;" if state == "error" else "")
        )
        self.save_state.setAccessibleDescription(text)

    # ----- the list of pages -----------------------------------------------------------------

    def _fill_sidebar(self) -> None:
        self.sidebar.clear()
        for kind, case_id in self.entries:
            item = QListWidgetItem(self._entry_text(kind, case_id))
            self.sidebar.addItem(item)
        self._refresh_review_item()

    def _case(self, case_id: int | None) -> AgendaCase:
        return next(c for c in self.agenda_cases if c.id == case_id)

    def _entry_text(self, kind: str, case_id: int | None) -> str:
        if kind == "opening":
            return self.tr("Opening — statement, attendance")
        if kind == "review":
            return self.tr("Outstanding actions")
        if kind == "closing":
            return self.tr("Closing — AOB, finish")
        case = self._case(case_id)
        mark = OUTCOME_MARKS.get(case.outcome, "")
        text = f"{mark}{case.position}. {case.case_ref} · {case.victim_name}"
        if case.is_repeat:
            text += " · " + self.tr("repeat")
        if case.outcome != "pending":
            text += " — " + self.tr(OUTCOME_SHORT[case.outcome])
        return text

    def _refresh_review_item(self) -> None:
        store = self.opened.store
        outstanding = actions.outstanding_for_meeting(store, self.meeting_id)
        reviewed = actions.reviewed_at(store, self.meeting_id)
        done = sum(1 for a in outstanding if a.id in reviewed)
        item = self.sidebar.item(1)
        if item is not None:
            item.setText(
                self.tr("Outstanding actions ({done}/{total} reviewed)").format(
                    done=done, total=len(outstanding)
                )
            )

    def _outcome_changed(self, case_id: int, outcome: str) -> None:
        self.agenda_cases = list(meetings.get_agenda(self.opened.store, self.meeting_id).cases)
        for row, (kind, entry_id) in enumerate(self.entries):
            if kind == "case" and entry_id == case_id:
                item = self.sidebar.item(row)
                if item is not None:
                    item.setText(self._entry_text(kind, entry_id))

    # ----- moving between pages --------------------------------------------------------------

    def page_at(self, index: int) -> LivePage:
        kind = self.entries[index][0]
        return {
            "opening": self.opening,
            "review": self.review,
            "case": self.case_page,
            "closing": self.closing,
        }[kind]

    @property
    def current_page(self) -> LivePage:
        return self.page_at(self.current)

    def go(self, index: int, *, focus: bool = True) -> bool:
        """Show page `index` (in meeting order); False when the current page must be finished
        first (its problem is shown beside the field)."""
        if not 0 <= index < len(self.entries) or index == self.current:
            return False
        if self.current >= 0:
            page = self.current_page
            problem = page.blocking_problem()
            if problem:
                self._select_row(self.current)
                self.notice.show_error(problem)
                return False
            page.leave()
            if self.hub.has_errors:
                # What is typed here could not be saved: it stays on screen until it is.
                self._select_row(self.current)
                self.notice.show_error(
                    self.tr("{problem} — stay on this page until it is saved.").format(
                        problem=self.hub.text
                    )
                )
                return False
        kind, case_id = self.entries[index]
        target = self.page_at(index)
        if kind == "case" and case_id is not None:
            position = sum(1 for k, _ in self.entries[: index + 1] if k == "case")
            self.case_page.load(case_id, position, len(self.agenda_cases))
        self.stack.setCurrentWidget(target)
        self.current = index
        self._select_row(index)
        target.enter(focus)
        self.hints.setText(target.hints() + " · " + self._global_hints())
        self.notice.clear_message()
        self.page_changed.emit(index)
        return True

    def _global_hints(self) -> str:
        return self.tr(
            "PageDown/PageUp next/previous page (Ctrl+Right/Left outside text) · "
            "Ctrl+G the list of pages · "
            "Ctrl+S save now · Ctrl+W close"
        )

    def _select_row(self, index: int) -> None:
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(index)
        self.sidebar.blockSignals(False)

    def _focus_page(self) -> None:
        self.current_page.enter(True)

    def next_page(self) -> None:
        self.go(self.current + 1)

    def previous_page(self) -> None:
        self.go(self.current - 1)

    def go_to_case(self, case_id: int) -> bool:
        return self.go(self.entries.index(("case", case_id)))

    def save_now(self) -> None:
        """Ctrl+S: nothing waits for the pause in typing."""
        self.case_page.timer.persist()
        self.hub.flush_all()

    # ----- closing ---------------------------------------------------------------------------

    def _save_everything(self) -> bool:
        if self.opened.store.closed:
            return True
        if self.current >= 0:
            self.current_page.leave()
        return self.hub.flush_all()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        problem = self.current_page.blocking_problem() if self.current >= 0 else ""
        saved = self._save_everything()
        unsaved = problem or self.case_page.unsaved()
        if not saved:
            unsaved = self.hub.text
        if unsaved and not live_common.confirm(
            self,
            self.tr("Close the live meeting?"),
            self.tr("{problem}\n\nClose the live meeting anyway?").format(problem=unsaved),
        ):
            event.ignore()
            return
        self._finish_closing()
        event.accept()

    def close_now(self) -> None:
        """Close without questions (the main window is closing or locking): save what can be."""
        if self._closed:
            return
        self._save_everything()
        self._finish_closing()
        self.hide()

    def _finish_closing(self) -> None:
        self._closed = True
        self.case_page.timer.pause()
        self.closed.emit()
