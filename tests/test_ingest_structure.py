"""Structure found in plain text: scene breaks, author's notes and disclaimers, chapter headings,
paragraphs. Each case is a short story as people write them on AO3, FFN and in plain files."""

from __future__ import annotations

import pytest

from fabula.ingest import from_text
from fabula.ingest.structure import is_break_line, note_kind
from fabula.story import Story
from spans import order_problems, span_problems

FIRST = "Mara lit the lamp and watched the harbour for the boats."
SECOND = "By morning the boats were home, and the harbour was loud again."


def scene_texts(story: Story) -> list[str]:
    return [story.slice(s) for s in story.scenes]


def note_texts(story: Story) -> list[tuple[str, str]]:
    return [(n.kind, n.text) for n in story.author_notes]


@pytest.mark.parametrize(
    "rule",
    ["* * *", "***", "* * * * *", "~~~", "-----", "oOo", "xXx", "o0o", "OoOoO", "#", "~*~", "-o-", "❖ ❖ ❖",
     "—", "=====", "+++", "§", "-line break-", "[scene break]", "~ POV change ~", "Time skip", "~break~"],
)  # fmt: skip
def test_break_styles_split_scenes(rule: str) -> None:
    story = from_text(f"{FIRST}\n\n{rule}\n\n{SECOND}\n")
    assert scene_texts(story) == [FIRST, SECOND]
    assert [story.slice(p) for p in story.paragraphs] == [FIRST, SECOND]
    assert not span_problems(story) and not order_problems(story)


def test_break_without_blank_lines_still_splits() -> None:
    story = from_text(f"{FIRST}\n***\n{SECOND}")
    assert scene_texts(story) == [FIRST, SECOND]


def test_html_rule_and_markdown_rule_are_breaks() -> None:
    page = from_text(f"<p>{FIRST}</p><hr/><p>{SECOND}</p>", source_format="html")
    markdown = from_text(f"{FIRST}\n\n---\n\n{SECOND}\n\n* * *\n\nThe end.", source_format="markdown")
    assert scene_texts(page) == [FIRST, SECOND]
    assert scene_texts(markdown) == [FIRST, SECOND, "The end."]


@pytest.mark.parametrize(
    "line", ["...", "I", "Ox", "xx", "OK.", "“No.”", "- Hello", "Oh.", "2", "Lo", ":", "Break!", "Line"]
)
def test_short_lines_are_not_breaks(line: str) -> None:
    assert not is_break_line(line)


@pytest.mark.parametrize(
    "opening",
    [
        "A/N: This is my first fic, please be nice.",
        "AN: Thanks to everyone who reviewed!",
        "A/N Sorry this took so long.",
        "Author's Note: Set after season two.",
        "Authors Notes - Unbeta'd, all mistakes mine.",
        "**A/N:** This one is for Sam.",
        "[A/N: Warning for mild peril.]",
        "(A/N: Set three years later.)",
        "Note: Mara is twenty here.",
        "Translator's note: the original is in Portuguese.",
    ],
)
def test_opening_author_notes(opening: str) -> None:
    story = from_text(f"{opening}\n\n{FIRST}\n\n{SECOND}")
    assert note_texts(story) == [("note", opening)]
    assert scene_texts(story) == [f"{FIRST}\n\n{SECOND}"]
    assert story.chapters[0].start == story.text.index(FIRST)
    assert [story.slice(s).strip() for s in story.story_spans()] == [f"{FIRST}\n\n{SECOND}"]


@pytest.mark.parametrize(
    "closing",
    [
        "A/N: Thanks for reading! Reviews make my day.",
        "AN: Next chapter is the big one.",
        "Author's Note: I have a tumblr now!",
        "[AN: the song is made up.]",
    ],
)
def test_closing_author_notes(closing: str) -> None:
    story = from_text(f"{FIRST}\n\n* * *\n\n{SECOND}\n\n{closing}\n")
    assert note_texts(story) == [("note", closing)]
    assert scene_texts(story) == [FIRST, SECOND]
    assert story.chapters[0].end == story.text.index(SECOND) + len(SECOND)


def test_multi_paragraph_notes() -> None:
    text = (
        "A/N:\n\nThis started as a drabble.\n\nIt got away from me.\n\n~~~\n\n"
        f"{FIRST}\n\n{SECOND}\n\n"
        "Author's Note: Thank you all!\n\nSee you next week.\n\nPlease review!"
    )
    story = from_text(text)
    assert note_texts(story) == [
        ("note", "A/N:\n\nThis started as a drabble.\n\nIt got away from me."),
        ("note", "Author's Note: Thank you all!\n\nSee you next week.\n\nPlease review!"),
    ]
    assert scene_texts(story) == [f"{FIRST}\n\n{SECOND}"]


def test_bracketed_note_runs_to_its_closing_bracket() -> None:
    story = from_text(f"[Author's Note: two things.\n\nFirst, thanks.\n\nSecond, sorry.]\n\n{FIRST}")
    assert note_texts(story) == [("note", "[Author's Note: two things.\n\nFirst, thanks.\n\nSecond, sorry.]")]
    assert scene_texts(story) == [FIRST]


@pytest.mark.parametrize(
    "disclaimer",
    [
        "Disclaimer: I don't own Starfall or any of its characters.",
        "DISCLAIMER - I own nothing.",
        "I don't own the Harbour Lights books; they belong to R. Tamsin.",
        "All characters belong to their respective owners. No copyright infringement intended.",
        "A/N: I own nothing but the plot.",
    ],
)
def test_disclaimers(disclaimer: str) -> None:
    story = from_text(f"{disclaimer}\n\n{FIRST}")
    assert note_texts(story) == [("disclaimer", disclaimer)]


@pytest.mark.parametrize(
    "opening",
    [
        "An old man sat by the harbour wall, mending a net.",
        "Note the date on the letter, said the inspector to nobody at all.",
        '"That boat belongs to my father," Mara said.',
        "Authors are liars, her mother had always said, and she had believed it.",
    ],
)
def test_story_openings_are_not_notes(opening: str) -> None:
    assert note_kind(opening) is None
    story = from_text(f"{opening}\n\n{FIRST}")
    assert story.author_notes == []


def test_notes_in_the_middle_of_a_chapter_stay_story() -> None:
    story = from_text(f"{FIRST}\n\nA/N: this is mid-chapter.\n\n{SECOND}")
    assert story.author_notes == []


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Chapter 1", "Chapter 1"),
        ("CHAPTER IV.", "CHAPTER IV."),
        ("Chapter One: The Storm", "Chapter One: The Storm"),
        ("Chapter Twenty-Three - Home", "Chapter Twenty-Three - Home"),
        ("Part Two", "Part Two"),
        ("Prologue", "Prologue"),
        ("Epilogue: Ten Years Later", "Epilogue: Ten Years Later"),
        ("**Chapter 3**", "Chapter 3"),
        ("Ch. 7: Tides", "Ch. 7: Tides"),
    ],
)
def test_chapter_headings(heading: str, title: str) -> None:
    story = from_text(f"{heading}\n\n{FIRST}\n\nChapter 99\n\n{SECOND}")
    assert [c.title for c in story.chapters] == [title, "Chapter 99"]
    assert story.slice(story.chapters[0]) == f"{heading}\n\n{FIRST}"
    assert scene_texts(story) == [FIRST, SECOND]


def test_bare_numerals_are_headings_where_the_text_numbers_chapters_so() -> None:
    story = from_text(f"I\n\n{FIRST}\n\nII.\n\n{SECOND}")
    assert [c.title for c in story.chapters] == ["I", "II."]


def test_heading_with_text_on_the_next_line() -> None:
    story = from_text(f"Chapter 1\n{FIRST}\n\nChapter 2\n{SECOND}")
    assert [c.title for c in story.chapters] == ["Chapter 1", "Chapter 2"]
    assert scene_texts(story) == [FIRST, SECOND]


@pytest.mark.parametrize(
    "line",
    [
        "Chapter one of my life began when I was born in a small village by the sea, far from anywhere.",
        "Part of her wanted to stay.",
        "Book after book fell from the shelf.",
        "I",
    ],
)
def test_prose_is_not_a_heading(line: str) -> None:
    story = from_text(f"{FIRST}\n\n{line}\n\n{SECOND}")
    assert [c.title for c in story.chapters] == [None]


def test_contents_list_opens_no_chapters() -> None:
    contents = "CONTENTS\n\nChapter 1: Lamp\nChapter 2: Boats"
    text = f"{contents}\n\nChapter 1: Lamp\n\n{FIRST}\n\nChapter 2: Boats\n\n{SECOND}"
    story = from_text(text)
    assert [c.title for c in story.chapters] == ["Chapter 1: Lamp", "Chapter 2: Boats"]
    assert story.chapters[0].start == text.index("Chapter 1: Lamp\n\n")


def test_prose_before_the_first_heading_is_its_own_chapter() -> None:
    prologue = (
        "The storm came in from the west on the last night of the year, and nobody on the island slept."
    )
    story = from_text(f"{prologue}\n\nChapter 1\n\n{FIRST}")
    assert [c.title for c in story.chapters] == [None, "Chapter 1"]
    assert scene_texts(story) == [prologue, FIRST]


def test_a_title_page_before_the_first_heading_is_not_a_chapter() -> None:
    story = from_text(f"Harbour Lights\nby R. Tamsin\n\nChapter 1\n\n{FIRST}")
    assert [c.title for c in story.chapters] == ["Chapter 1"]


def test_paragraphs_one_per_line_and_hard_wrapped() -> None:
    unwrapped = f"{FIRST}\n{SECOND}\n“Home,” she said.\nThey went in."
    wrapped = (
        "The bell in the tower had not rung for forty\nyears, and the village had grown used to\n"
        "its silence.\n\nIt rang once."
    )
    assert len(from_text(unwrapped).paragraphs) == 4
    story = from_text(wrapped)
    assert [story.slice(p) for p in story.paragraphs] == [wrapped.split("\n\n")[0], "It rang once."]


def test_a_short_paragraph_of_a_hard_wrapped_story_is_one_paragraph_whatever_its_line_ends() -> None:
    # Two of its three inner lines end a sentence, as in a one-paragraph-a-line text; the story
    # around it wraps mid-sentence, so the quote runs on to "Tom wound up".
    opening = (
        "The bell in the tower had not rung for forty\nyears, and the village had grown used to\n"
        "its silence. Nobody in the square could\nremember the sound of it."
    )
    talk = (
        '"Oh yes," he replied, "my old friend. He is\nto meet me here.\nBut he comes later.\n'
        'Do you know him?" Tom wound up.'
    )
    story = from_text(f"{opening}\n\n{talk}")
    assert [story.slice(p) for p in story.paragraphs] == [opening, talk]


def test_a_poem_stays_one_paragraph() -> None:
    poem = "The sea is wide,\nthe sea is grey,\nand all the boats\nhave gone away"
    assert len(from_text(poem).paragraphs) == 1


def test_header_lines_fill_metadata_and_the_summary_is_marked() -> None:
    header = (
        "Title: Harbour Lights\nAuthor: quillandink\nFandom: Saltglass, Tidewater\nRating: T\n"
        "Pairing: Mara/Ines\nWords: 1,200"
    )
    summary = "Summary: Mara keeps the light;\nInes keeps secrets."
    story = from_text(f"{header}\n\n{summary}\n\nA/N: for Jo.\n\n{FIRST}")
    meta = story.metadata
    assert (meta.title, meta.author, meta.rating) == ("Harbour Lights", "quillandink", "T")
    assert (meta.fandoms, meta.relationships) == (["Saltglass", "Tidewater"], ["Mara/Ines"])
    assert meta.summary == "Mara keeps the light; Ines keeps secrets." and meta.stats == {"Words": "1,200"}
    assert note_texts(story) == [("summary", summary), ("note", "A/N: for Jo.")]
    assert [c.title for c in story.chapters] == [None] and scene_texts(story) == [FIRST]


def test_an_opening_line_starting_with_by_is_story() -> None:
    opening = "By the time the boats came in, the lamp had been lit for an hour."
    story = from_text(f"{opening}\n\n{SECOND}")
    assert story.metadata.author is None
    assert story.chapters[0].start == 0 and scene_texts(story) == [f"{opening}\n\n{SECOND}"]


def test_numbered_capital_titles_and_letters() -> None:
    story = from_text(f"I. THE LAMP\n\n{FIRST}\n\nII. THE BOATS\n\n{SECOND}\n\n9 P.M.\n\nStill dark.")
    assert [c.title for c in story.chapters] == ["I. THE LAMP", "II. THE BOATS"]
    letters = from_text(f"LETTER I\n\n{FIRST}\n\nLETTER II\n\n{SECOND}")
    assert [c.title for c in letters.chapters] == ["LETTER I", "LETTER II"]
