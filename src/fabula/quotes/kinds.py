"""What a quote is: speech, thought, something written, or marks that are not a voice at all.

`other` covers scare quotes and titles: a character who moved to the city to "find herself"
is not speaking. Such quotes sit inside a sentence (no comma, colon or dash introduces them),
carry no tag, and are short or start in lowercase.
"""

from __future__ import annotations

import re

from fabula.quotes.detect import Found
from fabula.quotes.lexicon import INWARD_VERBS, SPEECH_VERBS, THOUGHT_VERBS, WRITTEN_NOUNS, WRITTEN_VERBS
from fabula.quotes.tags import Tag
from fabula.story import QuoteKind

_WORD = re.compile(r"[A-Za-z][\w'’-]*")
_CLAUSE_BREAK = re.compile(r"[.!?;]\s+|[.!?]$")
_LETTER_OPENING = re.compile(r"^(?:My\s+)?Dear(?:est)?\s+[A-Z][^\n,]{0,40},\s*\n")
_IT_SAID = re.compile(r"^(?:It|This|That|Which)\s+(?:said|says|read|reads|ran)\b")
_INTRODUCERS = ",:;" + "—–-(["
_EMBEDDED_MAX_WORDS = 8


def _last_clause(before: str) -> str:
    parts = _CLAUSE_BREAK.split(before.rstrip())
    return parts[-1] if parts else ""


def _is_written_context(before: str) -> bool:
    clauses = [c for c in _CLAUSE_BREAK.split(before.rstrip()) if c.strip()]
    if not clauses:
        return False
    last = clauses[-1].strip()
    words = {w.lower() for w in _WORD.findall(last)}
    if words & WRITTEN_NOUNS and not words & (SPEECH_VERBS - WRITTEN_VERBS - {"read", "reads", "ran"}):
        return True
    if _IT_SAID.match(last) and len(clauses) > 1:
        return bool({w.lower() for w in _WORD.findall(clauses[-2])} & WRITTEN_NOUNS)
    return False


def classify(content: str, found: Found, before: str, tag: Tag | None) -> QuoteKind:
    """The kind of one quote, from its tag verb, the narration introducing it and its shape.

    `before` is the narration of the paragraph between the previous quote (or the paragraph
    start) and this quote's opening mark.
    """
    if found.style == "unquoted":
        return "thought"
    if tag is not None:
        if tag.verb in THOUGHT_VERBS or (tag.verb in INWARD_VERBS and tag.reflexive):
            return "thought"
        if tag.verb in WRITTEN_VERBS:
            return "written"
    if tag is None and found.style != "dash" and before.strip() and _is_embedded(content, before):
        return "other"
    if _LETTER_OPENING.match(content) or _is_written_context(before):
        return "written"
    return "speech"


def _is_embedded(content: str, before: str) -> bool:
    """Marks inside a running sentence rather than speech that a clause introduces."""
    stripped = before.rstrip()
    clause_words = [w.lower() for w in _WORD.findall(_last_clause(before))]
    introduced_by_verb = bool(set(clause_words[-4:]) & (SPEECH_VERBS - WRITTEN_VERBS))
    words = content.split()
    lowercase = content[:1].islower()
    if stripped[-1] in ".!?":
        return False
    if stripped[-1] in _INTRODUCERS:
        # Introduced like speech; still a fragment if it starts lowercase with no verb of saying
        # and is short and unfinished ('to say, "made a life for herself," and').
        finished = content.rstrip()[-1:] in (".", "!", "?")
        short = len(words) <= _EMBEDDED_MAX_WORDS
        return lowercase and short and not finished and not set(clause_words) & SPEECH_VERBS
    if introduced_by_verb:
        return False
    return lowercase or len(words) <= _EMBEDDED_MAX_WORDS
