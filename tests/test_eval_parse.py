"""`fabula eval parse` on a hand-made CoNLL-U file, with a parser whose output we fix."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabula.cli import app
from fabula.errors import InputError
from fabula.eval import parse as scorer
from fabula.train.corpora import ConlluSentence, read_conllu

TINY = Path(__file__).parent / "fixtures" / "language" / "tiny.conllu"


def fake_parse(
    sentences: list[ConlluSentence],
) -> Iterable[tuple[list[str], list[int], list[str], list[str]]]:
    assert [s.words for s in sentences] == [["She", "did", "n't", "go", "."], ["Tom", "left", "."]]
    yield (
        ["PRON", "AUX", "ADV", "VERB", "PUNCT"],
        [3, 3, 3, 3, 1],
        ["nsubj", "aux", "advmod", "ROOT", "punct"],
        ["she", "do", "not", "go", "."],
    )
    yield ["PROPN", "VERB", "PUNCT"], [1, 1, 1], ["obj", "ROOT", "punct"], ["Tom", "left", "."]


def test_reader_keeps_words_not_multiword_tokens() -> None:
    first, second = read_conllu(TINY)
    assert first.heads == [3, 3, 3, 3, 3]
    assert first.deprels[3] == "root"
    assert second.spaces == [True, False, True]
    assert first.xpos == ["PRP", "VBD", "RB", "VB", "."]
    assert second.lemmas == ["Tom", "leave", "."]


def test_shipped_parser_tags_and_parses_gold_words() -> None:
    (she, _tom) = scorer.parse_sentences(read_conllu(TINY))
    assert she == (
        ["PRON", "AUX", "PART", "VERB", "PUNCT"],
        [3, 3, 3, 3, 3],
        ["nsubj", "aux", "advmod", "ROOT", "punct"],
        ["she", "do", "not", "go", "."],
    )


def test_gold_sentence_is_not_split_by_the_sentence_rule() -> None:
    words = ["It", "rained", ".", "We", "stayed", "."]
    gold = ConlluSentence(words=words, spaces=[True] * 6, upos=["X"] * 6, heads=[1] * 6, deprels=["dep"] * 6)
    ((_upos, heads, _deps, _lemmas),) = scorer.parse_sentences([gold])
    assert sum(h == i for i, h in enumerate(heads)) == 1


def test_scores_match_hand_counts() -> None:
    scores = scorer.evaluate(read_conllu(TINY), fake_parse)
    assert (scores.words, scores.upos, scores.uas, scores.las, scores.lemma) == (8, 7, 7, 6, 7)


def test_command_prints_percentages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scorer, "parse_sentences", fake_parse)
    result = CliRunner().invoke(app, ["eval", "parse", "--conllu", str(TINY)])
    assert result.exit_code == 0, result.output
    assert "words 8  UPOS 87.50  UAS 87.50  LAS 75.00  lemma 87.50" in result.output


def test_malformed_line_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.conllu"
    bad.write_text("1\tShe\tshe\tPRON\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: expected 10"):
        read_conllu(bad)
