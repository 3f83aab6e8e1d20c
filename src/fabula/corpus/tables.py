"""The corpus tables, derived from the Story model, and a Story flattened into their rows.

One declaration (`TABLES`) gives the DuckDB schema, the insert statements and the order of
the columns that `story_rows` fills, so the three cannot drift apart. Rows travel from the
workers to the coordinator as plain columns (lists), which pickle small and insert in one
statement per table. Character ids, quote speakers and addressees, relation ends and scene
casts are `Character.id` values, unique within a work: join on (work_id, id).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fabula.story import Metadata, Story

Columns = dict[str, list[Any]]

# DuckDB types; JSON columns travel as VARCHAR and are cast on insert.
_TEXT, _INT, _BIG, _FLOAT, _LIST, _JSON = "VARCHAR", "INTEGER", "BIGINT", "DOUBLE", "VARCHAR[]", "JSON"

_SPAN = (("char_start", _INT), ("char_end", _INT))

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "works": (
        ("id", _TEXT),
        ("path", _TEXT),
        ("bytes", _BIG),
        ("status", _TEXT),
        ("error_type", _TEXT),
        ("error", _TEXT),
        ("traceback", _TEXT),
        ("pipeline", _TEXT),
        ("stages", _LIST),
        ("fabula_version", _TEXT),
        ("schema_version", _TEXT),
        ("title", _TEXT),
        ("author", _TEXT),
        ("source_format", _TEXT),
        ("language", _TEXT),
        ("url", _TEXT),
        ("rating", _TEXT),
        ("fandoms", _LIST),
        ("warnings", _LIST),
        ("categories", _LIST),
        ("relationships", _LIST),
        ("characters", _LIST),
        ("additional_tags", _LIST),
        ("series", _LIST),
        ("summary", _TEXT),
        ("notes", _TEXT),
        ("end_notes", _TEXT),
        ("stats", _JSON),
        ("extra", _JSON),
        ("n_chars", _BIG),
        ("n_tokens", _BIG),
        ("n_chapters", _INT),
        ("n_paragraphs", _INT),
        ("n_sentences", _INT),
        ("n_characters", _INT),
        ("n_quotes", _INT),
        ("pov_person", _TEXT),
        ("pov_focal", _TEXT),
        ("pov_tense", _TEXT),
        ("tags", _JSON),
        ("read_s", _FLOAT),
        ("analyse_s", _FLOAT),
        ("stage_s", _JSON),
        ("worker", _TEXT),
        ("worker_rss_mb", _FLOAT),
        ("analysed_at", "TIMESTAMP"),
        ("story", _JSON),
    ),
    "chapters": (("work_id", _TEXT), ("idx", _INT), *_SPAN, ("title", _TEXT)),
    "author_notes": (("work_id", _TEXT), ("idx", _INT), *_SPAN, ("kind", _TEXT), ("text", _TEXT)),
    "scenes": (
        ("work_id", _TEXT),
        ("idx", _INT),
        *_SPAN,
        ("characters", _LIST),
        ("focal", _TEXT),
        ("pov", _TEXT),
        ("places", _LIST),
        ("time_cues", _LIST),
    ),
    "entities": (
        ("work_id", _TEXT),
        ("idx", _INT),
        *_SPAN,
        ("label", _TEXT),
        ("kind", _TEXT),
        ("text", _TEXT),
    ),
    "characters": (
        ("work_id", _TEXT),
        ("id", _TEXT),
        ("name", _TEXT),
        ("aliases", _LIST),
        ("gender", _TEXT),
        ("mention_count", _INT),
        ("first_mention", _INT),
        ("agent", _LIST),
        ("patient", _LIST),
        ("possessions", _LIST),
        ("modifiers", _LIST),
    ),
    "mentions": (("work_id", _TEXT), ("character_id", _TEXT), *_SPAN, ("kind", _TEXT), ("text", _TEXT)),
    "quotes": (
        ("work_id", _TEXT),
        ("idx", _INT),
        *_SPAN,
        ("speaker", _TEXT),
        ("addressees", _LIST),
        ("kind", _TEXT),
        ("attribution", _TEXT),
        ("text", _TEXT),
    ),
    "relations": (
        ("work_id", _TEXT),
        ("idx", _INT),
        ("source", _TEXT),
        ("target", _TEXT),
        ("type", _TEXT),
        ("confidence", _FLOAT),
        ("evidence", _JSON),
    ),
}

CHILD_TABLES = tuple(name for name in TABLES if name != "works")

_METADATA_LISTS = (
    "fandoms",
    "warnings",
    "categories",
    "relationships",
    "characters",
    "additional_tags",
    "series",
)
_METADATA_TEXT = (
    "title",
    "author",
    "source_format",
    "language",
    "url",
    "rating",
    "summary",
    "notes",
    "end_notes",
)
_WORD = re.compile(r"\S+")


def create_statements() -> list[str]:
    statements = []
    for name, columns in TABLES.items():
        cols = ", ".join(f"{col} {typ}" for col, typ in columns)
        key = ", PRIMARY KEY (id)" if name == "works" else ""
        statements.append(f"CREATE TABLE IF NOT EXISTS {name} ({cols}{key})")
    return statements


def insert_statement(table: str) -> str:
    """One INSERT for a whole batch: each parameter is a column, zipped back into rows by unnest."""
    columns = TABLES[table]
    names = ", ".join(col for col, _ in columns)
    values = ", ".join(f"unnest(?::{'VARCHAR' if typ == _JSON else typ}[])" for _, typ in columns)
    return f"INSERT INTO {table} ({names}) SELECT * FROM (SELECT {values})"


@dataclass(slots=True)
class WorkRows:
    """What a worker sends back for one work: its row in `works` and its rows in the child tables."""

    work: dict[str, Any]
    children: dict[str, Columns] = field(default_factory=dict)


def empty_columns(table: str) -> Columns:
    return {col: [] for col, _ in TABLES[table]}


def merge(rows: Iterable[WorkRows]) -> dict[str, Columns]:
    """Concatenate many works' rows into one set of columns per table, ready to insert."""
    merged = {name: empty_columns(name) for name in TABLES}
    for item in rows:
        for col in merged["works"]:
            merged["works"][col].append(item.work.get(col))
        for table, columns in item.children.items():
            target = merged[table]
            for col, values in columns.items():
                target[col].extend(values)
    return merged


def count_tokens(story: Story) -> int:
    """The language layer's token count, or whitespace-separated words where it has not run."""
    if story._tokens is not None:
        return len(story._tokens)
    return sum(len(_WORD.findall(story.slice(span))) for span in story.story_spans())


def _metadata_columns(metadata: Metadata) -> dict[str, Any]:
    columns: dict[str, Any] = {name: getattr(metadata, name) for name in _METADATA_TEXT}
    columns.update({name: list(getattr(metadata, name)) for name in _METADATA_LISTS})
    columns["stats"] = json.dumps(metadata.stats)
    columns["extra"] = json.dumps(metadata.extra)
    return columns


def story_rows(work_id: str, story: Story) -> WorkRows:
    """Flatten an analysed story: the metadata and counts for `works`, and every child table."""
    work: dict[str, Any] = {
        **_metadata_columns(story.metadata),
        "schema_version": story.schema_version,
        "n_chars": len(story.text),
        "n_tokens": count_tokens(story),
        "n_chapters": len(story.chapters),
        "n_paragraphs": len(story.paragraphs),
        "n_sentences": len(story.sentences),
        "n_characters": len(story.characters),
        "n_quotes": len(story.quotes),
        "pov_person": story.pov.person,
        "pov_focal": story.pov.focal,
        "pov_tense": story.pov.tense,
        "tags": json.dumps(story.tags),
        "story": story.to_json(indent=None),
    }
    children = {name: empty_columns(name) for name in CHILD_TABLES}

    def add(table: str, **values: Any) -> None:
        columns = children[table]
        columns["work_id"].append(work_id)
        for col, value in values.items():
            columns[col].append(value)

    for i, chapter in enumerate(story.chapters):
        add("chapters", idx=i, char_start=chapter.start, char_end=chapter.end, title=chapter.title)
    for i, note in enumerate(story.author_notes):
        add("author_notes", idx=i, char_start=note.start, char_end=note.end, kind=note.kind, text=note.text)
    for i, scene in enumerate(story.scenes):
        add(
            "scenes",
            idx=i,
            char_start=scene.start,
            char_end=scene.end,
            characters=list(scene.characters),
            focal=scene.focal,
            pov=scene.pov,
            places=list(scene.places),
            time_cues=list(scene.time_cues),
        )
    kinds: dict[tuple[int, int], str | None] = {}
    for i, entity in enumerate(story.entities):
        kinds[(entity.start, entity.end)] = entity.kind
        add(
            "entities",
            idx=i,
            char_start=entity.start,
            char_end=entity.end,
            label=entity.label,
            kind=entity.kind,
            text=entity.text,
        )
    for character in story.characters:
        add(
            "characters",
            id=character.id,
            name=character.name,
            aliases=list(character.aliases),
            gender=character.gender,
            mention_count=character.mention_count,
            first_mention=character.first_mention,
            agent=list(character.agent),
            patient=list(character.patient),
            possessions=list(character.possessions),
            modifiers=list(character.modifiers),
        )
        for start, end in character.mentions:
            add(
                "mentions",
                character_id=character.id,
                char_start=start,
                char_end=end,
                kind=kinds.get((start, end)),
                text=story.text[start:end],
            )
    for i, quote in enumerate(story.quotes):
        add(
            "quotes",
            idx=i,
            char_start=quote.start,
            char_end=quote.end,
            speaker=quote.speaker,
            addressees=list(quote.addressees),
            kind=quote.kind,
            attribution=quote.attribution,
            text=quote.text,
        )
    for i, relation in enumerate(story.relations):
        add(
            "relations",
            idx=i,
            source=relation.source,
            target=relation.target,
            type=relation.type,
            confidence=relation.confidence,
            evidence=json.dumps([span.model_dump() for span in relation.evidence]),
        )
    return WorkRows(work=work, children=children)
