"""Training recipe for the coreference scorer: logistic regression on LitBank's gold mentions.

Features are read with the gold clusters as the state (teacher forcing), so they depend on the
data only and are extracted once; each fold then fits in seconds. The link threshold is picked
on the fold's dev documents. `python -m fabula.characters.train [LITBANK_DIR]` rebuilds
data/coref.json from all ninety documents, with the median of the folds' thresholds.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from fabula.characters.coref import CorefModel, Resolver, _Cluster, resolve
from fabula.characters.litbank import Document, fold_ids, load_document
from fabula.eval.coref import Scores, score_corpus

THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
Example = tuple[list[str], int]


def extract(doc: Document, window: int = 20) -> list[Example]:
    """(features, is-the-right-cluster) for every candidate of every mention, gold state."""
    examples: list[Example] = []
    resolver = Resolver(doc.mentions, doc.quotes, window=window)

    def oracle(i: int, scored: list[tuple[_Cluster, list[str]]]) -> _Cluster | None:
        chosen = None
        for cluster, features in scored:
            right = doc.gold[cluster.members[0]] == doc.gold[i]
            examples.append((features, int(right)))
            if right and chosen is None:
                chosen = cluster
        return chosen

    resolver.run(oracle)
    return examples


def fit(examples: Iterable[Example], c: float = 0.5) -> CorefModel:
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    labels: list[int] = []
    for row, (features, label) in enumerate(examples):
        for name in set(features):
            cols.append(vocab.setdefault(name, len(vocab)))
            rows.append(row)
        labels.append(label)
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(labels), len(vocab)))
    model = LogisticRegression(C=c, max_iter=2000, solver="liblinear")
    model.fit(matrix, np.array(labels))
    names = sorted(vocab, key=vocab.__getitem__)
    weights = {name: float(w) for name, w in zip(names, model.coef_[0], strict=True)}
    return CorefModel(weights, float(model.intercept_[0]))


def with_threshold(model: CorefModel, threshold: float) -> CorefModel:
    return CorefModel(model.weights, model.bias, threshold, model.window)


def predict(docs: list[Document], model: CorefModel) -> list[list[int]]:
    return [resolve(d.mentions, d.quotes, model=model) for d in docs]


def pick_threshold(model: CorefModel, dev: list[Document]) -> float:
    def f1(t: float) -> float:
        return score_corpus(dev, predict(dev, with_threshold(model, t))).conll

    return max(THRESHOLDS, key=f1)


@dataclass
class FoldResult:
    fold: int
    threshold: float
    documents: list[Document]
    predictions: list[list[int]]


def cross_validate(root: Path, folds: Iterable[int] = range(10)) -> list[FoldResult]:
    """Per fold: fit on train, pick the threshold on dev, refit on train+dev, predict test."""
    cache: dict[str, tuple[Document, list[Example]]] = {}

    def load(names: list[str]) -> list[tuple[Document, list[Example]]]:
        for name in names:
            if name not in cache:
                doc = load_document(root, name)
                cache[name] = (doc, extract(doc))
        return [cache[n] for n in names]

    results = []
    for fold in folds:
        train, dev, test = (load(fold_ids(root, fold, part)) for part in ("train", "dev", "test"))
        first = fit(ex for _, exs in train for ex in exs)
        threshold = pick_threshold(first, [d for d, _ in dev])
        model = with_threshold(fit(ex for _, exs in train + dev for ex in exs), threshold)
        docs = [d for d, _ in test]
        results.append(FoldResult(fold, threshold, docs, predict(docs, model)))
    return results


def train_all(root: Path, threshold: float) -> CorefModel:
    names = sorted({n for fold in range(10) for part in ("train", "dev", "test") for n in fold_ids(root, fold, part)})
    return with_threshold(fit(ex for n in names for ex in extract(load_document(root, n))), threshold)


def main(argv: list[str]) -> None:
    root = Path(argv[0] if argv else "../shared/data/litbank")
    results = cross_validate(root)
    docs = [d for r in results for d in r.documents]
    scores: Scores = score_corpus(docs, [p for r in results for p in r.predictions])
    threshold = statistics.median(r.threshold for r in results)
    print(f"cross-validated CoNLL F1 {scores.conll:.2f}; thresholds {[r.threshold for r in results]}")
    out = Path(__file__).parent / "data" / "coref.json"
    out.write_text(train_all(root, threshold).to_json() + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
