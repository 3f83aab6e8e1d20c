"""The language layer. PLACEHOLDER: registers a stage that adds nothing yet."""

from fabula.pipeline import stage
from fabula.story import Story


@stage("language")
def run(story: Story) -> Story:
    return story
