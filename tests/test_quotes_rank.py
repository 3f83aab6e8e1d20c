"""The learned speaker ranker: which turns it may revise, its training groups, its weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from fabula.errors import InputError
from fabula.eval.quotes import CastSource, prepare, read_pdnc
from fabula.quotes.attribute import attribute, sieve
from fabula.quotes.rank import SpeakerModel, _decode, candidate_options, shipped_model
from fabula.quotes.train import Corpus, gold_speakers, groups
from fabula.story import Character, Story

MARA = Character(id="mara", name="Mara Voss", aliases=["Mara"], gender="she")
JON = Character(id="jon", name="Jon Reyes", aliases=["Jon"], gender="he")
TOM = Character(id="tom", name="Tom", gender="he")
TINY = Path(__file__).parent / "fixtures" / "quotes" / "pdnc"


def test_the_ranker_revises_only_turns_no_tag_settled() -> None:
    """A perverse model (the speaker is whoever the quote names) takes over the untagged turn
    and the voice an indefinite tag leaves unknown to the sieve, but not the turns a tag names."""
    text = (
        "Mara and Jon waited for Tom by the fire.\n\n"
        '"Tom is late," said Mara.\n\n'
        '"Tom is always late."\n\n'
        '"Tom should know better," said Jon.\n\n'
        '"Tom has come home!" cried a voice from the hall.'
    )
    story = Story(text=text, characters=[MARA, JON, TOM])
    perverse = SpeakerModel({"self:named": 10.0})
    assert [q.speaker for q in attribute(story, perverse)] == ["mara", "tom", "jon", "tom"]
    assert [q.speaker for q in attribute(story)] == ["mara", "mara", "jon", None]


def test_the_ranker_leaves_a_pronoun_to_the_subject_of_its_own_paragraph() -> None:
    """'Mara turned. "...," she said' is Mara's (the sieve's `own` rule, surer than the ranker):
    the perverse model takes over only the untagged answer."""
    lena = Character(id="lena", name="Lena Hart", aliases=["Lena"], gender="she")
    text = (
        "Lena and Mara waited for Jon by the fire.\n\n"
        'Mara turned to the window. "Lena is cold," she said.\n\n'
        '"Lena is always cold."'
    )
    story = Story(text=text, characters=[MARA, JON, lena])
    quotes = attribute(story, SpeakerModel({"self:named": 10.0}))
    assert [q.speaker for q in quotes] == ["mara", "lena"]
    assert candidate_options(sieve(story))[0] is None


def test_the_ranker_never_offers_whom_the_quote_calls() -> None:
    """'"Jon, come in."' is not Jon's: a model that would pick him finds him no candidate."""
    text = 'Mara and Jon waited by the fire.\n\n"Jon, come in," said Mara.\n\n"Jon, the door!"'
    story = Story(text=text, characters=[MARA, JON])
    options = candidate_options(sieve(story))[1]
    assert options is not None and "jon" not in [cid for cid, _ in options]


def test_an_untagged_turn_in_a_characters_idiolect_ranks_them_first() -> None:
    """Jon's tagged turns say "blimey" and "guv": the untagged turn that does is his by idiolect."""
    text = (
        "Mara and Jon walked to the market.\n\n"
        "\"Blimey, guv, it's a cold un, ain't it, and the cart's stuck in the mud, guv,\" said Jon.\n\n"
        '"I do think we should have taken the earlier train, it was much more sensible," said Mara.\n\n'
        '"Blimey, I ain\'t never seen a market so full, not since the old days, guv, blimey," Jon said.\n\n'
        '"Perhaps we should find somewhere quiet to sit, and have a nice cup of tea first," said Mara.\n\n'
        "The stalls were crowded and loud.\n\n"
        '"Blimey, guv, look at them apples!"'
    )
    options = candidate_options(sieve(Story(text=text, characters=[MARA, JON])))[-1]
    assert options is not None
    features = dict(options)
    assert "idiolect:0" in features["jon"] and "idiolect:1" in features["mara"]


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


def test_a_strict_exchange_is_decoded_as_a_whole() -> None:
    """Turn by turn, Tom edges out Jon in the fourth turn; over the exchange A B A B wins, Jon
    having spoken the second. The turn after narration is a run of its own, left as it was."""
    text = (
        "Mara, Jon and Tom sat by the fire.\n\n"
        '"Is it late?" asked Mara.\n\n'
        '"Nearly ten."\n\n'
        '"Then I must go."\n\n'
        '"Stay a little."\n\n'
        '"I cannot."\n\n'
        "The fire burnt low.\n\n"
        '"Goodnight, then."'
    )
    state = sieve(Story(text=text, characters=[MARA, JON, TOM]))
    scores: list[dict[str | None, float] | None] = [
        None,
        {"jon": 1.0, "tom": 0.5},
        {"mara": 1.0, "jon": 0.2},
        {"tom": 1.0, "jon": 0.8},
        {"mara": 1.0, "tom": 0.1},
        {"tom": 1.0, "jon": 0.9},
    ]
    assert _decode(state.units, scores) == [None, "jon", "mara", "jon", "mara", None]


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


def _features_of(text: str, turn: int) -> dict[str, list[str]]:
    """Each candidate's features for one turn of a hand-written scene (Mara, Jon, Tom)."""
    state = sieve(Story(text=text, characters=[MARA, JON, TOM]))
    options = candidate_options(state)[turn]
    assert options is not None
    return dict(options)


def test_a_name_called_in_the_exchange_sets_whose_turns_are_whose() -> None:
    """Tom, called in the first turn, answers it: he speaks the second and the fourth turn
    ("even" to them), not the third ("odd")."""
    text = (
        "Mara and Jon sat with Tom by the fire.\n\n"
        '"Tom, pass the salt."\n\n'
        '"Here it is."\n\n'
        '"Thank you. And the bread?"\n\n'
        '"There is none left."'
    )
    assert "callparity:back:even" in _features_of(text, 1)["tom"]
    assert "callparity:back:odd" in _features_of(text, 2)["tom"]
    assert "callparity:back:even" in _features_of(text, 3)["tom"]
    assert not any(f.startswith("callparity") for f in _features_of(text, 3)["mara"])


def test_a_pronoun_in_a_turns_narration_speaks_for_a_speaker_of_its_gender() -> None:
    """'The suggestion delighted him.' names no one: the man of the exchange speaks, not Mara
    whom the narration before named; the cue is weighed apart where the paragraph names someone."""
    text = (
        'Jon looked up from his book. "Shall we walk to the lake?" he asked.\n\n'
        '"If Tom comes with us," said Mara.\n\n'
        'The suggestion delighted him. "No, indeed, I should like nothing better."'
    )
    features = _features_of(text, 2)
    assert "narrated:match:spoke" in features["jon"]
    assert "narrated:clash:spoke" in features["mara"]
    assert "narrated:match:unnamed" in features["jon"]
    named = text.replace("The suggestion delighted him.", "The suggestion of Tom delighted him and Mara.")
    assert "narrated:match:named" in _features_of(named, 2)["jon"]


def test_a_third_voice_in_a_two_party_exchange_is_marked() -> None:
    """Mara and Jon hold the exchange; Tom, named in the narration, is outside it."""
    text = (
        "Tom had gone to bed early.\n\n"
        '"Is he asleep?" asked Mara.\n\n'
        '"Long since," said Jon.\n\n'
        '"Then we can talk."'
    )
    features = _features_of(text, 2)
    assert "party:2:in" in features["mara"]
    assert "party:2:out" in features["tom"]


def test_the_subject_of_the_narration_after_a_turn_is_marked() -> None:
    """'"Good night." / Mara turned and left the room.': the turn's candidates learn who the
    paragraph after it is about, and who it names."""
    text = (
        'Mara and Jon sat late by the fire.\n\n"It is late," said Jon.\n\n"Good night."\n\n'
        '"Sleep well."\n\nMara turned from Jon and left the room.'
    )
    features = _features_of(text, 2)
    assert "after:subject" in features["mara"] and "after:named" in features["jon"]
    followed_by_a_turn = _features_of(text, 1)
    assert not {"after:subject", "after:named"} & {f for fs in followed_by_a_turn.values() for f in fs}


def test_the_he_or_she_of_a_nameless_narration_after_a_turn_is_weighed_by_gender() -> None:
    text = (
        'Mara and Jon sat late by the fire.\n\n"It is late," said Jon.\n\n"Good night."\n\n'
        '"Sleep well."\n\nShe turned away and left the room.'
    )
    features = _features_of(text, 2)
    assert "after:match" in features["mara"] and "after:clash" in features["jon"]
