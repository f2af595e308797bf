"""Names as matching sees them: normalised, transliterated, and reduced to comparable keys.

People reach a MARAC under many spellings: diacritics dropped or kept (Nguyễn / Nguyen), other
scripts transliterated differently (محمد / Mohammed / Muhammad), nicknames (Katie / Kate),
typos. Every comparison goes through the same normal form so that the rules in `core.matching`
can be explained in terms a coordinator understands.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from itertools import groupby

import jellyfish
from anyascii import anyascii
from nicknames import NickNamer

# Names repeat a great deal across a store: caching the normal forms makes indexing cheap.
_CACHE = 1 << 16
_NON_LETTERS = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
_NO_VOWELS = str.maketrans("", "", "aeiouy")
_REPEATS = re.compile(r"(.)\1+")
# Particles that come and go between records ("bin", "van der", "al-").
_PARTICLES = frozenset({"al", "el", "bin", "bint", "ibn", "van", "der", "den", "de", "la", "le"})
# Consonants that transliterations swap freely (q/k, ph/f, z/s…) collapse into one class for the
# consonant skeleton; Arabic and Persian names written without vowels still meet their forms.
_SKELETON_MAP = str.maketrans(
    {"q": "k", "c": "k", "z": "s", "v": "f", "w": "f", "j": "g", "x": "k"}
)


@lru_cache(maxsize=_CACHE)
def normalise(text: str) -> str:
    """Lower-case ASCII letters and single spaces: 'Nguyễn  Thị' → 'nguyen thi'.

    Characters from other scripts are transliterated (anyascii), apostrophes dropped
    (O'Brien → obrien), hyphens become spaces (Smith-Jones → smith jones).
    """
    if not text:
        return ""
    if text.isascii():  # NFKC and transliteration leave ASCII as it is
        if text.isalpha():  # most names: nothing to drop or space out
            return text.lower()
        text = text.lower()
    else:
        text = anyascii(unicodedata.normalize("NFKC", text)).lower()
    text = text.replace("'", "").replace("`", "").replace("-", " ")
    text = _NON_LETTERS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=_CACHE)
def compact(text: str) -> str:
    """A normalised name without spaces: 'Van der Berg' and 'Vanderberg' → 'vanderberg'."""
    return normalise(text).replace(" ", "")


@lru_cache(maxsize=_CACHE)
def without_particles(text: str) -> str:
    """A compact name without particles that come and go between records: 'Al-Hassan' →
    'hassan'. A name that is only particles is kept ('El' → 'el')."""
    name = normalise(text)
    if " " not in name:  # one word is kept whether a particle or not
        return name
    words = name.split()
    return "".join([w for w in words if w not in _PARTICLES] or words)


@lru_cache(maxsize=_CACHE)
def skeleton(text: str) -> str:
    """Consonant skeleton of a compact name: 'muhammad' and 'mohamed' and 'mhmd' → 'mhmd'."""
    name = compact(text)
    if not name:
        return ""
    # str.translate rather than regular expressions: a fresh name costs half as much.
    return squeeze((name[0] + name[1:].translate(_NO_VOWELS)).translate(_SKELETON_MAP))


def squeeze(text: str) -> str:
    """Every run of one character written once: 'anna' → 'ana', 'mhmmd' → 'mhmd'."""
    if _REPEATS.search(text) is None:  # most names: no substitution to make
        return text
    return "".join([char for char, _ in groupby(text)])


@lru_cache(maxsize=_CACHE)
def metaphone(text: str) -> str:
    """The metaphone of a compact name ("" for none): blocking keys need only this one."""
    name = compact(text)
    return jellyfish.metaphone(name) if name else ""


@lru_cache(maxsize=_CACHE)
def phonetic_keys(text: str) -> frozenset[str]:
    """Sound-alike keys (metaphone and NYSIIS) of a compact name."""
    name = compact(text)
    if not name:
        return frozenset()
    return frozenset({"m:" + metaphone(text), "n:" + jellyfish.nysiis(name)})


@cache
def _nicknamer() -> NickNamer:
    return NickNamer()


@cache
def _nicknames() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """The nickname tables, read once: name → its nicknames, nickname → the names it is short
    for. A dictionary look-up of a name the tables do not know (most surnames) is quicker
    than the library's, which raises and catches an exception."""
    namer = _nicknamer()
    return (
        {name: frozenset(names) for name, names in namer.nickname_lookup.items()},
        {name: frozenset(names) for name, names in namer.canonical_lookup.items()},
    )


@cache
def _variant_groups() -> dict[str, frozenset[str]]:
    """Spelling and transliteration groups we ship (Mohammed/Muhammad…), name → its group."""
    source = resources.files("marac_desk.resources").joinpath("matching/name_variants.json")
    groups: list[list[str]] = json.loads(source.read_text(encoding="utf-8"))["groups"]
    index: dict[str, frozenset[str]] = {}
    for group in groups:
        members = frozenset(compact(name) for name in group)
        for member in members:
            index[member] = index.get(member, frozenset()) | members
    return index


@cache
def name_family(text: str) -> frozenset[str]:
    """A given name with its known variants: nicknames (English) and spellings (shipped)."""
    name = compact(text)
    if not name:
        return frozenset()
    family = set(_canonicals(text)) | _nicknames()[0].get(name, frozenset())
    family |= _variant_groups().get(name, frozenset())
    return frozenset(family)


@lru_cache(maxsize=_CACHE)
def are_variants(a: str, b: str) -> bool:
    """Known variants of one given name (Katie/Kate, Mohammed/Muhammad, Bill/William)."""
    fa, fb = name_family(a), name_family(b)
    if not fa or not fb:
        return False
    if fa & fb and (compact(a) in fb or compact(b) in fa):
        return True
    # Two nicknames of one full name (Katie and Kate, both of Kathryn).
    return bool(_canonicals(a) & _canonicals(b))


@lru_cache(maxsize=_CACHE)
def _canonicals(text: str) -> frozenset[str]:
    """The name (compact) with the full names it is a nickname of."""
    name = compact(text)  # lower case, no spaces: as the nickname tables hold names
    short_for = _nicknames()[1].get(name)
    return short_for | {name} if short_for else frozenset((name,))


def initials(text: str) -> str:
    return "".join(word[0] for word in normalise(text).split())


def nickname_roots(text: str) -> frozenset[str]:
    """The name (compact) with the full names it is a nickname of: 'Katie' → katie, kathryn…"""
    return _canonicals(text)
