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
    r"(?<![\w/])(?:"
    + "|".join(sorted((re.escape(p) for p in PRONOUNS if p != "y/n"), key=len, reverse=True))
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
    index of the quotation the mention sits in, or -1 outside quotes; `paragraph` is -1 when the
    text has no known paragraphs. `role` (subj, obj, poss, obl, other; "" unknown) and `governor`
    (token index of the word it depends on) come from the language layer's parse when it ran.
    """

    start: int
    end: int
    text: str
    kind: Kind
    sentence: int
    label: str | None = None
    quote: int = -1
    paragraph: int = -1
    role: str = ""
    governor: int = -1

    @property
    def words(self) -> list[str]:
        return self.text.split()

    @property
    def names_a_person(self) -> bool:
        """A proper name that no tagger called a place or a thing (untagged names may be people)."""
        return self.kind == "PROP" and self.label in {"PER", None}


_DOUBLE_MARKS = re.compile(r"[“”\"«»]")
# A mark before a contraction ending ("wife 's", "they 'll", as tokenized corpora space them) is an
# apostrophe, not a quote: counted as one, it flips a text with no dialogue into single-mark mode.
_SINGLE_MARKS = re.compile(r"(?<!\w)['‘’](?!(?:s|S|ll|d|re|ve|m)\b)|['‘’](?!\w)")


def quote_spans(text: str, breaks: list[int] | None = None) -> list[tuple[int, int]]:
    """Spans of quoted speech, by the document's own convention (double or single marks).

    Curly marks open and close; straight ones toggle. A quote still open at a paragraph break
    (`breaks`: paragraph starts) ends there, as multi-paragraph speeches do, so one stray mark
    cannot invert a whole book. Single marks count only when a text uses them for dialogue, and
    never between two letters (apostrophes).
    """
    doubles = len(_DOUBLE_MARKS.findall(text))
    singles = _SINGLE_MARKS.findall(text)
    use_single = len(singles) > 2 * doubles
    marks = _SINGLE_MARKS if use_single else _DOUBLE_MARKS
    opening, closing = ("‘", "’") if use_single else ("“«", "”»")
    resets = sorted(breaks or [])
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for match in marks.finditer(text):
        char, pos = match.group(), match.start()
        if open_at is not None:
            passed = bisect_right(resets, open_at)
            if passed < len(resets) and resets[passed] <= pos:
                spans.append((open_at, _trim_end(text, open_at, resets[passed])))
                open_at = None
        if char in opening:
            open_at = pos
        elif char in closing or open_at is not None:
            if open_at is not None:
                spans.append((open_at, pos + 1))
            open_at = None
        else:
            open_at = pos
    if open_at is not None:
        spans.append((open_at, _trim_end(text, open_at, len(text))))
    return spans


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start + 1 and text[end - 1].isspace():
        end -= 1
    return end


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """A quotation, with the sentences it spans and its paragraph (-1: unknown)."""

    start: int
    end: int
    first_sentence: int
    last_sentence: int
    paragraph: int = -1


def sentence_quotes(text: str, sentence_starts: list[int], paragraph_starts: list[int]) -> list[QuoteSpan]:
    """Quote spans of `text`, each with the sentences it starts and ends in and its paragraph."""

    def index(starts: list[int], offset: int) -> int:
        return max(0, bisect_right(starts, offset) - 1) if starts else -1

    return [
        QuoteSpan(s, e, index(sentence_starts, s), index(sentence_starts, e - 1), index(paragraph_starts, s))
        for s, e in quote_spans(text, paragraph_starts)
    ]


def assign_quotes(mentions: list[Mention], quotes: list[QuoteSpan]) -> None:
    """Set each mention's `quote` to the index of the quote span that contains it."""
    starts = [q.start for q in quotes]
    for mention in mentions:
        i = bisect_right(starts, mention.start) - 1
        mention.quote = i if i >= 0 and mention.end <= quotes[i].end else -1
