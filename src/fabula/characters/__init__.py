"""The characters stage: name clustering, coreference, referential gender, profiles, scene cast.

Reads the language layer's entities, sentences and tokens when present and falls back to a
closed-class pronoun regex and a capitalised-name finder when not; see docs/characters.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from fabula.characters.coref import CorefModel, resolve
from fabula.characters.dialogue import follow_speakers, voiced
from fabula.characters.extract import story_mentions
from fabula.characters.mentions import Mention, QuoteSpan
from fabula.characters.profiles import build_characters, scene_presence
from fabula.characters.relatives import name_relatives, settle_relatives
from fabula.characters.roles import named_roles
from fabula.characters.vocatives import name_the_addressed
from fabula.pipeline import report_progress, stage
from fabula.story import Story

__all__ = ["cluster_mentions", "run"]


def cluster_mentions(
    story: Story, mentions: Sequence[Mention], quotes: Sequence[QuoteSpan], model: CorefModel | None = None
) -> list[int]:
    """A cluster id per mention, as the stage settles them (and `fabula eval coref` scores them):
    coreference (over the quotes that are someone's voice), then names heard only in address and
    roles said of a named character, then dialogue pronouns by the quotes' attributed speakers
    and addressees, then relational descriptions. Leaves a provisional cast in `story.characters`."""
    clusters = resolve(list(mentions), voiced(story, mentions, quotes), model=model, text=story.text)
    clusters = named_roles(story, mentions, name_the_addressed(story.text, mentions, clusters))
    clusters = follow_speakers(story, mentions, clusters)
    return settle_relatives(story, mentions, clusters)


@stage("characters")
def run(story: Story) -> Story:
    mentions, quotes = story_mentions(story)
    report_progress(1, 3)
    clusters = cluster_mentions(story, mentions, quotes)
    report_progress(2, 3)
    story.characters = build_characters(story, mentions, clusters)
    name_relatives(story)
    scene_presence(story)
    return story
