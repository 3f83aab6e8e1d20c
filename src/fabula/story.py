"""The document model: one `Story` that ingest creates and every stage enriches.

Every span is a pair of character offsets (Unicode code points) into `Story.text`, so any
field can be checked with `text[start:end]`. The JSON form of this model is the public
contract (docs/json-contract.md, docs/story.schema.json): later stages add fields, never
rename or remove them, and bump `SCHEMA_VERSION` when they add.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

SCHEMA_VERSION = "1.0.0"

Gender = Literal["he", "she", "they", "unknown"]
Person = Literal["first", "second", "third", "unknown"]
QuoteKind = Literal["speech", "thought", "written", "other"]


class Model(BaseModel):
    """Base for every record of the contract: unknown keys are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Span(Model):
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Metadata(Model):
    """What the file says about the work, as opposed to what Fabula infers from the text."""

    title: str | None = None
    author: str | None = None
    source_path: str | None = None
    source_format: str | None = None
    language: str | None = None
    url: str | None = None
    fandoms: list[str] = Field(default_factory=list)
    rating: str | None = None
    warnings: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    relationships: list[str] = Field(default_factory=list)
    characters: list[str] = Field(default_factory=list)
    additional_tags: list[str] = Field(default_factory=list)
    series: list[str] = Field(default_factory=list)
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    stats: dict[str, str] = Field(default_factory=dict)
    extra: dict[str, str] = Field(default_factory=dict)


class AuthorNote(Span):
    """An author's note or disclaimer: kept apart so no stage reads it as story."""

    text: str
    kind: Literal["note", "disclaimer", "summary"] = "note"


class Chapter(Span):
    title: str | None = None


class Scene(Span):
    characters: list[str] = Field(default_factory=list)
    focal: str | None = None
    pov: Person | None = None
    places: list[str] = Field(default_factory=list)
    time_cues: list[str] = Field(default_factory=list)


class Entity(Span):
    label: str
    text: str
    kind: Literal["PROP", "NOM", "PRON"] | None = None


class Character(Model):
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    gender: Gender = "unknown"
    mention_count: int = 0
    mentions: list[tuple[int, int]] = Field(default_factory=list)
    first_mention: int | None = None
    agent: list[str] = Field(default_factory=list)
    patient: list[str] = Field(default_factory=list)
    possessions: list[str] = Field(default_factory=list)
    modifiers: list[str] = Field(default_factory=list)


class Quote(Span):
    text: str
    speaker: str | None = None
    addressees: list[str] = Field(default_factory=list)
    kind: QuoteKind = "speech"
    attribution: Literal["explicit", "anaphoric", "implicit", "none"] | None = None


class PointOfView(Model):
    person: Person = "unknown"
    focal: str | None = None
    tense: Literal["past", "present", "unknown"] = "unknown"


class Relation(Model):
    source: str
    target: str
    type: str
    evidence: list[Span] = Field(default_factory=list)
    confidence: float | None = None


class Story(Model):
    """A work of fiction and all that Fabula has understood of it."""

    schema_version: str = SCHEMA_VERSION
    text: str
    metadata: Metadata = Field(default_factory=Metadata)
    author_notes: list[AuthorNote] = Field(default_factory=list)
    chapters: list[Chapter] = Field(default_factory=list)
    scenes: list[Scene] = Field(default_factory=list)
    paragraphs: list[Span] = Field(default_factory=list)
    sentences: list[Span] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    characters: list[Character] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    pov: PointOfView = Field(default_factory=PointOfView)
    relations: list[Relation] = Field(default_factory=list)
    tags: list[dict[str, Any]] = Field(default_factory=list)

    # Per-token analyses of the language layer: internal, never serialised.
    _tokens: Any = PrivateAttr(default=None)

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Story:
        return cls.model_validate_json(data)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Story:
        return cls.from_json(Path(path).read_bytes())

    def slice(self, span: Span | tuple[int, int]) -> str:
        start, end = (span.start, span.end) if isinstance(span, Span) else span
        return self.text[start:end]

    def story_spans(self) -> list[Span]:
        """The parts of `text` that are story: inside chapters and below their headings (front matter
        such as a title or a tag list is not), outside author's notes. What every analysing stage reads."""
        regions = [(self._after_heading(c), c.end) for c in self.chapters] or [(0, len(self.text))]
        notes = sorted((n.start, n.end) for n in self.author_notes)
        spans: list[Span] = []
        for region_start, region_end in sorted(regions):
            cursor = region_start
            for start, end in notes:
                if end <= cursor or start >= region_end:
                    continue
                if start > cursor:
                    spans.append(Span(start=cursor, end=start))
                cursor = max(cursor, end)
            if cursor < region_end:
                spans.append(Span(start=cursor, end=region_end))
        return spans

    def _after_heading(self, chapter: Chapter) -> int:
        """Where a chapter's story begins: after its heading line, when the text repeats its title."""
        if chapter.title and self.text.startswith(chapter.title, chapter.start):
            line_end = self.text.find("\n", chapter.start, chapter.end)
            return chapter.end if line_end < 0 else line_end + 1
        return chapter.start

    def __eq__(self, other: object) -> bool:
        """Equal contracts: the private per-token table is a cache, not part of the story."""
        if not isinstance(other, Story):
            return NotImplemented
        return self.model_dump() == other.model_dump()

    __hash__ = None  # type: ignore[assignment]

    def character(self, character_id: str) -> Character | None:
        return next((c for c in self.characters if c.id == character_id), None)


def trim_span(text: str, start: int, end: int, strip: str | None = None) -> tuple[int, int]:
    """Narrow [start, end) past white space (or the characters in `strip`) at both edges:
    the contract's spans never begin or end with white space."""

    def trimmed(ch: str) -> bool:
        return ch.isspace() if strip is None else ch in strip

    while start < end and trimmed(text[start]):
        start += 1
    while end > start and trimmed(text[end - 1]):
        end -= 1
    return start, end


def json_schema() -> dict[str, Any]:
    schema = Story.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://fabula.invalid/schema/story-{SCHEMA_VERSION}.json"
    return schema


def write_json_schema(path: str | Path) -> None:
    Path(path).write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
