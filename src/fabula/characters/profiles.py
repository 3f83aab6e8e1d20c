"""Characters from coreference clusters: canonical name, referential gender, BookNLP-style profile.

Gender is what the text calls the character: the third-person pronouns linked to them and the
titles they bear (Mr, Mrs, Miss), never a list of first names. Agent, patient, possession and
modifier words come from the language layer's dependency parse when it ran.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from fabula.characters.coref import describe
from fabula.characters.extract import head_token, referential
from fabula.characters.mentions import Mention, pronoun
from fabula.characters.names import canonical, parse_name
from fabula.story import Character, Gender, Story

_PERSON_LABELS = {"PER", None}
_GENDER_SHARE = 0.6  # share of the gendered references a gender needs to be the character's
_SUBJECT = {"nsubj", "csubj"}
_OBJECT = {"obj", "dobj", "nsubj:pass", "nsubjpass", "iobj", "dative"}
# An adjective said of the subject through a verb: UD's "seemed tired" (xcomp), spaCy's acomp/attr.
_PREDICATIVE = {"xcomp", "acomp", "attr"}


def referential_gender(mentions: Sequence[Mention]) -> Gender:
    """he/she/they from linked third-person pronouns, titles and gendered nouns ("her mother",
    "the old man"); unknown when they disagree."""
    votes: Counter[str] = Counter()
    for m in mentions:
        if m.kind == "PRON":
            pron = pronoun(m.text)
            if pron is not None and pron.person == 3 and pron.gender in {"he", "she", "they"}:
                votes[pron.gender] += 1
        else:
            gender = parse_name(m.text).gender if m.kind == "PROP" else describe(m).gender
            if gender in {"he", "she"}:
                votes[gender] += 1
    if not votes:
        return "unknown"
    gender, count = votes.most_common(1)[0]
    if count / sum(votes.values()) < _GENDER_SHARE:
        return "unknown"
    return gender  # type: ignore[return-value]


def is_character(mentions: Sequence[Mention]) -> bool:
    """A person: tagged PER, or (untagged) named or referred to as he, she, I or you."""
    if len(mentions) == 1 and mentions[0].kind == "PRON":
        return False  # a lone pronoun that links to nobody is not a character to list
    labels = Counter(m.label for m in mentions if m.kind != "PRON")
    if labels:
        # The tagger may give one span two types ("Nell" PER and GPE): a tie goes to the person.
        label, count = labels.most_common(1)[0]
        label = "PER" if labels["PER"] == count else label
        if label not in _PERSON_LABELS:
            return False
        if label == "PER":
            return True
    persons = {
        p.person if p.person != 3 else p.gender
        for m in mentions
        if (p := pronoun(m.text)) and m.kind == "PRON"
    }
    named = any(m.kind == "PROP" for m in mentions)
    return bool(persons & {1, 2, "he", "she"}) or (named and len(mentions) > 1)


def is_cast_member(mentions: Sequence[Mention]) -> bool:
    """A person a reader would list in the cast: not a passing description ("a boy", said once),
    nor an unnamed group ("we", "the Morrow brothers ... them"), nor an "I" or "you" heard only in
    dialogue that coreference left apart from the speaker or the person spoken to. All of these
    still count as people for coreference scoring."""
    if len(mentions) == 1 and mentions[0].kind == "NOM":
        return False
    if not any(m.kind == "PROP" for m in mentions):
        pronouns = [(m, p) for m in mentions if m.kind == "PRON" and (p := pronoun(m.text))]
        if pronouns and all(p.number == "pl" for _, p in pronouns):
            return False
        spoken = [m for m, p in pronouns if p.person in (1, 2) and m.quote >= 0]
        if len(spoken) == len(mentions):
            return False
    return is_character(mentions)


def display_name(mentions: Sequence[Mention]) -> str:
    """The fullest proper name; else the commonest description; else the narrator or the reader."""
    names = [m.text for m in mentions if m.kind == "PROP"]
    if names:
        return canonical(names)
    nominals = Counter(re.sub(r"\s+", " ", m.text.strip()) for m in mentions if m.kind == "NOM")
    if nominals:
        return nominals.most_common(1)[0][0]
    texts = [m.text.lower() for m in mentions]
    if "y/n" in texts:
        return "Y/N"
    person = Counter(p.person for m in mentions if (p := pronoun(m.text)) and m.quote < 0)
    if person:
        top = person.most_common(1)[0][0]
        return {1: "narrator (I)", 2: "reader (you)"}.get(top, f"unnamed ({mentions[0].text.lower()})")
    return f"unnamed ({mentions[0].text.lower()})"


def slug(name: str, taken: set[str]) -> str:
    """A character id made from `name`, unique among `taken` (which it joins)."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "character"
    made, n = base, 2
    while made in taken:
        made, n = f"{base}-{n}", n + 1
    taken.add(made)
    return made


def _roles(story: Story, mentions: Sequence[Mention]) -> dict[str, list[str]]:
    """Agent/patient verbs, possessions and modifiers of the mentions' head tokens (BookNLP's .book)."""
    roles: dict[str, list[str]] = {"agent": [], "patient": [], "possessions": [], "modifiers": []}
    tokens = story._tokens
    if tokens is None or not len(tokens):
        return roles
    heads: set[int] = set()
    for m in mentions:
        head = head_token(tokens, m.start, m.end)
        if head is None or head in heads:  # nested mentions of one character ("Old Tom", "Tom") count once
            continue
        heads.add(head)
        dep, governor = tokens.dep[head], tokens.head[head]
        if dep in _SUBJECT and governor != head:
            near = range(max(0, governor - 8), min(len(tokens), governor + 8))
            if any(tokens.head[t] == governor and tokens.dep[t] == "cop" for t in near):
                # "Mara was tired": UD heads a copula's clause by its predicate, no verb of hers.
                if tokens.pos[governor] == "ADJ":
                    roles["modifiers"].append(tokens.lemma[governor])
            else:
                roles["agent"].append(tokens.lemma[governor])
                roles["modifiers"] += [  # "Mara seemed tired" (and the older scheme's acomp)
                    tokens.lemma[t]
                    for t in near
                    if tokens.head[t] == governor and tokens.dep[t] in _PREDICATIVE and tokens.pos[t] == "ADJ"
                ]
        elif dep in _OBJECT and governor != head:
            roles["patient"].append(tokens.lemma[governor])
        elif dep in {"poss", "nmod:poss"} and governor != head:
            roles["possessions"].append(tokens.lemma[governor])
        roles["modifiers"] += [
            tokens.lemma[t]
            for t in tokens.within(m.start, m.end)
            if tokens.dep[t] == "amod" and tokens.head[t] == head
        ]
    return roles


def build_characters(story: Story, mentions: Sequence[Mention], clusters: Sequence[int]) -> list[Character]:
    """One `Character` per person cluster, most mentioned first. Only mentions that can refer to a
    person count (no "Nobody", no "Ladies"): coreference saw them all, the cast does not."""
    groups: dict[int, list[Mention]] = {}
    for mention, cluster in zip(mentions, clusters, strict=True):
        if referential(mention, story._tokens):
            groups.setdefault(cluster, []).append(mention)
    people = sorted(
        (ms for ms in groups.values() if is_cast_member(ms)), key=lambda ms: (-len(ms), ms[0].start)
    )
    taken: set[str] = set()
    characters = []
    for ms in people:
        ms.sort(key=lambda m: (m.start, m.end))
        name = display_name(ms)
        aliases = [t for t, _ in Counter(m.text for m in ms if m.kind == "PROP").most_common() if t != name]
        spans = list(dict.fromkeys((m.start, m.end) for m in ms))  # one span the tagger typed twice
        characters.append(
            Character(
                id=slug(name, taken),
                name=name,
                aliases=aliases,
                gender=referential_gender(ms),
                mention_count=len(spans),
                mentions=spans,
                first_mention=ms[0].start,
                **_roles(story, ms),
            )
        )
    return characters


def scene_presence(story: Story) -> None:
    """Fill each scene's cast: the characters mentioned in it, most mentioned first."""
    for scene in story.scenes:
        counts: Counter[str] = Counter()
        for character in story.characters:
            counts[character.id] = sum(1 for s, _ in character.mentions if scene.start <= s < scene.end)
        scene.characters = [cid for cid, n in counts.most_common() if n > 0]
