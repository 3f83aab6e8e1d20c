"""Point of view: grammatical person, focal character and tense, read from narration only.

Dialogue is full of "I" and "you" whatever the narrator's person, so every count here runs
over `narration_spans` (outside quotes, italic thoughts and author's notes).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from fabula.narrative.spans import Interval, MentionIndex
from fabula.story import Person, Story

FIRST = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"})
SECOND = frozenset({"you", "your", "yours", "yourself", "yourselves", "y/n", "l/n", "f/n"})
THIRD = frozenset(
    {"he", "him", "his", "himself", "she", "her", "hers", "herself"}
    | {"they", "them", "their", "theirs", "themselves"}
)
# Words, keeping contractions whole ("I'm", "you'll") and the reader-insert placeholders "Y/N", "L/N".
_WORD = re.compile(r"\b(?:[YyLlFf]/[Nn]\b|[A-Za-z]+(?:['’][A-Za-z]+)?)")

# A share of the pronouns in narration above which that person is the narrator's.
SECOND_SHARE = 0.3
FIRST_SHARE = 0.25
# Fewer pronouns (or tensed verbs) than this say nothing.
MIN_COUNT = 3

_PAST_WORDS = """was were had said did went came looked thought felt asked knew saw took got made turned
told stood sat seemed began kept left heard found gave walked smiled nodded"""
_PRESENT_WORDS = """is are am has says does goes comes looks thinks feels asks knows sees takes gets makes
turns tells stands sits seems begins keeps leaves hears finds gives walks smiles nods"""
PAST = frozenset(_PAST_WORDS.split())
PRESENT = frozenset(_PRESENT_WORDS.split())

# Perception and cognition verbs: whoever does these most is the one whose head we are in.
_PERCEPTION = (
    "thought|thinks?|felt|feels?|wondered|wonders?|knew|knows?|saw|sees?|noticed|notices?|realised|realises?"
    "|realized|realizes?|wanted|wants?|heard|hears?|remembered|remembers?|hoped|hopes?|feared|fears?"
    "|worried|worries|sensed|senses?|imagined|imagines?|believed|believes?|understood|understands?"
    "|recalled|recalls?|wished|wishes|longed|longs?|dreaded|dreads?|decided|decides?|watched|watches|watch"
)
_PERCEIVES = re.compile(
    r"\s+(?:(?:had|has|could|would|did|only|just|still|also|then|already|suddenly|never|always|\w+ly)\s+){0,2}"
    r"(?:" + _PERCEPTION + r")\b",
    re.IGNORECASE,
)
PERCEPTION_WEIGHT = 3


@dataclass(slots=True)
class PersonCounts:
    first: int = 0
    second: int = 0
    third: int = 0

    def person(self) -> Person:
        """The narrator's person: second and first person win on a share, third is the default."""
        total = self.first + self.second + self.third
        if total < MIN_COUNT:
            return "unknown"
        if self.second >= self.first and self.second / total >= SECOND_SHARE:
            return "second"
        if self.first / total >= FIRST_SHARE:
            return "first"
        return "third" if self.third else "unknown"


def _words(text: str, spans: list[Interval]) -> list[str]:
    return [
        re.split(r"['’]", m.group().lower())[0]
        for start, end in spans
        for m in _WORD.finditer(text, start, end)
    ]


def count_persons(text: str, spans: list[Interval]) -> PersonCounts:
    counts = PersonCounts()
    for word in _words(text, spans):
        if word in FIRST:
            counts.first += 1
        elif word in SECOND:
            counts.second += 1
        elif word in THIRD:
            counts.third += 1
    return counts


def tense(story: Story, spans: list[Interval]) -> Literal["past", "present", "unknown"]:
    """Past or present: the parser's VBD against VBP/VBZ when tokens exist, else common verbs."""
    past = present = 0
    tokens = story._tokens
    if tokens is not None and any(tokens.tag):
        for start, end in spans:
            for i in tokens.within(start, end):
                tag = tokens.tag[i]
                past += tag == "VBD"
                present += tag in ("VBP", "VBZ")
    if past + present < MIN_COUNT:
        words = _words(story.text, spans)
        past = sum(w in PAST for w in words)
        present = sum(w in PRESENT for w in words)
    if past + present < MIN_COUNT:
        return "unknown"
    return "past" if past >= present else "present"


def voiced_by(
    story: Story, mentions: MentionIndex, spans: list[Interval], forms: frozenset[str]
) -> str | None:
    """The character the characters stage linked most of these pronouns in narration to."""
    votes: Counter[str] = Counter()
    for start, end in spans:
        for m_start, m_end, cid in mentions.within(start, end):
            word = story.text[m_start:m_end].strip("()[]").lower()
            if word in forms:
                votes[cid] += 1
    return votes.most_common(1)[0][0] if votes else None


def focal_scores(story: Story, mentions: MentionIndex, spans: list[Interval]) -> Counter[str]:
    """Narration mentions, plus a bonus each time the character is the subject of a perception verb."""
    scores: Counter[str] = Counter()
    for start, end in spans:
        for _, m_end, cid in mentions.within(start, end):
            scores[cid] += 1
            if _PERCEIVES.match(story.text, m_end, end):
                scores[cid] += PERCEPTION_WEIGHT
    return scores
