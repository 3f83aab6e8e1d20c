"""A readable plain-text summary. PLACEHOLDER: replaced by the summary work."""

from fabula.story import Story


def summary(story: Story) -> str:
    return f"{story.metadata.title or 'Untitled'}: {len(story.text)} characters"
