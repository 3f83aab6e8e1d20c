"""Speakers and addressees: a sieve in the manner of Muzny et al. (2017) and BookNLP.

1. a tag next to the quote ("said Jon", "said the girl") names the speaker: explicit for a name,
   anaphoric for a description, resolved through the characters stage's mentions;
   a lower-case description names the holder of its office ("the doctor": Dr. Aziz, named
   last), else a character listed by exactly that description and of known gender, else the
   one its words introduced ("a stout man ... said the man": The Stout Man); "said the other"
   is the one of two not just in view (`_the_other`);
2. a pronoun tag ("he said"; its coreference link is one pronoun's guess, weaker than the
   conversation, see `sieve`) or a gendered description ("said her husband") the mentions leave
   open takes the character of that gender the turn just before called by name, else the
   relative sharing a surname with whom "his"/"her" is ("said his wife": Mrs. Allen), else the
   latest of that gender the turn's own paragraph, then the one before, made a sentence's
   subject, else A in an exchange A B ?, else the latest of that gender named nearby (see
   `_by_pronoun`);
3. a quote without a tag shares the speaker of a tagged quote in its paragraph, else takes the
   character the paragraph's narration is about, or the one narration just before left on stage;
4. turns in a conversation alternate: A B ? -> A, ? B A -> A; someone called by name answers,
   and whoever the next turn calls by name spoke this one (implicit); walking back from each
   tag repairs a turn that alternation gave the tagged turn's own speaker; no step (nor the
   ranker) gives a "she said" turn to a man or a "he said" one to a woman;
5. addressees are vocatives in the quote ("Mara, come here"), a "said to X" tag, else the other
   participant of the exchange.
A tag with an indefinite description no character's mention covers ("a voice from the doorway
said") leaves the speaker unknown rather than guessing by alternation. A `Reranker` (the stage
runs `fabula.quotes.rank`'s learned one) may then revise the turns no name settled, such
voices included, before addressees are filled in. docs/quotes.md gives what each rule is worth on PDNC.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Literal, Protocol

from fabula.quotes.cast import Cast, normalise
from fabula.quotes.detect import Found, find_quotes
from fabula.quotes.kinds import classify
from fabula.quotes.lexicon import GENDERED_NOUNS, KIN_TITLES, OFFICE_TITLES, PRONOUN_GENDER
from fabula.quotes.tags import (
    INTRODUCING_VERB,
    PREPOSITION_BEFORE,
    Tag,
    tag_after,
    tag_before,
    tag_introducing,
)
from fabula.story import Quote, QuoteKind, Story

Attribution = Literal["explicit", "anaphoric", "implicit", "none"]

# Narration paragraphs allowed between two turns of one conversation.
CONVERSATION_GAP = 4
# Turns back searched for the last speaker of a pronoun's gender.
CONVERSATION_TURNS = 4
# Turns each way whose speakers hear a turn, and narration paragraphs allowed between them (see `_listeners`).
LISTENER_REACH = 6
LISTENER_GAP = 1
# "He"/"She" opening a sentence; a paragraph's first word follows its line break.
_SENTENCE_PRONOUN = re.compile(r"(?:^|(?<=\n)|[.!?]\s+|[\"”]\s*)(He|She)\b")
_VOCATIVE_BEFORE = re.compile(r"(?:[,;!?.—–-]\s*|\b(?:[Dd]ear(?:est)?|[Oo]h?|[Mm]y|[Pp]oor)\s+)$")
_VOCATIVE_AFTER = re.compile(r"^\s*(?:[,!?.;:—–]|-{2}|$)")


_INDEFINITE = re.compile(r"^(?:[Aa]n?|[Ss]ome|[Aa]nother|[Oo]ne)\b|^(?:someone|somebody)$", re.IGNORECASE)
_FIRST_SECOND = frozenset({"i", "we", "you"})
_GENDERS = frozenset({"he", "she"})
# What may stand before a sentence's subject: a sentence end, a closing quote, a conjunction.
_SLOT_OPENERS = (
    r"(?:[.!?;]\s+|[\"”]\s*|—\s*|\n\s*\n\s*)(?:(?:[Aa]nd|[Bb]ut|[Tt]hen|[Ss]o|[Nn]ow|[Yy]et|[Hh]ere|[Tt]here)\s+)?"
    r"|,\s+(?:and|but|when|while|as|till|until|before|after|whilst)\s+"
)
_SUBJECT_SLOT = re.compile(rf"(?:{_SLOT_OPENERS})(?:[Tt]he\s+(?:[a-z]+\s+)?)?$")
# A he/she continues a subject after a comma too: "After an hour, Mr. Palmer sauntered towards
# them, though Colonel Brandon ...; and he had himself said" is Mr. Palmer's.
_CONTINUED_SLOT = re.compile(rf"(?:{_SLOT_OPENERS}|,\s+)(?:[Tt]he\s+(?:[a-z]+\s+)?)?$")
# Words of narration between two parts of a quote that can be one tag for both.
SHORT_TAG_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?;]\s")
_CLAUSE_END = re.compile(r"[.,;:!?\"“”—(]")
# What joins a clause of its own to a quote: '", and Ann asked', '" while Ann said'.
_JOINED = re.compile(r"[\s,;:—–-]*(?:and|but|while|whilst)(?:\s+then)?\s+")
# Characters after a tag searched for the holder of an office a description names ("the doctor"),
# and before it for a character its words introduced ("a stout man").
OFFICE_REACH = 4000
# Characters before a kin tag ("said his wife") searched for which of several relatives was named last.
KIN_REACH = 20000
# Paragraphs of narration before a pronoun searched for a subject it continues.
SALIENCE_PARAGRAPHS = 2


@dataclass
class _Item:
    found: Found
    kind: QuoteKind
    tag: Tag | None = None
    speaker: str | None = None
    attribution: Attribution = "none"
    addressees: list[str] = field(default_factory=list)


@dataclass
class _Unit:
    """The quotes of one paragraph: one turn of a conversation."""

    items: list[_Item]
    speaker: str | None = None
    attribution: Attribution = "none"
    # An unresolved pronoun or gendered description tag: offset, gender, gender of its possessive
    # determiner ("her mother": she, she; "he": he, None).
    pronoun: tuple[int, str, str | None] | None = None
    blocked: bool = False  # an unresolved indefinite tag ("a voice said"): speaker stays unknown
    # An unresolved "said the other" tag: offset, and the gender its noun gives ("the other man").
    contrast: tuple[int, str | None] | None = None
    cue: tuple[int, str, str | None] | None = None  # `pronoun` as the tag gave it, kept for the ranker
    step: str = ""  # the sieve step that chose the speaker ("tag", "pronoun", "guess", ...)
    vocatives: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)  # "said to X"
    scene_start: int = 0  # where the scene it is in begins after a break line (`_scene_breaks`), else 0

    @property
    def first(self) -> int:
        return self.items[0].found.paragraph

    @property
    def last(self) -> int:
        return self.items[-1].found.last_paragraph


@dataclass
class Sieve:
    """The sieve's reading of a story, turn by turn, before addressees are filled in: what a
    `Reranker` revises and what training reads gold speakers against."""

    text: str
    paras: list[tuple[int, int]]
    items: list[_Item]
    units: list[_Unit]
    cast: Cast

    def quotes(self) -> list[Quote]:
        """Every quote with its kind, speaker, addressees and how the speaker was found."""
        for i, unit in enumerate(self.units):
            _finish(self.units, i, unit, self.cast)
        return [
            Quote(
                start=it.found.start,
                end=it.found.end,
                text=self.text[it.found.start : it.found.end],
                speaker=it.speaker,
                addressees=it.addressees,
                kind=it.kind,
                attribution=it.attribution if it.kind != "other" else "none",
            )
            for it in self.items
        ]


class Reranker(Protocol):
    """A second opinion on the turns no tag settled (`fabula.quotes.rank.SpeakerModel`)."""

    def rerank(self, sieve: Sieve) -> None: ...


def attribute(story: Story, reranker: Reranker | None = None, *, pronoun_links: bool = False) -> list[Quote]:
    """Every quote of the story with its kind, speaker, addressees and how the speaker was found
    (`pronoun_links`: see `sieve`)."""
    state = sieve(story, pronoun_links=pronoun_links)
    if reranker is not None:
        reranker.rerank(state)
    return state.quotes()


def sieve(story: Story, *, pronoun_links: bool = False) -> Sieve:
    """Speakers by the sieve's steps, in order; addressees come with `Sieve.quotes`.

    A pronoun tag ("he said") is read by the turn-taking rules of `_by_pronoun`, not by the
    character coreference linked the pronoun to: one pronoun's link is weaker evidence than the
    conversation around it (PDNC end to end, 21 novels: speakers 73.7% against 71.4%, anaphoric
    62.7% against 56.0%). `pronoun_links` trusts the links instead, for the characters stage's
    own draft, whose "I" and "you" must follow the clusters it made."""
    text = story.text
    paras, found = find_quotes(story)
    cast = Cast.build(story, [(f.open_mark, f.close_mark) for f in found])
    items = [_tagged(text, paras, found, i) for i in range(len(found))]
    units = _units(items, _scene_breaks(story))
    for unit in units:
        _resolve_tags(text, unit, cast, pronoun_links)
    tagged = [unit.speaker is not None for unit in units]
    for i, unit in enumerate(units):
        if unit.speaker is None and not unit.blocked:
            _decide(text, paras, units, i, cast)
    _repair(units, [t or u.attribution == "anaphoric" for t, u in zip(tagged, units, strict=True)])
    for i in range(len(units) - 1, -1, -1):
        if units[i].speaker is None and not units[i].blocked and units[i].pronoun is None:
            _set(units[i], _guess(units, i, step=1), "implicit", "guess-after", cast)
    for unit in units:
        if unit.speaker is None and not unit.blocked:
            _set(unit, _last_resort(text, paras, unit, cast), "implicit", "last-resort", cast)
    return Sieve(text, paras, items, units, cast)


def _tagged(text: str, paras: list[tuple[int, int]], found: list[Found], i: int) -> _Item:
    f = found[i]
    after_end = paras[f.last_paragraph][1]
    if i + 1 < len(found) and found[i + 1].paragraph == f.last_paragraph:
        after_end = found[i + 1].open_mark
    before_start = paras[f.paragraph][0]
    if i > 0 and found[i - 1].last_paragraph == f.paragraph:
        before_start = max(before_start, found[i - 1].close_mark)
    # '"...," said Jon' is the common shape; a quote that ends a sentence after 'Jon said:' is not.
    after = tag_after(text, f.close_mark, after_end)
    before = tag_before(text, before_start, f.open_mark)
    middle = text[before_start : f.open_mark]
    first = tag_after(text, before_start, f.open_mark) if before_start > paras[f.paragraph][0] else None
    if first is not None:
        # '"I hope," said Jon, when Ann came in, "all is well."': a short tag between the two
        # parts of one sentence is the second part's as well, unless a clause of its own names
        # another ('"No," said Jon, while Ann said, "Yes."'); a part opening in lower case
        # continues the sentence however long the narration between ('"I hope," said Jon, when
        # Ann had read the letter, "that all is well."').
        short = len(middle.split()) <= SHORT_TAG_WORDS and not _SENTENCE_END.search(middle)
        later = before is not None and before.subject[0] >= first.subject[1]
        if _continues(text[f.start : f.end]) or (short and not later):
            before = first
    introduced = middle.rstrip().endswith((",", ":")) or bool(INTRODUCING_VERB.search(middle.rstrip()))
    ends_sentence = text[f.start : f.end].rstrip().endswith((".", "!", "?"))
    # 'Jon said, "Yes," and Ann asked': a clause joined after the quote brings the next speaker.
    joined = after is not None and bool(_JOINED.fullmatch(text, f.close_mark, after.subject[0]))
    tag = (before or after) if introduced and (ends_sentence or joined) else (after or before)
    tag = tag or tag_introducing(text, before_start, f.open_mark)
    if tag is None and f.paragraph > 0 and not text[before_start : f.open_mark].strip():
        previous = paras[f.paragraph - 1]
        tail_start = previous[0]
        j = i - 1
        while j >= 0 and found[j].last_paragraph >= f.paragraph - 1:
            if found[j].last_paragraph == f.paragraph - 1:
                tail_start = max(tail_start, found[j].close_mark)
            j -= 1
        tag = tag_introducing(text, tail_start, previous[1])
    kind = classify(text[f.start : f.end], f, text[before_start : f.open_mark], tag)
    return _Item(found=f, kind=kind, tag=tag)


def _continues(quote: str) -> bool:
    """Whether a quote opens in lower case, so goes on with a sentence begun before it."""
    opening = quote.lstrip(" \t\n_'‘\"“—-")[:1]
    return opening.isalpha() and opening.islower()


def _scene_breaks(story: Story) -> list[int]:
    """Where the scenes after a break line or a note begin (`* * *`, `~~~`, `<hr>`), within a
    chapter. A new chapter is no such break: *The Invisible Man*'s Griffin tells his story to
    Kemp over six chapters, and its turns read across them (PDNC end to end, that novel 78.4%
    where chapters closed conversations too)."""
    chapter_starts = [chapter.start for chapter in story.chapters]
    breaks, seen = [], set()
    for scene in sorted(story.scenes, key=lambda scene: scene.start):
        chapter = bisect_right(chapter_starts, scene.start) - 1
        if chapter in seen:
            breaks.append(scene.start)
        seen.add(chapter)
    return breaks


def _units(items: list[_Item], scene_starts: list[int]) -> list[_Unit]:
    """Quotes grouped by the paragraph they open in: one paragraph, one turn."""
    units: list[_Unit] = []
    for it in items:
        if it.kind == "other":
            continue
        if units and units[-1].first == it.found.paragraph:
            units[-1].items.append(it)
        else:
            scene = bisect_right(scene_starts, it.found.start) - 1
            units.append(_Unit(items=[it], scene_start=scene_starts[scene] if scene >= 0 else 0))
    return units


def _resolve_tags(text: str, unit: _Unit, cast: Cast, pronoun_links: bool) -> None:
    """Speakers that tags name; the unit's speaker is its first tagged quote's."""
    since = unit.items[0].found.open_mark  # where the narration since the last named tag begins
    for it in unit.items:
        called = _vocatives(text, it.found, cast, letter=it.kind == "written")
        unit.vocatives.extend(c for c in called if c not in unit.vocatives)
        tag = it.tag
        if tag is None:
            continue
        start, end = tag.subject
        word = tag.subject_text.lower()
        gender = _tag_gender(tag.subject_text)
        if tag.addressee is not None and tag.addressee[2].lower() not in PRONOUN_GENDER:
            # "she said to Harriet": Harriet listens (and does not speak), whoever "she" is.
            s, e, surface = tag.addressee
            if (told := cast.linked_at(s, e) or cast.by_name(surface)) and told not in unit.told:
                unit.told.append(told)
        linked = cast.linked_at(start, end) if pronoun_links or word not in PRONOUN_GENDER else None
        speaker = linked or cast.named_at(start, end)
        if speaker is None and word in PRONOUN_GENDER:
            if unit.speaker is not None and cast.gender.get(unit.speaker) != gender:
                speaker = cast.antecedent(start, PRONOUN_GENDER[word])  # another speaker in the paragraph
            elif unit.speaker is not None:
                # '"Help!" cried Latif. ... Aziz did likewise. "We're monkeys," he called': Aziz.
                speaker = _subject_in(text, cast, since, start, PRONOUN_GENDER[word], {unit.speaker})
            elif unit.pronoun is None and unit.speaker is None:
                unit.pronoun = (start, PRONOUN_GENDER[word], None)
            if speaker is None:
                continue
        description = _description(tag.subject_text)  # "the doctor", read unlike "the Hatter"
        if speaker is None and word not in _FIRST_SECOND:
            speaker = _described(text, cast, start, end) or (
                _office_holder(cast, description, start)
                or cast.described(description)
                or _introduced(text, cast, description, start)
                if description
                else _named(cast, tag.subject_text)
            )
        if speaker is None and unit.speaker is None and _contrasting(description, gender):
            unit.contrast = unit.contrast or (start, gender)
        if speaker is None and gender is not None and unit.pronoun is None and unit.speaker is None:
            owner = PRONOUN_GENDER.get(word.split()[0]) if len(word.split()) > 1 else None
            unit.pronoun = (start, gender, owner)
            continue
        if speaker is None:
            unit.blocked |= word in _FIRST_SECOND or bool(_INDEFINITE.match(tag.subject_text))
            continue
        it.speaker = speaker
        named = any(word[:1].isupper() for word in tag.subject_text.split())  # "the gallant Mr. Elton"
        it.attribution = "anaphoric" if tag.pronoun or not named else "explicit"
        if unit.speaker is None:
            unit.speaker, unit.attribution, unit.step = speaker, it.attribution, "tag"
        since = it.found.close_mark
        if tag.addressee is not None and tag.addressee[2].lower() in PRONOUN_GENDER:
            # "she said to him": whom "him" is depends on who speaks.
            s, e, surface = tag.addressee
            told = cast.linked_at(s, e) or cast.antecedent(
                s, PRONOUN_GENDER[surface.lower()], exclude={speaker}
            )
            if told and told != speaker and told not in unit.told:
                unit.told.append(told)
        if speaker in unit.told:
            unit.told.remove(speaker)
    if unit.speaker is not None:
        if unit.pronoun and cast.gender.get(unit.speaker) in _GENDERS - {unit.pronoun[1]}:
            # '"That fellow," said he, ... And touching Miss Bates, "Miss Bates, ..."': the he/she
            # quotes are not the woman's whom a later tag names.
            offset, gender, _ = unit.pronoun
            who = cast.antecedent(offset, gender, {unit.speaker})
            for it in unit.items:
                if (
                    it.speaker is None
                    and it.tag
                    and PRONOUN_GENDER.get(it.tag.subject_text.lower()) == gender
                ):
                    it.speaker, it.attribution = who, "anaphoric" if who else "none"
        unit.blocked = False
        unit.pronoun = unit.contrast = None
    unit.cue = unit.pronoun


def _set(unit: _Unit, speaker: str | None, attribution: Attribution, step: str, cast: Cast) -> None:
    """Give the turn `speaker`, unless the quote calls them or its tag's gender rules them out
    ("she said" is no man, even where turn-taking names one)."""
    if speaker is None or speaker in unit.vocatives:
        return
    if unit.cue is not None and cast.gender.get(speaker) in _GENDERS - {unit.cue[1]}:
        return
    unit.speaker, unit.attribution, unit.step = speaker, attribution, step


def _decide(text: str, paras: list[tuple[int, int]], units: list[_Unit], i: int, cast: Cast) -> None:
    """A speaker for an untagged (or pronoun-tagged) turn, reading the turns before it."""
    unit = units[i]
    if unit.contrast is not None:
        _set(unit, _the_other(paras, units, i, cast, *unit.contrast), "anaphoric", "other", cast)
        if unit.speaker is not None:
            return
    if unit.pronoun is not None:
        speaker, rule = _by_pronoun(text, paras, units, i, cast)
        _set(unit, speaker, "anaphoric", f"pronoun:{rule}", cast)
        if unit.speaker is not None:
            return
        unit.pronoun = None  # no antecedent: turn-taking decides, as for an untagged turn
    start, end = paras[unit.first][0], paras[unit.last][1]
    speaker, attribution = _narration_subject(text, start, end, unit, cast)
    step = "narration"
    if speaker is None and unit.first > 0 and (i == 0 or units[i - 1].last < unit.first - 1):
        # The turn opens a conversation: the paragraph of narration before it sets the scene.
        lo, hi = paras[unit.first - 1]
        speaker, attribution, step = _scene_subject(text, lo, hi, cast), "implicit", "scene"
    _set(unit, speaker, attribution, step, cast)
    if unit.speaker is None:
        _set(unit, _guess(units, i, step=-1), "implicit", "guess", cast)
    if unit.speaker is None and _turns(units, i, step=1, limit=1):
        # "Well, Mara?" answers Mara: who the next turn calls by name spoke this one.
        following = units[i + 1]
        called = {c for c in following.vocatives if c != following.speaker}
        if len(called) == 1:
            _set(unit, called.pop(), "implicit", "called-next", cast)


def _by_pronoun(
    text: str, paras: list[tuple[int, int]], units: list[_Unit], i: int, cast: Cast
) -> tuple[str | None, str]:
    """'he said' (or 'said her mother'), weighed as a reader does, with the rule that answered
    (the ranker weighs each rule's choice by what it is worth): the one character of that
    gender the turn just before called by name; the latest of that gender the turn's own
    paragraph made a subject before the tag ("Ann turned. 'No,' she said"), else the paragraph
    before; in a strict exchange A B ?, A when A has that gender; the latest of that gender
    named in the two paragraphs before; the last of that gender to speak in the conversation;
    the latest named further back; with none before, the first named after. (PDNC, gold
    cast: the own paragraph's subject is right 86% of the time it answers, the paragraph
    before's 79%, A B ? -> A 78%, the latest named 65%; a name called across narration was
    right only 60%, so only the turn just before counts.)"""
    unit = units[i]
    assert unit.pronoun is not None
    offset, gender, owner = unit.pronoun
    if _adjacent(units, i, -1, 1):
        previous = units[i - 1]
        called = {c for c in [*previous.vocatives, *previous.told] if cast.gender.get(c) == gender}
        if len(called) == 1 and previous.speaker not in called:
            return called.pop(), "called"
    exclude = {*unit.vocatives, *unit.told}  # "Jon, wait!" she cried, she said to Jon: she is not Jon
    paragraph = unit.first
    owning = _salient(text, paras, paragraph, offset, owner, cast, exclude) if owner else None
    if owning and (relative := _relative(text, cast, owning, offset, gender)):
        return relative, "kin"
    if owner == gender and owning:
        exclude.add(owning)  # "her mother" is not the woman "her" is
    if subject := _subject_in(text, cast, paras[paragraph][0], offset, gender, exclude):
        return subject, "own"
    if paragraph > 0 and (subject := _subject_in(text, cast, *paras[paragraph - 1], gender, exclude)):
        return subject, "before"
    turns = _turns(units, i, step=-1, limit=2)
    earlier = turns[1] if len(turns) == 2 and turns[0] != turns[1] else None
    if earlier and cast.gender.get(earlier) == gender and _adjacent(units, i, -1, 2):
        return earlier, "exchange"
    window = paras[max(0, paragraph - SALIENCE_PARAGRAPHS)][0]
    if named := cast.antecedent(offset, gender, exclude, reach=offset - window):
        return named, "near"
    # No one of that gender named nearby: who last spoke, of that gender, in the conversation.
    spoke = [t for t in _turns(units, i, step=-1, limit=CONVERSATION_TURNS) if t and t not in exclude]
    if last := next((t for t in spoke if cast.gender.get(t) == gender), None):
        return last, "spoke"
    if named := cast.antecedent(offset, gender, exclude):
        return named, "far"
    return cast.following(offset, gender, exclude), "later"


def _the_other(
    paras: list[tuple[int, int]], units: list[_Unit], i: int, cast: Cast, offset: int, gender: str | None
) -> str | None:
    """'said the other': the one of two who is not the one just in view. Whom the turn just
    before called by name answers; else, reading back over the conversation's turns (up to
    `CONVERSATION_TURNS`) and the names in its narration, the latest character who is not the
    previous turn's speaker, nor named in the turn's own paragraph before the tag ("Fielding
    took his pipe. ... the other went on" is not Fielding), nor called by the quote. Plain
    turn-taking (A B ? -> A) misses the other where narration brings them in ("When Fielding
    entered ... 'Oh no,' gasped the other")."""
    unit = units[i]
    back: list[_Unit] = []
    while len(back) < CONVERSATION_TURNS and i - len(back) > 0:
        earlier = units[i - len(back) - 1]
        if not _same_conversation(earlier, back[-1] if back else unit):
            break
        back.append(earlier)
    one = back[0].speaker if back else None
    fits = [c for c in [*back[0].vocatives, *back[0].told] if c != one] if _adjacent(units, i, -1, 1) else []
    fits = [c for c in fits if gender is None or cast.gender.get(c) == gender]
    if len(set(fits)) == 1:
        return fits[0]
    ones = {one, *unit.vocatives} | {cid for _, _, cid in cast.mentioned(paras[unit.first][0], offset)}
    lo = paras[back[-1].first if back else max(0, unit.first - 1)][0]
    seen = [(u.items[0].found.open_mark, u.speaker) for u in back if u.speaker]
    seen += [(at, cid) for at, _, cid in cast.mentioned(lo, offset)]
    for _, cid in sorted(seen, reverse=True):
        if cid not in ones and (gender is None or cast.gender.get(cid) == gender):
            return cid
    return None


def _relative(text: str, cast: Cast, owning: str, offset: int, gender: str) -> str | None:
    """'said his wife' after Mr. Allen: the Mrs. Allen of the cast (a relative sharing his
    surname), the one named last where there are several."""
    noun = re.findall(r"\w+", text[offset : offset + 40])[1:2]
    titles = KIN_TITLES.get(noun[0].lower()) if noun else None
    if not titles:
        return None
    kin = cast.relatives(owning, gender, titles)
    return (cast.latest(kin, offset, KIN_REACH) or cast.best(kin)) if kin else None


def _salient(
    text: str,
    paras: list[tuple[int, int]],
    paragraph: int,
    offset: int,
    gender: str,
    cast: Cast,
    exclude: Collection[str] = (),
) -> str | None:
    """The character a pronoun at `offset` continues: the latest of its gender that was the
    subject of a sentence ("Jane could have no reserves from Elizabeth. ... she added" is Jane)
    in this or the two paragraphs before; else the latest of its gender mentioned at all."""
    window = paras[max(0, paragraph - SALIENCE_PARAGRAPHS)][0]
    return _subject_in(text, cast, window, offset, gender, exclude) or cast.antecedent(
        offset, gender, exclude
    )


def _subject_in(
    text: str, cast: Cast, start: int, end: int, gender: str, exclude: Collection[str] = ()
) -> str | None:
    """The latest character of the gender made a sentence's subject in the narration [start, end),
    or a clause's after a comma (`_CONTINUED_SLOT`), for a he/she to continue."""
    for at, _, cid in reversed(cast.mentioned(start, end)):
        if (
            cid not in exclude
            and cast.gender.get(cid) == gender
            and (at == 0 or _CONTINUED_SLOT.search(text, max(0, at - 16), at))
        ):
            return cid
    return None


def _scene_subject(text: str, start: int, end: int, cast: Cast) -> str | None:
    """Who a paragraph of narration leaves on stage: the last character it makes a sentence's
    subject, else the last it names ("... and Lucy poured out hers to her cousin.")."""
    mentions = cast.mentioned(start, end)
    for s, _, cid in reversed(mentions):
        if s == start or _SUBJECT_SLOT.search(text, max(start, s - 16), s):
            return cid
    return mentions[-1][2] if mentions else None


def _named(cast: Cast, subject: str) -> str | None:
    """The character a tag's subject names, reading past words the subject pattern swallowed
    before the name ("Presently Tony", "the courteous Edmund") and a possessive after it."""
    words = re.sub(r"['’]s$", "", subject).split()  # "Mrs. Bennet's eyes sparkled."
    for k in range(len(words)):
        if (k == 0 or words[k][:1].isupper()) and (speaker := cast.by_name(" ".join(words[k:]))):
            return speaker
    return None


def _described(text: str, cast: Cast, start: int, end: int) -> str | None:
    """The character a description names once read past the preposition the tag pattern stops
    at: 'said the gentleman in the white waistcoat' is The Gentleman In The White Waistcoat,
    'said the voice of Mr. Haq' Mr. Haq."""
    clause = _CLAUSE_END.split(text[start : end + 60], maxsplit=1)[0]
    words, known = clause.split(), len(text[start:end].split())
    for n in range(len(words), known, -1):
        if ids := cast.forms.get(normalise(" ".join(words[:n]))):
            return cast.best(ids)
    if words[known - 1 : known + 1] == ["voice", "of"] and len(words) > known + 1:
        return _named(cast, " ".join(words[known + 1 :]))
    return None


def _description(subject: str) -> str | None:
    """A definite description's words after the article, lower case, without a trailing adverb
    ("the old gentleman gravely": "old gentleman"); None for a name, a pronoun or "her mother"."""
    words = subject.split()
    while len(words) > 2 and words[-1].endswith("ly"):
        words.pop()
    if len(words) < 2 or words[0].lower() not in ("the", "this", "that"):
        return None
    if any(w[:1].isupper() for w in words[1:]):
        return None  # "the gallant Mr. Elton", "the Hatter": names
    return " ".join(words[1:]).lower()


# Where a descriptive name's head noun ends: "The Gentleman In The White Waistcoat".
_HEAD_END = re.compile(r"\s+(?:in|with|at|of|from|on|who)\s.*$")


def _introduced(text: str, cast: Cast, description: str, before: int) -> str | None:
    """'A stout man came up. ... "No," said the man': the character whose descriptive name
    ("The Stout Man") holds the description's words and head noun, introduced by those words
    in the `OFFICE_REACH` characters before the tag ("a stout man"); the latest so introduced
    where several are. A cast of minor characters named for what the text calls them
    (PDNC's) reaches them so, where no name is ever written."""
    window = text[max(0, before - OFFICE_REACH) : before].lower()
    wanted = set(description.split())
    best, best_at = None, -1
    for cid, surfaces in cast.surfaces.items():
        for surface in surfaces:
            words = surface.lower().split()
            core = _HEAD_END.sub("", " ".join(words[1:]))
            if words[0] not in ("the", "a", "an") or core == description or not core:
                continue
            if core.split()[-1] != description.split()[-1] or not wanted <= set(core.split()):
                continue
            at = max(
                (m.start() for m in re.finditer(rf"\b(?:an?|the)\s+{re.escape(core)}\b", window)), default=-1
            )
            if at > best_at:
                best, best_at = cid, at
    return best


def _office_holder(cast: Cast, description: str, before: int) -> str | None:
    """'said the doctor': the character whose name carries that office's title ("Doctor
    Losberne", "Dr. Aziz") named last before the tag, however long ago, else the first named
    in the `OFFICE_REACH` characters after it (a doctor called so before the narrator names
    him), rather than a minor character PDNC lists as "The Doctor". (PDNC, gold cast, ranker
    off: named within `OFFICE_REACH` only, 17 anaphoric quotes fewer.)"""
    titles = OFFICE_TITLES.get(description.split()[-1])
    if not titles:
        return None
    holders = cast.holding(titles)
    return cast.latest(holders, before, before) or cast.first_after(holders, before, OFFICE_REACH)


def _last_resort(text: str, paras: list[tuple[int, int]], unit: _Unit, cast: Cast) -> str | None:
    """A turn nothing else settled (no tag, no exchange around it): the character the narration
    just before it last made a subject. Right about half the time, where no answer never is."""
    start = paras[max(0, unit.first - SALIENCE_PARAGRAPHS)][0]
    return _scene_subject(text, start, unit.items[0].found.open_mark, cast)


def _contrasting(description: str | None, gender: str | None) -> bool:
    """Whether a description sets its referent against another: "the other", "the other one",
    "the other man" (`_the_other`)."""
    if description is None or description.split()[0] != "other":
        return False
    return description in ("other", "other one") or gender is not None


def _tag_gender(subject: str) -> str | None:
    """The gender a tag's subject fixes: a pronoun's, or a definite description's head noun's
    ("her husband", "the old lady", "the girl firmly"); None for a name or an indefinite one."""
    words = subject.lower().split()
    while len(words) > 2 and words[-1].endswith("ly"):
        words.pop()
    if len(words) == 1 and words[0] in PRONOUN_GENDER:
        return PRONOUN_GENDER[words[0]]
    if len(words) < 2 or _INDEFINITE.match(subject):
        return None
    return GENDERED_NOUNS.get(words[-1])


def _narration_subject(
    text: str, start: int, end: int, unit: _Unit, cast: Cast
) -> tuple[str | None, Attribution]:
    """The character the paragraph's narration is about: its one name, or its first subject.
    A lone name after a preposition is not what the paragraph is about: in 'He turned to Mr.
    Wilcox. "I put it to this gentleman."' Mr. Wilcox listens (PDNC, gold cast: such a name
    spoke 22 times in 61), and the sentence-initial he/she is read as for a paragraph without
    names."""
    mentions = cast.mentioned(start, end)
    distinct = {cid for _, _, cid in mentions}
    if len(distinct) == 1:
        if any(not PREPOSITION_BEFORE.search(text, max(start, s - 12), s) for s, _, _ in mentions):
            return mentions[0][2], "explicit"
    elif mentions:
        preceding = text[start : mentions[0][0]].rstrip()
        if not preceding or preceding[-1] in '.!?"”':
            return mentions[0][2], "explicit"
        return None, "none"
    # No name: a sentence-initial he/she in the narration around the quotes.
    cursor = start
    for lo, hi in [*((it.found.open_mark, it.found.close_mark) for it in unit.items), (end, end)]:
        for match in _SENTENCE_PRONOUN.finditer(text, cursor, lo):
            who = cast.antecedent(match.start(1), PRONOUN_GENDER[match.group(1).lower()])
            if who:
                return who, "anaphoric"
        cursor = hi
    return None, "none"


def _same_conversation(a: _Unit, b: _Unit, gap: int = CONVERSATION_GAP) -> bool:
    """Whether turn b follows turn a in one conversation: at most `gap` narration paragraphs
    between them, and no scene break (`_scene_breaks`)."""
    return a.scene_start == b.scene_start and 0 <= b.first - a.last <= gap + 1


def _turns(
    units: list[_Unit], i: int, step: int, limit: int, gap: int = CONVERSATION_GAP
) -> list[str | None]:
    """Speakers of up to `limit` turns before (step -1) or after (step 1) turn `i`, same
    conversation: at most `gap` narration paragraphs between one turn and the next."""
    found: list[str | None] = []
    j = i
    while len(found) < limit:
        k = j + step
        if not 0 <= k < len(units):
            break
        a, b = (units[k], units[j]) if step < 0 else (units[j], units[k])
        if not _same_conversation(a, b, gap):
            break
        found.append(units[k].speaker)
        j = k
    return found


def _adjacent(units: list[_Unit], i: int, step: int, count: int) -> bool:
    """Whether turn `i` and the `count` turns beside it follow each other with no narration
    paragraph between: a strict exchange, where turns alternate (nine times in ten on PDNC;
    fewer than half as often across a paragraph of narration)."""
    if not 0 <= i + count * step < len(units):
        return False
    for k in range(count):
        a, b = units[i + k * step], units[i + (k + 1) * step]
        if abs(b.first - a.last if step > 0 else a.first - b.last) != 1 or a.scene_start != b.scene_start:
            return False
    return True


def _guess(units: list[_Unit], i: int, step: int) -> str | None:
    """Turn-taking: whoever was called by name answers; else A B ? -> A; else the other of two."""
    turns = _turns(units, i, step, limit=4)
    if not turns:
        return None
    neighbour = units[i + step]
    if step < 0:
        called = [c for c in [*neighbour.vocatives, *neighbour.told] if c != neighbour.speaker]
        if len(set(called)) == 1:
            return called[0]
    if len(turns) >= 2 and turns[0] and turns[1] and turns[0] != turns[1] and _adjacent(units, i, step, 2):
        return turns[1]  # across narration A B ? -> A holds less than half the time
    participants = {t for t in turns if t}
    if turns[0] and len(participants) == 2:
        return (participants - {turns[0]}).pop()
    return None


def _repair(units: list[_Unit], sure: list[bool]) -> None:
    """Walk back from each tag: a turn that turn-taking gave the speaker of the tagged turn
    right after it breaks the alternation, so it takes the other speaker of the exchange
    (? B A -> A), and the repaired turn vouches for the turn before it in turn."""
    for i in range(len(units) - 2, -1, -1):
        unit, after = units[i], units[i + 1]
        if sure[i] or unit.attribution != "implicit" or not sure[i + 1] or unit.speaker != after.speaker:
            continue
        if not _adjacent(units, i, 1, 1):
            continue
        later = _turns(units, i + 1, step=1, limit=1) if _adjacent(units, i + 1, 1, 1) else []
        earlier = _turns(units, i, step=-1, limit=1)
        other = next((s for s in [*later, *earlier] if s and s != after.speaker), None)
        if other is not None and other not in unit.vocatives:
            unit.speaker, unit.step = other, "repair"
            sure[i] = True


def _listeners(units: list[_Unit], i: int) -> list[str]:
    """Who speaks in the exchange around turn `i`, nearest first, the turn before ahead of the
    next (a reply is said to whoever spoke last; the characters stage gives a turn's "you" to the
    first: LitBank 10-fold "you" in quotes 71.7% -> 72.9%): up to `LISTENER_REACH` turns each
    way, each at most `LISTENER_GAP` narration paragraphs from the next. In a group scene a turn
    is said to all of them (PDNC addressee F1 55 -> 66 over the neighbouring turn's speaker alone)."""
    ahead = _turns(units, i, step=1, limit=LISTENER_REACH, gap=LISTENER_GAP)
    back = _turns(units, i, step=-1, limit=LISTENER_REACH, gap=LISTENER_GAP)
    return list(dict.fromkeys(s for pair in zip_longest(back, ahead) for s in pair if s is not None))


def _finish(units: list[_Unit], i: int, unit: _Unit, cast: Cast) -> None:
    """Give every quote of the turn its speaker and addressees: whom it calls or is said to,
    then the others who speak in its exchange."""
    addressees = [c for c in [*unit.vocatives, *unit.told] if c != unit.speaker]
    if unit.speaker is not None:
        addressees += [s for s in _listeners(units, i) if s != unit.speaker]
    for it in unit.items:
        if it.speaker is None and (voice := _second_voice(units, i, it, cast)):
            it.speaker, it.attribution = voice, "anaphoric"
        if it.speaker is None:
            it.speaker, it.attribution = unit.speaker, unit.attribution if unit.speaker else "none"
        it.addressees = list(dict.fromkeys(addressees))


def _second_voice(units: list[_Unit], i: int, item: _Item, cast: Cast) -> str | None:
    """'"Good night," he breathed. "Good night," she murmured back': a he/she tag the gender of
    the turn's speaker rules out is the other voice's, the nearest of that gender speaking in
    the exchange, else the latest of that gender named."""
    speaker, tag = units[i].speaker, item.tag
    gender = tag.subject_text.lower() if tag is not None else None  # "he" / "she" is its gender
    if speaker is None or tag is None or gender not in _GENDERS:
        return None
    if cast.gender.get(speaker) not in _GENDERS - {gender}:
        return None
    voices = [s for s in _listeners(units, i) if cast.gender.get(s) == gender]
    return voices[0] if voices else cast.antecedent(tag.subject[0], gender, {speaker})


def _vocatives(text: str, found: Found, cast: Cast, letter: bool) -> list[str]:
    """Characters called by name inside the quote: 'Mara, come here', 'Come, my dear Emma.'

    In something written only the opening line counts: 'Dear Jon,' is addressed, the
    signature is not."""
    result = []
    end_of_first_line = text.find("\n", found.start, found.end)
    last = end_of_first_line if letter and end_of_first_line > 0 else found.end
    for start, end, cid in cast.names_in(found.start, last):
        prefix = text[found.start : start]
        called = not prefix.strip() or _VOCATIVE_BEFORE.search(prefix[-16:])
        if called and _VOCATIVE_AFTER.match(text[end : min(found.end, end + 3)]):
            result.append(cid)
    return result
