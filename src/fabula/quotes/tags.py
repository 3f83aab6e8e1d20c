"""Attribution clauses: the 'said Jon' / 'she whispered' / 'Jon asked her' next to a quote.

Patterns are anchored on the narration touching the quote: the text right after its closing
mark ("," said Jon) or the end of the clause right before its opening mark (Jon said, "...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fabula.quotes.lexicon import HOUSEHOLD_NAMES, NOT_NAMES, PHRASAL_SPEECH, REFLEXIVES, SPEECH_VERBS, TITLES

_VERB = r"(?P<verb>" + "|".join(sorted(SPEECH_VERBS | PHRASAL_SPEECH, key=len, reverse=True)) + r")\b"
_TITLE = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
_CAP = r"[A-Z][\w'’]*(?:-[\w'’]+)*"
# "Mrs. Hilbery", "Suddenly Mrs. Hilbery" (the adverb is dropped later), "Eugenio" of "asked
# Eugenio of Mrs. Miller" ("of" joins "Duke of Monmouth", never a title after it).
_NAME = (
    rf"(?:(?:{_TITLE})\s+)?{_CAP}"
    rf"(?:\s+(?:(?:of|de|van|von)\s+(?!(?:{_TITLE})\b))?(?:(?:{_TITLE})\s+)?{_CAP}){{0,2}}"
)
_PRON = r"(?:[Hh]e|[Ss]he|[Tt]hey|I|[Ww]e|[Yy]ou)(?![\w'’])"
_DET = (
    r"(?:[Tt]he|[Hh]is|[Hh]er|[Tt]heir|[Mm]y|[Oo]ur|[Yy]our|[Aa]n?|[Tt]his|[Tt]hat|[Oo]ne\s+of\s+the|[Oo]ne)"
)
# Words that end a description: "the second gentleman with a smile" is "the second gentleman".
_STOP = r"(?!(?:with|from|in|into|at|by|on|to|and|as|who|whom|that|which|of|for|but|or|so|then|when|while)\b)"
_NOMINAL = rf"{_DET}\s+(?:{_STOP}[a-z][\w'’-]*\s+){{0,2}}{_STOP}[A-Za-z][\w'’-]*"
# "the gallant Mr. Elton": a name after a determiner and its epithets.
_DESCRIBED_NAME = rf"{_DET}\s+(?:{_STOP}[a-z][\w'’-]*\s+){{0,2}}{_NAME}"
_SUBJ = rf"(?P<subj>{_PRON}|{_DESCRIBED_NAME}|{_NOMINAL}|{_NAME})"
# "said dour Major Callendar", "sighed pleasure-loving Miss Derek": a name after its epithets.
_EPITHET_NAME = (
    rf"(?P<subj>(?:{_STOP}(?!(?:not|nothing|no|her|his|him|them|me|us|it)\b)[a-z][\w'’-]*\s+){{1,2}}{_NAME})"
)
_ADV = (
    r"(?:\w+ly|then|again|also|once|now|only|still|at\s+once|at\s+last|had|has|have|was|were|would|could|did)"
)
_LEAD = r"^[\s,;:.!?)\]\-—–…]*"

# "said nanny": a family word used as a name, only right after the verb, where nothing else reads it.
_HOUSEHOLD = r"(?P<subj>(?:" + "|".join(sorted(HOUSEHOLD_NAMES, key=len, reverse=True)) + r")(?![\w'’-]))"
_AFTER_VERB = rf"{_LEAD}(?:{_ADV}\s+)?{_VERB}(?:\s+{_ADV})?\s+"  # ', quietly said ', ', said softly '
AFTER_VERB_SUBJ = re.compile(_AFTER_VERB + _SUBJ)
AFTER_VERB_HOUSEHOLD = re.compile(_AFTER_VERB + _HOUSEHOLD)
AFTER_VERB_EPITHET = re.compile(rf"{_LEAD}(?:{_ADV}\s+)?{_VERB}\s+{_EPITHET_NAME}")
# "a voice from the doorway said": a short place phrase between subject and verb.
_PLACE = (
    r"(?:\s+(?:from|in|at|by|on|near|behind|outside|inside|across)"
    r"\s+(?:the\s+|an?\s+|his\s+|her\s+)?[\w'’-]+)?"
)
AFTER_SUBJ_VERB = re.compile(
    rf"{_LEAD}(?:[Aa]nd\s+|[Bb]ut\s+|[Tt]hen\s+)?{_SUBJ}{_PLACE}(?:,?\s+{_ADV}){{0,2}},?\s+{_VERB}"
)
BEFORE_SUBJ_VERB = re.compile(
    rf"(?<![\w'’]){_SUBJ}(?:\s+{_ADV}){{0,2}}\s+{_VERB}(?P<rest>[^.!?\"“”]{{0,100}})$"
)
# "while Margaret, thoughtful again, said: ": a subject, an aside between commas, the verb.
BEFORE_ASIDE = re.compile(
    rf"(?:^|(?<=[.!?;,:]\s)|(?<=\band\s)|(?<=\bbut\s)|(?<=\bwhen\s)|(?<=\bwhile\s)|(?<=\bthen\s)|(?<=\n))"
    rf"{_SUBJ},[^,.!?\"“”]{{1,60}},(?:\s+{_ADV})?\s+{_VERB}(?P<rest>[^.!?\"“”]{{0,100}})$"
)
# "Ben, who said,", "the Lory, who at last turned sulky, and would only say,": a relative
# clause speaks for the one it follows, even where a preposition governs them ("turned to Ben, who").
BEFORE_RELATIVE = re.compile(
    rf"(?<![\w'’]){_SUBJ},\s+who(?:[,\s][^.!?;\"“”]{{0,80}}?)?\s+{_VERB}(?P<rest>[^.!?\"“”]{{0,100}})$"
)
AFTER_ASIDE = re.compile(rf"{_LEAD}{_SUBJ},[^,.!?\"“”]{{1,60}},\s+{_VERB}")
# "Emma turned to Harriet and said, ": a sentence-initial subject a few words before the verb.
BEFORE_LOOSE = re.compile(
    rf"(?:^|(?<=[.!?]\s))(?P<subj>{_PRON}|{_NAME})(?:\s+[\w'’]+){{1,8}}?\s+{_VERB}(?P<rest>[^.!?\"“”]{{0,100}})$"
)
BEFORE_VERB_SUBJ = re.compile(rf"{_VERB}\s+{_SUBJ}(?P<rest>[^.!?\"“”]{{0,60}})$")
# "was Emma's calm answer", "came Jon's reply": a possessive name owning the utterance.
AFTER_POSSESSIVE = re.compile(
    rf"{_LEAD}(?:(?:was|were|came|followed)\s+)?(?P<subj>{_NAME})['’]s\s+(?:[a-z]+\s+){{0,2}}?"
    r"(?P<verb>answer|reply|response|rejoinder|retort|remark|cry|exclamation|observation|comment|question|words)\b"
)
# The subject of the last sentence of a paragraph that ends ',' or ':' and leads into a quote.
_INTRO_SUBJECT = re.compile(rf"(?<![\w'’])(?P<subj>{_PRON}|{_NAME})(?P<verb>)")
# A sentence ends at a stop and a space, or a stop and a dash ("composedly.--Lady Catherine").
_SENTENCE_BREAK = re.compile(
    r"(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)(?<!\bMme)(?<!\b[A-Z])[.!?;](?:\s+|-{2}\s*|—\s*)"
)
# Before a clause's subject: "..., and Jon", "...; but Mara".
_CLAUSE_SUBJECT = re.compile(r"(?:[,;]\s+(?:and|but|then|when)|;)\s+$")
# Narration that hands over to the quote right after it: "and the Queen said severely", or
# "There was a silence, and then Ann said" before a quote of its own paragraph.
INTRODUCING_VERB = re.compile(rf"\s{_VERB}(?:\s+\w+ly)?$")
_SUBORDINATE = re.compile(r"\s*(?:When|As|While|After|Before|If|Though|Although|Since|Until|Once)\b")
_AFTER_SUBORDINATE = re.compile(r"(?:,|;|[,;]\s+(?:and|but|then|when))\s+$")
_TO = re.compile(
    rf"^(?:\s+\w+ly)?\s+(?:to|at|unto|of)\s+(?P<subj>(?:[Hh]im|[Hh]er|[Tt]hem|me|us)(?![\w'’])|{_NOMINAL}|{_NAME})"
)
# An abbreviated title just before where a pattern began its subject: "Mrs. " read as a sentence's end.
_TITLE_BEFORE = re.compile(
    r"(?<![\w'’])(?:"
    + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True) if t.endswith("."))
    + r")\s+$"
)
_REFLEXIVE = re.compile(r"^\s+(\w+)")
_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "you"})
# A preposition governing what looks like a subject ("after a time said"); "for" after a
# semicolon is the conjunction ("...; for Mr. Knightley now came in").
PREPOSITION_BEFORE = re.compile(
    r"\b(?:[Aa]fter|(?<![;,]\s)[Ff]or|[Ii]n|[Ww]ith|[Aa]t|[Bb]y|[Ff]rom|[Oo]f|[Tt]o|[Tt]owards?|[Uu]pon|[Oo]n)\s+$"
)


@dataclass(frozen=True, slots=True)
class Tag:
    """An attribution clause: the verb, who speaks (offsets into the text) and whom they address."""

    verb: str
    subject: tuple[int, int]
    subject_text: str
    addressee: tuple[int, int, str] | None
    reflexive: bool

    @property
    def pronoun(self) -> bool:
        return self.subject_text.lower() in _PRONOUNS


def _valid_subject(text: str) -> bool:
    first = text.split()[0]
    return not (first[0].isupper() and first in NOT_NAMES and first not in {"I", "He", "She", "They", "We"})


def _tag(match: re.Match[str], text: str, offset: int, relative: bool = False) -> Tag | None:
    subject = match.group("subj")
    subject_start = match.start("subj")
    while len(subject.split()) > 1 and not _valid_subject(subject):
        # "Then\nMargaret said": drop the sentence adverb the name pattern swallowed.
        first = subject.split()[0]
        skip = subject.index(first) + len(first)
        skip += len(subject[skip:]) - len(subject[skip:].lstrip())
        subject, subject_start = subject[skip:], subject_start + skip
    words = subject.split()
    if len(words) > 1 and words[-1].lower() in _PRONOUNS:
        # "After an impressive pause he said": the pronoun, not the pause, speaks.
        subject_start += subject.rindex(words[-1])
        subject = words[-1]
    elif title := _TITLE_BEFORE.search(text, max(0, subject_start - 12), subject_start):
        # "At length Mrs. Denham remarked": the sentence the loose pattern saw start after "Mrs."
        # is her name's, not a Denham's of no title.
        subject, subject_start = text[title.start() : match.end("subj")], title.start()
    governed = PREPOSITION_BEFORE.search(text, max(0, subject_start - 12), subject_start)
    if relative or (governed and governed.start() < match.end("verb") <= subject_start):
        governed = None  # the verb's own particle ("broke in Adela", "put in Lucy"), or a relative's
    if not _valid_subject(subject) or governed:
        return None  # "after a time said", "said in a piercing whisper": no one speaks
    verb_end = match.end("verb")
    rest = text[verb_end : verb_end + 80]
    reflexive = bool((r := _REFLEXIVE.match(rest)) and r.group(1).lower() in REFLEXIVES)
    addressee = None
    subject_end = match.end("subj")
    after_both = text[max(verb_end, subject_end) : max(verb_end, subject_end) + 80]
    if (to := _TO.match(after_both)) and _valid_subject(to.group("subj")):
        base = offset + max(verb_end, subject_end)
        addressee = (base + to.start("subj"), base + to.end("subj"), to.group("subj"))
    return Tag(
        verb=match.group("verb").lower(),
        subject=(offset + subject_start, offset + subject_end),
        subject_text=subject,
        addressee=addressee,
        reflexive=reflexive,
    )


def tag_after(text: str, start: int, end: int) -> Tag | None:
    """A tag opening the narration [start, end) that follows a quote."""
    window = text[start : min(end, start + 160)]
    for pattern in (
        AFTER_VERB_SUBJ,
        AFTER_SUBJ_VERB,
        AFTER_POSSESSIVE,
        AFTER_ASIDE,
        AFTER_VERB_EPITHET,
        AFTER_VERB_HOUSEHOLD,
    ):
        match = pattern.match(window)
        if match and (tag := _tag(match, window, start)):
            return tag
    return None


def tag_before(text: str, start: int, end: int) -> Tag | None:
    """A tag closing the narration [start, end) that precedes a quote."""
    lo = max(start, end - 300)
    if lo > start:  # never read a sentence from its middle
        breaks = [m.end() for m in _SENTENCE_BREAK.finditer(text, lo, end)]
        if not breaks:
            return None
        lo = breaks[0]
    window = text[lo:end]
    # The clause nearest the quote speaks it: "Ann protested, and Kate, laughing, exclaimed,".
    best: tuple[int, Tag] | None = None
    for pattern in (BEFORE_RELATIVE, BEFORE_SUBJ_VERB, BEFORE_ASIDE, BEFORE_LOOSE, BEFORE_VERB_SUBJ):
        pos = 0
        while match := pattern.search(window, pos):
            relative = pattern is BEFORE_RELATIVE
            if (best is None or match.start("verb") > best[0]) and (tag := _tag(match, window, lo, relative)):
                best = (match.start("verb"), tag)
            pos = match.start() + 1
    return best[1] if best else None


def tag_introducing(text: str, start: int, end: int) -> Tag | None:
    """A tag in narration that ends with ',' ':' or a dash, or with no stop at all, and so hands
    over to the next quote.

    "Mr. Knightley gravely said,\n\n"This..."": the speech verb may be missing from the
    lexicon ("accosted her with,"), so the last sentence's subject is taken when no tag is.
    """
    tail = text[start:end].rstrip()
    handing = tail.endswith((",", ":", "--", "—", "–")) or bool(INTRODUCING_VERB.search(tail))
    # "the Secretary said in a curious, strained voice" with no stop: a dash the text lost.
    if not handing and not tail[-1:].isalpha():
        return None
    if tag := tag_before(text, start, start + len(tail)):
        return tag
    if not handing:
        return None
    lo = max(start, start + len(tail) - 300)
    window = text[lo : start + len(tail)]
    breaks = list(_SENTENCE_BREAK.finditer(window))
    stop = len(window)
    while True:
        sentence = breaks[-1].end() if breaks else 0
        found = [
            tag
            for match in _INTRO_SUBJECT.finditer(window, sentence, stop)
            if (tag := _tag(match, window, lo))
        ]
        # "...; concluding with these words to Mr. Woodhouse:": a clause with no subject of its
        # own after a semicolon continues the one before it.
        if found or not breaks or window[breaks[-1].start()] != ";":
            break
        stop = breaks.pop().start()
    # "Kate made no answer, and her aunt, who was bolder, began:": the subject of the last clause.
    # "When she woke, Ann leant out, saying,": the main clause's, after a subordinate one.
    clause = _AFTER_SUBORDINATE if _SUBORDINATE.match(window, sentence) else _CLAUSE_SUBJECT
    later = [t for t in found[1:] if clause.search(text, t.subject[0] - 12, t.subject[0])]
    return later[-1] if later else found[0] if found else None
