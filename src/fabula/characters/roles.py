"""Roles the text gives a named character: "He's still harbourmaster?" makes Pell the harbourmaster.

Coreference does not link a copula's predicate to its subject (LitBank does not annotate it so),
so "the harbourmaster said" later, with no name near, starts a person of its own. Where the parse
predicates a role noun, definite or bare, of exactly one named character, an unnamed cluster
whose descriptions are all that role, definite or bare ("the harbourmaster", never "a
harbourmaster"), is that character. The predicates themselves stay apart, as LitBank has them.
"""

from __future__ import annotations

from collections.abc import Sequence

from fabula.characters.coref import describe
from fabula.characters.extract import head_token
from fabula.characters.mentions import Mention
from fabula.language.tokens import Tokens
from fabula.story import Story

# A role is given definite or bare ("the keeper", "still harbourmaster"); "I am an old horse"
# says what kind of being one is, and "the old horse" later may be any of them.
_NAMING = frozenset({"def", "bare"})
_CHILD_REACH = 12  # tokens either side of a predicate searched for its copula and subject


def _subject_of_predicate(tokens: Tokens, head: int) -> int | None:
    """The subject token of a copular clause whose predicate is `head` ("He" of "He's still
    harbourmaster"), in the parse's Universal Dependencies."""
    children = [
        t for t in range(max(0, head - _CHILD_REACH), min(len(tokens), head + _CHILD_REACH + 1))
        if tokens.head[t] == head and t != head
    ]  # fmt: skip
    if not any(tokens.dep[t] == "cop" for t in children):
        return None
    return next((t for t in children if tokens.dep[t] == "nsubj"), None)


def named_roles(story: Story, mentions: Sequence[Mention], clusters: Sequence[int]) -> list[int]:
    """`clusters` with each unnamed cluster of a role's descriptions joined to the one named
    character the text says has that role."""
    tokens = story._tokens
    if tokens is None or not len(tokens):
        return list(clusters)
    heads = [head_token(tokens, m.start, m.end) for m in mentions]
    by_head = {h: i for i, h in enumerate(heads) if h is not None}
    named = {c for m, c in zip(mentions, clusters, strict=True) if m.names_a_person}
    holders: dict[str, set[int]] = {}
    predicates: set[int] = set()
    for i, (mention, head) in enumerate(zip(mentions, heads, strict=True)):
        if mention.kind != "NOM" or head is None:
            continue
        subject = _subject_of_predicate(tokens, head)
        said = describe(mention)
        if subject is not None and subject in by_head and said.det in _NAMING:
            predicates.add(i)
            holders.setdefault(said.head, set()).add(clusters[by_head[subject]])
    roles = {role: next(iter(cs)) for role, cs in holders.items() if len(cs) == 1 and cs <= named}
    members: dict[int, list[int]] = {}
    for i, cluster in enumerate(clusters):
        if i not in predicates:
            members.setdefault(cluster, []).append(i)
    settled = list(clusters)
    for cluster, indices in members.items():
        if cluster in named:
            continue
        described = [describe(mentions[i]) for i in indices if mentions[i].kind == "NOM"]
        found = {d.head for d in described}
        if (
            len(found) == 1
            and (role := found.pop()) in roles
            and all(d.det in {"def", "bare"} for d in described)
        ):
            for i in indices:
                settled[i] = roles[role]
    return settled
