"""The referral list's text search: every word typed starts one of the referral's words (names
as written, the linked victim's names and aliases, perpetrators, case and external references),
ignoring case and accents; kept in step on every path that writes referrals or names."""

from __future__ import annotations

from datetime import date

from marac_desk.services import people, referrals
from marac_desk.services.referrals import PerpetratorInput, PersonInput, ReferralFilter
from marac_desk.services.session import OpenStore
from tests.services.meeting_support import make_panel, refer


def found(opened: OpenStore, text: str) -> list[str]:
    rows = referrals.list_referrals(opened.store, ReferralFilter(text=text))
    assert referrals.count_referrals(opened.store, ReferralFilter(text=text)) == len(rows)
    return sorted(r.case_ref for r in rows)


def test_words_are_prefixes_of_names_and_references(open_store: OpenStore) -> None:
    make_panel(open_store)
    zoe = refer(open_store, date(2026, 11, 2), "Zoë", "Smith-Jones")
    john = refer(open_store, date(2026, 11, 3), "John", "Smith")
    assert found(open_store, "smi") == sorted([zoe.case_ref, john.case_ref])
    assert found(open_store, "zoe jon") == [zoe.case_ref]  # accents and hyphenated parts
    assert found(open_store, "John Smith") == [john.case_ref]
    assert found(open_store, "karl") == sorted([zoe.case_ref, john.case_ref])  # perpetrators
    stem = john.case_ref.rsplit("-", 1)[0]
    assert found(open_store, stem) == sorted([zoe.case_ref, john.case_ref])
    assert found(open_store, john.case_ref) == [john.case_ref]
    assert found(open_store, "%") == [] and found(open_store, "mith") == []


def test_a_merge_and_its_undoing_move_the_names_searched(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    make_panel(open_store)
    first = refer(open_store, date(2026, 11, 2), "Aisha", "Rahman")
    other = referrals.create_referral(
        s,
        a,
        referrals.ReferralInput(
            referral_date=date(2026, 11, 5),
            referring_agency="Police",
            panel="Northtown MARAC",
            victim=PersonInput("Ayesha", "Begum", date(1990, 4, 12)),
            perpetrators=(PerpetratorInput("Lee", "Dunn", date(1985, 1, 1)),),
            crit_visible_high_risk=True,
            risk_score=15,
        ),
        today=date(2027, 3, 1),
    )
    assert found(open_store, "begum") == [other.case_ref]
    merge_id = people.merge_people(s, a, first.victim_id, other.victim_id)
    # The kept person now carries the other name as an alias: both referrals answer to it.
    assert found(open_store, "begum") == sorted([first.case_ref, other.case_ref])
    people.unmerge(s, a, merge_id)
    assert found(open_store, "begum") == [other.case_ref]


def test_relinking_a_victim_changes_what_finds_the_referral(open_store: OpenStore) -> None:
    s, a = open_store.store, open_store.actor
    make_panel(open_store)
    one = refer(open_store, date(2026, 11, 2), "Nadia", "Khan")
    two = refer(open_store, date(2026, 11, 3), "Nadia", "Kahn")
    referrals.relink_person(s, a, two.id, role="victim", person_id=one.victim_id)
    assert found(open_store, "khan") == sorted([one.case_ref, two.case_ref])


def test_imported_referrals_are_searchable(open_store: OpenStore, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from marac_desk.services import imports

    make_panel(open_store)
    earlier = refer(open_store, date(2026, 10, 1), "Maria", "Kowalska")
    path = tmp_path / "tracker.csv"
    path.write_text(
        "referral_date,referring_agency,victim_first_name,victim_last_name,victim_dob,"
        "perpetrator_first_name,perpetrator_last_name,external_ref\n"
        "2026-11-04,Police,Łucja,Wiśniewska,1992-05-06,Tomasz,Nowak,CAD-7781/26\n",
        encoding="utf-8",
    )
    result = imports.import_referrals(
        open_store.store, open_store.actor, path, today=date(2027, 3, 1)
    )
    assert result.imported == 1
    (new,) = found(open_store, "lucja wis")
    assert found(open_store, "nowak") == [new]
    assert found(open_store, "cad-7781") == [new]
    assert found(open_store, "kowal") == [earlier.case_ref]


def test_upgrading_a_schema_5_store_indexes_its_referrals(
    open_store: OpenStore, store_path
) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.config import Config
    from conftest import PASSPHRASE

    from marac_desk.db import migrate
    from marac_desk.db.store import Store

    make_panel(open_store)
    saved = refer(open_store, date(2026, 11, 2), "Grace", "Okafor")
    store = open_store.store
    cfg = Config()
    cfg.set_main_option("script_location", str(migrate._MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005_live_meeting")
    store.close()
    reopened = Store.unlock(store_path, PASSPHRASE)
    try:
        rows = referrals.list_referrals(reopened, ReferralFilter(text="okaf"))
        assert [r.case_ref for r in rows] == [saved.case_ref]
    finally:
        reopened.close()
