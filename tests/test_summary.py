"""The plain-text summary: readable, ANSI-free, and robust to stages that have not run."""

from __future__ import annotations

import re

import pytest

from fabula.export import render
from fabula.export.summary import summary, word_count
from fabula.story import (
    AuthorNote,
    Chapter,
    Character,
    PointOfView,
    Quote,
    Relation,
    Scene,
    Span,
    Story,
)

ANSI = re.compile(r"\x1b\[")

NOTE = "A/N: Disclaimer: I own nothing.\n\n"
BODY = (
    "“Pass the salt,” said Nell.\n\n"
    "Tam passed it without a word. “Anything else, my lady?” he asked.\n\n"
    "Nell laughed. Her husband always did this at breakfast.\n\n"
    "The next morning the boat left for Harrowgate."
)


def _span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def analysed() -> Story:
    """A small story with every field a full pipeline would fill."""
    text = NOTE + BODY
    story = Story(text=text)
    story.metadata.title = "Salt"
    story.metadata.author = "quillfeather"
    story.metadata.fandoms = ["Harbour Tales"]
    start, end = _span(text, NOTE.strip())
    story.author_notes = [AuthorNote(start=start, end=end, text=text[start:end], kind="disclaimer")]
    body = text.index(BODY)
    story.chapters = [Chapter(start=body, end=len(text), title="Breakfast")]
    second = text.index("The next morning")
    story.scenes = [
        Scene(start=body, end=second, characters=["nell", "tam"], focal="nell", pov="third"),
        Scene(start=second, end=len(text), places=["Harrowgate"], time_cues=["The next morning"]),
    ]
    story.characters = [
        Character(id="tam", name="Tam", gender="he", mention_count=2),
        Character(id="nell", name="Nell", aliases=["Nell", "my lady"], gender="she", mention_count=3),
    ]
    first, second_quote = _span(text, "Pass the salt,"), _span(text, "Anything else, my lady?")
    story.quotes = [
        Quote(start=first[0], end=first[1], text=text[slice(*first)], speaker="nell", attribution="explicit"),
        Quote(
            start=second_quote[0],
            end=second_quote[1],
            text=text[slice(*second_quote)],
            speaker="tam",
            addressees=["nell"],
            attribution="anaphoric",
        ),
    ]
    story.pov = PointOfView(person="third", tense="past", focal="nell")
    evidence = _span(text, "Her husband")
    story.relations = [
        Relation(
            source="nell",
            target="tam",
            type="spouse",
            evidence=[Span(start=evidence[0], end=evidence[1])],
            confidence=0.8,
        )
    ]
    return story


def test_header_counts_story_words_not_notes(analysed: Story) -> None:
    out = summary(analysed, width=100)
    lines = out.splitlines()
    assert lines[0] == "Salt"
    assert lines[1] == "by quillfeather · Harbour Tales"
    assert word_count(analysed) == len(re.findall(r"\w+(?:’\w+)*", BODY))
    assert f"{word_count(analysed)} words · 1 chapter · 2 scenes · 1 author's note" in lines[2]
    assert "2 characters · 2 quotes" in lines[2]
    assert lines[3] == "Point of view: third person, past tense, focal Nell"


def test_cast_is_ordered_by_mentions_with_aliases(analysed: Story) -> None:
    out = summary(analysed, width=100)
    cast = out[out.index("Characters") : out.index("Scenes")]
    nell_row = next(line for line in cast.splitlines() if line.startswith("Nell"))
    assert nell_row.split()[1:] == ["my", "lady", "she", "3"]
    assert cast.index("Nell") < cast.index("Tam")


def test_scenes_quotes_and_relations_use_character_names(analysed: Story) -> None:
    out = summary(analysed, width=120)
    scenes = out[out.index("\nScenes") : out.index("\nQuotes")]
    assert "“Pass the salt,” said Nell. Tam passed it …" in scenes
    assert "Nell, Tam" in scenes
    assert "The next morning the boat left for Harrowgate." in scenes
    quotes = out[out.index("\nQuotes") : out.index("\nRelations")]
    assert "Tam → Nell" in quotes
    assert "speech (anaphoric)" in quotes
    assert "“Anything else, my lady?”" in quotes  # spans leave the marks out; the summary shows them
    assert "Nell — Tam" in out and "spouse" in out and "0.80" in out


def test_long_lists_are_cut_and_say_so(analysed: Story) -> None:
    out = summary(analysed, max_quotes=1, max_characters=1, width=100)
    assert "first 1 of 2" in out
    assert "1 more not shown" in out
    assert "Anything else" not in out


def test_unanalysed_story_gives_a_complete_report() -> None:
    """Right after ingest nothing but the text is filled: every section says so, none fails."""
    out = summary(Story(text="Just a line of text."), width=80)
    assert out.splitlines()[0] == "Untitled"
    assert "5 words · 0 chapters · 0 scenes" in out
    assert "Point of view: unknown" in out
    for section, empty in [
        ("Characters", "none found"),
        ("Scenes", "none marked"),
        ("Quotes", "none found"),
        ("Relations", "none found"),
    ]:
        assert f"{section}\n  {empty}" in out


def test_unknown_ids_are_shown_as_themselves() -> None:
    """A quote whose speaker id has no character (a partial run) still renders."""
    text = "“Hi,” said someone."
    story = Story(text=text, quotes=[Quote(start=1, end=4, text="Hi,", speaker="c9")])
    assert "c9" in summary(story, width=80)


def test_plain_text_without_ansi_or_trailing_spaces(analysed: Story) -> None:
    out = render(analysed, "text")
    assert not ANSI.search(out)
    assert all(line == line.rstrip() for line in out.splitlines())
    assert out.endswith("\n") and not out.endswith("\n\n")
