"""Mentions: what coreference works on, and the closed-class facts about pronouns.

The coreference core (`fabula.characters.coref`) takes a list of `Mention` and nothing else, so
the same code is scored on LitBank's gold mentions and run on Fabula's own ones.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Literal

Kind = Literal["PROP", "NOM", "PRON"]

# person, number, gender ("he"/"she"/"it"/"they", or "" for first and second person).
_PRONOUN_FORMS: dict[tuple[int, str, str], tuple[str, ...]] = {
    (1, "sg", ""): ("i", "me", "my", "mine", "myself"),
    (1, "pl", ""): ("we", "us", "our", "ours", "ourselves"),
    (2, "", ""): (
        "you", "your", "yours", "yourself", "yourselves", "thou", "thee", "thy", "thine",
        "thyself", "ye", "yeh", "yer", "y/n",
    ),
    (3, "sg", "he"): ("he", "him", "his", "himself"),
    (3, "sg", "she"): ("she", "her", "hers", "herself"),
    (3, "sg", "it"): ("it", "its", "itself"),
    (3, "pl", "they"): ("they", "them", "their", "theirs", "themselves", "'em"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Pronoun:
    person: int
    number: str
    gender: str
    reflexive: bool
    possessive: bool


PRONOUNS: dict[str, Pronoun] = {
    form: Pronoun(
        person,
        number,
        gender,
        form.endswith(("self", "selves")),
        form in {"my", "mine", "our", "ours", "your", "yours", "thy", "thine", "his", "her", "hers",
                 "its", "their", "theirs", "yer"},
    )
    for (person, number, gender), forms in _PRONOUN_FORMS.items()
    for form in forms
}  # fmt: skip

# Whole-word pronouns plus the fan-fiction reader insert "Y/N" (also "y/n", "(Y/N)").
PRONOUN_RE = re.compile(
    r"(?<![\w/])(?:" + "|".join(sorted((re.escape(p) for p in PRONOUNS if p != "y/n"), key=len, reverse=True))
    + r"|[Yy]/[Nn])(?![\w/])",
    re.IGNORECASE,
)


def pronoun(text: str) -> Pronoun | None:
    """The pronoun `text` is, if it is one ("Y/N" counts as second person)."""
    return PRONOUNS.get(text.strip().lower().replace("’", "'"))


@dataclass(slots=True)
class Mention:
    """One mention: offsets into the text, and what is known about it before resolution.

    `label` is the entity type (PER, LOC, ...) when a tagger or annotation gives it; for pronouns
    it is left `None` so that gold-mention scoring does not leak annotated types. `quote` is the
    index of the quotation the mention sits in, or -1 outside quotes.
    """

    start: int
    end: int
    text: str
    kind: Kind
    sentence: int
    label: str | None = None
    quote: int = -1

    @property
    def words(self) -> list[str]:
        return self.text.split()


def quote_spans(text: str, breaks: list[int] | None = None) -> list[tuple[int, int]]:
    """Spans of quoted speech: curly pairs, straight double quotes toggled, reset at `breaks`.

    `breaks` are offsets (paragraph starts) where an unclosed straight quote is abandoned, so one
    stray mark cannot invert a whole book.
    """
    spans: list[tuple[int, int]] = []
    resets = sorted(breaks or [])
    open_at: int | None = None
    for match in re.finditer(r"[“”\"«»]|(?<!\w)‘|’(?!\w)", text):
        char, pos = match.group(), match.start()
        if open_at is not None and resets:
            passed = bisect_right(resets, pos) - bisect_right(resets, open_at)
            if passed > 0:
                open_at = None
        if char in "“«‘":
            open_at = pos
        elif char in "”»’":
            if open_at is not None:
                spans.append((open_at, pos + 1))
            open_at = None
        elif open_at is None:
            open_at = pos
        else:
            spans.append((open_at, pos + 1))
            open_at = None
    return spans


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quotation, with the sentences it spans (its speaker tag is usually in one of them)."""

    start: int
    end: int
    first_sentence: int
    last_sentence: int


def assign_quotes(mentions: list[Mention], quotes: list[QuoteSpan]) -> None:
    """Set each mention's `quote` to the index of the quote span that contains it."""
    starts = [q.start for q in quotes]
    for mention in mentions:
        i = bisect_right(starts, mention.start) - 1
        mention.quote = i if i >= 0 and mention.end <= quotes[i].end else -1
