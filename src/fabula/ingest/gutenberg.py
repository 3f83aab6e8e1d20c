"""Project Gutenberg plain texts: the book between the licence header and footer, and its metadata.

Everything before "*** START OF THE PROJECT GUTENBERG EBOOK ... ***" and from "*** END OF ..."
on is licence and catalogue text, never story, so it is cut before structure is looked for.
"""

from __future__ import annotations

import re

from fabula.story import Metadata

_START = re.compile(
    r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK[^\n]*$", re.IGNORECASE | re.MULTILINE
)
_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK", re.IGNORECASE | re.MULTILINE)
_FIELD = re.compile(r"^(Title|Author|Language|Release [Dd]ate|Credits)\s*:\s*(.+)$", re.MULTILINE)
_PRODUCER = re.compile(
    r"\A\s*(?:Produced by|E-?text prepared by|Transcribed (?:from|by)|Credits:)[^\n]*(?:\n[^\n]+)*\n*",
    re.IGNORECASE,
)


def is_gutenberg(text: str) -> bool:
    return _START.search(text) is not None


def strip(text: str) -> tuple[str, Metadata]:
    """The book itself and what the header says about it (title, author, language)."""
    start = _START.search(text)
    header = text[: start.start()] if start else ""
    body = text[start.end() :] if start else text
    end = _END.search(body)
    if end:
        body = body[: end.start()]
    body = _PRODUCER.sub("", body).strip("\n")
    fields = {name.lower(): value.strip() for name, value in _FIELD.findall(header)}
    metadata = Metadata(
        title=fields.get("title"),
        author=fields.get("author"),
        language=fields.get("language"),
    )
    if "release date" in fields:
        metadata.stats["Released"] = fields["release date"]
    return body, metadata
