"""The relations stage: interaction network, typed relations with evidence, tags, graph export."""

from __future__ import annotations

import io

import networkx as nx
import pytest

from fabula.export.graph import render_graph, to_gexf, to_graphml
from fabula.narrative import run as narrative
from fabula.relations import run as relations
from fabula.relations.interactions import KIND_WEIGHTS, network
from fabula.story import Relation, Story
from test_narrative import fixture, story_from

MARRIAGE_CAST = {
    "Mara Vance": ["Mara Vance", "Mara", "Her", "her"],
    "Jon Hale": ["Jon Hale", "Jon", "him", "his"],
    "Ada": ["Ada"],
    "Mr. Pryce": ["Mr. Pryce"],
    "Tom": ["Tom"],
    "Lou": ["Lou"],
}


def analysed(story: Story) -> Story:
    return relations(narrative(story))


def typed(story: Story) -> dict[tuple[frozenset[str], str], Relation]:
    return {(frozenset((r.source, r.target)), r.type): r for r in story.relations if r.type != "interaction"}


@pytest.fixture(scope="module")
def marriage() -> Story:
    return analysed(story_from(fixture("marriage_divorce.txt"), MARRIAGE_CAST))


def test_each_relation_type_is_found_with_its_evidence(marriage: Story) -> None:
    found = typed(marriage)
    expected = {
        ("mara_vance", "jon_hale", "spouse"): "married",
        ("mara_vance", "jon_hale", "ex"): "divorced",
        ("mara_vance", "ada", "friend"): "best friend",
        ("mara_vance", "lou", "family"): "sister",
        ("jon_hale", "tom", "family"): "brother",
        ("lou", "tom", "enemy"): "hated",
        ("ada", "mr._pryce", "colleague"): "boss",
    }
    assert set(found) == {(frozenset((a, b)), kind) for a, b, kind in expected}
    for (a, b, kind), word in expected.items():
        relation = found[frozenset((a, b)), kind]
        assert any(word in marriage.slice(span) for span in relation.evidence), (kind, word)
        assert relation.confidence is not None and 0.5 <= relation.confidence <= 1


def test_marriage_then_divorce_keeps_both_but_tags_the_latest_state(marriage: Story) -> None:
    tags = {t["tag"]: t for t in marriage.tags if t["type"] == "relationship"}
    assert "Mara Vance/Jon Hale" not in tags
    assert tags["Mara Vance & Ada"]["kind"] == "platonic"
    spouse = typed(marriage)[frozenset(("mara_vance", "jon_hale")), "spouse"]
    ex = typed(marriage)[frozenset(("mara_vance", "jon_hale")), "ex"]
    assert spouse.evidence[0].start < ex.evidence[0].start


def test_a_remarriage_after_the_divorce_is_tagged_romantic() -> None:
    text = "Ruth divorced Abel in the spring. Two years passed. In the end Ruth married Abel again."
    story = analysed(story_from(text, {"Ruth": ["Ruth"], "Abel": ["Abel"]}))
    romantic = [t for t in story.tags if t["type"] == "relationship"]
    assert romantic == [{"type": "relationship", "tag": "Ruth/Abel", "kind": "romantic", "confidence": 0.7}]


def test_character_tags_rank_by_prominence(marriage: Story) -> None:
    names = [t["tag"] for t in marriage.tags if t["type"] == "character"]
    assert names[:2] == ["Mara Vance", "Jon Hale"]
    assert all(t["confidence"] <= 1 for t in marriage.tags)


def test_my_in_a_quote_is_the_speaker_and_ex_marks_a_separation() -> None:
    text = "“This is Nora, my ex-wife,” said Ben. Nora did not smile."
    story = analysed(story_from(text, {"Ben": ["Ben"], "Nora": ["Nora"]}, quotes=[(text[:29], "Ben", [])]))
    assert set(typed(story)) == {(frozenset(("ben", "nora")), "ex")}


def test_possessor_pronoun_falls_back_to_the_nearest_character_of_that_gender() -> None:
    text = "Mara came in with Jon. Her brother Tom followed."
    cast = {"Mara": ["Mara"], "Jon": ["Jon"], "Tom": ["Tom"]}
    story = analysed(story_from(text, cast, genders={"Mara": "she", "Jon": "he", "Tom": "he"}))
    assert set(typed(story)) == {(frozenset(("mara", "tom")), "family")}


def test_negated_and_unrelated_sentences_make_no_relation() -> None:
    text = "Mara never married Jon. Mara left the room, and Jon watched the sea."
    story = analysed(story_from(text, {"Mara": ["Mara"], "Jon": ["Jon"]}))
    assert typed(story) == {}


def test_a_paragraph_of_two_people_lends_them_to_a_divorce_that_names_neither() -> None:
    text = "“His name was Dorian,” Ilse said. “He was kind. The divorce came through in the spring.”"
    story = analysed(story_from(text, {"Ilse": ["Ilse"], "Dorian": ["Dorian", "His", "He"]}))
    (relation,) = typed(story).values()
    assert (relation.type, relation.confidence) == ("ex", 0.4)


def test_interaction_weights_by_kind() -> None:
    text = "“Come in,” Mara said to Jon.\n\nJon sat. Ada watched from the door.\n\n* * *\n\nAda left."
    cast = {"Mara": ["Mara"], "Jon": ["Jon"], "Ada": ["Ada"]}
    story = narrative(story_from(text, cast, quotes=[("“Come in,”", "Mara", ["Jon"])]))
    edges = network(story)
    mara_jon = edges["jon", "mara"]
    assert (mara_jon.dialogue, mara_jon.co_mention, mara_jon.co_presence) == (1, 1, 1)
    assert (
        mara_jon.weight == KIND_WEIGHTS["dialogue"] + KIND_WEIGHTS["co_mention"] + KIND_WEIGHTS["co_presence"]
    )
    assert (edges["ada", "jon"].co_mention, edges["ada", "jon"].co_presence) == (0, 1)
    interactions = [r for r in relations(story).relations if r.type == "interaction"]
    first = interactions[0]
    assert (first.source, first.target, first.confidence) == ("jon", "mara", 1.0)
    assert story.slice(interactions[0].evidence[0]) == "“Come in,”"


def test_stage_with_no_characters_writes_nothing() -> None:
    text = fixture("first_person.txt")
    quote = text[text.index("“You’re late") : text.index(" she said")]
    story = analysed(story_from(text, quotes=[(quote, "Aunt Bea", ["Nell"])]))
    assert (story.relations, story.tags) == ([], [])


def test_graph_exports_parse_back_with_attributes(marriage: Story) -> None:
    mara = marriage.character("mara_vance")
    assert mara is not None
    gexf = nx.read_gexf(io.BytesIO(to_gexf(marriage).encode()))
    graphml = nx.read_graphml(io.BytesIO(to_graphml(marriage).encode()))
    for g in (gexf, graphml):
        assert g.number_of_nodes() == len(marriage.characters)
        assert g.nodes["mara_vance"]["name"] == "Mara Vance"
        assert g.nodes["mara_vance"]["mentions"] == len(mara.mentions) > 0
        edge = g.edges["mara_vance", "jon_hale"]
        assert edge["weight"] > g.edges["ada", "tom"]["weight"] > 0
        assert set(edge["relations"].split(";")) == {"spouse", "ex"}
    assert render_graph(marriage, "gexf").startswith("<?xml")
    assert "graphml" in render_graph(marriage, "graphml")


@pytest.mark.parametrize(
    ("text", "pair", "kind"),
    [
        ("Jon, her husband, held the door for Mara.", ("mara", "jon"), "spouse"),
        (
            "The stranger was Jon. Jon was her husband, after all, and Mara knew it.",
            ("mara", "jon"),
            "spouse",
        ),
        ("Ada and Tom were best friends.", ("ada", "tom"), "friend"),
        ("Mara, the daughter of Lord Ash, kept the lamp.", ("mara", "lord_ash"), "family"),
        ("Mara kissed Jon on the stairs.", ("mara", "jon"), "romantic"),
        ("Tom worked alongside Ada at the mill.", ("ada", "tom"), "colleague"),
    ],
)
def test_rule_routes(text: str, pair: tuple[str, str], kind: str) -> None:
    cast = {"Mara": ["Mara", "her"], "Jon": ["Jon"], "Ada": ["Ada"], "Tom": ["Tom"], "Lord Ash": ["Lord Ash"]}
    assert set(typed(analysed(story_from(text, cast)))) == {(frozenset(pair), kind)}


def test_your_in_a_quote_is_the_addressee() -> None:
    text = "“Your brother Tom is here,” said Ada to Mara."
    quote = text[: text.index(" said")]
    story = analysed(
        story_from(
            text, {"Mara": ["Mara"], "Tom": ["Tom"], "Ada": ["Ada"]}, quotes=[(quote, "Ada", ["Mara"])]
        )
    )
    assert (frozenset(("mara", "tom")), "family") in typed(story)


def test_wishes_make_no_relation() -> None:
    text = "Mara hoped to be married to Jon by spring. Ada would have kissed Tom."
    story = analysed(story_from(text, {"Mara": ["Mara"], "Jon": ["Jon"], "Ada": ["Ada"], "Tom": ["Tom"]}))
    assert typed(story) == {}
