"""Typed relations (spouse, ex, romantic, family, friend, enemy, colleague) from pattern rules.

Two routes, both per sentence and both resting on the characters stage's mentions:
- a relation noun with a possessor, "her husband", "Mara's brother", "his ex-wife": the possessor
  and the relative are the characters whose mentions cover those words (or, failing that, the
  speaker of "my", the addressee of "your", an appositive name, "Jon, her husband");
- a relation word between two mentions, "Mara married Jon", "Ada and Tom were friends".
When a sentence names fewer than two characters, a paragraph that mentions exactly two lends
them to the strongest words (married, divorced, kissed...) at a lower confidence.
Each relation keeps the sentence spans that support it; none is dropped when a later one
contradicts it (a marriage, then a divorce): the tags decide which state is current.
"ex" covers divorced, separated and broken-up couples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from fabula.narrative.pov import FIRST, SECOND, THIRD
from fabula.narrative.spans import Interval, MentionIndex, enclosing, sentence_spans
from fabula.story import Character, Relation, Span, Story

TYPES = ("spouse", "ex", "romantic", "family", "friend", "enemy", "colleague")
MAX_EVIDENCE = 10

# A relative named through a possessor. Plural and ambiguous nouns ("partner") are left out.
NOUN_TYPES: dict[str, str] = {
    **dict.fromkeys(["husband", "wife", "spouse", "widow", "widower"], "spouse"),
    **dict.fromkeys(["ex"], "ex"),
    **dict.fromkeys(
        ["boyfriend", "girlfriend", "lover", "fiancé", "fiancée", "fiance", "fiancee", "sweetheart", "crush"],
        "romantic",
    ),
    **dict.fromkeys(
        ["mother", "father", "mom", "mum", "mama", "mommy", "dad", "daddy", "papa", "parent", "son",
         "daughter", "child", "brother", "sister", "sibling", "twin", "aunt", "uncle", "niece", "nephew",
         "cousin", "grandmother", "grandfather", "grandma", "grandpa", "granny", "grandson",
         "granddaughter", "stepmother", "stepfather", "stepson", "stepdaughter", "stepbrother",
         "stepsister", "mother-in-law", "father-in-law", "sister-in-law", "brother-in-law"],
        "family",
    ),
    **dict.fromkeys(["friend", "bestie", "buddy", "pal", "confidant", "confidante"], "friend"),
    **dict.fromkeys(["enemy", "rival", "nemesis", "foe", "archenemy", "arch-enemy", "adversary"], "enemy"),
    **dict.fromkeys(
        ["colleague", "coworker", "co-worker", "boss", "employer", "employee", "assistant", "secretary",
         "supervisor", "manager", "apprentice"],
        "colleague",
    ),
}  # fmt: skip
_ENDED = frozenset({"ex", "former", "estranged"})
_NOUN = "|".join(sorted((re.escape(n) for n in NOUN_TYPES), key=len, reverse=True))
_MODIFIER = (
    r"own|late|beloved|dear|dearest|new|former|estranged|older|younger|elder|little|big|baby|best|closest"
    r"|oldest|youngest|old|only|future|ex|twin|real|first|second|childhood|lifelong|sworn"
)
POSSESSIVE = re.compile(
    r"(?:\b(?P<pronoun>(?i:his|her|their|my|your|our))\b|\b(?P<name>[A-Z][\w-]*)['’]s\b)\s+"
    rf"(?P<mods>(?:(?i:{_MODIFIER})(?:\s+|-))*)(?P<noun>(?i:{_NOUN}))\b(?!['’]s|-)"
)

# A relation word between two mentions. Each group names its type; `noun` groups map through NOUN_TYPES.
# Bare "marry"/"marrying", "left", "engaged" and "kiss" are left out: in novels they are mostly wishes
# ("wants him to marry"), departures, occupations and nouns, not relations.
_PAIR_WORDS: dict[str, str] = {
    "spouse": r"married|marries|wed|wedded|weds|tied\s+the\s+knot(?:\s+with)?"
    r"|husband\s+and\s+wife|wife\s+and\s+husband|newlyweds",
    "ex": r"divorced|divorcing|divorces?|separated\s+from|split\s+up(?:\s+with)?"
    r"|broke\s+up(?:\s+with)?|dumped|walked\s+out\s+on",
    "romantic": r"kissed|kisses|kissing|dated|dating|in\s+love\s+with|fell\s+in\s+love|fell\s+for"
    r"|(?:going|went)\s+out\s+with|slept\s+with|made\s+love|proposed\s+to|flirt(?:ed|ing|s)?\s+with"
    r"|engaged\s+to|courting|courted|sweethearts|lovers",
    "friend": r"friends\s+with|befriended|best\s+friends|friendship"
    r"|(?:were|are|became|remained|stayed)\s+(?:best\s+|close\s+|old\s+|good\s+)?friends",
    "enemy": r"hated|hates|despised|despises|loathed|loathes|detested|detests|rivals|rivalry|enemies|nemesis"
    r"|feud(?:ed|ing)?\s+with|swore\s+revenge",
    "colleague": r"(?:worked|works|working)\s+(?:with|for|alongside|under|together)|hired|colleagues"
    r"|co-?workers|partners\s+at|business\s+partners?",
    "family": r"(?:were|are)\s+(?:twin\s+)?(?:siblings|brothers|sisters|cousins|twins)",
}
PAIR = re.compile(
    "|".join(rf"\b(?P<{kind}>{words})\b" for kind, words in _PAIR_WORDS.items())
    + rf"|\b(?P<noun>(?i:{_NOUN}))\s+of\b",
    re.IGNORECASE,
)
# A sentence that names at most one character lends its relation word to the only two people of
# its paragraph, but only for an ending ("The divorce came through"), which novels rarely say idly.
_PARAGRAPH_KINDS = frozenset({"ex"})
# How far (in characters) a mention may sit from the relation word it is paired by.
REACH = 60
_NEGATED = re.compile(r"(?:\b(?:not|never|no\s+longer)|n['’]t)\s+(?:\w+\s+)?$", re.IGNORECASE)
# Wishes, plans and conditions ("hoped to be married", "would have kissed") are not events.
_IRREALIS = re.compile(
    r"\b(?:to|would|might|could|should|must|may|will|shall|can|cannot|want(?:s|ed)?|wish(?:es|ed)?|hope[sd]?|if"
    r"|as\s+though)"
    r"\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_POSSESSOR = re.compile(r"['’]s?\s+\w")
# "her" is left out: it is as often an object ("told her") as a possessor.
_POSSESSIVE_DETERMINERS = frozenset({"his", "their", "my", "our", "your", "its"})
_APPOSITION = re.compile(r",?\s+$|\s+(?:was|is|became|had\s+been|has\s+been)\s+$")

_PRONOUNS = FIRST | SECOND | THIRD | {"it"}
_SPEAKER = frozenset({"i", "me", "my", "mine", "myself"})
# Titles that name a relative of whoever speaks of them ("Father" and "Sister" are as often clergy).
_KIN_TITLES = frozenset(
    {"aunt", "auntie", "aunty", "uncle", "cousin", "granny", "gran", "grandma", "grandpa", "nana"}
)

CONFIDENCE = {"mentions": 0.85, "inferred": 0.65, "pair": 0.7, "paragraph": 0.4}


@dataclass(slots=True)
class Found:
    source: str
    target: str
    type: str
    evidence: list[Interval] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """Independent pieces of evidence: the chance that at least one of them is right."""
        doubt = 1.0
        for c in self.confidences:
            doubt *= 1 - c
        return round(1 - doubt, 3)

    @property
    def latest(self) -> int:
        return max(s for s, _ in self.evidence)


def typed_relations(story: Story) -> list[Found]:
    """Every typed relation the rules find, merged per (type, unordered pair), in text order."""
    reader = _Reader(story, voiced_mentions(story))
    merged: dict[tuple[str, frozenset[str]], Found] = {}
    for a, b, kind, span, confidence in reader.read():
        if a == b:
            continue
        found = merged.setdefault((kind, frozenset((a, b))), Found(a, b, kind))
        if span not in found.evidence:
            found.confidences.append(confidence)
            if len(found.evidence) < MAX_EVIDENCE:
                found.evidence.append(span)
    return list(merged.values())


def voiced_mentions(story: Story) -> MentionIndex:
    """The character mentions, with "I", "me", "my" in a quote given to its speaker and "you", "your"
    to its one addressee, where the quotes stage attributed it: in dialogue that is what the words
    mean, whatever coreference linked them to."""
    quotes = sorted(story.quotes, key=lambda q: q.start)
    spans = [(q.start, q.end) for q in quotes]
    rows = []
    for character in story.characters:
        for start, end in character.mentions:
            voice = character.id
            at = enclosing(spans, start)
            if at is not None:
                word, quote = story.text[start:end].lower(), quotes[at]
                if word in _SPEAKER and quote.speaker:
                    voice = quote.speaker
                elif word in SECOND and len(quote.addressees) == 1:
                    voice = quote.addressees[0]
            rows.append((start, end, voice))
    return MentionIndex.of_rows(rows)


def as_relations(found: list[Found]) -> list[Relation]:
    return [
        Relation(
            source=f.source,
            target=f.target,
            type=f.type,
            evidence=[Span(start=s, end=e) for s, e in f.evidence],
            confidence=f.confidence,
        )
        for f in sorted(found, key=lambda f: (TYPES.index(f.type), -f.confidence))
    ]


Hit = tuple[str, str, str, Interval, float]


class _Reader:
    """Applies both routes to every sentence; holds the lookups they share."""

    def __init__(self, story: Story, mentions: MentionIndex) -> None:
        self.story = story
        self.text = story.text
        self.mentions = mentions
        self.by_id = {c.id: c for c in story.characters}
        self.paragraphs = _paragraphs(story)
        self.quotes = sorted(story.quotes, key=lambda q: q.start)
        self.quote_spans = [(q.start, q.end) for q in self.quotes]

    def read(self) -> Iterator[Hit]:
        sentences = sentence_spans(self.story)
        for start, end in sentences:
            yield from self._possessives(start, end)
            yield from self._pairs(start, end)
        yield from self._kin_titles(sentences)

    # -- "Aunt Bea" in a story someone tells ----------------------------------------------------
    def _kin_titles(self, sentences: list[Interval]) -> Iterator[Hit]:
        """A first- or second-person story's "Aunt Bea" or "Granny Ash" is the narrator's (or the
        reader's) relative: the title says so from the one telling the story."""
        person = self.story.pov.person
        narrator = self._narrator(person) if person in ("first", "second") else None
        if narrator is None:
            return
        for character in self.story.characters:
            title = character.name.split()[0].rstrip(".").lower() if character.name else ""
            if title in _KIN_TITLES and len(character.name.split()) > 1 and character.mentions:
                at = enclosing(sentences, min(s for s, _ in character.mentions))
                if at is not None:
                    yield narrator, character.id, "family", sentences[at], CONFIDENCE["inferred"]

    # -- "her husband", "Mara's brother Tom" --------------------------------------------------
    def _possessives(self, start: int, end: int) -> Iterator[Hit]:
        for match in POSSESSIVE.finditer(self.text, start, end):
            if _NEGATED.search(self.text, start, match.start()):
                continue
            noun_start, noun_end = match.span("noun")
            relative = self.mentions.covering(noun_start, noun_end) or apposed(
                self.text, self.mentions, match, start, end
            )
            if relative is None:
                continue
            owner, sure = self._owner(match, relative)
            if owner is None:
                continue
            confidence = CONFIDENCE["mentions" if sure else "inferred"]
            yield owner, relative, noun_kind(match), (start, end), confidence

    def _owner(self, match: re.Match[str], relative: str) -> tuple[str | None, bool]:
        """Whose relative it is, and whether a mention said so (rather than an inference here)."""
        group = "pronoun" if match.group("pronoun") else "name"
        o_start, o_end = match.span(group)
        linked = self.mentions.covering(o_start, o_end)
        if linked is not None and linked != relative:
            return linked, True
        word = match.group(group)
        if group == "name":
            return self._named(word), False
        word = word.lower()
        at = enclosing(self.quote_spans, o_start)
        quote = self.quotes[at] if at is not None else None
        if word in ("my", "our"):
            return (quote.speaker if quote else self._narrator("first")), False
        if word == "your":
            if quote:
                return (quote.addressees[0] if quote.addressees else None), False
            return self._narrator("second"), False
        gender = {"his": "he", "her": "she"}.get(word, "they")
        return self._preceding(o_start, gender, relative), False

    def _narrator(self, person: str) -> str | None:
        return self.story.pov.focal if self.story.pov.person == person else None

    def _named(self, word: str) -> str | None:
        """A character called `word` by name or alias, when no mention covers the possessor."""
        for c in self.story.characters:
            names = [c.name, *c.aliases]
            if any(word == n or n.split()[0] == word for n in names if n):
                return c.id
        return None

    def _preceding(self, offset: int, gender: str, relative: str) -> str | None:
        """The nearest earlier character in the paragraph whose gender fits the pronoun."""
        p_start, _ = self._paragraph(offset)
        for _, _, cid in reversed(self.mentions.within(p_start, offset)):
            character = self.by_id.get(cid)
            if cid != relative and character is not None and _fits(character, gender):
                return cid
        return None

    def _paragraph(self, offset: int) -> Interval:
        at = enclosing(self.paragraphs, offset)
        return self.paragraphs[at] if at is not None else (offset, offset)

    # -- "Mara married Jon", "Ada and Tom were friends" ---------------------------------------
    def _pairs(self, start: int, end: int) -> Iterator[Hit]:
        present = self.mentions.within(start, end)
        for match in PAIR.finditer(self.text, start, end):
            if _NEGATED.search(self.text, start, match.start()) or _IRREALIS.search(
                self.text, start, match.start()
            ):
                continue
            kind = match.lastgroup or ""
            if kind == "noun":
                kind = NOUN_TYPES[match.group("noun").lower()]
            pair = _around(self.text, present, match.start(), match.end())
            confidence = CONFIDENCE["pair"]
            if pair is None and kind in _PARAGRAPH_KINDS:
                pair, confidence = self._paragraph_pair(start, end, present), CONFIDENCE["paragraph"]
            if pair is not None:
                yield pair[0], pair[1], kind, (start, end), confidence

    def _paragraph_pair(
        self, start: int, end: int, present: list[tuple[int, int, str]]
    ) -> tuple[str, str] | None:
        """The two characters the paragraph has named up to the end of this sentence, when there are
        exactly two and the sentence names at most one: a divorce is of people already spoken of."""
        if len({cid for _, _, cid in present}) > 1:
            return None
        p_start, _ = self._paragraph(start)
        ids = list(dict.fromkeys(cid for _, _, cid in self.mentions.within(p_start, end)))
        return (ids[0], ids[1]) if len(ids) == 2 else None


def noun_kind(match: re.Match[str]) -> str:
    """The type a `POSSESSIVE` match names: "her former husband" and "his ex-wife" are an "ex"."""
    kind = NOUN_TYPES[match.group("noun").lower()]
    if kind in ("spouse", "romantic") and _ENDED & set(re.split(r"[\s-]+", match["mods"].lower())):
        return "ex"
    return kind


def apposed(text: str, mentions: MentionIndex, match: re.Match[str], start: int, end: int) -> str | None:
    """Who a name names in apposition to a `POSSESSIVE` match in the sentence [start, end): right after
    the noun ("his brother Tom", "Mara's sister Lou") or before it ("Jon, her husband"; "Jon was her
    husband")."""
    after = re.match(r",?\s+", text[match.end() : end])
    if after:
        at = match.end() + after.end()
        for m_start, m_end, cid in mentions.within(at, end):
            if m_start == at and text[m_start].isupper() and text[m_start:m_end].lower() not in _PRONOUNS:
                return cid
    before = mentions.within(start, match.start())
    if before and _APPOSITION.fullmatch(text, before[-1][1], match.start()):
        return before[-1][2]
    return None


def _around(text: str, present: list[tuple[int, int, str]], start: int, end: int) -> tuple[str, str] | None:
    """The nearest character on each side of a relation word, else "A and B" just before it."""
    # A possessor ("Mara's sister Lou hated Tom") is not the one who hates.
    left = [m for m in present if start - REACH <= m[1] <= start and not _possessor(text, m)]
    right = [m for m in present if end <= m[0] <= end + REACH]
    if left and right:
        a = left[-1][2]
        b = next((cid for _, _, cid in right if cid != a), None)
        if b is not None:
            return a, b
    if left:
        last = left[-1]
        for earlier in reversed(left[:-1]):
            if earlier[2] != last[2]:
                between = text[earlier[1] : last[0]]
                if re.fullmatch(r"(?:['’]s)?\s*(?:,|and|&)\s*", between):
                    return earlier[2], last[2]
                break
    return None


def _possessor(text: str, mention: tuple[int, int, str]) -> bool:
    """ "Mara's", "Jones'" or "his" before a noun: the owner of a noun phrase, not its head."""
    start, end, _ = mention
    return bool(_POSSESSOR.match(text, end)) or text[start:end].lower() in _POSSESSIVE_DETERMINERS


def _fits(character: Character, gender: str) -> bool:
    """Whether a "his"/"her"/"their" can refer to `character` ("their" to anyone)."""
    return gender == "they" or character.gender in (gender, "unknown")


def _paragraphs(story: Story) -> list[Interval]:
    if story.paragraphs:
        return [(p.start, p.end) for p in story.paragraphs]
    return [m.span() for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", story.text)]
