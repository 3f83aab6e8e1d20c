"""The demo story (examples/demo_story.md): point of view, focal character, relations and tags.

The relations part gives the story a hand-made cast (names, plus the few pronouns that
coreference links in the sentences that matter), so it checks these stages, not coreference.
"""

from __future__ import annotations

import pytest

import fabula
from conftest import DEMO_STORY
from fabula.narrative import run as narrative
from fabula.relations import run as relations
from fabula.story import Story
from spans import id_problems, span_problems
from test_narrative import add_cast

CAST = {
    "Mara Quell": ["Mara Quell", "Mara", "He had married [her]", "[She] thought about the lamp"],
    "Jonah": ["Jonah", "[He] had married her", "“[I] married one,”"],
    "Ilse Brandt": ["Ilse Brandt", "Ilse", "“[I] married a clerk"],
    "Dorian": [
        "Dorian",
        "married [a clerk]",
        "“[His] name was",
        "“[He] worked",
        "[He] was kind",
        "[He] still writes",
    ],
    "Pell": ["Pell", "the harbourmaster"],
}


@pytest.fixture(scope="module")
def analysed() -> Story:
    return relations(narrative(add_cast(fabula.read(DEMO_STORY), CAST)))


def _scene_at(story: Story, phrase: str) -> int:
    at = story.text.index(phrase)
    return next(i for i, s in enumerate(story.scenes) if s.start <= at < s.end)


def test_demo_pov_is_third_person_past_focused_on_mara(analysed: Story) -> None:
    assert (analysed.pov.person, analysed.pov.tense, analysed.pov.focal) == ("third", "past", "mara_quell")
    for phrase in ("Mara Quell stood at the top", "The knock came", "Mara found Ilse on the rocks"):
        scene = analysed.scenes[_scene_at(analysed, phrase)]
        assert (scene.pov, scene.focal) == ("third", "mara_quell"), phrase


def test_demo_scene_cast_and_time_cues(analysed: Story) -> None:
    cues = {
        phrase: analysed.scenes[_scene_at(analysed, phrase)].time_cues
        for phrase in ("at a quarter past nine", "The next morning", "Three years later")
    }
    assert all(phrase in found for phrase, found in cues.items()), cues
    opening = analysed.scenes[_scene_at(analysed, "Mara Quell stood at the top")]
    assert set(opening.characters) == {"mara_quell", "jonah"}


def test_demo_relations_and_tags(analysed: Story) -> None:
    typed = {(frozenset((r.source, r.target)), r.type) for r in analysed.relations if r.type != "interaction"}
    assert (frozenset(("mara_quell", "jonah")), "spouse") in typed
    assert (frozenset(("ilse_brandt", "dorian")), "spouse") in typed
    assert (frozenset(("ilse_brandt", "dorian")), "ex") in typed
    tags = {t["tag"]: t["kind"] for t in analysed.tags if t["type"] == "relationship"}
    assert tags["Mara Quell/Jonah"] == "romantic"
    assert tags["Mara Quell & Ilse Brandt"] == "platonic"
    assert "Ilse Brandt/Dorian" not in tags
    assert next(t["tag"] for t in analysed.tags if t["type"] == "character") == "Mara Quell"
    assert not span_problems(analysed) and not id_problems(analysed)


def test_demo_through_the_whole_pipeline() -> None:
    story = fabula.analyze(DEMO_STORY)
    assert (story.pov.person, story.pov.tense) == ("third", "past")
    assert all(s.pov == "third" for s in story.scenes if s.end > story.text.index("The wind came off"))
    if story.characters:
        focal = story.character(story.pov.focal) if story.pov.focal else None
        assert focal is not None and "Mara" in focal.name
    known = {c.id for c in story.characters}
    assert all(set(s.characters) <= known for s in story.scenes)
    assert all({r.source, r.target} <= known for r in story.relations)
