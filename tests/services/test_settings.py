"""Store-wide settings: their defaults, what is refused, and that every change is audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PASSPHRASE
from store_support import cache_key_derivation

from marac_desk.db.store import Store
from marac_desk.services import audit, settings
from marac_desk.services.session import OpenStore, create_store


@pytest.fixture(autouse=True)
def _fast_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache_key_derivation(monkeypatch)  # see store_support: these tests are not about the KDF


@pytest.fixture
def bare(store_path: Path) -> Iterator[OpenStore]:
    """A store created without a partnership name: every setting at its default."""
    store_path.parent.mkdir(parents=True)
    opened = create_store(store_path, PASSPHRASE, PASSPHRASE, partnership="", user_name="Sam")
    yield opened
    opened.store.close()


def test_defaults_are_official_sensitive_and_a_ten_minute_lock(bare: OpenStore) -> None:
    assert settings.get_all(bare.store) == {
        "partnership_name": "",
        "protective_marking": "OFFICIAL-SENSITIVE",
        "auto_lock_minutes": 10,
        "repeat_window_months": 12,
        "repeat_same_perpetrator_required": True,
        "visible_high_risk_score": 14,
        "escalation_incidents": 3,
        "risk_review_weeks": 6,
        "confidentiality_statement": settings.CONFIDENTIALITY_STATEMENT,
        "action_due_days": 28,
        "action_list_identify": "case_ref",
        "adult_female_population": 0,
        "expected_band_repeat_rate_pct": "",
        "expected_band_cases_per_10k_women": "",
        "expected_band_lgbt_victims_pct": "",
        "expected_band_disabled_victims_pct": "",
        "expected_band_male_victims_pct": "",
    }


def test_a_change_is_kept_across_unlocks_and_audited_once(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    before = audit.count_events(store)
    result = settings.update(store, actor, {"auto_lock_minutes": 5})
    assert result["auto_lock_minutes"] == 5
    assert audit.count_events(store) == before + 1
    (event,) = audit.list_events(store, limit=1)
    assert (event.action, event.entity, event.entity_id, event.actor) == (
        "update",
        "setting",
        "auto_lock_minutes",
        actor.name,
    )
    path = store.path
    open_store.lock()
    with Store.unlock(path, PASSPHRASE) as again:
        assert settings.get(again, "auto_lock_minutes") == 5


def test_setting_the_same_value_again_records_nothing(open_store: OpenStore) -> None:
    store, actor = open_store.store, open_store.actor
    settings.update(store, actor, {"protective_marking": "OFFICIAL"})
    before = audit.count_events(store)
    settings.update(store, actor, {"protective_marking": "OFFICIAL"})
    assert audit.count_events(store) == before


def test_text_is_trimmed(open_store: OpenStore) -> None:
    result = settings.update(
        open_store.store, open_store.actor, {"protective_marking": "  SECRET "}
    )
    assert result["protective_marking"] == "SECRET"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"auto_lock_minutes": 0}, "between 1 and 240"),
        ({"auto_lock_minutes": 241}, "between 1 and 240"),
        ({"auto_lock_minutes": "10"}, "whole number"),
        ({"auto_lock_minutes": 2.5}, "whole number"),
        ({"auto_lock_minutes": True}, "whole number"),
        ({"protective_marking": "   "}, "cannot be empty"),
        ({"protective_marking": 3}, "must be text"),
        ({"partnership_name": "P" * 121}, "at most 120 characters"),
    ],
)
def test_invalid_values_are_refused_with_a_message_and_nothing_changes(
    open_store: OpenStore, changes: dict[str, object], message: str
) -> None:
    store = open_store.store
    before_values = settings.get_all(store)
    before_events = audit.count_events(store)
    with pytest.raises(ValueError, match=message):
        settings.update(store, open_store.actor, changes)
    assert settings.get_all(store) == before_values
    assert audit.count_events(store) == before_events


def test_one_bad_value_refuses_the_whole_change(open_store: OpenStore) -> None:
    store = open_store.store
    with pytest.raises(ValueError):
        settings.update(
            store, open_store.actor, {"protective_marking": "OFFICIAL", "auto_lock_minutes": 0}
        )
    assert settings.get(store, "protective_marking") == "OFFICIAL-SENSITIVE"


def test_an_unknown_setting_is_refused(open_store: OpenStore) -> None:
    with pytest.raises(KeyError):
        settings.update(open_store.store, open_store.actor, {"last_case_name": "x"})


def test_several_changes_are_one_unit_each_audited(open_store: OpenStore) -> None:
    store = open_store.store
    before = audit.count_events(store)
    settings.update(
        store, open_store.actor, {"protective_marking": "OFFICIAL", "auto_lock_minutes": 30}
    )
    events = audit.list_events(store, limit=2)
    assert audit.count_events(store) == before + 2
    assert {e.entity_id for e in events} == {"protective_marking", "auto_lock_minutes"}
    assert audit.verify(store).ok


def test_the_audit_event_names_the_setting_not_its_value(open_store: OpenStore) -> None:
    settings.update(open_store.store, open_store.actor, {"partnership_name": "Zephyrine Quixlowe"})
    (event,) = audit.list_events(open_store.store, limit=1)
    assert "Zephyrine" not in event.description
    assert "Zephyrine" not in event.entity_id
