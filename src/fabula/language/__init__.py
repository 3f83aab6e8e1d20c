"""The language layer: tokens, sentences, tags, lemmas, dependencies and entity mentions.

The story is read in windows (paragraphs, long ones cut at sentence ends) streamed through one
spaCy pipeline with `nlp.pipe`, so memory holds one batch of `Doc`s at a time and grows only
with the compact per-token table (`story._tokens`) and the mentions. Author's notes are never read.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from fabula.language.models import SPANS_KEY, load_pipeline
from fabula.language.tokens import Tokens
from fabula.pipeline import report_progress, stage
from fabula.story import Entity, Span, Story

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.tokens import Span as SpacySpan

__all__ = ["Tokens", "analyse_windows", "run", "windows"]

MAX_WINDOW_CHARS = 5_000
BATCH_SIZE = 64
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SENTENCE_END = re.compile(r"([.!?][\"'”’)\]]*)\s+")
# Whitespace other than a space becomes a space (same length, so offsets hold) to keep
# line-wrapped text from turning into whitespace tokens.
_ODD_SPACE = str.maketrans(dict.fromkeys("\n\r\t\f\v\u00a0", " "))

# Personal pronouns that refer to people (LitBank's coreference layer marks them as PER mentions);
# "it" is left out: it mostly refers to things that are not entities.
_PERSON_PRONOUN_WORDS = (
    "i me my mine myself we us our ours ourselves you your yours yourself yourselves thou thee thy "
    "thine thyself ye he him his himself she her hers herself they them their theirs themselves"
)
PERSON_PRONOUNS = frozenset(_PERSON_PRONOUN_WORDS.split())
_PRONOUN_TAGS = frozenset({"PRP", "PRP$"})


def _split_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut [start, end) into pieces of at most `MAX_WINDOW_CHARS`, at a sentence end where possible."""
    while end - start > MAX_WINDOW_CHARS:
        limit = start + MAX_WINDOW_CHARS
        cut = resume = None
        for match in _SENTENCE_END.finditer(text, start + MAX_WINDOW_CHARS // 2, limit):
            cut, resume = match.end(1), match.end()
        if cut is None or resume is None:
            space = text.rfind(" ", start + 1, limit)
            cut = resume = space if space > start else limit
        yield start, cut
        start = resume
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end


def windows(story: Story) -> Iterator[tuple[int, int]]:
    """Character spans to analyse: story text only, split at paragraph breaks and long-paragraph cuts.

    Paragraph breaks are blank lines, whatever `story.paragraphs` says, so windows never depend
    on ingest having marked paragraphs; leading and trailing whitespace is trimmed.
    """
    text = story.text
    for part in story.story_spans():
        cursor = part.start
        breaks = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text, part.start, part.end)]
        for stop, resume in [*breaks, (part.end, part.end)]:
            chunk = text[cursor:stop]
            lead = len(chunk) - len(chunk.lstrip())
            trimmed = chunk.strip()
            if trimmed:
                yield from _split_long(text, cursor + lead, cursor + lead + len(trimmed))
            cursor = resume


def _kind(span: SpacySpan) -> Literal["PROP", "NOM", "PRON"]:
    if len(span) == 1 and span[0].tag_ in _PRONOUN_TAGS:
        return "PRON"
    root = span.root
    # A capitalised head inside a sentence is a name even where the tagger says NOUN ("His name was Dorian").
    named = root.pos_ == "PROPN" or (root.is_title and not root.is_sent_start)
    return "PROP" if named else "NOM"


def _one_phrase(span: SpacySpan) -> bool:
    """Whether the parse reads the span as one phrase (one word governed from outside it).

    Mentions are phrases; a description that is not one ("The one the guild" out of "The one the
    guild sent back") is a misreading. Names are not held to it: the parser errs inside names more
    often than the entity model does ("Mr." hung on the word before "Mr. Pryce").
    """
    return sum(not span.start <= t.head.i < span.end or t.head.i == t.i for t in span) <= 1


def _add_doc(story: Story, tokens: Tokens, doc: Doc, offset: int) -> None:
    """Append one window's analyses, with offsets shifted to `Story.text`."""
    intern = sys.intern
    index: dict[int, int] = {}
    base = len(tokens)
    for token in doc:
        if not token.is_space:
            index[token.i] = base + len(index)
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space]
        if not words:
            continue
        sentence = len(story.sentences)
        story.sentences.append(Span(start=offset + words[0].idx, end=offset + words[-1].idx + len(words[-1])))
        for t in words:
            tokens.start.append(offset + t.idx)
            tokens.end.append(offset + t.idx + len(t))
            tokens.pos.append(intern(t.pos_))
            tokens.tag.append(intern(t.tag_))
            tokens.lemma.append(intern(t.lemma_))
            tokens.dep.append(intern(t.dep_))
            tokens.head.append(index.get(t.head.i, index[t.i]))
            tokens.sentence.append(sentence)
            if t.tag_ in _PRONOUN_TAGS and t.lower_ in PERSON_PRONOUNS:
                story.entities.append(
                    Entity(
                        start=offset + t.idx,
                        end=offset + t.idx + len(t),
                        label="PER",
                        text=t.text,
                        kind="PRON",
                    )
                )
    for span in doc.spans.get(SPANS_KEY, []):
        kind = _kind(span)
        if kind == "NOM" and not _one_phrase(span):
            continue
        start, end = offset + span.start_char, offset + span.end_char
        story.entities.append(
            Entity(start=start, end=end, label=span.label_, text=story.text[start:end], kind=kind)
        )


def analyse_windows(story: Story, spans: list[tuple[int, int]]) -> Story:
    """Fill sentences, entities and `story._tokens` from the given windows (in text order)."""
    nlp = load_pipeline()
    story.sentences = []
    story.entities = []
    tokens = Tokens()
    total = sum(end - start for start, end in spans) or 1
    done = 0
    texts = (story.text[start:end].translate(_ODD_SPACE) for start, end in spans)
    for (start, end), doc in zip(spans, nlp.pipe(texts, batch_size=BATCH_SIZE), strict=True):
        _add_doc(story, tokens, doc, start)
        done += end - start
        report_progress(done, total)
    story.entities.sort(key=lambda e: (e.start, -e.end, e.label))
    story._tokens = tokens
    return story


@stage("language")
def run(story: Story) -> Story:
    return analyse_windows(story, list(windows(story)))
