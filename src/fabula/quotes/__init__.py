"""The quotes stage: every quotation of the story, its kind, speaker and addressees.

Detection (`detect`) is a deterministic scanner over the story's paragraphs; attribution
(`attribute`) is a sieve over tags, paragraph narration and turn-taking that reads the
characters stage's `Story.characters` (names, aliases, linked mentions), and a learned ranker
(`rank`, weights trained on PDNC) revises the turns no tag settled. See docs/quotes.md.
"""

from fabula.pipeline import stage
from fabula.quotes.attribute import attribute
from fabula.quotes.rank import shipped_model
from fabula.story import Story

__all__ = ["attribute", "run"]


@stage("quotes")
def run(story: Story) -> Story:
    """Replace `story.quotes` with the quotes found in the story's text."""
    story.quotes = attribute(story, shipped_model())
    return story
