"""`fabula eval coref` on a tiny LitBank-shaped fixture whose scores were computed by hand.

Gold: Tom saw Ann . He waved to her . Tom smiled .  ->  {Tom, He, Tom}, {Ann, her}
Response:                                           ->  {Tom, her}, {Ann}, {He, Tom}
MUC  R = 1/3, P = 1/2, F = 40.00
B3   R = 8/15, P = 4/5, F = 64.00
CEAFe (Tom-cluster with {He, Tom}: 0.8, Ann-cluster with {Ann}: 2/3) R = 22/30, P = 22/45, F = 58.67
CoNLL = 54.22; pronouns: "He" right (with Tom), "her" wrong (with Tom): 50%.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabula.cli import app
from fabula.eval.coref import score_clusters

FIXTURES = Path(__file__).parent / "fixtures" / "characters"


def test_eval_command_scores_a_response_by_hand() -> None:
    result = CliRunner().invoke(
        app,
        ["eval", "coref", "--litbank", str(FIXTURES / "litbank"), "--response", str(FIXTURES / "response")],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  muc      33.33  50.00  40.00" in lines
    assert "  b3       53.33  80.00  64.00" in lines
    assert "  ceafe    73.33  48.89  58.67" in lines
    assert "  CoNLL F1 54.22" in lines
    assert "pronouns of characters linked right: 50.00%" in lines
    assert "  he/she (narration)       1 of 2     right ( 50.0%)" in lines  # the breakdown by kind


def test_eval_command_names_a_missing_directory(tmp_path: Path) -> None:
    (tmp_path / "x.conll").write_text("#begin document (x); part 0\n")
    result = CliRunner().invoke(
        app, ["eval", "coref", "--litbank", str(tmp_path), "--response", str(tmp_path)]
    )
    assert result.exit_code != 0
    assert "no such LitBank coreference file" in str(result.exception)


def test_corpus_scores_sum_counts_over_documents() -> None:
    one = [{(0, 1), (2, 3)}]
    perfect = score_clusters([one, one], [one, one])
    assert perfect.conll == pytest.approx(100.0)
    split = score_clusters([one, [{(0, 1), (2, 3), (4, 5)}]], [one, [{(0, 1)}, {(2, 3), (4, 5)}]])
    # MUC recall: (1 + 1) / (1 + 2) links found, precision: (1 + 1) / (1 + 1).
    assert split.metrics["muc"][0] == pytest.approx(200 / 3)
    assert split.metrics["muc"][1] == pytest.approx(100.0)
