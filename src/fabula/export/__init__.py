"""Renderings of a `Story`: the JSON contract, a text summary, an HTML report."""

from __future__ import annotations

from typing import Literal

from fabula.story import Story


def render(story: Story, fmt: Literal["json", "text", "html"]) -> str:
    if fmt == "json":
        return story.to_json()
    if fmt == "text":
        from fabula.export.summary import summary

        return summary(story)
    from fabula.export.html import report

    return report(story)
