"""A table model over a database query that is too big to read at once: rows arrive a page at a
time in the task runner, and an answer to an outdated request is dropped.

Why it exists: the referrals and actions lists both need the same lazy loading (the first page,
then the count, then more pages as the view scrolls), and the bookkeeping that keeps a late
answer from an old filter off the screen is easy to get subtly wrong twice. A list model
subclasses `PagedQueryModel`, says how to read a page and how to count (`_page_reader`,
`_count_reader`) and how it shows a row (`columnCount`, `data`, `headerData`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, NamedTuple, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Signal,
)

from marac_desk.services.session import Store
from marac_desk.ui.area import AreaContext
from marac_desk.ui.widgets import safe_error

RowT = TypeVar("RowT")
FilterT = TypeVar("FilterT")

PAGE_SIZE = 200


class TaskTitles(NamedTuple):
    """What the task runner calls each step of a paged model's loading."""

    first_page: str
    counting: str
    more: str


class PagedQueryModel(QAbstractTableModel, Generic[RowT, FilterT]):
    """Rows matching `filter`, read from the store a page at a time in the background.

    `load()` asks again from the first page (the rows shown stay until the answer arrives);
    `loaded` follows once it shows, then `counted` with how many match in all. The view's
    `fetchMore` reads the next page while there may be more. Every request carries a generation
    number: an answer, count or failure for an older generation is ignored.
    """

    loaded = Signal()  # the first page of a new request is showing
    counted = Signal(int)  # how many rows match (arrives after the first page)
    failed = Signal(str)

    def __init__(self, ctx: AreaContext, flt: FilterT, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._rows: list[RowT] = []
        self.filter: FilterT = flt
        self.page_size = PAGE_SIZE
        self.total: int | None = None
        self.loading = False
        self._generation = 0
        self._more = False
        self._fetching = False

    # ----- what a subclass says ------------------------------------------------------------------

    def _page_reader(self, store: Store, offset: int, limit: int) -> Callable[[], list[RowT]]:
        """Called on the GUI thread: a call, run in the worker, that reads `limit` rows from
        `offset` with the request's parameters as they are now."""
        raise NotImplementedError

    def _count_reader(self, store: Store) -> Callable[[], int]:
        """Called on the GUI thread: a call, run in the worker, that counts the matching rows."""
        raise NotImplementedError

    def _task_titles(self) -> TaskTitles:
        """The runner's titles for the loading steps (translated in the subclass's context)."""
        raise NotImplementedError

    def _new_request(self) -> None:
        """Called as a new request starts, before its first page is asked for."""

    # ----- rows ----------------------------------------------------------------------------------

    def row_at(self, row: int) -> RowT:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    # ----- loading -------------------------------------------------------------------------------

    def load(self, flt: FilterT | None = None) -> None:
        """Ask again from the first page (the rows shown stay until the answer arrives)."""
        store = self._ctx.opened.store
        if store.closed:
            return
        if flt is not None:
            self.filter = flt
        self._generation += 1
        generation = self._generation
        self.loading = True
        self._fetching = False
        self.total = None
        self._new_request()
        self._run(
            self._task_titles().first_page,
            generation,
            self._page_reader(store, 0, self.page_size),
            lambda rows: self._first_page(generation, rows),
        )

    def _first_page(self, generation: int, rows: list[RowT] | None) -> None:
        if generation != self._generation or rows is None:
            return
        self.loading = False
        self._more = len(rows) == self.page_size
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()
        self.loaded.emit()
        if not self._more:
            self._counted(generation, len(rows))
            return
        store = self._ctx.opened.store
        self._run(
            self._task_titles().counting,
            generation,
            self._count_reader(store),
            lambda n: self._counted(generation, n),
            unless_closed=store,
        )

    def _run(
        self,
        title: str,
        generation: int,
        read: Callable[[], Any],
        on_success: Callable[[Any], None],
        *,
        unless_closed: Store | None = None,
    ) -> None:
        """Run `read` in the worker; it answers None (and reads nothing) if a newer request has
        started by then, or `unless_closed` has been closed. A failure counts for `generation`."""

        def work(_task: Any) -> Any:
            if generation != self._generation or (
                unless_closed is not None and unless_closed.closed
            ):
                return None  # moot: a newer request is queued behind this one
            return read()

        self._ctx.runner.run(
            title,
            work,
            show_progress=False,
            on_success=on_success,
            on_error=lambda exc: self._failed(generation, exc),
            context=self,
        )

    def _counted(self, generation: int, total: int | None) -> None:
        if generation != self._generation or total is None:
            return
        self.total = total
        self.counted.emit(total)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self._fetching = False
        self._more = False
        self.failed.emit(safe_error(exc))

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching and not self.loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        store = self._ctx.opened.store
        if store.closed:
            return
        self._fetching = True
        generation, offset = self._generation, len(self._rows)
        self._run(
            self._task_titles().more,
            generation,
            self._page_reader(store, offset, self.page_size),
            lambda rows: self._next_page(generation, offset, rows),
        )

    def _next_page(self, generation: int, offset: int, rows: list[RowT] | None) -> None:
        if generation != self._generation or rows is None or offset != len(self._rows):
            return
        self._fetching = False
        self._more = len(rows) == self.page_size
        if rows:
            self.beginInsertRows(QModelIndex(), offset, offset + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
