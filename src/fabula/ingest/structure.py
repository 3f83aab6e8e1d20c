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

from fabula.story import AuthorNote, Chapter, Metadata, Scene, Span, Story

NoteKind = str  # "note" | "disclaimer" | "summary", as in `AuthorNote.kind`


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
    r"[\W_]*(?:scene\s*break|line\s*break|page\s*break|break|time\s*skip|pov\s*(?:change|switch))[\W_]*",
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


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


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
    return [_trim(text, s, e) for s, e in lines(text) if is_break_line(text[s:e])]


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
        current.append(_trim(text, s, e))
    if current:
        result.append(current)
    return result


_SENTENCE_END = re.compile(r"[.!?…\"”’'»)\]*_~]$")


def _one_paragraph_per_line(text: str, block: list[tuple[int, int]]) -> bool:
    """True for unwrapped text (a paragraph a line), false for hard-wrapped prose and verse."""
    if len(block) < 2:
        return False
    if max(e - s for s, e in block) > 100:
        return True
    ends = sum(bool(_SENTENCE_END.search(text[s:e])) for s, e in block[:-1])
    return len(block) >= 3 and ends >= 0.6 * (len(block) - 1)


def paragraphs(text: str) -> list[Span]:
    """Blank-line separated blocks (a line each where the text puts one paragraph per line)."""
    spans: list[Span] = []
    for block in blocks(text):
        if _one_paragraph_per_line(text, block):
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
    rf"(?P<label>chapter|chap\.|ch\.|part|book|volume|act)\s+(?P<number>{_NUMBER})\b"
    rf"(?:(?P<sep>{_SEPARATOR})|\s+|$)(?P<rest>.*)",
    re.IGNORECASE,
)
_NAMED_HEADING = re.compile(
    rf"(?P<label>prologue|epilogue|interlude|preface|foreword|introduction|afterword)\b"
    rf"(?:(?P<sep>{_SEPARATOR})|\s+|$)(?P<rest>.*)",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"(?:[IVXLC]{1,7}|\d{1,3})\.?")
_DECORATION = " \t*_=~#[]|"


def _heading_match(core: str) -> re.Match[str] | None:
    return _NUMBERED_HEADING.fullmatch(core) or _NAMED_HEADING.fullmatch(core)


def _heading_line(line: str, own_block: bool) -> bool:
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
        if not _heading_line(first, own_block=len(block) == 1) or any(
            _heading_line(text[s:e], own_block=False) for s, e in block[1:]
        ):
            index += 1
            continue
        start, end = block[0]
        title = first.strip().strip(_DECORATION).strip()
        match = _heading_match(title)
        bare = not match.group("rest").strip() if match else True
        following = found[index + 1] if index + 1 < len(found) else None
        if len(block) == 1 and bare and following and _subtitle(text, following):
            sub_start, sub_end = following[0]
            if not _heading_line(text[sub_start:sub_end], own_block=True):
                title = f"{title} {text[sub_start:sub_end].strip(_DECORATION).strip()}"
                end = sub_end
                index += 1
        heads.append((start, end, title))
        index += 1
    kept = [
        head for i, head in enumerate(heads) if i + 1 == len(heads) or text[head[1] : heads[i + 1][0]].strip()
    ]
    marks: list[ChapterMark] = []
    for i, (start, body_start, title) in enumerate(kept):
        limit = kept[i + 1][0] if i + 1 < len(kept) else len(text)
        _, end = _trim(text, start, limit)
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
    r"(?:is|are)\s+not\s+mine|no\s+copyright\s+infringement|no\s+profit|"
    r"belongs?\s+to\b|property\s+of\b|all\s+rights\s+(?:go|belong)|disclaimer)",
    re.IGNORECASE,
)
_DIALOGUE = re.compile('["“”]')


def note_kind(paragraph: str) -> NoteKind | None:
    """ "note" or "disclaimer" for a paragraph that opens an author's note, else None."""
    match = _NOTE_LABEL.match(paragraph)
    if match and match.group("an") and match.group("an").strip().upper().startswith("AN"):
        match = match if _CASE_SENSITIVE_AN.match(paragraph) else None  # "An old man..." is story
    if match:
        return "disclaimer" if _DISCLAIMER.search(paragraph) else "note"
    if len(paragraph) <= 400 and not _DIALOGUE.search(paragraph) and _DISCLAIMER.search(paragraph):
        return "disclaimer"
    return None


def _label_only(paragraph: str) -> bool:
    match = _NOTE_LABEL.match(paragraph)
    return bool(match) and not paragraph[match.end() :].strip(" \t*_:]-–—)")  # type: ignore[union-attr]


def _titleish(paragraph: str) -> bool:
    """A short line such as a title, a byline or a chapter subtitle, skipped when looking for notes."""
    return "\n" not in paragraph and len(paragraph) <= 80 and not _SENTENCE_END.search(paragraph)


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
    following = [b for b in breaks if b[0] >= paras[last].end]
    if following:
        upto = [i for i in range(last + 1, len(paras)) if paras[i].end <= following[0][0]]
        run = [text[paras[i].start : paras[i].end] for i in upto]
        if len(run) <= 4 and all(len(p) <= 400 and not _DIALOGUE.search(p) for p in run):
            last = upto[-1] if upto else last
    return last


def _closing_notes(
    text: str, paras: list[Span], known: list[tuple[int, int]]
) -> list[tuple[int, int, NoteKind]]:
    tail = [p for p in paras[-8:] if not _covered(p, known)]
    found: list[tuple[int, int, NoteKind]] = []
    opened: tuple[int, NoteKind] | None = None
    for position, para in enumerate(tail):
        kind = note_kind(text[para.start : para.end])
        if kind and sum(p.end - p.start for p in tail[position:]) <= 3000:
            if opened:
                found.append((opened[0], tail[position - 1].end, opened[1]))
            opened = (para.start, kind)
    if opened:
        found.append((opened[0], tail[-1].end, opened[1]))
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
    notes = [AuthorNote(start=s, end=e, text=text[s:e], kind=k) for s, e, k in found]  # type: ignore[arg-type]
    return sorted([*(known or []), *notes], key=lambda n: n.start)


# ---------------------------------------------------------------------------- scenes and build


def _pieces(text: str, start: int, end: int, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[start, end) less the cut spans (notes, break lines), as trimmed non-empty pieces."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for cut_start, cut_end in sorted(cuts):
        if cut_end <= cursor or cut_start >= end:
            continue
        a, b = _trim(text, cursor, max(cursor, cut_start))
        if a < b:
            pieces.append((a, b))
        cursor = cut_end
    a, b = _trim(text, cursor, end)
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
        len(text[p.start : p.end].split()) >= 25 and not _covered(p, notes)
        for p in paragraphs(text)
        if start <= p.start and p.end <= end
    )


def build(draft: Draft) -> Story:
    """The one builder every reader shares: marks notes, chapters, scenes and paragraphs."""
    text = draft.text
    marks = detect_chapters(text) if draft.chapters is None else list(draft.chapters)
    notes = detect_notes(text, marks, draft.notes)
    cuts = [(n.start, n.end) for n in notes] + break_lines(text)
    if not marks:
        whole = _untitled(text, 0, len(text), cuts)
        marks = [whole] if whole else []
    elif _prose(text, 0, marks[0].start, [(n.start, n.end) for n in notes]):
        front = _untitled(text, 0, marks[0].start, cuts)
        marks = [front, *marks] if front else marks
    return Story(
        text=text,
        metadata=draft.metadata,
        author_notes=notes,
        chapters=[Chapter(title=m.title, start=m.start, end=m.end) for m in marks],
        scenes=[Scene(start=s, end=e) for m in marks for s, e in _pieces(text, m.body_start, m.end, cuts)],
        paragraphs=paragraphs(text),
    )
