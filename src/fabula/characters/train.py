"""Training recipe for the coreference scorer: mention ranking on LitBank's gold mentions.

Features are read with the gold clusters as the state (teacher forcing), so they depend on the
data only and are extracted once; each fold then fits in seconds (softmax over each mention's
options, L-BFGS). The offset on "new" is picked by an inner cross-validation over train+dev.
`python -m fabula.characters.train [LITBANK_DIR]` ships fold 0's model (fit on its train+dev
documents), so fold 0's test documents stay unseen for tests/test_coref_accuracy.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.sparse import csr_matrix

from fabula.characters import cluster_mentions
from fabula.characters.coref import CorefModel, Resolver, _Cluster, resolve
from fabula.characters.dialogue import voiced
from fabula.characters.extract import add_roles, story_mentions
from fabula.characters.litbank import Document, fold_ids, load_document
from fabula.characters.mentions import Mention
from fabula.characters.profiles import is_character
from fabula.eval.coref import Scores, score_corpus
from fabula.story import Span, Story

OFFSETS = (-1.0, -0.5, 0.0, 0.5)
INNER_PARTS = 3  # the inner cross-validation over a fold's train+dev documents that picks the offset
# One mention's options: feature lists, "new" first, and the index of the right one.
Group = tuple[list[list[str]], int]


def extract(doc: Document, window: int = 20) -> list[Group]:
    """Every mention's options with the gold clusters as the state (teacher forcing)."""
    groups: list[Group] = []
    resolver = Resolver(doc.mentions, doc.quotes, window=window, text=doc.text)

    def oracle(i: int, scored: list[tuple[_Cluster, list[str]]], new: list[str]) -> _Cluster | None:
        right = next((n for n, (c, _) in enumerate(scored) if doc.gold[c.members[0]] == doc.gold[i]), None)
        groups.append(([new] + [features for _, features in scored], 0 if right is None else right + 1))
        return None if right is None else scored[right][0]

    resolver.run(oracle)
    return groups


@dataclass
class Encoded:
    """One document's groups as sparse rows over the shared vocabulary: encoded once, stacked per fit."""

    lengths: np.ndarray  # features per option row
    cols: np.ndarray  # their columns, row after row
    sizes: np.ndarray  # options per group
    answers: np.ndarray  # the right option's index within its group


class Vocabulary:
    """Feature name -> column, shared by every document of a run so that each is encoded once."""

    def __init__(self) -> None:
        self.columns: dict[str, int] = {}

    def encode(self, groups: list[Group]) -> Encoded:
        lengths, cols = [], []
        for options, _ in groups:
            for features in options:
                unique = dict.fromkeys(features)  # not a set: column order must not vary with hashing
                lengths.append(len(unique))
                cols += [self.columns.setdefault(name, len(self.columns)) for name in unique]
        return Encoded(
            np.array(lengths, dtype=np.int64),
            np.array(cols, dtype=np.int64),
            np.array([len(options) for options, _ in groups], dtype=np.int64),
            np.array([answer for _, answer in groups], dtype=np.int64),
        )


def fit(
    vocab: Vocabulary, docs: list[Encoded], l2: float = 1.0, start: CorefModel | None = None
) -> CorefModel:
    """Softmax mention ranking: maximise the right option's share in each group (L-BFGS).

    `start` warm-starts the optimiser (an inner model of `pick_offset` when fitting train+dev); a
    feature absent from `docs` has no gradient but its L2 pull, so it ends at zero either way.
    """
    lengths = np.concatenate([d.lengths for d in docs])
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    cols = np.concatenate([d.cols for d in docs])
    matrix = csr_matrix((np.ones(len(cols)), cols, indptr), shape=(len(lengths), len(vocab.columns)))
    transposed = matrix.T.tocsr()
    sizes = np.concatenate([d.sizes for d in docs])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gold = first + np.concatenate([d.answers for d in docs])
    names = sorted(vocab.columns, key=vocab.columns.__getitem__)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        scores = matrix @ w
        top = np.maximum.reduceat(scores, first)
        exp = np.exp(scores - np.repeat(top, sizes))
        total = np.add.reduceat(exp, first)
        value = float(np.sum(top + np.log(total)) - scores[gold].sum() + 0.5 * l2 * w @ w)
        share = exp / np.repeat(total, sizes)
        share[gold] -= 1.0
        return value, transposed @ share + l2 * w

    x0 = np.array([start.weights.get(name, 0.0) for name in names]) if start else np.zeros(len(names))
    result = minimize(loss, x0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return CorefModel({name: float(w) for name, w in zip(names, result.x, strict=True)})


def with_offset(model: CorefModel, offset: float) -> CorefModel:
    return CorefModel(model.weights, offset, model.window)


def predict(docs: list[Document], model: CorefModel) -> list[list[int]]:
    """Coreference alone (what the "new" offset is tuned on)."""
    return [resolve(d.mentions, d.quotes, model=model, text=d.text) for d in docs]


def settle(doc: Document, model: CorefModel) -> list[int]:
    """The stage's clusters over the gold mentions: coreference and the passes after it, quote
    attribution included (Fabula's own, over the cast coreference gives, never gold speakers)."""
    return cluster_mentions(analyse(doc).model_copy(), doc.mentions, doc.quotes, model)


def pick_offset(vocab: Vocabulary, pool: list[tuple[Document, Encoded]]) -> tuple[float, CorefModel | None]:
    """The "new" offset with the best CoNLL F1 over all of `pool`, each of `INNER_PARTS` parts
    resolved by a model fit on the others; and the last of those models, to warm-start the refit.

    A fold's nine dev documents alone picked -1, -0.5 or 0 by chance: a change anywhere moved four
    folds' offsets and 0.3 pronoun points with them (docs/characters.md).
    """
    predictions: dict[float, list[list[int]]] = {offset: [] for offset in OFFSETS}
    held_out: list[Document] = []
    model: CorefModel | None = None  # each inner fit warm-starts the next (the loss is convex)
    for part in range(INNER_PARTS):
        rest = [encoded for k, (_, encoded) in enumerate(pool) if k % INNER_PARTS != part]
        model = fit(vocab, rest, start=model)
        held = [doc for doc, _ in pool[part::INNER_PARTS]]
        held_out += held
        for offset, found in predictions.items():
            found += predict(held, with_offset(model, offset))
    best = max(OFFSETS, key=lambda offset: score_corpus(held_out, predictions[offset]).conll)
    return best, model


@dataclass
class FoldResult:
    fold: int
    model: CorefModel
    documents: list[Document]
    predictions: list[list[int]]


def cross_validate(root: Path, folds: Iterable[int] = range(10)) -> list[FoldResult]:
    """Per fold: pick the "new" offset by an inner cross-validation over train+dev, fit on
    train+dev, settle test (`settle`: as the stage does, dialogue pronouns by Fabula's own quote
    attribution).

    Gold mentions get their grammatical roles from Fabula's own parse and drop the quotes that
    are no one's voice, as they do in the stage.
    """
    vocab = Vocabulary()
    cache: dict[str, tuple[Document, Encoded]] = {}

    def load(names: list[str]) -> list[tuple[Document, Encoded]]:
        for name in names:
            if name not in cache:
                doc = load_document(root, name)
                add_roles(doc.mentions, analyse(doc)._tokens)
                doc.quotes = voiced(analyse(doc), doc.mentions, doc.quotes)
                cache[name] = (doc, vocab.encode(extract(doc)))
        return [cache[n] for n in names]

    results = []
    for fold in folds:
        pool = load(fold_ids(root, fold, "train") + fold_ids(root, fold, "dev"))
        test = load(fold_ids(root, fold, "test"))
        offset, inner = pick_offset(vocab, pool)
        model = with_offset(fit(vocab, [e for _, e in pool], start=inner), offset)
        docs = [d for d, _ in test]
        results.append(FoldResult(fold, model, docs, [settle(d, model) for d in docs]))
    return results


@cache
def _language() -> Callable[[Story], Story]:
    from fabula.pipeline import get_stage

    return get_stage("language")


_ANALYSED: dict[str, Story] = {}


def analyse(doc: Document) -> Story:
    """The language layer's reading of a LitBank document (with its paragraphs), once per process."""
    if doc.name not in _ANALYSED:
        ends = [*doc.paragraph_starts[1:], len(doc.text)]
        paragraphs = [Span(start=s, end=e) for s, e in zip(doc.paragraph_starts, ends, strict=True)]
        _ANALYSED[doc.name] = _language()(Story(text=doc.text, paragraphs=paragraphs))
    return _ANALYSED[doc.name]


def end_to_end_predictions(
    results: list[FoldResult],
) -> tuple[list[list[tuple[int, int]]], list[list[int]], list[set[tuple[int, int]]]]:
    """Each test document through the language layer and the fold's model: spans, clusters, people."""
    spans, ids, people = [], [], []
    for result in results:
        for doc in result.documents:
            story = analyse(doc).model_copy()
            mentions, quotes = story_mentions(story)
            clusters = cluster_mentions(story, mentions, quotes, result.model)
            members: dict[int, list[Mention]] = {}
            for mention, cluster in zip(mentions, clusters, strict=True):
                members.setdefault(cluster, []).append(mention)
            spans.append([(m.start, m.end) for m in mentions])
            ids.append(clusters)
            people.append({(m.start, m.end) for ms in members.values() if is_character(ms) for m in ms})
    return spans, ids, people


def train(litbank: Path) -> Path:
    """Train fold 0's model (its train+dev documents) and ship it; its test documents stay unseen.

    The cross-validated figures over all ten folds come from `fabula eval coref`.
    """
    (result,) = cross_validate(litbank, [0])
    scores: Scores = score_corpus(result.documents, result.predictions)
    print(f"fold 0 test: CoNLL F1 {scores.conll:.2f}, pronouns right {scores.pronoun_accuracy:.2f}%")
    out = Path(__file__).parent / "data" / "coref.json"
    out.write_text(result.model.to_json() + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    print(f"wrote {train(Path(sys.argv[1] if len(sys.argv) > 1 else '../shared/data/litbank'))}")
