"""The relations stage: the interaction network, typed relations with evidence, suggested tags.

Writes `story.relations` (one "interaction" relation per interacting pair, then the typed
ones) and `story.tags`. Reads quotes, sentences, scenes and character mentions; with no
characters it writes nothing.
"""

from __future__ import annotations

from fabula.pipeline import stage
from fabula.relations.interactions import interaction_relations, network
from fabula.relations.tags import suggest_tags
from fabula.relations.typed import as_relations, typed_relations
from fabula.story import Story


@stage("relations")
def run(story: Story) -> Story:
    edges = network(story)
    found = typed_relations(story)
    story.relations = interaction_relations(edges) + as_relations(found)
    story.tags = suggest_tags(story, found, edges)
    return story
