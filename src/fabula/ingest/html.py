"""HTML: AO3 downloads, FanFiction.net pages, FanFicFare exports and any other page of prose.

Block elements become paragraphs, `<br>` a line break (two in a row a paragraph break), `<hr>`
a scene break. Site layouts are recognised by their own ids and classes (AO3's `#preface`,
`.meta.group` and `.userstuff`; FFN's `#storytext`; FanFicFare's `a[name^=section]`), so their
metadata fills `Metadata` and their note blocks are marked as author's notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from fabula.ingest.fields import STATS, assign_field, split_list
from fabula.ingest.render import BREAK, Block, TextBuilder, draft_from_blocks, paragraphs_of
from fabula.ingest.structure import ChapterMark, Draft, NoteKind
from fabula.story import AuthorNote, Metadata

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "li", "main", "nav",
    "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul", "caption",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP_TAGS = {"script", "style", "head", "noscript", "template", "svg", "select", "button", "iframe", "title"}
_CELL_TAGS = {"td", "th"}


def _classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def inline_text(node: LexborNode) -> str:
    """A node's text on one line, whitespace collapsed (headings, labels, tag values)."""
    return " ".join(" ".join(block.text.split()) for block in html_blocks(node))


def html_blocks(node: LexborNode) -> list[Block]:
    """The paragraphs, headings and breaks under a node, in document order."""
    blocks: list[Block] = []
    buffer: list[str] = []

    def flush() -> None:
        raw = "".join(buffer)
        buffer.clear()
        blocks.extend(Block(text) for text in paragraphs_of(raw))

    # An explicit stack, not recursion: old fan fiction pages nest thousands of unclosed tags.
    stack: list[tuple[Iterator[LexborNode], bool, str]] = [(iter(node.iter(include_text=True)), False, "")]
    while stack:
        children, pre, parent_tag = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if parent_tag in _BLOCK_TAGS:
                flush()
            elif parent_tag in _CELL_TAGS:
                buffer.append(" ")
            continue
        tag = child.tag or ""
        if tag == "-text":
            content = child.text_content or ""
            buffer.append(content if pre else re.sub(r"\s+", " ", content))
        elif tag in _SKIP_TAGS or tag.startswith("-"):
            continue
        elif tag == "br":
            buffer.append("\n")
        elif tag == "hr":
            flush()
            blocks.append(Block(BREAK, "break"))
        elif tag in _HEADINGS:
            flush()
            text = inline_text(child)
            if text:
                blocks.append(Block(text, tag))
        else:
            if tag in _BLOCK_TAGS:
                flush()
            stack.append((iter(child.iter(include_text=True)), pre or tag == "pre", tag))
    flush()
    return blocks


def _texts(node: LexborNode) -> list[str]:
    return [block.text for block in html_blocks(node)]


# ---------------------------------------------------------------------------- title pages


def labelled_lines(node: LexborNode) -> dict[str, str]:
    """The "Label: value" lines of a title page (FanFicFare's table or `<b>Label:</b> value<br/>` list);
    a label alone on its line takes the next line as its value."""
    fields: dict[str, str] = {}
    rows = [row for block in html_blocks(node) for row in block.text.split("\n")]
    for index, row in enumerate(rows):
        label, colon, value = row.partition(":")
        if not value.strip() and index + 1 < len(rows) and ":" not in rows[index + 1]:
            value = rows[index + 1]
        if colon and 0 < len(label) <= 30 and value.strip():
            fields.setdefault(label.strip(), value.strip())
    return fields


def fanficfare_fields(metadata: Metadata, fields: dict[str, str]) -> None:
    """FanFicFare's title page: its "Category" is the fandom, its "Publisher" the site."""
    for label, value in fields.items():
        key = label.lower()
        if key in {"summary", "title", "author", "rating", "language", "story url"} or key in STATS:
            assign_field(metadata, label, [value])
        else:
            assign_field(metadata, label, split_list(value), overrides={"category": "fandoms"})


def page_metadata(tree: LexborHTMLParser, source_format: str) -> Metadata:
    """What any page says about itself: `<title>`, author meta, language."""
    metadata = Metadata(source_format=source_format)
    title = tree.css_first("title")
    if title and inline_text(title):
        metadata.title = inline_text(title)
    author = tree.css_first('meta[name="author"]')
    if author and author.attributes.get("content"):
        metadata.author = author.attributes["content"]
    html = tree.css_first("html")
    if html and html.attributes.get("lang"):
        metadata.language = html.attributes["lang"]
    canonical = tree.css_first('link[rel="canonical"]')
    if canonical and canonical.attributes.get("href"):
        metadata.url = canonical.attributes["href"]
    return metadata


# ---------------------------------------------------------------------------- AO3


class _Ao3Reader:
    """AO3's download template (otwarchive app/views/downloads): a preface with tags, summary and
    notes; chapters, each a `.meta.group` (heading, summary, notes) then a `.userstuff` body and
    perhaps end notes; an afterword with the work's end notes. Works the same on the calibre
    split of the same HTML inside AO3's EPUBs, where the wrappers repeat in every file."""

    def __init__(self) -> None:
        self.metadata = Metadata(source_format="ao3-html")
        self.builder = TextBuilder()
        self.notes: list[AuthorNote] = []
        self.chapters: list[ChapterMark] = []
        self.open: tuple[str | None, int, int] | None = None  # title, start, body_start

    def read(self, root: LexborNode) -> Draft:
        self._visit(root)
        self._close()
        return Draft(
            text=self.builder.text(), metadata=self.metadata, chapters=self.chapters, notes=self.notes
        )

    def _visit(self, node: LexborNode) -> None:
        for child in node.iter():
            node_id = child.attributes.get("id") or ""
            classes = _classes(child)
            if node_id == "preface":
                self._preface(child)
            elif node_id == "afterword":
                self._close()
                self._labelled_notes(child, work_end=True)
            elif {"meta", "group"} <= classes:
                self._close()
                self._chapter_meta(child)
            elif "meta" in classes and node_id.startswith("endnotes"):
                self._labelled_notes(child)
            elif (
                "userstuff" in classes
                and child.tag == "div"
                and (node_id != "chapters" or not _holds_chapters(child))
            ):
                self._body(child)  # a chapter's text; older downloads put it straight in #chapters
            elif "toc-heading" not in classes:
                self._visit(child)

    def _close(self) -> None:
        if self.open:
            title, start, body_start = self.open
            self.chapters.append(
                ChapterMark(title=title, start=start, body_start=body_start, end=self.builder.end)
            )
            self.open = None

    def _note(self, node: LexborNode, label: str) -> AuthorNote | None:
        kind: NoteKind = "summary" if "summary" in label.lower() else "note"
        note = self.builder.note(_texts(node), kind)
        if note:
            self.notes.append(note)
        return note

    def _labelled_notes(self, node: LexborNode, work_end: bool = False) -> None:
        """Blockquotes labelled by the `<p>` before them ("Summary", "Notes", "Chapter End Notes")."""
        for label, quote in _labelled_quotes(node):
            note = self._note(quote, label)
            if note and work_end:
                self.metadata.end_notes = note.text

    def _chapter_meta(self, node: LexborNode) -> None:
        heading = node.css_first("h2.heading") or node.css_first("h2") or node.css_first("h3")
        title = inline_text(heading) if heading else None
        start, body_start = self.builder.add(title) if title else (self.builder.end, self.builder.end)
        self.open = (title, start, body_start)
        self._labelled_notes(node)

    def _body(self, node: LexborNode) -> None:
        span = self.builder.add_all(_texts(node))
        if span and self.open is None:
            self.open = (None, span[0], span[0])

    def _preface(self, node: LexborNode) -> None:
        metadata = self.metadata
        for dt in node.css("dl.tags dt"):
            dd = dt.next
            while dd is not None and dd.tag != "dd":
                dd = dd.next
            if dd is None:
                continue
            label = inline_text(dt)
            if label.lower().startswith("stats"):
                for key, value in re.findall(r"([A-Z][\w ]*?):\s*([^\s]+)", inline_text(dd)):
                    metadata.stats[key] = value
            elif label.lower().startswith("series"):
                metadata.series.extend(re.split(r",\s*(?=Part \d+ of)", inline_text(dd)))
            else:
                links = [inline_text(a) for a in dd.css("a")]
                assign_field(metadata, label, links or split_list(inline_text(dd)))
        title = node.css_first("h1") or node.css_first("p.message b")
        metadata.title = inline_text(title) if title else None
        byline = node.css_first(".byline")
        if byline:
            authors = [inline_text(a) for a in byline.css("a")]
            metadata.author = ", ".join(authors) or re.sub(r"^by\s+", "", inline_text(byline))
        for link in node.css("p.message a"):
            href = link.attributes.get("href") or ""
            if "/works/" in href:
                metadata.url = href
        for label, quote in _labelled_quotes(node):
            note = self._note(quote, label)
            if note and note.kind == "summary":
                metadata.summary = note.text
            elif note:
                metadata.notes = note.text


def _holds_chapters(node: LexborNode) -> bool:
    """Whether AO3's `#chapters` wraps chapter blocks (it matches its own selector, hence the id test)."""
    return any(n.mem_id != node.mem_id for n in node.css("div.userstuff, div.meta"))


def _labelled_quotes(node: LexborNode) -> list[tuple[str, LexborNode]]:
    """AO3's `<p>Label</p><blockquote class="userstuff">` pairs under a node, in order."""
    found: list[tuple[str, LexborNode]] = []
    label = ""

    def walk(parent: LexborNode) -> None:
        nonlocal label
        for child in parent.iter():
            if child.tag == "blockquote":
                found.append((label, child))
            elif child.tag == "p":
                label = label if "message" in _classes(child) else inline_text(child)
            else:
                walk(child)

    walk(node)
    return found


# ---------------------------------------------------------------------------- FanFiction.net

_FFN_GENRES = {
    "Adventure", "Angst", "Crime", "Drama", "Family", "Fantasy", "Friendship", "General", "Horror", "Humor",
    "Hurt/Comfort", "Mystery", "Parody", "Poetry", "Romance", "Sci-Fi", "Spiritual", "Supernatural",
    "Suspense", "Tragedy", "Western",
}  # fmt: skip


def _ffn_profile(metadata: Metadata, line: str) -> None:
    """Read FFN's profile line: "Rated: Fiction T - English - Romance/Drama - [Ann B., Cal D.] Eve F."."""
    parts = [p.strip() for p in line.split(" - ") if p.strip()]
    plain: list[str] = []
    for part in parts:
        label, colon, value = part.partition(":")
        if colon and label.strip().lower() == "rated":
            metadata.rating = value.replace("Fiction", "").strip()
        elif colon and len(label) <= 20:
            metadata.stats[label.strip()] = value.strip()
        else:
            plain.append(part)
    if plain and metadata.language is None:
        metadata.language = plain.pop(0)
    for part in plain:
        genres = part.replace("Hurt/Comfort", "Hurt\x00Comfort").split("/")
        if all(g.replace("\x00", "/") in _FFN_GENRES for g in genres):
            metadata.additional_tags.extend(g.replace("\x00", "/") for g in genres)
            continue
        for pairing in re.findall(r"\[([^\]]+)\]", part):
            metadata.relationships.append("/".join(n.strip() for n in pairing.split(",")))
        names = part.replace("]", ",").replace("[", "")
        metadata.characters.extend(n.strip() for n in names.split(",") if n.strip())


def _read_ffn(tree: LexborHTMLParser, story: LexborNode) -> Draft:
    metadata = page_metadata(tree, "ffn-html")
    profile = tree.css_first("#profile_top")
    if profile:
        title = profile.css_first("b.xcontrast_txt") or profile.css_first("b")
        metadata.title = inline_text(title) if title else metadata.title
        author = profile.css_first('a[href^="/u/"]')
        metadata.author = inline_text(author) if author else metadata.author
        summary = profile.css_first("div.xcontrast_txt")
        metadata.summary = inline_text(summary) if summary else None
        details = profile.css_first("span.xgray")
        if details:
            _ffn_profile(metadata, inline_text(details))
    fandom = tree.css("#pre_story_links a")
    if fandom:
        metadata.fandoms.append(inline_text(fandom[-1]))
    selected = tree.css_first("#chap_select option[selected]")
    chapter = re.sub(r"^\d+\.\s*", "", inline_text(selected)) if selected else None
    builder = TextBuilder()
    span = builder.add_all(_texts(story))
    chapters = [ChapterMark(title=chapter, start=span[0], body_start=span[0], end=span[1])] if span else []
    return Draft(text=builder.text(), metadata=metadata, chapters=chapters)


# ---------------------------------------------------------------------------- FanFicFare


def _read_fanficfare(tree: LexborHTMLParser, body: LexborNode) -> Draft:
    """FanFicFare's HTML: `<h1>` title and author, a `table.full` of labelled metadata, a table of
    contents, then per chapter `<a name="sectionN"><h2>title</h2></a>` and the chapter's HTML."""
    metadata = page_metadata(tree, "fanficfare-html")
    heading = body.css_first("h1")
    if heading:
        links = heading.css("a")
        if links:
            metadata.title = inline_text(links[0])
            metadata.url = links[0].attributes.get("href") or metadata.url
            metadata.author = ", ".join(inline_text(a) for a in links[1:]) or metadata.author
    table = body.css_first("table.full")
    if table:
        fanficfare_fields(metadata, labelled_lines(table))
    blocks: list[Block] = []
    in_chapters = False
    for child in body.iter():
        name = child.attributes.get("name") or ""
        if child.tag == "a" and name.startswith("section"):
            in_chapters = True
            blocks.append(Block(inline_text(child), "chapter"))
        elif in_chapters:
            blocks.extend(html_blocks(child))
    return draft_from_blocks(blocks, metadata)


# ---------------------------------------------------------------------------- dispatch


def _is_ao3(tree: LexborHTMLParser) -> bool:
    return bool(tree.css_first("#preface") or tree.css_first("div.meta.group") or tree.css_first("#chapters"))


def read_html(source: str) -> Draft:
    """Any HTML page: the site layouts Fabula knows, else every block of the body in order."""
    tree = LexborHTMLParser(source)
    body = tree.body or tree.root
    if body is None:
        return Draft(text="", metadata=Metadata(source_format="html"))
    if _is_ao3(tree):
        return _Ao3Reader().read(body)
    story = tree.css_first("#storytext")
    if story is not None:
        return _read_ffn(tree, story)
    if tree.css_first('a[name^="section"]') is not None:
        return _read_fanficfare(tree, body)
    return draft_from_blocks(html_blocks(body), page_metadata(tree, "html"))
