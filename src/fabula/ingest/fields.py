"""Labelled metadata ("Rating: Teen", "Fandom: ...") wherever it turns up: AO3's tag list,
FanFicFare's title page, or the header lines a writer puts at the top of a plain-text story."""

from __future__ import annotations

import re

from fabula.story import Metadata

LIST_FIELDS = {
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "warnings": "warnings",
    "warning": "warnings",
    "category": "categories",
    "categories": "categories",
    "ao3 categories": "categories",
    "relationship": "relationships",
    "relationships": "relationships",
    "pairing": "relationships",
    "pairings": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tag": "additional_tags",
    "additional tags": "additional_tags",
    "freeform tags": "additional_tags",
    "extra tags": "additional_tags",
    "genre": "additional_tags",
    "genres": "additional_tags",
    "tags": "additional_tags",
    "series": "series",
}
TEXT_FIELDS = {
    "rating": "rating",
    "ratings": "rating",
    "rated": "rating",
    "language": "language",
    "summary": "summary",
    "title": "title",
    "author": "author",
    "written by": "author",
    "story url": "url",
}
STATS = {
    "published", "updated", "completed", "packaged", "words", "word count", "chapters", "status",
    "kudos", "hits",
}  # fmt: skip


def assign_field(
    metadata: Metadata, label: str, values: list[str], overrides: dict[str, str] | None = None
) -> None:
    """Put one labelled value of a title page or tag list where `Metadata` keeps it."""
    key = label.strip().rstrip(":").strip().lower()
    values = [v.strip() for v in values if v.strip()]
    if not values:
        return
    target = (overrides or {}).get(key) or LIST_FIELDS.get(key)
    if target:
        getattr(metadata, target).extend(v for v in values if v not in getattr(metadata, target))
    elif key in TEXT_FIELDS:
        if getattr(metadata, TEXT_FIELDS[key]) is None:
            setattr(metadata, TEXT_FIELDS[key], ", ".join(values))
    elif key in STATS:
        metadata.stats[label.strip().rstrip(":").strip()] = ", ".join(values)
    else:
        metadata.extra[label.strip().rstrip(":").strip()] = ", ".join(values)


def split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


_HEADER_LINE = re.compile(r"(?P<label>[A-Za-z][A-Za-z ]{1,20}?)\s*:\s*(?P<value>\S.*)")
# "by R. Tamsin", never "By the time she came home, ...": a name, not a sentence.
_BYLINE = re.compile(r"(?:by|written by)\s+(?P<author>\S+(?:\s+\S+){0,3})(?<![.!?,;:\"”])", re.IGNORECASE)


def _known(label: str) -> bool:
    key = label.strip().lower()
    return key in LIST_FIELDS or key in TEXT_FIELDS or key in STATS


def header_fields(paragraph: str) -> list[tuple[str, str]] | None:
    """The labelled fields of a header paragraph ("Fandom: X" lines, "Summary: ...", "by Y"),
    or None when the paragraph is not one."""
    rows = paragraph.split("\n")
    byline = _BYLINE.fullmatch(paragraph.strip())
    if len(rows) == 1 and byline:
        return [("author", byline.group("author").strip())]
    first = _HEADER_LINE.match(rows[0])
    if first and first.group("label").strip().lower() == "summary":
        return [("summary", " ".join(paragraph[first.start("value") :].split()))]
    fields = [
        m for m in (_HEADER_LINE.fullmatch(row.strip()) for row in rows) if m and _known(m.group("label"))
    ]
    if len(fields) != len(rows):
        return None
    return [(m.group("label"), m.group("value").strip()) for m in fields]


def assign_header(metadata: Metadata, fields: list[tuple[str, str]]) -> None:
    """Header fields into metadata, lists split at commas; never overwriting what the format said."""
    for label, value in fields:
        key = label.strip().lower()
        assign_field(metadata, label, split_list(value) if key in LIST_FIELDS else [value])
