"""The shipped models, joined into one spaCy pipeline, loaded once per process.

spaCy's English tokenizer, a sentence rule, `en_fabula_parser` (fine-tuned all-MiniLM-L6-v2: tags,
lemmas, dependencies; UD English EWT; `fabula.language.encoder`) and `litbank_entities` (nested
mentions; LitBank), whose span categorizer carries its own tok2vec, so it can be sourced in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fabula.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc
    from thinc.api import Ops
    from thinc.types import Ragged

    from fabula.language.encoder import Analysis

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
PARSER = "en_fabula_parser"
ENTITIES = "litbank_entities"
SPANS_KEY = "sc"
SUGGESTER = "fabula.word_ngram_suggester.v1"
SENTENCES = "fabula_sentence_starts"
TAGGER_PARSER = "fabula_tagger_parser"
# The corpus runner uses one process per core; more threads per process only contend.
TORCH_THREADS = 1
MAX_MENTION_TOKENS = 8
# Punctuation that does occur inside LitBank mentions ("O ' Brien", "Saint - Cyr").
_INNER_PUNCT = frozenset({"'", "’", "-", "&"})


def model_path(name: str) -> Path:
    """Where a shipped model lives; a `ModelError` names the command that rebuilds it."""
    path = MODELS_DIR / name
    marker = "weights.safetensors" if name == PARSER else "config.cfg"
    if not (path / marker).is_file():
        recipe = "parser" if name == PARSER else "entities"
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


class TaggerParser:
    """Sets `tag_`, `pos_`, `lemma_`, `head` and `dep_` from `en_fabula_parser`, sentence by sentence.

    Sentences are the ones already marked (the whole doc where none are); the sentences of a
    batch of docs go through the encoder together. Whitespace tokens are not shown to the model:
    they get the tag `_SP` and hang on the previous word of their sentence.
    """

    def __init__(self, path: Path) -> None:
        import torch

        from fabula.language.encoder import Analyser

        torch.set_num_threads(TORCH_THREADS)
        self.analyse = Analyser(path)

    def __call__(self, doc: Doc) -> Doc:
        return next(self.pipe([doc]))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        from spacy.util import minibatch

        for chunk in minibatch(docs, batch_size):  # type: ignore[no-untyped-call]
            sentences = [(doc, words) for doc in chunk for words in _sentence_words(doc)]
            analyses = self.analyse([[doc[i].text for i in words] for doc, words in sentences])
            found: dict[int, list[tuple[list[int], Analysis]]] = {}
            for (doc, words), analysis in zip(sentences, analyses, strict=True):
                found.setdefault(id(doc), []).append((words, analysis))
            for doc in chunk:
                _set_analyses(doc, found.get(id(doc), []))
                yield doc
            release_freed_memory()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, where the C library has one."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    return trim


def release_freed_memory() -> None:
    """Hand the heap's free pages back to the system after a batch.

    The encoder's activations differ in shape from batch to batch, and glibc keeps what they free:
    on a 441k-token novel the process peaked at 1,863 MB without this; per batch it costs ~3% CPU
    and lowered the language stage's peak on *Persuasion* from 1,224 to 1,007 MB.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _make_tagger_parser(nlp: Language, name: str, path: str) -> TaggerParser:
    return TaggerParser(Path(path))


def _sentence_words(doc: Doc) -> Iterator[list[int]]:
    """Token indices of each sentence's words (whitespace tokens left out; empty sentences skipped)."""
    spans = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
    for sent in spans:
        words = [t.i for t in sent if not t.is_space]
        if words:
            yield words


def _set_analyses(doc: Doc, analyses: list[tuple[list[int], Analysis]]) -> None:
    """Write the analyses into `doc` in one `from_array` (heads as offsets, strings as ids)."""
    import numpy as np
    from spacy.attrs import DEP, HEAD, LEMMA, POS, TAG

    strings = doc.vocab.strings
    values = np.zeros((len(doc), 5), dtype=np.uint64)
    wrap = (1 << 64) - 1  # head offsets are stored as uint64, negative ones wrapped
    attached = np.zeros(len(doc), dtype=bool)
    for words, analysis in analyses:
        for k, i in enumerate(words):
            head = words[analysis.heads[k]]
            label = "ROOT" if head == i else analysis.deprels[k]
            values[i] = (
                strings.add(analysis.xpos[k]),
                strings[analysis.upos[k]],
                strings.add(analysis.lemmas[k]),
                (head - i) & wrap,
                strings.add(label),
            )
            attached[i] = True
    previous = -1
    for token in doc:
        if attached[token.i]:
            previous = token.i
            continue
        # A whitespace token hangs on the previous word of its sentence, else stands alone.
        head = previous if previous >= 0 and not token.is_sent_start else token.i
        label = "ROOT" if head == token.i else "dep"
        values[token.i] = (
            strings.add("_SP"),
            strings["SPACE"],
            strings.add(token.text),
            (head - token.i) & wrap,
            strings.add(label),
        )
    doc.from_array([TAG, POS, LEMMA, HEAD, DEP], values)  # type: ignore[arg-type]


@functools.cache
def load_pipeline() -> Language:
    """Tokenizer, sentence rule, tags/lemmas/parse and entity spans in one pipeline (cached per process)."""
    import spacy
    from spacy.language import Language
    from spacy.util import registry

    registry.misc.register(SUGGESTER, func=_make_suggester)
    parser_path = model_path(PARSER)
    Language.component(SENTENCES, func=mark_sentence_starts)
    Language.factory(TAGGER_PARSER, default_config={"path": ""}, func=_make_tagger_parser)
    nlp = spacy.blank("en")
    nlp.add_pipe(SENTENCES)
    nlp.add_pipe(TAGGER_PARSER, config={"path": str(parser_path)})
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
