"""The shipped models, joined into one spaCy pipeline, loaded once per process.

spaCy's English tokenizer, a sentence rule, then one component for `en_fabula_parser` (fine-tuned
all-MiniLM-L6-v2: tags, lemmas, dependencies; UD English EWT; `fabula.language.encoder`) and
`litbank_entities` (nested mentions; LitBank; `fabula.language.entities`), a branch of the same
encoder, so the two share one encoder pass.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from fabula.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from fabula.language.encoder import Analysis

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
PARSER = "en_fabula_parser"
ENTITIES = "litbank_entities"
SPANS_KEY = "sc"
SENTENCES = "fabula_sentence_starts"
TAGGER_PARSER = "fabula_tagger_parser"
# The corpus runner uses one process per core; more threads per process only contend.
TORCH_THREADS = 1


def model_path(name: str) -> Path:
    """Where a shipped model lives; a `ModelError` names the command that rebuilds it."""
    path = MODELS_DIR / name
    if not (path / "weights.safetensors").is_file():
        recipe = "parser" if name == PARSER else "entities"
        raise ModelError(
            f"model {name} is missing at {path}; "
            f"rebuild it with `fabula train {recipe} --data ../shared/data`"
        )
    return path


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


class TaggerParser:
    """Sets `tag_`, `pos_`, `lemma_`, `head`, `dep_` and the entity spans, sentence by sentence.

    Sentences are the ones already marked (the whole doc where none are); the sentences of a
    batch of docs go through the encoder together. Whitespace tokens are not shown to the model:
    they get the tag `_SP` and hang on the previous word of their sentence.
    """

    def __init__(self, path: Path, entities: Path) -> None:
        import torch

        from fabula.language.encoder import Analyser

        torch.set_num_threads(TORCH_THREADS)
        self.analyse = Analyser(path, entities=entities)

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


def _make_tagger_parser(nlp: Language, name: str, path: str, entities: str) -> TaggerParser:
    return TaggerParser(Path(path), Path(entities))


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
    from spacy.tokens import Span

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
    doc.spans[SPANS_KEY] = [
        Span(doc, words[start], words[end - 1] + 1, label)
        for words, analysis in analyses
        for start, end, label in analysis.entities
    ]


def _infixes_keeping_hyphenated_words() -> re.Pattern[str]:
    """spaCy's English infixes, except that a single hyphen between letters does not split a word.

    LitBank, like the Penn Treebank, keeps "passers-by", "river-side" and "Mary-Jane" whole (about
    1,200 such tokens against 17 split ones); spaCy splits them, so no mention that holds one could
    match. Dashes ("word--word", "word—word") still split, and also beside punctuation and quotes,
    where spaCy keeps them ("Jane?--Do", "Churchill--'Every" were one token each, and so names).
    """
    from spacy.lang.char_classes import ALPHA, HYPHENS
    from spacy.lang.en import English
    from spacy.util import compile_infix_regex

    rules = [rule for rule in English.Defaults.infixes if f"(?:{HYPHENS})" not in rule]
    if len(rules) != len(English.Defaults.infixes) - 1:
        raise RuntimeError("spaCy's English hyphen infix rule has changed; revisit this tokenizer")
    dash = r"-{2,}|[–—―]"
    return compile_infix_regex(
        [
            dash,
            rf"(?<=[{ALPHA}0-9])~(?=[{ALPHA}])",
            # Empty matches split without making a token: "Jane?--Do" is Jane ? -- Do.
            rf"(?<=[{ALPHA}0-9])(?=[?!.,;:](?:{dash}))",
            r"(?<=[-–—―])(?=['\"“‘])",
            rf"(?<=[-–—―]['\"“‘])(?=[{ALPHA}])",
            *rules,
        ]
    )


@functools.cache
def load_pipeline() -> Language:
    """Tokenizer, sentence rule, and tags/lemmas/parse/entity spans in one pipeline (cached per process)."""
    import spacy
    from spacy.language import Language

    paths = {"path": str(model_path(PARSER)), "entities": str(model_path(ENTITIES))}
    Language.component(SENTENCES, func=mark_sentence_starts)
    Language.factory(TAGGER_PARSER, default_config={"path": "", "entities": ""}, func=_make_tagger_parser)
    from spacy.tokenizer import Tokenizer

    nlp = spacy.blank("en")
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, Tokenizer)  # spaCy's own: blank("en") makes no other
    tokenizer.infix_finditer = _infixes_keeping_hyphenated_words().finditer
    nlp.add_pipe(SENTENCES)
    nlp.add_pipe(TAGGER_PARSER, config=paths)
    return nlp
