"""The HTML report. PLACEHOLDER: replaced by the report work."""

import html

from fabula.story import Story


def report(story: Story) -> str:
    return f"<!doctype html><title>Fabula</title><pre>{html.escape(story.text)}</pre>"
