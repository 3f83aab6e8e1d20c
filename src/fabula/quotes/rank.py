"""A learned second opinion on the turns the sieve settled without a name: no tag naming or
linking the speaker, no lone name in the turn's narration.

Every character that could have spoken such a turn -- named in the narration of the last
`WINDOW` paragraphs, a speaker or someone called by name in the turns around it, the sieve's own
choice -- is scored by a linear model over hand features: the sieve's choice and the step that
made it, who spoke one, two and three turns before and after (and whether those turns were
tagged), parity to the tagged turns and to the vocatives of the exchange, whether the candidate
speaks in the exchange at all, gender agreement with a pronoun tag or with the pronouns of the
turn's narration, subjects of the narration before it and of the narration paragraph after it
(`"Good night." / Mara turned and left the room.`), recency, prominence, and how well the turn's
words fit the candidate's idiolect (`Idiolects`). The best scoring candidate speaks. The
model is trained on the sieve's own state; at run time it goes over the story `PASSES` times,
each round reading the neighbours the round before chose, then decodes each strict exchange
as a whole (`_decode`), so that its turns alternate unless their scores say otherwise.
Weights: data/speakers.json, rebuilt by `fabula train quotes` (`fabula.quotes.train`) from
PDNC; docs/quotes.md lists the features.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from itertools import repeat

from fabula.models import load_package_json
from fabula.quotes.attribute import (
    _SENTENCE_PRONOUN,
    _SUBJECT_SLOT,
    Sieve,
    _adjacent,
    _salient,
    _same_conversation,
    _scene_subject,
    _Unit,
)
from fabula.quotes.cast import Cast
from fabula.quotes.lexicon import ADDRESS_GENDER, PRONOUN_GENDER

# Rounds of reranking: each reads the neighbours the round before chose (PDNC cross-validated:
# one round 77.7, three 78.4, six 78.5).
PASSES = 3
# Paragraphs of narration before a turn whose named characters are candidates.
WINDOW = 8
# Turns before and after a turn whose speakers and vocatives are read.
REACH = 3
# Turns back searched for a candidate's last turn.
SPOKE_REACH = 10
# Turns of a strict exchange searched, each way, for tagged turns to count parity from.
ANCHOR_REACH = 12
# After the rounds, each strict exchange (turns with no narration between) is decoded as a whole:
# a turn's score, less this for the speaker of the turn right before, plus the next for the
# speaker of the turn two before (A B A). One wrong guess no longer drags its run along.
# (PDNC cross-validated, with the idiolect features: a bonus of 0.7, 1, 1.5, 2, 3 gave 22,634,
# 22,650, 22,675, 22,690, 22,655 speakers right; with 2, a penalty of 0 or 0.8 gave 22,681.)
REPEAT_PENALTY = 0.3
ALTERNATION_BONUS = 2.0
# Sieve steps the ranker leaves alone: a tag's name, and the pronoun rules it revised for the
# worse (PDNC cross-validated: "Ann turned. 'No,' she said" by `own` 88.3% against the
# ranker's 86.3%, "said his wife" by `kin` 77.8% against 71.4%), and "said the other", which
# no feature shows the ranker: it would read the turn as untagged and undo the rule by
# alternation (PDNC cross-validated, 21 novels: 22,417 speakers right against 22,434 settled).
SETTLED = frozenset({"tag", "pronoun:own", "pronoun:kin", "other"})

# A form of address set off by punctuation or the quote's edge: "Yes, sir." "Mamma, look!"
_FORMS = "|".join(sorted(map(re.escape, ADDRESS_GENDER), key=len, reverse=True))
_ADDRESS = re.compile(rf"(?:^|[,;!?.—–-]\s*)({_FORMS})\s*(?=[,;!?.—–-]|$)", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)

Options = list[tuple[str, list[str]]]  # (character id, features)

# Characters of a nameless narration paragraph after a turn read for a sentence-initial he/she
# ('"Good night."⏎⏎She turned away.'; PDNC cross-validated, mean over fold seeds 0-3: +9).
AFTER_PRONOUN_REACH = 200
# Idiolect (`Idiolects`): the smoothing of each speaker's word counts, and the fewest words of
# tagged speech a speaker needs for a profile (PDNC cross-validated, 21 novels: 0.5 and 100
# gave 22,631 speakers right, 0.1 and 30 22,650, 0.02 and 30 22,638).
IDIOLECT_SMOOTHING = 0.1
IDIOLECT_MIN_WORDS = 30
# Score margins of the best fitting idiolect over the next one, read as small, mid or big.
IDIOLECT_MARGINS = (0.3, 1.0)
_WORD = re.compile(r"[a-z'’]+")


@dataclass
class SpeakerModel:
    """A linear candidate-ranking scorer over named features (a `Reranker` for the sieve)."""

    weights: dict[str, float]

    def score(self, features: list[str]) -> float:
        return sum(map(self.weights.get, features, repeat(0.0)))

    def rerank(self, sieve: Sieve) -> None:
        """Give each open turn its best scoring candidate, `PASSES` times: each round scores
        every turn before it changes any, so a turn reads its neighbours as the last round left them."""
        idiolects = Idiolects.of(sieve)  # tagged turns, which no round revises
        for _ in range(PASSES):
            choices: list[str | None] = []
            for unit, options in zip(sieve.units, candidate_options(sieve, idiolects), strict=True):
                fitting = _fitting(sieve.cast, unit, options or [])
                choices.append(max(fitting, key=lambda option: self.score(option[1]))[0] if fitting else None)
            _apply(sieve.units, choices)
        scores: list[dict[str | None, float] | None] = [
            {cid: self.score(features) for cid, features in _fitting(sieve.cast, unit, options)}
            if options
            else None
            for unit, options in zip(sieve.units, candidate_options(sieve, idiolects), strict=True)
        ]
        _apply(sieve.units, _decode(sieve.units, scores))

    def to_json(self) -> str:
        weights = {k: round(v, 4) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-4}
        return json.dumps({"weights": weights}, indent=0)

    @classmethod
    def from_json(cls, text: str) -> SpeakerModel:
        return cls(dict(json.loads(text)["weights"]))


def _apply(units: list[_Unit], choices: list[str | None]) -> None:
    """Give each turn with a choice that speaker, marked as the ranker's."""
    for unit, choice in zip(units, choices, strict=True):
        if choice is not None and choice != unit.speaker:
            unit.speaker, unit.step = choice, "ranker"
            unit.attribution = "anaphoric" if unit.cue is not None else "implicit"


def _decode(units: list[_Unit], scores: list[dict[str | None, float] | None]) -> list[str | None]:
    """The best speakers for every open turn (`scores` not None), each strict exchange taken
    as a whole: the sum of the turns' scores with `REPEAT_PENALTY` and `ALTERNATION_BONUS`
    between neighbours, by Viterbi over pairs of consecutive speakers. Settled turns keep theirs."""
    choices: list[str | None] = [None] * len(units)
    start = 0
    for end in range(1, len(units) + 1):
        if end < len(units) and _adjacent(units, end - 1, 1, 1):
            continue
        run = range(start, end)
        start = end
        if len(run) < 2 or all(scores[i] is None for i in run):
            continue
        # A settled turn (or one with no fitting candidate) has one state: its speaker.
        states = [scores[i] or {units[i].speaker: 0.0} for i in run]
        # (speaker two turns back, speaker one turn back) -> best total, and the path to it
        best: dict[tuple[str | None, str | None], tuple[float, list[str | None]]] = {
            (None, cid): (score, [cid]) for cid, score in states[0].items()
        }
        for options in states[1:]:
            step: dict[tuple[str | None, str | None], tuple[float, list[str | None]]] = {}
            for (before, last), (total, path) in best.items():
                for cid, score in options.items():
                    value = total + score
                    if cid is not None and cid == last:
                        value -= REPEAT_PENALTY
                    elif cid is not None and cid == before:
                        value += ALTERNATION_BONUS
                    if (last, cid) not in step or value > step[(last, cid)][0]:
                        step[(last, cid)] = (value, [*path, cid])
            best = step
        for i, cid in zip(run, max(best.values(), key=lambda entry: entry[0])[1], strict=True):
            if scores[i] is not None:
                choices[i] = cid
    return choices


def _fitting(cast: Cast, unit: _Unit, options: Options) -> Options:
    """The candidates the turn's tag allows: "she said" is no man's (the model only weighs it)."""
    if unit.cue is None:
        return options
    clash = {"he": "she", "she": "he"}.get(unit.cue[1])
    return [option for option in options if cast.gender.get(option[0]) != clash]


@cache
def shipped_model() -> SpeakerModel:
    return load_package_json(
        "fabula.quotes",
        "data/speakers.json",
        SpeakerModel.from_json,
        what="speaker ranking weights",
        rebuild="fabula train quotes --data ../shared/data",
    )


def _is_open(unit: _Unit) -> bool:
    """Whether the ranker may revise a turn: not settled by a tag, by the one name of its
    paragraph's narration (explicit: revising those lost as many as it won on PDNC) or by a
    `SETTLED` pronoun rule. The sieve leaves an unnamed voice ("a voice said") unknown; the
    ranker guesses it (PDNC: 87 of the 98 quotes left without a speaker have one)."""
    return unit.step not in SETTLED and unit.attribution != "explicit"


def candidate_options(sieve: Sieve, idiolects: Idiolects | None = None) -> list[Options | None]:
    """Each turn's candidates and their features; None for a turn the ranker leaves alone."""
    talk = _talkers(sieve)
    if idiolects is None:
        idiolects = Idiolects.of(sieve)
    return [
        _options(sieve, i, talk, idiolects) if _is_open(unit) else None for i, unit in enumerate(sieve.units)
    ]


def _words(sieve: Sieve, unit: _Unit) -> list[str]:
    return [w for it in unit.items for w in _WORD.findall(sieve.text[it.found.start : it.found.end].lower())]


@dataclass
class Idiolects:
    """How each character talks: the words of the turns a tag gives them, against the words of
    every turn of the book. Fagin's "my dear", Sikes's "wot" and Mrs. Bennet's "Mr. Bennet" tell
    an untagged turn's speaker where turn-taking cannot."""

    speakers: dict[str, Counter[str]]
    book: Counter[str]

    @classmethod
    def of(cls, sieve: Sieve) -> Idiolects:
        speakers: dict[str, Counter[str]] = {}
        book: Counter[str] = Counter()
        for unit in sieve.units:
            words = _words(sieve, unit)
            book.update(words)
            if unit.step == "tag" and unit.speaker is not None:
                speakers.setdefault(unit.speaker, Counter()).update(words)
        return cls({c: p for c, p in speakers.items() if p.total() >= IDIOLECT_MIN_WORDS}, book)

    def fit(self, words: list[str], candidates: list[str]) -> dict[str, float]:
        """Each candidate with a profile: the log-likelihood ratio of the words under their
        idiolect against the book's, per square root of the number of words."""
        if not words:
            return {}
        size, alpha = len(self.book) + 1, IDIOLECT_SMOOTHING
        total = self.book.total() + alpha * size
        background = sum(math.log((self.book[w] + alpha) / total) for w in words)
        scores = {}
        for cid in candidates:
            if (profile := self.speakers.get(cid)) is not None:
                own = profile.total() + alpha * size
                likelihood = sum(math.log((profile[w] + alpha) / own) for w in words)
                scores[cid] = (likelihood - background) / math.sqrt(len(words))
        return scores


def _idiolect_features(scores: dict[str, float]) -> dict[str, list[str]]:
    """Each scored candidate's rank among the candidates' idiolects, and for the best, by how much."""
    order = sorted(scores, key=lambda cid: -scores[cid])
    found = {cid: [f"idiolect:{min(rank, 2)}"] for rank, cid in enumerate(order)}
    if len(order) > 1:
        margin = scores[order[0]] - scores[order[1]]
        size = "big" if margin > IDIOLECT_MARGINS[1] else "mid" if margin > IDIOLECT_MARGINS[0] else "small"
        found[order[0]].append(f"idiolect:margin:{size}")
    return found


def _neighbours(units: list[_Unit], i: int, step: int) -> list[tuple[_Unit, bool]]:
    """Up to REACH turns of the same conversation before (step -1) or after (1), each with
    whether the chain from turn `i` to it has no narration paragraph between."""
    found: list[tuple[_Unit, bool]] = []
    j = i
    while len(found) < REACH and 0 <= j + step < len(units):
        k = j + step
        a, b = (units[k], units[j]) if step < 0 else (units[j], units[k])
        if not _same_conversation(a, b):
            break
        found.append((units[k], _adjacent(units, i, step, len(found) + 1)))
        j = k
    return found


def _addressed(text: str, unit: _Unit) -> set[str]:
    """The genders a turn's forms of address give whom it speaks to."""
    return {
        ADDRESS_GENDER[m.group(1).lower().replace("’", "'")]
        for it in unit.items
        for m in _ADDRESS.finditer(text, it.found.start, it.found.end)
    }


def _talkers(sieve: Sieve) -> Counter[str]:
    """How many turns a tag gives each character: who talks in this book."""
    return Counter(u.speaker for u in sieve.units if u.step == "tag" and u.speaker is not None)


def _exchange(units: list[_Unit], i: int, step: int) -> list[tuple[int, _Unit]]:
    """The turns of the strict exchange (no narration between) before (step -1) or after (1)
    turn `i`, up to `ANCHOR_REACH`, nearest first, each with its distance in turns."""
    found: list[tuple[int, _Unit]] = []
    for distance in range(1, ANCHOR_REACH + 1):
        if not _adjacent(units, i, step, distance):
            break
        found.append((distance, units[i + step * distance]))
    return found


def _anchors(units: list[_Unit], i: int, step: int) -> dict[str, str]:
    """Feature suffixes for the speakers of the tagged turns of the strict exchange around
    turn `i`, nearest first: direction, whether an even number of turns away (alternation says
    they speak this turn too), and whether the nearest such speaker or a later one."""
    found: dict[str, str] = {}
    for distance, other in _exchange(units, i, step):
        if other.step == "tag" and other.speaker is not None and other.speaker not in found:
            parity = "even" if distance % 2 == 0 else "odd"
            found[other.speaker] = f"{'back' if step < 0 else 'ahead'}:{parity}:{min(len(found), 1)}"
    return found


def _exchange_speakers(units: list[_Unit], i: int) -> set[str]:
    """Who speaks the other turns of the strict exchange around turn `i`, as the sieve or the
    last round left them."""
    return {
        other.speaker
        for step in (-1, 1)
        for _, other in _exchange(units, i, step)
        if other.speaker is not None
    }


def _called_parity(units: list[_Unit], i: int, step: int) -> dict[str, str]:
    """Feature suffixes for the characters called by name in the strict exchange around turn
    `i`, nearest call first: whom a turn calls speaks the turns beside it, so a call an odd
    number of turns away puts them on this turn's parity ("even") and an even number off it."""
    found: dict[str, str] = {}
    for distance, other in _exchange(units, i, step):
        for cid in other.vocatives:
            if cid != other.speaker and cid not in found:
                found[cid] = f"{'back' if step < 0 else 'ahead'}:{'odd' if distance % 2 == 0 else 'even'}"
    return found


def _narrated(text: str, start: int, end: int, quoted: list[tuple[int, int]]) -> set[str]:
    """The genders of the he/she pronouns in the narration of [start, end) outside the quotes:
    "The suggestion delighted him. 'No, indeed...'" is said by a man of the exchange, not by
    the woman the paragraph before named."""
    found: set[str] = set()
    for lo, hi in zip([start, *(e for _, e in quoted)], [*(s for s, _ in quoted), end], strict=True):
        found |= {PRONOUN_GENDER[m.group().lower()] for m in _PRONOUN.finditer(text, lo, max(lo, hi))}
    return found


def _names_inside(cast: Cast, unit: _Unit) -> set[str]:
    return {cid for it in unit.items for _, _, cid in cast.names_in(it.found.start, it.found.end)}


def _agreement(known: str, wanted: str) -> str:
    return "match" if known == wanted else "unknown" if known == "unknown" else "clash"


def _rank(order: list[str], cid: str, cap: int) -> str:
    return str(min(order.index(cid), cap)) if cid in order else "none"


@dataclass
class _Turn:
    """What the features of one turn's candidates read, computed once per turn."""

    unit: _Unit
    back: list[tuple[_Unit, bool]]  # turns before, nearest first, with "no narration between"
    ahead: list[tuple[_Unit, bool]]
    named_in: dict[int, set[str]]  # characters named inside each neighbouring turn's quotes (by id())
    recent: list[str]  # characters named in the window before the turn, latest first
    subjects: list[str]  # those named in a subject slot, latest first
    own_named: list[str]  # named in the turn's own narration, in order
    own_subjects: set[str]
    said_before: set[str]  # named in the turn's narration before its first quote
    self_named: set[str]  # named inside the turn's quotes
    scene: str | None  # who the narration before a new conversation left on stage
    scene_named: set[str]
    after: str | None  # who the narration paragraph right after the turn makes its first subject
    after_named: set[str]
    after_gender: str | None  # where that paragraph names no one, its first sentence's he/she
    spoke: dict[str, int]  # turns back each character last spoke, this conversation
    anchored: list[dict[str, str]]  # `_anchors` back and ahead
    called: list[dict[str, str]]  # `_called_parity` back and ahead
    exchange_speakers: set[str]  # who speaks the other turns of the strict exchange
    addressed: set[str]  # genders the previous turn's forms of address give (its addressee)
    addressing: set[str]  # genders this turn's forms of address give
    narrated: set[str]  # genders of the he/she pronouns in the turn's narration
    gender: str | None  # the pronoun or description tag's gender
    salient: str | None  # `_salient`'s choice for it
    owning: str | None  # the character "her" of "her mother" is
    context: str  # pron, desc or none: how the turn is tagged
    exchange: str  # strict, gap or new: how the turn follows the one before


def _turn(sieve: Sieve, i: int) -> _Turn:
    text, paras, cast, units = sieve.text, sieve.paras, sieve.cast, sieve.units
    unit = units[i]
    start, end = paras[unit.first][0], paras[unit.last][1]
    before = cast.mentioned(max(paras[max(0, unit.first - WINDOW)][0], unit.scene_start), start)
    quoted = [(it.found.open_mark, it.found.close_mark) for it in unit.items]
    inside = [m for m in cast.mentioned(start, end) if not any(lo <= m[0] < hi for lo, hi in quoted)]
    back, ahead = _neighbours(units, i, -1), _neighbours(units, i, 1)

    def subject(s: int, lo: int) -> bool:
        return s == lo or bool(_SUBJECT_SLOT.search(text, max(lo, s - 16), s))

    scene, scene_named = None, set()
    if unit.first > 0 and (i == 0 or units[i - 1].last < unit.first - 1):
        lo, hi = paras[unit.first - 1]
        scene = _scene_subject(text, lo, hi, cast)
        scene_named = {cid for _, _, cid in cast.mentioned(lo, hi)}
    after, after_named, after_gender = None, set(), None
    if unit.last + 1 < len(paras) and (i + 1 == len(units) or units[i + 1].first > unit.last + 1):
        lo, hi = paras[unit.last + 1]
        if mentions := cast.mentioned(lo, hi):
            after = mentions[0][2] if subject(mentions[0][0], lo) else None
            after_named = {cid for _, _, cid in mentions}
        elif opening := _SENTENCE_PRONOUN.search(text, lo, min(hi, lo + AFTER_PRONOUN_REACH)):
            after_gender = PRONOUN_GENDER[opening.group(1).lower()]
    spoke: dict[str, int] = {}
    j = i
    while j > 0 and i - j < SPOKE_REACH and _same_conversation(units[j - 1], units[j]):
        j -= 1
        speaker = units[j].speaker
        if speaker is not None:
            spoke.setdefault(speaker, i - j)
    gender, salient, owning, context = None, None, None, "none"
    if unit.cue is not None:
        offset, gender, owner = unit.cue
        pronoun = owner is None and text[offset : offset + 4].split()[0].lower() in ("he", "she")
        context = "pron" if pronoun else "desc"
        salient = _salient(text, paras, unit.first, offset, gender, cast, unit.vocatives)
        if owner is not None:  # "her mother" is not the woman "her" is
            owning = _salient(text, paras, unit.first, offset, owner, cast, unit.vocatives)
    exchange = "strict" if i > 0 and units[i - 1].last == unit.first - 1 else "gap" if back else "new"
    return _Turn(
        unit=unit,
        back=back,
        ahead=ahead,
        named_in={id(other): _names_inside(cast, other) for other, _ in [*back, *ahead]},
        recent=list(dict.fromkeys(cid for _, _, cid in reversed(before))),
        subjects=list(dict.fromkeys(cid for s, _, cid in reversed(before) if subject(s, 0))),
        own_named=list(dict.fromkeys(cid for _, _, cid in inside)),
        own_subjects={cid for s, _, cid in inside if subject(s, start)},
        said_before={cid for s, _, cid in inside if s < quoted[0][0]},
        self_named=_names_inside(cast, unit),
        scene=scene,
        scene_named=scene_named,
        after=after,
        after_named=after_named,
        after_gender=after_gender,
        spoke=spoke,
        anchored=[_anchors(units, i, -1), _anchors(units, i, 1)],
        called=[_called_parity(units, i, -1), _called_parity(units, i, 1)],
        exchange_speakers=_exchange_speakers(units, i),
        addressed=_addressed(text, units[i - 1]) if back and back[0][1] else set(),
        addressing=_addressed(text, unit),
        narrated=_narrated(text, start, end, quoted),
        gender=gender,
        salient=salient,
        owning=owning,
        context=context,
        exchange=exchange,
    )


def _options(sieve: Sieve, i: int, talk: Counter[str], idiolects: Idiolects) -> Options:
    turn = _turn(sieve, i)
    unit = turn.unit
    pool = [unit.speaker, *turn.spoke, *turn.own_named, *turn.recent[:10]]
    for other, _ in [*turn.back, *turn.ahead]:
        pool += [other.speaker, *other.vocatives, *other.told]
    # Never whom the quote calls by name ("Jon, wait!" is not Jon's), as in the sieve.
    candidates = [
        c for c in dict.fromkeys(pool) if c is not None and c in sieve.cast.gender and c not in unit.vocatives
    ]
    by_count = sorted(candidates, key=lambda c: -sieve.cast.counts[c])
    by_talk = sorted(candidates, key=lambda c: -talk[c])
    styles = _idiolect_features(idiolects.fit(_words(sieve, unit), candidates))
    options: Options = []
    for cid in candidates:
        known = sieve.cast.gender.get(cid, "unknown")
        base = _features(turn, cid, known)
        base.append(f"prominence:{_rank(by_count, cid, 4)}")
        base.append(f"talk:{_rank(by_talk, cid, 4) if talk[cid] else 'never'}")
        conjoined = [f"{turn.context}|{f}" for f in base] + [f"{turn.exchange}|{f}" for f in base]
        followed = (
            ["after:subject"] if cid == turn.after else ["after:named"] if cid in turn.after_named else []
        )
        if turn.after_gender is not None and known != "unknown":
            followed.append(f"after:{_agreement(known, turn.after_gender)}")
        options.append((cid, base + conjoined + styles.get(cid, ["idiolect:none"]) + followed))
    return options


def _features(turn: _Turn, cid: str, known: str) -> list[str]:
    """One candidate's features (before conjunction with the turn's context and exchange)."""
    unit = turn.unit
    base = [f"recent:{_rank(turn.recent, cid, 4)}", f"subject:{_rank(turn.subjects, cid, 3)}"]
    base += [f"anchor:{found[cid]}" for found in turn.anchored if cid in found]
    base += [f"callparity:{found[cid]}" for found in turn.called if cid in found]
    party = "in" if cid in turn.exchange_speakers else "out"
    base.append(
        f"party:{min(len(turn.exchange_speakers), 3)}:{party}"
    )  # a third voice in a two-party exchange
    if len(turn.addressed) == 1 and known != "unknown":
        base.append(f"addressed:{_agreement(known, next(iter(turn.addressed)))}")
    if len(turn.narrated) == 1 and known != "unknown":
        agreement = _agreement(known, next(iter(turn.narrated)))
        base += [f"narrated:{agreement}", f"narrated:{agreement}:{'spoke' if cid in turn.spoke else 'new'}"]
        base.append(f"narrated:{agreement}:{'named' if turn.own_named else 'unnamed'}")
    if len(turn.addressing) == 1 and known != "unknown":
        base.append(f"addressing:{_agreement(known, next(iter(turn.addressing)))}")
    base.append(f"spoke:{turn.spoke.get(cid, 'never')}")
    if cid == unit.speaker:
        base += ["sieve", f"sieve:{unit.step}"]
    pattern = []
    for name, turns in (("prev", turn.back), ("next", turn.ahead)):
        for k, (other, adjacent) in enumerate(turns, 1):
            how = f"{'adj' if adjacent else 'gap'}:{'tag' if other.step == 'tag' else 'guess'}"
            if other.speaker == cid:
                base += [f"{name}{k}", f"{name}{k}:{how}"]
            elif cid in other.vocatives or cid in other.told:
                base += [f"{name}{k}:called", f"{name}{k}:called:{how}"]
            elif cid in turn.named_in[id(other)]:
                base.append(f"{name}{k}:named")
            if k <= 2:
                pattern.append("S" if other.speaker == cid else "C" if cid in other.vocatives else "-")
        pattern.append("|")
    base.append("turns:" + "".join(pattern))
    if cid in turn.self_named:
        base.append("self:named")
    if turn.gender is not None:
        base.append(f"gender:{_agreement(known, turn.gender)}")
        if cid == turn.salient:
            base.append("salient")
        if cid == turn.owning:
            base.append("owner")
    if cid in turn.own_named:
        place = "only" if len(turn.own_named) == 1 else "first" if turn.own_named[0] == cid else "named"
        base.append(f"para:{place}")
        if cid in turn.own_subjects:
            base.append("para:subject")
        if cid in turn.said_before:
            base.append("para:before")
    if cid == turn.scene:
        base.append("scene:subject")
    elif cid in turn.scene_named:
        base.append("scene:named")
    return base
