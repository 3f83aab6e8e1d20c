"""The entity recipe's cache of the frozen layers' output (`fabula.train.entities`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from fabula.language.entities import CLASSES
from fabula.train import entities as recipe
from fabula.train.entities import CACHE, Sentence, shared_groups

SENTENCES = [
    Sentence(["Mara", "rowed", "out", "past", "the", "Grey", "Reach", "."], {(0, 1): CLASSES.index("PER")}),
    Sentence(["She", "did", "not", "look", "back", "."], {}),
]


def test_shared_layers_are_encoded_once_then_read_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / CACHE
    first = shared_groups({"train": SENTENCES}, cache)["train"]
    assert cache.is_file()

    def no_encoding(sentences: list[Sentence]) -> list[recipe.Group]:
        raise AssertionError("the cache should have been read")

    monkeypatch.setattr(recipe, "encode_shared", no_encoding)
    again = shared_groups({"train": SENTENCES}, cache)["train"]
    assert [g.indices for g in again] == [g.indices for g in first]
    assert all(torch.equal(a.shared, b.shared) for a, b in zip(first, again, strict=True))
    assert all(torch.equal(a.batch.gather, b.batch.gather) for a, b in zip(first, again, strict=True))


def test_a_cache_from_other_parser_weights_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cache = tmp_path / CACHE
    torch.save({"key": "weights of another parser", "train": []}, cache)
    groups = shared_groups({"train": SENTENCES}, cache)["train"]
    assert sorted(i for g in groups for i in g.indices) == [0, 1]
    assert torch.load(cache, weights_only=True)["key"] != "weights of another parser"


def test_from_average_from_on_the_kept_weights_are_the_running_mean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from safetensors.torch import load_file

    (tmp_path / "litbank").mkdir()
    monkeypatch.setattr(recipe, "sentences_of", lambda litbank, split: SENTENCES)

    def checkpoints(average_from: int) -> list[dict[str, torch.Tensor]]:
        work = tmp_path / f"work{average_from}"
        # A large head rate, so that one step moves weights by far more than fp16's rounding.
        settings = recipe.Settings(epochs=3, head_lr=0.5, average_from=average_from, threads=1)
        recipe.train(tmp_path, work, work / "target", settings)
        return [load_file(work / f"entities-epoch{e}" / recipe.WEIGHTS) for e in (1, 2, 3)]

    raw = checkpoints(0)
    averaged = checkpoints(2)
    name = "classify.4.weight"
    assert torch.equal(averaged[0][name], raw[0][name])
    assert torch.equal(averaged[1][name], raw[1][name])
    mean = (raw[1][name].float() + raw[2][name].float()) / 2
    step = (raw[2][name].float() - raw[1][name].float()).abs().max()
    assert (averaged[2][name].float() - mean).abs().max() < step / 10
