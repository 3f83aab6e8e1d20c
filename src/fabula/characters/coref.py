"""Coreference over a whole book as a pure function of its mentions.

Proper names are grouped first (`names.cluster_names`); every other mention is resolved left to
right against the clusters built so far (entity ranking): a linear model scores the most recent
clusters from hand features (recency, gender/number agreement, head and string match, quote and
speaker context) and the mention joins the best one that no rule vetoes (`Resolver.vetoed`: "she"
never joins "Mr. Bingley"), unless starting its own scores higher. The vetoes act at inference
only, so that training still learns from the pairs they rule out.
Mentions inside a quotation whose speaker tag follows it ("I am tired," said Tom) are resolved
after the tag, so "I" can join the speaker. Weights: data/coref.json, rebuilt by
`fabula.characters.train` from LitBank.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import islice, repeat

from fabula.characters.letters import letter_of_each
from fabula.characters.mentions import Mention, QuoteSpan, pronoun
from fabula.characters.names import (
    GENDERED_NOUNS,
    HONORIFICS,
    OFFICE_TITLES,
    NameKey,
    cluster_names,
    given_name_sex,
    parse_name,
)
from fabula.models import load_package_json

_PLURAL_NOUNS = {"people", "men", "women", "children", "folk", "folks", "others", "family", "couple", "both"}
_DEFINITE = {"the", "this", "that", "these", "those"}
_INDEFINITE = {"a", "an", "some", "another", "one", "any", "no", "every", "each", "such", "many", "several"}
_HEAD_STOPS = {
    "of",
    "who",
    "whom",
    "whose",
    "which",
    "that",
    ",",
    "with",
    "in",
    "at",
    "from",
    "on",
    "to",
    "(",
}
_NARRATION_PERSONS = {"1", "2", "3"}
_PLACES = frozenset({"GPE", "LOC", "FAC"})
# Core arguments of one verb never corefer unless one is reflexive; obliques may ("she put it beside her").
_ARGUMENT_ROLES = frozenset({"subj", "subjpass", "obj"})
_CLAUSEMATE_LOOKBACK = 6
_SALIENCE = 3  # sentences back in which a pronoun's candidate's mentions are counted
_VOTE_SENTENCES = 2  # how many sentences back a pronoun looks for the name it may vote for
_NAMING = {"name is", "name was", "name's", "named", "called", "am", "'m", "’m"}
# How one-sided the subject-following pronouns must be to give an unvoted name its gender
# (LitBank 10-fold pronouns: 83.66% without, 83.95% from 2 votes, 84.11% from 3, 84.23% from 5 or 8).
_SUBJECT_VOTES, _SUBJECT_SHARE = 5, 0.75
# Ranks and offices by which a narration describes the one who holds them ("the general"), as
# names write them ("Dr.", "Capt.").
_DESCRIBING_TITLES = {
    **{t: t for t in ("doctor", "professor", "captain", "colonel", "major", "general", "admiral")},
    **{t: t for t in ("lieutenant", "sergeant", "inspector", "judge", "squire", *OFFICE_TITLES)},
    **{"dr": "doctor", "prof": "professor", "capt": "captain", "col": "colonel", "gen": "general"},
    **{"lt": "lieutenant", "sgt": "sergeant"},
}
_TITLE_SHARE = 0.9  # of a title's named mentions, held by one character
_TITLE_DESCRIPTION = re.compile(
    rf"the (?:(?:old|good|young|little|poor|dear|worthy) )?({'|'.join(sorted(_DESCRIBING_TITLES))})"
)
_CUE_AFTER, _CUE_BEFORE = 50, 80  # how far (characters) a speaker tag may sit from its quote
_STRIP = "\"'“”‘’.,;:!?()-—"


def _head(words: list[str]) -> str:
    cut = words
    for i, word in enumerate(words[1:], 1):
        if word.lower() in _HEAD_STOPS:
            cut = words[:i]
            break
    return cut[-1].lower().strip(_STRIP) if cut else ""


def _normal(text: str) -> str:
    words = text.lower().replace("’", "'").split()
    while len(words) > 1 and (words[0] in _DEFINITE or words[0] in _INDEFINITE or pronoun(words[0])):
        words = words[1:]
    return " ".join(w.strip(_STRIP) for w in words)


def _bucket(value: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if value <= edge:
            return str(edge)
    return f">{edges[-1]}"


@dataclass(slots=True)
class _Info:
    """What resolution needs of one mention, computed once."""

    kind: str  # PROP, NOM, or the pronoun's category (1sg, 1pl, 2, he, she, it, they)
    form: str
    gender: str
    number: str
    head: str
    normal: str
    det: str
    person: int


@dataclass
class _Cluster:
    id: int
    members: list[int] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)
    genders: Counter[str] = field(default_factory=Counter)
    numbers: Counter[str] = field(default_factory=Counter)
    heads: set[str] = field(default_factory=set)
    normals: set[str] = field(default_factory=set)
    persons: set[str] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)
    named: bool = False
    titled: str = ""  # the gender a title in one of its names gives it ("Mr. Bingley": he)
    narrator: bool = False
    turns_first: set[int] = field(default_factory=set)
    turns_second: set[int] = field(default_factory=set)
    turns_named: set[int] = field(default_factory=set)
    last: int = -1
    last_subject: int = -1  # its latest mention that is a subject

    def majority(self, votes: Counter[str]) -> str:
        return max(votes, key=votes.__getitem__) if votes else "none"


def _suffix_gender(head: str) -> str:
    if head.endswith(("woman", "women", "girl", "ess", "wife")):
        return "she"
    if head.endswith(("man", "men", "boy")) and not head.endswith(("human", "humans")):
        return "he"
    return ""


def _clash(gender: str, cluster: _Cluster) -> bool:
    """Is `cluster` mostly the other of he/she? A name known to be "she" is not that man."""
    other = cluster.majority(cluster.genders)
    return gender in {"he", "she"} and other in {"he", "she"} and other != gender


def describe(mention: Mention) -> _Info:
    """Closed-class facts about a mention: pronoun category, gender and number evidence, head."""
    words = mention.words
    pron = pronoun(mention.text) if mention.kind == "PRON" else None
    if pron is not None:
        category = {1: f"1{pron.number}", 2: "2"}.get(pron.person, pron.gender)
        return _Info(category, mention.text.lower(), pron.gender if pron.person == 3 else "",
                     pron.number, mention.text.lower(), "", "pron", pron.person)  # fmt: skip
    head = _head(words)
    number = "sg"
    first = words[0].lower() if words else ""
    if mention.kind == "PROP":
        name = parse_name(mention.text)
        # "Parson Tringham" is a man; a bare "the parson" stays ungendered, so that it waits for
        # the parson's own cluster rather than joining whichever man was last in view.
        gender = name.gender or ("he" if name.honorific in OFFICE_TITLES else "")
        number = "pl" if name.group else "sg"
    else:
        gender = GENDERED_NOUNS.get(head, HONORIFICS.get(head, "")) or _suffix_gender(head)
        if head in _PLURAL_NOUNS or (head.endswith("s") and not head.endswith("ss") and len(head) > 3):
            number = "pl"
    det = (
        "def" if first in _DEFINITE
        else "indef" if first in _INDEFINITE
        else "poss" if pronoun(first) or first.endswith("'s")
        else "bare"
    )  # fmt: skip
    return _Info(mention.kind, "", gender, number, head, _normal(mention.text), det, 3)


@dataclass(frozen=True)
class CorefModel:
    """A linear mention-ranking scorer over named features.

    Each mention's options are its candidate clusters and "new"; the highest score wins.
    `new_offset` is added to the score of "new" (tuned for the CoNLL F1 on dev documents).
    """

    weights: dict[str, float]
    new_offset: float = 0.0
    window: int = 20

    def score(self, features: list[str]) -> float:
        return sum(map(self.weights.get, features, repeat(0.0)))

    def to_json(self) -> str:
        weights = {k: round(v, 4) for k, v in sorted(self.weights.items()) if abs(v) >= 1e-4}
        return json.dumps(
            {"new_offset": self.new_offset, "window": self.window, "weights": weights}, indent=0
        )

    @classmethod
    def from_json(cls, text: str) -> CorefModel:
        data = json.loads(text)
        return cls(dict(data["weights"]), float(data["new_offset"]), int(data["window"]))


@cache
def default_model() -> CorefModel:
    return load_package_json(
        "fabula.characters",
        "data/coref.json",
        CorefModel.from_json,
        what="coreference weights",
        rebuild="fabula train coref --data ../shared/data",
    )


# Decides, for mention i, which candidate cluster it joins (None: a new one), given each
# candidate's features and the features of starting a new cluster.
Decider = Callable[[int, list[tuple[_Cluster, list[str]]], list[str]], _Cluster | None]


class Resolver:
    """One book's mentions, resolved in reading order against the clusters built so far."""

    def __init__(
        self,
        mentions: list[Mention],
        quotes: list[QuoteSpan] | None = None,
        speakers: dict[int, int] | None = None,
        window: int = 20,
        text: str = "",
    ) -> None:
        self.mentions = mentions
        self.source = text
        self.quotes = quotes or []
        self.window = window
        self.info = [describe(m) for m in mentions]
        # Pronouns behave apart inside and outside quotes ("I" the speaker vs the narrator).
        self.kinds = [
            f"{n.kind}q" if n.det == "pron" and m.quote >= 0 else n.kind
            for m, n in zip(mentions, self.info, strict=True)
        ]
        self.turn = self._turns()
        self.turn_quotes: list[list[int]] = [[] for _ in range(self.turn[-1] + 1 if self.turn else 0)]
        for q, t in enumerate(self.turn):
            self.turn_quotes[t].append(q)
        self.cues = self._speaker_cues()
        for q, mention in (speakers or {}).items():
            self.cues[self.turn[q]] = mention
        self.cue_turn = {mention: t for t, mention in self.cues.items()}
        self.order = self._order()
        self.by_sentence: dict[int, list[int]] = {}
        for k, found in enumerate(mentions):
            self.by_sentence.setdefault(found.sentence, []).append(k)
        # Names are grouped twice: first each as written, to hear the gender pronouns give it,
        # then by `cluster_names` with those genders.
        self.name_group = self._name_groups(None)
        self.name_gender = self._name_genders()
        self.name_group = self._name_groups(self._heard_genders())
        self.name_gender = self._name_genders()
        self.subject_gender = self._subject_genders()
        self.census_gender = self._census_genders()
        self.title_holder = self._title_holders()
        self.turn_names: dict[int, set[int]] = {}
        for i, group in self.name_group.items():
            if mentions[i].quote >= 0:
                self.turn_names.setdefault(self.turn[mentions[i].quote], set()).add(group)
        seen: set[int] = set()
        self.first_in_sentence: list[bool] = []
        for m in mentions:
            self.first_in_sentence.append(m.sentence not in seen)
            seen.add(m.sentence)
        self.clusters: list[_Cluster] = []
        self.cluster_of: dict[int, _Cluster] = {}
        self.by_name: dict[int, _Cluster] = {}
        self.by_head: dict[str, list[_Cluster]] = {}
        self.recent: OrderedDict[int, _Cluster] = OrderedDict()
        self.reader: _Cluster | None = None
        self.letter = letter_of_each(text, mentions)

    def _turns(self) -> list[int]:
        """Turn index of each quote: the quotes of one paragraph are one speaker's turn."""
        turns: list[int] = []
        for q, span in enumerate(self.quotes):
            same = q > 0 and span.paragraph >= 0 and span.paragraph == self.quotes[q - 1].paragraph
            turns.append(turns[-1] if same else (turns[-1] + 1 if turns else 0))
        return turns

    def _adjacent(self, t: int, u: int, slack: int = 0) -> bool:
        """Are turns t < u consecutive in the dialogue (neighbouring paragraphs or sentences)?
        `slack` lets that many paragraphs of narration sit between them."""
        a, b = self.quotes[self.turn_quotes[t][-1]], self.quotes[self.turn_quotes[u][0]]
        if a.paragraph >= 0 and b.paragraph >= 0:
            return b.paragraph - a.paragraph <= u - t + slack
        return b.first_sentence - a.last_sentence <= 2 * (u - t + slack)

    def _speaker_cues(self) -> dict[int, int]:
        """Turn -> the mention in its speaker tag: the nearest person just after a quote, else before."""
        cues: dict[int, int] = {}
        outside = [i for i, m in enumerate(self.mentions) if m.quote < 0 and self._personal(i)]
        starts = [self.mentions[i].start for i in outside]
        for t, quotes in enumerate(self.turn_quotes):
            best: tuple[int, int] | None = None
            for q in quotes:
                span = self.quotes[q]
                lo = bisect_left(starts, span.start - _CUE_BEFORE)
                hi = bisect_right(starts, span.end + _CUE_AFTER)
                for i in outside[lo:hi]:
                    m = self.mentions[i]
                    if not self._same_unit(m, span):
                        continue
                    if m.start >= span.end:
                        rank = (0, m.start - span.end)
                    elif m.end <= span.start:
                        rank = (1, span.start - m.end)
                    else:
                        continue
                    if best is None or rank < best:
                        best = rank
                        cues[t] = i
        return cues

    @staticmethod
    def _same_unit(m: Mention, span: QuoteSpan) -> bool:
        if span.paragraph >= 0 and m.paragraph >= 0:
            return m.paragraph == span.paragraph
        return span.first_sentence <= m.sentence <= span.last_sentence + 1

    def _personal(self, i: int) -> bool:
        m, info = self.mentions[i], self.info[i]
        if m.kind == "PRON":
            return info.kind in {"he", "she", "1sg"}
        return m.label in {"PER", None} and info.number == "sg"

    def _order(self) -> list[int]:
        """Reading order, except that a quote's mentions wait for a speaker tag that follows them."""

        def key(i: int) -> tuple[int, int, int, int]:
            m = self.mentions[i]
            cue = self.cues.get(self.turn[m.quote], -1) if m.quote >= 0 else -1
            if cue >= 0 and self.mentions[cue].start > m.start:
                return (self.mentions[cue].start, -self.mentions[cue].end, 1, m.start)
            return (m.start, -m.end, 0, 0)

        return sorted(range(len(self.mentions)), key=key)

    def _name_groups(self, heard: dict[NameKey, str] | None) -> dict[int, int]:
        """Mention -> name group, for proper names: people by `cluster_names` (with `heard`
        genders; each name as written apart when None), others by string."""
        people = [i for i, m in enumerate(self.mentions) if m.names_a_person]
        names = [parse_name(self.mentions[i].text) for i in people]
        if heard is None:
            keys: dict[NameKey, int] = {}
            groups = {i: keys.setdefault(name.key, len(keys)) for i, name in zip(people, names, strict=True)}
        else:
            groups = dict(zip(people, cluster_names(names, heard), strict=True))
        offset = max(groups.values(), default=-1) + 1
        others: dict[tuple[str | None, str], int] = {}
        for i, m in enumerate(self.mentions):
            if m.kind == "PROP" and i not in groups:
                key = (m.label, self.info[i].normal)
                groups[i] = others.setdefault(key, offset + len(others))
        return groups

    def _title_holders(self) -> dict[int, int]:
        """Descriptions by a rank or office ("the general", "the good doctor") -> the name group of
        the character the story names with that title ("General Tilney", "Doctor Losberne"), where
        one holds `_TITLE_SHARE` of its named mentions: the narration has no other general in mind
        (a General Courteney named once in passing aside)."""
        holders: dict[str, Counter[int]] = {}
        for i, group in self.name_group.items():
            name = parse_name(self.mentions[i].text)
            title = _DESCRIBING_TITLES.get(name.honorific)
            if title is not None and name.tokens and self.mentions[i].names_a_person:
                holders.setdefault(title, Counter())[group] += 1
        holder = {
            title: counts.most_common(1)[0][0]
            for title, counts in holders.items()
            if counts.most_common(1)[0][1] >= _TITLE_SHARE * counts.total()
        }
        found: dict[int, int] = {}
        for i, m in enumerate(self.mentions):
            if m.kind == "NOM" and (match := _TITLE_DESCRIPTION.fullmatch(" ".join(m.words).lower())):
                title = _DESCRIBING_TITLES[match.group(1)]
                if title in holder:
                    found[i] = holder[title]
        return found

    def _name_genders(self) -> dict[int, Counter[str]]:
        """How the text refers to each name: the he/she pronouns that can only mean it.

        A pronoun votes for the nearest person before it (in its sentence or the two before, after
        the last he/she) when nothing else there could be its referent: no other person of its
        gender or of none known yet (by title, noun or earlier votes) that binding allows
        (`_clausemate`: "her" in "Jon built her" is neither Jon nor Jon Hale), and no earlier
        pronoun of its gender. Ambiguous pronouns say nothing: in "Jon built her a house, and Mara
        kept the books for his boatyard", "his" voting for Mara would make her "he" before
        coreference starts. Text-internal, no first-name lists.
        """
        votes: dict[int, Counter[str]] = {}
        recent: list[int] = []  # person mentions and he/she pronouns of the last three sentences
        after = -1  # where the last third-person singular pronoun ends
        mentions, info = self.mentions, self.info

        def fits(j: int, gender: str) -> bool:
            counts = votes.get(self.name_group.get(j, -1))
            return (info[j].gender or (counts.most_common(1)[0][0] if counts else "")) in {"", gender}

        for i in sorted(range(len(mentions)), key=lambda i: (mentions[i].start, -mentions[i].end)):
            m, gender = mentions[i], info[i].gender
            recent = [j for j in recent if m.sentence - mentions[j].sentence <= _VOTE_SENTENCES]
            if info[i].det != "pron":
                if m.label in {"PER", None} and info[i].number == "sg":
                    recent.append(i)
                continue
            binder = self._reflexive_binder(i)
            if gender in {"he", "she"} and binder is not None:
                # a reflexive means its local subject (principle A): "Ilse went to find herself"
                if binder in self.name_group and info[binder].gender in {"", gender}:
                    votes.setdefault(self.name_group[binder], Counter())[gender] += 1
            elif gender in {"he", "she"}:
                # binding rules out a clausemate and its name: "Jon built her" rules out "Jon Hale" too
                bound = [j for j in recent if self._clausemate(i, j)] if self._plain_pronoun(i) else []
                names = {self.name_group[j] for j in bound if j in self.name_group}
                people = [
                    j for j in recent
                    if info[j].det != "pron" and mentions[j].end <= m.start
                    and j not in bound and self.name_group.get(j) not in names
                ]  # fmt: skip
                target = next((j for j in reversed(people) if info[j].gender in {"", gender}), None)
                group = self.name_group.get(target, -1) if target is not None else -1
                if (
                    target is not None
                    and group >= 0
                    and mentions[target].start >= after
                    and all(self.name_group.get(j) == group for j in people if fits(j, gender))
                    and not any(info[j].gender == gender for j in recent if info[j].det == "pron")
                ):
                    votes.setdefault(group, Counter())[gender] += 1
            if gender in {"he", "she"}:
                recent.append(i)
            if info[i].person == 3 and info[i].number == "sg":
                after = m.end
        return votes

    def _subject_genders(self) -> dict[int, Counter[str]]:
        """A weaker hearing of each name's gender: the he/she of narration that follows the name as
        subject of its sentence or the one before ("Mary walked out. She ..."), rivals or not.
        Used only for names that no unambiguous pronoun gave a gender, and only when one-sided
        enough: a heroine named in every paragraph beside her mother still reads as "she"."""
        votes: dict[int, Counter[str]] = {}
        last: int | None = None
        for i in sorted(
            range(len(self.mentions)), key=lambda i: (self.mentions[i].start, -self.mentions[i].end)
        ):
            m, info = self.mentions[i], self.info[i]
            if m.quote >= 0:
                continue
            if i in self.name_group and m.role == "subj" and info.number == "sg" and m.label in {"PER", None}:
                last = i
            elif (
                info.det == "pron"
                and info.gender in {"he", "she"}
                and last is not None
                and m.sentence - self.mentions[last].sentence <= 1
            ):
                votes.setdefault(self.name_group[last], Counter())[info.gender] += 1
        found: dict[int, Counter[str]] = {}
        for group, counts in votes.items():
            gender, n = counts.most_common(1)[0]
            if n >= _SUBJECT_VOTES and n >= _SUBJECT_SHARE * sum(counts.values()):
                found[group] = Counter({gender: 1})
        return found

    def _census_genders(self) -> dict[int, str]:
        """For name groups no pronoun gave a gender, the census sex of the given names they are
        called by, where those agree (a woman's "Charlotte Temple" before any "she")."""
        found: dict[int, set[str]] = {}
        for i, group in self.name_group.items():
            name = parse_name(self.mentions[i].text)
            if self.mentions[i].names_a_person and len(name.tokens) > 1 and not name.honorific:
                found.setdefault(group, set()).add(given_name_sex(name))
        return {
            group: next(iter(sexes))
            for group, sexes in found.items()
            if len(sexes) == 1 and "" not in sexes and group not in self.name_gender
            and group not in self.subject_gender
        }  # fmt: skip

    def _heard_genders(self) -> dict[NameKey, str]:
        """The gender of each name as written that its unambiguous pronouns give it, one-sidedly
        (LitBank 10-fold pronouns: 83.66% from a single vote on, 83.31% from two)."""
        heard: dict[NameKey, str] = {}
        for i, group in self.name_group.items():
            votes = self.name_gender.get(group, Counter())
            if len(votes) == 1:
                heard[parse_name(self.mentions[i].text).key] = next(iter(votes))
        return heard

    def _voted_gender(self, group: int) -> str:
        """The gender the he/she pronouns that can only mean name `group` give it, if one-sided."""
        votes = self.name_gender.get(group, Counter())
        return next(iter(votes)) if len(votes) == 1 else ""

    def _reflexive_binder(self, i: int) -> int | None:
        """For a reflexive pronoun, the nearest subject before it in its sentence (its binder)."""
        m = self.mentions[i]
        if not self.info[i].form.endswith(("self", "selves")):
            return None
        subjects = [
            j for j in self.by_sentence.get(m.sentence, ())
            if self.mentions[j].role == "subj" and self.mentions[j].end <= m.start
        ]  # fmt: skip
        return max(subjects, key=lambda j: self.mentions[j].start, default=None)

    def speaker(self, t: int) -> _Cluster | None:
        """The cluster of turn t's speaker tag, if resolved or named by an already-seen name."""
        cue = self.cues.get(t)
        if cue is None:
            return None
        if cue in self.cluster_of:
            return self.cluster_of[cue]
        group = self.name_group.get(cue)
        return self.by_name.get(group) if group is not None else None

    def candidates(self, i: int) -> list[_Cluster]:
        """The most recently extended clusters, and for a noun phrase any sharing its head."""
        recent = list(islice(reversed(self.recent.values()), self.window))
        info = self.info[i]
        if info.person == 3 and info.det != "pron":
            seen = {c.id for c in recent}
            recent += [c for c in self.by_head.get(info.head, ()) if c.id not in seen]
        return recent

    def _gap(self, a: int, i: int) -> str:
        """The words between mention a and a later mention i when they are close ("," "was")."""
        left, right = self.mentions[a], self.mentions[i]
        if left.end > right.start or right.start - left.end > 12 or left.sentence != right.sentence:
            return ""
        words = self.text_between(left.end, right.start)
        return words if len(words.split()) <= 2 else ""

    def text_between(self, start: int, end: int) -> str:
        return " ".join(self.source[start:end].lower().split()) if self.source else ""

    def features(
        self, i: int, cluster: _Cluster, rank: int, gender_rank: int, fit_rank: int, subject_rank: int
    ) -> list[str]:
        m, info = self.mentions[i], self.info[i]
        last = self.mentions[cluster.last]
        last_info = self.info[cluster.last]
        kind = self.kinds[i]
        c_gender, c_number = cluster.majority(cluster.genders), cluster.majority(cluster.numbers)
        c_label = cluster.majority(cluster.labels)
        sdist = _bucket(m.sentence - last.sentence, (0, 1, 2, 3, 5, 10, 20))
        size = _bucket(len(cluster.members), (1, 2, 4, 8, 16))
        base = [
            f"r{min(rank, 10)}",
            f"gr{min(gender_rank, 5)}",
            f"s{sdist}",
            f"n{size}",
            f"ak{last_info.kind}",
            f"cl{c_label}",
            f"cg{c_gender}",
            f"cn{c_number}",
            f"g{info.gender}>{c_gender}",
            f"num{info.number}>{c_number}",
            f"named{cluster.named}",
            f"det{info.det}",
            f"lab{m.label}>{c_label}",
            f"r{min(rank, 5)}s{sdist}",
            f"gr{min(gender_rank, 3)}s{sdist}",
            f"fr{min(fit_rank, 5)}",
            f"first{self.first_in_sentence[i]}{self.first_in_sentence[cluster.last]}",
        ]
        if info.det == "pron":
            base.append(f"sr{min(subject_rank, 3)}")
        if info.det == "pron" and info.person == 3:
            # Salience, for he/she/they (I and you point at the speech situation instead): the
            # latest subject of the pronoun's gender, and how often the cluster was mentioned in
            # the last few sentences (a character named once, then "he" for pages).
            base.append(f"gr{min(gender_rank, 2)}sr{min(subject_rank, 2)}")
            base.append(f"busy{_bucket(self._recent_count(cluster, m.sentence), (0, 1, 2, 4, 8))}")
        if m.role:
            base.append(f"role{m.role}>{last.role}")
            if m.governor == last.governor and m.governor >= 0 and not info.form.endswith(("self", "selves")):
                base.append("same_governor")
        gap = self._gap(cluster.last, i)
        if gap:
            base.append(f"gap:{gap}")
        if info.gender and info.gender in cluster.genders:
            base.append("gseen")
        if info.gender and any(g != info.gender and g != "they" for g in cluster.genders):
            base.append("gother")
        if last.end > m.start and last.start <= m.start:
            base.append("nested")
        if m.sentence == last.sentence:
            base.append(f"same_sent>{last_info.kind}")
        if info.det != "pron":
            if info.normal in cluster.normals:
                base.append("exact")
            if info.head in cluster.heads:
                base.append("head")
            elif cluster.heads:
                base.append("head_other")
        base += [f"cp{person}" for person in sorted(cluster.persons)]
        base += self._quote_features(i, cluster)
        feats = [f"{kind}|{f}" for f in base]
        if info.form:
            feats += [f"{info.form}|{f}" for f in base[:3]]
        return feats

    def _recent_count(self, cluster: _Cluster, sentence: int) -> int:
        """How many of the cluster's mentions lie in the `_SALIENCE` sentences before `sentence`."""
        count = 0
        for j in reversed(cluster.members):
            if sentence - self.mentions[j].sentence > _SALIENCE:
                break
            count += 1
        return count

    def new_features(self, i: int, scored: list[tuple[_Cluster, list[str]]]) -> list[str]:
        """Features of starting a new cluster: what the mention is, and whether anything fits."""
        m, info = self.mentions[i], self.info[i]
        kind = self.kinds[i]
        fits_gender = any(f"{kind}|gr0" in features for _, features in scored)
        base = [
            "new",
            f"new_det{info.det}",
            f"new_q{m.quote >= 0}",
            f"new_lab{m.label}",
            f"new_fit{fits_gender}",
            f"new_group{i in self.name_group}",
            f"new_n{_bucket(len(scored), (0, 2, 5, 10))}",
            f"new_role{m.role}",
        ]
        feats = [f"{kind}|{f}" for f in base]
        if info.form:
            feats += [f"{info.form}|{f}" for f in base[:4]]
        return feats

    def _cue_features(self, t: int, cluster: _Cluster) -> list[str]:
        """For a speaker tag ("she said"): who spoke the turns around, also across a paragraph of
        narration ("The clergyman explained ..." between two turns), who is addressed in this one."""
        out = []
        for step in (-2, -1, 1):
            u = t + step
            if not 0 <= u < len(self.turn_quotes) or self.speaker(u) is not cluster:
                continue
            if self._adjacent(min(t, u), max(t, u)):
                out.append(f"cue_turn{step}")
            elif self._adjacent(min(t, u), max(t, u), slack=1):
                out.append(f"cue_turn{step}_past_narration")
        if cluster.groups & self.turn_names.get(t, set()):
            out.append("cue_vocative")
        return out

    def _quote_features(self, i: int, cluster: _Cluster) -> list[str]:
        m, info = self.mentions[i], self.info[i]
        last = self.mentions[cluster.last]
        out = [f"q{m.quote >= 0}{last.quote >= 0}{m.quote == last.quote}"]
        if m.quote < 0:
            if info.person == 1 and cluster.narrator:
                out.append("narrator")
            if info.person == 2 and -1 in cluster.turns_second:
                out.append("reader")
            if i in self.cue_turn:
                out += self._cue_features(self.cue_turn[i], cluster)
            return out
        t, p = self.turn[m.quote], info.person
        speaker = self.speaker(t)
        if speaker is cluster:
            out.append(f"speaker{p}")
        elif speaker is None:
            out.append(f"no_cue{p}")
            if t >= 2 and self._adjacent(t - 2, t) and self.speaker(t - 2) is cluster:
                out.append(f"alt_speaker{p}")
        for step, name in ((-1, "prev"), (1, "next")):
            u = t + step
            if 0 <= u < len(self.turn_quotes) and self._adjacent(min(t, u), max(t, u)):
                other = self.speaker(u)
                if other is cluster and other is not speaker:
                    out.append(f"{name}_speaker{p}")
        if t in cluster.turns_first:
            out.append(f"turn_first{p}")
        if t in cluster.turns_second:
            out.append(f"turn_second{p}")
        if t in cluster.turns_named or cluster.groups & self.turn_names.get(t, set()):
            out.append(f"vocative{p}")
        if cluster.turns_first:
            out.append(f"was_speaker{p}")
        return out

    def add(self, i: int, cluster: _Cluster | None) -> _Cluster:
        if cluster is None:
            cluster = _Cluster(len(self.clusters))
            self.clusters.append(cluster)
        self.recent[cluster.id] = cluster
        self.recent.move_to_end(cluster.id)
        m, info = self.mentions[i], self.info[i]
        cluster.members.append(i)
        cluster.last = i
        self.cluster_of[i] = cluster
        if m.label:
            cluster.labels[m.label] += 1
        if info.gender:
            cluster.genders[info.gender] += 1
        if info.person != 2:  # "you" has no number; "we" does, and no "her" joins it
            cluster.numbers[info.number] += 1
        if info.det != "pron":
            if info.head not in cluster.heads:
                self.by_head.setdefault(info.head, []).append(cluster)
                cluster.heads.add(info.head)
            cluster.normals.add(info.normal)
        if m.role == "subj":
            cluster.last_subject = i
        turn = self.turn[m.quote] if m.quote >= 0 else -1
        if info.det == "pron":
            cluster.persons.add(f"{info.person}{'q' if m.quote >= 0 else ''}")
        if info.kind == "1sg":
            if m.quote < 0:
                cluster.narrator = True
            else:
                cluster.turns_first.add(turn)
        if info.person == 2:
            cluster.turns_second.add(turn)
        if m.quote >= 0 and m.kind != "PRON":
            cluster.turns_named.add(turn)
        if m.kind == "PROP" and info.gender in {"he", "she"} and not cluster.titled:
            cluster.titled = info.gender
        if i in self.name_group:
            cluster.named = True
            group = self.name_group[i]
            cluster.groups.add(group)
            if group not in self.by_name:
                self.by_name[group] = cluster
                # Only a veto: as a gender to rank by, it made every minor woman a "she" candidate.
                cluster.titled = cluster.titled or self.census_gender.get(group, "")
                cluster.genders.update(
                    self.name_gender.get(group) or self.subject_gender.get(group, Counter())
                )
        return cluster

    def vetoed(self, i: int, cluster: _Cluster) -> bool:
        """Whether mention i may not join `cluster` whatever the scores: "she" (or "her father")
        joins no cluster named with a man's title ("Mr. Bingley") or mostly called "he", and no
        place ("the great city"). A name the narration brings in is not the narrator's "I" but in
        apposition ("I, Ruth Hale, was born"; "My name is Ruth" is settled before any scores):
        the eager narrator took "Old Cotter" and "my cousin, John Herncastle" (LitBank gold
        mentions, pronouns +32)."""
        m = self.mentions[i]
        if cluster.narrator and i in self.name_group and m.quote < 0 and self._gap(cluster.last, i) != ",":
            return True
        gender = self.info[i].gender
        if gender not in {"he", "she"}:
            return False
        return (
            cluster.titled not in {"", gender}
            or _clash(gender, cluster)
            or cluster.majority(cluster.labels) in _PLACES
        )

    def introduces_no_one(self, i: int, scored: list[tuple[_Cluster, list[str]]]) -> bool:
        """Whether mention i, a he/she of narration, must join a cluster: one that is named and
        mostly of its gender is in view. Narration brings a new person in by a name or a noun
        phrase, not by a bare "he"; a knife-edge "new" split the demo's husband off his name (on
        LitBank's gold mentions, he/she of narration +9, as many lost in quotes by attribution)."""
        info = self.info[i]
        if info.det != "pron" or info.kind not in {"he", "she"} or self.mentions[i].quote >= 0:
            return False
        return any(
            c.named and c.majority(c.genders) == info.gender and not self.vetoed(i, c) for c, _ in scored
        )

    def _letter_voice(self, i: int) -> _Cluster | None:
        """For a first-person singular or second-person pronoun in a letter's narration, the
        cluster of the writer or recipient its heading names."""
        letter, info = self.letter[i], self.info[i]
        if letter is None or info.det != "pron" or self.mentions[i].quote >= 0:
            return None
        named = letter.writer if info.kind == "1sg" else letter.recipient if info.person == 2 else None
        return self.cluster_of.get(named) if named is not None else None

    def _plain_pronoun(self, i: int) -> bool:
        """A pronoun that is an argument of its verb and not reflexive (binding theory's principle B)."""
        info, role = self.info[i], self.mentions[i].role
        return (
            info.det == "pron"
            and role in _ARGUMENT_ROLES
            and self.mentions[i].governor >= 0
            and not info.form.endswith(("self", "selves"))
        )

    def _clausemate(self, i: int, j: int) -> bool:
        """Whether mention j is another argument of plain pronoun i's verb, so not its antecedent:
        in "Jon built her a house", "her" is not Jon."""
        return (
            self.mentions[j].governor == self.mentions[i].governor
            and self.mentions[j].role in _ARGUMENT_ROLES
        )

    def run(self, decide: Decider) -> list[int]:
        for i in self.order:
            group = self.name_group.get(i)
            if group is not None and group in self.by_name:
                self.add(i, self.by_name[group])
                continue
            # "the general" once General Tilney is named; before, a description like any other.
            holder = self.title_holder.get(i)
            if holder is not None and holder in self.by_name:
                self.add(i, self.by_name[holder])
                continue
            voiced = self._letter_voice(i)
            if voiced is not None:
                self.add(i, voiced)  # a letter's "I" is its writer, its "you" its recipient
                continue
            if self.info[i].person == 2 and self.mentions[i].quote < 0 and self.reader is not None:
                self.add(i, self.reader)  # outside quotes, "you" is one addressee: the reader
                continue
            candidates = self.candidates(i)
            narration = self.info[i].det == "pron" and self.mentions[i].quote < 0
            if narration:
                # In narration, I, you and he/she/they never share a referent, and "she" is never
                # someone the story mostly calls "he".
                person, gender = str(self.info[i].person), self.info[i].gender
                candidates = [
                    c for c in candidates
                    if not (c.persons & _NARRATION_PERSONS) - {person} and not _clash(gender, c)
                ]  # fmt: skip
            if self.info[i].det == "indef" and self.mentions[i].kind == "NOM":
                # "a man" brings someone new into the story, unless in apposition ("Bond, a farrier")
                candidates = [c for c in candidates if self._gap(c.last, i) == ","]
            if self._plain_pronoun(i):
                candidates = [
                    c for c in candidates
                    if not any(self._clausemate(i, j) for j in c.members[-_CLAUSEMATE_LOOKBACK:])
                ]  # fmt: skip
            if group is not None:
                known = self.info[i].gender or self._voted_gender(group)
                candidates = [c for c in candidates if not c.named and not _clash(known, c)]
                named = next((c for c in candidates if self._gap(c.last, i) in _NAMING), None)
                if named is not None:  # "My name is Elias Thorn", "I am Ruth"
                    self.add(i, named)
                    continue
            gender, number = self.info[i].gender, self.info[i].number
            scored: list[tuple[_Cluster, list[str]]] = []
            gender_rank = fit_rank = 0
            fitting = {
                c.id for c in candidates
                if c.majority(c.genders) in {gender, "none"} and c.majority(c.numbers) in {number, "none"}
            }  # fmt: skip
            subjects = sorted(
                (c for c in candidates if c.id in fitting and c.last_subject >= 0),
                key=lambda c: -self.mentions[c.last_subject].start,
            )
            subject_rank = {c.id: r for r, c in enumerate(subjects)}
            for rank, cluster in enumerate(candidates):
                agrees = bool(gender) and cluster.majority(cluster.genders) == gender
                fits = cluster.id in fitting
                features = self.features(
                    i,
                    cluster,
                    rank,
                    gender_rank if agrees else 9,
                    fit_rank if fits else 9,
                    subject_rank.get(cluster.id, 9),
                )
                scored.append((cluster, features))
                gender_rank += agrees
                fit_rank += fits
            cluster = self.add(i, decide(i, scored, self.new_features(i, scored)) if scored else None)
            if self.info[i].person == 2 and self.mentions[i].quote < 0:
                self.reader = cluster
        return [self.cluster_of[i].id for i in range(len(self.mentions))]


def resolve(
    mentions: list[Mention],
    quotes: list[QuoteSpan] | None = None,
    speakers: dict[int, int] | None = None,
    model: CorefModel | None = None,
    text: str = "",
) -> list[int]:
    """A cluster id for each mention (sorted by start). `text`, when given, lets the words
    between close mentions ("Mr. Bond, the farrier") count; `speakers` (quote index -> mention
    index) is an optional hook for speakers already known from a quote-attribution pass."""
    model = model or default_model()
    resolver = Resolver(mentions, quotes, speakers, model.window, text)

    def decide(i: int, scored: list[tuple[_Cluster, list[str]]], new: list[str]) -> _Cluster | None:
        best, best_score = None, model.score(new) + model.new_offset
        if resolver.introduces_no_one(i, scored):
            best_score = float("-inf")
        for cluster, features in scored:
            if resolver.vetoed(i, cluster):
                continue
            score = model.score(features)
            if score > best_score:
                best, best_score = cluster, score
        return best

    return resolver.run(decide)
