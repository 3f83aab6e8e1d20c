"""The JSON contract: committed schema, documentation and model agree, and JSON round-trips."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import fabula
from conftest import DEMO_STORY, REPO
from fabula.story import (
    SCHEMA_VERSION,
    AuthorNote,
    Chapter,
    Character,
    Entity,
    PointOfView,
    Quote,
    Relation,
    Scene,
    Span,
    Story,
    json_schema,
)
from spans import id_problems, order_problems, span_problems

SCHEMA_FILE = REPO / "docs" / "story.schema.json"
CONTRACT_DOC = REPO / "docs" / "json-contract.md"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def _span(text: str, phrase: str) -> dict[str, int]:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase)}


@pytest.fixture
def full_story() -> Story:
    """Every field filled, with text beyond the BMP so code-point offsets are put to the test."""
    text = "A/N: Disclaimer: not mine 🙂\n\n# One\n\n“Tea?” asked Rhiannon 🫖. Bram nodded.\n"
    note = _span(text, "A/N: Disclaimer: not mine 🙂")
    quote = _span(text, "Tea?")
    rhiannon = _span(text, "Rhiannon")
    bram = _span(text, "Bram")
    body = _span(text, "“Tea?” asked Rhiannon 🫖. Bram nodded.")
    return Story(
        text=text,
        author_notes=[AuthorNote(**note, text=text[note["start"] : note["end"]], kind="disclaimer")],
        chapters=[Chapter(start=text.index("# One"), end=len(text) - 1, title="One")],
        scenes=[Scene(**body, characters=["rh", "br"], focal="rh", pov="third", places=[], time_cues=[])],
        paragraphs=[Span(**body)],
        sentences=[Span(**_span(text, "“Tea?” asked Rhiannon 🫖.")), Span(**_span(text, "Bram nodded."))],
        entities=[
            Entity(**rhiannon, label="PER", text="Rhiannon", kind="PROP"),
            Entity(**bram, label="PER", text="Bram", kind="PROP"),
        ],
        characters=[
            Character(
                id="rh",
                name="Rhiannon",
                gender="she",
                mention_count=1,
                mentions=[(rhiannon["start"], rhiannon["end"])],
                first_mention=rhiannon["start"],
                agent=["ask"],
            ),
            Character(id="br", name="Bram", mention_count=1, mentions=[(bram["start"], bram["end"])]),
        ],
        quotes=[Quote(**quote, text="Tea?", speaker="rh", addressees=["br"], attribution="explicit")],
        pov=PointOfView(person="third", focal="rh", tense="past"),
        relations=[Relation(source="rh", target="br", type="interaction", evidence=[Span(**body)])],
        tags=[{"type": "character", "tag": "Rhiannon", "confidence": 1.0}],
    )


def test_committed_schema_matches_the_model() -> None:
    """`make schema` regenerates docs/story.schema.json; this fails if someone forgot to."""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json_schema()


def test_full_story_validates_and_round_trips(full_story: Story, schema: dict[str, Any]) -> None:
    jsonschema.validate(json.loads(full_story.to_json()), schema)
    again = Story.from_json(full_story.to_json())
    assert again == full_story
    assert again.slice(again.quotes[0]) == "Tea?"
    assert not span_problems(full_story) + order_problems(full_story) + id_problems(full_story)


def test_compact_json_round_trips(full_story: Story) -> None:
    assert Story.from_json(full_story.to_json(indent=None)) == full_story


def test_save_and_load(full_story: Story, tmp_path: Path) -> None:
    path = tmp_path / "story.json"
    full_story.save(path)
    assert Story.load(path) == full_story


def test_schema_rejects_unknown_keys_and_negative_offsets(full_story: Story, schema: dict[str, Any]) -> None:
    data = json.loads(full_story.to_json())
    data["quotes"][0]["voice"] = "loud"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    data = json.loads(full_story.to_json())
    data["sentences"][0]["start"] = -1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_ingest_only_output_is_valid(schema: dict[str, Any]) -> None:
    """Stages that have not run leave defaults, and the result still meets the contract."""
    story = fabula.read(DEMO_STORY)
    jsonschema.validate(json.loads(story.to_json()), schema)
    assert not span_problems(story)
    assert Story.from_json(story.to_json()) == story


def _documented_example() -> dict[str, Any]:
    doc = CONTRACT_DOC.read_text(encoding="utf-8")
    block = re.search(r"## Example\n.*?```json\n(.*?)```", doc, re.DOTALL)
    assert block, "docs/json-contract.md lost its example"
    data: dict[str, Any] = json.loads(block.group(1))
    return data


def test_documented_example_is_valid(schema: dict[str, Any]) -> None:
    example = _documented_example()
    jsonschema.validate(example, schema)
    assert example["schema_version"] == SCHEMA_VERSION
    assert not span_problems(Story.model_validate(example))
    assert not id_problems(Story.model_validate(example))


def test_doc_names_the_current_version_and_every_field() -> None:
    doc = CONTRACT_DOC.read_text(encoding="utf-8")
    assert f"currently **{SCHEMA_VERSION}**" in doc
    documented = set(re.findall(r"`([a-z_]+)`", doc))
    schema = json_schema()
    fields = set(schema["properties"])
    for definition in schema["$defs"].values():
        fields |= set(definition["properties"])
    assert fields - documented == set()


def test_span_checks_catch_broken_spans(full_story: Story) -> None:
    """The checker the other tests rely on does find each kind of fault."""
    data = json.loads(full_story.to_json())
    data["quotes"][0]["text"] = "Coffee?"
    data["entities"][0]["start"] -= 1
    data["characters"][1]["mentions"] = [[0, 10_000]]
    data["sentences"].append({"start": 5, "end": 5})
    data["paragraphs"].insert(0, dict(data["paragraphs"][0]))
    data["relations"][0]["target"] = "nobody"
    problems = span_problems(data)
    assert any(p.startswith("quotes[0]: text") for p in problems)
    assert any(p.startswith("entities[0]") and "whitespace" in p for p in problems)
    assert any(p.startswith("characters[br].mentions") for p in problems)
    assert any(p.startswith("sentences[2]") for p in problems)
    assert len(problems) == 5  # the shifted entity is both untight and a wrong copy
    assert order_problems(data) == [
        f"paragraphs[1] starts at {data['paragraphs'][1]['start']}, before paragraphs[0] ends",
        "sentences[2] starts at 5, before sentences[1] ends",
    ]
    assert id_problems(data) == ["relations[0].target: 'nobody' is not a character id"]
