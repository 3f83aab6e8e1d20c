"""The encoder-vector score coreference reads for pronouns (`fabula.characters.pairwise`)."""

from __future__ import annotations

import numpy as np

from fabula.characters.coref import CorefModel, Resolver, _Cluster, default_model, resolve
from fabula.characters.mentions import Kind
from fabula.characters.pairwise import PairwiseModel, fit, pair_features
from test_characters import parsed_mentions

TEXT = "Arthur kept the lamp. The grocer waved from the gate. He went down."
SPANS: list[tuple[str, Kind, str, int]] = [
    ("Arthur", "PROP", "subj", 1),
    ("The grocer", "NOM", "subj", 7),
    ("He", "PRON", "subj", 13),
]


def unit_vectors(*axes: int) -> np.ndarray:
    vectors = np.zeros((len(axes), 384), dtype=np.float32)
    vectors[np.arange(len(axes)), axes] = 1.0
    return vectors


def test_a_pronoun_is_shown_the_encoder_score_of_each_candidate() -> None:
    """ "He" reads like the grocer (same vector), not like Arthur: the score says so, in buckets."""
    mentions = parsed_mentions(TEXT, SPANS)
    vectors = unit_vectors(0, 1, 1)
    model = PairwiseModel(np.full(768, 2.0, dtype=np.float32), -0.5)
    shown: dict[str, list[str]] = {}

    def decide(i: int, scored: list[tuple[_Cluster, list[str]]], new: list[str]) -> _Cluster | None:
        for cluster, features in scored:
            shown[mentions[cluster.members[0]].text] = [f for f in features if "|enc" in f]
        return None

    Resolver(mentions, text=TEXT, vectors=vectors, pairwise=model).run(decide)
    assert shown == {"Arthur": ["he|enc-0.5"], "The grocer": ["he|enc>2.0"]}


def test_the_score_can_move_a_pronoun_and_is_silent_without_vectors() -> None:
    shipped = default_model()
    mentions = parsed_mentions(TEXT, SPANS)
    plain = resolve(mentions, text=TEXT, model=shipped)
    assert plain[2] == plain[1]  # the latest subject, as the hand features rank it
    trusting = CorefModel(
        {**shipped.weights, "he|enc>2.0": 50.0},
        shipped.new_offset,
        shipped.window,
        PairwiseModel(np.full(768, 2.0, dtype=np.float32), 0.0),
    )
    like_arthur = unit_vectors(0, 1, 0)
    moved = resolve(parsed_mentions(TEXT, SPANS), text=TEXT, model=trusting, vectors=like_arthur)
    assert moved[2] == moved[0] != moved[1]
    assert resolve(parsed_mentions(TEXT, SPANS), text=TEXT, model=trusting) == plain


def test_the_pairwise_model_learns_which_candidate_a_pronoun_resembles() -> None:
    """Fit on pairs where the right candidate shares the pronoun's direction, it ranks a fresh
    such pair first; and it travels in the coreference weights' JSON."""
    rng = np.random.default_rng(0)
    rows, labels = [], []
    for _ in range(200):
        vectors = rng.normal(size=(3, 384)).astype(np.float32)
        vectors[1] = vectors[0] + 0.3 * rng.normal(size=384)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        rows += [pair_features(vectors, 0, [1]), pair_features(vectors, 0, [2])]
        labels += [True, False]
    model = fit(np.array(rows), np.array(labels))
    vectors = rng.normal(size=(3, 384)).astype(np.float32)
    vectors[2] = vectors[0] + 0.3 * rng.normal(size=384)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = model.scores(vectors[0], vectors[1:], vectors[1:])
    assert scores[1] > scores[0]
    coref = CorefModel({"he|r0": 1.0}, 0.5, 20, model)
    back = CorefModel.from_json(coref.to_json()).pairwise
    assert back is not None and np.allclose(back.weights, model.weights, atol=1e-4)
