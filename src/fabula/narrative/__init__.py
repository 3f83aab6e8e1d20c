"""The narrative stage: point of view, focal character and tense; each scene's cast, places, time.

Reads what earlier stages wrote (quotes, sentences, entities, character mentions, tokens) and
falls back to light heuristics where a field is empty, so POV works on a bare `Story`.
When ingest found no scenes, each chapter (else the whole story) becomes one scene.
"""

from __future__ import annotations

from collections import Counter

from fabula.narrative import pov, scenes
from fabula.narrative.spans import MentionIndex, clip, narration_spans, scenes_of
from fabula.pipeline import stage
from fabula.story import Person, PointOfView, Story


def _focal(
    story: Story, person: Person, mentions: MentionIndex, spans: list[tuple[int, int]], fallback: str | None
) -> str | None:
    """Who the narration is anchored to: the "I" or "you" when linked, else the most perceiving character."""
    if person == "first":
        return pov.voiced_by(story, mentions, spans, pov.FIRST) or fallback
    if person == "second":
        return pov.voiced_by(story, mentions, spans, pov.SECOND) or fallback
    if person == "third":
        scores = pov.focal_scores(story, mentions, spans)
        return scores.most_common(1)[0][0] if scores else None
    return None


@stage("narrative")
def run(story: Story) -> Story:
    narration = narration_spans(story)
    mentions = MentionIndex.of(story)
    person = pov.count_persons(story.text, narration).person()
    # A narrator is found over the whole work; a third-person focal character scene by scene (below).
    story_focal = _focal(story, person, mentions, narration, None) if person != "third" else None

    story.scenes = scenes_of(story)
    entities = sorted(story.entities, key=lambda e: e.start)
    focal_length: Counter[str] = Counter()
    for scene in story.scenes:
        spans = clip(narration, scene.start, scene.end)
        scene_person = pov.count_persons(story.text, spans).person()
        if scene_person == "unknown":
            scene_person = person
        scene.pov = scene_person
        inherited = story_focal if scene_person == person else None
        scene.focal = _focal(story, scene_person, mentions, spans, inherited)
        if scene.focal and scene_person == person == "third":
            focal_length[scene.focal] += scene.end - scene.start
        scene.characters = scenes.cast(scene, mentions)
        scene.places = scenes.places(entities, scene.start, scene.end)
        scene.time_cues = scenes.time_cues(story.text, spans)

    # In third person the work's focal character is the one whose head holds the most text.
    if focal_length:
        story_focal = focal_length.most_common(1)[0][0]
    story.pov = PointOfView(person=person, focal=story_focal, tense=pov.tense(story, narration))
    return story
