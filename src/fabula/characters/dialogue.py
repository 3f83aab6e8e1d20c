"""Dialogue pronouns by who speaks: "I" inside a quote is its speaker, "you" its addressee.

Coreference alone knows a quote's speaker only from a tag right next to it, so in a run of
untagged turns its "I" and "you" drift to whoever was named last. Quote attribution (the quotes
package's sieve and learned ranker) reads the conversation as a whole and does far better. So the
characters stage runs it once over its first cast and moves each first-person singular pronoun of
an attributed quote to the speaker's cluster and each second-person one to its first addressee's:
whom the turn calls by name, else the speaker of the nearest turn. The quotes stage attributes
again over the final cast.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from fabula.characters.mentions import Mention, QuoteSpan, assign_quotes, pronoun
from fabula.characters.profiles import build_characters
from fabula.story import Story


def voiced(story: Story, mentions: Sequence[Mention], quotes: Sequence[QuoteSpan]) -> list[QuoteSpan]:
    """The quotes that are someone's voice, with `mentions` reassigned to them: marks the quotes
    stage reads as no one's ("to “find herself”", a title) leave their words to the narration, so
    "herself" there is resolved as narration is, not as a speaker's own."""
    from fabula.quotes.attribute import sieve  # the quotes package registers its own stage

    unvoiced = [(it.found.start, it.found.end) for it in sieve(story).items if it.kind == "other"]
    if not unvoiced:
        return list(quotes)
    kept = [q for q in quotes if not any(s < q.end and q.start < e for s, e in unvoiced)]
    assign_quotes(list(mentions), kept)
    return kept


@dataclass(frozen=True, slots=True)
class Turn:
    """An attributed quote, with its speaker and addressees as cluster ids."""

    start: int
    end: int
    speaker: int | None
    addressees: list[int]


def attributed_turns(story: Story, mentions: Sequence[Mention], clusters: Sequence[int]) -> list[Turn]:
    """The story's quotes attributed over the cast these clusters make (the story is left as it was)."""
    from fabula.quotes.attribute import attribute  # the quotes package registers its own stage
    from fabula.quotes.rank import shipped_model

    draft = story.model_copy(update={"characters": build_characters(story, mentions, clusters)})
    cluster_at = {(m.start, m.end): c for m, c in zip(mentions, clusters, strict=True)}
    ids = {ch.id: cluster_at[ch.mentions[0]] for ch in draft.characters if ch.mentions}
    return [
        Turn(q.start, q.end, ids.get(q.speaker or ""), [ids[a] for a in q.addressees if a in ids])
        for q in attribute(draft, shipped_model(), pronoun_links=True)
    ]


def follow_speakers(story: Story, mentions: Sequence[Mention], clusters: Sequence[int]) -> list[int]:
    """`clusters` with the I/me/my of each attributed quote in its speaker's cluster and the
    you/your in its first addressee's."""
    turns = attributed_turns(story, mentions, clusters)
    starts = [t.start for t in turns]
    moved = list(clusters)
    for i, mention in enumerate(mentions):
        said = pronoun(mention.text) if mention.kind == "PRON" else None
        if said is None or said.person == 3 or (said.person == 1 and said.number != "sg"):
            continue
        k = bisect_right(starts, mention.start) - 1
        if k < 0 or mention.end > turns[k].end:
            continue
        turn = turns[k]
        # Addressees come nearest first (whom the turn calls, then the neighbouring turns' speakers).
        first = turn.addressees[0] if turn.addressees else None
        target = turn.speaker if said.person == 1 else first
        if target is not None:
            moved[i] = target
    return moved
