"""Ingest: any supported file (or a string) into a `Story` with its structure marked.

`load` reads plain text in any encoding, Markdown, HTML (AO3 downloads, FanFiction.net pages,
FanFicFare exports, any page of prose), EPUB and Project Gutenberg texts. Each format's reader
renders the story to plain text and says what it knows of its structure; `structure.build`
marks the rest (author's notes, chapters, scenes, paragraphs) the same way for all of them.
"""

from __future__ import annotations

from pathlib import Path

from fabula.errors import InputError
from fabula.ingest.detect import check_text, decode, normalise, read_bytes, sniff
from fabula.ingest.epub import read_epub
from fabula.ingest.html import read_html
from fabula.ingest.markdown import read_markdown
from fabula.ingest.structure import Draft, build
from fabula.ingest.text import read_text
from fabula.story import Story

__all__ = ["SUFFIXES", "from_text", "load"]

SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub"}

_READERS = {"text": read_text, "markdown": read_markdown, "html": read_html}
_FORMAT_NAMES = {"text": "text", "markdown": "Markdown", "html": "HTML page", "epub": "EPUB"}


def _draft(text: str, source_format: str) -> Draft:
    try:
        reader = _READERS[source_format]
    except KeyError:
        known = ", ".join(sorted(_READERS))
        raise InputError(None, f"unknown source format {source_format!r}; known: {known}") from None
    return reader(text)


def from_text(text: str, *, source_format: str = "text") -> Story:
    """A story from a string: "text" (Gutenberg headers are recognised), "markdown" or "html"."""
    text = check_text(normalise(text), None)
    draft = _draft(text, source_format)
    if not draft.text.strip():
        raise InputError(None, f"no story text in this {_FORMAT_NAMES[source_format]}")
    return build(draft)


def load(path: Path) -> Story:
    """A story from a file of any supported format; bad input raises `InputError` naming the file."""
    path = Path(path)
    data = read_bytes(path)
    source_format = sniff(path, data)
    if source_format == "epub":
        draft = read_epub(data, path)
    else:
        draft = _draft(check_text(decode(data, path), path), source_format)
    if not draft.text.strip():
        raise InputError(path, f"no story text in this {_FORMAT_NAMES[source_format]}")
    draft.metadata.source_path = str(path)
    return build(draft)
