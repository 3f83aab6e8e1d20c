"""Spans the narrative and relations stages share: narration, sentences, scenes, mentions.

Each helper prefers what an earlier stage wrote (`story.quotes`, `story.sentences`,
`story.scenes`, character mentions) and falls back to a light regex of its own, so both
stages still give an answer when they run on a bare `Story`.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from fabula.story import Scene, Story, trim_span

Interval = tuple[int, int]

# Dialogue marks when the quotes stage has not run. A quotation may wrap lines but never crosses a
# blank line; an unclosed quotation runs to its paragraph's end (the convention for speech that goes
# on in the next paragraph). Single quotes must open after a non-letter and close before one, so the
# apostrophes of "don't" and "Mara's" never end a quotation; a straight one must close.
_LINE = r"\n(?![ \t]*\n)"
_TO_PARAGRAPH_END = r"(?=\n[ \t]*\n)|$"
_QUOTED = re.compile(
    rf"“(?:[^“”\n]|{_LINE})*(?:”|{_TO_PARAGRAPH_END})"
    rf'|"(?:[^"\n]|{_LINE})*(?:"|{_TO_PARAGRAPH_END})'
    rf"|(?<![\w‘’'])‘(?=\S)(?:[^‘’\n]|{_LINE}|’(?=\w))*(?:’(?!\w)|{_TO_PARAGRAPH_END})"
    rf"|(?<![\w‘’'])'(?=\S)(?:[^'\n]|{_LINE}|'(?=\w))*'(?!\w)"
)
# Unquoted thoughts set in italics (Markdown `*...*` or `_..._`) are a character's words, not narration.
_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)[^*\n]+(?<=\S)\*(?![*\w])|(?<![_\w])_(?=\S)[^_\n]+(?<=\S)_(?![_\w])")

_SENTENCE_END = re.compile(r"[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[*_A-Z0-9])|\n\s*\n")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "capt", "col", "gen", "lt"})


def merge(spans: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same offsets as `spans`."""
    out: list[Interval] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def subtract(spans: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """The parts of `spans` not covered by any of `holes` (both lists of [start, end))."""
    cuts = merge(holes)
    out: list[Interval] = []
    for start, end in sorted(spans):
        cursor = start
        # Holes are disjoint, so only the one just before `start` can reach into the span.
        i = max(bisect_left(cuts, (start, -1)) - 1, 0)
        for hole_start, hole_end in cuts[i:]:
            if hole_start >= end:
                break
            if hole_end <= cursor:
                continue
            if hole_start > cursor:
                out.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            out.append((cursor, end))
    return out


def quoted_spans(story: Story) -> list[Interval]:
    """What characters say or think: the quotes stage's spans, else quotation marks found here."""
    if story.quotes:
        # Scare quotes ("other") are the narrator's own words.
        spans = [(q.start, q.end) for q in story.quotes if q.kind != "other"]
    else:
        spans = [m.span() for m in _QUOTED.finditer(story.text)]
    spans += [m.span() for m in _ITALIC.finditer(story.text)]
    return sorted(spans)


def narration_spans(story: Story) -> list[Interval]:
    """Story text that the narrator speaks: outside author's notes, quotes and italic thoughts."""
    return subtract(((s.start, s.end) for s in story.story_spans()), quoted_spans(story))


def enclosing(spans: list[Interval], offset: int) -> int | None:
    """Index of the span of sorted, disjoint `spans` that contains `offset`, if any."""
    i = bisect_right(spans, (offset, sys.maxsize)) - 1
    return i if i >= 0 and spans[i][0] <= offset < spans[i][1] else None


def clip(spans: list[Interval], start: int, end: int) -> list[Interval]:
    """`spans` cut to the window [start, end)."""
    return [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]


def sentence_spans(story: Story) -> list[Interval]:
    """The language layer's sentences, else a punctuation-and-blank-line split of the story text."""
    if story.sentences:
        return [(s.start, s.end) for s in story.sentences]
    text = story.text
    out: list[Interval] = []
    for part in story.story_spans():
        cursor = part.start
        for match in _SENTENCE_END.finditer(text, part.start, part.end):
            word = re.search(r"(\w+)\.$", text[cursor : match.start() + 1])
            if word and word.group(1).lower() in _ABBREVIATIONS:
                continue
            out.append((cursor, match.end()))
            cursor = match.end()
        out.append((cursor, part.end))
    return [trimmed for s, e in out if (trimmed := trim_span(text, s, e))[0] < trimmed[1]]


def scenes_of(story: Story) -> list[Scene]:
    """Ingest's scenes; else one scene per chapter; else one scene over the whole story text."""
    if story.scenes:
        return story.scenes
    if story.chapters:
        return [Scene(start=c.start, end=c.end) for c in story.chapters]
    parts = [p for p in story.story_spans() if story.text[p.start : p.end].strip()]
    if not parts:
        return []
    return [Scene(start=parts[0].start, end=parts[-1].end)]


@dataclass(slots=True)
class MentionIndex:
    """Every character mention, sorted by start, for span lookups."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    longest: int = 0

    @classmethod
    def of(cls, story: Story) -> MentionIndex:
        return cls.of_rows((s, e, c.id) for c in story.characters for s, e in c.mentions)

    @classmethod
    def of_rows(cls, rows: Iterable[tuple[int, int, str]]) -> MentionIndex:
        """An index of (start, end, id) mentions, in any order."""
        ordered = sorted(rows)
        index = cls([r[0] for r in ordered], [r[1] for r in ordered], [r[2] for r in ordered])
        index.longest = max((e - s for s, e, _ in ordered), default=0)
        return index

    def within(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Mentions lying inside [start, end), in text order."""
        lo = bisect_left(self.starts, start)
        hi = bisect_left(self.starts, end)
        return [(self.starts[i], self.ends[i], self.ids[i]) for i in range(lo, hi) if self.ends[i] <= end]

    def covering(self, start: int, end: int) -> str | None:
        """The character of the shortest mention that contains [start, end), if any."""
        lo = bisect_left(self.starts, start - self.longest)
        hi = bisect_left(self.starts, start + 1)
        best: tuple[int, str] | None = None
        for i in range(lo, hi):
            if self.starts[i] <= start and self.ends[i] >= end:
                length = self.ends[i] - self.starts[i]
                if best is None or length < best[0]:
                    best = (length, self.ids[i])
        return best[1] if best else None
