"""What a scene holds besides its point of view: its cast, its places and its cues of time."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable

from fabula.narrative.spans import Interval, MentionIndex
from fabula.story import Entity, Scene

PLACE_LABELS = frozenset({"LOC", "FAC", "GPE"})

_NUMBER = (
    r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
    r"|a\s+hundred|a\s+few|a\s+couple\s+of|few|several|many|some|\d+)"
)
_UNIT = r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centur(?:y|ies))"
_PART = r"(?:morning|afternoon|evening|night|day|week|weekend|month|year|spring|summer|autumn|fall|winter)"
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
# Capitalised only: "may" and "march" are also verbs.
_MONTH = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
_CLOCK = (
    r"(?:(?:a\s+quarter|half|twenty|ten|five)\s+(?:past|to)\s+)?"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,2}(?::\d\d)?)"
    r"(?:\s+o['’]clock|\s*[ap]\.?m\.?)?"
)
# Each alternative is one kind of cue; the longest match wins because alternatives are tried in order.
TIME_CUE = re.compile(
    r"\b(?:"
    + "|".join(
        [
            rf"{_NUMBER}(?:\s+(?:long|more|whole))?\s+{_UNIT}\s+(?:later|earlier|ago|before|after|passed|went\s+by|had\s+passed)",
            rf"(?:the\s+)?(?:next|following|previous|same)\s+{_PART}",
            rf"(?:later|earlier)\s+that\s+{_PART}",
            rf"(?:that|this|one|last|early\s+one|late\s+one)\s+{_PART}",
            rf"in\s+the\s+{_SEASON}\s+of\s+\d{{4}}",
            rf"in\s+(?:the\s+)?(?:early\s+|late\s+)?{_SEASON}",
            rf"(?:on|every|that|last|next)\s+{_DAY}(?:\s+(?:morning|afternoon|evening|night))?",
            rf"(?:in|on|by|that)\s+(?:early\s+|late\s+)?{_MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?",
            r"in\s+(?:the\s+year\s+)?1\d{3}|in\s+20\d\d",
            r"at\s+(?:dawn|dusk|daybreak|nightfall|sunrise|sunset|midnight|noon|midday|twilight)",
            rf"at\s+{_CLOCK}(?=\s*(?:[.,;:!?)—–]|$|\s(?:and|in|on|sharp|exactly|precisely|that|the)\b))",
            r"(?:years|months|weeks|days|hours|minutes|moments)\s+(?:later|passed|went\s+by|earlier|ago)",
            r"meanwhile|in\s+the\s+meantime|long\s+ago|once\s+upon\s+a\s+time|the\s+day\s+before"
            r"|yesterday|tomorrow|tonight|that\s+night|the\s+night\s+before|by\s+morning|by\s+nightfall",
        ]
    )
    + r")\b",
    re.IGNORECASE,
)


def time_cues(text: str, spans: list[Interval]) -> list[str]:
    """Phrases that place the scene in time, as written, first occurrence of each."""
    return _dedupe(m.group() for start, end in spans for m in TIME_CUE.finditer(text, start, end))


def places(entities: list[Entity], start: int, end: int) -> list[str]:
    """Texts of the location entities inside [start, end), pronouns ("there") left out.

    `entities` must be sorted by start.
    """
    first = bisect_left(entities, start, key=lambda e: e.start)
    last = bisect_left(entities, end, key=lambda e: e.start)
    return _dedupe(
        e.text for e in entities[first:last] if e.label in PLACE_LABELS and e.kind != "PRON" and e.end <= end
    )


def cast(scene: Scene, mentions: MentionIndex) -> list[str]:
    """Characters already listed for the scene, then every other character mentioned in it."""
    ids = list(scene.characters)
    for _, _, cid in mentions.within(scene.start, scene.end):
        if cid not in ids:
            ids.append(cid)
    return ids


def _dedupe(items: Iterable[str]) -> list[str]:
    """Whitespace-normalised items, first occurrence of each regardless of case."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        item = " ".join(item.split())
        if item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out
