"""BookNLP-compatible files from a Story whose token analyses are built by hand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabula.cli import app
from fabula.errors import FabulaError
from fabula.export.booknlp import ENTITIES_HEADER, QUOTES_HEADER, TOKENS_HEADER, write_booknlp
from fabula.language.tokens import Tokens
from fabula.story import Character, Entity, Quote, Span, Story

TEXT = 'Mara lit the lamp.\n\n"Go home," she told Tobias.\n'
# word, POS, fine POS, lemma, dependency, head (index in this list), sentence
ANALYSES = [
    ("Mara", "PROPN", "NNP", "Mara", "nsubj", 1, 0),
    ("lit", "VERB", "VBD", "light", "ROOT", 1, 0),
    ("the", "DET", "DT", "the", "det", 3, 0),
    ("lamp", "NOUN", "NN", "lamp", "dobj", 1, 0),
    (".", "PUNCT", ".", ".", "punct", 1, 0),
    ("\n\n", "SPACE", "_SP", "\n\n", "dep", 4, 0),  # spaCy keeps whitespace tokens; BookNLP drops them
    ('"', "PUNCT", "``", '"', "punct", 12, 1),
    ("Go", "VERB", "VB", "go", "ccomp", 12, 1),
    ("home", "ADV", "RB", "home", "advmod", 7, 1),
    (",", "PUNCT", ",", ",", "punct", 12, 1),
    ('"', "PUNCT", "''", '"', "punct", 12, 1),
    ("she", "PRON", "PRP", "she", "nsubj", 12, 1),
    ("told", "VERB", "VBD", "tell", "ROOT", 12, 1),
    ("Tobias", "PROPN", "NNP", "Tobias", "dobj", 12, 1),
    (".", "PUNCT", ".", ".", "punct", 12, 1),
]


def span_of(word: str, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(word, after)
    return start, start + len(word)


def hand_built_story() -> Story:
    tokens, cursor = Tokens(), 0
    for word, pos, tag, lemma, dep, head, sentence in ANALYSES:
        start, end = span_of(word, cursor)
        cursor = end
        tokens.start.append(start)
        tokens.end.append(end)
        tokens.pos.append(pos)
        tokens.tag.append(tag)
        tokens.lemma.append(lemma)
        tokens.dep.append(dep)
        tokens.head.append(head)
        tokens.sentence.append(sentence)
    mara, she, tobias, lamp = span_of("Mara"), span_of("she"), span_of("Tobias"), span_of("the lamp")
    quote = span_of('"Go home,"')
    story = Story(
        text=TEXT,
        paragraphs=[Span(start=0, end=18), Span(start=20, end=len(TEXT) - 1)],
        sentences=[Span(start=0, end=18), Span(start=20, end=len(TEXT) - 1)],
        entities=[
            Entity(start=mara[0], end=mara[1], label="PER", text="Mara", kind="PROP"),
            Entity(start=lamp[0], end=lamp[1], label="FAC", text="the lamp", kind="NOM"),
            Entity(start=she[0], end=she[1], label="PER", text="she", kind="PRON"),
            Entity(start=tobias[0], end=tobias[1], label="PER", text="Tobias", kind="PROP"),
        ],
        characters=[
            Character(
                id="mara", name="Mara", gender="she", mention_count=2, mentions=[mara, she], agent=["lit"]
            ),
            Character(
                id="tobias",
                name="Tobias",
                aliases=["Toby"],
                gender="he",
                mention_count=1,
                mentions=[tobias],
                patient=["told"],
            ),
        ],
        quotes=[
            Quote(start=quote[0], end=quote[1], text='"Go home,"', speaker="mara", addressees=["tobias"])
        ],
    )
    story._tokens = tokens
    return story


def read_table(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    paths = write_booknlp(hand_built_story(), tmp_path, "lamp")
    assert [p.name for p in paths] == ["lamp.tokens", "lamp.entities", "lamp.quotes", "lamp.book"]
    return tmp_path


def test_tokens_file(written: Path) -> None:
    table = read_table(written / "lamp.tokens")
    assert tuple(table[0]) == TOKENS_HEADER
    assert table[0][:4] == [
        "paragraph_ID",
        "sentence_ID",
        "token_ID_within_sentence",
        "token_ID_within_document",
    ]
    rows = table[1:]
    assert [r[4] for r in rows] == [w for w, *_ in ANALYSES if w.strip()]
    assert rows[0] == ["0", "0", "0", "0", "Mara", "Mara", "0", "4", "PROPN", "NNP", "nsubj", "1", "O"]
    # After the blank line: a new paragraph and sentence, ids renumbered without the space token,
    # and heads pointing at the renumbered ids.
    go = rows[6]
    assert go == ["1", "1", "1", "6", "Go", "go", "21", "23", "VERB", "VB", "ccomp", "11", "O"]
    told = rows[11]
    assert told[3:5] == ["11", "told"] and told[11] == "11"
    for row in rows:  # onsets are character offsets, as in BookNLP
        assert TEXT[int(row[6]) : int(row[7])] == row[4]


def test_entities_file(written: Path) -> None:
    table = read_table(written / "lamp.entities")
    assert tuple(table[0]) == ENTITIES_HEADER
    assert table[1:] == [
        ["0", "0", "0", "PROP", "PER", "Mara"],
        ["2", "2", "3", "NOM", "FAC", "the lamp"],
        ["0", "10", "10", "PRON", "PER", "she"],
        ["1", "12", "12", "PROP", "PER", "Tobias"],
    ]


def test_quotes_file_uses_the_speakers_nearest_mention(written: Path) -> None:
    table = read_table(written / "lamp.quotes")
    assert tuple(table[0]) == QUOTES_HEADER
    assert table[1:] == [["5", "9", "10", "10", "she", "0", '" Go home , "']]


def test_book_file(written: Path) -> None:
    book = json.loads((written / "lamp.book").read_text(encoding="utf-8"))
    mara, tobias = book["characters"]
    assert mara["id"] == 0 and mara["fabula_id"] == "mara" and mara["names"] == ["Mara"]
    assert mara["count"] == 2
    assert mara["mentions"] == {
        "proper": [{"c": 1, "n": "Mara"}],
        "common": [],
        "pronoun": [{"c": 1, "n": "she"}],
    }
    assert mara["g"]["argmax"] == "she/her"
    assert mara["agent"] == [{"w": "lit", "i": 1}]
    assert (mara["patient"], mara["poss"], mara["mod"]) == ([], [], [])
    assert tobias["id"] == 1 and tobias["names"] == ["Tobias", "Toby"]
    assert tobias["g"]["argmax"] == "he/him/his"
    assert tobias["patient"] == [{"w": "told", "i": 11}]


def test_a_modifier_that_governs_the_mention_is_located(tmp_path: Path) -> None:
    # In UD "Mara was tired" is headed by "tired": a modifier can be the mention's governor.
    story = hand_built_story()
    story.characters[0].modifiers = ["lit"]  # "lit" governs "Mara" as "tired" would
    write_booknlp(story, tmp_path, "lamp")
    mara = json.loads((tmp_path / "lamp.book").read_text(encoding="utf-8"))["characters"][0]
    assert mara["mod"] == [{"w": "lit", "i": 1}]


def test_a_story_without_tokens_is_refused(tmp_path: Path) -> None:
    story = hand_built_story()
    story._tokens = None
    with pytest.raises(FabulaError, match="no token analyses"):
        write_booknlp(story, tmp_path, "lamp")


def test_cli_exports_a_fabula_json_by_redoing_its_tokens(tmp_path: Path) -> None:
    """JSON never carries tokens, so the command runs the language layer again on the text."""
    source = tmp_path / "lamp.json"
    hand_built_story().save(source)
    out = tmp_path / "booknlp"
    result = CliRunner().invoke(app, ["corpus", "booknlp", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_table(out / "lamp.tokens")[1:]
    assert [r[4] for r in rows] == re.findall(r"\w+|[^\w\s]", TEXT)
    entities = read_table(out / "lamp.entities")[1:]
    assert ["0", "0", "0", "PROP", "PER", "Mara"] in entities
