"""Readers for the annotated corpora under ../shared/data, shared by training and evaluation.

LitBank and CoNLL-U are read straight from the datasets' own files, so scores and training data
never depend on an intermediate conversion that could drift.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fabula.errors import InputError

ENTITY_SPLITS_DIR = Path("splits") / "naacl2019_entities_80-10-10"

# A mention: (first token, last token + 1, label), token indices over the whole document.
Mention = tuple[int, int, str]


@dataclass(slots=True)
class LitBankDoc:
    """One LitBank excerpt: its sentences of tokens and its gold mentions."""

    doc_id: str
    sentences: list[list[str]]
    entities: set[Mention] = field(default_factory=set)
    # Coreference-layer mentions with their kind: (start, end, label, PROP|NOM|PRON).
    coref_mentions: set[tuple[int, int, str, str]] = field(default_factory=set)

    @property
    def words(self) -> list[str]:
        return [w for sentence in self.sentences for w in sentence]

    def sentence_starts(self) -> list[int]:
        """Token index at which each sentence starts (plus the total, as a sentinel)."""
        starts = [0]
        for sentence in self.sentences:
            starts.append(starts[-1] + len(sentence))
        return starts


def _bio_spans(tags: list[str]) -> Iterator[Mention]:
    """Spans of one BIO layer; an I- that does not continue a span starts one."""
    start: int | None = None
    label = ""
    for i, tag in enumerate([*tags, "O"]):
        inside = tag.startswith("I-") and start is not None and tag[2:] == label
        if inside:
            continue
        if start is not None:
            yield (start, i, label)
            start = None
        if tag != "O" and tag:
            start, label = i, tag[2:]


def read_entity_tsv(path: Path) -> LitBankDoc:
    """A LitBank entities/tsv file: token, then one BIO column per nesting layer."""
    sentences: list[list[str]] = []
    layers: list[list[str]] = []
    current: list[str] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from None
    for line in lines:
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        cols = line.rstrip("\t").split("\t")
        current.append(cols[0])
        for depth, tag in enumerate(cols[1:]):
            while len(layers) <= depth:
                layers.append([])
            column = layers[depth]
            column.extend(["O"] * (sum(map(len, sentences)) + len(current) - 1 - len(column)))
            column.append(tag)
    if current:
        sentences.append(current)
    total = sum(map(len, sentences))
    doc = LitBankDoc(doc_id=path.name.removesuffix(".tsv"), sentences=sentences)
    for column in layers:
        column.extend(["O"] * (total - len(column)))
        doc.entities.update(_bio_spans(column))
    return doc


def read_coref_mentions(path: Path, doc: LitBankDoc) -> None:
    """Add the coreference layer's mentions (coref/tsv `*.ann`) to `doc`, as token spans."""
    starts = doc.sentence_starts()
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if cols[0] != "MENTION" or len(cols) < 9:
            continue
        s_sent, s_tok, e_sent, e_tok = (int(c) for c in cols[2:6])
        start = starts[s_sent] + s_tok
        end = starts[e_sent] + e_tok + 1
        doc.coref_mentions.add((start, end, cols[7], cols[8]))


def split_ids(litbank: Path, split: str) -> list[str]:
    """Document ids of one NAACL-2019 entity split (train, dev)."""
    path = litbank / ENTITY_SPLITS_DIR / f"{split}.ids"
    if not path.is_file():
        raise InputError(path, f"no such split file; is {litbank} LitBank's root directory?")
    return [line.strip().removesuffix(".tsv") for line in path.read_text().splitlines() if line.strip()]


def read_litbank(litbank: Path, split: str, *, with_coref: bool = False) -> list[LitBankDoc]:
    """The documents of one split, with their nested entities (and coref mentions if asked)."""
    docs = []
    for doc_id in split_ids(litbank, split):
        doc = read_entity_tsv(litbank / "entities" / "tsv" / f"{doc_id}.tsv")
        coref = litbank / "coref" / "tsv" / f"{doc_id}.ann"
        if with_coref and coref.is_file():
            read_coref_mentions(coref, doc)
        docs.append(doc)
    return docs


@dataclass(slots=True)
class ConlluSentence:
    """One sentence of a CoNLL-U file, syntactic words only (multiword token lines dropped)."""

    words: list[str]
    spaces: list[bool]
    upos: list[str]
    heads: list[int]  # 0-based index of the head; a root points to itself
    deprels: list[str]
    xpos: list[str] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)


def read_conllu(path: Path) -> list[ConlluSentence]:
    """Sentences of a CoNLL-U file; empty nodes and multiword-token lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from None
    sentences: list[ConlluSentence] = []
    rows: list[list[str]] = []
    for lineno, line in enumerate([*text.splitlines(), ""], start=1):
        if not line.strip():
            if rows:
                sentences.append(_conllu_sentence(rows))
                rows = []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise InputError(path, f"line {lineno}: expected 10 tab-separated columns, got {len(cols)}")
        if cols[0].isdigit():
            rows.append(cols)
    return sentences


def _conllu_sentence(rows: list[list[str]]) -> ConlluSentence:
    heads = [int(r[6]) - 1 if r[6] != "0" else i for i, r in enumerate(rows)]
    return ConlluSentence(
        words=[r[1] for r in rows],
        spaces=["SpaceAfter=No" not in r[9] for r in rows],
        upos=[r[3] for r in rows],
        heads=heads,
        deprels=[r[7] for r in rows],
        xpos=[r[4] for r in rows],
        lemmas=[r[2] for r in rows],
    )
