"""Checks of the JSON contract's span rules, for any test that has a Story or its JSON.

Usage: `assert not span_problems(story)` (or pass `json.loads(story.to_json())`); the returned
list names every bad span, so a failure shows all of them at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from fabula.story import Story

# The lists of spans under the top-level object; all of them are tight (no surrounding
# whitespace), as docs/json-contract.md promises. Only relation evidence may be looser.
SPAN_LISTS = ("author_notes", "chapters", "scenes", "paragraphs", "sentences", "entities", "quotes")
# Lists whose spans are in order and do not overlap.
ORDERED_LISTS = ("author_notes", "chapters", "scenes", "paragraphs", "sentences")


def as_json(story: Story | dict[str, Any]) -> dict[str, Any]:
    """The JSON form: spans are checked as a consumer of the contract would see them."""
    if isinstance(story, Story):
        data: dict[str, Any] = json.loads(story.to_json())
        return data
    return story


def all_spans(data: dict[str, Any]) -> Iterator[tuple[str, int, int, dict[str, Any] | None, bool]]:
    """Every span in the JSON: (where, start, end, the record if it carries `text`, must be tight)."""
    for field in SPAN_LISTS:
        for i, record in enumerate(data[field]):
            yield f"{field}[{i}]", record["start"], record["end"], record, True
    for c in data["characters"]:
        for start, end in c["mentions"]:
            yield f"characters[{c['id']}].mentions", start, end, None, True
    for r in data["relations"]:
        for i, span in enumerate(r["evidence"]):
            yield (
                f"relations[{r['source']}-{r['target']}].evidence[{i}]",
                span["start"],
                span["end"],
                None,
                False,
            )


def span_problems(story: Story | dict[str, Any]) -> list[str]:
    """Spans that fall outside `text`, are empty, are not tight, or whose `text` copy differs."""
    data = as_json(story)
    text: str = data["text"]
    problems = []
    for where, start, end, record, tight in all_spans(data):
        if not 0 <= start < end <= len(text):
            problems.append(f"{where}: [{start}, {end}) is not a non-empty span of a {len(text)}-char text")
            continue
        piece = text[start:end]
        if tight and piece != piece.strip():
            problems.append(f"{where}: {piece!r} has surrounding whitespace")
        if record is not None and "text" in record and record["text"] != piece:
            problems.append(f"{where}: text {record['text']!r} != text[{start}:{end}] {piece!r}")
    for c in data["characters"]:
        first = c["first_mention"]
        if first is not None and not 0 <= first < len(text):
            problems.append(f"characters[{c['id']}].first_mention {first} is outside the text")
    return problems


def order_problems(story: Story | dict[str, Any]) -> list[str]:
    """Lists that the contract says are in order and do not overlap, yet do."""
    data = as_json(story)
    problems = []
    for field in ORDERED_LISTS:
        records = data[field]
        for i, (before, after) in enumerate(pairwise(records)):
            if after["start"] < before["end"]:
                problems.append(f"{field}[{i + 1}] starts at {after['start']}, before {field}[{i}] ends")
    return problems


def id_problems(story: Story | dict[str, Any]) -> list[str]:
    """Character ids used outside `characters` that name no character."""
    data = as_json(story)
    known = {c["id"] for c in data["characters"]}
    used: list[tuple[str, str | None]] = [("pov.focal", data["pov"]["focal"])]
    for i, q in enumerate(data["quotes"]):
        used += [(f"quotes[{i}].speaker", q["speaker"])]
        used += [(f"quotes[{i}].addressees", a) for a in q["addressees"]]
    for i, s in enumerate(data["scenes"]):
        used += [(f"scenes[{i}].focal", s["focal"])]
        used += [(f"scenes[{i}].characters", c) for c in s["characters"]]
    for i, r in enumerate(data["relations"]):
        used += [(f"relations[{i}].source", r["source"]), (f"relations[{i}].target", r["target"])]
    return [f"{where}: {cid!r} is not a character id" for where, cid in used if cid and cid not in known]
