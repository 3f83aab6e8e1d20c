"""The HTML report: escaping, nesting of highlights, offline-ness, and every section on real-looking data."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest

from fabula.export.html import content_security_policy, report, report_script
from fabula.story import (
    AuthorNote,
    Chapter,
    Character,
    Entity,
    Metadata,
    PointOfView,
    Quote,
    Relation,
    Scene,
    Span,
    Story,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

NOTE = "A/N: Thanks for reading! This one is for my sister.\n\n"
CHAPTER_ONE = (
    "Chapter One: The Harbour\n\n"
    "Anna Vance walked down to the harbour at dawn. Ben was already there, mending nets.\n\n"
    '"You\'re late," Ben said, without looking up.\n\n'
    '"The tide is early," Anna replied. "Mrs. Hale kept me talking."\n\n'
    "She sat beside him on the wall and watched the boats come in from Lisbon.\n\n"
    "* * *\n\n"
    'That evening, Mrs. Hale poured the tea. "Your husband works too hard, Anna," she said.\n\n'
    '"He always has," said Anna.\n\n'
)
CHAPTER_TWO = (
    "Chapter Two: Sam\n\n"
    "Sam arrived on the Thursday ferry with a single suitcase.\n\n"
    '"Is this where Anna Vance lives?" they asked Ben.\n\n'
    "Ben nodded. His friend had not changed at all.\n"
)


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """The span of the `nth` occurrence of `needle`: fixtures name spans by their text, not by numbers."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def rich_story() -> Story:
    """A short story with every field of the contract filled in, as the full pipeline would leave it."""
    text = NOTE + CHAPTER_ONE + CHAPTER_TWO
    two = text.index("Chapter Two")
    break_ = text.index("That evening")

    def quote(needle: str, speaker: str | None, addressees: list[str], nth: int = 0) -> Quote:
        s, e = find(text, needle, nth)
        return Quote(start=s, end=e, text=text[s:e], speaker=speaker, addressees=addressees)

    def mentions(*needles: tuple[str, int]) -> list[tuple[int, int]]:
        return [find(text, n, k) for n, k in needles]

    anna = mentions(("Anna Vance", 0), ("Anna", 1), ("She", 0), ("Anna", 2), ("Anna", 3), ("Anna Vance", 1))
    characters = [
        Character(
            id="anna",
            name="Anna Vance",
            aliases=["Anna"],
            gender="she",
            mentions=anna,
            mention_count=len(anna),
            first_mention=anna[0][0],
            agent=["walked", "sat"],
            modifiers=["late"],
        ),
        Character(
            id="ben",
            name="Ben Okoro",
            aliases=["Ben"],
            gender="he",
            mentions=mentions(("Ben", 0), ("Ben", 1), ("him", 0), ("Ben", 2), ("Ben", 3)),
            mention_count=5,
        ),
        Character(
            id="hale",
            name="Mrs. Hale",
            gender="she",
            mentions=mentions(("Mrs. Hale", 0), ("Mrs. Hale", 1), ("she", 0)),
            mention_count=3,
        ),
        Character(
            id="sam",
            name="Sam",
            gender="they",
            mentions=mentions(("Sam", 0), ("Sam", 1), ("they", 0)),
            mention_count=3,
        ),
    ]
    quotes = [
        quote('"You\'re late,"', "ben", ["anna"]),
        quote('"The tide is early,"', "anna", ["ben"]),
        quote('"Mrs. Hale kept me talking."', "anna", ["ben"]),
        quote('"Your husband works too hard, Anna,"', "hale", ["anna"]),
        quote('"He always has,"', "anna", ["hale"]),
        quote('"Is this where Anna Vance lives?"', "sam", ["ben"]),
    ]
    scenes = [
        Scene(
            start=len(NOTE),
            end=break_,
            characters=["anna", "ben"],
            focal="anna",
            pov="third",
            places=["the harbour"],
            time_cues=["at dawn"],
        ),
        Scene(
            start=break_,
            end=two,
            characters=["anna", "hale"],
            focal="anna",
            pov="third",
            time_cues=["That evening"],
        ),
        Scene(
            start=two,
            end=len(text),
            characters=["sam", "ben"],
            focal="ben",
            pov="third",
            places=["the Thursday ferry"],
        ),
    ]
    relations = [
        Relation(
            source="anna",
            target="ben",
            type="interaction",
            evidence=[
                Span(start=s, end=e) for s, e in (find(text, '"You\'re late,"'), find(text, "She sat"))
            ],
        ),
        Relation(source="anna", target="hale", type="interaction", evidence=[Span(start=break_, end=two)]),
        Relation(
            source="anna",
            target="ben",
            type="spouse",
            confidence=0.8,
            evidence=[Span(start=s, end=e) for s, e in [find(text, "Your husband works too hard")]],
        ),
        Relation(
            source="ben",
            target="sam",
            type="friend",
            confidence=0.6,
            evidence=[Span(start=s, end=e) for s, e in [find(text, "His friend had not changed")]],
        ),
    ]
    entities = [
        Entity(start=s, end=e, label=label, text=text[s:e], kind="PROP")
        for (s, e), label in ((find(text, "Lisbon"), "GPE"), (find(text, "the harbour"), "FAC"))
    ]
    return Story(
        text=text,
        metadata=Metadata(
            title="The Tide Is Early",
            author="harbourlight",
            fandoms=["Original Work"],
            rating="General Audiences",
            relationships=["Anna Vance/Ben Okoro"],
            characters=["Anna Vance", "Ben Okoro", "Sam"],
            additional_tags=["Fluff", "Seaside"],
            summary="Anna is late.\n\nThe tide is early.",
            language="en",
            stats={"Words": "170"},
        ),
        author_notes=[AuthorNote(start=0, end=len(NOTE.rstrip()), text=NOTE.rstrip())],
        chapters=[Chapter(start=len(NOTE), end=two, title="The Harbour"), Chapter(start=two, end=len(text))],
        scenes=scenes,
        characters=characters,
        quotes=quotes,
        relations=relations,
        entities=entities,
        pov=PointOfView(person="third", focal="anna", tense="past"),
    )


XSS = ("<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=2">')


def hostile_story() -> Story:
    """Every story-derived string is an attack: the report must show them all as text."""
    script, img = XSS
    text = f'{script} said nothing.\n\n"{img}" she wrote.\n\n<svg onload=window.__pwned=3>\n'
    s, e = find(text, f'"{img}"')
    name = '<b onmouseover="window.__pwned=4">Eve</b>'
    return Story(
        text=text,
        metadata=Metadata(
            title=script,
            author=img,
            fandoms=[script],
            additional_tags=[img],
            summary=f"{script}\n\n{img}",
            url="javascript:window.__pwned=5",
            stats={img: script},
        ),
        characters=[
            Character(id=img, name=name, aliases=[script], mentions=[find(text, script)], mention_count=1)
        ],
        quotes=[Quote(start=s, end=e, text=text[s:e], speaker=img, addressees=[script])],
        scenes=[Scene(start=0, end=len(text), characters=[img], focal=img, places=[script], time_cues=[img])],
        relations=[Relation(source=img, target=script, type=img, evidence=[Span(start=s, end=e)])],
        entities=[Entity(start=0, end=8, label=img, text=text[:8])],
        author_notes=[AuthorNote(start=len(text) - 30, end=len(text), text=text[-30:])],
        pov=PointOfView(focal=script),
    )


class NestingChecker(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    VOID: ClassVar[frozenset[str]] = frozenset(
        {"meta", "link", "br", "hr", "img", "input", "circle", "line", "rect"}
    )

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


class BlockText(HTMLParser):
    """The text content of every element with an id `bN` (a paragraph, heading or note of the text)."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[str, str] = {}
        self.open: list[tuple[str, str | None]] = []
        self.label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        ident = dict(attrs).get("id")
        block = ident if ident and re.fullmatch(r"b\d+", ident) else None
        self.open.append((tag, block))
        if block:
            self.blocks[block] = ""
        if tag == "b" and any(b for _, b in self.open[:-1]):
            self.label += 1  # the note's label is not story text

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        inside = [b for _, b in self.open if b]
        if inside and not any(tag == "b" for tag, _ in self.open):
            self.blocks[inside[-1]] += data


def check_nesting(document: str) -> list[str]:
    checker = NestingChecker()
    checker.feed(document)
    checker.close()
    return checker.errors + [f"<{tag}> never closed" for tag in checker.stack]


def test_report_shows_every_section_of_a_full_story() -> None:
    story = rich_story()
    page = report(story)
    assert check_nesting(page) == []
    for section in ("overview", "cast", "network", "timeline", "dialogue", "text"):
        assert f'<section id="{section}">' in page
    assert "The Tide Is Early" in page and "by harbourlight" in page
    assert '<span class="tag">Original Work</span>' in page
    for name in ("Anna Vance", "Ben Okoro", "Mrs. Hale", "Sam"):
        assert name in page
    # The network: one node per character, an edge per pair that interacted or spoke, typed ones labelled.
    network = page[
        page.index('<svg class="network"') : page.index("</svg>", page.index('<svg class="network"'))
    ]
    assert network.count('<g class="node') == 4
    assert "Anna Vance — Ben Okoro: 2 interactions, 3 lines of dialogue, spouse" in network
    assert ">friend</text>" in network
    widths = [float(w) for w in re.findall(r'stroke-width="([\d.]+)"', network)]
    assert max(widths) == 8.0 and min(widths) < 8.0  # edge width follows weight
    # The timeline: every scene in the bar, focal characters marked.
    assert page.count('class="scene s') == 3
    assert page.count('class="presence focal"') == 3
    assert "Scene 1: focal: Anna Vance · third person · with Ben Okoro · the harbour · at dawn" in page
    # Dialogue: Anna has half the lines and the largest share of words.
    bars = re.findall(r'<div class="bar-row (ch-\d)">.*?width:([\d.]+)%.*?(\d+) lines?<', page)
    assert bars[0][0] == "ch-0" and bars[0][2] == "3"
    assert abs(sum(float(w) for _, w, _ in bars) - 100) < 0.5
    assert "Relationships" in page and "His friend had not changed at all." in page


def test_text_keeps_every_character_and_highlights_quotes_and_mentions() -> None:
    story = rich_story()
    page = report(story)
    parser = BlockText()
    parser.feed(page[page.index('<div class="text">') :])
    rendered = "".join(parser.blocks.values())
    assert re.sub(r"\s+", "", rendered) == re.sub(r"\s+", "", story.text)
    assert '<aside class="note" id="b0"><b>Author\'s note</b>' in page
    # The chapter headings that are lines of the text become headings, not duplicated.
    assert re.search(r'<h3 class="chapter" id="b\d+">Chapter One: The Harbour</h3>', page)
    assert page.count("Chapter Two: ") == 1
    assert re.search(
        r'<h3 class="chapter" id="b\d+">Chapter Two: <span class="m ch-3" title="Sam">Sam</span></h3>', page
    )
    # Quotes carry their speaker's colour and a title naming speaker → addressees; mentions nest inside.
    assert (
        '<span class="q ch-2 k-speech" title="Mrs. Hale → Anna Vance (speech)">"Your husband works too hard, '
        '<span class="m ch-0" title="Anna Vance">Anna</span>,"</span>' in page
    )
    # The text's own "* * *" is the scene break; where the text has none, an ornament marks it.
    separator = r'<p class="separator" id="b\d+">\* \* \*</p>\n'
    assert re.search(separator + r'<div class="scene-break" id="scene-2"><span class="caption">', page)
    assert '<span class="e" title="GPE">Lisbon</span>' in page


def test_crossing_and_nested_spans_still_nest() -> None:
    text = 'Ann said, "Bob and Ann went." Then Ann Lee left.'
    ann = [(0, 3), (19, 22), (35, 42)]
    story = Story(
        text=text,
        characters=[
            Character(id="a", name="Ann Lee", mentions=ann),
            Character(id="b", name="Bob", mentions=[(11, 14), (11, 14)]),
        ],
        # The quote ends in the middle of a mention, and a second quote overlaps the first.
        quotes=[
            Quote(start=10, end=37, text=text[10:37], speaker="a"),
            Quote(start=30, end=48, text=text[30:48], speaker=None),
        ],
        entities=[
            Entity(start=35, end=38, label="LOC", text="Ann"),
            Entity(start=0, end=3, label="ORG", text="Ann"),
            Entity(start=19, end=22, label="PER", text="Ann"),
        ],
    )
    page = report(story)
    assert check_nesting(page) == []
    parser = BlockText()
    parser.feed(page[page.index('<div class="text">') :])
    assert "".join(parser.blocks.values()) == text
    body = page[page.index('<div class="text">') :]
    # The mention that straddles the end of the quote is split in two pieces, both marked.
    assert body.count('title="Ann Lee">') == 4
    assert 'title="Unattributed (speech)"' in body
    # An entity that is exactly a character's mention is not marked twice; people are marked as mentions only.
    assert '<p id="b0"><span class="m ch-0" title="Ann Lee">Ann</span> said' in body
    assert body.count('<span class="e" title="LOC">') == 2 and 'title="PER"' not in body


def test_scene_without_a_marked_break_gets_an_ornament() -> None:
    text = "Chapter 1\n\nMorning came.\n\nBy night the house was quiet.\n"
    morning, night = text.index("Morning"), text.index("By night")
    scenes = [Scene(start=morning, end=night), Scene(start=night, end=len(text), time_cues=["By night"])]
    page = report(Story(text=text, chapters=[Chapter(start=0, end=len(text))], scenes=scenes))
    # The heading already opens the first scene; the second needs a mark of its own.
    assert (
        '<h3 class="chapter" id="b0">Chapter 1</h3>\n'
        '<div class="scene-break" id="scene-1"><span class="caption">Scene 1</span></div>' in page
    )
    assert (
        '<div class="scene-break" id="scene-2"><span class="ornament">⁂</span>'
        '<span class="caption">Scene 2 · By night</span></div>\n<p id="b2">By night' in page
    )


def test_empty_story_still_renders() -> None:
    for story in (Story(text=""), Story(text="Just one line of text, nothing found in it.")):
        page = report(story)
        assert check_nesting(page) == []
        assert '<h1 class="title">Untitled</h1>' in page
        for message in (
            "No characters found.",
            "No characters to draw.",
            "No scenes found.",
            "No dialogue found.",
        ):
            assert message in page
    assert "Just one line of text" in report(Story(text="Just one line of text, nothing found in it."))


def test_spans_out_of_range_or_to_unknown_ids_do_not_break_the_report() -> None:
    """The contract checks offsets only for >= 0: a report of a damaged file must still render."""
    text = 'Short text. "Hi," said Al.'
    story = Story(
        text=text,
        chapters=[Chapter(start=50, end=10, title="Far"), Chapter(start=0, end=5)],
        scenes=[Scene(start=100, end=200, characters=["zz"], focal="yy"), Scene(start=5, end=2)],
        characters=[
            Character(id="a", name="Al", mentions=[(23, 25), (500, 600), (10, 3)], first_mention=999)
        ],
        quotes=[
            Quote(start=12, end=17, text='"Hi,"', speaker="ghost", addressees=["a", "nobody"]),
            Quote(start=900, end=1000, text="gone"),
        ],
        relations=[
            Relation(source="a", target="q", type="friend", evidence=[Span(start=700, end=800)]),
            Relation(source="a", target="a", type="interaction"),
        ],
        entities=[Entity(start=3, end=400, label="LOC", text="?")],
        author_notes=[AuthorNote(start=20, end=999, text="n")],
        paragraphs=[Span(start=0, end=900)],
    )
    page = report(story)
    assert check_nesting(page) == []
    assert 'title="ghost → Al, nobody (speech)">"Hi,"</span>' in page
    assert "Al — q: friend" in page


def test_story_strings_are_escaped_everywhere() -> None:
    page = report(hostile_story())
    assert check_nesting(page) == []
    assert "<script>" not in page.replace(f"<script>{report_script()}</script>", "")
    assert "<img" not in page and "<svg onload" not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "onerror=&quot;window.__pwned=2&quot;" in page
    assert 'href="javascript:' not in page


def test_report_is_offline_and_locked_down() -> None:
    page = report(rich_story())
    # Nothing is fetched: no external src/href/url(), no @import.
    for attr, url in re.findall(r'\b(src|href|action)\s*=\s*["\']?([^"\'\s>]*)', page):
        assert url.startswith(("#", "data:")), (attr, url)
    assert not re.search(r"url\(|@import|https?://", page)
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert csp is not None
    policy = csp.group(1).replace("&#x27;", "'")
    assert policy == content_security_policy(report_script())
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
    # The only script is the one the policy allows by hash, and the CSP comes before it.
    assert re.findall(r"<script>(.*?)</script>", page, re.DOTALL) == [report_script()]
    assert page.index("Content-Security-Policy") < page.index("<style>") < page.index("<script>")


def test_report_is_deterministic() -> None:
    assert report(rich_story()) == report(rich_story())


# ---- in a real browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; Playwright never downloads a browser of its own.

    Module-scoped, because test_web.py shares it and only one Playwright may run at a time.
    """
    if not CHROMIUM.exists():
        if os.environ.get("FABULA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"FABULA_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose console errors, page errors, dialogs and requests are all recorded."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(chromium: Any) -> Iterator[Watched]:
    w = Watched(chromium)
    yield w
    w.close()


@pytest.mark.browser
def test_saved_report_opens_from_file_without_errors(tmp_path: Path, watched: Watched) -> None:
    path = tmp_path / "report.html"
    path.write_text(report(rich_story()), encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri())
    assert page.title() == "The Tide Is Early · Fabula"
    assert page.locator("svg.network .node").count() == 4
    assert page.locator(".text .q").count() >= 6
    # The script runs under the CSP: focusing a character marks their highlights only.
    page.locator('.legend [data-focus-btn="1"]').click()
    assert page.locator("body").get_attribute("data-focus") == "1"
    assert page.locator(".text .m.hl").count() == 5
    page.locator("svg.network .node").first.hover()
    assert "hovering" in (page.locator("svg.network").get_attribute("class") or "")
    assert watched.errors == []
    assert all(url.startswith(("file://", "data:")) for url in watched.requests), watched.requests


@pytest.mark.browser
def test_hostile_report_runs_nothing(tmp_path: Path, watched: Watched) -> None:
    path = tmp_path / "hostile.html"
    path.write_text(report(hostile_story()), encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri())
    page.locator(".text").hover()
    page.locator(".legend button").first.hover()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert watched.dialogs == []
    assert page.title() == f"{XSS[0]} · Fabula"
    text = page.locator(".text").inner_text()
    assert XSS[0] in text and XSS[1] in text
    assert page.locator("img").count() == 0
    assert watched.errors == []
