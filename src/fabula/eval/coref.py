"""`fabula eval coref`: MUC, B3, CEAFe and their CoNLL average on LitBank, plus pronoun accuracy.

Per-document metrics come from `scorch`; the corpus figure sums each metric's numerators and
denominators over documents (as the CoNLL reference scorer does), recovered from scorch's
recall and precision and the denominators, which depend on the clusters alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from fabula.characters.litbank import Document
    from fabula.characters.mentions import Mention

Span = tuple[int, int]
Clusters = list[set[Span]]
METRICS = ("muc", "b3", "ceafe")


@dataclass
class Scores:
    """Corpus-level recall, precision and F1 (percent) per metric, and pronoun accuracy."""

    metrics: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    pronouns_right: int = 0
    pronouns: int = 0
    by_kind: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (kind, right) -> pronouns

    @property
    def conll(self) -> float:
        return sum(self.metrics[m][2] for m in METRICS) / len(METRICS)

    @property
    def pronoun_accuracy(self) -> float:
        return 100.0 * self.pronouns_right / self.pronouns if self.pronouns else 0.0


def _denominators(metric: str, clusters: Clusters) -> float:
    if metric == "muc":
        return float(sum(len(c) - 1 for c in clusters))
    if metric == "b3":
        return float(sum(len(c) for c in clusters))
    return float(len(clusters))


def score_clusters(keys: Sequence[Clusters], responses: Sequence[Clusters]) -> Scores:
    """Micro-averaged MUC, B3 and CEAFe over documents (each key/response a list of mention sets)."""
    from scorch import scores as scorch

    functions = {"muc": scorch.muc, "b3": scorch.b_cubed, "ceafe": scorch.ceaf_e}
    result = Scores()
    for metric, function in functions.items():
        r_num = r_den = p_num = p_den = 0.0
        for key, response in zip(keys, responses, strict=True):
            recall, precision, _ = function(key, response) if key and response else (0.0, 0.0, 0.0)
            key_den, response_den = _denominators(metric, key), _denominators(metric, response)
            r_num, r_den = r_num + recall * key_den, r_den + key_den
            p_num, p_den = p_num + precision * response_den, p_den + response_den
        recall = r_num / r_den if r_den else 0.0
        precision = p_num / p_den if p_den else 0.0
        f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
        result.metrics[metric] = (100 * recall, 100 * precision, 100 * f1)
    return result


def group(spans: Sequence[Span], ids: Sequence[int], keep: set[Span] | None = None) -> Clusters:
    clusters: dict[int, set[Span]] = {}
    for span, cid in zip(spans, ids, strict=True):
        if keep is None or span in keep:
            clusters.setdefault(cid, set()).add(span)
    return list(clusters.values())


def pronoun_kind(mention: Mention) -> str:
    """What kind of pronoun a mention is, for the error breakdown: dialogue and narration apart."""
    from fabula.characters.mentions import pronoun

    found = pronoun(mention.text)
    if found is None:
        return "other"
    where = "in quotes" if mention.quote >= 0 else "narration"
    if found.person == 1:
        return f"I ({where})" if found.number == "sg" else "we"
    if found.person == 2:
        return f"you ({where})"
    return f"he/she ({where})" if found.gender in {"he", "she"} else found.gender


def pronoun_hits(doc: Document, spans: Sequence[Span], ids: Sequence[int]) -> Counter[tuple[str, bool]]:
    """(kind, right) -> count over pronouns of gold characters: PER entities mentioned at least twice.

    A pronoun is right when its predicted cluster holds other mentions and most of them belong
    to the pronoun's gold character.
    """
    gold_of = {(m.start, m.end): g for m, g in zip(doc.mentions, doc.gold, strict=True)}
    sizes = Counter(doc.gold)
    predicted = dict(zip(spans, ids, strict=True))
    members: dict[int, list[Span]] = {}
    for span, cid in predicted.items():
        members.setdefault(cid, []).append(span)
    hits: Counter[tuple[str, bool]] = Counter()
    for mention, gold, label in zip(doc.mentions, doc.gold, doc.labels, strict=True):
        if mention.kind != "PRON" or label != "PER" or sizes[gold] < 2:
            continue
        span = (mention.start, mention.end)
        linked = members[predicted[span]] if span in predicted else []
        others = Counter(gold_of.get(s) for s in linked if s != span)
        hits[pronoun_kind(mention), bool(others) and others.most_common(1)[0][0] == gold] += 1
    return hits


def score_corpus(
    docs: Sequence[Document],
    predictions: Sequence[Sequence[int]],
    response_spans: Sequence[Sequence[Span]] | None = None,
    per_only: bool = False,
    response_per: Sequence[set[Span]] | None = None,
) -> Scores:
    """Score predicted cluster ids against the gold clusters of LitBank documents.

    By default the predictions are over the gold mentions (`doc.mentions`, same order); pass
    `response_spans` for predictions over a system's own mentions. `per_only` keeps gold PER
    mentions on the key side and, on the response side, the spans of `response_per` (default:
    the gold PER spans, which is right for gold mentions).
    """
    keys: list[Clusters] = []
    responses: list[Clusters] = []
    hits: Counter[tuple[str, bool]] = Counter()
    for n, (doc, ids) in enumerate(zip(docs, predictions, strict=True)):
        gold_spans = [(m.start, m.end) for m in doc.mentions]
        spans = list(response_spans[n]) if response_spans is not None else gold_spans
        per = {s for s, label in zip(gold_spans, doc.labels, strict=True) if label == "PER"}
        keys.append(group(gold_spans, doc.gold, per if per_only else None))
        keep = (response_per[n] if response_per is not None else per) if per_only else None
        responses.append(group(spans, ids, keep))
        hits += pronoun_hits(doc, spans, ids)
    scores = score_clusters(keys, responses)
    scores.by_kind = hits
    scores.pronouns_right = sum(n for (_, right), n in hits.items() if right)
    scores.pronouns = sum(hits.values())
    return scores


def read_response(path: Path, doc: Document) -> tuple[list[Span], list[int]]:
    """A system's clusters for `doc` from a CoNLL-2012 file with the same tokens."""
    from fabula.characters.litbank import read_conll
    from fabula.errors import InputError

    sentences, spans = read_conll(path)
    if [len(s) for s in sentences] != [len(s) for s in doc.token_spans]:
        raise InputError(path, f"its tokens differ from LitBank's {doc.name}")
    ordered = sorted(spans.items())
    return (
        [(doc.token_spans[s][a][0], doc.token_spans[s][b][1]) for (s, a, b), _ in ordered],
        [entity for _, entity in ordered],
    )


def score_responses(litbank: Path, responses: Path) -> tuple[Scores, Scores]:
    """Scores (all entities, PER only) of CoNLL files in `responses` against LitBank's gold."""
    from fabula.characters.litbank import load_document
    from fabula.errors import InputError

    files = sorted(responses.glob("*.conll"))
    if not files:
        raise InputError(responses, "no .conll files to score")
    docs = [load_document(litbank, f.stem) for f in files]
    pairs = [read_response(f, d) for f, d in zip(files, docs, strict=True)]
    spans, ids = [p[0] for p in pairs], [p[1] for p in pairs]
    return score_corpus(docs, ids, spans), score_corpus(docs, ids, spans, per_only=True)


def _print_scores(title: str, everything: Scores, people: Scores) -> None:
    typer.echo(title)
    typer.echo(format_scores("all entities:", everything))
    typer.echo(format_scores("PER entities:", people))
    typer.echo(f"pronouns of characters linked right: {everything.pronoun_accuracy:.2f}%")
    totals: Counter[str] = Counter()
    for (kind, _), n in everything.by_kind.items():
        totals[kind] += n
    for kind, total in totals.most_common():
        wrong = everything.by_kind[kind, False]
        typer.echo(f"  {kind:<20} {total - wrong:5} of {total:<5} right ({100 - 100 * wrong / total:5.1f}%)")


def format_scores(title: str, scores: Scores) -> str:
    lines = [f"{title}", f"  {'metric':<7} {'R':>6} {'P':>6} {'F1':>6}"]
    for metric in METRICS:
        r, p, f = scores.metrics[metric]
        lines.append(f"  {metric:<7} {r:6.2f} {p:6.2f} {f:6.2f}")
    lines.append(f"  CoNLL F1 {scores.conll:.2f}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add this scorer's command to the `fabula eval` group."""

    @app.command("coref")
    def coref(
        litbank: Annotated[Path, typer.Option(help="The LitBank directory (with coref/ and splits/).")],
        response: Annotated[
            Path | None, typer.Option(help="Score these CoNLL files (one per document) instead of Fabula.")
        ] = None,
        end_to_end: Annotated[
            bool, typer.Option(help="Also score on Fabula's own mentions (runs the language layer).")
        ] = False,
        folds: Annotated[int, typer.Option(min=1, max=10, help="How many of the ten folds to run.")] = 10,
    ) -> None:
        """Cross-validated coreference on LitBank: per fold, train on train+dev, score its test."""
        if response is not None:
            _print_scores(f"{response} against LitBank's gold clusters", *score_responses(litbank, response))
            return
        from fabula.characters.train import cross_validate, end_to_end_predictions

        results = cross_validate(litbank, range(folds))
        docs = [d for r in results for d in r.documents]
        ids = [p for r in results for p in r.predictions]
        title = f"LitBank coreference, gold mentions: {len(docs)} test documents over {folds} folds"
        _print_scores(title, score_corpus(docs, ids), score_corpus(docs, ids, per_only=True))
        if end_to_end:
            spans, ids, per = end_to_end_predictions(results)
            _print_scores(
                "end to end, Fabula's own mentions:",
                score_corpus(docs, ids, spans),
                score_corpus(docs, ids, spans, per_only=True, response_per=per),
            )
