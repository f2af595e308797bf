"""The new-referral form: every field of a MARAC referral (DOMAIN.md §2), checked as the
coordinator types, with the people already in the store proposed beside each typed person.

Validation is the services' own (`referrals.check`): each problem is shown next to the field it
names; errors stop the save, warnings and the completeness line never do. Dates are typed the UK
way, day first. A message appears once its field has been touched (or after Save was tried), so
a fresh form is not a wall of red; the line by the Save button always says what stops a save.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from marac_desk.core import referral_rules as rules
from marac_desk.core.identifiers import valid_identifiers_of
from marac_desk.core.referral_rules import Problem, Severity
from marac_desk.core.vocab import NOT_KNOWN
from marac_desk.services import referrals, settings
from marac_desk.services.referrals import (
    ChildInput,
    PerpetratorInput,
    PersonInput,
    ReferralInput,
    ReferralRejected,
    SavedReferral,
)
from marac_desk.ui.area import AreaContext
from marac_desk.ui.person_match import CandidatePanel, Probe
from marac_desk.ui.referral_text import (
    CHILDREN_STATUS_LABELS,
    CONTEXT,
    ETHNICITY_CHOICES,
    GENDER_LABELS,
    RELATIONSHIP_LABELS,
    RISK_GRADE_LABELS,
    RISK_TOOL_LABELS,
    TRI_STATE_LABELS,
    ParsedDate,
    parse_uk_date,
    uk_date,
)
from marac_desk.ui.widgets import (
    ERROR_COLOUR,
    MUTED_COLOUR,
    OK_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    heading,
    name_unnamed_buttons,
    named,
    safe_error,
    tr,
)

VALIDATE_DEBOUNCE_MS = 200
_DIGITS = re.compile(r"^\s*\d{1,3}\s*$")
_NHS_SEPARATORS = re.compile(r"[\s-]")
NHS_NUMBER_DIGITS = 10


def confirm_discard(parent: QWidget) -> bool:
    """Ask before throwing typed work away (patched in tests)."""
    answer = QMessageBox.question(
        parent,
        tr("Discard this referral?", CONTEXT),
        tr("The referral has not been saved. Discard what you typed?", CONTEXT),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


# ----- small fields -------------------------------------------------------------------------------


class DateField(QLineEdit):
    """A date typed day first (DD/MM/YYYY). `left` is emitted when focus leaves it."""

    left = Signal()

    def __init__(self, parent: QWidget, name: str) -> None:
        super().__init__(parent)
        self.setPlaceholderText(self.tr("DD/MM/YYYY"))
        self.setMaxLength(12)
        self.setMinimumWidth(110)
        named(self, name, self.tr("Day first, for example 04/03/1990"))

    def parsed(self) -> ParsedDate:
        return parse_uk_date(self.text())

    def set_date(self, day: date | None) -> None:
        self.setText(uk_date(day))

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        self.left.emit()


class NhsNumberField(QLineEdit):
    """An NHS number: ten digits, spaces allowed (943 476 5919). The check digit is the
    services' rule; this only knows when the number is still being typed."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setMaxLength(16)
        self.setPlaceholderText(self.tr("10 digits"))

    def being_typed(self) -> bool:
        """Digits so far, but fewer than ten: the number is not finished, not wrong."""
        digits = _NHS_SEPARATORS.sub("", self.text())
        return digits.isdigit() and len(digits) < NHS_NUMBER_DIGITS


class CodeCombo(QComboBox):
    """A choice from a controlled vocabulary: shows words, gives the stored code."""

    def __init__(self, parent: QWidget, pairs: Iterable[tuple[str, str]], name: str) -> None:
        super().__init__(parent)
        for code, text in pairs:
            self.addItem(tr(text, CONTEXT), code)
        named(self, name)

    def value(self) -> str:
        return str(self.currentData() or "")

    def set_value(self, code: str) -> None:
        index = self.findData(code)
        if index >= 0:
            self.setCurrentIndex(index)


def tri_state(parent: QWidget, name: str) -> CodeCombo:
    return CodeCombo(parent, TRI_STATE_LABELS, name)


def line(parent: QWidget, name: str, *, max_length: int = 120, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setMaxLength(max_length)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    named(edit, name)
    return edit


def text_box(parent: QWidget, name: str, lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    named(box, name)
    return box


class Cell(QWidget):
    """A label above its field and the field's message below it."""

    def __init__(self, parent: QWidget, text: str, widget: QWidget, message_name: str = "") -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.label = QLabel(text, self)
        self.label.setBuddy(widget)
        self.label.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.widget = widget
        self.message = MessageLabel(
            self, name=message_name or f"{widget.accessibleName()}: problem"
        )
        layout.addWidget(self.label)
        layout.addWidget(widget)
        layout.addWidget(self.message)
        layout.addStretch(1)


def grid_of(parent: QWidget, rows: Iterable[Iterable[tuple[Cell, int] | Cell]]) -> QGridLayout:
    """Cells in rows; a (cell, span) pair spans several of the four columns."""
    grid = QGridLayout()
    grid.setHorizontalSpacing(14)
    grid.setVerticalSpacing(6)
    for r, row in enumerate(rows):
        column = 0
        for item in row:
            cell, span = item if isinstance(item, tuple) else (item, 1)
            grid.addWidget(cell, r, column, 1, span)
            column += span
    for column in range(4):
        grid.setColumnStretch(column, 1)
    return grid


@dataclass
class Target:
    """Where a problem about a field is shown, and which control to focus for it."""

    message: MessageLabel
    focus: QWidget
    touched_by: list[QWidget] = field(default_factory=list)


# ----- people -------------------------------------------------------------------------------------


class PersonSection(QGroupBox):
    """Names, date of birth, gender and agencies' identifiers of the victim or one perpetrator,
    with the candidates (the identifiers go into the search as they are typed)."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(
        self,
        ctx: AreaContext,
        parent: QWidget,
        *,
        role: str,
        index: int = 0,
        postcode: Callable[[], str] | None = None,
        linked_others: Callable[[], tuple[int, ...]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.role = role
        self._postcode = postcode or (lambda: "")
        # Who the referral is linked to on the other side (see Probe.linked).
        self._linked_others = linked_others or (lambda: ())
        who = self.tr("the victim") if role == "victim" else self.tr("this perpetrator")
        outer = QVBoxLayout(self)
        outer.setSpacing(6)

        self.first = line(self, "")
        self.last = line(self, "")
        self.dob = DateField(self, "")
        self.gender = CodeCombo(self, GENDER_LABELS, "")
        self.nhs_number = NhsNumberField(self)
        self.agency_id = line(
            self, "", max_length=60, placeholder=self.tr("police PNC or nominal number")
        )
        self.first_cell = Cell(self, self.tr("First name(s)"), self.first)
        self.last_cell = Cell(self, self.tr("Last name"), self.last)
        self.dob_cell = Cell(self, self.tr("Date of birth"), self.dob)
        self.gender_cell = Cell(self, self.tr("Gender"), self.gender)
        self.nhs_cell = Cell(self, self.tr("NHS number"), self.nhs_number)
        self.agency_id_cell = Cell(self, self.tr("Agency person ID"), self.agency_id)
        self.remove_button: QPushButton | None = None
        if role == "perpetrator":
            top = QHBoxLayout()
            top.addStretch(1)
            self.remove_button = QPushButton(self.tr("Remove this perpetrator"), self)
            self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
            top.addWidget(self.remove_button)
            outer.addLayout(top)
        outer.addLayout(
            grid_of(
                self,
                [
                    [self.first_cell, self.last_cell, self.dob_cell, self.gender_cell],
                    [self.nhs_cell, self.agency_id_cell],
                ],
            )
        )
        self.candidates = CandidatePanel(lambda: ctx.opened.store, who, self, shortcut_scope=self)
        outer.addWidget(self.candidates)

        self.relationship: CodeCombo | None = None
        self.address: QLineEdit | None = None
        self.mental_health: CodeCombo | None = None
        self.substance_misuse: CodeCombo | None = None
        if role == "perpetrator":
            self.relationship = CodeCombo(self, RELATIONSHIP_LABELS, "")
            self.address = line(self, "", max_length=300)
            self.mental_health = tri_state(self, "")
            self.substance_misuse = tri_state(self, "")
            outer.addLayout(
                grid_of(
                    self,
                    [
                        [
                            Cell(self, self.tr("Relationship to the victim"), self.relationship),
                            (Cell(self, self.tr("Address"), self.address), 1),
                            Cell(self, self.tr("Mental health needs"), self.mental_health),
                            Cell(self, self.tr("Substance misuse"), self.substance_misuse),
                        ]
                    ],
                )
            )
        self.set_index(index)

        for edit in (self.first, self.last, self.dob, self.nhs_number, self.agency_id):
            edit.textChanged.connect(self._typed)
        for combo in self._combos():
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        if self.address is not None:
            self.address.textChanged.connect(lambda _t: self.changed.emit())
        self.candidates.decision_changed.connect(self.changed.emit)

    def _combos(self) -> list[QComboBox]:
        return [
            c
            for c in (self.gender, self.relationship, self.mental_health, self.substance_misuse)
            if c is not None
        ]

    def set_index(self, index: int) -> None:
        self.index = index
        if self.role == "victim":
            title, who = self.tr("Victim"), self.tr("Victim")
        else:
            title = self.tr("Perpetrator {n}").format(n=index)
            who = title
        self.setTitle(title)
        named(self, title)
        named(self.first, self.tr("{who}: first name(s)").format(who=who))
        named(self.last, self.tr("{who}: last name").format(who=who))
        named(self.dob, self.tr("{who}: date of birth").format(who=who))
        named(self.gender, self.tr("{who}: gender").format(who=who))
        named(
            self.nhs_number,
            self.tr("{who}: NHS number").format(who=who),
            self.tr("10 digits, spaces allowed; the last digit is a check digit"),
        )
        named(
            self.agency_id,
            self.tr("{who}: agency person ID").format(who=who),
            self.tr("A police PNC or nominal number, or another agency's own ID for the person"),
        )
        self.agency_id.setToolTip(self.agency_id.accessibleDescription())
        self.nhs_number.setToolTip(self.nhs_number.accessibleDescription())
        if self.relationship is not None:
            named(self.relationship, self.tr("{who}: relationship to the victim").format(who=who))
        if self.address is not None:
            named(self.address, self.tr("{who}: address").format(who=who))
        if self.mental_health is not None:
            named(self.mental_health, self.tr("{who}: mental health needs").format(who=who))
        if self.substance_misuse is not None:
            named(self.substance_misuse, self.tr("{who}: substance misuse").format(who=who))
        if self.remove_button is not None:
            named(self.remove_button, self.tr("Remove {who}").format(who=who))
        for cell in self.cells():
            cell.message.setAccessibleName(
                self.tr("{field}: problem").format(field=cell.widget.accessibleName())
            )

    def cells(self) -> list[Cell]:
        """The cells whose messages the form fills (names, date of birth, identifiers)."""
        return [self.first_cell, self.dob_cell, self.nhs_cell, self.agency_id_cell]

    def _typed(self, _text: str = "") -> None:
        self.refresh_probe()
        self.changed.emit()

    def refresh_probe(self) -> None:
        parsed = self.dob.parsed()
        self.candidates.set_probe(
            Probe(
                self.first.text().strip(),
                self.last.text().strip(),
                parsed.value,
                self._postcode(),
                linked=self._linked_others(),
                linked_are_victims=self.role == "perpetrator",
                identifiers=valid_identifiers_of(self.nhs_number.text(), self.agency_id.text()),
            )
        )

    def identifier_targets(self, where: str) -> dict[str, Target]:
        """Where problems with this person's identifiers are shown (`where`: "victim" or
        "perpetrators[i]", as `core.referral_rules` names them)."""
        return {
            f"{where}.nhs_number": Target(
                self.nhs_cell.message, self.nhs_number, [self.nhs_number]
            ),
            f"{where}.agency_person_id": Target(
                self.agency_id_cell.message, self.agency_id, [self.agency_id]
            ),
        }

    def is_empty(self) -> bool:
        typed = (self.first, self.last, self.dob, self.nhs_number, self.agency_id)
        return not any(w.text().strip() for w in typed) and self.candidates.linked is None

    def person_input(self) -> PersonInput:
        base: dict[str, Any] = {
            "first_name": self.first.text().strip(),
            "last_name": self.last.text().strip(),
            "dob": self.dob.parsed().value,
            "gender": self.gender.value(),
            "person_id": self.candidates.person_id,
            "decided": self.candidates.decided_new,
            "nhs_number": self.nhs_number.text().strip(),
            "agency_person_id": self.agency_id.text().strip(),
        }
        if self.role == "victim":
            return PersonInput(**base)
        assert self.relationship and self.address and self.mental_health and self.substance_misuse
        return PerpetratorInput(
            **base,
            relationship_to_victim=self.relationship.value(),
            address=self.address.text().strip(),
            mental_health=self.mental_health.value(),
            substance_misuse=self.substance_misuse.value(),
        )

    def focus_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = []
        if self.remove_button is not None:
            widgets.append(self.remove_button)
        widgets += [self.first, self.last, self.dob, self.gender, self.nhs_number, self.agency_id]
        widgets += [self.candidates.table, self.candidates.link_button, self.candidates.new_button]
        widgets += [
            w
            for w in (self.relationship, self.address, self.mental_health, self.substance_misuse)
            if w is not None
        ]
        return widgets


class ChildRow(QFrame):
    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, parent: QWidget, index: int) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        top = QHBoxLayout()
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: bold;")
        top.addWidget(self.title)
        top.addStretch(1)
        self.unborn = QCheckBox(self.tr("Unborn"), self)
        self.remove_button = QPushButton(self.tr("Remove this child"), self)
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        top.addWidget(self.unborn)
        top.addWidget(self.remove_button)
        layout.addLayout(top)
        self.first = line(self, "")
        self.last = line(self, "")
        self.dob = DateField(self, "")
        self.to_victim = line(self, "", max_length=40, placeholder=self.tr("e.g. daughter"))
        self.to_perpetrator = line(self, "", max_length=40, placeholder=self.tr("e.g. stepson"))
        self.school = line(self, "", max_length=200, placeholder=self.tr("school or nursery"))
        self.dob_cell = Cell(self, self.tr("Date of birth"), self.dob)
        layout.addLayout(
            grid_of(
                self,
                [
                    [
                        Cell(self, self.tr("First name(s)"), self.first),
                        Cell(self, self.tr("Last name"), self.last),
                        self.dob_cell,
                        Cell(self, self.tr("School"), self.school),
                    ],
                    [
                        (Cell(self, self.tr("Relationship to the victim"), self.to_victim), 2),
                        (
                            Cell(
                                self,
                                self.tr("Relationship to the perpetrator"),
                                self.to_perpetrator,
                            ),
                            2,
                        ),
                    ],
                ],
            )
        )
        for edit in (
            self.first,
            self.last,
            self.dob,
            self.to_victim,
            self.to_perpetrator,
            self.school,
        ):
            edit.textChanged.connect(lambda _t: self.changed.emit())
        self.unborn.toggled.connect(lambda _c: self.changed.emit())
        self.set_index(index)

    def set_index(self, index: int) -> None:
        self.index = index
        who = self.tr("Child {n}").format(n=index)
        self.title.setText(who)
        named(self.first, self.tr("{who}: first name(s)").format(who=who))
        named(self.last, self.tr("{who}: last name").format(who=who))
        named(self.dob, self.tr("{who}: date of birth").format(who=who))
        named(self.to_victim, self.tr("{who}: relationship to the victim").format(who=who))
        named(
            self.to_perpetrator, self.tr("{who}: relationship to the perpetrator").format(who=who)
        )
        named(self.school, self.tr("{who}: school").format(who=who))
        named(self.unborn, self.tr("{who} is unborn").format(who=who))
        named(self.remove_button, self.tr("Remove {who}").format(who=who))

    def is_empty(self) -> bool:
        return (
            not any(
                w.text().strip()
                for w in (
                    self.first,
                    self.last,
                    self.dob,
                    self.to_victim,
                    self.to_perpetrator,
                    self.school,
                )
            )
            and not self.unborn.isChecked()
        )

    def child_input(self) -> ChildInput:
        return ChildInput(
            first_name=self.first.text().strip(),
            last_name=self.last.text().strip(),
            dob=self.dob.parsed().value,
            relationship_to_victim=self.to_victim.text().strip(),
            relationship_to_perpetrator=self.to_perpetrator.text().strip(),
            school=self.school.text().strip(),
            unborn=self.unborn.isChecked(),
        )

    def focus_widgets(self) -> list[QWidget]:
        return [
            self.unborn,
            self.remove_button,
            self.first,
            self.last,
            self.dob,
            self.school,
            self.to_victim,
            self.to_perpetrator,
        ]


# ----- the form -----------------------------------------------------------------------------------


def _being_typed(widget: QWidget) -> bool:
    """A date or NHS number not finished yet: its problem is a note until focus leaves it."""
    if isinstance(widget, DateField):
        return not widget.parsed().complete
    return isinstance(widget, NhsNumberField) and widget.being_typed()


class ReferralForm(QWidget):
    saved = Signal(object)  # SavedReferral
    closed = Signal()  # cancelled (nothing saved)
    validated = Signal()  # after each check, for whoever watches (tests)

    def __init__(  # noqa: PLR0915 - builds the widgets in reading order
        self, ctx: AreaContext, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.today = today or date.today()
        self.dirty = False
        self.saving = False
        self.tried_to_save = False
        self.problems: list[Problem] = []
        self._touched: set[QWidget] = set()
        self._targets: dict[str, Target] = {}
        self._static_targets: dict[str, Target] = {}
        self.perpetrators: list[PersonSection] = []
        self.children_rows: list[ChildRow] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("New referral"), 1, self))
        top.addStretch(1)
        hint = QLabel(
            self.tr(
                "Ctrl+S saves · Esc goes back · Ctrl+Shift+P adds a perpetrator, "
                "Ctrl+Shift+H a child · F8 goes to the first problem"
            ),
            self,
        )
        hint.setStyleSheet(f"color: {MUTED_COLOUR};")
        top.addWidget(hint)
        outer.addLayout(top)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        named(self.scroll, self.tr("Referral form"))
        self.body = QWidget(self.scroll)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 8, 0)
        body.setSpacing(12)
        body.addWidget(self._build_referral(self.body))
        self.victim = PersonSection(
            ctx,
            self.body,
            role="victim",
            postcode=self._victim_postcode,
            linked_others=self._linked_perpetrators,
        )
        # A link on one side makes the other side's earlier companions candidates.
        self.victim.candidates.decision_changed.connect(self._refresh_perpetrator_probes)
        self.victim.changed.connect(self._changed)
        body.addWidget(self.victim)
        body.addWidget(self._build_victim_facts(self.body))
        body.addWidget(self._build_perpetrators(self.body))
        body.addWidget(self._build_children(self.body))
        body.addWidget(self._build_reason(self.body))
        body.addWidget(self._build_criteria(self.body))
        body.addStretch(1)
        self.scroll.setWidget(self.body)
        outer.addWidget(self.scroll, 1)
        outer.addWidget(self._build_bottom(self))

        self._static_targets.update(
            {
                "victim.name": Target(
                    self.victim.first_cell.message,
                    self.victim.first,
                    [self.victim.first, self.victim.last],
                ),
                "victim.dob": Target(
                    self.victim.dob_cell.message, self.victim.dob, [self.victim.dob]
                ),
                **self.victim.identifier_targets("victim"),
            }
        )

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(VALIDATE_DEBOUNCE_MS)
        self._timer.timeout.connect(self.validate_now)
        for keys, slot in (
            (QKeySequence.StandardKey.Save, self.save),
            ("Ctrl+Shift+P", self.add_perpetrator),
            ("Ctrl+Shift+H", self.add_child),
            ("F8", self.focus_first_problem),
            ("Escape", self.cancel),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self._load_choices()
        self.referral_date.set_date(self.today)
        self.add_perpetrator(focus=False)
        self._watch(self.body)
        name_unnamed_buttons(self)
        self._fix_tab_order()
        self.dirty = False
        self.validate_now()

    # ----- building --------------------------------------------------------------------------

    def _group(self, parent: QWidget, title: str) -> QGroupBox:
        group = QGroupBox(title, parent)
        named(group, title)
        return group

    def _target(self, key: str, cell: Cell, *touched_by: QWidget) -> Cell:
        self._static_targets[key] = Target(cell.message, cell.widget, [cell.widget, *touched_by])
        return cell

    def _build_referral(self, parent: QWidget) -> QGroupBox:
        group = self._group(parent, self.tr("Referral"))
        self.referral_date = DateField(group, self.tr("Referral date"))
        self.panel = QComboBox(group)
        named(self.panel, self.tr("Panel that will hear the case"))
        self.agency = QComboBox(group)
        named(self.agency, self.tr("Referring agency"))
        self.joint_agency = QComboBox(group)
        named(self.joint_agency, self.tr("Joint referring agency (optional)"))
        self.referrer_name = line(group, self.tr("Referrer's name"))
        self.referrer_contact = line(
            group,
            self.tr("Referrer's contact details"),
            max_length=200,
            placeholder=self.tr("phone or secure e-mail"),
        )
        self.external_ref = line(
            group,
            self.tr("External reference"),
            max_length=80,
            placeholder=self.tr("e.g. police reference"),
        )
        layout = QVBoxLayout(group)
        layout.addLayout(
            grid_of(
                group,
                [
                    [
                        self._target(
                            "referral_date",
                            Cell(group, self.tr("Referral &date"), self.referral_date),
                        ),
                        self._target("panel", Cell(group, self.tr("&Panel"), self.panel)),
                        self._target(
                            "referring_agency",
                            Cell(group, self.tr("Referring &agency"), self.agency),
                        ),
                        self._target(
                            "joint_agency",
                            Cell(group, self.tr("&Joint referral with"), self.joint_agency),
                        ),
                    ],
                    [
                        Cell(group, self.tr("Referrer's &name"), self.referrer_name),
                        Cell(group, self.tr("Referrer's contact"), self.referrer_contact),
                        Cell(group, self.tr("E&xternal reference"), self.external_ref),
                    ],
                ],
            )
        )
        return group

    def _build_victim_facts(self, parent: QWidget) -> QGroupBox:
        group = self._group(parent, self.tr("Victim: contact and diversity"))
        self.facts_tri: dict[str, CodeCombo] = {}

        def tri(key: str, text: str) -> Cell:
            combo = tri_state(group, text)
            self.facts_tri[key] = combo
            return self._target(key, Cell(group, text, combo))

        self.address = line(group, self.tr("Victim's address"), max_length=300)
        self.postcode = line(group, self.tr("Victim's postcode"), max_length=10)
        self.phone = line(group, self.tr("Victim's phone"), max_length=40)
        self.best_time = line(
            group, self.tr("Best time to contact"), placeholder=self.tr("e.g. weekday mornings")
        )
        self.language = line(group, self.tr("Language"), max_length=60)
        self.ethnicity = QComboBox(group)
        self.ethnicity.setEditable(True)
        self.ethnicity.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.ethnicity.addItem(self.tr("Not known (not asked)"), NOT_KNOWN)
        self.ethnicity.addItem(self.tr("Not stated (declined)"), "not_stated")
        for choice in ETHNICITY_CHOICES:
            self.ethnicity.addItem(self.tr(choice), choice)
        named(self.ethnicity, self.tr("Victim's ethnicity"), self.tr("Choose or type"))
        self.postcode.textChanged.connect(lambda _t: self.victim.refresh_probe())
        layout = QVBoxLayout(group)
        layout.addLayout(
            grid_of(
                group,
                [
                    [
                        (Cell(group, self.tr("Address"), self.address), 2),
                        Cell(group, self.tr("Postcode"), self.postcode),
                        Cell(group, self.tr("P&hone"), self.phone),
                    ],
                    [
                        tri("safe_to_call", self.tr("Safe to call?")),
                        tri("safe_to_text", self.tr("Safe to text?")),
                        tri("safe_to_leave_message", self.tr("Safe to leave a message?")),
                        Cell(group, self.tr("Best time to contact"), self.best_time),
                    ],
                    [
                        Cell(group, self.tr("Language"), self.language),
                        tri("interpreter_needed", self.tr("Interpreter needed?")),
                        tri("victim_pregnant", self.tr("Pregnant or recently given birth?")),
                        Cell(group, self.tr("Ethnicity"), self.ethnicity),
                    ],
                    [
                        tri("victim_bame", self.tr("Black, Asian or racially minoritised?")),
                        tri("victim_lgbt", self.tr("LGBT+?")),
                        tri("victim_disability", self.tr("Disability?")),
                        tri("victim_mental_health", self.tr("Mental health needs?")),
                    ],
                    [tri("victim_substance_misuse", self.tr("Substance misuse?"))],
                ],
            )
        )
        return group

    def _build_perpetrators(self, parent: QWidget) -> QGroupBox:
        group = self._group(parent, self.tr("Perpetrators"))
        layout = QVBoxLayout(group)
        self.perpetrator_box = QVBoxLayout()
        self.perpetrator_box.setSpacing(8)
        layout.addLayout(self.perpetrator_box)
        self.add_perpetrator_button = QPushButton(self.tr("Add a perpetrator"), group)
        self.add_perpetrator_button.setToolTip(self.tr("Add another perpetrator (Ctrl+Shift+P)"))
        self.add_perpetrator_button.clicked.connect(lambda _c=False: self.add_perpetrator())
        row = QHBoxLayout()
        row.addWidget(self.add_perpetrator_button)
        note = QLabel(self.tr("An empty perpetrator block is left out when saving."), group)
        note.setStyleSheet(f"color: {MUTED_COLOUR};")
        row.addWidget(note)
        row.addStretch(1)
        layout.addLayout(row)
        return group

    def _build_children(self, parent: QWidget) -> QGroupBox:
        group = self._group(parent, self.tr("Children in the household"))
        layout = QVBoxLayout(group)
        self.children_status = CodeCombo(
            group, CHILDREN_STATUS_LABELS, self.tr("Children in the household")
        )
        status_cell = self._target(
            "children_status",
            Cell(group, self.tr("Children in the household"), self.children_status),
        )
        layout.addLayout(grid_of(group, [[status_cell]]))
        self.children_box = QVBoxLayout()
        layout.addLayout(self.children_box)
        self.add_child_button = QPushButton(self.tr("Add a child"), group)
        self.add_child_button.setToolTip(self.tr("Add a child in the household (Ctrl+Shift+H)"))
        self.add_child_button.clicked.connect(lambda _c=False: self.add_child())
        row = QHBoxLayout()
        row.addWidget(self.add_child_button)
        row.addStretch(1)
        layout.addLayout(row)
        return group

    def _build_reason(self, parent: QWidget) -> QGroupBox:
        group = self._group(parent, self.tr("Reason, consent and awareness"))
        self.reason = text_box(group, self.tr("Reason for referral"), 4)
        self.others_feared = text_box(group, self.tr("Who else the victim fears"), 2)
        self.no_consent_reason = text_box(group, self.tr("Why the victim did not consent"), 2)
        self.aware = tri_state(group, self.tr("Victim knows of the referral?"))
        self.consented = tri_state(group, self.tr("Victim consented?"))
        self.previous_elsewhere = tri_state(group, self.tr("Previous MARAC elsewhere?"))
        self.facts_tri.update(
            {
                "victim_aware": self.aware,
                "victim_consented": self.consented,
                "previous_marac_elsewhere": self.previous_elsewhere,
            }
        )
        layout = QVBoxLayout(group)
        layout.addLayout(
            grid_of(
                group,
                [
                    [(Cell(group, self.tr("&Reason for referral"), self.reason), 4)],
                    [
                        (
                            Cell(
                                group, self.tr("Who else does the victim fear?"), self.others_feared
                            ),
                            4,
                        )
                    ],
                    [
                        self._target(
                            "victim_aware",
                            Cell(group, self.tr("Victim knows of the referral?"), self.aware),
                        ),
                        self._target(
                            "victim_consented",
                            Cell(group, self.tr("Victim consented?"), self.consented),
                        ),
                        (Cell(group, self.tr("If not, why not?"), self.no_consent_reason), 1),
                        self._target(
                            "previous_marac_elsewhere",
                            Cell(
                                group, self.tr("Previous MARAC elsewhere?"), self.previous_elsewhere
                            ),
                        ),
                    ],
                ],
            )
        )
        return group

    def _build_criteria(self, parent: QWidget) -> QGroupBox:
        group = self._group(parent, self.tr("Referral criteria and risk"))
        limits = referrals.thresholds(settings.get_all(self._ctx.opened.store))
        self.crit_visible = QCheckBox(
            self.tr("&Visible high risk ({n} or more “yes”)").format(
                n=limits.visible_high_risk_score
            ),
            group,
        )
        self.crit_pj = QCheckBox(self.tr("Professional &judgement"), group)
        self.crit_escalation = QCheckBox(
            self.tr("Potential &escalation ({n}+ police incidents)").format(
                n=limits.escalation_incidents
            ),
            group,
        )
        self.crit_repeat = QCheckBox(self.tr("Repeat (referrer says so)"), group)
        for box, name in (
            (self.crit_visible, self.tr("Criterion: visible high risk")),
            (self.crit_pj, self.tr("Criterion: professional judgement")),
            (self.crit_escalation, self.tr("Criterion: potential escalation")),
            (self.crit_repeat, self.tr("Criterion: repeat")),
        ):
            named(box, name)
        self.pj_reason = text_box(
            group, self.tr("Professional judgement: the referrer's reason"), 2
        )
        self.police_incidents = line(
            group, self.tr("Police incidents in the last 12 months"), max_length=3
        )
        self.risk_tool = CodeCombo(group, RISK_TOOL_LABELS, self.tr("Risk tool"))
        self.risk_score = line(group, self.tr("Risk checklist score (0 to 24)"), max_length=3)
        self.risk_grade = CodeCombo(group, RISK_GRADE_LABELS, self.tr("Risk grade"))

        visible_msg = MessageLabel(group, name=self.tr("Visible high risk: problem"))
        criteria_msg = MessageLabel(group, name=self.tr("Criteria: problem"))
        self._static_targets["crit_visible_high_risk"] = Target(
            visible_msg, self.crit_visible, [self.crit_visible, self.risk_score]
        )
        self._static_targets["criteria"] = Target(
            criteria_msg,
            self.crit_visible,
            [self.crit_visible, self.crit_pj, self.crit_escalation, self.crit_repeat],
        )
        boxes = QVBoxLayout()
        boxes.setSpacing(4)
        boxes.addWidget(self.crit_visible)
        boxes.addWidget(visible_msg)
        boxes.addWidget(self.crit_pj)
        boxes.addWidget(self.crit_escalation)
        boxes.addWidget(self.crit_repeat)
        boxes.addWidget(criteria_msg)
        boxes.addStretch(1)
        details = grid_of(
            group,
            [
                [
                    (
                        self._target(
                            "professional_judgement_reason",
                            Cell(group, self.tr("Professional judgement: why?"), self.pj_reason),
                            self.crit_pj,
                        ),
                        3,
                    ),
                ],
                [
                    self._target(
                        "police_incidents_12m",
                        Cell(
                            group,
                            self.tr("Police incidents, last 12 months"),
                            self.police_incidents,
                        ),
                        self.crit_escalation,
                    ),
                    Cell(group, self.tr("Risk &tool"), self.risk_tool),
                    self._target(
                        "risk_score",
                        Cell(group, self.tr("Checklist &score"), self.risk_score),
                        self.crit_visible,
                    ),
                    Cell(group, self.tr("Risk &grade"), self.risk_grade),
                ],
            ],
        )
        layout = QHBoxLayout(group)
        layout.addLayout(boxes, 1)
        layout.addLayout(details, 3)
        self.crit_pj.toggled.connect(self._criteria_toggled)
        self.crit_escalation.toggled.connect(self._criteria_toggled)
        self._criteria_toggled()
        return group

    def _build_bottom(self, parent: QWidget) -> QWidget:
        bar = QFrame(parent)
        bar.setObjectName("saveBar")
        bar.setStyleSheet("#saveBar { border-top: 1px solid #c8ccd2; }")
        layout = QVBoxLayout(bar)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(4)
        self.completeness = QLabel(bar)
        self.completeness.setWordWrap(True)
        self.completeness.setAccessibleName(self.tr("Completeness"))
        self.general = MessageLabel(bar, name=self.tr("Form message"))
        row = QHBoxLayout()
        self.blocking = QLabel(bar)
        self.blocking.setWordWrap(True)
        self.blocking.setAccessibleName(self.tr("What stops saving"))
        self.blocking.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row.addWidget(self.blocking, 1)
        self.cancel_button = QPushButton(self.tr("Cancel"), bar)
        self.cancel_button.setToolTip(self.tr("Back to the list without saving (Esc)"))
        named(self.cancel_button, self.tr("Cancel the new referral"))
        self.cancel_button.clicked.connect(self.cancel)
        self.save_button = QPushButton(self.tr("Save referral"), bar)
        self.save_button.setToolTip(self.tr("Save (Ctrl+S)"))
        self.save_button.setDefault(True)
        named(self.save_button, self.tr("Save the referral"))
        self.save_button.clicked.connect(self.save)
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        layout.addWidget(self.completeness)
        layout.addWidget(self.general)
        layout.addLayout(row)
        return bar

    def _load_choices(self) -> None:
        store = self._ctx.opened.store
        agencies = referrals.agency_names(store)
        panels = referrals.panel_names(store)
        self.agency.addItem(self.tr("Choose the agency…"), "")
        self.joint_agency.addItem(self.tr("(not a joint referral)"), "")
        for name in agencies:
            self.agency.addItem(name, name)
            self.joint_agency.addItem(name, name)
        if not panels:
            self.panel.addItem(
                self.tr("{name} (created on first save)").format(name=referrals.DEFAULT_PANEL_NAME),
                "",
            )
        for name in panels:
            self.panel.addItem(name, name)

    def _watch(self, root: QWidget) -> None:
        """Every edit anywhere in the form marks it dirty and schedules a check."""
        for edit in root.findChildren(QLineEdit):
            if edit.parent() is not None and isinstance(edit.parent(), QComboBox):
                continue
            self._watch_one(edit)
        for widget in root.findChildren(QPlainTextEdit):
            self._watch_one(widget)
        for combo in root.findChildren(QComboBox):
            self._watch_one(combo)
        for box in root.findChildren(QCheckBox):
            self._watch_one(box)

    def _watch_one(self, widget: QWidget) -> None:
        if widget.property("watched"):
            return
        widget.setProperty("watched", True)
        touch = lambda *_a, w=widget: self._edited(w)  # noqa: E731
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(touch)
            widget.textChanged.connect(lambda _t: self._changed())
            if isinstance(widget, DateField):
                widget.left.connect(lambda w=widget: self._left(w))
            else:
                widget.editingFinished.connect(lambda w=widget: self._left(w))
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(touch)
        elif isinstance(widget, QComboBox):
            widget.activated.connect(touch)
            widget.currentIndexChanged.connect(lambda _i: self._changed())
            if widget.isEditable():
                widget.editTextChanged.connect(touch)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(touch)

    def _fix_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.referral_date,
            self.panel,
            self.agency,
            self.joint_agency,
            self.referrer_name,
            self.referrer_contact,
            self.external_ref,
            *self.victim.focus_widgets(),
            self.address,
            self.postcode,
            self.phone,
            self.facts_tri["safe_to_call"],
            self.facts_tri["safe_to_text"],
            self.facts_tri["safe_to_leave_message"],
            self.best_time,
            self.language,
            self.facts_tri["interpreter_needed"],
            self.facts_tri["victim_pregnant"],
            self.ethnicity,
            self.facts_tri["victim_bame"],
            self.facts_tri["victim_lgbt"],
            self.facts_tri["victim_disability"],
            self.facts_tri["victim_mental_health"],
            self.facts_tri["victim_substance_misuse"],
        ]
        for section in self.perpetrators:
            chain += section.focus_widgets()
        chain += [self.add_perpetrator_button, self.children_status]
        for row in self.children_rows:
            chain += row.focus_widgets()
        chain += [
            self.add_child_button, self.reason, self.others_feared, self.aware, self.consented,
            self.no_consent_reason, self.previous_elsewhere,
            self.crit_visible, self.crit_pj, self.crit_escalation, self.crit_repeat,
            self.pj_reason, self.police_incidents, self.risk_tool, self.risk_score,
            self.risk_grade, self.cancel_button, self.save_button,
        ]  # fmt: skip
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ----- rows ------------------------------------------------------------------------------

    def add_perpetrator(self, *, focus: bool = True) -> PersonSection:
        section = PersonSection(
            self._ctx,
            self.body,
            role="perpetrator",
            index=len(self.perpetrators) + 1,
            linked_others=self._linked_victim,
        )
        section.candidates.decision_changed.connect(self.victim.refresh_probe)
        section.changed.connect(self._changed)
        section.remove_requested.connect(self.remove_perpetrator)
        self.perpetrators.append(section)
        self.perpetrator_box.addWidget(section)
        self._watch(section)
        name_unnamed_buttons(section)
        self._fix_tab_order()
        self._changed()
        if focus:
            section.first.setFocus()
            self.scroll.ensureWidgetVisible(section)
        return section

    def remove_perpetrator(self, section: PersonSection) -> None:
        self._remove_row(
            self.perpetrators, self.perpetrator_box, section, self.add_perpetrator_button
        )

    def add_child(self, *, focus: bool = True) -> ChildRow:
        row = ChildRow(self.body, len(self.children_rows) + 1)
        row.remove_requested.connect(self.remove_child)
        self.children_rows.append(row)
        self.children_box.addWidget(row)
        self._watch(row)
        if self.children_status.value() != "listed":
            self.children_status.set_value("listed")
        self._fix_tab_order()
        self._changed()
        if focus:
            row.first.setFocus()
            self.scroll.ensureWidgetVisible(row)
        return row

    def remove_child(self, row: ChildRow) -> None:
        self._remove_row(self.children_rows, self.children_box, row, self.add_child_button)

    def _remove_row(self, rows: list[Any], box: Any, row: Any, add_button: QWidget) -> None:
        """Take a perpetrator or child row out, renumber the rest, give focus back to 'Add'."""
        if row not in rows:
            return
        rows.remove(row)
        box.removeWidget(row)
        self._touched -= set(row.findChildren(QWidget))
        row.hide()
        row.deleteLater()
        for i, other in enumerate(rows, 1):
            other.set_index(i)
        self._fix_tab_order()
        self.dirty = True
        self._changed()
        add_button.setFocus()

    # ----- reading the form ------------------------------------------------------------------

    def _linked_victim(self) -> tuple[int, ...]:
        linked = self.victim.candidates.person_id
        return () if linked is None else (linked,)

    def _linked_perpetrators(self) -> tuple[int, ...]:
        linked = (section.candidates.person_id for section in self.perpetrators)
        return tuple(pid for pid in linked if pid is not None)

    def _refresh_perpetrator_probes(self) -> None:
        for section in self.perpetrators:
            section.refresh_probe()

    def _victim_postcode(self) -> str:
        postcode = getattr(self, "postcode", None)
        return postcode.text().strip() if postcode is not None else ""

    def _included_perpetrators(self) -> list[PersonSection]:
        return [s for s in self.perpetrators if not s.is_empty()]

    def _included_children(self) -> list[ChildRow]:
        return [r for r in self.children_rows if not r.is_empty()]

    def _number(self, edit: QLineEdit, key: str, problems: list[Problem]) -> int | None:
        text = edit.text().strip()
        if not text:
            return None
        if not _DIGITS.match(text):
            problems.append(Problem(key, self.tr("Type a whole number, for example 3.")))
            return None
        return int(text)

    def collect(self) -> tuple[ReferralInput, list[Problem]]:
        """The referral as typed, and the problems found reading it (dates, numbers)."""
        parse: list[Problem] = []

        def day(edit: DateField, key: str) -> date | None:
            parsed = edit.parsed()
            if parsed.problem:
                parse.append(Problem(key, parsed.problem))
            return parsed.value

        referral_date = day(self.referral_date, "referral_date")
        day(self.victim.dob, "victim.dob")
        perps = self._included_perpetrators()
        for i, section in enumerate(perps, 1):
            day(section.dob, f"perpetrators[{i}].dob")
        kids = self._included_children()
        for i, row in enumerate(kids, 1):
            day(row.dob, f"children[{i}].dob")
        incidents = self._number(self.police_incidents, "police_incidents_12m", parse)
        score = self._number(self.risk_score, "risk_score", parse)

        ethnicity = self.ethnicity.currentText().strip()
        index = self.ethnicity.findText(ethnicity)
        if index >= 0 and self.ethnicity.itemData(index):
            ethnicity = str(self.ethnicity.itemData(index))
        facts: dict[str, Any] = {key: combo.value() for key, combo in self.facts_tri.items()}
        facts.update(
            {
                "victim_ethnicity": ethnicity or NOT_KNOWN,
                "address": self.address.text().strip(),
                "postcode": self.postcode.text().strip().upper(),
                "phone": self.phone.text().strip(),
                "best_contact_time": self.best_time.text().strip(),
                "language": self.language.text().strip(),
                "others_feared": self.others_feared.toPlainText().strip(),
                "no_consent_reason": self.no_consent_reason.toPlainText().strip(),
            }
        )
        victim = self.victim.person_input()
        inp = ReferralInput(
            referral_date=referral_date,
            referring_agency=str(self.agency.currentData() or ""),
            victim=victim,
            panel=str(self.panel.currentData() or ""),
            joint_agency=str(self.joint_agency.currentData() or ""),
            referrer_name=self.referrer_name.text().strip(),
            referrer_contact=self.referrer_contact.text().strip(),
            external_ref=self.external_ref.text().strip(),
            perpetrators=tuple(s.person_input() for s in perps),  # type: ignore[misc]
            children=tuple(r.child_input() for r in kids),
            children_status=self.children_status.value(),
            victim_facts=facts,
            reason=self.reason.toPlainText().strip(),
            crit_visible_high_risk=self.crit_visible.isChecked(),
            crit_professional_judgement=self.crit_pj.isChecked(),
            professional_judgement_reason=self.pj_reason.toPlainText().strip(),
            crit_potential_escalation=self.crit_escalation.isChecked(),
            police_incidents_12m=incidents,
            crit_repeat=self.crit_repeat.isChecked(),
            risk_tool=self.risk_tool.value(),
            risk_score=score,
            risk_grade=self.risk_grade.value(),
        )
        return inp, parse

    # ----- checking --------------------------------------------------------------------------

    def _edited(self, widget: QWidget) -> None:
        self._touched.add(widget)
        self.dirty = True
        self._changed()

    def _left(self, widget: QWidget) -> None:
        if widget in self._touched:
            self.validate_now()

    def _changed(self) -> None:
        self._timer.start()

    def _criteria_toggled(self) -> None:
        self.pj_reason.setEnabled(self.crit_pj.isChecked() or bool(self.pj_reason.toPlainText()))
        self.police_incidents.setEnabled(
            self.crit_escalation.isChecked() or bool(self.police_incidents.text())
        )

    def _all_targets(self) -> dict[str, Target]:
        targets = dict(self._static_targets)
        for i, section in enumerate(self._included_perpetrators(), 1):
            targets[f"perpetrators[{i}].name"] = Target(
                section.first_cell.message, section.first, [section.first, section.last]
            )
            targets[f"perpetrators[{i}].dob"] = Target(
                section.dob_cell.message, section.dob, [section.dob, self.referral_date]
            )
            targets.update(section.identifier_targets(f"perpetrators[{i}]"))
        for i, row in enumerate(self._included_children(), 1):
            targets[f"children[{i}].dob"] = Target(
                row.dob_cell.message, row.dob, [row.dob, self.referral_date]
            )
        targets["victim.dob"].touched_by = [self.victim.dob, self.referral_date]
        return targets

    def _all_messages(self) -> list[MessageLabel]:
        messages = [t.message for t in self._static_targets.values()]
        for section in self.perpetrators:
            messages += [cell.message for cell in section.cells()]
        for row in self.children_rows:
            messages.append(row.dob_cell.message)
        return messages

    @property
    def check_pending(self) -> bool:
        """True while a check is waiting for the typing to pause."""
        return self._timer.isActive()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    def validate_now(self) -> None:
        self._timer.stop()
        if self._ctx.opened.store.closed:
            return
        inp, parse = self.collect()
        parsed_keys = {p.field for p in parse}
        try:
            checked = referrals.check(self._ctx.opened.store, inp, self.today)
        except Exception as exc:
            checked = [
                Problem(
                    "",
                    self.tr("The referral could not be checked: {error}").format(
                        error=safe_error(exc)
                    ),
                )
            ]
        self.problems = parse + [p for p in checked if p.field not in parsed_keys]
        self._targets = self._all_targets()
        self._show_problems()
        missing = rules.missing_information(referrals.draft_of(inp))
        if missing:
            self.completeness.setText(
                self.tr("Incomplete (you can still save): missing {items}.").format(
                    items=", ".join(self.tr(m) for m in missing)
                )
            )
            self.completeness.setStyleSheet(f"color: {WARNING_COLOUR};")
        else:
            self.completeness.setText(
                self.tr("✔ Complete: nothing the completeness measure looks for is missing.")
            )
            self.completeness.setStyleSheet(f"color: {OK_COLOUR};")
        self._update_save()
        self.validated.emit()

    def _revealed(self, key: str) -> bool:
        if self.tried_to_save:
            return True
        target = self._targets.get(key)
        if target is None:
            return True
        return any(w in self._touched for w in target.touched_by)

    def _show_problems(self) -> None:  # noqa: PLR0912 - one branch per way a message shows
        by_key: dict[str, list[Problem]] = {}
        general: list[Problem] = []
        for problem in self.problems:
            if problem.field in self._targets:
                by_key.setdefault(problem.field, []).append(problem)
            else:
                general.append(problem)
        shown: set[int] = set()
        for key, target in self._targets.items():
            found = by_key.get(key, [])
            has_error = any(p.severity is Severity.ERROR for p in found)
            if not found or (has_error and not self._revealed(key)):
                continue
            shown.add(id(target.message))
            text = "\n".join(p.message for p in found)
            focused_incomplete = target.focus.hasFocus() and _being_typed(target.focus)
            if focused_incomplete:
                target.message.show_note(text)
            elif has_error:
                target.message.show_error(text)
            else:
                target.message.show_warning(text)
        for message in self._all_messages():
            if id(message) not in shown:
                message.clear_message()
        general_errors = [p for p in general if p.severity is Severity.ERROR]
        if general:
            text = "\n".join(p.message for p in general)
            if general_errors:
                self.general.show_error(text)
            else:
                self.general.show_warning(text)
        elif not self.saving:
            self.general.clear_message()

    def _update_save(self) -> None:
        errors = self.errors
        self.save_button.setEnabled(not errors and not self.saving)
        if self.saving:
            self.blocking.setText(self.tr("Saving…"))
            self.blocking.setStyleSheet(f"color: {MUTED_COLOUR};")
        elif errors:
            first = errors[0].message
            more = len(errors) - 1
            text = self.tr("Cannot save yet: {first}").format(first=first)
            if more:
                text += " " + self.tr("(and {n} more)").format(n=more)
            text += " " + self.tr("F8 goes to it.")
            self.blocking.setText(text)
            self.blocking.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        else:
            warnings = len(self.problems)
            self.blocking.setText(
                self.tr("Ready to save.")
                + (
                    " "
                    + self.tr("{n} warning(s) shown in amber do not stop it.").format(n=warnings)
                    if warnings
                    else ""
                )
            )
            self.blocking.setStyleSheet(f"color: {OK_COLOUR};")

    def focus_first_problem(self) -> None:
        self.validate_now()
        self.tried_to_save = True
        self._show_problems()
        for problem in self.errors or self.problems:
            target = self._targets.get(problem.field)
            if target is not None:
                target.focus.setFocus()
                self.scroll.ensureWidgetVisible(target.focus)
                return

    # ----- saving ----------------------------------------------------------------------------

    def save(self) -> None:
        if self.saving:
            return
        self.validate_now()
        if self.errors:
            self.focus_first_problem()
            return
        inp, _ = self.collect()
        store, actor, today = self._ctx.opened.store, self._ctx.opened.actor, self.today
        self.saving = True
        self._update_save()
        self.general.show_note(self.tr("Saving the referral…"))
        self._ctx.runner.run(
            self.tr("Saving the referral"),
            lambda _task: referrals.create_referral(store, actor, inp, today=today),
            on_success=self._saved,
            on_error=self._save_failed,
            context=self,
        )

    def _saved(self, saved: SavedReferral) -> None:
        self.saving = False
        self.dirty = False
        self.general.show_ok(self.tr("Saved as {ref}.").format(ref=saved.case_ref))
        self._update_save()
        self.saved.emit(saved)

    def _save_failed(self, exc: BaseException) -> None:
        self.saving = False
        if isinstance(exc, ReferralRejected):
            self.tried_to_save = True
            self.problems = list(exc.problems)
            self._targets = self._all_targets()
            self._show_problems()
            if not self.general.isVisible():
                self.general.show_error(
                    self.tr("The referral was not saved: fix the marked fields.")
                )
        else:
            self.general.show_error(
                self.tr("The referral was not saved: {error}").format(error=safe_error(exc))
            )
        self._update_save()

    def cancel(self) -> None:
        if self.saving:
            return
        if self.dirty and not confirm_discard(self):
            return
        self.dirty = False
        self.closed.emit()

    def focus_start(self) -> None:
        self.referral_date.setFocus()
        self.referral_date.selectAll()
