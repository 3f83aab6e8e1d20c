"""Names heard only when someone is spoken to: "“You're late, Nell,” she said" names the one addressed.

A first-person narrator or a reader insert is rarely named in narration; other characters name
them in dialogue. Coreference links the quote's "you" to the narrator but leaves the vocative
"Nell" a character of its own. A name that the story only ever uses to address someone (never in
narration, never referred to) names the one unnamed person the same quote says "you" to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fabula.characters.mentions import Mention, pronoun

# A vocative is set off by the quote's edge or a comma on each side: "Nell, come here", "Late, Nell."
_BEFORE = re.compile(r"(?:^|[“\"‘'(]|,\s*|[.!?]\s+)$")
_AFTER = re.compile(r"\s*[,.!?…;—–-]")


def name_the_addressed(text: str, mentions: Sequence[Mention], clusters: Sequence[int]) -> list[int]:
    """`clusters` with each vocative-only name merged into the unnamed person its quote addresses."""
    merged = list(clusters)
    members: dict[int, list[int]] = {}
    for i, cluster in enumerate(merged):
        members.setdefault(cluster, []).append(i)
    named = {c for m, c in zip(mentions, merged, strict=True) if m.kind == "PROP"}
    for cluster, indices in members.items():
        if not all(_vocative(text, mentions[i]) for i in indices):
            continue
        quotes = {mentions[i].quote for i in indices}
        addressed = {
            merged[j]
            for j, m in enumerate(mentions)
            if m.quote in quotes and m.kind == "PRON" and (p := pronoun(m.text)) and p.person == 2
        } - {cluster}
        if len(addressed) == 1 and not addressed & named:
            (person,) = addressed
            merged = [person if c == cluster else c for c in merged]
    return merged


def _vocative(text: str, mention: Mention) -> bool:
    """A name inside a quote, set off from the sentence around it."""
    if mention.kind != "PROP" or mention.quote < 0:
        return False
    before = text[max(0, mention.start - 3) : mention.start]
    return bool(_BEFORE.search(before)) and bool(_AFTER.match(text, mention.end))
