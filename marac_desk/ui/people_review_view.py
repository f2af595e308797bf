"""People to review: pairs of records that may be one person, side by side, for the coordinator
to decide — merge them (reversibly) or say they are different people. A false merge links one
person's abuse history to a stranger's, so nothing here happens without a decision, and every
merge can be undone from the list of merges below.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from marac_desk.services import people, referrals
from marac_desk.services.people import MergeRecord, PersonView, ReviewItem
from marac_desk.services.referrals import ReferralRow
from marac_desk.ui.area import AreaContext, RowsModel
from marac_desk.ui.referral_text import long_date, uk_date
from marac_desk.ui.widgets import (
    MUTED_COLOUR,
    WARNING_COLOUR,
    MessageLabel,
    format_datetime,
    heading,
    name_unnamed_buttons,
    named,
    safe_error,
    tr,
)


def _person_html(
    view: PersonView, other: PersonView, heading_text: str, cases: list[ReferralRow]
) -> str:
    """One side of the pair; values that differ from the other side are marked."""
    e = html.escape

    def facts(v: PersonView) -> list[tuple[str, str]]:
        return [
            ("Name", v.display_name),
            ("Also known as", "; ".join(v.aliases) or "—"),
            ("Born", long_date(v.dob) if v.dob else "—"),
            ("Other DOBs", ", ".join(long_date(d) for d in v.alternative_dobs) or "—"),
            ("Identifiers", "; ".join(v.identifiers) or "—"),
            ("Gender", v.gender.replace("_", " ")),
            ("Referrals", f"{v.referrals_as_victim} as victim, "
                          f"{v.referrals_as_perpetrator} as perpetrator"),
        ]  # fmt: skip

    mine, theirs = facts(view), dict(facts(other))
    cells = []
    for key, value in mine:
        other_value = theirs.get(key, "")
        informative = {value, other_value}.isdisjoint({"—", "not known", "not stated", ""})
        differs = (
            key in ("Name", "Born", "Identifiers", "Gender")
            and informative
            and value != other_value
        )
        shown = f"<b>{e(value)}</b>" if key == "Name" else e(value)
        if differs:
            shown = f'<span style="color:{WARNING_COLOUR}">{shown}&nbsp;≠</span>'
        cells.append(
            f'<tr><td style="color:{MUTED_COLOUR}; padding-right:10px;">{e(tr(key, "Review"))}'
            f"</td><td>{shown}</td></tr>"
        )
    record = e(f"#{view.id}")
    if view.merged_into_id:
        record += (
            f' <span style="color:{WARNING_COLOUR}">(merged into #{view.merged_into_id})</span>'
        )
    cells.append(
        f'<tr><td style="color:{MUTED_COLOUR}; padding-right:10px;">{e(tr("Record", "Review"))}'
        f"</td><td>{record}</td></tr>"
    )
    listed = "<br>".join(
        e(f"{r.case_ref} · {long_date(r.referral_date)} · ")
        + e(tr("victim: {name}", "Review").format(name=r.victim_name))
        for r in cases
    )
    if listed:
        cells.append(
            f'<tr><td style="color:{MUTED_COLOUR}; padding-right:10px;">'
            f"{e(tr('On referrals', 'Review'))}</td><td>{listed}</td></tr>"
        )
    return f"<p><b>{e(heading_text)}</b></p><table cellpadding='2'>{''.join(cells)}</table>"


class PeopleReviewView(QWidget):
    badge_changed = Signal(str)  # text for the navigation ("" when nothing is waiting)
    loaded = Signal()
    decided = Signal(bool, str)  # a decision or undo finished: ok, message

    def __init__(self, ctx: AreaContext, parent: QWidget | None = None) -> None:  # noqa: PLR0915 - builds the widgets in reading order
        super().__init__(parent)
        self._ctx = ctx
        self._busy = False
        self.reviews: list[ReviewItem] = []
        self.merges: list[MergeRecord] = []

        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading(self.tr("People to review"), 1, self))
        top.addStretch(1)
        self.scan_button = QPushButton(self.tr("Scan for duplicates"), self)
        self.scan_button.setToolTip(
            self.tr("Compare every person with the others and list likely pairs (Ctrl+Shift+F)")
        )
        named(self.scan_button, self.tr("Scan the store for duplicate people"))
        self.scan_button.clicked.connect(self.scan)
        top.addWidget(self.scan_button)
        outer.addLayout(top)
        intro = QLabel(
            self.tr(
                "Each pair may be one person recorded twice. Merge only when you are sure: a "
                "wrong merge joins a stranger to someone's abuse history. Merges can be undone."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {MUTED_COLOUR};")
        outer.addWidget(intro)
        self.message = MessageLabel(self, name=self.tr("People to review message"))
        outer.addWidget(self.message)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        named(splitter, self.tr("Pairs and merges"))
        upper = QWidget(splitter)
        upper_layout = QHBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.setSpacing(12)

        pairs_box = QVBoxLayout()
        self.count_label = QLabel(upper)
        self.count_label.setAccessibleName(self.tr("Number of pairs to review"))
        pairs_box.addWidget(self.count_label)
        self.pairs_model = RowsModel(
            [self.tr("Score"), self.tr("Person A"), self.tr("Person B"), self.tr("Found by")],
            parent=self,
            numeric_columns=[0],
        )
        self.pairs = self._table(upper, self.pairs_model, self.tr("Pairs to review"))
        self.pairs.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.pairs.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.pairs.selectionModel().currentRowChanged.connect(lambda *_a: self._show_pair())
        pairs_box.addWidget(self.pairs, 1)
        upper_layout.addLayout(pairs_box, 4)

        compare = QGroupBox(self.tr("The pair"), upper)
        named(compare, self.tr("The selected pair, side by side"))
        compare_layout = QVBoxLayout(compare)
        self.reasons = QLabel(compare)
        self.reasons.setWordWrap(True)
        self.reasons.setAccessibleName(self.tr("Why they may be one person"))
        compare_layout.addWidget(self.reasons)
        sides = QHBoxLayout()
        self.side_a = self._side(compare, self.tr("Person A"))
        self.side_b = self._side(compare, self.tr("Person B"))
        sides.addWidget(self.side_a, 1)
        sides.addWidget(self.side_b, 1)
        compare_layout.addLayout(sides)
        keep_row = QHBoxLayout()
        keep_caption = QLabel(self.tr("&Keep the record of:"), compare)
        self.keep_choice = QComboBox(compare)
        named(self.keep_choice, self.tr("Which record to keep when merging"))
        keep_caption.setBuddy(self.keep_choice)
        keep_row.addWidget(keep_caption)
        keep_row.addWidget(self.keep_choice, 1)
        compare_layout.addLayout(keep_row)
        buttons = QHBoxLayout()
        self.merge_button = QPushButton(self.tr("Same person — merge"), compare)
        self.merge_button.setToolTip(self.tr("Merge the pair into the kept record (Ctrl+Shift+M)"))
        named(self.merge_button, self.tr("Same person: merge"))
        self.merge_button.clicked.connect(self.merge_selected)
        self.distinct_button = QPushButton(self.tr("Not the same person"), compare)
        self.distinct_button.setToolTip(self.tr("Keep them apart (Ctrl+Shift+D)"))
        named(self.distinct_button, self.tr("Not the same person"))
        self.distinct_button.clicked.connect(self.mark_distinct)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.distinct_button)
        buttons.addStretch(1)
        compare_layout.addLayout(buttons)
        self.history = QLabel(compare)
        self.history.setWordWrap(True)
        self.history.setStyleSheet(f"color: {MUTED_COLOUR};")
        self.history.setAccessibleName(self.tr("Earlier merges of these people"))
        compare_layout.addWidget(self.history)
        compare_layout.addStretch(1)
        upper_layout.addWidget(compare, 7)

        lower = QWidget(splitter)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        merges_top = QHBoxLayout()
        merges_top.addWidget(heading(self.tr("Merges"), 2, lower))
        merges_top.addStretch(1)
        self.undo_button = QPushButton(self.tr("Undo merge"), lower)
        self.undo_button.setToolTip(self.tr("Undo the selected merge exactly (Ctrl+Shift+U)"))
        named(self.undo_button, self.tr("Undo the selected merge"))
        self.undo_button.clicked.connect(self.undo_selected)
        merges_top.addWidget(self.undo_button)
        lower_layout.addLayout(merges_top)
        self.merges_model = RowsModel(
            [self.tr("When"), self.tr("Kept record"), self.tr("Merged into it"), self.tr("State")],
            parent=self,
        )
        self.merges_table = self._table(lower, self.merges_model, self.tr("Merges, newest first"))
        self.merges_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.merges_table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.merges_table.selectionModel().currentRowChanged.connect(
            lambda *_a: self._update_buttons()
        )
        lower_layout.addWidget(self.merges_table, 1)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        outer.addWidget(splitter, 1)

        for keys, slot in (
            ("Ctrl+Shift+M", self.merge_selected),
            ("Ctrl+Shift+D", self.mark_distinct),
            ("Ctrl+Shift+U", self.undo_selected),
            ("Ctrl+Shift+F", self.scan),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        ctx.events.data_changed.connect(self._data_changed)
        name_unnamed_buttons(self)
        self._update_buttons()
        self.refresh_badge()

    def _table(self, parent: QWidget, model: RowsModel, name: str) -> QTableView:
        table = QTableView(parent)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setTabKeyNavigation(False)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        named(table, name)
        return table

    def _side(self, parent: QWidget, title: str) -> QLabel:
        label = QLabel(parent)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setStyleSheet("border: 1px solid #c8ccd2; border-radius: 4px; padding: 6px;")
        label.setAccessibleName(title)
        return label

    # ----- loading ---------------------------------------------------------------------------

    def activated(self) -> None:
        self.refresh()

    def _data_changed(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self.refresh_badge()

    def refresh_badge(self) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        n = people.count_open_reviews(store)
        self.badge_changed.emit(str(n) if n else "")

    def refresh(self) -> None:
        store = self._ctx.opened.store
        if store.closed:
            return
        current = self.selected_review()
        self.reviews = people.list_reviews(store)
        self.merges = people.recent_merges(store)
        self.pairs_model.set_rows(
            [
                (r.score, r.person_a.display_name, r.person_b.display_name, r.source)
                for r in self.reviews
            ]
        )
        self.merges_model.set_rows(
            [
                (
                    format_datetime(m.merge.merged_at),
                    self._who(m.kept),
                    self._who(m.merged),
                    self.tr("undone") if m.merge.undone else self.tr("in force"),
                )
                for m in self.merges
            ]
        )
        n = len(self.reviews)
        self.count_label.setText(
            self.tr("No pairs are waiting for a decision.")
            if not n
            else self.tr("1 pair to review, most likely first.")
            if n == 1
            else self.tr("{n} pairs to review, most likely first.").format(n=n)
        )
        self.count_label.setStyleSheet(f"color: {WARNING_COLOUR if n else MUTED_COLOUR};")
        row = 0
        if current is not None:
            row = next((i for i, r in enumerate(self.reviews) if r.id == current.id), 0)
        if self.reviews:
            self.pairs.selectRow(row)
        if self.merges and self.merges_table.currentIndex().row() < 0:
            self.merges_table.selectRow(0)
        self._show_pair()
        self.badge_changed.emit(str(n) if n else "")
        self.loaded.emit()

    @staticmethod
    def _who(view: PersonView) -> str:
        born = uk_date(view.dob)
        return f"{view.display_name} ({born})" if born else view.display_name

    def selected_review(self) -> ReviewItem | None:
        row = self.pairs.currentIndex().row()
        return self.reviews[row] if 0 <= row < len(self.reviews) else None

    def selected_merge(self) -> MergeRecord | None:
        row = self.merges_table.currentIndex().row()
        return self.merges[row] if 0 <= row < len(self.merges) else None

    def _show_pair(self) -> None:
        review = self.selected_review()
        self.keep_choice.clear()
        if review is None:
            self.reasons.setText(self.tr("Choose a pair on the left."))
            self.side_a.setText("")
            self.side_b.setText("")
            self.history.setText("")
            self._update_buttons()
            return
        a, b = review.person_a, review.person_b
        self.reasons.setText(
            self.tr("Score {score}: {reasons}").format(
                score=review.score, reasons="; ".join(review.reasons)
            )
        )
        store = self._ctx.opened.store
        self.side_a.setText(
            _person_html(a, b, self.tr("Person A"), referrals.referrals_of_person(store, a.id))
        )
        self.side_b.setText(
            _person_html(b, a, self.tr("Person B"), referrals.referrals_of_person(store, b.id))
        )
        # Keep the record with more history by default: fewer rows move.
        first, second = (a, b)
        if (b.referrals_as_victim + b.referrals_as_perpetrator) > (
            a.referrals_as_victim + a.referrals_as_perpetrator
        ):
            first, second = b, a
        for view, side in (
            (first, "A" if first is a else "B"),
            (second, "A" if second is a else "B"),
        ):
            self.keep_choice.addItem(
                self.tr("Person {side}: {who} (#{id})").format(
                    side=side, who=self._who(view), id=view.id
                ),
                view.id,
            )
        earlier = [m for pid in (a.id, b.id) for m in people.merges_of(self._ctx.opened.store, pid)]
        seen: set[int] = set()
        lines = []
        for m in earlier:
            if m.id in seen:
                continue
            seen.add(m.id)
            state = self.tr("undone") if m.undone else self.tr("in force")
            lines.append(
                self.tr("Merge {id}: #{merged} into #{kept}, {when} ({state})").format(
                    id=m.id, merged=m.merged_id, kept=m.kept_id,
                    when=format_datetime(m.merged_at), state=state,
                )
            )  # fmt: skip
        self.history.setText(
            self.tr("Earlier merges of these people: {items}").format(items="; ".join(lines))
            if lines
            else self.tr("Neither person has been merged before.")
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_pair = self.selected_review() is not None
        for button in (self.merge_button, self.distinct_button):
            button.setEnabled(has_pair and not self._busy)
        merge = self.selected_merge()
        self.undo_button.setEnabled(merge is not None and not merge.merge.undone and not self._busy)
        self.scan_button.setEnabled(not self._busy)

    # ----- decisions -------------------------------------------------------------------------

    def _run(self, title: str, work: Any, ok_text: Any, *, cancellable: bool = False) -> None:
        if self._busy:
            return
        self._busy = True
        self._update_buttons()
        self.message.show_note(title + "…")

        def succeeded(result: object) -> None:
            self._busy = False
            text = ok_text(result) if callable(ok_text) else str(ok_text)
            self.refresh()
            self.message.show_ok(text)
            self._ctx.events.data_changed.emit()
            self.decided.emit(True, text)

        def failed(exc: BaseException) -> None:
            self._busy = False
            text = self.tr("{title} failed: {error}").format(title=title, error=safe_error(exc))
            self.refresh()
            self.message.show_error(text)
            self.decided.emit(False, text)

        self._ctx.runner.run(
            title,
            lambda _t: work(),
            on_success=succeeded,
            on_error=failed,
            context=self,
            cancellable=cancellable,
        )

    def merge_selected(self) -> None:
        review = self.selected_review()
        if review is None:
            return
        keep_id = self.keep_choice.currentData()
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        kept = review.person_a if keep_id == review.person_a.id else review.person_b
        self._run(
            self.tr("Merging"),
            lambda: people.decide_review(store, actor, review.id, True, keep_id=keep_id),
            self.tr(
                "Merged into {who}. Repeat flags were worked out again; the merge can be undone."
            ).format(who=self._who(kept)),
        )

    def mark_distinct(self) -> None:
        review = self.selected_review()
        if review is None:
            return
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        self._run(
            self.tr("Recording the decision"),
            lambda: people.decide_review(store, actor, review.id, False),
            self.tr("Recorded: {a} and {b} are different people.").format(
                a=review.person_a.display_name, b=review.person_b.display_name
            ),
        )

    def undo_selected(self) -> None:
        merge = self.selected_merge()
        if merge is None or merge.merge.undone:
            return
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        self._run(
            self.tr("Undoing the merge"),
            lambda: people.unmerge(store, actor, merge.merge.id),
            self.tr("Merge undone: {who} is a separate record again.").format(
                who=self._who(merge.merged)
            ),
        )

    def scan(self) -> None:
        store, actor = self._ctx.opened.store, self._ctx.opened.actor
        self._run(
            self.tr("Scanning for duplicate people"),
            lambda: people.scan_for_duplicates(store, actor),
            lambda added: self.tr("Scan finished: {n} new pair(s) to review.").format(n=added),
        )
