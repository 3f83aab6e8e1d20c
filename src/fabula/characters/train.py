"""Training recipe for the coreference scorer: mention ranking on LitBank's gold mentions.

Features are read with the gold clusters as the state (teacher forcing), so they depend on the
data only and are extracted once; each fold then fits in seconds (softmax over each mention's
options, L-BFGS). The offset on "new" is picked on the fold's dev documents.
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

from fabula.characters.coref import CorefModel, Resolver, _Cluster, resolve
from fabula.characters.extract import add_roles, story_mentions
from fabula.characters.litbank import Document, fold_ids, load_document
from fabula.characters.mentions import Mention
from fabula.characters.profiles import is_character
from fabula.eval.coref import Scores, score_corpus
from fabula.story import Span, Story

OFFSETS = (-1.0, -0.5, 0.0, 0.5)
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


def fit(groups: Iterable[Group], l2: float = 1.0) -> CorefModel:
    """Softmax mention ranking: maximise the right option's share in each group (L-BFGS)."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    starts: list[int] = []
    right: list[int] = []
    row = 0
    for options, answer in groups:
        starts.append(row)
        right.append(row + answer)
        for features in options:
            for name in set(features):
                cols.append(vocab.setdefault(name, len(vocab)))
                rows.append(row)
            row += 1
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(row, len(vocab)))
    first = np.array(starts)
    sizes = np.diff(np.append(first, row))
    gold = np.array(right)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        scores = matrix @ w
        top = np.maximum.reduceat(scores, first)
        exp = np.exp(scores - np.repeat(top, sizes))
        total = np.add.reduceat(exp, first)
        value = float(np.sum(top + np.log(total)) - scores[gold].sum() + 0.5 * l2 * w @ w)
        share = exp / np.repeat(total, sizes)
        share[gold] -= 1.0
        return value, matrix.T @ share + l2 * w

    result = minimize(loss, np.zeros(len(vocab)), jac=True, method="L-BFGS-B", options={"maxiter": 500})
    names = sorted(vocab, key=vocab.__getitem__)
    return CorefModel({name: float(w) for name, w in zip(names, result.x, strict=True)})


def with_offset(model: CorefModel, offset: float) -> CorefModel:
    return CorefModel(model.weights, offset, model.window)


def predict(docs: list[Document], model: CorefModel) -> list[list[int]]:
    return [resolve(d.mentions, d.quotes, model=model, text=d.text) for d in docs]


def pick_offset(model: CorefModel, dev: list[Document]) -> float:
    def f1(offset: float) -> float:
        return score_corpus(dev, predict(dev, with_offset(model, offset))).conll

    return max(OFFSETS, key=f1)


@dataclass
class FoldResult:
    fold: int
    model: CorefModel
    documents: list[Document]
    predictions: list[list[int]]


def cross_validate(root: Path, folds: Iterable[int] = range(10)) -> list[FoldResult]:
    """Per fold: fit on train, pick the "new" offset on dev, refit on train+dev, predict test.

    Gold mentions get their grammatical roles from Fabula's own parse, as they do in the stage.
    """
    cache: dict[str, tuple[Document, list[Group]]] = {}

    def load(names: list[str]) -> list[tuple[Document, list[Group]]]:
        for name in names:
            if name not in cache:
                doc = load_document(root, name)
                add_roles(doc.mentions, analyse(doc)._tokens)
                cache[name] = (doc, extract(doc))
        return [cache[n] for n in names]

    results = []
    for fold in folds:
        train, dev, test = (load(fold_ids(root, fold, part)) for part in ("train", "dev", "test"))
        offset = pick_offset(fit(g for _, gs in train for g in gs), [d for d, _ in dev])
        model = with_offset(fit(g for _, gs in train + dev for g in gs), offset)
        docs = [d for d, _ in test]
        results.append(FoldResult(fold, model, docs, predict(docs, model)))
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
            mentions, quotes = story_mentions(analyse(doc))
            clusters = resolve(mentions, quotes, model=result.model, text=doc.text)
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
