"""Plain text: already the story's text, so only Gutenberg wrapping is removed before structure."""

from __future__ import annotations

from fabula.ingest import gutenberg
from fabula.ingest.structure import Draft
from fabula.story import Metadata


def read_text(text: str) -> Draft:
    if gutenberg.is_gutenberg(text):
        body, metadata = gutenberg.strip(text)
        metadata.source_format = "gutenberg"
        return Draft(text=body, metadata=metadata)
    return Draft(text=text, metadata=Metadata(source_format="text"))
