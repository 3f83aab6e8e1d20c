"""Epistolary narration: each headed letter's "I" is its writer and its "you" its recipient."""

from __future__ import annotations

from fabula.characters import run
from fabula.characters.letters import find_letters
from fabula.characters.mentions import Mention
from test_characters import character_at, story_with

LETTERS = """LETTER I
Miss Ada Penrose to Mr. Tobias Crane
Dear Sir, I write in haste. My brother is ill, and I beg you to come. You know the road.
Ada Penrose
LETTER II
Mr. Tobias Crane to Miss Ada Penrose
Madam, I set out at dawn. Tell your brother that I am coming, and keep him warm for me.
"""


def test_each_letter_speaks_as_its_writer_to_its_recipient() -> None:
    story = run(story_with(LETTERS, ["Miss Ada Penrose", "Mr. Tobias Crane", "Ada Penrose"]))
    ada, crane = character_at(story, "Miss Ada Penrose"), character_at(story, "Mr. Tobias Crane")
    assert ada.id != crane.id
    for pronoun, nth in (("I", 1), ("My", 0), ("I", 2)):  # "I" 0 is the numeral
        assert character_at(story, pronoun, nth).id == ada.id
    assert character_at(story, "you").id == character_at(story, "You").id == crane.id
    for pronoun, nth in (("I", 3), ("I", 4), ("me", 0)):
        assert character_at(story, pronoun, nth).id == crane.id
    assert character_at(story, "your").id == ada.id


def named(text: str, names: list[str]) -> list[Mention]:
    """A person mention for the first occurrence of each name."""
    return [Mention(text.index(n), text.index(n) + len(n), n, "PROP", 0, "PER") for n in names]


def heading(text: str, names: list[str]) -> tuple[str | None, str | None]:
    """The writer and recipient the one letter heading of `text` names, given its names."""
    mentions = named(text, names)
    (letter,) = find_letters(text, mentions)
    writer, recipient = letter.writer, letter.recipient
    return (None if writer is None else mentions[writer].text), (
        None if recipient is None else mentions[recipient].text
    )


def test_headings_in_the_styles_books_print_them() -> None:
    """LitBank's tokenized Evelina runs heading and letter together; Frankenstein puts a place
    and a date before "To"; Dracula writes "Letter, X to Y" on a line of its own."""
    glued = (
        "LETTER II MR. VILLARS TO LADY HOWARD Berry Hill , Dorsetshire .\nYOUR Ladyship did but too well ."
    )
    assert heading(glued, ["MR. VILLARS", "LADY HOWARD"]) == ("MR. VILLARS", "LADY HOWARD")
    dated = "Letter 1\n\nSt. Petersburgh, Dec. 11th, 17--\n\nTo Mrs. Saville, England\n\nYou will rejoice."
    assert heading(dated, ["Mrs. Saville"]) == (None, "Mrs. Saville")
    inline = "Letter, Miss Mina Murray to Miss Lucy Westenra.\n\nMy dearest Lucy, forgive my long delay."
    assert heading(inline, ["Miss Mina Murray", "Miss Lucy Westenra"]) == (
        "Miss Mina Murray",
        "Miss Lucy Westenra",
    )


def test_a_sentence_about_a_letter_is_no_heading() -> None:
    text = "Letter writing to Mr. Crane was her habit, and she wrote to Ada Penrose too."
    assert find_letters(text, named(text, ["Mr. Crane", "Ada Penrose"])) == []
