"""The characters stage after coreference: dialogue pronouns by who speaks, scare quotes read as
narration, roles said of a named character, and "we" as a plural."""

from __future__ import annotations

import pytest

from fabula.characters import run
from fabula.characters.coref import resolve
from fabula.characters.dialogue import voiced
from fabula.characters.extract import story_mentions
from fabula.characters.mentions import Kind, Mention, assign_quotes, sentence_quotes
from fabula.characters.roles import named_roles
from fabula.story import Entity, Story
from parsed import token_table
from test_characters import character_at, story_with

ROCKS = """Mara found Ilse on the rocks below the lamp, wrapped in one of Jonah’s old coats.
“You didn’t sleep,” Mara said.
“Neither did you,” said Ilse.
“I had a lamp to watch.”
“I had a lamp to watch too. Your lamp.”
“You could have written.”
“I know.”"""


def test_dialogue_pronouns_follow_the_attributed_speaker_and_addressee() -> None:
    story = story_with(ROCKS, ["Mara", "Ilse", "Jonah"])
    mentions, quotes = story_mentions(story)
    alone = dict(zip((m.start for m in mentions), resolve(mentions, quotes, text=ROCKS), strict=True))
    firsts = [ROCKS.index("I had"), ROCKS.index("I had", ROCKS.index("I had") + 1)]
    assert alone[firsts[0]] == alone[firsts[1]]  # coreference alone: every "I" is one person

    story = run(story)
    mara, ilse = character_at(story, "Mara"), character_at(story, "Ilse")
    assert mara is not ilse
    # Turns alternate after the two tags: Mara, Ilse, Mara, Ilse, Mara, Ilse.
    assert [character_at(story, "I", n) for n in range(3)] == [mara, ilse, ilse]
    assert character_at(story, "You", 0) is ilse
    assert character_at(story, "you") is mara
    assert character_at(story, "Your") is mara
    assert character_at(story, "You", 1) is ilse
    assert character_at(story, "Jonah").mention_count == 1


HARBOUR = """The three of them stood on the quay in the rain.
“Where were you last night?” asked Mara.
“At the harbour,” said Jon.
“You are lying,” said Pell.
“Let him speak,” said Mara."""


def test_a_you_in_a_group_is_said_to_the_one_who_spoke_last() -> None:
    """Pell answers Jon: the "You" of his turn is Jon, who spoke before him, not Mara, who
    speaks after."""
    story = run(story_with(HARBOUR, ["Mara", "Jon", "Pell"]))
    jon = character_at(story, "Jon")
    assert character_at(story, "You") is jon
    assert character_at(story, "you") is jon  # Mara's question, answered by Jon
    assert character_at(story, "Mara") is not jon


def test_scare_quotes_are_narration() -> None:
    text = "Ilse took the coach to Varrow to “find herself”, as her mother said.\n\n“Hello,” said Mara."
    story = story_with(text, ["Ilse", "her mother", "Mara"])
    mentions, quotes = story_mentions(story)
    assert len(quotes) == 2
    kept = voiced(story, mentions, quotes)
    assert [text[q.start : q.end] for q in kept] == ["“Hello,”"]
    assert all(m.quote == -1 for m in mentions)


def test_a_minority_person_tag_does_not_make_a_town_a_person_for_coreference() -> None:
    text = "Ilse went to Varrow. Varrow was far, and she liked Varrow."
    entities = [Entity(start=0, end=4, label="PER", text="Ilse", kind="PROP")]
    for n, start in enumerate(i for i in range(len(text)) if text.startswith("Varrow", i)):
        entities.append(
            Entity(start=start, end=start + 6, label="PER" if n == 1 else "GPE", text="Varrow", kind="PROP")
        )
    mentions, _ = story_mentions(Story(text=text, entities=sorted(entities, key=lambda e: e.start)))
    assert [m.label for m in mentions if m.text == "Varrow"] == ["GPE", "GPE", "GPE"]


def test_a_plural_we_takes_no_singular_pronoun() -> None:
    text = "Ilse climbed past him. “One of us had to,” he said, and stood aside to let her pass."
    spans: list[tuple[str, Kind, int]] = [
        ("Ilse", "PROP", 0),
        ("him", "PRON", 0),
        ("us", "PRON", 1),
        ("he", "PRON", 1),
        ("her", "PRON", 1),
    ]
    mentions, cursor = [], 0
    for surface, kind, sentence in spans:
        start = text.index(surface if surface != "he" else " he", cursor) + (surface == "he")
        cursor = start + len(surface)
        mentions.append(Mention(start, cursor, surface, kind, sentence, "PER" if kind == "PROP" else None))
    quotes = sentence_quotes(text, [0, text.index("“")], [0])
    assign_quotes(mentions, quotes)
    ids = resolve(mentions, quotes, text=text)
    assert ids[4] != ids[2]  # "her" is not one of "us"


@pytest.mark.parametrize(("article", "joins"), [("the", True), ("a", False)])
def test_a_role_said_of_a_named_character_is_that_character(article: str, joins: bool) -> None:
    text = f"Pell is the harbourmaster. Late, {article} harbourmaster said."
    rows = [
        ("Pell", "PROPN", "nsubj", 3),
        ("is", "AUX", "cop", 3),
        ("the", "DET", "det", 3),
        ("harbourmaster", "NOUN", "ROOT", 3),
        (".", "PUNCT", "punct", 3),
        ("Late", "ADV", "advmod", 9),
        (",", "PUNCT", "punct", 9),
        (article, "DET", "det", 8),
        ("harbourmaster", "NOUN", "nsubj", 9),
        ("said", "VERB", "ROOT", 9),
        (".", "PUNCT", "punct", 9),
    ]
    story = Story(text=text)
    story._tokens = token_table(text, rows)
    predicate, later = text.index("the harbourmaster"), text.rindex(f"{article} harbourmaster")
    mentions = [
        Mention(0, 4, "Pell", "PROP", 0, "PER"),
        Mention(predicate, predicate + 17, "the harbourmaster", "NOM", 0, "PER"),
        Mention(later, text.index(" said"), f"{article} harbourmaster", "NOM", 1, "PER"),
    ]
    # Coreference left the predicate apart from its subject (as LitBank does), with the later one.
    # The predicate stays apart; "the harbourmaster" is Pell, "a harbourmaster" is someone else.
    assert named_roles(story, mentions, [0, 1, 1]) == [0, 1, 0 if joins else 1]
