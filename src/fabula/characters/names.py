"""Name clustering: "Tom", "Tom Sawyer", "Mr. Sawyer" and "Thomas Sawyer" are one person.

Names are parsed into an honorific (which carries a gender), given names and a surname; first
names are compared through BookNLP's hypocorism list (data/aliases.txt, MIT). Family and group
references ("the Marches") are parsed as groups and never merged with a member.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Honorific (lowercase, no dot) -> the gender it implies ("" when it implies none).
HONORIFICS: dict[str, str] = {
    **dict.fromkeys(
        ["mr", "mister", "sir", "lord", "master", "monsieur", "m", "herr", "signor", "senor", "señor",
         "king", "prince", "duke", "count", "baron", "earl", "marquis", "uncle", "father", "brother",
         "fr", "mssr", "messrs"], "he"),
    **dict.fromkeys(
        ["mrs", "miss", "ms", "lady", "madam", "madame", "mme", "mademoiselle", "mlle", "dame",
         "queen", "princess", "duchess", "countess", "baroness", "aunt", "mother", "sister",
         "frau", "fräulein", "signora", "señora", "senora", "mistress", "missus"], "she"),
    **dict.fromkeys(
        ["dr", "doctor", "prof", "professor", "captain", "capt", "colonel", "col", "general", "gen",
         "major", "lieutenant", "lt", "sergeant", "sgt", "rev", "reverend", "judge", "squire",
         "saint", "st", "mx", "officer", "detective", "inspector", "president", "governor",
         "agent", "commander", "admiral", "cousin", "granny", "grandpa", "grandma"], ""),
}  # fmt: skip
# Titles used with a surname alone: "Mrs. March" is the mother, not one of the March girls.
_SURNAME_TITLES = {"mr", "mrs", "mister", "missus", "ms", "monsieur", "madame", "herr", "frau"}
# Ranks: with one name, a surname ("Colonel Fitzwilliam" is not Fitzwilliam Darcy); and "Mrs."
# with the same surname is the officer's wife ("Colonel Forster", "Mrs. Forster").
_RANKS = {"colonel", "col", "captain", "capt", "major", "general", "gen", "admiral", "lieutenant", "lt",
          "sergeant", "sgt", "commander"}  # fmt: skip
# Titles that go with a given name ("Sir Thomas", "Lady Catherine").
_GIVEN_NAME_TITLES = {"sir", "lady", "lord", "dame"}
# Titles that, with one name among several of a family, name none of the first-named ones
# ("Lady Elliot" is neither Anne nor Elizabeth Elliot).
_AMBIGUOUS_TITLES = _SURNAME_TITLES | _RANKS | {"lady", "lord", "sir", "dame"}
# Words before a name that are no part of it, also where a capital opens the sentence ("This Mr.
# Fielding", "Opposite Aziz", "Even Margaret", "Our little friend Harriet Smith").
_LEADING_WORDS = frozenset(
    {
        *("the", "a", "an", "this", "that", "these", "those", "my", "our", "your", "his", "her", "their"),
        *("old", "young", "little", "poor", "dear", "dearest", "good", "even", "only", "opposite"),
    }
)
_SUFFIXES = {"jr", "sr", "esq", "ii", "iii", "iv", "junior", "senior"}
# Offices used as a title before a name ("Parson Tringham"), kept apart from HONORIFICS because
# alone they are descriptions ("now, parson,") that the mention extractor must keep.
OFFICE_TITLES = frozenset(
    {"parson", "vicar", "rector", "curate", "pastor", "canon", "bishop", "archdeacon", "abbot", "friar"}
)
# Common nouns that say a person's sex ("her husband", "the old woman"). Offices and trades do not:
# "the parson" stays ungendered for coreference (docs/characters.md); the quotes lexicon adds them.
GENDERED_NOUNS: dict[str, str] = {
    **dict.fromkeys(
        ["man", "boy", "husband", "father", "son", "brother", "uncle", "king", "gentleman", "lord",
         "fellow", "lad", "nephew", "grandfather", "monk", "priest", "master", "duke", "prince",
         "emperor", "chap", "guy", "widower", "bridegroom", "groom", "papa", "daddy", "dad", "sir",
         "squire", "landlord", "baronet", "knight", "sultan", "stepfather", "grandson", "bachelor",
         "fiance", "fiancé", "boyfriend", "actor", "host", "hero", "waiter", "lordship", "mister"], "he"),
    **dict.fromkeys(
        ["woman", "girl", "wife", "mother", "daughter", "sister", "aunt", "queen", "lady", "madam",
         "mistress", "niece", "grandmother", "nun", "duchess", "princess", "countess", "widow",
         "bride", "maid", "maiden", "mama", "mamma", "mom", "mum", "mummy", "lass", "governess",
         "actress", "heroine", "stepmother", "granddaughter", "spinster", "fiancee", "fiancée",
         "girlfriend", "hostess", "waitress", "landlady", "ladyship", "housekeeper", "nurse"], "she"),
}  # fmt: skip
# A spaced apostrophe inside a word, as tokenized corpora write "Pa ' son" and "O ' Brien".
_SPACED_APOSTROPHE = re.compile(r"(?<=[^\W\d_])\s*['’]\s*(?=[^\W\d_])")
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]+)*\.?", re.UNICODE)


def _data_lines(file: str) -> list[str]:
    """The lines of a name list shipped in data/."""
    text = resources.files("fabula.characters").joinpath("data", file).read_text(encoding="utf-8")
    return text.splitlines()


@cache
def hypocorisms() -> dict[str, frozenset[str]]:
    """Lowercase first name -> the canonical names it may stand for (itself included)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for line in _data_lines("aliases.txt"):
        names = [n.strip().lower() for n in line.split("\t") if n.strip()]
        if names:
            for name in names:
                groups[name].add(names[0])
    return {name: frozenset(canon) for name, canon in groups.items()}


@cache
def given_name_genders() -> dict[str, str]:
    """Lowercase given name -> "he" or "she", where the 1990 US census finds one sex at least ten
    times as often (data/given_names.tsv). A weak prior, below any title or pronoun evidence."""
    return dict(line.split("\t") for line in _data_lines("given_names.tsv") if line)


def given_name_sex(name: Name) -> str:
    """The census sex of a full name's given name ("Charlotte Temple": she); "" for one word,
    which may be a surname."""
    return given_name_genders().get(name.tokens[0], "") if len(name.tokens) > 1 else ""


def first_names_match(a: str, b: str) -> bool:
    if a == b:
        return True
    table = hypocorisms()
    return bool(table.get(a, frozenset({a})) & table.get(b, frozenset({b})))


NameKey = tuple[str, tuple[str, ...], bool, str]  # honorific, name words, whether a family, gender


@dataclass(frozen=True, slots=True)
class Name:
    """A parsed proper name. `tokens` are lowercase and exclude honorifics and suffixes."""

    tokens: tuple[str, ...]
    honorific: str = ""
    gender: str = ""
    group: bool = False

    @property
    def key(self) -> NameKey:
        return (self.honorific, self.tokens, self.group, self.gender)


def _singular(surname: str) -> str:
    if surname.endswith(("ches", "shes", "sses", "xes")):
        return surname[:-2]
    return surname[:-1] if surname.endswith("s") and not surname.endswith("ss") else surname


def _title(word: str) -> str:
    """The title `word` is, also in a dialect elision ("pa'son" for "parson"); "" if none."""
    if word in HONORIFICS or word in OFFICE_TITLES:
        return word
    before, _, after = word.partition("'")
    if not before or not after or after == "s":
        return ""
    fits = [
        title for title in (*HONORIFICS, *OFFICE_TITLES)
        if title.startswith(before) and title.endswith(after)
        and 0 < len(title) - len(before) - len(after) <= 2
    ]  # fmt: skip
    return fits[0] if len(fits) == 1 else ""


def parse_name(text: str) -> Name:
    """Split a proper-noun mention into honorific, name tokens and whether it names a family."""
    found = _TOKEN_RE.findall(_SPACED_APOSTROPHE.sub("'", text.replace("’", "'")))
    words = [w.rstrip(".").lower() for w in found]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    group = len(words) >= 2 and words[0] == "the" and words[-1].endswith("s") and text.rstrip()[-1:] != "."
    # Words before the name are description: "old Tom Jarndyce", "plain Jack Durbeyfield".
    described = next((i for i, w in enumerate(found) if not (w.isalpha() and w.islower())), 0)
    # ... and a noun there may say the sex: "the woman Wolfe" is not Hugh Wolfe.
    gender = next((GENDERED_NOUNS[w] for w in words[:described] if w in GENDERED_NOUNS), "")
    words = words[described:]
    while words and words[0] in _LEADING_WORDS:
        words = words[1:]
    honorific = ""
    while len(words) > 1 and (title := _title(words[0])):
        honorific = honorific or title
        gender = HONORIFICS.get(title, "") or gender
        words = words[1:]
    words = [w for w in words if w not in _SUFFIXES and w != "of"] or words
    if group and words:
        words[-1] = _singular(words[-1])
    return Name(tuple(words), honorific, gender, group)


def compatible(a: Name, b: Name) -> bool:
    """Could `a` and `b` name the same person? Order-free; a short name must fit the long one."""
    if not a.tokens or not b.tokens or a.group != b.group:
        return False
    if a.gender and b.gender and a.gender != b.gender:
        return False
    if a.group:
        return a.tokens[-1] == b.tokens[-1]
    short, long = sorted((a, b), key=lambda n: len(n.tokens))
    # Sir Thomas's son is Tom, Lady Catherine is not Kitty: with such a title the first name is
    # the person's own, and a variant of it someone else's (a shorter "Sir John" may still be
    # Jack Durbeyfield, so called by the parson).
    variants = long.honorific not in _GIVEN_NAME_TITLES and (
        len(short.tokens) < len(long.tokens) or short.honorific not in _GIVEN_NAME_TITLES
    )

    def same_first(x: str, y: str) -> bool:
        return x == y or (variants and first_names_match(x, y))

    if len(short.tokens) == len(long.tokens):
        if len(short.tokens) == 1:
            return same_first(short.tokens[0], long.tokens[0])
        return short.tokens[-1] == long.tokens[-1] and same_first(short.tokens[0], long.tokens[0])
    if len(short.tokens) == 1:
        word = short.tokens[0]
        if short.honorific in _SURNAME_TITLES or short.honorific in _RANKS:
            return word == long.tokens[-1]
        return word == long.tokens[-1] or same_first(word, long.tokens[0])
    return short.tokens[-1] == long.tokens[-1] and same_first(short.tokens[0], long.tokens[0])


def _anchors(name: Name, members: list[Name]) -> list[Name]:
    """The members a new name must fit: the fuller ones ("Tom" need not fit "Mr. Sawyer")."""
    return [m for m in members if len(m.tokens) > len(name.tokens)] or members


def cluster_names(names: list[Name], heard: Mapping[NameKey, str] | None = None) -> list[int]:
    """A name-group id for each name: full names first, then each short name to the likeliest one.

    Short names that fit several full names go to the most frequent of them, as BookNLP does.
    `heard` gives names without a gendered title the gender the text's pronouns give them
    ("Joe Hamilton ... he"), so that "Miss Hamilton" does not join him.
    """
    heard = heard or {}
    counts = Counter(n.key for n in names if n.tokens)
    by_key = {n.key: n for n in names if n.tokens}
    order = sorted(by_key, key=lambda k: (-len(by_key[k].tokens), -counts[k]))
    group_of: dict[NameKey, int] = {}
    members: list[list[Name]] = []
    # A first name heard with a gendered title ("Miss Minnie") keeps "Mr. Beebe" off "Minnie Beebe".
    # A surname title before a given name is a spouse's: "Mrs. Charles" is Charles's wife.
    first_name_gender = {
        n.tokens[0]: n.gender
        for n in by_key.values()
        if n.gender and len(n.tokens) == 1 and n.honorific not in _SURNAME_TITLES
    }

    def gender_of(name: Name) -> str:
        if name.gender or name.key in heard:
            return name.gender or heard[name.key]
        if len(name.tokens) < 2:
            return ""
        return first_name_gender.get(name.tokens[0]) or given_name_sex(name)

    def female(group: list[Name]) -> bool:
        genders = {gender_of(m) for m in group} - {""}
        return genders == {"she"}

    def clash(name: Name, others: list[Name]) -> bool:
        mine = gender_of(name)
        return bool(mine) and any(gender_of(m) not in {"", mine} for m in others)

    # Surnames heard with a man's and a woman's title: which of the two "Peter Kronborg" is, the
    # titles cannot say, so neither "Mr. Kronborg" nor "Mrs. Kronborg" joins a first-named one.
    titled: defaultdict[str, set[str]] = defaultdict(set)
    for n in by_key.values():
        if n.honorific in _SURNAME_TITLES and len(n.tokens) == 1 and n.gender:
            titled[n.tokens[0]].add(n.gender)

    for key in order:
        name = by_key[key]
        namesakes = [
            g for g, ms in enumerate(members) if all(compatible(name, m) for m in _anchors(name, ms))
        ]
        fits = [g for g in namesakes if not clash(name, _anchors(name, members[g]))]
        # Several of the surname's people, of either sex, make a bare title ambiguous.
        ambiguous = len(namesakes) > 1 or len(titled[name.tokens[0]]) > 1
        if name.honorific in _AMBIGUOUS_TITLES and len(name.tokens) == 1 and ambiguous:
            # "Mr. Bennet" among several Bennets is none of the ones with a first name; a man
            # may be the bare surname's (below). A group holding the title with a first name
            # takes it where the title is a rank ("Captain Tilney" is Captain Frederick
            # Tilney) or that group is the only one of the title's sex ("Mrs. Lynde" is Mrs.
            # Rachel Lynde beside Thomas Lynde); among two sons, the one once called "Mr.
            # Charles Wilcox" is not the family's "Mr. Wilcox", their father Henry.
            by_title = name.honorific not in _SURNAME_TITLES or len(fits) == 1
            fits = [
                g
                for g in fits
                if (by_title and any(m.honorific == name.honorific for m in members[g]))
                or (name.gender == "he" and _bare(name, members[g]))
            ]
        # One person is not both "Mr. Verloc" and "Mrs. Verloc", whatever name both would fit.
        fits = [g for g in fits if not clash(name, members[g]) and not _spouses(name, members[g])]
        # "Lady Elliot" is Sir Walter's wife, not his daughter Anne Elliot, whom no one calls Lady.
        if name.honorific in _GIVEN_NAME_TITLES and len(name.tokens) == 1:
            fits = [g for g in fits if not _titled_surname(name, members[g])]
        # Narration calls a man by his surname alone, his wife never: where "Mr. Hall" is heard,
        # "said Hall" is him, not Mrs. Hall or Winnie Hall, however often she is named.
        if len(name.tokens) == 1 and "he" in titled[name.tokens[0]]:
            if not name.honorific:
                fits = [g for g in fits if not _only_wife(name, members[g]) and not female(members[g])]
            elif name.gender == "she":
                fits = [g for g in fits if not _bare(name, members[g])]
        # "Maria" is Maria Bertram, not Mary Crawford, whom it would fit as a variant.
        if len(name.tokens) == 1 and name.honorific not in _SURNAME_TITLES:
            word = name.tokens[0]
            exact = [g for g in fits if any(len(m.tokens) > 1 and m.tokens[0] == word for m in members[g])]
            fits = exact or fits
        if not fits:
            group_of[key] = len(members)
            members.append([name])
            continue
        best = max(fits, key=lambda g: sum(counts[m.key] for m in members[g]))
        # A bare name that only fuller names hold is the one of theirs the story names with it
        # most: "Oakley" is Maurice Oakley (so named 24 times), not Frank ("Francis Oakley" once).
        if len(name.tokens) == 1 and not name.honorific and len(fits) > 1:
            holding = {g: _holding(name, members[g], counts) for g in fits}
            if all(holding.values()):
                best = max(fits, key=lambda g: holding[g])
        group_of[key] = best
        members[best].append(name)
    next_id = len(members)
    result: list[int] = []
    for name in names:
        if name.tokens:
            result.append(group_of[name.key])
        else:
            result.append(next_id)
            next_id += 1
    return result


def _holding(name: Name, members: list[Name], counts: Counter[NameKey]) -> int:
    """How often a group is named with a fuller name that holds this one word, first or last."""
    word = name.tokens[0]
    return sum(counts[m.key] for m in members if len(m.tokens) > 1 and word in (m.tokens[0], m.tokens[-1]))


def _spouses(name: Name, members: list[Name]) -> bool:
    """Whether "Mrs. X" or "Miss X" would join "Colonel X" (or the other way round): his wife
    or his sister."""
    if len(name.tokens) != 1:
        return False
    titles = {m.honorific for m in members if m.tokens == name.tokens}
    if name.honorific in _RANKS:
        return any(HONORIFICS.get(title) == "she" for title in titles)
    return HONORIFICS.get(name.honorific) == "she" and bool(titles & _RANKS)


def _titled_surname(name: Name, members: list[Name]) -> bool:
    """Whether a title that goes with a given name ("Lady", "Sir") is here a surname's, for a
    group of first-named people none of whom holds the title with that surname ("Lady Honoria
    Dedlock" is "Lady Dedlock"; "Lady Clara", an earl's daughter, is not "Lady Ashdown")."""
    word = name.tokens[0]
    of_the_name = [m for m in members if len(m.tokens) > 1 and m.tokens[-1] == word]
    return bool(of_the_name) and all(m.honorific != name.honorific for m in of_the_name)


def _bare(surname: Name, members: list[Name]) -> bool:
    """Whether a group is only ever called by this surname, untitled ("Hall")."""
    return all(m.tokens == surname.tokens and not m.honorific for m in members)


def _only_wife(surname: Name, members: list[Name]) -> bool:
    """Whether a group is a woman known only by the title and this surname ("Mrs. Hall")."""
    return all(
        m.tokens == surname.tokens and m.gender == "she" and m.honorific in _SURNAME_TITLES for m in members
    )


def canonical(names: list[str]) -> str:
    """The name to show for a cluster: the fullest name, the commonest among equally full ones;
    of the names that could be the commonest one's person ("Rosings Park", merged once into
    Lydia's mentions, is not her name)."""
    counts = Counter(" ".join(n.split()) for n in names if n.strip())  # "Mr.\nWeston" is "Mr. Weston"
    if not counts:
        return ""
    commonest = parse_name(counts.most_common(1)[0][0])
    fitting = {n: c for n, c in counts.items() if compatible(parse_name(n), commonest)}
    counts = Counter(fitting) or counts

    def rank(text: str) -> tuple[int, int, int, int, int, int]:
        parsed = parse_name(text)
        # "Jack Durbeyfield" rather than "plain Jack Durbeyfield" or "This Jack Durbeyfield"
        bare = text[:1].isupper() and text.split()[0].lower() not in _LEADING_WORDS
        shouted = text.isupper()
        return (not parsed.group, len(parsed.tokens), not parsed.honorific, not shouted, bare, counts[text])

    return max(counts, key=rank)
