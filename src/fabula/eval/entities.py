"""`fabula eval entities`: exact-span nested-entity scores on LitBank, read from its own files.

Each excerpt's tokens are joined with spaces (a line per sentence) and analysed by the language
stage as any story would be: its own tokenizer, windows and sentence splitter. A predicted mention
counts only if its character span maps onto exactly the gold tokens and its label matches.
Beside the NAACL-2019 score (proper names and nominals, every nesting layer), mentions are also
scored against the coreference layer's PROP/NOM/PRON mentions, pronouns included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import typer

from fabula.language.entities import LABELS as ENTITY_LABELS
from fabula.story import Entity
from fabula.train.corpora import LitBankDoc, read_litbank

# (start token, end token, label, kind) with kind in PROP/NOM/PRON.
TokenMention = tuple[int, int, str, str]
Predictor = Callable[[str], list[Entity]]
KINDS = ("PROP", "NOM", "PRON")


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class Scores:
    """Counts per row (a label or a kind) and micro-averaged over all mentions."""

    rows: dict[str, Counts] = field(default_factory=dict)
    overall: Counts = field(default_factory=Counts)

    def add(self, gold: set[TokenMention], predicted: set[TokenMention], by: Literal[2, 3]) -> None:
        """Count one document. Mentions match on (start, end, label); a hit or a miss goes to the
        row of the gold mention's field `by`, a false alarm to the row of the predicted one's."""
        gold_keys = {m[:3]: m for m in gold}
        pred_keys = {m[:3]: m for m in predicted}
        for key, mention in gold_keys.items():
            counts = self.rows.setdefault(mention[by], Counts())
            if key in pred_keys:
                counts.tp += 1
                self.overall.tp += 1
            else:
                counts.fn += 1
                self.overall.fn += 1
        for key, mention in pred_keys.items():
            if key not in gold_keys:
                self.rows.setdefault(mention[by], Counts()).fp += 1
                self.overall.fp += 1

    def table(self, order: Iterable[str]) -> str:
        lines = [f"{'':8}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}{'pred':>7}"]
        rows = [(name, self.rows[name]) for name in order if name in self.rows]
        for name, c in [*rows, ("overall", self.overall)]:
            lines.append(
                f"{name:8}{100 * c.precision:7.2f}{100 * c.recall:7.2f}{100 * c.f1:7.2f}"
                f"{c.tp + c.fn:7d}{c.tp + c.fp:7d}"
            )
        return "\n".join(lines)


def detokenized(doc: LitBankDoc) -> tuple[str, list[int], list[int]]:
    """The excerpt as text (tokens joined by spaces, a line per sentence) and each token's offsets."""
    starts: list[int] = []
    ends: list[int] = []
    cursor = 0
    for sentence in doc.sentences:
        for word in sentence:
            starts.append(cursor)
            ends.append(cursor + len(word))
            cursor += len(word) + 1
    return "\n".join(" ".join(sentence) for sentence in doc.sentences), starts, ends


def to_token_mentions(entities: Iterable[Entity], starts: list[int], ends: list[int]) -> set[TokenMention]:
    """Map character spans to token spans; a span that cuts a gold token can never match (-1)."""
    first = {offset: i for i, offset in enumerate(starts)}
    last = {offset: i + 1 for i, offset in enumerate(ends)}
    return {(first.get(e.start, -1), last.get(e.end, -1), e.label, e.kind or "NOM") for e in entities}


def analyse_text(text: str) -> list[Entity]:
    """The language stage's entities for a plain text."""
    from fabula.language import run
    from fabula.story import Story

    return run(Story(text=text)).entities


@dataclass(slots=True)
class EntityReport:
    entities: Scores
    mentions: Scores
    documents: int


def evaluate(docs: Iterable[LitBankDoc], predict: Predictor | None = None) -> EntityReport:
    """Nested entities (no pronouns) by label, and coreference-layer mentions by kind.

    `predict` maps a text to its entities; by default, the language stage.
    """
    predict = predict or analyse_text
    entities, mentions = Scores(), Scores()
    count = 0
    for doc in docs:
        text, starts, ends = detokenized(doc)
        predicted = to_token_mentions(predict(text), starts, ends)
        gold = {(s, e, label, "") for s, e, label in doc.entities}
        entities.add(gold, {m for m in predicted if m[3] != "PRON"}, by=2)
        if doc.coref_mentions:
            mentions.add(doc.coref_mentions, predicted, by=3)
        count += 1
    return EntityReport(entities, mentions, count)


def register(app: typer.Typer) -> None:
    """Add this scorer's command to the `fabula eval` group."""

    @app.command("entities")
    def entities_command(
        litbank: Annotated[Path, typer.Option(help="LitBank's root directory (entities/, coref/, splits/).")],
        split: Annotated[str, typer.Option(help="NAACL-2019 entity split: train or dev.")] = "dev",
        limit: Annotated[int, typer.Option(help="Score only the first N documents (0: all).")] = 0,
    ) -> None:
        """Exact-span nested-entity P/R/F1 per label, and mention P/R/F1 with pronouns per kind."""
        docs = read_litbank(litbank, split, with_coref=True)
        report = evaluate(docs[:limit] if limit else docs)
        typer.echo(f"LitBank {split}: {report.documents} documents")
        typer.echo("nested entities (PROP+NOM, exact span and label):")
        typer.echo(report.entities.table(ENTITY_LABELS))
        if report.mentions.overall.tp + report.mentions.overall.fn:
            typer.echo("coreference-layer mentions (exact span and label; rows by kind):")
            typer.echo(report.mentions.table(KINDS))
