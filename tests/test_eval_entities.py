"""`fabula eval entities` on a hand-made LitBank-shaped excerpt, with a predictor whose output we fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabula.cli import app
from fabula.eval import entities as scorer
from fabula.story import Entity
from fabula.train.corpora import read_litbank

LITBANK = Path(__file__).parent / "fixtures" / "language" / "litbank"


def _entity(text: str, needle: str, label: str, kind: str, *, length: int | None = None) -> Entity:
    start = text.index(needle)
    end = start + (length if length is not None else len(needle))
    return Entity(start=start, end=end, label=label, text=text[start:end], kind=kind)  # type: ignore[arg-type]


def fake_predict(text: str) -> list[Entity]:
    return [
        _entity(text, "Elizabeth Bennet", "PER", "PROP"),  # right
        _entity(text, "her aunt", "LOC", "NOM"),  # right span, wrong label
        _entity(text, "the house", "FAC", "NOM"),  # span too short
        _entity(text, "London", "GPE", "PROP"),  # right
        _entity(text, "Elizabeth", "PER", "PROP", length=6),  # cuts a token: can never match
        _entity(text, "She", "PER", "PRON"),
        _entity(text, "her", "PER", "PRON"),
    ]


def test_reads_every_nesting_layer() -> None:
    [doc] = read_litbank(LITBANK, "dev", with_coref=True)
    assert doc.entities == {(0, 2, "PER"), (7, 9, "PER"), (4, 9, "FAC"), (12, 13, "GPE")}
    assert (10, 11, "PER", "PRON") in doc.coref_mentions
    assert len(doc.coref_mentions) == 6


def test_scores_match_hand_counts() -> None:
    report = scorer.evaluate(read_litbank(LITBANK, "dev", with_coref=True), fake_predict)
    ents = report.entities
    assert (ents.overall.tp, ents.overall.fp, ents.overall.fn) == (2, 3, 2)
    assert ents.overall.precision == pytest.approx(0.4)
    assert ents.overall.recall == pytest.approx(0.5)
    assert ents.overall.f1 == pytest.approx(4 / 9)
    assert ents.rows["PER"].f1 == pytest.approx(0.5)
    assert ents.rows["GPE"].f1 == 1.0
    assert ents.rows["FAC"].f1 == 0.0
    mentions = report.mentions
    assert mentions.overall.precision == pytest.approx(4 / 7)
    assert mentions.overall.recall == pytest.approx(4 / 6)
    assert mentions.rows["PRON"].f1 == 1.0
    assert mentions.rows["PROP"].precision == pytest.approx(2 / 3)
    assert mentions.rows["NOM"].recall == 0.0


def test_command_prints_per_label_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scorer, "analyse_text", fake_predict)
    result = CliRunner().invoke(app, ["eval", "entities", "--litbank", str(LITBANK), "--split", "dev"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()]
    assert ["PER", "50.00", "50.00", "50.00", "2", "2"] in rows
    assert ["GPE", "100.00", "100.00", "100.00", "1", "1"] in rows
    # The nested-entity table, then the mention table with pronouns.
    assert ["overall", "40.00", "50.00", "44.44", "4", "5"] in rows
    assert ["PRON", "100.00", "100.00", "100.00", "2", "2"] in rows
    assert ["overall", "57.14", "66.67", "61.54", "6", "7"] in rows


def test_missing_split_is_an_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "entities", "--litbank", str(tmp_path)])
    assert result.exit_code != 0
    assert "naacl2019_entities_80-10-10" in str(result.exception)
