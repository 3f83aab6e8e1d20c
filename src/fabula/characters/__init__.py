"""The characters stage: name clustering, coreference, referential gender, profiles, scene cast.

Reads the language layer's entities, sentences and tokens when present and falls back to a
closed-class pronoun regex and a capitalised-name finder when not; see docs/characters.md.
"""

from __future__ import annotations

from fabula.characters.coref import resolve
from fabula.characters.extract import story_mentions
from fabula.characters.profiles import build_characters, scene_presence
from fabula.characters.relatives import name_relatives, settle_relatives
from fabula.characters.vocatives import name_the_addressed
from fabula.pipeline import report_progress, stage
from fabula.story import Story

__all__ = ["run"]


@stage("characters")
def run(story: Story) -> Story:
    mentions, quotes = story_mentions(story)
    report_progress(1, 3)
    clusters = name_the_addressed(story.text, mentions, resolve(mentions, quotes, text=story.text))
    clusters = settle_relatives(story, mentions, clusters)
    report_progress(2, 3)
    story.characters = build_characters(story, mentions, clusters)
    name_relatives(story)
    scene_presence(story)
    return story
