"""Ingest: any supported file (or a string) into a `Story` with its structure marked.

PLACEHOLDER: replaced by the ingest work (formats, encodings, structure).
"""

from __future__ import annotations

from pathlib import Path

from fabula.errors import InputError
from fabula.story import Story

SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".epub"}


def from_text(text: str, *, source_format: str = "text") -> Story:
    story = Story(text=text)
    story.metadata.source_format = source_format
    return story


def load(path: Path) -> Story:
    if not path.is_file():
        raise InputError(path, "no such file")
    return from_text(path.read_text(encoding="utf-8"))
