"""The coreference training recipe: shared-vocabulary encoding, warm starts, and quote detection on
LitBank's tokenized text (where "wife 's" must not read as a single-quote mark)."""

from __future__ import annotations

import json

import pytest

from fabula.characters.mentions import quote_spans
from fabula.characters.train import Group, Vocabulary, fit

# Mention ranking on toy groups: "near" marks the right antecedent, "far" a wrong one.
GROUPS: list[Group] = [
    ([["new"], ["near"], ["far"]], 1),
    ([["new"], ["far"], ["near"]], 2),
    ([["new"], ["far"]], 0),
]


def test_fit_learns_the_ranking_and_ignores_features_of_unfitted_documents() -> None:
    vocab = Vocabulary()
    fitted = vocab.encode(GROUPS)
    vocab.encode([([["new"], ["unseen"]], 1)])  # another document, encoded but left out of the fit
    model = fit(vocab, [fitted])
    assert model.score(["near"]) > model.score(["new"]) > model.score(["far"])
    assert "unseen" not in json.loads(model.to_json())["weights"]


def test_warm_start_reaches_the_same_optimum() -> None:
    vocab = Vocabulary()
    docs = [vocab.encode(GROUPS[:2]), vocab.encode(GROUPS[2:])]
    cold = fit(vocab, docs)
    warm = fit(vocab, docs, start=fit(vocab, docs[:1]))
    for name, weight in cold.weights.items():
        assert warm.weights[name] == pytest.approx(weight, abs=1e-3)


def test_tokenized_possessives_are_not_quote_marks() -> None:
    narration = "His wife 's temper and her father 's faults were known . She wept ."
    assert quote_spans(narration) == []
    dialogue = "' I am tired , ' said the squire 's son . ' So am I . '"
    assert [dialogue[s:e] for s, e in quote_spans(dialogue)] == ["' I am tired , '", "' So am I . '"]
