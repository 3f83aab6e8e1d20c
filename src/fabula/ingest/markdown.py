"""Markdown: markup stripped to plain paragraphs; headings become chapters, thematic breaks scene breaks.

Fiction is not documentation, so the parser is told so: indented paragraphs are prose, not code
blocks; `~~~` is a scene break, not a code fence; a paragraph over `---` is a paragraph and a
break, not a heading.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from selectolax.lexbor import LexborHTMLParser

from fabula.ingest.render import BREAK, Block, draft_from_blocks, paragraphs_of
from fabula.ingest.structure import Draft
from fabula.story import Metadata

_PARSER = MarkdownIt("commonmark").disable(["code", "fence", "lheading"])
_FRONT_MATTER = re.compile(r"\A---\n((?:[A-Za-z_][\w-]*\s*:.*\n)+)---\n")


def _inline(token: Token) -> str:
    pieces: list[str] = []
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            pieces.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            pieces.append("\n")
    return "\n".join(paragraphs_of("".join(pieces)))


def _front_matter(source: str, metadata: Metadata) -> str:
    """Take `title:`/`author:` from a YAML front-matter block and drop the block."""
    match = _FRONT_MATTER.match(source)
    if not match:
        return source
    for line in match.group(1).splitlines():
        key, _, value = line.partition(":")
        value = value.strip().strip("\"'")
        if key.strip().lower() in {"title", "author", "language", "url", "rating", "summary"} and value:
            setattr(metadata, key.strip().lower(), value)
    return source[match.end() :]


def markdown_blocks(source: str) -> list[Block]:
    blocks: list[Block] = []
    tokens = _PARSER.parse(source)
    for index, token in enumerate(tokens):
        if token.type == "hr":
            blocks.append(Block(BREAK, "break"))
        elif token.type == "inline" and index > 0:
            opener = tokens[index - 1]
            text = _inline(token)
            if opener.type == "heading_open":
                blocks.append(Block(text, opener.tag) if text else Block(BREAK, "break"))
            elif text:
                blocks.append(Block(text))
        elif token.type == "html_block":
            text = LexborHTMLParser(token.content).text(separator="\n") if token.content.strip() else ""
            blocks.extend(Block(p) for p in paragraphs_of(text))
    return blocks


def read_markdown(source: str) -> Draft:
    metadata = Metadata(source_format="markdown")
    return draft_from_blocks(markdown_blocks(_front_matter(source, metadata)), metadata)
