"""BookNLP's output files from a Story, so tools written for BookNLP can read Fabula's analyses.

Writes `<id>.tokens`, `<id>.entities`, `<id>.quotes` and `<id>.book` with BookNLP's headers and
conventions: token ids count non-space tokens over the whole document, token spans are
inclusive, `byte_onset`/`byte_offset` are (as in BookNLP, despite the name) character offsets
into the text, paragraphs break at blank lines, and COREF / char_id are integers (characters
first, in the order of `Story.characters`; other entities after). Fabula tags no events, so
the `event` column is always `O`. Token analyses come from `story._tokens` (the language
layer's `Tokens`); a story without them cannot be exported.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabula.errors import FabulaError
from fabula.language.tokens import Tokens
from fabula.story import Character, Story

TOKENS_HEADER = (
    "paragraph_ID",
    "sentence_ID",
    "token_ID_within_sentence",
    "token_ID_within_document",
    "word",
    "lemma",
    "byte_onset",
    "byte_offset",
    "POS_tag",
    "fine_POS_tag",
    "dependency_relation",
    "syntactic_head_ID",
    "event",
)
ENTITIES_HEADER = ("COREF", "start_token", "end_token", "prop", "cat", "text")
QUOTES_HEADER = (
    "quote_start",
    "quote_end",
    "mention_start",
    "mention_end",
    "mention_phrase",
    "char_id",
    "quote",
)

# BookNLP's entity categories (LitBank's); spaCy/OntoNotes names are mapped onto them.
_CATEGORIES = {"PERSON": "PER", "NORP": "PER", "LOCATION": "LOC", "FACILITY": "FAC", "VEHICLE": "VEH"}
_GENDERS = {"he": "he/him/his", "she": "she/her", "they": "they/them/their"}
_PRONOUNS = frozenset(
    {"i", "me", "my", "mine", "myself", "you", "your", "yours", "yourself", "yourselves", "he", "him", "his"}
    | {"himself", "she", "her", "hers", "herself", "it", "its", "itself", "we", "us", "our", "ours"}
    | {"ourselves", "they", "them", "their", "theirs", "themselves"}
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_SPACE = re.compile(r"\s+")


class NoTokensError(FabulaError):
    """The story carries no token analyses, so BookNLP's token-based files cannot be written."""


@dataclass(slots=True)
class _Doc:
    """The story's non-space tokens in BookNLP's numbering."""

    story: Story
    tokens: Tokens
    keep: list[int]  # BookNLP token id -> index into `tokens`
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, story: Story) -> _Doc:
        tokens = story._tokens
        if not isinstance(tokens, Tokens) or len(tokens) == 0:
            raise NoTokensError(
                "the story has no token analyses (the language stage has not run or found no tokens); "
                "BookNLP files need them"
            )
        keep = [i for i in range(len(tokens)) if story.text[tokens.start[i] : tokens.end[i]].strip()]
        return cls(story, tokens, keep, [tokens.start[i] for i in keep], [tokens.end[i] for i in keep])

    def word(self, tid: int) -> str:
        i = self.keep[tid]
        return self.story.text[self.tokens.start[i] : self.tokens.end[i]]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Inclusive BookNLP token ids of the tokens overlapping [start, end), if any."""
        first = bisect_right(self.ends, start)
        last = bisect_right(self.starts, end - 1) - 1
        return (first, last) if first <= last else None

    def phrase(self, start: int, end: int) -> str:
        return _SPACE.sub(" ", self.story.text[start:end]).strip()


def _tokens_rows(doc: _Doc) -> Iterable[list[object]]:
    tokens, text = doc.tokens, doc.story.text
    new_id = {old: new for new, old in enumerate(doc.keep)}
    paragraph, sentence, within = 0, -1, 0
    last_sentence: int | None = None
    previous_end = 0
    for tid, i in enumerate(doc.keep):
        if tid and _BLANK_LINE.search(text, previous_end, tokens.start[i]):
            paragraph += 1
        if tokens.sentence[i] != last_sentence:
            last_sentence, sentence, within = tokens.sentence[i], sentence + 1, 0
        yield [
            paragraph,
            sentence,
            within,
            tid,
            doc.word(tid),
            tokens.lemma[i],
            tokens.start[i],
            tokens.end[i],
            tokens.pos[i],
            tokens.tag[i],
            tokens.dep[i],
            new_id.get(tokens.head[i], tid),
            "O",
        ]
        within += 1
        previous_end = tokens.end[i]


@dataclass(frozen=True, slots=True)
class _Mention:
    first: int
    last: int
    coref: int
    prop: str
    cat: str
    text: str


def _prop(text: str, kind: str | None) -> str:
    if kind:
        return kind
    if text.lower() in _PRONOUNS:
        return "PRON"
    return "PROP" if text[:1].isupper() else "NOM"


def _mentions(doc: _Doc, ids: dict[str, int]) -> list[_Mention]:
    """Every character mention and every other entity, as BookNLP's `.entities` rows."""
    story = doc.story
    owner = {span: ids[c.id] for c in story.characters for span in c.mentions}
    kinds = {(e.start, e.end): e for e in story.entities}
    others: dict[tuple[str, str], int] = {}
    rows: dict[tuple[int, int], _Mention] = {}
    for start, end in sorted({*owner, *kinds}):
        span = doc.span(start, end)
        if span is None:
            continue
        entity = kinds.get((start, end))
        text = doc.phrase(start, end)
        prop = _prop(text, entity.kind if entity else None)
        cat = _CATEGORIES.get(entity.label, entity.label) if entity else "PER"
        coref = owner.get((start, end))
        if coref is None:
            # As BookNLP: identical proper names of one category are one entity.
            key = (cat, text.lower()) if prop == "PROP" else (cat, f"{start}:{end}")
            coref = others.setdefault(key, len(ids) + len(others))
        rows.setdefault(span, _Mention(span[0], span[1], coref, prop, cat, text))
    return sorted(rows.values(), key=lambda m: (m.first, m.last))


def _gender(character: Character) -> dict[str, Any] | None:
    label = _GENDERS.get(character.gender)
    if label is None:
        return None
    return {"inference": {label: 1.0}, "argmax": label, "max": 1.0, "total": float(character.mention_count)}


def _governed(doc: _Doc, mentions: list[_Mention]) -> tuple[list[int], list[int]]:
    """Token ids that govern the character's mentions, and their dependents: where BookNLP
    finds agent/patient/possession words (governors) and modifiers (their dependents, or in UD a
    copula's predicate, a governor)."""
    tokens = doc.tokens
    old_to_new = {old: new for new, old in enumerate(doc.keep)}
    governors: list[int] = []
    for mention in mentions:
        span = range(doc.keep[mention.first], doc.keep[mention.last] + 1)
        head = next((i for i in span if tokens.head[i] not in span), None)
        if head is not None and tokens.head[head] in old_to_new:
            governors.append(old_to_new[tokens.head[head]])
    wanted = {doc.keep[g] for g in governors}
    dependents = [tid for tid, i in enumerate(doc.keep) if tokens.head[i] in wanted and i not in wanted]
    return governors, dependents


def _located(words: list[str], candidates: list[int], doc: _Doc) -> list[dict[str, Any]]:
    """BookNLP's {"w": word, "i": token id}: each word is matched, in order, to a token that
    governs (or depends on) one of the character's mentions; `i` is null where none does."""
    used: set[int] = set()
    located = []
    for word in words:
        match = next((t for t in candidates if t not in used and doc.word(t) == word), None)
        if match is not None:
            used.add(match)
        located.append({"w": word, "i": match})
    return located


def _book(doc: _Doc, ids: dict[str, int], mentions: list[_Mention]) -> dict[str, Any]:
    by_coref: dict[int, list[_Mention]] = {}
    for mention in mentions:
        by_coref.setdefault(mention.coref, []).append(mention)
    characters = []
    for character in doc.story.characters:
        own = by_coref.get(ids[character.id], [])
        names: dict[str, Counter[str]] = {"PROP": Counter(), "NOM": Counter(), "PRON": Counter()}
        for mention in own:
            names.setdefault(mention.prop, Counter())[mention.text] += 1
        governors, dependents = _governed(doc, own)
        characters.append(
            {
                "id": ids[character.id],
                "fabula_id": character.id,
                "names": [character.name, *character.aliases],
                "count": character.mention_count or len(own),
                "mentions": {
                    key: [{"c": c, "n": n} for n, c in names[prop].most_common()]
                    for key, prop in (("proper", "PROP"), ("common", "NOM"), ("pronoun", "PRON"))
                },
                "g": _gender(character),
                "agent": _located(character.agent, governors, doc),
                "patient": _located(character.patient, governors, doc),
                "poss": _located(character.possessions, governors, doc),
                # A modifier is a dependent, or a governor in UD's copula ("Ann was tired").
                "mod": _located(character.modifiers, governors + dependents, doc),
            }
        )
    return {"characters": characters}


def _quote_rows(doc: _Doc, ids: dict[str, int], mentions: list[_Mention]) -> Iterable[list[object]]:
    """Each quote with its speaker's mention nearest to it (Fabula attributes quotes to
    characters, BookNLP to mentions); mention columns are `None` for unattributed quotes."""
    for quote in doc.story.quotes:
        span = doc.span(quote.start, quote.end)
        if span is None:
            continue
        coref = ids.get(quote.speaker) if quote.speaker else None
        own = [m for m in mentions if m.coref == coref] if coref is not None else []
        mention = min(own, key=lambda m: min(abs(m.first - span[0]), abs(m.last - span[1])), default=None)
        words = " ".join(doc.word(t) for t in range(span[0], span[1] + 1))
        if mention is None:
            yield [span[0], span[1], None, None, None, coref, words]
        else:
            yield [span[0], span[1], mention.first, mention.last, mention.text, coref, words]


def _write_table(path: Path, header: tuple[str, ...], rows: Iterable[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\t".join(header) + "\n")
        for row in rows:
            out.write("\t".join(_SPACE.sub(" ", str(value)) for value in row) + "\n")


def write_booknlp(story: Story, directory: Path, book_id: str) -> list[Path]:
    """Write BookNLP's four files for `story` into `directory`; returns their paths."""
    doc = _Doc.of(story)
    directory.mkdir(parents=True, exist_ok=True)
    ids = {character.id: n for n, character in enumerate(story.characters)}
    mentions = _mentions(doc, ids)
    paths = [directory / f"{book_id}.{suffix}" for suffix in ("tokens", "entities", "quotes", "book")]
    _write_table(paths[0], TOKENS_HEADER, _tokens_rows(doc))
    _write_table(
        paths[1], ENTITIES_HEADER, ([m.coref, m.first, m.last, m.prop, m.cat, m.text] for m in mentions)
    )
    _write_table(paths[2], QUOTES_HEADER, _quote_rows(doc, ids, mentions))
    paths[3].write_text(json.dumps(_book(doc, ids, mentions)), encoding="utf-8")
    return paths


def ensure_tokens(story: Story) -> None:
    """A story read back from JSON has lost its tokens (they are never serialised): run the
    language layer again on a copy of its text and keep only the tokens it produces."""
    if story._tokens is not None:
        return
    from fabula.pipeline import get_stage

    copy = Story(
        text=story.text,
        metadata=story.metadata,
        author_notes=story.author_notes,
        chapters=story.chapters,
        paragraphs=story.paragraphs,
    )
    story._tokens = get_stage("language")(copy)._tokens
