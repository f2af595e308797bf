"""The referral list's search index (`referral_search`): word tokens per referral, kept in step
with referrals and with the names of the people they are linked to.

What the search box finds: a referral matches when every word typed is the start of one of its
tokens. Tokens are lower-cased and accent-folded ("Zoë" → "zoe"), one per word of:

- the victim's first and last names as the referral wrote them;
- the linked victim's current names and aliases (so a referral is found under any name the
  person is known by);
- each perpetrator's first and last names as the referral wrote them;
- the case reference and the external reference, whole and from each part after a hyphen or
  slash ("NM-2026-0012", "2026-0012", "0012").

A hyphenated or apostrophised word also gives its parts ("Smith-Jones" → "smith-jones",
"smith", "jones"). Lookups are portable prefix ranges (`token >= :t AND token < :t_next`) on
the index `(token, referral_id)`.

Written against Core table definitions (not the ORM models) so the schema-6 migration builds
the tokens of existing referrals with the same code the services use afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from anyascii import anyascii
from sqlalchemy.engine import Connection

from marac_desk.db.bulk import insert_rows

TOKEN_LENGTH = 120

_referrals = sa.table(
    "referrals",
    sa.column("id", sa.Integer),
    sa.column("case_ref", sa.String),
    sa.column("external_ref", sa.String),
    sa.column("victim_id", sa.Integer),
    sa.column("victim_first_name", sa.String),
    sa.column("victim_last_name", sa.String),
)
_perpetrators = sa.table(
    "referral_perpetrators",
    sa.column("referral_id", sa.Integer),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
)
_people = sa.table(
    "people",
    sa.column("id", sa.Integer),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
)
_aliases = sa.table(
    "person_aliases",
    sa.column("person_id", sa.Integer),
    sa.column("first_name", sa.String),
    sa.column("last_name", sa.String),
)
search_table = sa.Table(
    "referral_search",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("referral_id", sa.Integer),
    sa.Column("token", sa.String(TOKEN_LENGTH)),
)

_CHUNK = 900  # under SQLite's bound-parameter limit
_NAME_PARTS = re.compile(r"[-'’‘.]")
_REF_PARTS = "-/"


def fold(text: str) -> str:
    """Lower-cased and in plain Latin letters (anyascii): accents dropped, and letters that
    have no accent to drop too — "Łucja" is found by "lucja", "Øyvind" by "oyvind" — and
    other scripts transliterated the same way whichever script the search is typed in."""
    return anyascii(unicodedata.normalize("NFKC", text)).casefold()


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> frozenset[str]:
    """Tokens of one name field: each word, and the parts of a hyphenated word."""
    out: set[str] = set()
    for word in fold(name).split():
        out.add(word[:TOKEN_LENGTH])
        for part in _NAME_PARTS.split(word):
            if part and part != word:
                out.add(part[:TOKEN_LENGTH])
    return frozenset(out)


def ref_tokens(ref: str) -> set[str]:
    """Tokens of a reference: each word whole, and from every part after a hyphen or slash."""
    out: set[str] = set()
    for word in fold(ref).split():
        out.add(word[:TOKEN_LENGTH])
        for i, ch in enumerate(word[:-1]):
            if ch in _REF_PARTS and word[i + 1] not in _REF_PARTS:
                out.add(word[i + 1 :][:TOKEN_LENGTH])
    return out


def search_words(text: str) -> list[str]:
    """The words typed in the search box, folded the way tokens are (duplicates dropped)."""
    words: list[str] = []
    for whole in fold(text).split():
        word = whole[:TOKEN_LENGTH]
        if word not in words:
            words.append(word)
    return words


def prefix_bounds(word: str) -> tuple[str, str | None]:
    """`token >= low AND token < high` selects the tokens starting with `word` (SQLite compares
    text as UTF-8 bytes, which keeps code-point order); high is None when there is no bound."""
    last = ord(word[-1])
    if last >= 0x10FFFF:
        return word, None
    high = chr(last + 1)
    if 0xD800 <= last + 1 <= 0xDFFF:  # skip the surrogates, which cannot be stored
        high = chr(0xE000)
    return word, word[:-1] + high


class SearchRows:
    """Tokens for referrals from rows already at hand (bulk demo data): add people, aliases,
    referrals and perpetrators as they are inserted, then `rows()`."""

    def __init__(self) -> None:
        self.names: dict[int, list[str]] = defaultdict(list)  # person id → names and aliases
        self.referrals: dict[int, tuple[str, str, int | None, list[str]]] = {}

    def add_person_names(self, pid: int, first: str | None, last: str | None) -> None:
        self.names[pid].extend((first or "", last or ""))

    def add_referral(
        self,
        rid: int,
        *,
        case_ref: str | None,
        external_ref: str | None,
        victim_id: int | None,
        first: str | None,
        last: str | None,
    ) -> None:
        written = [first or "", last or ""]
        self.referrals[rid] = (case_ref or "", external_ref or "", victim_id, written)

    def add_perpetrator(self, rid: int, first: str | None, last: str | None) -> None:
        self.referrals[rid][3].extend((first or "", last or ""))

    def rows(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        names = self.names
        for rid, (case_ref, external_ref, victim_id, written) in self.referrals.items():
            person = names.get(victim_id, ()) if victim_id is not None else ()
            tokens = referral_tokens(case_ref, external_ref, (*written, *person))
            out.extend({"referral_id": rid, "token": token} for token in sorted(tokens))
        return out


def referral_tokens(case_ref: str, external_ref: str, names: Iterable[str]) -> set[str]:
    tokens = ref_tokens(case_ref) | ref_tokens(external_ref)
    for name in names:
        if name:
            tokens |= name_tokens(name)
    return tokens


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def refresh_referral_search(
    conn: Connection, referral_ids: Iterable[int], *, replace: bool = True
) -> int:
    """Recompute the tokens of these referrals from the store; returns how many rows.
    `replace=False` skips deleting their old tokens (there are none: a rebuild)."""
    ids = sorted(set(referral_ids))
    if not ids:
        return 0
    collected = SearchRows()
    victims: set[int] = set()
    for chunk in _chunks(ids):
        if replace:
            conn.execute(sa.delete(search_table).where(search_table.c.referral_id.in_(chunk)))
        for rid, case_ref, ext, vid, first, last in conn.execute(
            sa.select(
                _referrals.c.id,
                _referrals.c.case_ref,
                _referrals.c.external_ref,
                _referrals.c.victim_id,
                _referrals.c.victim_first_name,
                _referrals.c.victim_last_name,
            ).where(_referrals.c.id.in_(chunk))
        ):
            collected.add_referral(
                rid, case_ref=case_ref, external_ref=ext, victim_id=vid, first=first, last=last
            )
            if vid is not None:
                victims.add(vid)
        for rid, first, last in conn.execute(
            sa.select(
                _perpetrators.c.referral_id, _perpetrators.c.first_name, _perpetrators.c.last_name
            ).where(_perpetrators.c.referral_id.in_(chunk))
        ):
            collected.add_perpetrator(rid, first, last)
    people = sorted(victims)
    for chunk in _chunks(people):
        for pid, first, last in conn.execute(
            sa.select(_people.c.id, _people.c.first_name, _people.c.last_name).where(
                _people.c.id.in_(chunk)
            )
        ):
            collected.add_person_names(pid, first, last)
        for pid, first, last in conn.execute(
            sa.select(_aliases.c.person_id, _aliases.c.first_name, _aliases.c.last_name).where(
                _aliases.c.person_id.in_(chunk)
            )
        ):
            collected.add_person_names(pid, first, last)
    return insert_rows(conn, search_table, collected.rows())


def refresh_search_of_victims(
    conn: Connection, person_ids: Iterable[int], referral_ids: Iterable[int] = ()
) -> int:
    """Recompute the tokens of every referral whose victim is one of these people (after their
    names or aliases changed, or referrals moved to or from them), and of `referral_ids`."""
    ids = set(referral_ids)
    people = sorted({pid for pid in person_ids if pid is not None})
    for chunk in _chunks(people):
        ids.update(
            rid
            for (rid,) in conn.execute(
                sa.select(_referrals.c.id).where(_referrals.c.victim_id.in_(chunk))
            )
        )
    return refresh_referral_search(conn, ids)


def rebuild_all_referral_search(conn: Connection) -> int:
    """Recompute every referral's tokens; returns how many referrals were indexed."""
    conn.execute(sa.delete(search_table))
    ids = [rid for (rid,) in conn.execute(sa.select(_referrals.c.id).order_by(_referrals.c.id))]
    for start in range(0, len(ids), 5000):
        refresh_referral_search(conn, ids[start : start + 5000], replace=False)
    return len(ids)
