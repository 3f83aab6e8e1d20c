"""Who the characters are and where they are mentioned, in the shape the attribution sieve needs.

The characters stage links mentions (names, and pronouns once coreference runs) to characters
through `Character.mentions`; names and aliases found in the text fill in where it has not,
so attribution still works on a story whose characters carry only names. Where the narration
names someone (`Cast.anchors`) counts its names and descriptions, never its linked pronouns.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from fabula.characters.mentions import pronoun
from fabula.quotes.lexicon import (
    FEMALE_TITLES,
    GENDERED_NOUNS,
    MALE_TITLES,
    NOT_NAMES,
    STANDALONE_TITLES,
    TITLES,
)
from fabula.story import Character, Gender, Story

_SPACE = re.compile(r"\s+")
# Words before a name that are not part of it: "the old woman" is "woman" as "The Old Woman" is,
# "my dear Jane" is "jane"; but a capitalised adjective opening a name is ("Little Walter").
_LEADING = re.compile(
    r"^(?:(?i:(?:the|a|an|my|our)\s+(?:(?:old|young|little|poor|dear|dearest)\s+)?)"
    r"|(?i:dear|dearest)\s+|(?:old|young|little|poor)\s+)"
)
# What a descriptive name has and a personal one lacks: "Lucy's Mother", "One Of The Women".
_NOT_GIVEN = re.compile(r"^\S*['’]|\s(?i:of|the|who|with|at|in|from)\s")
_DETERMINER = re.compile(r"^(?:the|an?)\s+")
_SURNAME_TITLES = {
    "she": ("Miss", "Mrs.", "Mrs", "Ms.", "Lady"),
    "he": ("Mr.", "Mr", "Sir", "Lord"),
    "they": ("Mx.",),
    "unknown": ("Mr.", "Mr", "Mrs.", "Mrs", "Miss", "Ms.", "Dr.", "Dr"),
}


def normalise(name: str) -> str:
    """Case-folded, single-spaced, without 'the' or a trailing dot: how surface forms are compared."""
    name = _SPACE.sub(" ", name.replace("’", "'")).strip().rstrip(",.;:")
    while True:
        stripped = _LEADING.sub("", name)
        if stripped == name:
            return name.lower()
        name = stripped


def title_gender(name: str) -> Gender:
    """The gender a title implies ('Mrs. Elton' she, 'Sir Walter' he), else unknown."""
    first = name.split()[0] if name.split() else ""
    if first in FEMALE_TITLES:
        return "she"
    if first in MALE_TITLES:
        return "he"
    return "unknown"


@dataclass
class Cast:
    """Characters by surface form, and every anchored mention (start, end, id) outside quotes:
    names and descriptions, not pronouns (`linked` keeps those, for `linked_at`)."""

    forms: dict[str, list[str]] = field(default_factory=dict)
    gender: dict[str, str] = field(default_factory=dict)
    linked: list[tuple[int, int, str]] = field(default_factory=list)
    anchors: list[tuple[int, int, str]] = field(default_factory=list)
    names: list[tuple[int, int, str]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    surfaces: dict[str, list[str]] = field(default_factory=dict)  # id -> name and aliases as written
    shared_given: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, story: Story, quoted: list[tuple[int, int]]) -> Cast:
        cast = cls()
        for ch in story.characters:
            gender = ch.gender
            cast.surfaces[ch.id] = [ch.name, *ch.aliases]
            for surface in [ch.name, *ch.aliases]:
                key = normalise(surface)
                if key and ch.id not in cast.forms.setdefault(key, []):
                    cast.forms[key].append(ch.id)
                if gender == "unknown":
                    gender = title_gender(surface)
            cast.gender[ch.id] = gender
            cast.counts[ch.id] = max(ch.mention_count, len(ch.mentions))
            cast.linked.extend((s, e, ch.id) for s, e in ch.mentions)
        cast.linked.sort()
        cast._add_titled_surnames(story.characters)
        cast._add_given_names(story.characters)
        cast._add_surnames(story.characters)
        cast._add_titles(story.characters)
        names = cast.names = cast._find_names(story.text)
        starts = [s for s, _ in quoted]
        # Anchors are where the narration names someone, as the rules and the ranker read them
        # (trained on casts whose mentions are the names found in the text): a pronoun that
        # coreference linked names no one. Read as names, such links cost PDNC end to end a
        # point (76.5% against 77.5%, 17 of 21 novels).
        naming = [m for m in cast.linked if pronoun(story.text[m[0] : m[1]]) is None]
        outside = [m for m in sorted(set(names) | set(naming)) if not _inside(m[0], quoted, starts)]
        cast.anchors = outside
        return cast

    def _add_titled_surnames(self, characters: list[Character]) -> None:
        """'Miss Quested' for a character named 'Adela Quested': a title that fits the gender
        before the surname, kept only where it points to one character and no listed form."""
        derived: dict[str, set[str]] = {}
        for ch in characters:
            gender = self.gender.get(ch.id, "unknown")
            titles = _SURNAME_TITLES.get(gender, _SURNAME_TITLES["unknown"])
            for surface in [ch.name, *ch.aliases]:
                words = surface.split()
                if len(words) >= 2 and title_gender(surface) == "unknown" and words[-1][:1].isupper():
                    for title in titles:
                        derived.setdefault(normalise(f"{title} {words[-1]}"), set()).add(ch.id)
        for form, ids in derived.items():
            if len(ids) == 1 and form not in self.forms:
                self.forms[form] = list(ids)

    def _add_given_names(self, characters: list[Character]) -> None:
        """'Charles' for 'Charles Hayter' and 'Charles Musgrove': the first word of a full name,
        where no listed form has it; shared by several characters, the one the text calls least
        by their other names takes it, the one named last between equals (see `_find_names`),
        even where the cast lists it for one of them (PDNC lists "John" for John Beaver alone,
        whom *A Handful of Dust* calls Beaver; its bare "John" is John Andrew).
        Only personal names share so ("Lucy's Mother", "Wilcox Henry" for Mr. Wilcox do not)."""
        derived: dict[str, list[str]] = {}
        personal: dict[str, set[str]] = {}
        surnames = {  # "Wilcox" of "Mr. Wilcox", which "Wilcox Henry" would list as a given name
            _surname(s) for ch in characters for s in [ch.name, *ch.aliases] if title_gender(s) != "unknown"
        }
        for ch in characters:
            for surface in [ch.name, *ch.aliases]:
                words = surface.split()
                first = words[0] if words else ""
                if len(words) >= 2 and first[:1].isupper() and first not in TITLES and first not in NOT_NAMES:
                    ids = derived.setdefault(normalise(first), [])
                    if ch.id not in ids:
                        ids.append(ch.id)
                    if _surname(surface) and not _NOT_GIVEN.search(surface):
                        personal.setdefault(normalise(first), set()).add(ch.id)
        for form, ids in derived.items():
            if len(form) < 2:
                continue
            ids = list(dict.fromkeys([*self.forms.get(form, []), *ids]))
            if len(ids) > 1 and set(ids) <= personal.get(form, set()) and form not in surnames:
                self.forms[form] = ids
                self.shared_given.add(form)
            else:
                self.forms.setdefault(form, ids)

    def _add_surnames(self, characters: list[Character]) -> None:
        """'Rodney' for a character listed as 'William Rodney' and 'Mr. Rodney': the surname of a
        full name, where it points to one character and no listed form has it, so narration
        that calls him by surname alone mentions him."""
        derived: dict[str, set[str]] = {}
        for ch in characters:
            for surface in [ch.name, *ch.aliases]:
                if surname := _surname(surface):
                    derived.setdefault(surname, set()).add(ch.id)
        for form, ids in derived.items():
            if len(ids) == 1 and form not in self.forms and len(form) > 1:
                self.forms[form] = list(ids)

    def _add_titles(self, characters: list[Character]) -> None:
        """'the Colonel' for Colonel Brandon, 'Mademoiselle' for Mademoiselle Reisz: a
        `STANDALONE_TITLES` title a name opens with, where no listed form has it; several
        holders share it, and the one named last before a mention takes it (see `_find_names`)."""
        derived: dict[str, list[str]] = {}
        for ch in characters:
            for surface in [ch.name, *ch.aliases]:
                words = surface.split()
                title = "Doctor" if words[:1] in (["Dr."], ["Dr"]) else words[0] if words else ""
                if len(words) >= 2 and title in STANDALONE_TITLES:
                    ids = derived.setdefault(normalise(title), [])
                    if ch.id not in ids:
                        ids.append(ch.id)
        for form, ids in derived.items():
            self.forms.setdefault(form, ids)

    def _find_names(self, text: str) -> list[tuple[int, int, str]]:
        surfaces = sorted((form for form in self.forms if len(form) > 1), key=lambda s: (-len(s), s))
        if not surfaces:
            return []
        pattern = re.compile(
            r"(?<![\w])(?:" + "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in surfaces) + r")(?![\w])",
            re.IGNORECASE,
        )
        matches = [
            (m.start(), m.end(), self.forms.get(normalise(m.group()), []))
            for m in pattern.finditer(text)
            if m.group()[0].isupper()  # names are capitalised; "will" is not Will
        ]
        if not any(self.counts.values()):
            self.counts.update(ids[0] for _, _, ids in matches if len(ids) == 1)
        found: list[tuple[int, int, str]] = []
        last_seen: dict[str, int] = {}
        # A narrator who keeps writing "Charles Hayter" or "Hayter" to tell him apart leaves bare
        # "Charles" to the other Charles (PDNC, gold cast, Persuasion: 10 explicit quotes more).
        other = Counter(ids[0] for _, _, ids in matches if len(ids) == 1)
        for start, end, ids in matches:
            if normalise(text[start:end]) in self.shared_given:
                least = min(other[i] for i in ids)
                ids = [i for i in ids if other[i] == least]
            cid = (_latest(ids, last_seen) if len(ids) > 1 else None) or self.best(ids)
            if cid:
                found.append((start, end, cid))
                last_seen[cid] = start
        return found

    def best(self, ids: list[str]) -> str | None:
        """Of several characters sharing a surface form, the one mentioned most."""
        return max(ids, key=lambda i: self.counts[i]) if ids else None

    def linked_at(self, start: int, end: int) -> str | None:
        """The character whose mention (from the characters stage) best covers [start, end):
        for "his uncle" the uncle's mention, not the nested "his"."""
        i = bisect_left(self.linked, (start, -1, ""))
        best, best_key = None, (0, 0)
        for j in range(max(0, i - 8), min(len(self.linked), i + 8)):
            s, e, cid = self.linked[j]
            shared = min(e, end) - max(s, start)
            if shared > 0 and (shared, -abs((e - s) - (end - start))) > best_key:
                best, best_key = cid, (shared, -abs((e - s) - (end - start)))
        return best

    def by_name(self, surface: str) -> str | None:
        """A character named `surface`: exact form first, then, for a name, the most mentioned
        character with a form holding all its words."""
        key = normalise(surface)
        if not key:
            return None
        if key in self.forms:
            return self.best(self.forms[key])
        if not surface.split()[-1][:1].isupper():
            return None  # "the old man" is a description, not part of "The Hump-backed Man"
        words = key.split()
        holding = {cid for form, ids in self.forms.items() if set(words) <= set(form.split()) for cid in ids}
        # "Walter" is Sir Walter (a form ending in it, and named most) before William Walter Elliot.
        edge = {
            cid
            for form, ids in self.forms.items()
            if words in (form.split()[: len(words)], form.split()[-len(words) :])
            for cid in ids
        }
        return self.best(sorted(edge or holding))

    def antecedent(
        self, before: int, gender: str, exclude: Collection[str] = (), reach: int = 4000
    ) -> str | None:
        """The most recent character of the pronoun's gender mentioned outside quotes."""
        i = bisect_right(self.anchors, (before, -1, ""))
        fallback = None
        for j in range(i - 1, -1, -1):
            start, _, cid = self.anchors[j]
            if start < before - reach:
                break
            if cid in exclude:
                continue
            known = self.gender.get(cid, "unknown")
            if known == gender:
                return cid
            if known == "unknown" and fallback is None:
                fallback = cid
        return fallback

    def following(
        self, after: int, gender: str, exclude: Collection[str] = (), reach: int = 4000
    ) -> str | None:
        """The first character of the gender mentioned outside quotes in the `reach` characters
        after `after`: whom a pronoun with no antecedent anticipates ("the young lady" named
        Daisy a page later)."""
        for start, _, cid in _between(self.anchors, after, after + reach):
            if cid not in exclude and self.gender.get(cid) == gender and start >= after:
                return cid
        return None

    def holding(self, words: Collection[str]) -> list[str]:
        """Characters with a name or alias opening with one of `words` (lower case): the
        holders of a title ("dr." for Dr. Aziz)."""
        return [cid for cid, surfaces in self.surfaces.items() if any(_first(s) in words for s in surfaces)]

    def relatives(self, cid: str, gender: str, titles: Collection[str]) -> list[str]:
        """Characters of `gender` sharing a surname with `cid`, those called by one of `titles`
        ("mrs.") where any is."""
        surnames = {_surname(s) for s in self.surfaces.get(cid, [])} - {""}
        kin = [
            other
            for other, surfaces in self.surfaces.items()
            if other != cid
            and self.gender.get(other) == gender
            and surnames & {_surname(s) for s in surfaces}
        ]
        titled = [k for k in kin if any(_first(s) in titles for s in self.surfaces[k])]
        return titled or kin

    def described(self, description: str) -> str | None:
        """The character named by exactly this description ("old woman" is The Old Woman, but
        "woman" is not: `forms` compares names without such adjectives), of known gender: a cast
        list that knows not even that much of "The Painter" made it of the common noun, which
        a story uses for whoever of its painters is in the scene (PDNC: 54 of 54 such wrong)."""
        ids = [
            cid
            for cid, surfaces in self.surfaces.items()
            if self.gender.get(cid) in ("he", "she")
            and any(_DETERMINER.sub("", s.lower()) == description for s in surfaces)
        ]
        return self.best(ids)

    def latest(self, ids: Collection[str], before: int, reach: int) -> str | None:
        """Of `ids`, the one with the latest anchored mention in the `reach` characters before `before`."""
        for _, _, cid in reversed(_between(self.anchors, max(0, before - reach), before)):
            if cid in ids:
                return cid
        return None

    def first_after(self, ids: Collection[str], after: int, reach: int) -> str | None:
        """Of `ids`, the one first mentioned in the `reach` characters after `after`."""
        return next((cid for _, _, cid in _between(self.anchors, after, after + reach) if cid in ids), None)

    def mentioned(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Anchored mentions (outside quotes) inside [start, end)."""
        return _between(self.anchors, start, end)

    def named_at(self, start: int, end: int) -> str | None:
        """The character a name found exactly at [start, end) stands for: where several share
        the name, the one named last before it (see `_find_names`)."""
        return next((cid for s, e, cid in self.names_in(start, end) if (s, e) == (start, end)), None)

    def names_in(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Names and aliases found in the text inside [start, end), quotes included."""
        return _between(self.names, start, end)


def _first(surface: str) -> str:
    """The first of several words, lower case: a title where the name carries one."""
    words = surface.lower().split()
    return words[0] if len(words) > 1 else ""


def _surname(surface: str) -> str:
    """A full name's last word, lower case ("Mr. Allen": "allen"); "" for a single word
    ("Emma"), a name ending in a title, or a description ("The Old Woman", "Mrs Beaver's Son")."""
    words = surface.split()
    if len(words) < 2 or words[0].lower() in ("the", "a", "an") or not all(w[:1].isupper() for w in words):
        return ""
    last = words[-1]
    if last in TITLES or last.lower() in GENDERED_NOUNS or last in NOT_NAMES:
        return ""
    return last.lower()


def _latest(ids: list[str], last_seen: dict[str, int]) -> str | None:
    """Of several characters sharing a name ("Walter": Sir Walter or little Walter), the one
    named most recently; None when none of them has been yet."""
    seen = [cid for cid in ids if cid in last_seen]
    return max(seen, key=lambda cid: last_seen[cid]) if seen else None


def _between(spans: list[tuple[int, int, str]], start: int, end: int) -> list[tuple[int, int, str]]:
    lo = bisect_left(spans, (start, -1, ""))
    hi = bisect_left(spans, (end, -1, ""))
    return [m for m in spans[lo:hi] if m[1] <= end]


def _inside(offset: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect_right(starts, offset) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]
