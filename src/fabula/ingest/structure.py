"""Story structure over plain text: author's notes, chapters, scenes and paragraphs.

Every reader (text, Markdown, HTML, EPUB) renders its input to one plain `text` with blocks
separated by blank lines and scene breaks as lines of their own, then hands a `Draft` to
`build`. Whatever the format already knows (chapter headings from HTML, AO3 note blocks)
comes in as marks; the rest is found here by pure functions over the text, so every span is
a pair of offsets into that text with no whitespace at its edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from fabula.ingest.fields import assign_header, header_fields
from fabula.story import AuthorNote, Chapter, Metadata, Scene, Span, Story, trim_span

NoteKind = Literal["note", "disclaimer", "summary"]


@dataclass(frozen=True)
class ChapterMark:
    """A chapter: its heading runs from `start` to `body_start`, its body on to `end`."""

    title: str | None
    start: int
    body_start: int
    end: int


@dataclass
class Draft:
    """What a format reader hands to `build`: the text, its metadata and the structure it knows."""

    text: str
    metadata: Metadata
    chapters: list[ChapterMark] | None = None  # None: find chapter headings in the text
    notes: list[AuthorNote] = field(default_factory=list)


# ---------------------------------------------------------------------------- lines and blocks

_BREAK_SYMBOLS = "*~#=+_\\-–—•·°^<>|/\\\\§¤◊♦❖✦✧★☆♥♡❦✿❀※:oO0xX "
_BREAK_RE = re.compile(f"[{_BREAK_SYMBOLS}]+")
_LETTER_BREAK_RE = re.compile(r"(?:[oO0]{3,}|[xX]{3,})")
_WORD_BREAK_RE = re.compile(
    r"[\W_]*(?:(?:scene|line|page)\s*break|time\s*skip|pov\s*(?:change|switch))[\W_]*|[^\w\s]+\s*break\s*[^\w\s]+",
    re.IGNORECASE,
)


def is_break_line(line: str) -> bool:
    """A line that only separates scenes: `* * *`, `~~~`, `-----`, `oOo`, `xXx`, `#`, `~*~`, ..."""
    stripped = line.strip()
    if not stripped or len(stripped) > 40:
        return False
    if _WORD_BREAK_RE.fullmatch(stripped):
        return True
    if not _BREAK_RE.fullmatch(stripped):
        return False
    letters = [c for c in stripped if c.isalnum()]
    if len(letters) == len(stripped.replace(" ", "")):
        # Only letters: oOo, o0o, xXx, OoOoO are breaks; "ox" or "X" are words or marks.
        return bool(_LETTER_BREAK_RE.fullmatch(stripped.replace(" ", ""))) and (
            len(set(stripped.replace(" ", ""))) > 1 or len(stripped) >= 3
        )
    return not set(stripped) <= {":", " "}


def lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its newline."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in re.finditer("\n", text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def break_lines(text: str) -> list[tuple[int, int]]:
    """The trimmed spans of the scene-break lines."""
    return [trim_span(text, s, e) for s, e in lines(text) if is_break_line(text[s:e])]


def blocks(text: str) -> list[list[tuple[int, int]]]:
    """Runs of non-blank lines that are not break lines: each a list of trimmed line spans."""
    result: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for s, e in lines(text):
        line = text[s:e]
        if not line.strip() or is_break_line(line):
            if current:
                result.append(current)
                current = []
            continue
        current.append(trim_span(text, s, e))
    if current:
        result.append(current)
    return result


_SENTENCE_END = re.compile(r"[.!?…\"”’'»)\]*_~]$")


def _line_ends_sentences(text: str, found: list[list[tuple[int, int]]]) -> bool:
    """Whether the lines of these blocks end sentences (a paragraph a line) more often than
    hard-wrapped prose and verse, whose line ends fall mid-sentence."""
    inner = [line for block in found for line in block[:-1]]
    ends = sum(bool(_SENTENCE_END.search(text[s:e])) for s, e in inner)
    return bool(inner) and ends >= 0.6 * len(inner)


def _one_paragraph_per_line(text: str, block: list[tuple[int, int]], wrapped: bool) -> bool:
    """True for unwrapped text (a paragraph a line), false for hard-wrapped prose and verse.
    `wrapped`: the text as a whole wraps its lines, so a short block whose lines happen to end
    sentences is one paragraph still."""
    if len(block) < 2:
        return False
    if max(e - s for s, e in block) > 100:
        return True
    return len(block) >= 3 and not wrapped and _line_ends_sentences(text, [block])


def paragraphs(text: str) -> list[Span]:
    """Blank-line separated blocks (a line each where the text puts one paragraph per line)."""
    spans: list[Span] = []
    found = blocks(text)
    wrapped = not _line_ends_sentences(text, [b for b in found if len(b) >= 3])
    for block in found:
        if _one_paragraph_per_line(text, block, wrapped):
            spans.extend(Span(start=s, end=e) for s, e in block)
        else:
            spans.append(Span(start=block[0][0], end=block[-1][1]))
    return spans


# ---------------------------------------------------------------------------- chapter headings

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
_NUMBER = rf"(?:\d{{1,4}}|[ivxlcdm]{{1,8}}|(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))*)"
_SEPARATOR = r"[\s]*[:.\-–—)]+\s*"
_NUMBERED_HEADING = re.compile(
    rf"(?P<label>chapter|chap\.|ch\.|part|book|volume|act|letter)\s+(?P<number>{_NUMBER})\b"
    rf"(?:(?P<sep>{_SEPARATOR})|\s+|$)(?P<rest>.*)",
    re.IGNORECASE,
)
_NAMED_HEADING = re.compile(
    rf"(?P<label>prologue|epilogue|interlude|preface|foreword|introduction|afterword)\b"
    rf"(?:(?P<sep>{_SEPARATOR})|\s+|$)(?P<rest>.*)",
    re.IGNORECASE,
)
# "XII", "7.", "I. THE PRISON DOOR": numbers alone, or with a title in capitals.
_BARE_NUMBER = re.compile(r"(?:[IVXLC]{1,7}|\d{1,3})(?:\.?|\.\s+(?=[^a-z]*[A-Z]{3})[^a-z]{2,60})")
_DECORATION = " \t*_=~#[]|"


def _heading_match(core: str) -> re.Match[str] | None:
    return _NUMBERED_HEADING.fullmatch(core) or _NAMED_HEADING.fullmatch(core)


def is_heading_line(line: str, own_block: bool = True) -> bool:
    """Whether one line reads as a chapter heading ("Chapter 1", "CHAPTER IV.", "Part Two", "XII")."""
    core = line.strip().strip(_DECORATION).strip()
    if not core or len(core) > 100:
        return False
    if own_block and _BARE_NUMBER.fullmatch(core):
        return True
    match = _heading_match(core)
    if not match:
        return False
    rest = match.group("rest").strip()
    if not rest:
        return True
    if match.group("sep"):
        return len(rest.split()) <= 14 and not rest.endswith(",")
    # "Chapter One The Storm": a title with no separator only on a line of its own.
    return own_block and len(rest.split()) <= 10 and rest[:1].isupper()


def _subtitle(text: str, block: list[tuple[int, int]]) -> bool:
    """A short title line under a bare heading ("CHAPTER IV." then "The Storm")."""
    if len(block) != 1:
        return False
    line = text[block[0][0] : block[0][1]]
    if is_heading_line(line, own_block=True):
        return False
    words = line.split()
    if not words or len(words) > 10 or len(line) > 70 or not line[:1].isupper():
        return False
    if line.endswith((",", ";", ":", "!", "?", '"', "”")):
        return False
    return not line.endswith(".") or line.isupper()


def detect_chapters(text: str) -> list[ChapterMark]:
    """Chapter headings found in plain text; a heading right before another one (a contents list,
    or "Part One" over "Chapter 1") does not open a chapter of its own."""
    found = blocks(text)
    heads: list[tuple[int, int, str]] = []  # (start, body_start, title)
    index = 0
    while index < len(found):
        block = found[index]
        first = text[block[0][0] : block[0][1]]
        if not is_heading_line(first, own_block=len(block) == 1) or any(
            is_heading_line(text[s:e], own_block=False) for s, e in block[1:]
        ):
            index += 1
            continue
        start, end = block[0]
        title = first.strip().strip(_DECORATION).strip()
        match = _heading_match(title)
        bare = not match.group("rest").strip() if match else True
        following = found[index + 1] if index + 1 < len(found) else None
        if len(block) == 2 and bare and _subtitle(text, block[1:]):
            subtitle: tuple[int, int] | None = block[1]
        elif len(block) == 1 and bare and following and _subtitle(text, following):
            subtitle = following[0]
            index += 1
        else:
            subtitle = None
        if subtitle is not None:
            title = f"{title} {text[subtitle[0] : subtitle[1]].strip(_DECORATION).strip()}"
            end = subtitle[1]
        heads.append((start, end, title))
        index += 1
    # A lone "I" or "7" on a line is a heading only where the text numbers its chapters that way.
    if sum(bool(_BARE_NUMBER.fullmatch(title)) for _, _, title in heads) < 2:
        heads = [head for head in heads if not _BARE_NUMBER.fullmatch(head[2])]
    kept = [
        head for i, head in enumerate(heads) if i + 1 == len(heads) or text[head[1] : heads[i + 1][0]].strip()
    ]
    marks: list[ChapterMark] = []
    for i, (start, body_start, title) in enumerate(kept):
        limit = kept[i + 1][0] if i + 1 < len(kept) else len(text)
        _, end = trim_span(text, start, limit)
        marks.append(ChapterMark(title=title, start=start, body_start=body_start, end=end))
    return marks


# ---------------------------------------------------------------------------- author's notes

_OPENING = r"[\s\[\(\*_~>#{-]*"
_NOTE_LABEL = re.compile(
    _OPENING
    + r"(?:(?P<an>a\s?/\s?n\b|a\.\s?n\.|AN\s*[:\-–—])"
    + r"|(?P<named>(?:author'?s?'?|authors|translator'?s?'?|chapter|end|story)\s+notes?|t\s?/\s?n"
    + r"|notes?|disclaimer|edit(?:ed)?)[\s*_\])}]*(?:[:\-–—.]|$))",
    re.IGNORECASE,
)
_CASE_SENSITIVE_AN = re.compile(_OPENING + r"AN\s*[:\-–—]")
_DISCLAIMER = re.compile(
    r"\b(?:(?:i|we)\s+(?:do\s*n[o']?t|don['’]?t|dont|do\s+not)\s+own\b|i\s+own\s+nothing|"
    r"(?:is|are)\s+not\s+mine|no\s+copyright\s+infringement|no\s+profit|all\s+rights\s+(?:go|belong)|disclaimer)",
    re.IGNORECASE,
)
# "belongs to" is a disclaimer only beside talk of owning: "... belong to their respective owners".
_BELONGS = re.compile(r"\b(?:belongs?\s+to|property\s+of)\b", re.IGNORECASE)
_OWNERSHIP = re.compile(r"\b(?:own(?:s|ed|ers?)?|rights|creators?|copyright)\b", re.IGNORECASE)
_DIALOGUE = re.compile('["“”]')


def note_kind(paragraph: str) -> NoteKind | None:
    """The kind of author's note ("note" or "disclaimer") a paragraph opens, or None for story."""
    match = _NOTE_LABEL.match(paragraph)
    if match and match.group("an") and match.group("an").strip().upper().startswith("AN"):
        match = match if _CASE_SENSITIVE_AN.match(paragraph) else None  # "An old man..." is story
    disclaims = _DISCLAIMER.search(paragraph) is not None or (
        _BELONGS.search(paragraph) is not None and _OWNERSHIP.search(paragraph) is not None
    )
    if match:
        return "disclaimer" if disclaims or _BELONGS.search(paragraph) else "note"
    if disclaims and len(paragraph) <= 400 and not _DIALOGUE.search(paragraph):
        return "disclaimer"
    return None


def _label_only(paragraph: str) -> bool:
    match = _NOTE_LABEL.match(paragraph)
    return match is not None and not paragraph[match.end() :].strip(" \t*_:]-–—)")


def _titleish(paragraph: str) -> bool:
    """A short line such as a title, a byline or a chapter subtitle, skipped when looking for notes."""
    rows = paragraph.split("\n")
    return len(rows) <= 3 and all(len(r) <= 80 and not _SENTENCE_END.search(r) for r in rows)


def _covered(span: Span, notes: list[tuple[int, int]]) -> bool:
    return any(s <= span.start and span.end <= e for s, e in notes)


def _opening_notes(
    text: str, paras: list[Span], breaks: list[tuple[int, int]], known: list[tuple[int, int]]
) -> list[tuple[int, int, NoteKind]]:
    found: list[tuple[int, int, NoteKind]] = []
    index = skipped = 0
    while index < len(paras) and index < 10:
        para = paras[index]
        body = text[para.start : para.end]
        if _covered(para, known):
            index += 1
            continue
        kind = note_kind(body)
        header = header_fields(body) if kind is None else None
        if header is not None:
            # "Fandom: ...", "Rating: ..." lines are header; a "Summary: ..." paragraph is the author's.
            if header[0][0] == "summary":
                found.append((para.start, para.end, "summary"))
            index += 1
            continue
        if kind is None:
            if _titleish(body) and skipped < 3:
                skipped += 1
                index += 1
                continue
            break
        last = _note_extent(text, paras, index, breaks)
        found.append((para.start, paras[last].end, kind))
        index = last + 1
    return found


_NOTE_TALK = re.compile(
    r"\b(?:review|read(?:ing|ers?)?|thanks?|thank\s+you|chapters?|updates?|follow|fav(?:ou?rite)?s?|kudos|"
    r"comments?|beta|fics?|tumblr|twitter|discord|patreon|sorry|posted|next\s+(?:time|week)|see\s+you|"
    r"enjoy(?:ed)?|cheers|xoxo|lol)\b|<3|:\)",
    re.IGNORECASE,
)


def _note_like(paragraph: str) -> bool:
    """Short and without dialogue: what the rest of a note looks like, and story rarely does."""
    return len(paragraph) <= 600 and not _DIALOGUE.search(paragraph)


def _note_talk(paragraph: str) -> bool:
    """A paragraph that reads as the author talking to readers ("Please review!", "See you soon")."""
    return _note_like(paragraph) and (len(paragraph) <= 40 or _NOTE_TALK.search(paragraph) is not None)


def _note_extent(text: str, paras: list[Span], index: int, breaks: list[tuple[int, int]]) -> int:
    """The last paragraph of the note opened at `index`: to its closing bracket, past a bare label,
    or on to a scene break that closes a short run of note-like paragraphs."""
    body = text[paras[index].start : paras[index].end]
    opener = body.lstrip(" *_")[:1]
    closer = {"[": "]", "(": ")"}.get(opener)
    if closer and closer not in body:
        for last in range(index + 1, min(index + 10, len(paras))):
            if closer in text[paras[last].start : paras[last].end]:
                return last
    last = index + 1 if _label_only(body) and index + 1 < len(paras) else index
    following = [b for b in breaks if paras[last].end <= b[0] < paras[-1].end]
    if following:
        upto = [i for i in range(last + 1, len(paras)) if paras[i].end <= following[0][0]]
        run = [text[paras[i].start : paras[i].end] for i in upto]
        if len(run) <= 4 and all(_note_like(p) and note_kind(p) is None for p in run):
            last = upto[-1] if upto else last
    return last


def _closing_notes(
    text: str, paras: list[Span], known: list[tuple[int, int]]
) -> list[tuple[int, int, NoteKind]]:
    """Notes that close a region: walking back from its end over short note-like paragraphs,
    each note label found opens a note that runs to where the next one begins."""
    tail = [p for p in paras[-8:] if not _covered(p, known)]
    found: list[tuple[int, int, NoteKind]] = []
    end = len(tail)
    for index in range(len(tail) - 1, -1, -1):
        body = text[tail[index].start : tail[index].end]
        kind = note_kind(body)
        if kind and tail[end - 1].end - tail[index].start <= 3000:
            found.append((tail[index].start, tail[end - 1].end, kind))
            end = index
        elif kind or not _note_talk(body):
            break
    return found[::-1]


def front_matter_fields(text: str, chapters: list[ChapterMark]) -> list[tuple[str, str]]:
    """Labelled header lines before the story starts (a title line, "by ...", "Fandom: ...",
    "Rating: ...", "Summary: ..."), as (label, value) pairs for `fields.assign_header`."""
    end = chapters[0].start if chapters else len(text)
    found: list[tuple[str, str]] = []
    for index, para in enumerate(p for p in paragraphs(text) if p.end <= end):
        body = text[para.start : para.end]
        fields = header_fields(body)
        if fields is not None:
            found.extend(fields)
        elif index == 0 and _titleish(body) and not is_heading_line(body.split("\n")[0], own_block=True):
            first, *rest = body.split("\n")
            found.append(("title", first.strip(_DECORATION).strip()))
            found.extend(field for row in rest for field in header_fields(row) or [])
        elif note_kind(body) is None and not _titleish(body):
            break
    return found


def detect_notes(
    text: str, chapters: list[ChapterMark], known: list[AuthorNote] | None = None
) -> list[AuthorNote]:
    """Author's notes and disclaimers at the start or end of the work and of each chapter."""
    known_spans = [(n.start, n.end) for n in known or []]
    paras = paragraphs(text)
    breaks = break_lines(text)
    regions: list[tuple[int, int, bool]] = []  # (start, end, look at the end too)
    if chapters:
        regions.append((0, chapters[0].start, False))
        regions.extend((c.body_start, c.end, True) for c in chapters)
        regions.append((chapters[-1].end, len(text), True))
    else:
        regions.append((0, len(text), True))
    found: list[tuple[int, int, NoteKind]] = []
    for start, end, closing in regions:
        inside = [p for p in paras if start <= p.start and p.end <= end]
        if not inside:
            continue
        opening = _opening_notes(text, inside, breaks, known_spans)
        found.extend(opening)
        if closing:
            taken = known_spans + [(s, e) for s, e, _ in opening]
            found.extend(
                n for n in _closing_notes(text, inside, taken) if n[0] >= (opening[-1][1] if opening else 0)
            )
    notes = [
        AuthorNote(start=s, end=e, text=text[s:e], kind=k)
        for s, e, k in found
        if all(e <= known_start or known_end <= s for known_start, known_end in known_spans)
    ]
    return sorted([*(known or []), *notes], key=lambda n: n.start)


# ---------------------------------------------------------------------------- scenes and build


def _pieces(text: str, start: int, end: int, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[start, end) less the cut spans (notes, break lines), as trimmed non-empty pieces."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for cut_start, cut_end in sorted(cuts):
        if cut_end <= cursor or cut_start >= end:
            continue
        a, b = trim_span(text, cursor, max(cursor, cut_start))
        if a < b:
            pieces.append((a, b))
        cursor = cut_end
    a, b = trim_span(text, cursor, end)
    if a < b:
        pieces.append((a, b))
    return pieces


def _untitled(text: str, start: int, end: int, cuts: list[tuple[int, int]]) -> ChapterMark | None:
    """One untitled chapter over the story in [start, end), notes and breaks at its edges left out."""
    pieces = _pieces(text, start, end, cuts)
    if not pieces:
        return None
    return ChapterMark(title=None, start=pieces[0][0], body_start=pieces[0][0], end=pieces[-1][1])


def _prose(text: str, start: int, end: int, notes: list[tuple[int, int]]) -> bool:
    """Whether front matter holds story prose rather than a title page."""
    return any(
        len(text[p.start : p.end].split()) >= 15 and not _covered(p, notes)
        for p in paragraphs(text)
        if start <= p.start and p.end <= end
    )


def _story_start(text: str, end: int, notes: list[tuple[int, int]]) -> int:
    """Where the story begins after the work's header (title lines, labelled fields, notes)."""
    titles = 0
    for para in paragraphs(text):
        if para.start >= end:
            break
        body = text[para.start : para.end]
        if _covered(para, notes) or header_fields(body) is not None:
            continue
        if _titleish(body) and titles < 3:
            titles += 1
            continue
        return para.start
    return 0  # all of it reads as header: take it all as story rather than none


def build(draft: Draft) -> Story:
    """The one builder every reader shares: marks notes, chapters, scenes and paragraphs."""
    text = draft.text
    marks = detect_chapters(text) if draft.chapters is None else list(draft.chapters)
    notes = detect_notes(text, marks, draft.notes)
    assign_header(draft.metadata, front_matter_fields(text, marks))
    cuts = [(n.start, n.end) for n in notes] + break_lines(text)
    note_spans = [(n.start, n.end) for n in notes]
    if not marks:
        whole = _untitled(text, _story_start(text, len(text), note_spans), len(text), cuts)
        marks = [whole] if whole else []
    elif _prose(text, 0, marks[0].start, note_spans):
        front = _untitled(text, _story_start(text, marks[0].start, note_spans), marks[0].start, cuts)
        marks = [front, *marks] if front else marks
    return Story(
        text=text,
        metadata=draft.metadata,
        author_notes=notes,
        chapters=[Chapter(title=m.title, start=m.start, end=m.end) for m in marks],
        scenes=[Scene(start=s, end=e) for m in marks for s, e in _pieces(text, m.body_start, m.end, cuts)],
        paragraphs=paragraphs(text),
    )
