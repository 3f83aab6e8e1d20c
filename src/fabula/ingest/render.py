"""Rendering structured documents (Markdown, HTML, EPUB) to the plain text of a `Story`.

Readers turn their input into `Block`s; `TextBuilder` lays them out one per paragraph with a
blank line between them and remembers where each one landed, so headings and notes become
spans of the final text without searching for them afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from fabula.ingest.structure import ChapterMark, Draft, NoteKind, is_heading_line
from fabula.story import AuthorNote, Metadata

BREAK = "* * *"

# Headings that name a book's furniture, never one of its chapters.
_NOT_CHAPTERS = re.compile(
    r"(?:table\s+of\s+)?contents|copyright|cover|title\s*page|dedication|about\s+the\s+author|"
    r"also\s+by.*|acknowledge?ments?|index|notes|footnotes",
    re.IGNORECASE,
)


def paragraphs_of(raw: str) -> list[str]:
    """Rendered text split at blank lines, each line's whitespace collapsed and empty lines dropped."""
    parts = (
        "\n".join(" ".join(line.split()) for line in part.split("\n") if line.strip())
        for part in re.split(r"\n[^\S\n]*\n", raw)
    )
    return [part for part in parts if part]


class Block(NamedTuple):
    """One paragraph of output. `kind`: "p", "h1".."h6", "break", or "chapter" for a heading the
    format itself marks as a chapter's (FanFicFare's chapter titles, say)."""

    text: str
    kind: str = "p"


class TextBuilder:
    """Appends paragraphs with a blank line between them and returns where each one went."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0

    @property
    def end(self) -> int:
        return self._length

    def add(self, text: str) -> tuple[int, int]:
        if self._length:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        return start, self._length

    def add_all(self, texts: Iterable[str]) -> tuple[int, int] | None:
        """Add several paragraphs; the span from the first one's start to the last one's end."""
        spans = [self.add(t) for t in texts if t]
        return (spans[0][0], spans[-1][1]) if spans else None

    def note(self, texts: Iterable[str], kind: NoteKind) -> AuthorNote | None:
        span = self.add_all(texts)
        if span is None:
            return None
        return AuthorNote(start=span[0], end=span[1], text=self.text()[span[0] : span[1]], kind=kind)

    def text(self) -> str:
        return "".join(self._parts)


def _chapter_headings(headings: list[tuple[int, Block]]) -> tuple[int | None, list[int]]:
    """(index of the title heading, indices of the chapter headings) among a document's headings:
    a lone top-level heading that opens the document is its title; the chapters are the
    headings of the shallowest level left."""
    if not headings:
        return None, []
    levels = [int(block.kind[1]) for _, block in headings]
    title: int | None = None
    rest = headings
    if (
        levels.count(min(levels)) == 1
        and levels[0] == min(levels)
        and not is_heading_line(headings[0][1].text)
    ):
        title, rest = headings[0][0], headings[1:]
    candidates = [(i, b) for i, b in rest if not _NOT_CHAPTERS.fullmatch(b.text.strip(" .:"))]
    if not candidates:
        return title, []
    level = min(int(b.kind[1]) for _, b in candidates)
    return title, [i for i, b in candidates if int(b.kind[1]) == level]


def draft_from_blocks(blocks: list[Block], metadata: Metadata) -> Draft:
    """Lay the blocks out as text; chapters come from the format's headings when it has any."""
    builder = TextBuilder()
    spans = [builder.add(block.text) for block in blocks]
    text = builder.text()
    marked = [i for i, block in enumerate(blocks) if block.kind == "chapter"]
    if not marked:
        headings = [(i, b) for i, b in enumerate(blocks) if b.kind in {"h1", "h2", "h3", "h4", "h5", "h6"}]
        title, marked = _chapter_headings(headings)
        if title is not None and metadata.title is None:
            metadata.title = blocks[title].text
    # A heading straight over the next one ("# Title" over "# Chapter 1") opens no chapter.
    marked = [i for n, i in enumerate(marked) if n + 1 == len(marked) or marked[n + 1] > i + 1]
    if not marked:
        return Draft(text=text, metadata=metadata)
    chapters: list[ChapterMark] = []
    for position, index in enumerate(marked):
        last = (marked[position + 1] if position + 1 < len(marked) else len(blocks)) - 1
        start, body_start = spans[index]
        chapters.append(
            ChapterMark(title=blocks[index].text, start=start, body_start=body_start, end=spans[last][1])
        )
    return Draft(text=text, metadata=metadata, chapters=chapters)
