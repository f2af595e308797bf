"""What people type prints as typed: markup-like text, names in many scripts, right-to-left."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from export_sample import GENERATED_AT, WORLD_NAMES, flat, pdf_pages, sample_meeting

from marac_desk.export.action_list import build_action_list
from marac_desk.export.agenda import build_agenda
from marac_desk.export.minutes import build_minutes
from marac_desk.export.model import Meeting, Person, SharedNote
from marac_desk.export.pdf import escape
from marac_desk.export.rtl import visual

HOSTILE = (
    "<b>not bold</b>",
    "Smith &amp; Jones",
    "<font size=40>BIG</font>",
    "a < b & c > d",
    "<para>",
    "</td>",
    "&#169; &lt;",
    '<img src="x"/>',
)


def _meeting_with(victims: tuple[Person, ...], note: str = "", action_text: str = "") -> Meeting:
    base = sample_meeting(len(victims))
    cases = []
    for case, victim in zip(base.agenda, victims, strict=True):
        actions = tuple(
            dataclasses.replace(a, text=action_text or a.text, owner_agency="Police")
            for a in case.actions
        )
        shared = (SharedNote("Police", note or "Nothing further."), *case.shared)
        cases.append(
            dataclasses.replace(
                case, victim=victim, shared=shared, actions=actions, victim_voice=note
            )
        )
    return dataclasses.replace(base, cases=tuple(cases))


def test_escape_makes_markup_literal_and_keeps_line_breaks() -> None:
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert escape("one\r\ntwo\rthree\nfour") == "one<br/>two<br/>three<br/>four"
    assert escape("bell\x07 and\x00 nul") == "bell and nul"


def _squash(text: str) -> str:
    """No whitespace at all: a narrow cell may wrap "size=40>BIG" inside the "word"."""
    return "".join(flat(text).split())


@pytest.mark.parametrize("text", HOSTILE)
def test_markup_like_text_prints_literally_everywhere(text: str) -> None:
    victim = Person(f"Ann {text}", "O'Hara")
    meeting = _meeting_with((victim,), note=f"Said {text} twice", action_text=f"Do {text} now")
    minutes = flat("\n".join(pdf_pages(build_minutes(meeting, generated_at=GENERATED_AT))))
    assert flat(f"Said {text} twice") in minutes
    assert flat(f"Do {text} now") in minutes
    agenda = _squash("\n".join(pdf_pages(build_agenda(meeting, generated_at=GENERATED_AT))))
    assert _squash(f"Ann {text} O'Hara") in agenda
    listing = build_action_list(meeting, "Police", generated_at=GENERATED_AT, identify="name_dob")
    assert _squash(f"Ann {text} O'Hara") in _squash("\n".join(pdf_pages(listing)))


def test_names_in_many_scripts_come_out_as_stored() -> None:
    # the sample defers its last case (no actions), so it gets a fifth victim
    meeting = _meeting_with((*WORLD_NAMES, Person("Deferred", "Case")))
    documents = {
        "agenda": build_agenda(meeting, generated_at=GENERATED_AT),
        "action list": build_action_list(
            meeting, "Police", generated_at=GENERATED_AT, identify="name_dob"
        ),
    }
    for label, data in documents.items():
        # line breaks from wrapping collapsed, characters untouched
        raw = " ".join(unicodedata.normalize("NFC", "\n".join(pdf_pages(data))).split())
        for person in WORLD_NAMES:
            stored = unicodedata.normalize("NFC", person.full_name)
            if person.first_name.isascii() or "LATIN" in unicodedata.name(stored[0]):
                # Polish, Vietnamese, Turkish: exactly these characters, nothing dropped
                assert stored in raw, (label, stored)
            else:
                # Arabic is drawn in joined presentation forms; read back, they are the
                # same letters in the same order
                assert stored in flat(raw), (label, stored)
                assert stored not in raw  # so the shaping really happened


def test_arabic_is_drawn_joined_and_right_to_left() -> None:
    # what reportlab is asked to draw: presentation forms, right-to-left order
    drawn = visual("Victim: فاطمة الزهراء (DOB 2 Apr 1990)")
    assert drawn.startswith("Victim: ") and drawn.endswith(" (DOB 2 Apr 1990)")
    run = drawn[len("Victim: ") : -len(" (DOB 2 Apr 1990)")]
    assert all("\ufe70" <= ch <= "\ufeff" or ch == " " for ch in run)
    assert unicodedata.normalize("NFKC", run)[::-1] == "فاطمة الزهراء"
    # joining: فاطمة = initial FEH, final ALEF, initial TAH, medial MEEM, final TEH MARBUTA
    assert run.split(" ")[1][::-1] == "\ufed3\ufe8e\ufec3\ufee4\ufe94"
    assert visual("سلام") == "\ufee1\ufefc\ufeb3"  # lam-alef ligature, final after seen
    assert visual("Plain Łukasz 123") == "Plain Łukasz 123"
    assert visual("שלום") == "םולש"
