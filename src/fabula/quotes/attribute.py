"""Speakers and addressees: a sieve in the manner of Muzny et al. (2017) and BookNLP.

1. a tag next to the quote ("said Jon", "she whispered") names the speaker: explicit for a name,
   anaphoric for a pronoun or a description, resolved through the characters stage's mentions;
2. a quote without a tag shares the speaker of a tagged quote in its paragraph, else takes the
   one character the paragraph's narration is about;
3. turns in a conversation alternate: A B ? -> A, and ? B A -> B (implicit);
4. addressees are vocatives in the quote ("Mara, come here"), a "said to X" tag, else the other
   participant of the exchange.
A tag that names someone Fabula cannot resolve ("a voice from the doorway said") leaves the
speaker unknown rather than guessing by alternation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from fabula.quotes.cast import Cast
from fabula.quotes.detect import Found, find_quotes
from fabula.quotes.kinds import classify
from fabula.quotes.lexicon import PRONOUN_GENDER
from fabula.quotes.tags import Tag, tag_after, tag_before
from fabula.story import Quote, QuoteKind, Story

Attribution = Literal["explicit", "anaphoric", "implicit", "none"]

# Narration paragraphs allowed between two turns of one conversation.
CONVERSATION_GAP = 1
_SENTENCE_PRONOUN = re.compile(r"(?:^|[.!?]\s+|[\"”]\s*)(He|She)\b")
_VOCATIVE_BEFORE = re.compile(r"(?:[,;!?.—–-]\s*|\b(?:[Dd]ear(?:est)?|[Oo]h?|[Mm]y|[Pp]oor)\s+)$")
_VOCATIVE_AFTER = re.compile(r"^\s*(?:[,!?.;:—–]|-{2}|$)")


@dataclass
class _Item:
    found: Found
    kind: QuoteKind
    tag: Tag | None = None
    speaker: str | None = None
    attribution: Attribution = "none"
    addressees: list[str] = field(default_factory=list)
    blocked: bool = False  # a tag names someone no character matches


def attribute(story: Story) -> list[Quote]:
    """Every quote of the story with its kind, speaker, addressees and how the speaker was found."""
    text = story.text
    paras, found = find_quotes(story)
    cast = Cast.build(story, [(f.open_mark, f.close_mark) for f in found])
    items = [_tagged(text, paras, found, i, cast) for i in range(len(found))]
    units = _units(items)
    for unit in units:
        _within_paragraph(text, paras, unit, cast)
    _alternate(units)
    for index, unit in enumerate(units):
        _addressees(text, units, index, unit, cast)
    return [
        Quote(
            start=it.found.start,
            end=it.found.end,
            text=text[it.found.start : it.found.end],
            speaker=it.speaker,
            addressees=it.addressees,
            kind=it.kind,
            attribution=it.attribution if it.kind != "other" else "none",
        )
        for it in items
    ]


def _tagged(text: str, paras: list[tuple[int, int]], found: list[Found], i: int, cast: Cast) -> _Item:
    f = found[i]
    after_end = paras[f.last_paragraph][1]
    if i + 1 < len(found) and found[i + 1].paragraph == f.last_paragraph:
        after_end = found[i + 1].open_mark
    before_start = paras[f.paragraph][0]
    if i > 0 and found[i - 1].last_paragraph == f.paragraph:
        before_start = max(before_start, found[i - 1].close_mark)
    tag = tag_after(text, f.close_mark, after_end) or tag_before(text, before_start, f.open_mark)
    kind = classify(text[f.start : f.end], f, text[before_start : f.open_mark], tag)
    item = _Item(found=f, kind=kind, tag=tag)
    if tag is not None and kind != "other":
        speaker = cast.resolve(tag.subject[0], tag.subject[1], tag.subject_text)
        item.speaker = speaker
        item.blocked = speaker is None
        if speaker is not None:
            item.attribution = "anaphoric" if tag.pronoun or tag.subject_text[:1].islower() else "explicit"
    return item


def _units(items: list[_Item]) -> list[list[_Item]]:
    """Quotes grouped by the paragraph they open in: one paragraph, one turn."""
    units: list[list[_Item]] = []
    for it in items:
        if it.kind == "other":
            continue
        if units and units[-1][0].found.paragraph == it.found.paragraph:
            units[-1].append(it)
        else:
            units.append([it])
    return units


def _within_paragraph(text: str, paras: list[tuple[int, int]], unit: list[_Item], cast: Cast) -> None:
    """Untagged quotes take a tagged neighbour's speaker, else the paragraph's one character."""
    known = [(k, it) for k, it in enumerate(unit) if it.speaker is not None]
    for k, it in enumerate(unit):
        if it.speaker is not None or it.blocked:
            continue
        if known:
            nearest = min(known, key=lambda pair: abs(pair[0] - k))[1]
            it.speaker, it.attribution = nearest.speaker, nearest.attribution
    if known or any(it.blocked for it in unit):
        return
    start, end = paras[unit[0].found.paragraph][0], paras[unit[-1].found.last_paragraph][1]
    speaker, attribution = _narration_subject(text, start, end, unit, cast)
    for it in unit:
        it.speaker, it.attribution = speaker, attribution if speaker else "none"


def _narration_subject(
    text: str, start: int, end: int, unit: list[_Item], cast: Cast
) -> tuple[str | None, Attribution]:
    mentions = cast.mentioned(start, end)
    distinct = {cid for _, _, cid in mentions}
    if len(distinct) == 1:
        return mentions[0][2], "explicit"
    if mentions:
        first_start = mentions[0][0]
        preceding = text[start:first_start].rstrip()
        if not preceding or preceding[-1] in ".!?\"”":
            return mentions[0][2], "explicit"
        return None, "none"
    # No name: a sentence-initial he/she in the narration around the first quote.
    spans = [(it.found.open_mark, it.found.close_mark) for it in unit]
    cursor = start
    for lo, hi in [*spans, (end, end)]:
        for match in _SENTENCE_PRONOUN.finditer(text, cursor, lo):
            who = cast.antecedent(match.start(1), PRONOUN_GENDER[match.group(1).lower()])
            if who:
                return who, "anaphoric"
        cursor = hi
    return None, "none"


def _speaker(unit: list[_Item]) -> str | None:
    return next((it.speaker for it in unit if it.speaker), None)


def _same_conversation(a: list[_Item], b: list[_Item]) -> bool:
    return 0 <= b[0].found.paragraph - a[-1].found.last_paragraph <= CONVERSATION_GAP + 1


def _conversation(units: list[list[_Item]], i: int) -> set[str]:
    """The known speakers of the run of turns around unit `i`."""
    lo = i
    while lo > 0 and _same_conversation(units[lo - 1], units[lo]):
        lo -= 1
    hi = i
    while hi + 1 < len(units) and _same_conversation(units[hi], units[hi + 1]):
        hi += 1
    return {s for u in units[lo : hi + 1] if (s := _speaker(u))}


def _guess(units: list[list[_Item]], i: int) -> str | None:
    unit = units[i]
    linked_before = i >= 1 and _same_conversation(units[i - 1], unit)
    linked_after = i + 1 < len(units) and _same_conversation(unit, units[i + 1])
    if linked_before and i >= 2 and _same_conversation(units[i - 2], units[i - 1]):
        two, one = _speaker(units[i - 2]), _speaker(units[i - 1])
        if two and one and two != one:
            return two
    if linked_after and i + 2 < len(units) and _same_conversation(units[i + 1], units[i + 2]):
        one, two = _speaker(units[i + 1]), _speaker(units[i + 2])
        if two and one and two != one:
            return two
    if linked_before:
        previous = units[i - 1]
        listeners = {a for it in previous for a in it.addressees} - {_speaker(previous)}
        if len(listeners) == 1:
            return listeners.pop()
    participants = _conversation(units, i)
    if len(participants) == 2:
        neighbour = (_speaker(units[i - 1]) if linked_before else None) or (
            _speaker(units[i + 1]) if linked_after else None
        )
        if neighbour in participants:
            return (participants - {neighbour}).pop()
    return None


def _alternate(units: list[list[_Item]]) -> None:
    """Fill untagged turns from the turns around them in the same conversation (implicit)."""
    for _ in range(4):
        changed = False
        for i, unit in enumerate(units):
            if _speaker(unit) is not None or any(it.blocked for it in unit):
                continue
            guess = _guess(units, i)
            if guess is not None:
                for it in unit:
                    it.speaker, it.attribution = guess, "implicit"
                changed = True
        if not changed:
            return


def _addressees(text: str, units: list[list[_Item]], index: int, unit: list[_Item], cast: Cast) -> None:
    speaker = _speaker(unit)
    named: list[str] = []
    for it in unit:
        for cid in _vocatives(text, it.found, cast):
            if cid != speaker and cid not in named:
                named.append(cid)
        if it.tag is not None and it.tag.addressee is not None:
            s, e, surface = it.tag.addressee
            cid = cast.linked_at(s, e) or (
                cast.antecedent(s, PRONOUN_GENDER[surface.lower()], exclude=speaker)
                if surface.lower() in PRONOUN_GENDER
                else cast.by_name(surface)
            )
            if cid and cid != speaker and cid not in named:
                named.append(cid)
    if not named and speaker is not None:
        neighbours = []
        if index > 0 and _same_conversation(units[index - 1], unit):
            neighbours.append(_speaker(units[index - 1]))
        if index + 1 < len(units) and _same_conversation(unit, units[index + 1]):
            neighbours.append(_speaker(units[index + 1]))
        other = next((n for n in neighbours if n and n != speaker), None)
        if other:
            named.append(other)
    for it in unit:
        it.addressees = list(named)


def _vocatives(text: str, found: Found, cast: Cast) -> list[str]:
    """Characters called by name inside the quote: 'Mara, come here', 'Come, my dear Emma.'"""
    result = []
    for start, end, cid in cast.names_in(found.start, found.end):
        prefix = text[found.start : start]
        called = not prefix.strip() or _VOCATIVE_BEFORE.search(prefix[-16:])
        if called and _VOCATIVE_AFTER.match(text[end : min(found.end, end + 3)]):
            result.append(cid)
    return result
