"""Relational descriptions ("your husband", "his sister", "Mara's sister Lou"): whom they name.

A kinship or social noun with a possessor names a person through someone else. Coreference links
such a description by recency and agreement alone, and so often to the wrong named character ("a
wedding present from his sister" joined to the last woman named). Here each one is settled by what
the text says about the relation instead:
- a name in apposition names it ("Tom, Jon's brother", "Mara's sister Lou", "Jon was her husband");
- else, when the story's other relations give the possessor exactly one named partner of that type,
  it is that partner ("Your husband", said to Mara, who married Jonah, is Jonah);
- else, when coreference gave it to a named character that the paragraph has already named, or that
  the story calls so more than once ("her father", again and again), it stays there;
- else it stays a person of its own, never a named character's mention, and is called after the
  named person it is related to: "her mother" of Ilse Brandt is listed as "Ilse Brandt's mother";
  one has one mother, so "Your mother" said to Ilse is that same person.
A gendered noun never settles on a character of the other gender ("Winnie's mother" is not the one
relative of hers the relations know, her husband).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from fabula.characters.mentions import Mention
from fabula.characters.names import GENDERED_NOUNS
from fabula.characters.profiles import build_characters, slug
from fabula.narrative.spans import MentionIndex, enclosing, sentence_spans
from fabula.relations.typed import POSSESSIVE, apposed, noun_kind, typed_relations
from fabula.story import Story

# Relatives one has only one of, so the same noun with the same possessor is the same person.
_ONE_EACH = frozenset(
    [
        "mother",
        "father",
        "mum",
        "mom",
        "mama",
        "mamma",
        "mummy",
        "mommy",
        "dad",
        "daddy",
        "papa",
        "pa",
        "ma",
        "husband",
        "wife",
        "stepmother",
        "stepfather",
        "mother-in-law",
        "father-in-law",
    ]
)


def settle_relatives(story: Story, mentions: Sequence[Mention], clusters: Sequence[int]) -> list[int]:
    """`clusters` with each possessed relational description moved to the person it names.

    Leaves `story.characters` as the provisional cast the relations were read from."""
    settled = list(clusters)
    relational = [
        (i, match)
        for i, m in enumerate(mentions)
        if m.kind == "NOM" and (match := POSSESSIVE.fullmatch(story.text, m.start, m.end))
    ]
    if not relational:
        return settled
    named = {c for m, c in zip(mentions, settled, strict=True) if m.kind == "PROP"}
    # Coreference's guesses are set apart, so that a description cannot vouch for itself below.
    guessed: dict[int, int] = {}
    fresh = max(settled) + 1
    for i, _ in relational:
        if settled[i] in named:
            guessed[i], settled[i], fresh = settled[i], fresh, fresh + 1
    # "her father" said again and again of one person (Emma's) is that person, as coreference says.
    said = Counter((guessed[i], match["noun"].lower()) for i, match in relational if i in guessed)

    story.characters = build_characters(story, mentions, settled)
    cluster_at = {(m.start, m.end): c for m, c in zip(mentions, settled, strict=True)}
    cluster_of = {ch.id: cluster_at[ch.mentions[0]] for ch in story.characters if ch.mentions}
    gender_of = {cluster_of[ch.id]: ch.gender for ch in story.characters if ch.id in cluster_of}
    partners = _partners(story, cluster_of, named)
    everyone = MentionIndex.of_rows((m.start, m.end, str(c)) for m, c in zip(mentions, settled, strict=True))
    sentences = sentence_spans(story)
    first_said: dict[tuple[int, str], int] = {}
    for i, match in relational:
        own = settled[i]
        at = enclosing(sentences, match.start())
        name = apposed(story.text, everyone, match, *(sentences[at] if at is not None else match.span()))
        referent = int(name) if name is not None and int(name) in named else None
        found = everyone.covering(*match.span("pronoun" if match.group("pronoun") else "name"))
        possessor = int(found) if found is not None and int(found) != own else None
        if referent is None and possessor is not None:
            candidates = partners.get((possessor, noun_kind(match)), set()) - {possessor}
            referent = next(iter(candidates)) if len(candidates) == 1 else None
        guess = guessed.get(i)
        if referent is None and guess is not None and guess != possessor:
            here = mentions[i].paragraph
            named_here = any(
                m.paragraph == here and c == guess for m, c in zip(mentions[:i], settled[:i], strict=True)
            )
            if named_here or said[guess, match["noun"].lower()] > 1:
                referent = guess
        noun = match["noun"].lower()
        if referent is not None and _clash(GENDERED_NOUNS.get(noun, ""), gender_of.get(referent, "")):
            referent = None  # "Winnie's mother" is not Mr Verloc, whatever the relations say
        if referent is None and possessor is not None and own not in named and noun in _ONE_EACH:
            # "her mother" and, said to the same woman, "Your mother" are one person
            referent = first_said.setdefault((possessor, noun), own)
        if referent is not None and referent != own and own not in named:
            settled = [referent if c == own else c for c in settled]
    return settled


def _clash(noun_gender: str, gender: str) -> bool:
    return {noun_gender, gender} == {"he", "she"}


def _partners(story: Story, cluster_of: dict[str, int], named: set[int]) -> dict[tuple[int, str], set[int]]:
    """(cluster, relation type) -> the named clusters it stands in that relation with, by the relation
    rules over the provisional cast in `story.characters`."""
    partners: dict[tuple[int, str], set[int]] = {}
    for found in typed_relations(story):
        a, b = cluster_of[found.source], cluster_of[found.target]
        for one, other in ((a, b), (b, a)):
            if other in named:
                partners.setdefault((one, found.type), set()).add(other)
    return partners


def name_relatives(story: Story) -> None:
    """Call each unnamed relative after the named character it is related to ("her mother" of Ilse
    Brandt is "Ilse Brandt's mother"): a list of characters and its tags must read on their own."""
    index = MentionIndex.of(story)
    by_id = {c.id: c for c in story.characters}
    taken = {c.id for c in story.characters}
    for character in story.characters:
        match = POSSESSIVE.fullmatch(character.name)
        if match is None or not _named(story, character.name, character.mentions):
            continue
        at = next(s for s, e in character.mentions if story.text[s:e] == character.name)
        group = "pronoun" if match.group("pronoun") else "name"
        o_start, o_end = match.span(group)
        owner = by_id.get(index.covering(at + o_start, at + o_end) or "")
        if owner is None or owner is character or not _named(story, owner.name, owner.mentions):
            continue
        taken.discard(character.id)
        character.name = f"{owner.name}'s {character.name[match.start('mods') :]}"
        character.id = slug(character.name, taken)


def _named(story: Story, name: str, mentions: list[tuple[int, int]]) -> bool:
    """Whether `name` is a name the text uses, not a stand-in such as "narrator (I)"."""
    return any(story.text[s:e] == name for s, e in mentions)
