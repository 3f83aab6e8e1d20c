"""A story's mentions for coreference: the language layer's entities when it ran, else fallbacks.

Pronouns come from the language layer when it marked them, else from a closed-class regex;
names from its entity tagger, and from capitalised word runs that recur or carry a title where
the tagger marked nothing.
Sentences and paragraphs fall back to simple splitters, so the stage works on a bare `Story`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

from fabula.characters.mentions import (
    PRONOUN_RE,
    Kind,
    Mention,
    QuoteSpan,
    assign_quotes,
    pronoun,
    sentence_quotes,
)
from fabula.characters.names import HONORIFICS
from fabula.language.tokens import Tokens
from fabula.story import Story

_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+|\n\s*\n\s*")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_TITLES = "|".join(
    sorted((re.escape(h.capitalize()) for h in HONORIFICS if len(h) > 1), key=len, reverse=True)
)
_NAME_RUN = re.compile(
    rf"\b(?:(?:{_TITLES})\.?\s+)?[A-Z][a-z'’]+(?:[ \t]+(?:[A-Z][a-z'’]+|[A-Z]\.))*(?![\w'’])"
)
# Capitalised words that are not names even where they recur mid-sentence.
_NOT_NAME_WORDS = (
    "i the a an and but or so then when what where who why how yes no oh ah well chapter part book "
    "mr mrs miss ms dr sir lady lord god monday tuesday wednesday thursday friday saturday sunday "
    "mondays tuesdays wednesdays thursdays fridays saturdays sundays "
    "january february march april may june july august september october november december "
    "this that these those there here it he she we they you his her their our my your if as at in on "
    "of for with by from to not all one two ok okay hey hi hello thank thanks please sorry"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


def spans_of(story: Story, pattern: re.Pattern[str], field: list[tuple[int, int]]) -> list[int]:
    """Starts of the units `field` lists, or of the pieces `pattern` cuts the story into."""
    if field:
        return [start for start, _ in field]
    starts = [0]
    starts += [m.end() for m in pattern.finditer(story.text) if m.end() < len(story.text)]
    return starts


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    i = bisect_right(spans, (offset, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def _not_name(word: str) -> bool:
    bare = word.rstrip(".").lower()
    return bare in _NOT_NAMES and bare not in HONORIFICS


def _fallback_names(
    story: Story, story_spans: list[tuple[int, int]], sentence_starts: list[int]
) -> list[Mention]:
    """Capitalised runs that are names: titled ("Mr. Hale"), or seen at least once mid-sentence."""
    found: list[tuple[int, int, str]] = []
    mid_sentence: Counter[str] = Counter()
    starts = set(sentence_starts)
    for match in _NAME_RUN.finditer(story.text):
        words = [(match.start() + w.start(), w.group()) for w in re.finditer(r"\S+", match.group())]
        while words and _not_name(words[0][1]):
            words = words[1:]
        if not words or all(_not_name(w) for _, w in words) or not _inside(words[0][0], story_spans):
            continue
        start = words[0][0]
        name = story.text[start : match.end()]
        found.append((start, match.end(), name))
        if start not in starts and not re.search(r"[\"“‘.!?]\s*$", story.text[max(0, start - 3) : start]):
            mid_sentence.update(name.split())
    return [
        Mention(s, e, t, "PROP", 0)
        for s, e, t in found
        if any(mid_sentence[w] for w in t.split()) or t.split()[0].rstrip(".").lower() in HONORIFICS
    ]


def _untagged_names(story: Story, tagged: list[Mention], names: list[Mention]) -> list[Mention]:
    """The recurring capitalised names that the entity tagger missed (its recall is about 50%):
    those overlapping no tagged mention, and not tagged as a place or an organisation elsewhere."""
    covered = bytearray(len(story.text))
    for mention in tagged:
        if mention.kind != "PRON":
            covered[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    not_people = {e.text for e in story.entities if e.label != "PER"}
    return [m for m in names if m.text not in not_people and not any(covered[m.start : m.end])]


_ROLES = {
    "nsubj": "subj", "csubj": "subj", "nsubj:pass": "subjpass", "nsubjpass": "subjpass", "obj": "obj",
    "dobj": "obj", "iobj": "obj", "dative": "obj", "nmod:poss": "poss", "poss": "poss", "obl": "obl",
    "pobj": "obl", "nmod": "obl", "appos": "appos", "conj": "conj",
}  # fmt: skip


def add_roles(mentions: list[Mention], tokens: Tokens | None) -> None:
    """Each mention's grammatical role and governor, from its head token in the parse."""
    if tokens is None or not len(tokens):
        return
    for mention in mentions:
        inside = tokens.within(mention.start, mention.end)
        if not len(inside):
            continue
        head = next((t for t in inside if not inside.start <= tokens.head[t] < inside.stop), inside[-1])
        mention.role = _ROLES.get(tokens.dep[head], "other")
        mention.governor = tokens.head[head]


def story_mentions(story: Story) -> tuple[list[Mention], list[QuoteSpan]]:
    """Every mention coreference should see, in text order, and the story's quotations."""
    story_spans = [(s.start, s.end) for s in story.story_spans()]
    sentence_starts = spans_of(story, _SENTENCE_END, [(s.start, s.end) for s in story.sentences])
    paragraph_starts = spans_of(story, _PARAGRAPH, [(p.start, p.end) for p in story.paragraphs])
    mentions: list[Mention] = []
    for entity in story.entities:
        kind: Kind = entity.kind or ("PRON" if pronoun(entity.text) else "PROP")
        if (kind == "PRON" and not pronoun(entity.text)) or entity.text.rstrip(".").lower() in HONORIFICS:
            continue
        label = None if kind == "PRON" else entity.label
        mentions.append(Mention(entity.start, entity.end, entity.text, kind, 0, label))
    tagged = any(m.kind == "PRON" for m in mentions)
    for match in PRONOUN_RE.finditer(story.text):
        word = match.group().lower()
        # The tagger knows pronouns but not the fan-fiction reader insert "Y/N".
        if (
            (tagged and word != "y/n")
            or word in {"it", "its", "itself"}
            or not _inside(match.start(), story_spans)
        ):
            continue
        mentions.append(Mention(match.start(), match.end(), match.group(), "PRON", 0))
    mentions += _untagged_names(story, mentions, _fallback_names(story, story_spans, sentence_starts))
    mentions.sort(key=lambda m: (m.start, -m.end))
    for mention in mentions:
        mention.sentence = max(0, bisect_right(sentence_starts, mention.start) - 1)
        mention.paragraph = max(0, bisect_right(paragraph_starts, mention.start) - 1)
    quotes = sentence_quotes(story.text, sentence_starts, paragraph_starts)
    assign_quotes(mentions, quotes)
    add_roles(mentions, story._tokens)
    return mentions, quotes
