"""The interaction network: who talks to whom, who shares scenes and sentences.

Three kinds of evidence, each counted per pair of characters and weighted into one figure:
a quote from one to the other (`dialogue`), a sentence that mentions both (`co_mention`),
a scene both appear in (`co_presence`). The network is undirected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from fabula.narrative.spans import Interval, MentionIndex, scenes_of, sentence_spans
from fabula.story import Relation, Span, Story

# Talking to someone says more than being in the same room with them.
KIND_WEIGHTS: dict[str, float] = {"dialogue": 1.0, "co_mention": 1.0, "co_presence": 0.5}
MAX_EVIDENCE = 5

Pair = tuple[str, str]


@dataclass(slots=True)
class Edge:
    dialogue: int = 0
    co_mention: int = 0
    co_presence: int = 0
    evidence: list[Interval] = field(default_factory=list)

    @property
    def weight(self) -> float:
        return (
            KIND_WEIGHTS["dialogue"] * self.dialogue
            + KIND_WEIGHTS["co_mention"] * self.co_mention
            + KIND_WEIGHTS["co_presence"] * self.co_presence
        )

    def cite(self, span: Interval) -> None:
        if len(self.evidence) < MAX_EVIDENCE and span not in self.evidence:
            self.evidence.append(span)


def pair(a: str, b: str) -> Pair:
    return (a, b) if a <= b else (b, a)


def network(story: Story) -> dict[Pair, Edge]:
    """Every pair of listed characters that interact, with the count of each kind of evidence."""
    edges: dict[Pair, Edge] = {}

    def edge(a: str, b: str) -> Edge:
        return edges.setdefault(pair(a, b), Edge())

    known = {c.id for c in story.characters}
    for quote in story.quotes:
        for addressee in quote.addressees:
            if quote.speaker in known and addressee in known and addressee != quote.speaker:
                found = edge(quote.speaker, addressee)
                found.dialogue += 1
                found.cite((quote.start, quote.end))
    mentions = MentionIndex.of(story)
    for start, end in sentence_spans(story):
        present = sorted({cid for _, _, cid in mentions.within(start, end)})
        for a, b in combinations(present, 2):
            found = edge(a, b)
            found.co_mention += 1
            found.cite((start, end))
    for scene in scenes_of(story):
        cast = set(scene.characters) | {cid for _, _, cid in mentions.within(scene.start, scene.end)}
        for a, b in combinations(sorted(cast & known), 2):
            found = edge(a, b)
            found.co_presence += 1
            if not found.evidence:
                found.cite((scene.start, scene.end))
    return edges


def interaction_relations(edges: dict[Pair, Edge]) -> list[Relation]:
    """One `interaction` relation per pair, confidence = weight / the strongest pair's weight."""
    strongest = max((e.weight for e in edges.values()), default=0.0)
    return [
        Relation(
            source=a,
            target=b,
            type="interaction",
            evidence=[Span(start=s, end=e) for s, e in edge.evidence],
            confidence=round(edge.weight / strongest, 3),
        )
        for (a, b), edge in sorted(edges.items(), key=lambda item: -item[1].weight)
        if edge.weight > 0
    ]
