"""The bulk import decides exactly as intake one referral at a time would.

A store with demo data gets a file made from its own referrals with the usual damage of years of
spreadsheets (earlier and later dates, typos, swapped names, missing and slipped dates of birth,
the same people again within the file). The file is imported (services.intake_batch) into one
store and the same inputs, in the same order, go through `referrals.create_in_session` into a
twin store: people, links, aliases, keys, repeat flags, reviews and audit events must agree.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSPHRASE
from sqlalchemy import select

from marac_desk.core import import_rules as ir
from marac_desk.db.models import (
    AuditEvent,
    MatchReview,
    Person,
    PersonAlias,
    PersonDob,
    PersonIdentifier,
    PersonKey,
    Referral,
    ReferralChild,
    ReferralPerpetrator,
)
from marac_desk.db.referral_search import search_table
from marac_desk.services import audit, imports, intake_batch, people, referrals, settings
from marac_desk.services.demo import generate_demo_data
from marac_desk.services.paths import AppPaths
from marac_desk.services.session import OpenStore, create_store

TODAY = date(2026, 11, 20)


def _store(path: Path, paths: AppPaths, demo: int) -> OpenStore:
    opened = create_store(
        path, PASSPHRASE, PASSPHRASE, partnership="Twin", user_name="Sam", paths=paths
    )
    if demo:
        generate_demo_data(opened, referrals=demo, seed=5, today=date(2026, 6, 30))
    return opened


@pytest.fixture
def twins(tmp_path: Path, app_paths: AppPaths, request: Any) -> Iterator[tuple[OpenStore, ...]]:
    demo = getattr(request, "param", 120)
    a = _store(tmp_path / "a.store", app_paths, demo)
    b = _store(tmp_path / "b.store", app_paths, demo)
    yield a, b
    a.store.close()
    b.store.close()


def _typo(name: str, rng: random.Random) -> str:
    if len(name) < 4:
        return name + "e"
    i = rng.randrange(1, len(name) - 1)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def _nhs_number(seed: str) -> str:
    """A valid NHS number (mod-11 check digit) standing for one person of the source store."""
    n = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    while True:
        digits = [1 + n % 8] + [(n // 10**k) % 10 for k in range(1, 9)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check != 10:
            return "".join(map(str, digits)) + str(check % 11)
        n += 1


def _messy_file(source: OpenStore, path: Path, seed: int) -> Path:
    """Rows made from the store's own referrals, changed as old trackers change them."""
    exported = path.with_name("exported.csv")
    imports.export_referrals(source.store, source.actor, exported)
    with exported.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rng = random.Random(seed)
    out: list[dict[str, str]] = []
    for n, exported_row in enumerate(rows):
        row = {k: v for k, v in exported_row.items() if k not in ir.EXPORT_COLUMNS}
        row["external_ref"] = row["heard_on"] = ""
        if n % 3 == 0:  # identifiers as some agencies give them, then the rows change around them
            row["victim_nhs_number"] = _nhs_number(row["victim_first_name"] + row["victim_dob"])
            row["perpetrator_agency_person_id"] = "P" + row["perpetrator_last_name"][:3].upper()
        day = date.fromisoformat(row["referral_date"])
        kind = n % 7
        if kind == 0:  # the same referral, entered again a little earlier: repeats change
            row["referral_date"] = (day - timedelta(days=rng.randint(3, 40))).isoformat()
        elif kind == 1:  # a typo in the victim's surname, later on
            row["victim_last_name"] = _typo(row["victim_last_name"], rng)
            row["referral_date"] = min(day + timedelta(days=90), TODAY).isoformat()
        elif kind == 2:  # names swapped, DOB day and month swapped
            row["victim_first_name"], row["victim_last_name"] = (
                row["victim_last_name"],
                row["victim_first_name"],
            )
            if row["victim_dob"]:
                dob = date.fromisoformat(row["victim_dob"])
                if dob.day <= 12:
                    row["victim_dob"] = date(dob.year, dob.day, dob.month).isoformat()
            row["referral_date"] = min(day + timedelta(days=30), TODAY).isoformat()
        elif kind == 3:  # no DOB for anyone
            row["victim_dob"] = row["perpetrator_dob"] = ""
            row["referral_date"] = min(day + timedelta(days=200), TODAY).isoformat()
        elif kind == 4:  # a new person, then the same person again within the file
            row["victim_first_name"] = _typo(row["victim_first_name"], rng) + "a"
            row["victim_last_name"] = row["victim_last_name"] + "son"
            again = dict(row)
            again["referral_date"] = min(day + timedelta(days=150), TODAY).isoformat()
            if n % 2:
                again["victim_first_name"] = _typo(again["victim_first_name"], rng)
            out.append(again)
        elif kind == 5:  # a later referral, same people, nicknames and all
            row["referral_date"] = min(day + timedelta(days=rng.randint(100, 500)), TODAY)
            row["referral_date"] = row["referral_date"].isoformat()
        elif n % 2:  # unchanged but for the date (a near-duplicate of what is in the store)
            row["referral_date"] = (day + timedelta(days=1)).isoformat()
        else:  # someone nobody has seen
            letters = "bcdfghjklmnpqrstvwxz"
            row["victim_first_name"] = "".join(rng.choice(letters) for _ in range(6)).title()
            row["victim_last_name"] = "".join(rng.choice(letters) for _ in range(8)).title()
            row["victim_postcode"] = ""
        out.append(row)
    rng.shuffle(out)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(out[0]))
        writer.writeheader()
        writer.writerows(out)
    return path


def _inputs(opened: OpenStore, path: Path) -> list[referrals.ReferralInput]:
    """The referrals an import of `path` creates, in the order it creates them."""
    table = imports.read_table(path)
    header = ir.read_header(table.header, table.header_line, None)
    with opened.store.read() as session:
        values = settings.get_all_in_session(session)
        agencies = ir.agency_lookup(list(session.scalars(select(imports.Agency.name))))
    checked = imports._check(table, header, agencies, referrals.thresholds(values), TODAY)
    ordered = sorted(checked.valid, key=lambda p: (p[0].referral_date or date.min, p[0].line))
    return [inp for _row, inp in ordered]


def _sequentially(opened: OpenStore, inputs: list[referrals.ReferralInput]) -> None:
    """What the importer did before the batch: create_in_session, one referral at a time."""
    with opened.store.write() as session:
        values = settings.get_all_in_session(session)
        cache = referrals.IntakeCache()
        for inp in inputs:
            referrals.create_in_session(
                session,
                opened.actor,
                inp,
                values=values,
                auto_link=True,
                source="import",
                cache=cache,
            )


def _state(opened: OpenStore) -> dict[str, Any]:
    with opened.store.read() as s:
        keys: dict[int, set[str]] = {}
        for pid, key in s.execute(select(PersonKey.person_id, PersonKey.key)):
            keys.setdefault(pid, set()).add(key)
        tokens: dict[int, set[str]] = {}
        for rid, token in s.execute(select(search_table.c.referral_id, search_table.c.token)):
            tokens.setdefault(rid, set()).add(token)
        return {
            "people": [
                (p.id, p.first_name, p.last_name, p.dob, p.gender, p.merged_into_id)
                for p in s.scalars(select(Person).order_by(Person.id))
            ],
            "aliases": [
                (a.id, a.person_id, a.first_name, a.last_name, a.kind, a.referral_id)
                for a in s.scalars(select(PersonAlias).order_by(PersonAlias.id))
            ],
            "dobs": [
                (d.id, d.person_id, d.dob, d.referral_id)
                for d in s.scalars(select(PersonDob).order_by(PersonDob.id))
            ],
            "identifiers": [
                (i.id, i.person_id, i.identifier, i.referral_id)
                for i in s.scalars(select(PersonIdentifier).order_by(PersonIdentifier.id))
            ],
            "keys": keys,
            "search_tokens": tokens,
            "referrals": [
                (
                    r.id,
                    r.case_ref,
                    r.referral_date,
                    r.victim_id,
                    r.match_status,
                    r.is_repeat,
                    r.previous_referral_id,
                    r.new_perpetrator_flag,
                    r.status,
                    r.victim_first_name,
                    r.victim_last_name,
                    r.victim_dob,
                    r.victim_identifiers,
                    r.postcode,
                    r.victim_gender,
                    r.victim_lgbt,
                    r.children_status,
                    r.import_fingerprint,
                    r.risk_score,
                    r.crit_repeat,
                )
                for r in s.scalars(select(Referral).order_by(Referral.id))
            ],
            "perpetrators": [
                (
                    p.id,
                    p.referral_id,
                    p.person_id,
                    p.first_name,
                    p.last_name,
                    p.dob,
                    p.gender,
                    p.identifiers,
                )
                for p in s.scalars(select(ReferralPerpetrator).order_by(ReferralPerpetrator.id))
            ],
            "children": [
                (c.id, c.referral_id, c.first_name)
                for c in s.scalars(select(ReferralChild).order_by(ReferralChild.id))
            ],
            "reviews": [
                (r.id, r.person_a_id, r.person_b_id, r.weight, r.score, r.reasons, r.source)
                for r in s.scalars(select(MatchReview).order_by(MatchReview.id))
            ],
            # (The file was made by exporting the first store: that event is left out.)
            "events": [
                (e.action, e.entity, e.entity_id, e.description)
                for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))
                if e.action != "export"
            ],
        }


@pytest.mark.parametrize("scan", [True, False], ids=["dob-scan", "dob-by-id"])
@pytest.mark.parametrize("twins", [120, 0], ids=["demo-store", "empty-store"], indirect=True)
def test_import_decides_as_intake_one_at_a_time(
    twins: tuple[OpenStore, OpenStore],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    app_paths: AppPaths,
    scan: bool,
) -> None:
    monkeypatch.setattr(intake_batch, "DOB_SCAN_SHARE", 0 if scan else 10**9)
    _same_as_one_at_a_time(twins, tmp_path, app_paths)


@pytest.mark.parametrize("scan", [True, False], ids=["dob-scan", "dob-by-id"])
def test_a_full_shortlist_keeps_the_same_people(
    twins: tuple[OpenStore, OpenStore],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    app_paths: AppPaths,
    scan: bool,
) -> None:
    """With a shortlist of 3 most are cut short: ties in shared keys go to the lowest id."""
    monkeypatch.setattr(intake_batch, "DOB_SCAN_SHARE", 0 if scan else 10**9)
    monkeypatch.setattr(people, "SHORTLIST", 3)
    monkeypatch.setattr(people._shortlist, "__defaults__", (3,))
    _same_as_one_at_a_time(twins, tmp_path, app_paths)


def _same_as_one_at_a_time(
    twins: tuple[OpenStore, OpenStore], tmp_path: Path, app_paths: AppPaths
) -> None:
    batch_store, one_by_one = twins
    source = batch_store
    if not referrals.count_referrals(batch_store.store):
        # An empty pair of stores: take the rows from a third store with demo data.
        source = _store(tmp_path / "source.store", app_paths, 120)
    path = _messy_file(source, tmp_path / "messy.csv", seed=11)
    if source is not batch_store:
        source.store.close()
    inputs = _inputs(batch_store, path)
    assert len(inputs) > 120

    result = imports.import_referrals(
        batch_store.store, batch_store.actor, path, today=TODAY, skip_invalid=True
    )
    _sequentially(one_by_one, inputs)

    assert result.imported == len(inputs)
    batch, sequential = _state(batch_store), _state(one_by_one)
    *events, summary = batch.pop("events")
    assert summary[0] == "import"
    assert events == sequential.pop("events")
    for part, rows in sequential.items():
        assert batch[part] == rows, part
    assert audit.verify(batch_store.store).ok
    # The file exercised what it is meant to: links, reviews, repeats and recomputed flags.
    statuses = {r[4] for r in batch["referrals"][-len(inputs) :]}
    assert statuses == {"linked", "review", "new"}
    assert batch["reviews"] and batch["aliases"] and batch["identifiers"]
    assert any(i[3] is not None for i in batch["identifiers"])
    assert any(r[5] for r in batch["referrals"][-len(inputs) :])
    if referrals.count_referrals(one_by_one.store) > len(inputs):
        assert any(e[0] == "update" for e in events)


def test_a_batch_only_takes_the_inputs_it_was_prepared_with(open_store: OpenStore) -> None:
    inp = referrals.ReferralInput(
        referral_date=date(2024, 3, 1),
        referring_agency="Police",
        victim=referrals.PersonInput("Amira", "Haddad", date(1994, 5, 1)),
    )
    other = replace(inp, victim=referrals.PersonInput("Joanne", "Pickering"))
    with open_store.store.write() as session:
        values = settings.get_all_in_session(session)
        batch = intake_batch.IntakeBatch(
            session, open_store.actor, values=values, auto_link=True, source="import"
        )
        with pytest.raises(RuntimeError, match="prepare"):
            batch.create(inp)
        batch.prepare([inp])
        assert batch.create(inp).match_status == "new"
        with pytest.raises(RuntimeError, match="not among"):
            batch.create(other)
        named = replace(inp, victim=replace(inp.victim, person_id=1))
        with pytest.raises(ValueError, match="person_id"):
            batch.prepare([named])
        session.rollback()
    assert referrals.count_referrals(open_store.store) == 0
