"""Renderings of a `Story`: the JSON contract, a text summary, an HTML report, graph files."""

from __future__ import annotations

from typing import Literal

from fabula.story import Story

Format = Literal["json", "text", "html", "gexf", "graphml"]

# The format a file written with `-o` gets from its suffix when `--format` is not given.
SUFFIX_FORMATS: dict[str, Format] = {
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".txt": "text",
    ".gexf": "gexf",
    ".graphml": "graphml",
}


def render(story: Story, fmt: Format) -> str:
    if fmt == "json":
        return story.to_json()
    if fmt == "text":
        from fabula.export.summary import summary

        return summary(story)
    if fmt == "html":
        from fabula.export.html import report

        return report(story)
    from fabula.export.graph import render_graph

    return render_graph(story, fmt)
