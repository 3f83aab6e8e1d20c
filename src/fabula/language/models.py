"""The shipped spaCy pipelines, loaded once per process.

`en_fabula_core` (tagger, morphologizer, parser, lemmatizer; UD English EWT) and
`litbank_entities` (nested mentions; LitBank) are trained separately and joined here: the
entity component carries its own tok2vec, so it can be sourced into the core pipeline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fabula.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from thinc.api import Ops
    from thinc.types import Ragged

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
CORE = "en_fabula_core"
ENTITIES = "litbank_entities"
SPANS_KEY = "sc"
SUGGESTER = "fabula.word_ngram_suggester.v1"
SENTENCES = "fabula_sentence_starts"
MAX_MENTION_TOKENS = 8
# Punctuation that does occur inside LitBank mentions ("O ' Brien", "Saint - Cyr").
_INNER_PUNCT = frozenset({"'", "’", "-", "&"})


def model_path(name: str) -> Path:
    """Where a shipped model lives; a `ModelError` names the command that rebuilds it."""
    path = MODELS_DIR / name
    if not (path / "config.cfg").is_file():
        recipe = "core" if name == CORE else "entities"
        raise ModelError(
            f"model {name} is missing at {path}; "
            f"rebuild it with `fabula train {recipe} --data ../shared/data`"
        )
    return path


def word_ngram_suggester(docs: Iterable[Doc], sizes: list[int], *, ops: Ops | None = None) -> Ragged:
    """Spans of 1..N tokens that hold no punctuation token (but apostrophes and hyphens).

    spaCy's n-gram suggester offers every span; many hold a comma, quote or full stop, which
    LitBank's mentions almost never do, so scoring them costs time and precision.
    """
    import numpy as np
    from thinc.api import get_current_ops
    from thinc.types import Ragged

    ops = ops or get_current_ops()
    spans: list[np.ndarray] = []
    lengths = []
    for doc in docs:
        bad = np.fromiter((t.is_punct and t.text not in _INNER_PUNCT for t in doc), dtype="i", count=len(doc))
        total = np.concatenate([[0], np.cumsum(bad)])
        found = 0
        for size in sizes:
            starts = np.arange(max(len(doc) - size + 1, 0), dtype="i")
            starts = starts[total[starts + size] == total[starts]]
            spans.append(np.stack([starts, starts + size], axis=1).astype("i"))
            found += len(starts)
        lengths.append(found)
    data: Any = np.concatenate(spans) if spans else np.zeros((0, 2), dtype="i")
    return Ragged(ops.asarray2i(data), ops.asarray1i(lengths))


_OPENING_QUOTES = frozenset("\"'“‘«(")
_CLOSING_MARKS = frozenset("\"'”’»)]")


def mark_sentence_starts(doc: Doc) -> Doc:
    """Fix sentence boundaries before the parser runs, which then respects them.

    A sentence ends at . ! ? or … (with any closing quote or bracket attached) that is followed by a
    capital, a digit or an opening quote, or at a line break. The parser alone, trained on EWT, splits
    fiction mid-clause ("Mara Vance married | Jon Hale ...") and after every quoted exclamation
    ("“Go!” | she said."); abbreviations such as "Mr." are single tokens and never end a sentence.
    """
    pending = True
    for i, token in enumerate(doc):
        if token.is_space:
            pending = pending or "\n" in token.text
            token.is_sent_start = i == 0
            continue
        attached = i > 0 and not doc[i - 1].whitespace_
        first = token.text[0]
        if pending and attached and first in _CLOSING_MARKS:
            token.is_sent_start = i == 0
            continue
        opens = first.isupper() or first.isdigit() or (first in _OPENING_QUOTES and not attached)
        token.is_sent_start = i == 0 or (pending and opens)
        pending = token.is_punct and token.text[-1] in ".!?…"
    return doc


def _make_suggester(sizes: list[int]) -> Callable[..., Ragged]:
    return functools.partial(word_ngram_suggester, sizes=sizes)


@functools.cache
def load_pipeline() -> Language:
    """Tokenizer, tagger, parser, lemmatizer and entity spans in one pipeline (cached per process)."""
    import spacy
    from spacy.language import Language
    from spacy.util import registry

    registry.misc.register(SUGGESTER, func=_make_suggester)
    nlp = spacy.load(model_path(CORE))
    Language.component(SENTENCES, func=mark_sentence_starts)
    nlp.add_pipe(SENTENCES, before="parser")
    suggester = {"@misc": SUGGESTER, "sizes": list(range(1, MAX_MENTION_TOKENS + 1))}
    entities = spacy.load(model_path(ENTITIES), config={"components": {"spancat": {"suggester": suggester}}})
    nlp.add_pipe("spancat", source=entities)
    return nlp


def set_entity_threshold(threshold: float) -> None:
    """Change the span classifier's decision threshold in this process (used to tune it on dev)."""
    from spacy.pipeline import SpanCategorizer

    spancat = load_pipeline().get_pipe("spancat")
    assert isinstance(spancat, SpanCategorizer)
    spancat.cfg["threshold"] = threshold
