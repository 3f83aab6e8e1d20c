"""Letters of epistolary fiction: whose "I" and whose "you" each letter's narration is.

Elsewhere a book's narration has one "I" (its narrator) and one "you" (its reader). An
epistolary novel changes both at every letter: in *Evelina* "LETTER I LADY HOWARD TO THE REV.
MR. VILLARS" is Lady Howard's "I" speaking to Mr. Villars's "you", and "LETTER II MR. VILLARS
TO LADY HOWARD" the other way round. A heading that names its writer and recipient (or only
its recipient: "Letter 1 St. Petersburgh, Dec. 11th -- To Mrs. Saville") opens a letter, which
runs to the next heading. Ingest's chapter headings (`ingest.structure`) are whole lines; these
are read from the text itself, since a tokenized corpus runs heading and letter together and
Dracula's "Letter, Mina Murray to Lucy Westenra" has no number.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from fabula.characters.mentions import Mention

_HEADING = re.compile(r"^[ \t]*(?:LETTER|Letter)\b(?:[ \t]+(?:[IVXLC]+|\d+)\b)?[.,]?", re.MULTILINE)
# "TO Mrs. Saville" may follow a place and a date; a lowercase "to" ("Letter, Mina Murray to
# Lucy Westenra") must stand between two names on a short heading line of its own.
_TO = re.compile(r"\b(?:TO|To)\s+")
_LOWER_TO = re.compile(r"\bto\s+")
_HEADING_REACH = 120
# The rest of a heading's line, then the next line that is not blank.
_HEADING_LINES = re.compile(r"([^\n]*)(?:\s*\n([^\n]*))?")
_HEADING_LINE = 100
# Room for a title before the recipient's name ("TO THE REV. MR. VILLARS").
_TITLE_REACH = 16


@dataclass(frozen=True, slots=True)
class Letter:
    """A letter's extent, and the mentions (indices) that name its writer and recipient."""

    start: int
    end: int
    writer: int | None
    recipient: int | None


def _heading_end(text: str, start: int) -> int:
    """Where a heading ends that may go on to the next line ("LETTER I." above "Ada to Tom."):
    short lines only, as headings are."""
    found = _HEADING_LINES.match(text, start)
    assert found is not None  # every part of the pattern may be empty
    own, following = found.group(1), found.group(2) or ""
    if len(own) > _HEADING_LINE:
        return start
    return found.end() if len(following) <= _HEADING_LINE else start + len(own)


def find_letters(text: str, mentions: Sequence[Mention]) -> list[Letter]:
    """The headed letters of `text`, in order; none in a book without letter headings."""
    headings = list(_HEADING.finditer(text))
    people = [(k, m) for k, m in enumerate(mentions) if m.names_a_person]
    letters = []
    for n, heading in enumerate(headings):
        end = headings[n + 1].start() if n + 1 < len(headings) else len(text)
        to = _TO.search(text, heading.end(), min(end, heading.end() + _HEADING_REACH))
        lower = to is None
        if lower:
            to = _LOWER_TO.search(text, heading.end(), min(end, _heading_end(text, heading.end())))
        if to is None:
            continue
        writers = [k for k, m in people if heading.end() <= m.start and m.end <= to.start()]
        recipient = next((k for k, m in people if to.end() <= m.start <= to.end() + _TITLE_REACH), None)
        if recipient is None or (lower and not writers):
            continue
        letters.append(Letter(heading.start(), end, writers[-1] if writers else None, recipient))
    return letters


def letter_of_each(text: str, mentions: Sequence[Mention]) -> list[Letter | None]:
    """For each mention, the letter it falls in, if any."""
    letters = find_letters(text, mentions)
    starts = [letter.start for letter in letters]
    found: list[Letter | None] = []
    for mention in mentions:
        k = bisect_right(starts, mention.start) - 1
        found.append(letters[k] if k >= 0 and mention.start < letters[k].end else None)
    return found
