"""Training recipes: rebuild the shipped models from ../shared/data.

The two CNN candidates of docs/models.md, which no longer ship: each recipe converts the corpus into
spaCy's binary format under a work directory and runs `spacy train` with a config committed beside
this file; the best checkpoint stays in the work directory (`<work>/<name>/out/model-best`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from fabula.errors import InputError
from fabula.train.corpora import LitBankDoc, read_litbank

CONFIGS = Path(__file__).parent / "configs"
EWT_DIR = "ud_english_ewt"
SENTENCES_PER_DOC = 10


def litbank_docbin(docs: Iterable[LitBankDoc], path: Path) -> int:
    """Write LitBank documents as spaCy Docs of `SENTENCES_PER_DOC` sentences with all nested spans."""
    from spacy.tokens import Doc, DocBin, Span
    from spacy.vocab import Vocab

    vocab = Vocab()
    out = DocBin(store_user_data=False)
    count = 0
    for lit in docs:
        starts = lit.sentence_starts()
        by_start = sorted(lit.entities)
        for first in range(0, len(lit.sentences), SENTENCES_PER_DOC):
            sentences = lit.sentences[first : first + SENTENCES_PER_DOC]
            lo, hi = starts[first], starts[first + len(sentences)]
            words = [w for s in sentences for w in s]
            sent_starts: list[bool | int | None] = [i == 0 for s in sentences for i in range(len(s))]
            doc = Doc(vocab, words=words, sent_starts=sent_starts)
            doc.spans["sc"] = [
                Span(doc, s - lo, e - lo, label) for s, e, label in by_start if lo <= s and e <= hi
            ]
            out.add(doc)
            count += 1
    out.to_disk(path)
    return count


def _prepare_entities(data: Path, work: Path) -> dict[str, Path]:
    litbank = data / "litbank"
    paths = {}
    for split in ("train", "dev"):
        paths[split] = work / f"litbank-{split}.spacy"
        litbank_docbin(read_litbank(litbank, split), paths[split])
    return paths


def _prepare_core(data: Path, work: Path) -> dict[str, Path]:
    from spacy.tokens import DocBin
    from spacy.training.converters import conllu_to_docs  # type: ignore[attr-defined]

    paths = {}
    for split in ("train", "dev"):
        source = data / EWT_DIR / f"en_ewt-ud-{split}.conllu"
        if not source.is_file():
            raise InputError(source, "UD English EWT file not found; pass --data ../shared/data")
        # Multiword tokens ("don't") become one gold token, as `spacy convert -T` makes them.
        docs = conllu_to_docs(  # type: ignore[no-untyped-call]
            source.read_text(encoding="utf-8"), n_sents=SENTENCES_PER_DOC, merge_subtokens=True, no_print=True
        )
        paths[split] = work / f"ewt-{split}.spacy"
        DocBin(docs=list(docs), store_user_data=False).to_disk(paths[split])
    return paths


RECIPES: dict[str, Callable[[Path, Path], dict[str, Path]]] = {
    "core": _prepare_core,  # tagger, parser, lemmatizer on EWT
    "entities-cnn": _prepare_entities,  # nested entity spans on LitBank
}


def train(name: str, data: Path, work: Path, *, threads: int = 1) -> Path:
    """Run one recipe end to end; returns its best checkpoint."""
    from spacy.cli.train import train as spacy_train

    prepare = RECIPES[name]
    work = work / name
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    paths = prepare(data, work)
    spacy_train(
        CONFIGS / f"{name}.cfg",
        work / "out",
        overrides={"paths.train": str(paths["train"]), "paths.dev": str(paths["dev"])},
    )
    return work / "out" / "model-best"
