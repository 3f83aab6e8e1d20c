"""Ingest of every supported format, from small fixtures shaped like the real exports.

The AO3 fixtures follow otwarchive's app/views/downloads templates, the FanFicFare ones its
HTML and EPUB writers, the FFN page FanFiction.net's story page; the stories are our own.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from fabula.ingest import from_text, load
from fabula.story import Story
from spans import order_problems, span_problems

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
EPUB_SOURCES = ("ao3_epub", "fanficfare_epub", "plain_epub")
FILES = (
    "ao3_multi.html",
    "ao3_single.html",
    "ffn.html",
    "fanficfare.html",
    "story.md",
    "story.txt",
    "gutenberg.txt",
)


def pack_epub(source: Path, target: Path) -> Path:
    """Zip a directory of EPUB parts the way EPUB wants it: `mimetype` first and stored."""
    with zipfile.ZipFile(target, "w") as book:
        book.write(source / "mimetype", "mimetype", compress_type=zipfile.ZIP_STORED)
        for part in sorted(source.rglob("*")):
            if part.is_file() and part.name != "mimetype":
                book.write(part, part.relative_to(source).as_posix(), compress_type=zipfile.ZIP_DEFLATED)
    return target


@pytest.fixture(scope="module")
def epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("epubs")
    return {name: pack_epub(FIXTURES / name, folder / f"{name}.epub") for name in EPUB_SOURCES}


def slices(story: Story, field: str) -> list[str]:
    return [story.text[s.start : s.end] for s in getattr(story, field)]


def notes(story: Story) -> list[tuple[str, str]]:
    return [(n.kind, n.text) for n in story.author_notes]


def test_ao3_multi_chapter_download() -> None:
    story = load(FIXTURES / "ao3_multi.html")
    meta = story.metadata
    assert (meta.title, meta.author, meta.source_format) == (
        "The Lighthouse Keeper's Daughter",
        "quillandink",
        "ao3-html",
    )
    assert meta.url == "https://archiveofourown.org/works/1234567"
    assert (meta.rating, meta.warnings, meta.categories) == (
        "Teen And Up Audiences",
        ["No Archive Warnings Apply"],
        ["F/F"],
    )
    assert (meta.fandoms, meta.relationships) == (["Harbour Lights"], ["Mara Quinn/Ines Calder"])
    assert meta.characters == ["Mara Quinn", "Ines Calder", "Old Tom"]
    assert meta.additional_tags == ["Slow Burn", "Storms"]
    assert (meta.language, meta.series) == ("English", ["Part 2 of Harbour Nights"])
    assert meta.stats == {
        "Published": "2023-03-01",
        "Completed": "2023-04-12",
        "Words": "612",
        "Chapters": "2/2",
    }
    assert meta.summary == "Mara keeps the light. Ines keeps secrets. The storm keeps coming."
    assert meta.notes is not None and meta.notes.startswith("Written for the Harbour Lights winter exchange.")
    assert meta.end_notes == "Thanks for reading! Come say hi on my blog."
    assert [c.title for c in story.chapters] == ["Chapter 1: The Lamp Room", "Chapter 2: The Letter"]
    assert notes(story) == [
        ("summary", "Mara keeps the light. Ines keeps secrets. The storm keeps coming."),
        (
            "note",
            "Written for the Harbour Lights winter exchange.\n\n"
            "Thank you to my beta, who caught every comma.",
        ),
        ("summary", "In which the lamp goes out."),
        ("note", "This chapter is mostly Mara being stubborn."),
        ("note", "Next chapter: the letter."),
        ("note", "Thanks for reading! Come say hi on my blog."),
    ]
    # Chapter notes belong to their chapter; the work's end notes come after the last one.
    first, second = story.chapters
    assert first.start < story.author_notes[2].start < story.author_notes[4].end <= first.end
    assert story.author_notes[5].start > second.end
    scenes = slices(story, "scenes")
    assert len(scenes) == 4
    assert scenes[0].startswith("The lamp guttered") and scenes[0].endswith("“Listen to it.”")
    assert scenes[1].startswith("By dawn the wind had dropped.")
    assert (
        scenes[3] == "“Well?” said Ines, when Mara finally came down.\n\n“Well,” said Mara, and kissed her."
    )
    assert "Posted originally" not in story.text and "drop by the Archive" not in story.text


def test_ao3_single_chapter_download() -> None:
    story = load(FIXTURES / "ao3_single.html")
    assert (story.metadata.title, story.metadata.author) == ("Salt and Iron", "ferngrey")
    assert story.metadata.characters == ["Wren", "The Smith"]
    assert notes(story) == [
        ("summary", "A girl, a forge, a bargain."),
        ("disclaimer", "Disclaimer: the forge belongs to nobody and the story belongs to me."),
        ("note", "A/N: This was a drabble challenge. Kudos are lovely!"),
    ]
    assert len(story.chapters) == 1 and story.chapters[0].title is None
    assert slices(story, "scenes")[1] == (
        "Years later, when they asked her where she had learned, she only ever said: from the fire."
    )


def test_ao3_epub(epubs: dict[str, Path]) -> None:
    story = load(epubs["ao3_epub"])
    meta = story.metadata
    assert (meta.title, meta.author, meta.source_format, meta.rating) == (
        "Night Ferry",
        "tidewater",
        "ao3-epub",
        "Mature",
    )
    assert meta.url == "https://archiveofourown.org/works/4242424"
    assert meta.characters == ["Ferryman Osk", "Lira"]
    assert [c.title for c in story.chapters] == ["1. Departure", "2. Crossing"]
    assert notes(story) == [
        ("summary", "The last ferry of the night carries one passenger too many."),
        ("note", "Set a year after the flood."),
        ("note", "Lira is from my other fic!"),
    ]
    assert slices(story, "scenes") == [
        "Osk counted the passengers twice, and both times he counted seven.\n\n"
        "Six tickets lay in the tin by the wheel.",
        "Halfway across, the lamps went out.",
        "“Who are you?” Osk asked the seventh passenger.\n\n"
        "Lira smiled and did not answer, and the far bank came up out of the dark.",
    ]


def test_fanficfare_html() -> None:
    story = load(FIXTURES / "fanficfare.html")
    meta = story.metadata
    assert (meta.title, meta.author, meta.source_format) == (
        "Paper Boats",
        "inkwell_ottoline",
        "fanficfare-html",
    )
    assert (meta.url, meta.fandoms) == ("https://archiveofourown.org/works/5550001", ["Canal Town Mysteries"])
    assert (meta.characters, meta.relationships) == (
        ["Pip Harrow", "Detective Lune"],
        ["Pip Harrow & Detective Lune"],
    )
    assert (meta.rating, meta.warnings, meta.language) == (
        "General Audiences",
        ["No Archive Warnings Apply"],
        "English",
    )
    assert meta.summary == "Someone is sinking paper boats with messages in them."
    assert meta.stats["Words"] == "415" and meta.stats["Status"] == "Completed"
    assert [c.title for c in story.chapters] == ["1. The First Boat", "2. The Last Boat"]
    assert "Table of Contents" not in story.text and "Packaged" not in story.text
    assert len(story.scenes) == 3


def test_fanficfare_epub(epubs: dict[str, Path]) -> None:
    story = load(epubs["fanficfare_epub"])
    meta = story.metadata
    assert (meta.title, meta.author, meta.source_format) == ("Ember and Ash", "hollowreed", "fanficfare-epub")
    assert (meta.fandoms, meta.rating, meta.characters) == (["Hearthlands"], "K+", ["Cinder", "Ravi O."])
    assert meta.url == "https://www.fanfiction.net/s/3141592/1/"
    assert [c.title for c in story.chapters] == ["Kindling", "Smoke"]
    assert notes(story) == [("note", "A/N: Short one today, sorry!")]
    assert slices(story, "scenes")[-1] == "Ravi named the spirit Cinder, because it seemed to like that."
    assert "Table of Contents" not in story.text


def test_ordinary_epub(epubs: dict[str, Path]) -> None:
    story = load(epubs["plain_epub"])
    assert (story.metadata.title, story.metadata.author) == ("The Cartographer's Cat", "Imogen Pell")
    assert [c.title for c in story.chapters] == ["Chapter 1: The Map", "Chapter 2: The Edge"]
    # The navigation document and the non-linear advert are not part of the book.
    assert "Contents" not in story.text and "BUY MORE BOOKS" not in story.text
    assert (
        slices(story, "scenes")[1] == "Years later, sailors went looking for Pawprint. Some of them found it."
    )


def test_ffn_page() -> None:
    story = load(FIXTURES / "ffn.html")
    meta = story.metadata
    assert (meta.title, meta.author, meta.source_format) == ("The Long Road", "dustywings", "ffn-html")
    assert (meta.fandoms, meta.rating, meta.language) == (["Starfall Chronicles"], "T", "English")
    assert meta.relationships == ["Kestrel V./Jory M."]
    assert meta.characters == ["Kestrel V.", "Jory M.", "Old Abbot"]
    assert meta.additional_tags == ["Adventure", "Hurt/Comfort"]
    assert (
        meta.stats["Words"] == "8,120" and meta.url == "https://www.fanfiction.net/s/9876543/1/The-Long-Road"
    )
    assert [c.title for c in story.chapters] == ["Departure"]
    assert [k for k, _ in notes(story)] == ["note", "disclaimer", "note"]
    assert slices(story, "scenes") == [
        "Kestrel tightened the last strap on her saddlebag and looked back at the monastery gate.\n\n"
        '"You\'re sure about this?" Jory asked.\n\n"No," she said. "Get on the horse."',
        "They rode until the bells were only a memory behind them.",
    ]


def test_markdown() -> None:
    story = load(FIXTURES / "story.md")
    assert (story.metadata.title, story.metadata.author) == ("The Glass Orchard", "R. Fenwick")
    assert [c.title for c in story.chapters] == ["Chapter One: Frost", "Chapter Two: Thaw"]
    assert "**" not in story.text and "](" not in story.text and "---" not in story.text
    assert "The orchard had been glass for as long as Nell could remember." in story.text
    assert notes(story) == [
        ("note", "A/N: for my sister, who likes apples."),
        ("note", "Note: the last chapter goes up next week."),
    ]
    assert len(story.scenes) == 5


def test_plain_text() -> None:
    story = load(FIXTURES / "story.txt")
    assert (story.metadata.title, story.metadata.author) == ("The Clockmaker's Apprentice", "M. Okafor")
    assert [c.title for c in story.chapters] == [
        "CHAPTER I. The Shop on Tanner Street",
        "CHAPTER II. The Clock With No Hands",
    ]
    assert notes(story) == [
        ("disclaimer", "Disclaimer: I own nothing but the plot."),
        ("note", "Author's Note: Thanks for reading! Chapter three is nearly done."),
    ]
    assert len(story.scenes) == 4
    assert (
        slices(story, "scenes")[1] == "That winter a woman in a grey coat brought in a clock with no hands."
    )


def test_gutenberg_header_and_footer_are_cut() -> None:
    story = load(FIXTURES / "gutenberg.txt")
    meta = story.metadata
    assert (meta.title, meta.author, meta.language, meta.source_format) == (
        "The Winter Bell",
        "Harriet Lowe",
        "English",
        "gutenberg",
    )
    assert "Project Gutenberg" not in story.text and "Produced by" not in story.text
    assert story.text.startswith("THE WINTER BELL")
    assert story.text.endswith("Yet in the morning there were footprints in the frost on the steps.")
    # The contents list names both chapters; only the real headings open them.
    assert [c.title for c in story.chapters] == ["CHAPTER I. THE BELL", "CHAPTER II. THE BELL-RINGER"]
    assert slices(story, "scenes")[0].startswith("The bell in the tower")


def test_unknown_suffix_is_sniffed(tmp_path: Path, epubs: dict[str, Path]) -> None:
    page = tmp_path / "download"
    page.write_bytes((FIXTURES / "ao3_single.html").read_bytes())
    book = tmp_path / "book.bin"
    book.write_bytes(epubs["plain_epub"].read_bytes())
    notes_file = tmp_path / "notes.log"
    notes_file.write_text("Just text.\n\n<b>Not</b> a page, though it has a tag.", encoding="utf-8")
    assert load(page).metadata.source_format == "ao3-html"
    assert load(book).metadata.title == "The Cartographer's Cat"
    assert load(notes_file).metadata.source_format == "text"


def test_from_text_formats() -> None:
    assert from_text("# Title\n\n## One\n\nText here.", source_format="markdown").chapters[0].title == "One"
    assert from_text("<p>Hello.</p><hr><p>Bye.</p>", source_format="html").text == "Hello.\n\n* * *\n\nBye."
    assert from_text("Hello.\r\nBye.\r").text == "Hello.\nBye.\n"


@pytest.mark.parametrize("name", FILES + EPUB_SOURCES)
def test_every_span_indexes_the_text(name: str, epubs: dict[str, Path]) -> None:
    story = load(epubs[name] if name in epubs else FIXTURES / name)
    assert not span_problems(story)
    assert not order_problems(story)
    notes_spans = [(n.start, n.end) for n in story.author_notes]
    for scene in story.scenes:
        assert all(scene.end <= start or end <= scene.start for start, end in notes_spans), story.slice(scene)
        assert "* * *" not in story.slice(scene)
    for chapter in story.chapters:
        assert any(chapter.start <= s.start and s.end <= chapter.end for s in story.scenes)
    assert story.sentences == []
    assert all(story.slice(p).strip() for p in story.paragraphs)


def test_generic_html_page(tmp_path: Path) -> None:
    page = tmp_path / "story.htm"
    page.write_text(
        "<html lang='en'><head><title>Tidewrack</title><meta name='author' content='E. Marsh'>"
        "<style>p { color: red }</style></head><body><nav>Home | Archive</nav>"
        "<h1>Tidewrack</h1><h2>One</h2><p>The tide left a door on the beach.<br><br>Nobody claimed it.</p>"
        "<center>~</center><p>At night it <i>knocked</i>.</p>"
        "<h2>Two</h2><div>Jem opened it.<br>Nothing was there.</div><script>track()</script></body></html>",
        encoding="utf-8",
    )
    story = load(page)
    assert (story.metadata.title, story.metadata.author, story.metadata.language) == (
        "Tidewrack",
        "E. Marsh",
        "en",
    )
    assert [c.title for c in story.chapters] == ["One", "Two"]
    assert slices(story, "scenes") == [
        "The tide left a door on the beach.\n\nNobody claimed it.",
        "At night it knocked.",
        "Jem opened it.\nNothing was there.",
    ]
    assert "color" not in story.text and "track()" not in story.text


def test_markdown_title_at_chapter_level_opens_no_chapter() -> None:
    story = from_text(
        "# Tidewrack\n\n# Chapter 1\n\nA door.\n\n# Chapter 2\n\nA knock.", source_format="markdown"
    )
    assert [c.title for c in story.chapters] == ["Chapter 1", "Chapter 2"]


def test_deeply_nested_html_is_read() -> None:
    story = from_text("<p>Start.</p>" + "<font>" * 5000 + "Deep text.<p>End.</p>", source_format="html")
    assert story.text == "Start.\n\nDeep text.\n\nEnd."


def test_ao3_download_with_text_straight_in_chapters() -> None:
    page = (
        '<html><body><div id="preface"><div class="meta"><h1>Short</h1>'
        '<div class="byline">by <a rel="author" href="/users/x">x</a></div></div></div>'
        '<div id="chapters" class="userstuff"><p>One line.</p><p>* * *</p><p>Another.</p></div>'
        '<div id="afterword"><p class="message">Please comment!</p></div></body></html>'
    )
    story = from_text(page, source_format="html")
    assert (story.metadata.title, story.metadata.author) == ("Short", "x")
    assert slices(story, "scenes") == ["One line.", "Another."]
