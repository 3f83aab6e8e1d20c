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
from collections.abc import Collection
from itertools import pairwise

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
from fabula.relations.typed import POSSESSIVE
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
# What an entity tagger marks as a person but that refers to no one in particular: quantifiers
# ("Nobody's opened the vents") and a group hailed as a whole ("Ladies," said Pell). LitBank marks
# these as mentions too, so coreference sees them; they only never make a character.
_NOT_REFERENT_WORDS = (
    "nobody no-one noone everyone everybody someone somebody anyone anybody none nothing everything "
    "something anything all both each either neither ladies gentlemen gents folks guys lads boys girls "
    "children kids people friends y'all"
)
_NOT_REFERENTS = frozenset(_NOT_REFERENT_WORDS.split()) | {"no one"}
# A possessive inside a name: "Ronny's Baldeo" is Ronny's servant, and no name of Ronny's.
_NAME_AFTER_POSSESSIVE = re.compile(r"\w['’]s\s+[A-Z]")
# Oaths and the one they call on: "Oh my God", "Good Lord!", "Thank Heaven", "for God's sake". A
# tagger marks them as persons; as characters they would head the cast of many a fan fiction.
# The name is capitalised: "yes, my lord" speaks to a lord of the story.
_OATH = re.compile(
    r"(?i:(?:oh|o|my|good|dear|great|thank|by|for|the|sweet|merciful)\s+)*"
    r"(?:God|Lord|Heavens?|Christ|Jesus(?:\s+Christ)?|Gad|Lud|Lawd|Gawd)(?:['’]s)?"
)

# A person is named by a noun phrase; a tagger's "person" headed by a verb ("to complain") is a
# tagging error. Adjectives are left out: the parser heads many a real description with one.
_NOT_NOMINAL_HEADS = frozenset({"VERB", "AUX", "ADV", "ADP", "SCONJ", "CCONJ", "PART", "INTJ"})


def _is_oath(text: str) -> bool:
    return _OATH.fullmatch(" ".join(text.split())) is not None


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


_THE_BEFORE = re.compile(r"\bthe\s+$")
# "I'm", "Don't", "We'll": capitalised where they open a clause, never part of a name.
_CONTRACTION = re.compile(r"[a-z]['’](?:m|ll|ve|d|re|t)$", re.IGNORECASE)
# A fallback name must be seen capitalised mid-sentence once per this many lower-case uses of it.
LOWERCASE_PER_NAME = 10
# Lowercase words a name may hold between its capitalised ones: "William the Conqueror", "Lord of
# Estremavilla in Normandy", "Vincent van Gogh".
_NAME_PARTICLES = frozenset(
    {
        *("of", "the", "in", "de", "da", "di", "del", "della", "du", "des"),
        *("van", "von", "der", "den", "le", "la", "y", "bin", "ibn", "al"),
    }
)


def _fallback_names(
    story: Story, story_spans: list[tuple[int, int]], sentence_starts: list[int]
) -> list[Mention]:
    """Capitalised runs that are names: titled ("Mr. Hale"), seen mid-sentence, or (only ever
    opening a sentence, as "Kai is already in the common room") parsed as a proper noun that is a
    subject or an object, and never written in lower case.

    Seen mid-sentence means more often than one time in `LOWERCASE_PER_NAME` that the story writes
    the word in lower case: one stray capital does not make "Do" a name in a novel full of "do",
    while "Will" and "Rose" stay names beside "will" and "rose"."""
    found: list[tuple[int, int, str]] = []
    mid_sentence: Counter[str] = Counter()
    starts = set(sentence_starts)
    for match in _NAME_RUN.finditer(story.text):
        words = [(match.start() + w.start(), w.group()) for w in re.finditer(r"\S+", match.group())]
        while words and _not_name(words[0][1]):
            words = words[1:]
        if not words or all(_not_name(w) for _, w in words) or not _inside(words[0][0], story_spans):
            continue
        if any(_CONTRACTION.search(w) for _, w in words):
            continue  # "I'm English", "And I'm": a contraction is in no name
        start = words[0][0]
        name = story.text[start : match.end()]
        if _is_oath(name):
            continue
        found.append((start, match.end(), name))
        # After a quote mark, an end mark or a dash a capital may open a sentence ("Jane?--Do you").
        opener = re.search(r"(?:['\"“‘.!?—–]|--)\s*$", story.text[max(0, start - 3) : start])
        if start not in starts and not opener:
            mid_sentence.update(name.split())
    lowercase = Counter(re.findall(r"\b[a-z][a-z'’]+\b", story.text))
    return [
        Mention(s, e, t, "PROP", 0)
        for s, e, t in found
        if any(mid_sentence[w] * LOWERCASE_PER_NAME > lowercase[w.lower()] for w in t.split())
        or t.split()[0].rstrip(".").lower() in HONORIFICS
        or _parsed_as_name(story, s, e)
    ]


def _parsed_as_name(story: Story, start: int, end: int) -> bool:
    """A proper-noun subject or object by the parse, never written in lower case in the story."""
    tokens = story._tokens
    if tokens is None or not len(tokens):
        return False
    head = head_token(tokens, start, end)
    return (
        head is not None
        and all(tokens.pos[t] == "PROPN" for t in tokens.within(start, end))
        and _ROLES.get(tokens.dep[head]) in {"subj", "subjpass", "obj"}
        and re.search(rf"\b{re.escape(story.text[start:end].lower())}\b", story.text) is None
    )


def _untagged_names(story: Story, tagged: list[Mention], names: list[Mention]) -> list[Mention]:
    """The recurring capitalised names that the entity tagger missed: those overlapping no tagged
    mention, not tagged as a place or an organisation elsewhere, and never after "the" (a person's
    name takes no article; "the Grey Reach" is a place)."""
    covered = bytearray(len(story.text))
    for mention in tagged:
        if mention.kind != "PRON":
            covered[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
    not_people = {e.text for e in story.entities if e.label != "PER"}
    not_people |= {m.text for m in names if _THE_BEFORE.search(story.text[max(0, m.start - 8) : m.start])}
    return [m for m in names if m.text not in not_people and not any(covered[m.start : m.end])]


_ROLES = {
    "nsubj": "subj", "csubj": "subj", "nsubj:pass": "subjpass", "nsubjpass": "subjpass", "obj": "obj",
    "dobj": "obj", "iobj": "obj", "dative": "obj", "nmod:poss": "poss", "poss": "poss", "obl": "obl",
    "pobj": "obl", "nmod": "obl", "appos": "appos", "conj": "conj",
}  # fmt: skip


def head_token(tokens: Tokens, start: int, end: int) -> int | None:
    """The token of [start, end) whose governor lies outside it (the last one when the parse is odd)."""
    inside = tokens.within(start, end)
    if not len(inside):
        return None
    return next((t for t in inside if not inside.start <= tokens.head[t] < inside.stop), inside[-1])


def add_roles(mentions: list[Mention], tokens: Tokens | None) -> None:
    """Each mention's grammatical role and governor, from its head token in the parse."""
    if tokens is None or not len(tokens):
        return
    for mention in mentions:
        head = head_token(tokens, mention.start, mention.end)
        if head is None:
            continue
        mention.role = _ROLES.get(tokens.dep[head], "other")
        mention.governor = tokens.head[head]


def minority_person_names(story: Story) -> dict[str, str]:
    """Proper names tagged as a person only in a minority of their occurrences, with their commonest
    other type (one sense per discourse): a tagger that calls "Varrow" a place three times and a
    person once is wrong once. The reverse is not applied: coreference already links a person's
    name that the tagger once called a place, through the name's other mentions."""
    votes: dict[str, Counter[str]] = {}
    for entity in story.entities:
        if entity.kind == "PROP":
            votes.setdefault(entity.text, Counter())[entity.label] += 1
    return {
        name: top
        for name, counts in votes.items()
        if "PER" in counts and (top := counts.most_common(1)[0][0]) != "PER" and counts[top] > counts["PER"]
    }


def referential(mention: Mention, tokens: Tokens | None) -> bool:
    """Whether a name or description can refer to a particular person (see `_NOT_REFERENTS`)."""
    if mention.kind == "PRON":
        return True
    if " ".join(mention.text.lower().replace("’", "'").split()) in _NOT_REFERENTS:
        return False
    if mention.kind != "NOM" or tokens is None or not len(tokens):
        return True
    head = head_token(tokens, mention.start, mention.end)
    return head is None or tokens.pos[head] not in _NOT_NOMINAL_HEADS


def _runs_past_a_name(text: str) -> bool:
    """A tagged name with an ordinary lowercase word after its first capitalised one."""
    words = re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", text)
    first = next((i for i, w in enumerate(words) if w[0].isupper()), len(words))
    return any(w.islower() and w not in _NAME_PARTICLES for w in words[first + 1 :])


# Titles that open a name wherever they stand: after a capitalised word in a tagged name they
# begin another one ("Mrs. Moore   Miss Quested" is two women, where a dash was lost between
# them), or end the word before it ("Charming Miss Woodhouse").
_OPENING_TITLES = frozenset({"mr", "mrs", "miss", "ms", "mister", "messrs", "sir", "lady", "dr"})


def _names_in(start: int, text: str) -> list[tuple[int, int, str]]:
    """The names a tagged name holds, cut before each title that follows a capitalised word
    (`_OPENING_TITLES`); a piece before the first such title stays only where a title opens it."""
    words = [(start + w.start(), start + w.end(), w.group()) for w in re.finditer(r"\S+", text)]

    def title(k: int, titles: Collection[str]) -> bool:
        return words[k][2].rstrip(".").lower() in titles

    cuts = [
        k
        for k in range(1, len(words) - 1)
        if title(k, _OPENING_TITLES) and words[k - 1][2][:1].isupper() and not title(k - 1, HONORIFICS)
        and words[k + 1][2][:1].isupper()
    ]  # fmt: skip
    if not cuts:
        return [(start, start + len(text), text)]
    bounds = [0, *cuts, len(words)]
    pieces = [words[a:b] for a, b in pairwise(bounds)]
    if pieces[0][0][2].rstrip(".").lower() not in HONORIFICS:
        pieces = pieces[1:]
    return [(piece[0][0], piece[-1][1], text[piece[0][0] - start : piece[-1][1] - start]) for piece in pieces]


def story_mentions(story: Story) -> tuple[list[Mention], list[QuoteSpan]]:
    """Every mention coreference should see, in text order, and the story's quotations. A name
    the tagger calls a person only in a minority of its occurrences keeps its usual type here, so
    that no pronoun takes the town for a person ("Varrow to “find herself”")."""
    story_spans = [(s.start, s.end) for s in story.story_spans()]
    sentence_starts = spans_of(story, _SENTENCE_END, [(s.start, s.end) for s in story.sentences])
    paragraph_starts = spans_of(story, _PARAGRAPH, [(p.start, p.end) for p in story.paragraphs])
    mentions: list[Mention] = []
    relabel = minority_person_names(story)
    for entity in story.entities:
        if _is_oath(entity.text):
            continue
        # A pronoun whatever the tagger says: a sentence-opening "His" tagged as a name names no one.
        kind: Kind = "PRON" if pronoun(entity.text) else entity.kind or "PROP"
        if kind == "PROP" and (
            POSSESSIVE.fullmatch(entity.text) or _NAME_AFTER_POSSESSIVE.search(entity.text)
        ):
            kind = "NOM"  # "Mara's sister", "Ronny's Baldeo" describe someone through Mara, Ronny
        if kind == "PROP" and _runs_past_a_name(entity.text):
            continue  # "Winterbourne perceived Daisy": two people and a verb, which would join them
        if (kind == "PRON" and not pronoun(entity.text)) or entity.text.rstrip(".").lower() in HONORIFICS:
            continue
        label: str | None = relabel.get(entity.text, entity.label) if kind == "PROP" else entity.label
        label = None if kind == "PRON" else label
        if kind == "PROP":
            mentions += [Mention(s, e, t, kind, 0, label) for s, e, t in _names_in(entity.start, entity.text)]
        else:
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
