"""A plain-text summary of a `Story` for a terminal: what `fabula analyze` prints.

Built with rich tables but returned as plain text (no ANSI codes), so it can be printed,
written to a file or compared in tests alike. Every section copes with a stage that has not
run yet: an empty field gives a one-line "none" rather than an error.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterable

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from fabula.story import Character, Span, Story

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_OPENING_WORDS = 8
_QUOTE_CHARS = 70
_DEFAULT_WIDTH = 100


def summary(
    story: Story,
    *,
    max_quotes: int = 10,
    max_characters: int = 20,
    max_relations: int = 15,
    width: int | None = None,
) -> str:
    """The report as text; `width` defaults to the terminal's (at most 100 columns)."""
    if width is None:
        width = min(_DEFAULT_WIDTH, shutil.get_terminal_size((_DEFAULT_WIDTH, 24)).columns)
    names = _Names(story.characters)
    parts: list[RenderableType] = [
        _header(story),
        _section("Characters", _cast_table(story, max_characters), "none found"),
        _section("Scenes", _scene_table(story, names), "none marked"),
        _section("Quotes", _quote_table(story, names, max_quotes), "none found"),
        _section("Relations", _relation_table(story, names, max_relations), "none found"),
    ]
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system=None, force_terminal=False, highlight=False, emoji=False
    )
    console.print(Group(*parts))
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip().splitlines()) + "\n"


class _Names:
    """Character ids to display names; an id with no character is shown as itself."""

    def __init__(self, characters: Iterable[Character]) -> None:
        self._by_id = {c.id: c.name for c in characters}

    def __call__(self, character_id: str | None) -> str:
        if character_id is None:
            return "?"
        return self._by_id.get(character_id, character_id)

    def join(self, ids: Iterable[str]) -> str:
        return ", ".join(self(i) for i in ids) or "-"


def word_count(story: Story) -> int:
    """Words of story text, leaving out the author's notes."""
    return sum(len(_WORD.findall(story.slice(span))) for span in story.story_spans())


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else (plural or noun + 's')}"


def _header(story: Story) -> Text:
    meta = story.metadata
    lines = [Text(meta.title or "Untitled", style="bold")]
    byline = [f"by {meta.author}"] if meta.author else []
    byline += meta.fandoms
    if byline:
        lines.append(Text(" · ".join(byline)))
    lines.append(
        Text(
            " · ".join(
                [
                    _plural(word_count(story), "word"),
                    _plural(len(story.chapters), "chapter"),
                    _plural(len(story.scenes), "scene"),
                    _plural(len(story.author_notes), "author's note"),
                    _plural(len(story.characters), "character"),
                    _plural(len(story.quotes), "quote"),
                ]
            )
        )
    )
    lines.append(Text(f"Point of view: {_pov(story)}"))
    return Text("\n").join(lines)


def _pov(story: Story) -> str:
    pov = story.pov
    parts = []
    if pov.person != "unknown":
        parts.append(f"{pov.person} person")
    if pov.tense != "unknown":
        parts.append(f"{pov.tense} tense")
    if pov.focal:
        focal = story.character(pov.focal)
        parts.append(f"focal {focal.name if focal else pov.focal}")
    return ", ".join(parts) or "unknown"


def _section(title: str, table: Table | None, empty: str) -> Group:
    heading = Text(f"\n{title}", style="bold")
    if table is None:
        return Group(heading, Text(f"  {empty}"))
    return Group(heading, table)


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _cast_table(story: Story, limit: int) -> Table | None:
    if not story.characters:
        return None
    cast = sorted(story.characters, key=lambda c: -c.mention_count)
    table = _table("Name", "Aliases", "Gender", "Mentions")
    for character in cast[:limit]:
        aliases = [a for a in character.aliases if a != character.name]
        table.add_row(
            character.name, ", ".join(aliases) or "-", character.gender, str(character.mention_count)
        )
    if len(cast) > limit:
        table.caption = f"{len(cast) - limit} more not shown"
    return table


def _opening(story: Story, span: Span) -> str:
    words = story.slice(span).split()
    opening = " ".join(words[:_OPENING_WORDS])
    return opening + (" …" if len(words) > _OPENING_WORDS else "")


def _chapter_of(story: Story, offset: int) -> str:
    for number, chapter in enumerate(story.chapters, start=1):
        if chapter.start <= offset < chapter.end:
            return str(number)
    return "-"


def _scene_table(story: Story, names: _Names) -> Table | None:
    if not story.scenes:
        return None
    table = _table("#", "Ch.", "Opens with", "Cast", "Focal", "POV")
    for number, scene in enumerate(story.scenes, start=1):
        table.add_row(
            str(number),
            _chapter_of(story, scene.start),
            _opening(story, scene),
            names.join(scene.characters),
            names(scene.focal) if scene.focal else "-",
            scene.pov or "-",
        )
    return table


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _quote_table(story: Story, names: _Names, limit: int) -> Table | None:
    if not story.quotes:
        return None
    table = _table("Speaker → addressees", "Kind", "Quote")
    for quote in story.quotes[:limit]:
        who = names(quote.speaker)
        if quote.addressees:
            who += " → " + names.join(quote.addressees)
        kind = quote.kind + (f" ({quote.attribution})" if quote.attribution else "")
        table.add_row(who, kind, f"“{_shorten(quote.text, _QUOTE_CHARS)}”")
    if len(story.quotes) > limit:
        table.caption = f"first {limit} of {len(story.quotes)}"
    return table


def _relation_table(story: Story, names: _Names, limit: int) -> Table | None:
    """Typed relations first, then the strongest interactions: a reader's view, not the full network."""
    if not story.relations:
        return None
    ranked = sorted(
        story.relations, key=lambda r: (r.type == "interaction", -(r.confidence or 0.0), -len(r.evidence))
    )
    table = _table("Between", "Relation", "Evidence", "Confidence")
    for relation in ranked[:limit]:
        confidence = "-" if relation.confidence is None else f"{relation.confidence:.2f}"
        table.add_row(
            f"{names(relation.source)} — {names(relation.target)}",
            relation.type,
            _plural(len(relation.evidence), "passage"),
            confidence,
        )
    if len(ranked) > limit:
        table.caption = f"{limit} of {len(ranked)}; all in the JSON"
    return table
