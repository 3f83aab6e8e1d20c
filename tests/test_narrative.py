"""The narrative stage: point of view, focal character, tense, scene cast, places and time cues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import fabula
from fabula.narrative import run as narrative
from fabula.narrative.spans import narration_spans, sentence_spans, subtract
from fabula.story import AuthorNote, Chapter, Character, Entity, Gender, Quote, Scene, Span, Story

FIXTURES = Path(__file__).parent / "fixtures" / "narrative"
_SCENE_BREAK = re.compile(r"\n\s*\* \* \*\s*\n")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def cid(name: str) -> str:
    """The id `story_from` gives the character called `name`."""
    return name.lower().replace(" ", "_")


def add_cast(story: Story, cast: dict[str, list[str]], genders: dict[str, Gender] | None = None) -> Story:
    """Characters whose mentions are every whole-word, case-sensitive match of their phrases.

    Longer phrases claim their text first. A phrase may mark the mention inside a context, as
    coreference would link one pronoun: "[He] had married her" mentions only that "He".
    """
    claimed: list[tuple[int, int]] = []
    found: dict[str, list[tuple[int, int]]] = {name: [] for name in cast}
    phrases = sorted(((p, name) for name, ps in cast.items() for p in ps), key=lambda x: -len(x[0]))
    for phrase, name in phrases:
        before, bracket, rest = phrase.partition("[")
        inner, _, after = rest.partition("]") if bracket else (before, "", "")
        if not bracket:
            before = ""
        pattern = rf"(?<![\w/]){re.escape(before)}({re.escape(inner)}){re.escape(after)}(?![\w/])"
        for m in re.finditer(pattern, story.text):
            if not any(s < m.end(1) and m.start(1) < e for s, e in claimed):
                claimed.append(m.span(1))
                found[name].append(m.span(1))
    for name, spans in found.items():
        spans.sort()
        story.characters.append(
            Character(
                id=cid(name),
                name=name,
                gender=(genders or {}).get(name, "unknown"),
                mentions=spans,
                mention_count=len(spans),
                first_mention=spans[0][0] if spans else None,
            )
        )
    return story


def story_from(
    text: str,
    cast: dict[str, list[str]] | None = None,
    *,
    genders: dict[str, Gender] | None = None,
    quotes: list[tuple[str, str | None, list[str]]] | None = None,
) -> Story:
    """A Story as the earlier stages would leave it, built by hand.

    `cast` is as for `add_cast`; character ids are names lowercased (`cid`). `quotes` lists
    (quoted text, speaker name, addressee names). Scenes split at "* * *" lines; sentences
    come from the punctuation splitter.
    """
    story = Story(text=text)
    cut = 0
    for brk in _SCENE_BREAK.finditer(text):
        story.scenes.append(Scene(start=cut, end=brk.start()))
        cut = brk.end()
    if story.scenes:
        story.scenes.append(Scene(start=cut, end=len(text)))
    story.sentences = [Span(start=s, end=e) for s, e in sentence_spans(story)]
    add_cast(story, cast or {}, genders)
    for quoted, speaker, addressees in quotes or []:
        start = text.index(quoted)
        story.quotes.append(
            Quote(
                start=start,
                end=start + len(quoted),
                text=quoted,
                speaker=cid(speaker) if speaker else None,
                addressees=[cid(a) for a in addressees],
            )
        )
    return story


def test_first_person_narrator_is_the_character_linked_to_narration_i() -> None:
    story = narrative(
        story_from(
            fixture("first_person.txt"),
            {"Nell": ["Nell", "I", "me", "my"], "Aunt Bea": ["Aunt Bea", "She", "she", "her"]},
        )
    )
    assert story.pov.person == "first"
    assert story.pov.focal == "nell"
    assert story.pov.tense == "past"
    (scene,) = story.scenes
    assert (scene.pov, scene.focal) == ("first", "nell")
    assert scene.characters == ["nell", "aunt_bea"]
    assert scene.time_cues == ["That night"]


def test_first_person_dialogue_does_not_make_a_third_person_story_first_person() -> None:
    text = (
        "“I never asked for this,” said Tom. “I only wanted my own room, and I wanted you to knock.”\n\n"
        "His sister rolled her eyes and left him there. He sat on the bed and stared at the door."
    )
    story = narrative(story_from(text))
    assert story.pov.person == "third"


def test_second_person_reader_insert() -> None:
    cast = {"Y/N": ["Y/N", "you", "You", "your", "yourself"], "Kai": ["Kai", "He", "he", "his", "him"]}
    story = narrative(story_from(fixture("reader_insert.txt"), cast))
    assert story.pov.person == "second"
    assert story.pov.focal == "y/n"
    assert story.pov.tense == "present"
    assert [(s.pov, s.focal) for s in story.scenes] == [("second", "y/n")]


def test_second_person_without_characters_has_no_focal() -> None:
    story = narrative(Story(text=fixture("reader_insert.txt")))
    assert (story.pov.person, story.pov.focal, story.pov.tense) == ("second", None, "present")


def test_head_hopping_gives_each_scene_its_own_focal_character() -> None:
    cast = {"Mara": ["Mara", "She", "she", "her"], "Jon": ["Jon", "He", "he", "his", "him"]}
    story = narrative(story_from(fixture("head_hopping.txt"), cast))
    assert story.pov.person == "third"
    assert story.pov.tense == "past"
    assert [(s.pov, s.focal) for s in story.scenes] == [("third", "mara"), ("third", "jon")]
    assert story.pov.focal in {"mara", "jon"}
    assert all(set(s.characters) == {"mara", "jon"} for s in story.scenes)


def test_tense_follows_the_tagger_when_tokens_exist() -> None:
    from fabula.language.tokens import Tokens

    text = "She walks to the door. She opens it. The hall is dark."
    story = Story(text=text)
    words = list(re.finditer(r"\w+", text))
    tags = {"walks": "VBZ", "opens": "VBZ", "is": "VBZ"}
    story._tokens = Tokens(
        start=[m.start() for m in words],
        end=[m.end() for m in words],
        tag=[tags.get(m.group(), "NN") for m in words],
    )
    assert narrative(story).pov.tense == "present"
    story._tokens.tag = ["VBD" if t == "VBZ" else t for t in story._tokens.tag]
    assert narrative(story).pov.tense == "past"


def test_narration_excludes_quotes_italic_thoughts_and_author_notes() -> None:
    text = "A/N: I love this ship!\n\nShe said, “I am here.” *I hate this,* she thought. 'Not you,' she said."
    note_end = text.index("\n\n")
    story = Story(text=text, author_notes=[AuthorNote(start=0, end=note_end, text=text[:note_end])])
    narration = " ".join(text[s:e] for s, e in narration_spans(story))
    assert "I" not in re.findall(r"\w+", narration)
    assert "you" not in narration
    assert narration.count("she") == 2


def test_quotes_stage_spans_replace_the_quotation_mark_regex() -> None:
    text = "He said I should go. I went."
    story = Story(text=text, quotes=[Quote(start=0, end=len(text), text=text)])
    assert narration_spans(story) == []


def test_subtract_handles_overlapping_holes() -> None:
    assert subtract([(0, 20)], [(2, 8), (5, 10), (15, 30)]) == [(0, 2), (10, 15)]


def test_scene_places_and_time_cues() -> None:
    text = (
        "The next morning they rode to Saltmere. At dawn the boats left Corrow Point."
        " Meanwhile, in the city, it rained."
    )
    story = Story(
        text=text,
        entities=[
            Entity(start=(i := text.index(name)), end=i + len(name), label=label, text=name, kind="PROP")
            for name, label in [("Saltmere", "GPE"), ("Corrow Point", "LOC"), ("the city", "GPE")]
        ]
        + [Entity(start=0, end=3, label="PER", text="The", kind="NOM")],
    )
    (scene,) = narrative(story).scenes
    assert scene.places == ["Saltmere", "Corrow Point", "the city"]
    assert scene.time_cues == ["The next morning", "At dawn", "Meanwhile"]


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("The knock came at a quarter past nine, so loud it shook the door.", "at a quarter past nine"),
        ("Three years later, there were two names on the board.", "Three years later"),
        ("Two weeks passed before the letter came.", "Two weeks passed"),
        ("They met in the spring of 1850.", "in the spring of 1850"),
        ("On Monday morning the shop was shut.", "On Monday morning"),
        ("Years ago, the lamp had never failed.", "Years ago"),
    ],
)
def test_time_cue_lexicon(sentence: str, cue: str) -> None:
    (scene,) = narrative(Story(text=sentence)).scenes
    assert scene.time_cues == [cue]


def test_time_cues_skip_false_friends() -> None:
    text = "She learned to swim at the age of nine. It may rain. He stopped at one point."
    (scene,) = narrative(Story(text=text)).scenes
    assert scene.time_cues == []


def test_existing_scene_cast_is_kept_and_extended() -> None:
    story = story_from("Mara waited. Jon came in.", {"Mara": ["Mara"], "Jon": ["Jon"]})
    story.scenes = [Scene(start=0, end=len(story.text), characters=["jon", "pell"])]
    (scene,) = narrative(story).scenes
    assert scene.characters == ["jon", "pell", "mara"]


def test_chapters_become_scenes_when_ingest_found_none() -> None:
    text = "I woke early. I made tea.\n\nShe left. She did not come back. She was gone."
    cut = text.index("\n\n")
    story = Story(text=text, chapters=[Chapter(start=0, end=cut), Chapter(start=cut + 2, end=len(text))])
    story = narrative(story)
    assert [s.pov for s in story.scenes] == ["first", "third"]


def test_analyze_end_to_end_on_a_first_person_story() -> None:
    story = fabula.analyze(FIXTURES / "first_person.txt")
    assert (story.pov.person, story.pov.tense) == ("first", "past")
    assert story.scenes and all(s.pov == "first" for s in story.scenes)
    assert "That night" in story.scenes[-1].time_cues
    Story.from_json(story.to_json())


@pytest.mark.parametrize(
    ("fixture_name", "person", "scenes"),
    [
        ("first_person.txt", "first", [("first", {"Nell"})]),
        ("reader_insert.txt", "second", [("second", {"Y/N"})]),
        ("head_hopping.txt", "third", [("third", {"Mara"}), ("third", {"Jon"})]),
        # The wedding is told from outside, of both alike; the rest follows Mara.
        ("marriage_divorce.txt", "third", [("third", {"Mara Vance", "Jon Hale"}), ("third", {"Mara Vance"})]),
    ],
)
def test_every_scene_of_each_fixture_through_the_whole_pipeline(
    fixture_name: str, person: str, scenes: list[tuple[str, set[str]]]
) -> None:
    """POV and focal character per scene from `fabula.analyze` alone: its own cast and coreference."""
    story = fabula.analyze(FIXTURES / fixture_name)
    names = {c.id: c.name for c in story.characters}
    assert story.pov.person == person
    assert len(story.scenes) == len(scenes)
    for scene, (pov, focal) in zip(story.scenes, scenes, strict=True):
        assert scene.pov == pov
        assert names.get(scene.focal or "") in focal
