"""Taking a referral in through the form: typed by keyboard, checked as it is typed, people
proposed as they are typed, and a repeat recognised with its banner."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel
from referral_support import TODAY, ctrl, days_ago, make_referral, open_window, show_referrals
from ui_support import qt_quiet

from marac_desk.services import people, referrals
from marac_desk.services.session import OpenStore
from marac_desk.ui import referral_form
from marac_desk.ui.main_window import MainWindow
from marac_desk.ui.person_match import CandidatePanel
from marac_desk.ui.referral_form import ReferralForm
from marac_desk.ui.referrals_view import ReferralsView
from marac_desk.ui.widgets import ERROR_COLOUR, unnamed_controls

pytestmark = qt_quiet


@pytest.fixture
def window(qtbot, open_store: OpenStore) -> MainWindow:  # type: ignore[no-untyped-def]
    return open_window(qtbot, open_store)


def _new_form(qtbot, window: MainWindow) -> tuple[ReferralsView, ReferralForm]:  # type: ignore[no-untyped-def]
    view = show_referrals(qtbot, window)
    ctrl(qtbot, view.list_page.table, Qt.Key.Key_N)  # Ctrl+N from the referrals area
    form = view.form
    assert form is not None and view.current_page() == "form"
    qtbot.waitUntil(form.referral_date.hasFocus, timeout=5_000)
    return view, form


def _type(qtbot, widget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    if not isinstance(widget, QComboBox):  # select what is there, so typing replaces it
        qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def _settled(qtbot, form: ReferralForm) -> None:  # type: ignore[no-untyped-def]
    """Wait for the debounced check after typing."""
    qtbot.waitUntil(lambda: not form.check_pending, timeout=5_000)


def test_intake_typed_by_keyboard_is_stored(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    view, form = _new_form(qtbot, window)
    when = days_ago(2)
    qtbot.keyClicks(form.referral_date, when.strftime("%d/%m/%Y"))  # replaces the selected date
    _type(qtbot, form.agency, "IDVA")  # type-ahead in the list of agencies
    _type(qtbot, form.victim.first, "Amira")
    _type(qtbot, form.victim.last, "Haddad")
    _type(qtbot, form.victim.dob, "12/05/1991")
    perp = form.perpetrators[0]
    _type(qtbot, perp.first, "Sami")
    _type(qtbot, perp.last, "Haddad")
    _type(qtbot, perp.dob, "3/2/1989")
    _type(qtbot, form.phone, "07700 900123")
    form.crit_pj.setFocus()
    qtbot.keyClick(form.crit_pj, Qt.Key.Key_Space)
    _type(qtbot, form.pj_reason, "Threats to kill since the separation")
    _settled(qtbot, form)
    assert form.errors == []
    assert form.save_button.isEnabled()
    assert "missing" in form.completeness.text()  # relationship, children… do not block

    with qtbot.waitSignal(view.opened_referral, timeout=10_000) as opened:
        ctrl(qtbot, form.pj_reason, Qt.Key.Key_S)
    rows = referrals.list_referrals(open_store.store)
    assert len(rows) == 1
    row = rows[0]
    assert opened.args == [row.id]
    assert (row.victim_name, row.referring_agency, row.referral_date) == (
        "Amira HADDAD",
        "IDVA",
        when,
    )
    detail = referrals.get_referral(open_store.store, row.id)
    assert detail.victim.dob == date(1991, 5, 12)
    assert detail.perpetrators[0].dob == date(1989, 2, 3)
    assert detail.criteria == ("professional_judgement",)
    assert detail.professional_judgement_reason == "Threats to kill since the separation"
    assert detail.facts["phone"] == "07700 900123"
    # What the coordinator sees: the saved case ref, no repeat banner.
    assert view.current_page() == "detail"
    assert view.detail.title.text().startswith(row.case_ref)
    assert f"Saved as {row.case_ref}" in view.detail.notice.text()
    assert not view.detail.banner.isVisible()


def test_field_errors_show_beside_their_fields_and_block_saving(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _view, form = _new_form(qtbot, window)
    _type(qtbot, form.referral_date, "01/03/2024")
    _type(qtbot, form.agency, "Police")
    _type(qtbot, form.victim.first, "Lena")
    _type(qtbot, form.victim.dob, "05/03/2024")
    form.crit_pj.setFocus()
    qtbot.keyClick(form.crit_pj, Qt.Key.Key_Space)
    _settled(qtbot, form)

    dob_message = form.victim.dob_cell.message
    assert dob_message.is_error
    assert dob_message.text() == "The victim's date of birth is after the referral date."
    pj_message = form._static_targets["professional_judgement_reason"].message
    assert pj_message.is_error
    assert "reason in writing" in pj_message.text()
    assert not form.save_button.isEnabled()
    assert form.blocking.text().startswith("Cannot save yet:")
    assert ERROR_COLOUR in form.blocking.styleSheet()

    # An impossible date is explained, not silently dropped.
    _type(qtbot, form.victim.dob, "31/02/1990")
    form.agency.setFocus()  # leave the field
    _settled(qtbot, form)
    assert dob_message.text() == "31/02/1990 is not a date: February 1990 has 28 days."
    assert not form.save_button.isEnabled()

    _type(qtbot, form.victim.dob, "28/02/1990")
    _type(qtbot, form.pj_reason, "Escalating stalking")
    _settled(qtbot, form)
    assert not dob_message.isVisible() and not pj_message.isVisible()
    assert form.save_button.isEnabled()


def test_a_candidate_is_proposed_linked_and_the_repeat_shown(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    first = make_referral(
        open_store,
        "Katie",
        "Smith",
        date(1990, 3, 4),
        on=days_ago(120),
        perpetrator=("John", "Brown", date(1988, 1, 1)),
    )
    view, form = _new_form(qtbot, window)
    _type(qtbot, form.agency, "Housing")
    panel = form.victim.candidates
    with qtbot.waitSignal(panel.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, form.victim.first, "Kate")
        _type(qtbot, form.victim.last, "Smyth")
        _type(qtbot, form.victim.dob, "03/04/1990")
    assert panel.isVisible() and panel.table.rowCount() == 1
    assert panel.table.item(0, 0).text() == "Katie SMITH"
    assert panel.table.item(0, 1).text() == "04/03/1990"
    why = panel.table.item(0, 3).text()
    assert "day and month swapped" in why and "first name is a known variant" in why
    assert "possible match" in panel.status.text()
    panel.link_button.click()
    assert panel.person_id == first.victim_id
    assert "Linked to Katie SMITH" in panel.status.text()

    perp = form.perpetrators[0]
    with qtbot.waitSignal(perp.candidates.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, perp.first, "John")
        _type(qtbot, perp.last, "Brown")
        _type(qtbot, perp.dob, "01/01/1988")
    perp.candidates.table.setFocus()
    ctrl(qtbot, perp.candidates.table, Qt.Key.Key_L, shift=True)  # Ctrl+Shift+L links
    assert perp.candidates.person_id == first.perpetrator_ids[0]
    form.crit_repeat.setChecked(True)
    _settled(qtbot, form)

    with qtbot.waitSignal(view.opened_referral, timeout=10_000) as opened:
        form.save_button.click()
    saved = referrals.get_referral(open_store.store, opened.args[0])
    assert saved.is_repeat and saved.previous_referral_id == first.id
    banner = view.detail.banner
    assert banner.isVisible()
    assert banner.text().startswith("REPEAT")
    assert first.case_ref in banner.text()
    assert days_ago(120).strftime("%d %b %Y") in banner.text()
    top = view.detail.previous.topLevelItem(0)
    assert top.text(0).startswith(first.case_ref) and "repeated now" in top.text(0)


def test_linking_the_victim_offers_her_earlier_perpetrator_typed_without_a_dob(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    first = make_referral(
        open_store,
        "Katie",
        "Smith",
        date(1990, 3, 4),
        on=days_ago(120),
        perpetrator=("John", "Brown", date(1988, 1, 1)),
    )
    _view, form = _new_form(qtbot, window)
    perp = form.perpetrators[0]
    # Typed first: with no date of birth, a John Brown is only a possible match.
    with qtbot.waitSignal(perp.candidates.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, perp.first, "John")
        _type(qtbot, perp.last, "Brown")
    assert "named with the same victim before" not in perp.candidates.table.item(0, 3).text()
    assert not perp.candidates.table.item(0, 0).font().bold()  # bold: strong enough to link
    assert "strong match" not in perp.candidates.status.text()

    victim = form.victim.candidates
    with qtbot.waitSignal(victim.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, form.victim.first, "Katie")
        _type(qtbot, form.victim.last, "Smith")
        _type(qtbot, form.victim.dob, "04/03/1990")
    # Linking the victim searches the perpetrator again, with her earlier perpetrators.
    with qtbot.waitSignal(perp.candidates.searched, timeout=5_000):
        victim.link_button.click()
    assert victim.person_id == first.victim_id
    assert perp.candidates.table.rowCount() == 1
    assert "named with the same victim before" in perp.candidates.table.item(0, 3).text()
    assert perp.candidates.table.item(0, 0).font().bold()
    assert "A strong match, in bold" in perp.candidates.status.text()


def test_new_person_choice_and_changed_name_reset(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    make_referral(open_store, "Mohammed", "Khan", date(1985, 6, 7))
    _view, form = _new_form(qtbot, window)
    panel = form.victim.candidates
    with qtbot.waitSignal(panel.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, form.victim.first, "Muhammad")
        _type(qtbot, form.victim.last, "Khan")
        _type(qtbot, form.victim.dob, "07/06/1985")
    panel.link_button.click()
    assert panel.linked is not None
    # A different person typed over the linked one: the link must not silently stay.
    with qtbot.waitSignal(panel.searched, timeout=5_000):
        _type(qtbot, form.victim.first, "Ruth")
        _type(qtbot, form.victim.last, "Adeyemi")
    assert panel.linked is None
    assert "choose again" in panel.status.text()
    with qtbot.waitSignal(panel.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, form.victim.first, "Mohamed")
        _type(qtbot, form.victim.last, "Khan")
    panel.new_button.click()
    victim = form.victim.person_input()
    assert victim.person_id is None and victim.decided
    assert "New person" in panel.status.text()


def test_cancel_asks_before_discarding(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    view, form = _new_form(qtbot, window)
    answers: list[bool] = [False, True]
    asked: list[int] = []

    def confirm(_parent: object) -> bool:
        asked.append(1)
        return answers.pop(0)

    monkeypatch.setattr(referral_form, "confirm_discard", confirm)
    _type(qtbot, form.victim.first, "Ana")
    qtbot.keyClick(form.victim.first, Qt.Key.Key_Escape)
    assert view.current_page() == "form" and len(asked) == 1
    qtbot.keyClick(form.victim.first, Qt.Key.Key_Escape)
    assert view.current_page() == "list" and len(asked) == 2


def test_every_form_control_is_named_and_rows_can_be_added(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    _view, form = _new_form(qtbot, window)
    ctrl(qtbot, form.victim.first, Qt.Key.Key_P, shift=True)
    ctrl(qtbot, form.victim.first, Qt.Key.Key_H, shift=True)
    assert len(form.perpetrators) == 2 and len(form.children_rows) == 1
    assert form.children_status.value() == "listed"
    assert form.children_rows[0].first.hasFocus()  # focus follows the new row
    assert unnamed_controls(form) == []
    form.perpetrators[0].remove_button.click()
    assert [s.title() for s in form.perpetrators] == ["Perpetrator 1"]
    assert form.perpetrators[0].first.accessibleName() == "Perpetrator 1: first name(s)"
    _type(qtbot, form.children_rows[0].dob, "01/01/2010")
    _type(qtbot, form.children_rows[0].first, "Mia")
    _settled(qtbot, form)
    assert not form.children_rows[0].dob_cell.message.isVisible()
    # A perpetrator born after the referral date names the right row.
    _type(qtbot, form.perpetrators[0].first, "Dan")
    _type(qtbot, form.perpetrators[0].dob, "01/01/2099")
    _settled(qtbot, form)
    message = form.perpetrators[0].dob_cell.message
    assert message.is_error and "Perpetrator 1's date of birth is in the future." in message.text()
    assert TODAY.year < 2099


def test_rows_can_be_added_and_removed_by_keyboard(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Perpetrator and child rows renumber when one is removed, and focus returns to 'Add'."""
    _view, form = _new_form(qtbot, window)
    ctrl(qtbot, form.victim.first, Qt.Key.Key_P, shift=True)  # a second perpetrator
    assert len(form.perpetrators) == 2
    first, second = form.perpetrators
    _type(qtbot, second.first, "Lee")
    form.remove_perpetrator(first)
    assert form.perpetrators == [second]
    assert second.index == 1
    qtbot.waitUntil(form.add_perpetrator_button.hasFocus, timeout=5_000)

    ctrl(qtbot, form.victim.first, Qt.Key.Key_H, shift=True)  # a child
    ctrl(qtbot, form.victim.first, Qt.Key.Key_H, shift=True)  # and another
    one, two = form.children_rows
    form.remove_child(one)
    assert form.children_rows == [two] and two.index == 1
    qtbot.waitUntil(form.add_child_button.hasFocus, timeout=5_000)


# ----- agencies' identifiers ----------------------------------------------------------------------

NHS_NUMBER = "943 476 5919"  # valid check digit
CHECK_DIGIT = "This NHS number's check digit does not match: a digit is probably mistyped."


def _ready_to_save(qtbot, form: ReferralForm, first: str, last: str) -> None:  # type: ignore[no-untyped-def]
    """Everything a referral needs to be saved, apart from what the test types."""
    _type(qtbot, form.agency, "Police")
    _type(qtbot, form.victim.first, first)
    _type(qtbot, form.victim.last, last)
    form.crit_pj.setFocus()
    qtbot.keyClick(form.crit_pj, Qt.Key.Key_Space)
    _type(qtbot, form.pj_reason, "Threats since the separation")


def test_a_mistyped_nhs_number_is_shown_beside_it_and_stops_saving(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    _view, form = _new_form(qtbot, window)
    _ready_to_save(qtbot, form, "Sarah", "Jones")
    message = form.victim.nhs_cell.message
    # Half typed: a note under the field, not a red error, while the cursor is still in it.
    _type(qtbot, form.victim.nhs_number, "943 476")
    _settled(qtbot, form)
    assert message.isVisible() and not message.is_error
    assert "10 digits" in message.text()
    assert not form.save_button.isEnabled()

    qtbot.keyClicks(form.victim.nhs_number, " 5918")  # the last digit mistyped
    form.victim.agency_id.setFocus()  # leave the field
    _settled(qtbot, form)
    assert message.is_error and message.text() == CHECK_DIGIT
    assert [p.field for p in form.errors] == ["victim.nhs_number"]
    assert not form.save_button.isEnabled()
    assert form.blocking.text().startswith(f"Cannot save yet: {CHECK_DIGIT}")
    assert form.victim.candidates.probe.identifiers == ()  # a wrong number is not searched for
    qtbot.keyClick(form.victim.agency_id, Qt.Key.Key_F8)
    assert form.victim.nhs_number.hasFocus()

    _type(qtbot, form.victim.nhs_number, NHS_NUMBER)
    form.victim.agency_id.setFocus()
    _settled(qtbot, form)
    assert not message.isVisible()
    assert form.save_button.isEnabled()
    assert form.victim.candidates.probe.identifiers == ("nhs:9434765919",)

    # A perpetrator's agency person ID is checked beside that perpetrator's field.
    perp = form.perpetrators[0]
    _type(qtbot, perp.first, "Dan")
    _type(qtbot, perp.agency_id, "NT#55")
    perp.first.setFocus()
    _settled(qtbot, form)
    perp_message = perp.agency_id_cell.message
    assert perp_message.is_error
    assert "letters and digits only" in perp_message.text()
    assert not form.victim.agency_id_cell.message.isVisible()
    assert [p.field for p in form.errors] == ["perpetrators[1].agency_person_id"]
    assert not form.save_button.isEnabled()


def test_typed_identifiers_are_stored_with_the_person_and_shown_on_the_referral(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    view, form = _new_form(qtbot, window)
    _ready_to_save(qtbot, form, "Sarah", "Jones")
    _type(qtbot, form.victim.nhs_number, NHS_NUMBER)
    _type(qtbot, form.victim.agency_id, "nt/123 456")
    perp = form.perpetrators[0]
    _type(qtbot, perp.first, "Dan")
    _type(qtbot, perp.last, "Jones")
    _type(qtbot, perp.agency_id, "NT654321")
    _settled(qtbot, form)
    assert form.errors == []
    with qtbot.waitSignal(view.opened_referral, timeout=10_000) as opened:
        form.save_button.click()
    detail = referrals.get_referral(open_store.store, opened.args[0])
    assert detail.victim.person_id is not None
    victim = people.get_person(open_store.store, detail.victim.person_id)
    assert victim is not None
    assert victim.identifiers == ("NHS number 943 476 5919", "agency person ID NT123456")
    perp_id = detail.perpetrators[0].person_id
    assert perp_id is not None
    perpetrator = people.get_person(open_store.store, perp_id)
    assert perpetrator is not None and perpetrator.identifiers == ("agency person ID NT654321",)
    # The referral shows them with each person.
    victim_text = view.detail.victim_text.text()
    assert "NHS number 943 476 5919" in victim_text and "agency person ID NT123456" in victim_text
    perp_text = " ".join(label.text() for label in view.detail.perp_box.findChildren(QLabel))
    assert "agency person ID NT654321" in perp_text


def test_the_same_nhs_number_finds_her_under_another_first_name(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    first = make_referral(
        open_store, "Sarah", "Jones", date(1990, 4, 12), on=days_ago(60), victim_nhs="9434765919"
    )
    _view, form = _new_form(qtbot, window)
    panel = form.victim.candidates
    # The NHS number alone is enough to look: she is a possible match, not yet a strong one.
    with qtbot.waitSignal(panel.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, form.victim.nhs_number, NHS_NUMBER)
    assert panel.isVisible() and panel.table.rowCount() == 1
    assert panel.table.item(0, 0).text() == "Sarah JONES"
    assert not panel.table.item(0, 0).font().bold()
    identifiers_column = CandidatePanel.COLUMNS.index("Identifiers")
    assert panel.table.item(0, identifiers_column).text() == "NHS number 943 476 5919"

    # Known here by her middle name, with the same surname and date of birth: a strong match.
    with qtbot.waitSignal(panel.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, form.victim.first, "Louise")
        _type(qtbot, form.victim.last, "Jones")
        _type(qtbot, form.victim.dob, "12/04/1990")
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 0).font().bold() and panel.table.item(0, 2).font().bold()
    why = panel.table.item(0, 3).text()
    assert "same NHS number" in why and "different first name" in why
    assert "A strong match, in bold" in panel.status.text()
    panel.link_button.click()
    assert panel.person_id == first.victim_id


def test_a_different_nhs_number_keeps_a_namesake_out(
    qtbot, window: MainWindow, open_store: OpenStore
) -> None:  # type: ignore[no-untyped-def]
    make_referral(open_store, "Sarah", "Jones", date(1990, 4, 12), victim_nhs="9434765919")
    _view, form = _new_form(qtbot, window)
    panel = form.victim.candidates
    with qtbot.waitSignal(panel.searched, timeout=5_000, check_params_cb=lambda n: n > 0):
        _type(qtbot, form.victim.first, "Sarah")
        _type(qtbot, form.victim.last, "Jones")
        _type(qtbot, form.victim.dob, "12/04/1990")
    assert panel.table.item(0, 0).font().bold()  # same name and date of birth
    with qtbot.waitSignal(panel.searched, timeout=5_000, check_params_cb=lambda n: n == 0):
        _type(qtbot, form.victim.nhs_number, "401 023 2137")  # a valid number, not hers
    assert not panel.table.isVisible()
    assert "No one in the store matches" in panel.status.text()


def test_identifier_fields_are_named_and_follow_gender_in_tab_order(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    _view, form = _new_form(qtbot, window)
    ctrl(qtbot, form.victim.first, Qt.Key.Key_P, shift=True)  # a second perpetrator
    assert unnamed_controls(form) == []
    assert form.victim.nhs_number.accessibleName() == "Victim: NHS number"
    assert form.victim.agency_id.accessibleName() == "Victim: agency person ID"
    assert "PNC" in form.victim.agency_id.toolTip()
    assert form.victim.nhs_cell.message.accessibleName() == "Victim: NHS number: problem"
    form.remove_perpetrator(form.perpetrators[0])
    second = form.perpetrators[0]
    assert second.nhs_number.accessibleName() == "Perpetrator 1: NHS number"
    assert second.agency_id_cell.message.accessibleName() == (
        "Perpetrator 1: agency person ID: problem"
    )

    form.victim.gender.setFocus()
    qtbot.keyClick(form.victim.gender, Qt.Key.Key_Tab)
    assert form.victim.nhs_number.hasFocus()
    qtbot.keyClick(form.victim.nhs_number, Qt.Key.Key_Tab)
    assert form.victim.agency_id.hasFocus()
    qtbot.keyClick(form.victim.agency_id, Qt.Key.Key_Tab)  # no candidates yet: on to the address
    assert form.address.hasFocus()
