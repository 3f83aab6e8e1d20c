"""The quotes stage. PLACEHOLDER: registers a stage that adds nothing yet."""

from fabula.pipeline import stage
from fabula.story import Story


@stage("quotes")
def run(story: Story) -> Story:
    return story
