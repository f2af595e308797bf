"""Who is this? The candidate list shown beside a typed victim or perpetrator.

As the coordinator types a name or date of birth, the people already in the store who may be
the same person appear (an indexed lookup, a few milliseconds even on a large store, so it runs
on the GUI thread after a short pause in typing). Each shows its score and why it may match; the
coordinator links to one or says "new person". Matching only proposes (DOMAIN.md §3).

An NHS number or agency person ID typed beside the name goes into the search as soon as it is
whole and valid (a half-typed or mistyped one is left out rather than searched for): the same
identifier finds someone known by another first name; a different NHS number keeps a namesake out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core.matching import Decision
from marac_desk.services import people
from marac_desk.services.people import Candidate, PersonView
from marac_desk.services.session import Store
from marac_desk.ui.referral_text import uk_date
from marac_desk.ui.widgets import MUTED_COLOUR, WARNING_COLOUR, MessageLabel, named, safe_error

MATCH_DEBOUNCE_MS = 150
VISIBLE_ROWS = 4


@dataclass(frozen=True)
class Probe:
    first_name: str
    last_name: str
    dob: date | None
    postcode: str = ""
    # The people the referral is already linked to on the other side (its victim, when a
    # perpetrator is typed, or its perpetrators): people named with them before are shown.
    linked: tuple[int, ...] = ()
    linked_are_victims: bool = True
    # Agencies' identifiers typed for the person, as `core.identifiers` stores them.
    identifiers: tuple[str, ...] = ()

    @property
    def has_name(self) -> bool:
        return len((self.first_name + self.last_name).strip()) >= 2

    @property
    def searchable(self) -> bool:
        """Enough is typed to look for someone: a name, or an identifier on its own."""
        return self.has_name or bool(self.identifiers)


def person_summary(view: PersonView) -> str:
    """One line about a person already in the store."""
    parts = [view.display_name]
    if view.dob:
        parts.append(uk_date(view.dob))
    counts = []
    if view.referrals_as_victim:
        counts.append(f"{view.referrals_as_victim}× victim")
    if view.referrals_as_perpetrator:
        counts.append(f"{view.referrals_as_perpetrator}× perpetrator")
    if counts:
        parts.append(", ".join(counts))
    return " · ".join(parts)


class CandidateTable(QTableWidget):
    """Tells when its width changed, so rows can be as tall as their wrapped reasons."""

    width_changed = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.width_changed.emit()


class CandidatePanel(QFrame):
    """The possible matches for one typed person, and the coordinator's choice."""

    searched = Signal(int)  # how many candidates are shown now
    decision_changed = Signal()

    COLUMNS = (
        "Person",
        "Born",
        "Score",
        "Why they may match",
        "Also known as",
        "Identifiers",
        "Referrals",
    )

    def __init__(  # noqa: PLR0915 - builds the widgets in reading order
        self,
        store: Callable[[], Store],
        who: str,
        parent: QWidget | None = None,
        *,
        shortcut_scope: QWidget | None = None,
        existing_only: bool = False,
    ) -> None:
        """`existing_only`: the choice is among people already in the store (relinking a
        referral): no New person, and nothing goes to the review list."""
        super().__init__(parent)
        self._store = store
        self._who = who
        self._existing_only = existing_only
        self._probe = Probe("", "", None)
        self._candidates: list[Candidate] = []
        self.linked: PersonView | None = None
        self.decided_new = False
        self.setObjectName("candidates")
        self.setStyleSheet(
            "#candidates { border: 1px solid #c8ccd2; border-radius: 4px; background: #f7f8fa; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)

        self.title = QLabel(self.tr("Is this someone already in the store?"), self)
        self.title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.title)
        self.status = MessageLabel(self, name=self.tr("Matching for {who}").format(who=who))
        layout.addWidget(self.status)

        self.table = CandidateTable(0, len(self.COLUMNS), self)
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in self.COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.width_changed.connect(self._fit_rows, Qt.ConnectionType.QueuedConnection)
        named(
            self.table,
            self.tr("Possible matches for {who}").format(who=who),
            self.tr("Enter links to the selected person"),
        )
        self.table.doubleClicked.connect(lambda _i: self.link_selected())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table)

        buttons = QHBoxLayout()
        self.link_button = QPushButton(self.tr("Link to this person"), self)
        self.link_button.setToolTip(self.tr("Link to the selected person (Ctrl+Shift+L)"))
        named(self.link_button, self.tr("Link {who} to the selected person").format(who=who))
        self.link_button.clicked.connect(self.link_selected)
        self.new_button = QPushButton(self.tr("New person"), self)
        self.new_button.setToolTip(self.tr("None of these: record a new person (Ctrl+Shift+N)"))
        named(self.new_button, self.tr("{who} is a new person").format(who=who))
        self.new_button.clicked.connect(self.choose_new)
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        scope = shortcut_scope or self
        for keys, slot in (("Ctrl+Shift+L", self.link_selected), ("Ctrl+Shift+N", self.choose_new)):
            shortcut = QShortcut(QKeySequence(keys), scope)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(self.link_selected)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(MATCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.search)
        self.hide()

    # ----- state -----------------------------------------------------------------------------

    @property
    def person_id(self) -> int | None:
        return self.linked.id if self.linked else None

    @property
    def candidates(self) -> list[Candidate]:
        return list(self._candidates)

    @property
    def probe(self) -> Probe:
        """What is searched for (the latest typed, once the pause in typing is over)."""
        return self._probe

    def set_probe(self, probe: Probe) -> None:
        """What the coordinator typed; the search runs after a short pause."""
        if probe == self._probe:
            return
        self._probe = probe
        self._timer.start()

    def search(self) -> None:
        self._timer.stop()
        store = self._store()
        if store.closed:
            return
        probe = self._probe
        if not probe.searchable:
            self._candidates = []
            self._fill()
            if self.linked is None:
                self.decided_new = False
            self._show_state()
            self.searched.emit(0)
            return
        evidence = people.evidence_from(
            probe.first_name,
            probe.last_name,
            probe.dob,
            postcode=probe.postcode,
            identifiers=probe.identifiers,
        )
        try:
            found = people.find_candidates(
                store,
                evidence,
                linked=probe.linked,
                linked_are_victims=probe.linked_are_victims,
            )
        except Exception as exc:
            self._candidates = []
            self._fill()
            self.setVisible(True)
            self.status.show_error(
                self.tr("People could not be searched: {error}").format(error=safe_error(exc))
            )
            return
        before = {c.person.id for c in self._candidates}
        self._candidates = found
        ids = {c.person.id for c in found}
        note = ""
        if self.linked is not None and self.linked.id not in ids:
            note = self.tr(
                "What is typed changed and {name} is no longer a likely match: choose again."
            ).format(name=self.linked.display_name)
            self.linked = None
        if self.decided_new and ids - before:
            self.decided_new = False
            note = self.tr("New possible matches appeared: choose again.")
        self._fill()
        self._show_state(note)
        self.searched.emit(len(found))
        if note:
            self.decision_changed.emit()

    def link_selected(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self._candidates):
            if len(self._candidates) == 1:
                row = 0
            else:
                return
        self.linked = self._candidates[row].person
        self.decided_new = False
        self._show_state()
        self.decision_changed.emit()

    def choose_new(self) -> None:
        if self._existing_only:
            return
        self.linked = None
        self.decided_new = True
        self._show_state()
        self.decision_changed.emit()

    def reset(self) -> None:
        self.linked = None
        self.decided_new = False
        self._probe = Probe("", "", None)
        self._candidates = []
        self._fill()
        self._show_state()

    # ----- showing ---------------------------------------------------------------------------

    def _fill(self) -> None:
        self.table.setRowCount(len(self._candidates))
        for row, cand in enumerate(self._candidates):
            view = cand.person
            counts = []
            if view.referrals_as_victim:
                counts.append(self.tr("{n} as victim").format(n=view.referrals_as_victim))
            if view.referrals_as_perpetrator:
                counts.append(self.tr("{n} as perpetrator").format(n=view.referrals_as_perpetrator))
            dobs = ", ".join(uk_date(d) for d in (view.dob, *view.alternative_dobs) if d)
            values = (
                view.display_name,
                dobs,
                str(cand.score),
                cand.explanation,
                "; ".join(view.aliases),
                "\n".join(view.identifiers),
                ", ".join(counts),
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if column == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if cand.decision is Decision.LINK and column in (0, 2):
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if self.linked is not None and view.id == self.linked.id:
                    item.setBackground(QColor("#dcefdc"))
                self.table.setItem(row, column, item)
        self._fit_rows()
        if self._candidates and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._update_buttons()

    def _show_state(self, note: str = "") -> None:
        searchable = self._probe.searchable
        self.setVisible(searchable or self.linked is not None)
        self.table.setVisible(bool(self._candidates))
        for button in (self.link_button, self.new_button):
            button.setVisible(bool(self._candidates) or self.linked is not None)
        if self._existing_only:
            self.new_button.hide()
        n = len(self._candidates)
        if self.linked is not None:
            text = self.tr(
                "✔ Linked to {person}. Their earlier referrals are checked for a repeat."
            ).format(person=person_summary(self.linked))
            self.status.show_ok(text if not note else f"{note} {text}")
            self.title.setText(self.tr("Linked to a person already in the store"))
        elif self.decided_new:
            self.status.show_note(
                self.tr("New person: none of the {n} possible matches is {who}.").format(
                    n=n, who=self._who
                )
            )
            self.title.setText(self.tr("A new person"))
        elif n and self._existing_only:
            text = (
                self.tr("⚑ A strong match, in bold: select the person and link.")
                if self._candidates[0].decision is Decision.LINK
                else self.tr("⚑ {n} possible match(es): select the person and link.").format(n=n)
            )
            self.status.show_warning(f"{note} {text}".strip())
            self.title.setText(self.tr("Is this someone already in the store?"))
        elif n:
            text = (
                self.tr("⚑ 1 possible match: link to it or choose New person.")
                if n == 1
                else self.tr("⚑ {n} possible matches: link to one or choose New person.").format(
                    n=n
                )
            )
            if self._candidates[0].decision is Decision.LINK:
                text = self.tr("⚑ A strong match, in bold: link to it or choose New person.")
            text += " " + self.tr(
                "If you save without choosing, the pair goes to People to review."
            )
            self.status.show_warning(f"{note} {text}".strip())
            self.title.setText(self.tr("Is this someone already in the store?"))
        else:
            self.status.show_note(
                note or self.tr("No one in the store matches what is typed so far.")
            )
            self.title.setText(self.tr("Is this someone already in the store?"))
        self.status.setStyleSheet(
            self.status.styleSheet()
            if self.linked is not None or self.decided_new or n
            else f"color: {MUTED_COLOUR};"
        )
        self.title.setStyleSheet(
            "font-weight: bold;" + (f" color: {WARNING_COLOUR};" if n and not self.linked else "")
        )
        self._update_buttons()

    def _fit_rows(self) -> None:
        """Rows as tall as their wrapped reasons; the table as tall as a few rows."""
        self.table.resizeRowsToContents()
        shown = min(len(self._candidates), VISIBLE_ROWS)
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(shown))
        self.table.setFixedHeight(height + 2)

    def _update_buttons(self) -> None:
        has = bool(self._candidates)
        self.link_button.setEnabled(
            has and (self.table.currentRow() >= 0 or len(self._candidates) == 1)
        )
        self.new_button.setEnabled(has or self.linked is not None)
