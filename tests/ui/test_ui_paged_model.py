"""The paged list model the referrals and actions lists share: pages arrive as the view asks for
them, and an answer to a request the user has since replaced never reaches the screen."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from ui_support import qt_quiet

from marac_desk.services.session import OpenStore, Store
from marac_desk.ui.area import AppEvents, AreaContext
from marac_desk.ui.paged_model import PagedQueryModel, TaskTitles
from marac_desk.ui.tasks import TaskRunner

pytestmark = qt_quiet

ROWS = {
    "north": [f"N{i}" for i in range(10)],  # two full pages of 4 and a short one
    "south": [f"S{i}" for i in range(3)],  # less than a page
}


class NamesModel(PagedQueryModel[str, str]):
    """Case names by area; `hold` keeps the next page read waiting in the worker."""

    def __init__(self, ctx: AreaContext) -> None:
        super().__init__(ctx, "north")
        self.page_size = 4
        self.hold: threading.Event | None = None  # held reads wait for it in the worker
        self.reading = threading.Event()  # a held read has started in the worker
        self.reads: list[tuple[str, int]] = []  # (filter, offset) of every page read

    def _page_reader(self, store: Store, offset: int, limit: int) -> Callable[[], list[str]]:
        flt, hold, rows = self.filter, self.hold, ROWS[self.filter]

        def read() -> list[str]:
            self.reads.append((flt, offset))
            if hold is not None:
                self.reading.set()
                hold.wait(10)
            return rows[offset : offset + limit]

        return read

    def _count_reader(self, store: Store) -> Callable[[], int]:
        total = len(ROWS[self.filter])
        return lambda: total

    def _task_titles(self) -> TaskTitles:
        return TaskTitles("Loading names", "Counting names", "Loading more names")

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.DisplayRole:
            return self.row_at(index.row())
        return None


@pytest.fixture
def model(qtbot, open_store: OpenStore) -> Iterator[NamesModel]:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    made = NamesModel(AreaContext(open_store, runner, AppEvents()))
    yield made
    if made.hold is not None:
        made.hold.set()  # never leave the worker waiting
    runner.wait_for_done(10_000)


def shown(model: NamesModel) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_pages_arrive_one_at_a_time_until_the_last_short_one(qtbot, model: NamesModel) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.counted, timeout=10_000) as counted:
        model.load()
    assert counted.args == [10] and model.total == 10
    assert shown(model) == ["N0", "N1", "N2", "N3"] and model.canFetchMore()
    with qtbot.waitSignal(model.rowsInserted, timeout=10_000):
        model.fetchMore()
    assert model.rowCount() == 8 and model.canFetchMore()
    with qtbot.waitSignal(model.rowsInserted, timeout=10_000):
        model.fetchMore()
    assert shown(model) == ROWS["north"] and not model.canFetchMore()
    assert model.reads == [("north", 0), ("north", 4), ("north", 8)]


def test_a_short_first_page_is_its_own_count(qtbot, model: NamesModel) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.counted, timeout=10_000) as counted:
        model.load("south")
    assert counted.args == [3] and shown(model) == ROWS["south"]
    assert not model.canFetchMore()


def test_a_page_of_the_old_filter_is_dropped_after_the_filter_changes(  # type: ignore[no-untyped-def]
    qtbot, model: NamesModel
) -> None:
    with qtbot.waitSignal(model.counted, timeout=10_000):
        model.load()
    held = model.hold = threading.Event()
    model.fetchMore()  # north's second page: read in the worker, held there
    qtbot.waitUntil(model.reading.is_set, timeout=10_000)
    assert not model.canFetchMore()  # one page at a time

    loaded: list[list[str]] = []
    model.loaded.connect(lambda: loaded.append(shown(model)))
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append(last - first + 1))
    with qtbot.waitSignal(model.counted, timeout=10_000) as counted:
        model.load("south")  # the user changes the filter while north's page is on its way
        assert model.loading and model.total is None
        assert shown(model) == ROWS["north"][:4]  # the old rows stay until the answer arrives
        held.set()  # north's page comes back first, then south's request runs

    # North's second page was read, but only south's rows show.
    assert model.reads == [("north", 0), ("north", 4), ("south", 0)]
    assert counted.args == [3] and model.total == 3 and loaded == [ROWS["south"]]
    assert inserted == [] and shown(model) == ROWS["south"] and not model.canFetchMore()
