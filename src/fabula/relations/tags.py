"""Suggested AO3-style tags: the characters who matter, and the pairs a reader would look for.

AO3 writes a romantic pairing "A/B" and a platonic one "A & B". A pair whose romantic
relations end in a separation (the latest evidence decides) gets no "A/B", and no "A & B" either
unless the text types them friends, family or enemies: much talk between exes is not friendship.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fabula.relations.interactions import Edge, Pair, pair
from fabula.relations.typed import Found
from fabula.story import Story

ROMANTIC = frozenset({"spouse", "romantic"})
COUPLE_STATES = ROMANTIC | {"ex"}
PLATONIC = frozenset({"friend", "family", "enemy"})
# A pair that interacts at least this much (relative to the strongest pair, and in raw weight)
# earns an "A & B" tag even with no typed relation.
STRONG_SHARE = 0.5
STRONG_WEIGHT = 3.0
MAX_CHARACTERS = 10
MAX_RELATIONSHIPS = 10


def suggest_tags(story: Story, found: list[Found], edges: dict[Pair, Edge]) -> list[dict[str, Any]]:
    """Relationship tags ranked by confidence and by how prominent the lesser of the pair is, then
    character tags ranked by prominence."""
    prominence = {c.id: max(c.mention_count, len(c.mentions)) for c in story.characters}
    # Ties go to whoever the story names first.
    order = {
        c.id: (-prominence[c.id], min((s for s, _ in c.mentions), default=len(story.text)))
        for c in story.characters
    }
    names = {c.id: c.name for c in story.characters}
    top = max(prominence.values(), default=0)

    by_pair: dict[Pair, list[Found]] = defaultdict(list)
    for f in found:
        by_pair[pair(f.source, f.target)].append(f)
    strongest = max((e.weight for e in edges.values()), default=0.0)

    ranked: list[tuple[float, dict[str, Any]]] = []
    for key in sorted(set(by_pair) | set(edges)):
        if not all(cid in names for cid in key):
            continue
        kind, confidence = _pair_kind(by_pair.get(key, []), edges.get(key), strongest)
        if kind is None:
            continue
        a, b = sorted(key, key=order.__getitem__)
        mark = "/" if kind == "romantic" else " & "
        tag = {"type": "relationship", "tag": f"{names[a]}{mark}{names[b]}", "kind": kind}
        # Two leads outrank an equally sure pair with a walk-on part: AO3 orders tags by importance.
        importance = confidence * (0.5 + 0.5 * min(prominence[a], prominence[b]) / top)
        ranked.append((importance, {**tag, "confidence": confidence}))
    relationships = [tag for _, tag in sorted(ranked, key=lambda item: -item[0])]

    characters = [
        {"type": "character", "tag": names[cid], "confidence": round(count / top, 2)}
        for cid, count in sorted(prominence.items(), key=lambda item: order[item[0]])
        if count > 0
    ]
    return relationships[:MAX_RELATIONSHIPS] + characters[:MAX_CHARACTERS]


def _pair_kind(found: list[Found], edge: Edge | None, strongest: float) -> tuple[str | None, float]:
    """ "romantic" when the pair's latest couple state is together, else "platonic" when close enough."""
    couple = [f for f in found if f.type in COUPLE_STATES]
    if couple and max(couple, key=lambda f: f.latest).type in ROMANTIC:
        return "romantic", max(f.confidence for f in couple if f.type in ROMANTIC)
    close = [f.confidence for f in found if f.type in PLATONIC]
    if edge is not None and strongest > 0 and not couple:
        share = edge.weight / strongest
        if share >= STRONG_SHARE and edge.weight >= STRONG_WEIGHT:
            close.append(round(0.8 * share, 3))
    return ("platonic", max(close)) if close else (None, 0.0)
