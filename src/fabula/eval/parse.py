"""`fabula eval parse`: UPOS accuracy, UAS, LAS and lemma accuracy against a CoNLL-U file.

Scored on the file's own words and sentences (gold tokenization and segmentation, the usual
setting for comparing taggers and parsers), punctuation included, full relation labels
(`nmod:poss` is not `nmod`). Multiword-token lines are skipped: their words are scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from fabula.train.corpora import ConlluSentence, read_conllu

# Given the sentences, return per sentence: UPOS tags, head indices (root -> itself), relations, lemmas.
ParsedSentence = tuple[list[str], list[int], list[str], list[str]]
Parser = Callable[[list[ConlluSentence]], Iterable[ParsedSentence]]


@dataclass(slots=True)
class ParseScores:
    words: int = 0
    upos: int = 0
    uas: int = 0
    las: int = 0
    lemma: int = 0

    def row(self) -> str:
        n = self.words or 1
        upos, uas, las, lemma = (100 * x / n for x in (self.upos, self.uas, self.las, self.lemma))
        return f"words {self.words}  UPOS {upos:.2f}  UAS {uas:.2f}  LAS {las:.2f}  lemma {lemma:.2f}"


def _root_label(label: str) -> str:
    return "root" if label.lower() == "root" else label


def parse_sentences(sentences: list[ConlluSentence]) -> Iterable[ParsedSentence]:
    """Run the shipped tagger and parser on pre-tokenized sentences, one `Doc` per sentence.

    The sentence rule is switched off: each gold sentence is one sentence, as the scores promise.
    """
    from spacy.tokens import Doc

    from fabula.language.models import SENTENCES, load_pipeline

    nlp = load_pipeline()
    docs = (
        Doc(nlp.vocab, words=s.words, spaces=s.spaces, sent_starts=[i == 0 for i in range(len(s.words))])
        for s in sentences
    )
    for doc in nlp.pipe(docs, batch_size=256, disable=[SENTENCES]):
        yield [t.pos_ for t in doc], [t.head.i for t in doc], [t.dep_ for t in doc], [t.lemma_ for t in doc]


def evaluate(sentences: list[ConlluSentence], parse: Parser | None = None) -> ParseScores:
    """Word-level scores; `parse` defaults to the shipped pipeline."""
    parse = parse or parse_sentences
    scores = ParseScores()
    for gold, (upos, heads, deps, lemmas) in zip(sentences, parse(sentences), strict=True):
        for i in range(len(gold.words)):
            scores.words += 1
            scores.upos += upos[i] == gold.upos[i]
            head_ok = heads[i] == gold.heads[i]
            scores.uas += head_ok
            scores.las += head_ok and _root_label(deps[i]) == gold.deprels[i]
            scores.lemma += lemmas[i] == gold.lemmas[i]
    return scores


def register(app: typer.Typer) -> None:
    """Add this scorer's command to the `fabula eval` group."""

    @app.command("parse")
    def parse_command(
        conllu: Annotated[Path, typer.Option(help="A CoNLL-U file, e.g. UD English EWT's dev file.")],
    ) -> None:
        """UPOS accuracy, UAS, LAS and lemma accuracy of the shipped tagger and parser (gold tokens
        and sentences)."""
        scores = evaluate(read_conllu(conllu))
        typer.echo(f"{conllu.name}: {scores.row()}")
