"""LitBank coreference documents as `Mention` lists with gold clusters, for training and scoring.

Gold clusters come from `coref/conll` (the files the published scores use); mention types and
entity labels from `coref/tsv/*.ann`. A document's text is its tokens joined by spaces, one
sentence a line, so character offsets and token offsets convert exactly.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from fabula.characters.mentions import Kind, Mention, QuoteSpan, assign_quotes, pronoun, sentence_quotes
from fabula.errors import InputError

_CONLL_OPEN = re.compile(r"\((\d+)")
_CONLL_CLOSE = re.compile(r"(\d+)\)")


@dataclass
class Document:
    name: str
    text: str
    sentence_starts: list[int]
    paragraph_starts: list[int]
    token_spans: list[list[tuple[int, int]]]
    mentions: list[Mention]
    gold: list[int]
    labels: list[str]  # the annotated entity type of each mention, pronouns included
    quotes: list[QuoteSpan]

    def sentence_of(self, offset: int) -> int:
        return bisect_right(self.sentence_starts, offset) - 1


def paragraph_starts(text: str, token_spans: list[list[tuple[int, int]]], original: str) -> list[int]:
    """Where paragraphs start in `text`, found by aligning its tokens with the original book.

    LitBank's excerpts are tokenized one sentence a line; the Gutenberg original keeps the blank
    lines between paragraphs, which quote and speaker handling need.
    """
    chars: list[str] = []
    paragraph: list[int] = []
    current = 0
    for match in re.finditer(r"\n[ \t]*\n\s*|\S", original):
        if match.group().isspace():
            current += 1
        else:
            chars.append(match.group())
            paragraph.append(current)
    starts: list[int] = []
    pos, last = 0, -1
    for start, end in (span for row in token_spans for span in row):
        found = None
        for char in text[start:end]:
            k = pos
            while k < min(len(chars), pos + 8) and chars[k] != char:
                k += 1
            if k < len(chars) and chars[k] == char:
                found = paragraph[k] if found is None else found
                pos = k + 1
        if found is not None and found != last:
            starts.append(start)
            last = found
    return starts


def _guess_kind(text: str) -> Kind:
    if pronoun(text):
        return "PRON"
    words = [w for w in text.split() if w.lower() not in {"the", "a", "an"}]
    return "PROP" if words and words[0][:1].isupper() else "NOM"


def read_conll(path: Path) -> tuple[list[list[str]], dict[tuple[int, int, int], int]]:
    sentences: list[list[str]] = [[]]
    spans: dict[tuple[int, int, int], int] = {}
    stacks: dict[int, list[tuple[int, int]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 12:
            if sentences[-1]:
                sentences.append([])
            continue
        s, t = len(sentences) - 1, len(sentences[-1])
        sentences[-1].append(cols[3])
        tag = cols[12].strip() if len(cols) > 12 else ""
        for part in tag.split("|") if tag and tag != "_" else ():
            for entity in _CONLL_OPEN.findall(part):
                stacks.setdefault(int(entity), []).append((s, t))
            for entity in _CONLL_CLOSE.findall(part):
                start_s, start_t = stacks[int(entity)].pop()
                if start_s != s:
                    raise InputError(path, f"mention of entity {entity} crosses a sentence boundary")
                spans[(s, start_t, t)] = int(entity)
    if not sentences[-1]:
        sentences.pop()
    return sentences, spans


def _read_types(path: Path) -> dict[tuple[int, int, int], tuple[str, Kind]]:
    types: dict[tuple[int, int, int], tuple[str, Kind]] = {}
    if not path.is_file():
        return types
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if (
            cols[0] == "MENTION"
            and len(cols) >= 9
            and cols[2] == cols[4]
            and cols[8] in {"PROP", "NOM", "PRON"}
        ):
            types[(int(cols[2]), int(cols[3]), int(cols[5]))] = (cols[7], cols[8])  # type: ignore[assignment]
    return types


def load_document(root: Path, name: str) -> Document:
    """Read one document by its id (e.g. `105_persuasion_brat`) from a LitBank checkout."""
    conll = root / "coref" / "conll" / f"{name}.conll"
    if not conll.is_file():
        raise InputError(conll, "no such LitBank coreference file; is --litbank the LitBank directory?")
    sentences, spans = read_conll(conll)
    types = _read_types(root / "coref" / "tsv" / f"{name}.ann")
    text_parts: list[str] = []
    starts: list[int] = []
    token_spans: list[list[tuple[int, int]]] = []
    offset = 0
    for tokens in sentences:
        starts.append(offset)
        row = []
        for token in tokens:
            row.append((offset, offset + len(token)))
            offset += len(token) + 1
        token_spans.append(row)
        text_parts.append(" ".join(tokens))
    text = "\n".join(text_parts)
    original = root / "original" / f"{name.removesuffix('_brat')}.txt"
    paragraphs = (
        paragraph_starts(text, token_spans, original.read_text(encoding="utf-8"))
        if original.is_file()
        else []
    )
    mentions: list[Mention] = []
    gold: list[int] = []
    labels: list[str] = []
    for (s, a, b), entity in sorted(spans.items()):
        start, end = token_spans[s][a][0], token_spans[s][b][1]
        label, kind = types.get((s, a, b), ("", _guess_kind(text[start:end])))
        paragraph = bisect_right(paragraphs, start) - 1 if paragraphs else -1
        mentions.append(
            Mention(
                start,
                end,
                text[start:end],
                kind,
                s,
                label if label and kind != "PRON" else None,
                -1,
                paragraph,
            )
        )
        gold.append(entity)
        labels.append(label)
    quotes = sentence_quotes(text, starts, paragraphs)
    assign_quotes(mentions, quotes)
    return Document(name, text, starts, paragraphs or [0], token_spans, mentions, gold, labels, quotes)


def fold_ids(root: Path, fold: int, part: str) -> list[str]:
    """Document ids of one part (train, dev, test) of one of LitBank's ten coreference folds."""
    path = root / "splits" / "lrec2020_coref_10fold" / str(fold) / f"{part}.ids"
    if not path.is_file():
        raise InputError(path, "no such split file; is --litbank the LitBank directory?")
    return [line.strip().removesuffix(".tsv") for line in path.read_text().splitlines() if line.strip()]
