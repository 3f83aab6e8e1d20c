"""Accuracy floors of the shipped language models on the shared annotated data (a sample by default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import full_accuracy_runs
from fabula.eval import entities, parse
from fabula.train.corpora import read_conllu, read_litbank

pytestmark = pytest.mark.accuracy

# A little below what the shipped models score on these samples (entities F1 53.6 on the first two
# dev documents; UPOS 96.8, LAS 85.9 on the first 400 EWT dev sentences): only a regression fails.
ENTITY_F1_FLOOR = 0.50
UPOS_FLOOR = 0.96
LAS_FLOOR = 0.84


def test_litbank_dev_entities(shared_data: Path) -> None:
    docs = read_litbank(shared_data / "litbank", "dev", with_coref=True)
    report = entities.evaluate(docs if full_accuracy_runs() else docs[:2])
    assert report.entities.overall.f1 > ENTITY_F1_FLOOR
    assert report.mentions.rows["PRON"].f1 > 0.85


def test_ewt_dev_tags_and_parse(shared_data: Path) -> None:
    sentences = read_conllu(shared_data / "ud_english_ewt" / "en_ewt-ud-dev.conllu")
    scores = parse.evaluate(sentences if full_accuracy_runs() else sentences[:400])
    assert scores.upos / scores.words > UPOS_FLOOR
    assert scores.las / scores.words > LAS_FLOOR
