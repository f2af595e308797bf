"""Right-to-left text (Arabic, Persian, Urdu, Hebrew) made printable by reportlab.

reportlab draws characters left to right exactly as stored and does not join Arabic letters
(its own support needs optional native libraries). A name such as "فاطمة الزهراء" would print
reversed and in isolated letter forms, unreadable to anyone who reads Arabic. `visual` returns
the text as it must be drawn: each run of right-to-left words in right-to-left order and Arabic
letters in their joined (initial / medial / final / isolated) presentation forms, which the
shipped DejaVu Sans has. Left-to-right text passes through untouched (and quickly).

This is a deliberately small part of the Unicode bidirectional algorithm, enough for names and
short notes inside an English document: a run is a sequence of right-to-left words with only
spaces (or Arabic punctuation) between them; digits and Latin text end a run and keep their
order. Text extracted from such a PDF comes out in drawing order and in presentation forms:
`unicodedata.normalize("NFKC", ...)` of it, reversed, gives the stored text back.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic letter -> (isolated, final, initial, medial); two forms for letters that join only to
# the letter before them (they never join to the next one).
_FORMS: dict[str, tuple[str, ...]] = {
    "\u0621": ("\ufe80",),
    "\u0622": ("\ufe81", "\ufe82"),
    "\u0623": ("\ufe83", "\ufe84"),
    "\u0624": ("\ufe85", "\ufe86"),
    "\u0625": ("\ufe87", "\ufe88"),
    "\u0626": ("\ufe89", "\ufe8a", "\ufe8b", "\ufe8c"),
    "\u0627": ("\ufe8d", "\ufe8e"),
    "\u0628": ("\ufe8f", "\ufe90", "\ufe91", "\ufe92"),
    "\u0629": ("\ufe93", "\ufe94"),
    "\u062a": ("\ufe95", "\ufe96", "\ufe97", "\ufe98"),
    "\u062b": ("\ufe99", "\ufe9a", "\ufe9b", "\ufe9c"),
    "\u062c": ("\ufe9d", "\ufe9e", "\ufe9f", "\ufea0"),
    "\u062d": ("\ufea1", "\ufea2", "\ufea3", "\ufea4"),
    "\u062e": ("\ufea5", "\ufea6", "\ufea7", "\ufea8"),
    "\u062f": ("\ufea9", "\ufeaa"),
    "\u0630": ("\ufeab", "\ufeac"),
    "\u0631": ("\ufead", "\ufeae"),
    "\u0632": ("\ufeaf", "\ufeb0"),
    "\u0633": ("\ufeb1", "\ufeb2", "\ufeb3", "\ufeb4"),
    "\u0634": ("\ufeb5", "\ufeb6", "\ufeb7", "\ufeb8"),
    "\u0635": ("\ufeb9", "\ufeba", "\ufebb", "\ufebc"),
    "\u0636": ("\ufebd", "\ufebe", "\ufebf", "\ufec0"),
    "\u0637": ("\ufec1", "\ufec2", "\ufec3", "\ufec4"),
    "\u0638": ("\ufec5", "\ufec6", "\ufec7", "\ufec8"),
    "\u0639": ("\ufec9", "\ufeca", "\ufecb", "\ufecc"),
    "\u063a": ("\ufecd", "\ufece", "\ufecf", "\ufed0"),
    "\u0641": ("\ufed1", "\ufed2", "\ufed3", "\ufed4"),
    "\u0642": ("\ufed5", "\ufed6", "\ufed7", "\ufed8"),
    "\u0643": ("\ufed9", "\ufeda", "\ufedb", "\ufedc"),
    "\u0644": ("\ufedd", "\ufede", "\ufedf", "\ufee0"),
    "\u0645": ("\ufee1", "\ufee2", "\ufee3", "\ufee4"),
    "\u0646": ("\ufee5", "\ufee6", "\ufee7", "\ufee8"),
    "\u0647": ("\ufee9", "\ufeea", "\ufeeb", "\ufeec"),
    "\u0648": ("\ufeed", "\ufeee"),
    "\u0649": ("\ufeef", "\ufef0"),
    "\u064a": ("\ufef1", "\ufef2", "\ufef3", "\ufef4"),
    # Persian and Urdu letters (Presentation Forms-A)
    "\u067e": ("\ufb56", "\ufb57", "\ufb58", "\ufb59"),
    "\u0686": ("\ufb7a", "\ufb7b", "\ufb7c", "\ufb7d"),
    "\u0698": ("\ufb8a", "\ufb8b"),
    "\u06a9": ("\ufb8e", "\ufb8f", "\ufb90", "\ufb91"),
    "\u06af": ("\ufb92", "\ufb93", "\ufb94", "\ufb95"),
    "\u06cc": ("\ufbfc", "\ufbfd", "\ufbfe", "\ufbff"),
}
# lam + alef (with or without hamza / madda) -> (isolated, final) ligature
_LAM = "\u0644"
_LAM_ALEF: dict[str, tuple[str, str]] = {
    "\u0622": ("\ufef5", "\ufef6"),
    "\u0623": ("\ufef7", "\ufef8"),
    "\u0625": ("\ufef9", "\ufefa"),
    "\u0627": ("\ufefb", "\ufefc"),
}
_TATWEEL = "\u0640"  # joins on both sides, has no forms of its own

_RTL_CHAR = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
# A run: right-to-left words (marks included) separated by spaces or Arabic punctuation.
_RTL_WORD = "[\u0590-\u05ff\u0600-\u065f\u066a-\u06ef\u06fa-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]+"
_RUN = re.compile(f"{_RTL_WORD}(?:[ \u00a0]+{_RTL_WORD})*")


def _is_mark(char: str) -> bool:
    return unicodedata.category(char) == "Mn"


def _joins_next(char: str | None) -> bool:
    """Can `char` connect to the letter after it (in reading order)?"""
    if char is None:
        return False
    if char == _TATWEEL:
        return True
    forms = _FORMS.get(char)
    return forms is not None and len(forms) == 4


def _joins_previous(char: str | None) -> bool:
    return char == _TATWEEL or (char is not None and len(_FORMS.get(char, ())) >= 2)


def _shape_word(word: str) -> list[str]:
    """The word's clusters (a letter with its marks), shaped, in reading order."""
    clusters: list[list[str]] = []
    for char in word:
        if clusters and _is_mark(char):
            clusters[-1].append(char)
        else:
            clusters.append([char])
    bases = [cluster[0] for cluster in clusters]
    shaped: list[str] = []
    i = 0
    while i < len(clusters):
        base = bases[i]
        before = bases[i - 1] if i > 0 else None
        joined_before = _joins_next(before) and _joins_previous(base)
        after = bases[i + 1] if i + 1 < len(bases) else None
        if base == _LAM and after in _LAM_ALEF:
            ligature = _LAM_ALEF[after][1 if joined_before else 0]
            shaped.append(ligature + "".join(clusters[i][1:] + clusters[i + 1][1:]))
            i += 2
            continue
        forms = _FORMS.get(base)
        if forms is None:
            shaped.append("".join(clusters[i]))
            i += 1
            continue
        joined_after = len(forms) == 4 and _joins_previous(after)
        if len(forms) == 1:
            form = forms[0]
        elif joined_before and joined_after:
            form = forms[3]
        elif joined_after:
            form = forms[2]
        elif joined_before:
            form = forms[1]
        else:
            form = forms[0]
        shaped.append(form + "".join(clusters[i][1:]))
        i += 1
    return shaped


def _visual_run(run: str) -> str:
    words = re.split("([ \u00a0]+)", run)
    out = []
    for piece in reversed(words):
        if not piece or piece.isspace():
            out.append(piece)
            continue
        out.append("".join(reversed(_shape_word(piece))))
    return "".join(out)


def visual(text: str) -> str:
    """`text` as reportlab must draw it (see the module docstring); unchanged without RTL."""
    if not _RTL_CHAR.search(text):
        return text
    return "\n".join(_RUN.sub(lambda m: _visual_run(m.group(0)), line) for line in text.split("\n"))
