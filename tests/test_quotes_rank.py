"""The learned speaker ranker: which turns it may revise, its training groups, its weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabula.errors import InputError
from fabula.eval.quotes import CastSource, prepare, read_pdnc
from fabula.quotes.attribute import attribute, sieve
from fabula.quotes.rank import SpeakerModel, shipped_model
from fabula.quotes.train import Corpus, gold_speakers, groups
from fabula.story import Character, Story

MARA = Character(id="mara", name="Mara Voss", aliases=["Mara"], gender="she")
JON = Character(id="jon", name="Jon Reyes", aliases=["Jon"], gender="he")
TOM = Character(id="tom", name="Tom", gender="he")
TINY = Path(__file__).parent / "fixtures" / "quotes" / "pdnc"


def test_the_ranker_revises_only_turns_no_tag_settled() -> None:
    """A perverse model (the speaker is whoever the quote names) takes over the untagged turn,
    but not the turns a tag names nor the voice an indefinite tag leaves unknown."""
    text = (
        "Mara and Jon waited for Tom by the fire.\n\n"
        '"Tom is late," said Mara.\n\n'
        '"Tom is always late."\n\n'
        '"Tom should know better," said Jon.\n\n'
        '"Tom has come home!" cried a voice from the hall.'
    )
    story = Story(text=text, characters=[MARA, JON, TOM])
    perverse = SpeakerModel({"self:named": 10.0})
    assert [q.speaker for q in attribute(story, perverse)] == ["mara", "tom", "jon", None]
    assert [q.speaker for q in attribute(story)] == ["mara", "mara", "jon", None]


def test_the_shipped_model_keeps_alternation_in_a_long_exchange() -> None:
    text = (
        "Mara found Jon in the garden, digging.\n\n"
        '"You are back early," said Jon.\n\n'
        '"The shop was shut."\n\n'
        '"On a Tuesday?"\n\n'
        '"Old Reyes has gone to the coast."\n\n'
        '"Then we must walk to town tomorrow," said Jon.\n\n'
        '"Must we?"'
    )
    quotes = attribute(Story(text=text, characters=[MARA, JON]), shipped_model())
    assert [q.speaker for q in quotes] == ["jon", "mara", "jon", "mara", "jon", "mara"]
    assert [q.attribution for q in quotes] == ["explicit", *["implicit"] * 3, "explicit", "implicit"]


def test_weights_survive_json() -> None:
    model = SpeakerModel({"sieve": 1.25, "prev2:adj:tag": 0.5})
    assert SpeakerModel.from_json(model.to_json()) == model


def test_training_groups_take_gold_speakers_of_the_turns_the_ranker_may_revise() -> None:
    """TinyNovel: the first turn's tag names Mara (not revised, no group); 'he replied' and
    the untagged answer are Jon's, and Jon is among the candidates of both."""
    doc = read_pdnc(TINY / "data" / "TinyNovel")
    story, _ = prepare(doc, CastSource.gold)
    state = sieve(story)
    assert gold_speakers(state, doc) == [None, "Jon", "Jon"]
    assert len(groups(state, doc)) == 2


def test_cross_validation_needs_novels_outside_the_fold() -> None:
    corpus = Corpus(TINY)
    with pytest.raises(InputError, match="too few novels"):
        corpus.model_without(read_pdnc(TINY / "data" / "TinyNovel"))
