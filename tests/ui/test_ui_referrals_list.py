"""The referral list (filters and sorting done by the database, pages loaded lazily), the
lapsed-this-month list, the detail's status and repeat controls, relinking, and the review of
possible duplicate people with merge and undo."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from referral_support import (
    TODAY,
    days_ago,
    make_referral,
    open_window,
    show_referrals,
    visible_cases,
    wait_list,
)
from ui_support import qt_quiet

from marac_desk.core.repeats import add_months
from marac_desk.services import people, referrals
from marac_desk.services.referrals import ReferralFilter
from marac_desk.services.session import OpenStore
from marac_desk.ui.people_review_view import PeopleReviewView
from marac_desk.ui.referrals_view import COLUMNS, ReferralListModel, ReferralsView
from marac_desk.ui.widgets import unnamed_controls

pytestmark = qt_quiet


@pytest.fixture
def cases(open_store: OpenStore) -> dict[str, referrals.SavedReferral]:
    """Six referrals: two of one victim (the second a repeat), one diverted, mixed agencies."""
    s = open_store
    made = {
        "haddad1": make_referral(
            s, "Amira", "Haddad", date(1991, 5, 12), on=days_ago(200),
            perpetrator=("Sami", "Haddad", date(1989, 2, 3)), risk_score=16,
        ),
        "okafor": make_referral(s, "Grace", "Okafor", date(1979, 1, 2), on=days_ago(150),
                                agency="IDVA", risk_score=11),
        "smith": make_referral(s, "Jo", "Smith", date(1984, 7, 8), on=days_ago(90),
                               agency="Housing", external_ref="PN-44177"),
        "hadley": make_referral(s, "Ruth", "Hadley", None, on=days_ago(60), risk_score=4),
        "nowak": make_referral(s, "Ewa", "Nowak", date(1990, 9, 9), on=days_ago(20),
                               agency="IDVA"),
    }  # fmt: skip
    first = made["haddad1"]
    made["haddad2"] = make_referral(
        s, "Amira", "Haddad", date(1991, 5, 12), on=days_ago(10),
        perpetrator=("Sami", "Haddad", date(1989, 2, 3)),
        victim_id=first.victim_id, perpetrator_id=first.perpetrator_ids[0],
    )  # fmt: skip
    referrals.set_status(
        s.store, s.actor, made["smith"].id, "diverted",
        reason="Professionals meeting instead", decided_by="Chair",
    )  # fmt: skip
    assert made["haddad2"].is_repeat
    return made


@pytest.fixture
def view(qtbot, open_store: OpenStore, cases) -> ReferralsView:  # type: ignore[no-untyped-def]
    win = open_window(qtbot, open_store)
    return show_referrals(qtbot, win)


def test_list_shows_referrals_newest_first_with_markers(view: ReferralsView, cases) -> None:  # type: ignore[no-untyped-def]
    page = view.list_page
    order = ["haddad2", "nowak", "hadley", "smith", "okafor", "haddad1"]
    assert visible_cases(view) == [cases[k].case_ref for k in order]
    model = page.model
    assert model.data(model.index(0, 6)) == "● REPEAT"
    assert model.data(model.index(1, 6)) == ""
    assert model.data(model.index(0, 2)) == "Amira HADDAD"
    assert model.data(model.index(3, 5)) == "Diverted"
    assert model.data(model.index(5, 7)) == "16 · high"
    assert page.count_label.text().startswith("6 referrals · sorted by date, descending")


def test_filters_by_text_status_repeat_agency_and_risk(qtbot, view: ReferralsView, cases) -> None:  # type: ignore[no-untyped-def]
    page = view.list_page
    refs = {k: v.case_ref for k, v in cases.items()}
    wait_list(qtbot, view, lambda: qtbot.keyClicks(page.text_filter, "hadd"))  # debounced
    assert set(visible_cases(view)) == {refs["haddad1"], refs["haddad2"]}
    assert page.count_label.text().startswith("2 referrals match the filters")

    wait_list(qtbot, view, lambda: page.text_filter.setText("PN-44177"))  # external reference
    assert visible_cases(view) == [refs["smith"]]
    wait_list(qtbot, view, lambda: page.text_filter.setText(refs["okafor"]))  # case ref
    assert visible_cases(view) == [refs["okafor"]]

    wait_list(qtbot, view, page.clear_filters)
    wait_list(qtbot, view, lambda: page.status_filter.setCurrentIndex(
        page.status_filter.findData("diverted")))  # fmt: skip
    assert visible_cases(view) == [refs["smith"]]

    wait_list(qtbot, view, page.clear_filters)
    wait_list(qtbot, view, lambda: page.repeat_filter.setCurrentIndex(
        page.repeat_filter.findData(True)))  # fmt: skip
    assert visible_cases(view) == [refs["haddad2"]]
    wait_list(qtbot, view, lambda: page.repeat_filter.setCurrentIndex(
        page.repeat_filter.findData(False)))  # fmt: skip
    assert refs["haddad2"] not in visible_cases(view) and len(visible_cases(view)) == 5

    wait_list(qtbot, view, page.clear_filters)
    wait_list(qtbot, view, lambda: page.agency_filter.setCurrentIndex(
        page.agency_filter.findData("IDVA")))  # fmt: skip
    assert visible_cases(view) == [refs["nowak"], refs["okafor"]]
    wait_list(qtbot, view, lambda: page.risk_filter.setCurrentIndex(
        page.risk_filter.findData("medium")))  # fmt: skip
    assert visible_cases(view) == [refs["okafor"]]

    wait_list(qtbot, view, page.clear_filters)
    since = days_ago(100)

    wait_list(qtbot, view, lambda: page.since.setDate(QDate(since.year, since.month, since.day)))
    assert set(visible_cases(view)) == {refs[k] for k in ("haddad2", "nowak", "hadley", "smith")}


def test_sorting_by_clicking_headings_asks_the_database(qtbot, view: ReferralsView, cases) -> None:  # type: ignore[no-untyped-def]
    page = view.list_page
    header = page.table.horizontalHeader()
    victim_column = [k for k, _h in COLUMNS].index("victim")
    x = header.sectionViewportPosition(victim_column) + 10

    def click() -> None:
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))

    def surnames() -> list[str]:
        model = page.model
        return [model.row_at(r).victim_name.split()[-1] for r in range(model.rowCount())]

    wait_list(qtbot, view, click)
    assert (page.model.sort_key, page.model.descending) == ("victim", False)
    assert surnames() == ["HADDAD", "HADDAD", "HADLEY", "NOWAK", "OKAFOR", "SMITH"]
    wait_list(qtbot, view, click)  # again: the other way
    assert page.model.descending
    assert surnames() == ["SMITH", "OKAFOR", "NOWAK", "HADLEY", "HADDAD", "HADDAD"]
    assert "sorted by victim (as referred), descending" in page.count_label.text()


def test_rows_arrive_a_page_at_a_time(qtbot, view: ReferralsView, cases) -> None:  # type: ignore[no-untyped-def]
    model = ReferralListModel(view._ctx)  # the list's model, without a view scrolling it
    model.page_size = 4
    with qtbot.waitSignal(model.counted, timeout=10_000) as counted:
        model.load(ReferralFilter())
    assert counted.args == [6]
    assert model.rowCount() == 4 and model.canFetchMore()
    with qtbot.waitSignal(model.rowsInserted, timeout=10_000):
        model.fetchMore()
    assert model.rowCount() == 6 and not model.canFetchMore()
    assert [model.row_at(r).case_ref for r in range(6)] == visible_cases(view)

    # The table asks for the next page itself while its viewport is not full.
    shown = view.list_page.model
    shown.page_size = 2
    with qtbot.waitSignal(shown.rowsInserted, timeout=10_000):
        view.list_page.apply_filters()
    qtbot.waitUntil(lambda: shown.rowCount() == 6, timeout=10_000)


def test_enter_opens_the_referral_and_escape_goes_back(qtbot, view: ReferralsView, cases) -> None:  # type: ignore[no-untyped-def]
    table = view.list_page.table
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    with qtbot.waitSignal(view.opened_referral, timeout=5_000) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [cases["haddad2"].id]
    detail = view.detail
    assert detail.banner.isVisible() and cases["haddad1"].case_ref in detail.banner.text()
    # The previous referral opens from the detail; Escape walks back.
    detail.previous.setFocus()
    with qtbot.waitSignal(view.opened_referral, timeout=5_000):
        detail._previous_activated(detail.previous.topLevelItem(0), 0)
    assert detail.detail is not None and detail.detail.id == cases["haddad1"].id
    qtbot.keyClick(detail.previous, Qt.Key.Key_Escape)
    assert detail.detail is not None and detail.detail.id == cases["haddad2"].id
    qtbot.keyClick(detail.previous, Qt.Key.Key_Escape)
    assert view.current_page() == "list"
    assert unnamed_controls(view) == []


def test_diverting_needs_a_reason_and_who_decided(
    qtbot, view: ReferralsView, cases, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    target = cases["nowak"]
    view.open_referral(target.id)
    detail = view.detail
    detail.status_choice.setCurrentIndex(detail.status_choice.findData("diverted"))
    with qtbot.waitSignal(detail.action_done, timeout=5_000) as done:
        detail.status_button.click()
    assert done.args[0] is False
    assert detail.status_reason_message.is_error
    assert detail.status_reason_message.text() == "Say why the referral is diverted."
    assert detail.status_decided_message.text() == "Say who decided."
    assert referrals.get_referral(open_store.store, target.id).status == "received"

    qtbot.keyClicks(detail.status_reason, "Heard at the professionals meeting")
    qtbot.keyClicks(detail.status_decided_by, "A. Chair (police)")
    with qtbot.waitSignal(detail.action_done, timeout=10_000) as done:
        qtbot.keyClick(detail.status_decided_by, Qt.Key.Key_Return)
    assert done.args == [True, "Status changed to Diverted."]
    stored = referrals.get_referral(open_store.store, target.id)
    assert (stored.status, stored.status_reason, stored.status_decided_by) == (
        "diverted",
        "Heard at the professionals meeting",
        "A. Chair (police)",
    )
    assert detail.status_pill.text() == "Diverted"
    assert "Heard at the professionals meeting" in detail.status_current.text()


def test_repeat_override_needs_a_reason(qtbot, view: ReferralsView, cases, open_store) -> None:  # type: ignore[no-untyped-def]
    target = cases["haddad2"]
    view.open_referral(target.id)
    detail = view.detail
    detail.override_choice.setCurrentIndex(detail.override_choice.findData(False))
    detail.override_reason.clear()
    with qtbot.waitSignal(detail.action_done, timeout=5_000) as done:
        detail.override_button.click()
    assert done.args[0] is False and detail.override_message.is_error
    qtbot.keyClicks(detail.override_reason, "Different incident type, agreed with chair")
    with qtbot.waitSignal(detail.action_done, timeout=10_000) as done:
        detail.override_button.click()
    assert done.args[0] is True
    assert not referrals.get_referral(open_store.store, target.id).is_repeat
    assert not detail.banner.isVisible()
    assert "Set by the coordinator to not a repeat" in detail.override_current.text()


def test_relinking_the_victim_through_the_picker(
    qtbot, view: ReferralsView, cases, open_store
) -> None:  # type: ignore[no-untyped-def]
    # Say the coordinator finds that Nowak's referral was really about the Okafor victim.
    target, other = cases["nowak"], cases["okafor"]
    view.open_referral(target.id)
    detail = view.detail
    detail.relink_victim()
    dialog = detail.relink_dialog
    assert dialog is not None
    with qtbot.waitSignal(
        dialog.candidates.searched, timeout=5_000, check_params_cb=lambda n: n > 0
    ):
        dialog.first.setText("Grace")
        dialog.last.setText("Okafor")
        dialog.dob.setText("02/01/1979")
    assert dialog.candidates.table.item(0, 0).text() == "Grace OKAFOR"
    # Only someone already in the store can be chosen here: no New person, no review list.
    assert dialog.candidates.new_button.isHidden()
    assert "review" not in dialog.candidates.status.text()
    with qtbot.waitSignal(detail.action_done, timeout=10_000) as done:
        dialog.candidates.link_button.click()
    assert done.args[0] is True
    assert referrals.get_referral(open_store.store, target.id).victim.person_id == other.victim_id
    assert "linked to person" in detail.notice.text()


def test_lapsed_this_month(qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    lapsing_on = add_months(date(TODAY.year, TODAY.month, 1), -12)
    old = make_referral(open_store, "Lina", "Park", date(1980, 1, 1), on=lapsing_on)
    make_referral(open_store, "Tom", "Reed", date(1970, 1, 1), on=days_ago(5))
    win = open_window(qtbot, open_store)
    view = show_referrals(qtbot, win)
    page = view.list_page
    with qtbot.waitSignal(page.lapsed_model.modelReset, timeout=10_000):
        page.tabs.setCurrentIndex(1)
    assert [r.case_ref for r in page.lapsed_rows] == [old.case_ref]
    assert page.lapsed_label.text().startswith("1 referral(s) reach 12 months in")


def test_review_merge_then_undo(qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    first = make_referral(open_store, "Mohammed", "Khan", date(1985, 6, 7), on=days_ago(40))
    second = make_referral(
        open_store, "Muhammad", "Kahn", date(1985, 7, 6), on=days_ago(5), decided=False
    )
    assert second.match_status == "review" and second.reviews_queued == 1
    win = open_window(qtbot, open_store)
    keys = win.area_keys()
    nav_item = win.nav.item(keys.index("reviews"))
    assert nav_item.text() == "People to review  (1)"
    review_view = win.areas["reviews"]
    assert isinstance(review_view, PeopleReviewView)
    with qtbot.waitSignal(review_view.loaded, timeout=5_000):
        win.show_area("reviews")
    assert review_view.pairs_model.rowCount() == 1
    assert "Mohammed KHAN" in review_view.side_a.text() + review_view.side_b.text()
    assert "date of birth with day and month swapped" in review_view.reasons.text()
    keep = review_view.keep_choice.findData(first.victim_id)
    review_view.keep_choice.setCurrentIndex(keep)

    with qtbot.waitSignal(review_view.decided, timeout=10_000) as done:
        review_view.merge_button.click()
    assert done.args[0] is True
    assert review_view.pairs_model.rowCount() == 0
    assert nav_item.text() == "People to review"
    merged = people.get_person(open_store.store, second.victim_id)
    assert merged is not None and merged.merged_into_id == first.victim_id
    after_merge = referrals.get_referral(open_store.store, second.id)
    assert after_merge.victim.person_id == first.victim_id
    assert after_merge.match_status == "linked"  # no longer shown as "needs review"
    assert review_view.merges_model.rowCount() == 1
    assert review_view.merges_model.cell(0, 3) == "in force"

    review_view.merges_table.setFocus()
    review_view.merges_table.selectRow(0)
    with qtbot.waitSignal(review_view.decided, timeout=10_000) as done:
        qtbot.keyClick(
            review_view.merges_table,
            Qt.Key.Key_U,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert done.args[0] is True
    restored = people.get_person(open_store.store, second.victim_id)
    assert restored is not None and restored.merged_into_id is None
    assert referrals.get_referral(open_store.store, second.id).victim.person_id == second.victim_id
    assert review_view.merges_model.cell(0, 3) == "undone"
    assert not review_view.undo_button.isEnabled()


def test_a_pair_under_review_shows_identifiers_and_marks_differing_ones(
    qtbot, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    def refer(first: str, last: str, nhs: str, on: date) -> referrals.SavedReferral:
        victim = referrals.PersonInput(first, last, date(1985, 6, 7), nhs_number=nhs)
        inp = referrals.ReferralInput(
            referral_date=on,
            referring_agency="Police",
            victim=victim,
            crit_professional_judgement=True,
            professional_judgement_reason="Escalating threats",
        )
        return referrals.create_referral(open_store.store, open_store.actor, inp, today=TODAY)

    refer("Mohammed", "Khan", "943 476 5919", days_ago(40))
    second = refer("Muhammad", "Khan", "401 023 2137", days_ago(5))
    assert second.match_status == "new"  # two NHS numbers: two people, not even proposed
    people.scan_for_duplicates(open_store.store, open_store.actor)
    refer("Mo", "Khan", "9434765919", days_ago(2))  # the first one's number: proposed
    win = open_window(qtbot, open_store)
    review_view = win.areas["reviews"]
    assert isinstance(review_view, PeopleReviewView)
    with qtbot.waitSignal(review_view.loaded, timeout=5_000):
        win.show_area("reviews")
    assert review_view.pairs_model.rowCount() == 1
    shown = review_view.side_a.text() + review_view.side_b.text()
    assert shown.count("NHS number 943 476 5919") == 2
    assert "same NHS number" in review_view.reasons.text()


def test_not_the_same_person_and_scan(qtbot, open_store: OpenStore) -> None:  # type: ignore[no-untyped-def]
    make_referral(open_store, "Katie", "Smith", date(1990, 3, 4), on=days_ago(40))
    make_referral(open_store, "Kate", "Smyth", date(1990, 4, 3), on=days_ago(5))  # decided: no pair
    win = open_window(qtbot, open_store)
    review_view = win.areas["reviews"]
    assert isinstance(review_view, PeopleReviewView)
    with qtbot.waitSignal(review_view.loaded, timeout=5_000):
        win.show_area("reviews")
    assert review_view.pairs_model.rowCount() == 0
    with qtbot.waitSignal(review_view.decided, timeout=20_000) as done:
        review_view.scan_button.click()
    assert done.args == [True, "Scan finished: 1 new pair(s) to review."]
    assert review_view.pairs_model.rowCount() == 1
    with qtbot.waitSignal(review_view.decided, timeout=10_000):
        review_view.distinct_button.click()
    assert review_view.pairs_model.rowCount() == 0
    assert people.list_reviews(open_store.store, status="not_same")[0].score > 0
    assert unnamed_controls(review_view) == []
