"""Find quoted (and unquoted inner) speech: a deterministic scanner, paragraph by paragraph.

Spans cover the words between the marks, not the marks themselves, so `Quote.text` reads
as what was said. A quote that runs over several paragraphs (open mark, no close, the next
paragraph reopens) is one span; a quote broken by its tag ("Mara," said X, "come.") is two.
Quotes nested in the other style ('He said "no"', "He said 'no'") stay inside their outer
quote: only the story's primary style opens and closes quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from fabula.quotes.lexicon import ELISION, INWARD_VERBS, REFLEXIVES, THOUGHT_VERBS
from fabula.story import Story, trim_span

Style = Literal["double", "single", "dash", "unquoted"]

DOUBLE_OPEN = '"“„«'
DOUBLE_CLOSE = '"”»'
SINGLE_OPEN = "'‘‚"
SINGLE_CLOSE = "'’"
DASHES = "—–―"
_PUNCT_AFTER_CLOSE = set(".,;:!?)]}-—–…") | set(DOUBLE_CLOSE) | set(SINGLE_CLOSE)
_PUNCT_BEFORE_CLOSE = set(".,;:!?-—–…") | set(DOUBLE_CLOSE)
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
# Share of paragraph breaks that must be blank lines for a lone line break to be a wrapped line.
BLANK_SHARE = 0.9
_DASH = re.compile(rf"[{DASHES}]")
# A dash that hands over to narration: "— Come here, — said Mara."
_DASH_INTERRUPT = re.compile(rf"\s[{DASHES}]\s*(?=[a-z])|[{DASHES}](?=\s*[a-z])")


@dataclass(slots=True)
class Found:
    """One quote as the scanner saw it; `open_mark`/`close_mark` bound the marks too."""

    start: int
    end: int
    open_mark: int
    close_mark: int
    paragraph: int
    last_paragraph: int
    style: Style


def paragraphs(story: Story) -> list[tuple[int, int]]:
    """The story's paragraphs, never inside author notes: ingest's, else blank-line (or line) breaks."""
    spans = [(s.start, s.end) for s in story.story_spans()]
    if story.paragraphs:
        found = []
        for p in _unwrapped(story.text, [(p.start, p.end) for p in story.paragraphs]):
            for lo, hi in spans:
                start, end = max(p[0], lo), min(p[1], hi)
                if start < end and story.text[start:end].strip():
                    found.append(trim_span(story.text, start, end))
        return found
    result: list[tuple[int, int]] = []
    for lo, hi in spans:
        chunk = story.text[lo:hi]
        breaker = _BLANK_LINE if _BLANK_LINE.search(chunk) else re.compile(r"\n")
        cursor = lo
        for match in breaker.finditer(chunk):
            result.append((cursor, lo + match.start()))
            cursor = lo + match.end()
        result.append((cursor, hi))
    return [trim_span(story.text, s, e) for s, e in result if story.text[s:e].strip()]


def _unwrapped(text: str, paras: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Paragraphs rejoined across a single line break where blank lines part nearly all of them:
    there a hard-wrapped line that ingest read as a paragraph of its own ('"...,"\\nsaid Jon.')
    belongs to the paragraph above, and its tag to the quote."""
    gaps = [_BLANK_LINE.search(text, a[1], b[0]) is not None for a, b in pairwise(paras)]
    if not gaps or sum(gaps) < BLANK_SHARE * len(gaps):
        return paras
    joined = [paras[0]]
    for blank, para in zip(gaps, paras[1:], strict=True):
        if blank:
            joined.append(para)
        else:
            joined[-1] = (joined[-1][0], para[1])
    return joined


def primary_style(text: str, paras: list[tuple[int, int]]) -> Literal["double", "single"]:
    """Double unless more paragraphs open with a single quote than with a double one."""
    double = single = 0
    for start, end in paras:
        if end <= start:
            continue
        first = text[start]
        if first in DOUBLE_OPEN:
            double += 1
        elif first in SINGLE_OPEN and not ELISION.match(text, start):
            single += 1
    return "single" if single > double else "double"


def _single_events(text: str, start: int, end: int) -> list[tuple[int, bool, int]]:
    """Candidate single-quote marks in a paragraph: (offset, can_open, close_strength).

    Close strength is 2 for a mark after punctuation or before a non-letter (a sure closer),
    1 for `dogs' tails`-like marks between a letter and a word (maybe a possessive), 0 if none.
    """
    events = []
    for i in range(start, end):
        ch = text[i]
        if ch not in SINGLE_OPEN and ch not in SINGLE_CLOSE:
            continue
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        can_open = (
            ch in SINGLE_OPEN
            and (prev.isspace() or prev in "([{" + DASHES + DOUBLE_OPEN)
            and not nxt.isspace()
            and not ELISION.match(text, i)
        )
        strength = 0
        if ch in SINGLE_CLOSE and not prev.isspace():
            if prev in _PUNCT_BEFORE_CLOSE or nxt in _PUNCT_AFTER_CLOSE or i + 1 >= end:
                strength = 2
            elif nxt.isspace():
                strength = 1
        if can_open or strength:
            events.append((i, can_open, strength))
    return events


def _scan_paragraph_single(text: str, start: int, end: int, inside: bool) -> list[tuple[int, int]]:
    """Mark pairs (open offset or -1 when continued, close offset or -1 when still open)."""
    pairs: list[tuple[int, int]] = []
    events = _single_events(text, start, end)
    opened = -1 if inside else None
    k = 0
    while k < len(events):
        pos, can_open, strength = events[k]
        if opened is None:
            if can_open:
                opened = pos
            k += 1
            continue
        if strength == 0:
            k += 1
            continue
        # Prefer the first sure closer; a possessive-looking one closes only if no sure closer
        # follows in the paragraph.
        chosen = k
        if strength == 1:
            for j in range(k + 1, len(events)):
                if events[j][2] == 2:
                    chosen = j
                    break
        pairs.append((opened, events[chosen][0]))
        opened = None
        k = chosen + 1
    if opened is not None:
        pairs.append((opened, -1))
    return pairs


def _scan_paragraph_double(text: str, start: int, end: int, inside: bool) -> list[tuple[int, int]]:
    """As `_scan_paragraph_single`; straight double marks simply alternate open and close."""
    pairs: list[tuple[int, int]] = []
    opened = -1 if inside else None
    for i in range(start, end):
        ch = text[i]
        if ch not in DOUBLE_OPEN and ch not in DOUBLE_CLOSE:
            continue
        if opened is None:
            if ch in DOUBLE_OPEN:
                opened = i
        elif ch in DOUBLE_CLOSE:
            pairs.append((opened, i))
            opened = None
        elif ch in "“„«":
            # A curly opener while open: the writer forgot to close; close before it, reopen here.
            pairs.append((opened, i))
            opened = i
    if opened is not None:
        pairs.append((opened, -1))
    return pairs


def _dash_quotes(text: str, start: int, end: int, index: int) -> list[Found]:
    """Em-dash dialogue: '— Come here, — he said. — Now.' gives two spans."""
    found = []
    pos = start
    while pos < end:
        while pos < end and (text[pos] in DASHES or text[pos].isspace()):
            pos += 1
        if pos >= end:
            break
        interrupt = _DASH_INTERRUPT.search(text, pos, end)
        stop = interrupt.start() if interrupt else end
        q_start, q_end = trim_span(text, pos, stop)
        if q_end > q_start:
            found.append(Found(q_start, q_end, pos, stop, index, index, "dash"))
        if not interrupt:
            break
        resume = _DASH.search(text, interrupt.end(), end)
        if not resume:
            break
        pos = resume.end()
        while pos < end and (text[pos] in ".,;" or text[pos].isspace()):
            pos += 1
    return found


def find_marked(text: str, paras: list[tuple[int, int]]) -> list[Found]:
    """Every quote delimited by marks (primary style) or by an opening dash."""
    style = primary_style(text, paras)
    scan = _scan_paragraph_double if style == "double" else _scan_paragraph_single
    opens = DOUBLE_OPEN if style == "double" else SINGLE_OPEN
    found: list[Found] = []
    carried: Found | None = None
    for index, (start, end) in enumerate(paras):
        if carried is not None and not (end > start and text[start] in opens):
            found.append(carried)  # the open quote never reopened: it ends with its paragraph
            carried = None
        scan_from = start + 1 if carried is not None else start
        pairs = scan(text, scan_from, end, carried is not None)
        if not pairs and carried is None and end > start and text[start] in DASHES:
            found.extend(_dash_quotes(text, start, end, index))
            continue
        for open_at, close_at in pairs:
            if open_at == -1 and carried is not None:
                quote = carried
                carried = None
            else:
                quote = Found(open_at + 1, end, open_at, end, index, index, style)
            quote.last_paragraph = index
            if close_at == -1:
                quote.end, quote.close_mark = end, end
                carried = quote
            else:
                quote.end, quote.close_mark = close_at, close_at + 1
                if quote.end > quote.start:
                    found.append(quote)
    if carried is not None:
        found.append(carried)
    return [_trimmed(text, f) for f in found if text[f.start : f.end].strip()]


def _trimmed(text: str, found: Found) -> Found:
    found.start, found.end = trim_span(text, found.start, found.end)
    return found


_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)]*\s+|[\"”’]\s*")
_THOUGHT_TAG = re.compile(
    r",\s+(?P<who>[A-Z][\w.'’-]*(?:\s+[A-Z][\w'’-]*)?|he|she|they|I|we)\s+"
    r"(?P<verb>\w+)(?:\s+(?P<refl>\w+))?(?=[\s.,;!?])"
)
_NARRATIVE_WORDS = re.compile(r"\b(?:he|she|they|him|his|her|them|their|was|were|had)\b", re.IGNORECASE)
_SHORT_SENTENCE = re.compile(r"[^.!?…]+[.!?…]+")


def find_unquoted_thoughts(text: str, paras: list[tuple[int, int]], marked: list[Found]) -> list[Found]:
    """Inner speech without marks: 'Go back, she told herself. No. Not yet.' (two spans).

    A clause before ', she thought' / ', he told himself' is the thought; short sentences that
    follow in the same paragraph and read as voice, not narration, continue it.
    """
    taken = [(f.open_mark, f.close_mark) for f in marked]
    found: list[Found] = []
    for index, (start, end) in enumerate(paras):
        if any(lo < end and hi > start for lo, hi in taken):
            continue  # a paragraph with marked speech keeps its marks as the only voice
        for tag in _THOUGHT_TAG.finditer(text, start, end):
            verb, refl = tag.group("verb").lower(), (tag.group("refl") or "").lower()
            if not (verb in THOUGHT_VERBS or (verb in INWARD_VERBS and refl in REFLEXIVES)):
                continue
            clause_start = start
            for boundary in _SENTENCE_END.finditer(text, start, tag.start()):
                clause_start = boundary.end()
            q_start, q_end = trim_span(text, clause_start, tag.start())
            if q_end - q_start < 2:
                continue
            found.append(Found(q_start, q_end, q_start, q_end, index, index, "unquoted"))
            after = text.find(".", tag.end(), end)
            if after < 0:
                continue
            follow_start = after + 1
            follow_end = follow_start
            for sentence in _SHORT_SENTENCE.finditer(text, follow_start, end):
                words = sentence.group().split()
                if len(words) > 5 or _NARRATIVE_WORDS.search(sentence.group()):
                    break
                follow_end = sentence.end()
            c_start, c_end = trim_span(text, follow_start, follow_end)
            if c_end > c_start:
                found.append(Found(c_start, c_end, c_start, c_end, index, index, "unquoted"))
    return found


def find_quotes(story: Story) -> tuple[list[tuple[int, int]], list[Found]]:
    """The paragraphs and every quote in them, in text order."""
    paras = paragraphs(story)
    marked = find_marked(story.text, paras)
    thoughts = find_unquoted_thoughts(story.text, paras, marked)
    return paras, sorted(marked + thoughts, key=lambda f: f.start)
