"""The bundled demo story, analysed once by the default pipeline, meets the contract.

examples/README.md lists the phenomena the demo contains and the exact phrase for each;
tests locate them with `str.index`, never with hard-coded offsets.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

import fabula
from conftest import DEMO_STORY, REPO
from fabula.export import render
from fabula.story import Span, Story
from spans import id_problems, order_problems, span_problems

BREAKS = ("* * *", "~~~", "oOo")


@pytest.fixture(scope="module")
def story() -> Story:
    return fabula.analyze(DEMO_STORY)


@pytest.fixture(scope="module")
def data(story: Story) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(story.to_json())
    return parsed


def _inside(offset: int, span: Span) -> bool:
    return span.start <= offset < span.end


def _line(text: str, marker: str) -> int:
    """Offset of `marker` standing alone on a line."""
    match = re.search(rf"^{re.escape(marker)}$", text, re.MULTILINE)
    assert match, f"the demo lost its {marker!r} line"
    return match.start()


def test_readme_phrases_occur_in_the_demo() -> None:
    """Every phrase examples/README.md promises is in the file and in the ingested text."""
    file_text = DEMO_STORY.read_text(encoding="utf-8")
    story_text = fabula.read(DEMO_STORY).text
    phrases = []
    for row in (REPO / "examples" / "README.md").read_text(encoding="utf-8").splitlines():
        cells = row.split(" | ")
        if row.startswith("| ") and len(cells) == 3 and cells[0] != "| Phenomenon":
            phrases += re.findall(r"`([^`]+)`", cells[1])
    assert len(phrases) > 30
    assert [p for p in phrases if p not in file_text or p not in story_text] == []


def test_json_validates_against_the_committed_schema(data: dict[str, Any]) -> None:
    schema = json.loads((REPO / "docs" / "story.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)


def test_every_span_indexes_the_text(data: dict[str, Any]) -> None:
    assert span_problems(data) == []
    assert order_problems(data) == []


def test_analysed_story_round_trips(story: Story) -> None:
    """Equality covers the contract's fields; the language layer's private token table is not JSON."""
    assert Story.from_json(story.to_json()) == story


def test_every_character_id_resolves(data: dict[str, Any]) -> None:
    assert id_problems(data) == []


def test_metadata_from_the_front_matter(story: Story) -> None:
    assert story.metadata.title == "The Lamp at Corrow Point"
    assert story.metadata.author == "driftwood_quill"
    assert story.metadata.fandoms == ["The Saltglass Chronicles"]


def test_author_notes_are_found_and_kept_out_of_the_story(story: Story) -> None:
    disclaimers = [n for n in story.author_notes if n.kind == "disclaimer"]
    assert len(disclaimers) >= 1
    assert "I own nothing but the plot" in disclaimers[0].text
    closing = story.text.index("A/N: Thank you so much for reading!")
    assert any(_inside(closing, n) for n in story.author_notes)
    analysed: list[Span] = [*story.scenes, *story.sentences, *story.entities, *story.quotes]
    analysed += [Span(start=s, end=e) for c in story.characters for s, e in c.mentions]
    in_notes = [
        story.slice(s)[:40]
        for s in analysed
        for n in story.author_notes
        if s.start < n.end and n.start < s.end
    ]
    assert in_notes == []


def test_chapters(story: Story) -> None:
    assert [c.title for c in story.chapters] == ["Chapter 1: The Storm Lamp", "Chapter 2: Low Tide"]
    second = story.text.index("Chapter 2: Low Tide")
    assert story.chapters[0].end <= second <= story.chapters[1].start
    assert story.chapters[1].start <= story.text.index("The next morning")


def test_scenes_are_split_at_each_break_style(story: Story) -> None:
    assert len(story.scenes) >= 3
    assert len(story.scenes) == 5  # 2 in chapter 1, 3 in chapter 2 (examples/README.md)
    for marker in BREAKS:
        at = _line(story.text, marker)
        assert not any(_inside(at, s) for s in story.scenes), f"{marker!r} is inside a scene"
        assert any(s.end <= at for s in story.scenes) and any(s.start > at for s in story.scenes)


def test_first_scene_starts_after_the_opening_note(story: Story) -> None:
    note = next((n for n in story.author_notes if n.kind == "disclaimer"), None)
    assert note is not None and story.scenes
    first = story.scenes[0]
    assert first.start >= note.end
    assert first.start <= story.text.index("The wind came off the Grey Reach")
    assert "A/N" not in story.slice(first)


def test_a_tagged_quote_is_found_exactly(story: Story) -> None:
    phrase = "It’s the wick again,"  # the span leaves the quotation marks out
    start = story.text.index(phrase)
    assert any(q.start == start and q.end == start + len(phrase) for q in story.quotes)


def test_summary_renders_the_analysis(story: Story) -> None:
    out = render(story, "text")
    assert out.startswith("The Lamp at Corrow Point\nby driftwood_quill · The Saltglass Chronicles\n")
    assert f"{len(story.scenes)} scenes" in out


def test_readme_python_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's Python example runs as written, from the repository root."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Python\n\n```python\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md lost its Python example"
    monkeypatch.chdir(REPO)
    exec(compile(block.group(1), "README.md", "exec"), {})
    assert "The Lamp at Corrow Point 5 scenes" in capsys.readouterr().out
