"""The relations stage: interaction network, typed relations with evidence, tags, graph export."""

from __future__ import annotations

import io

import networkx as nx
import pytest

import fabula
from conftest import DEMO_STORY
from fabula.export.graph import render_graph, to_gexf, to_graphml
from fabula.narrative import run as narrative
from fabula.relations import run as relations
from fabula.relations.interactions import KIND_WEIGHTS, network
from fabula.story import Relation, Story
from test_narrative import FIXTURES, fixture, story_from

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
    # They talk a lot, but divorced is not platonic.
    assert "Mara Vance & Jon Hale" not in tags
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
    text = (
        "Mara hoped to be married to Jon by spring. Ada would have kissed Tom. "
        "Jon climbed the stairs as though he were courting Mara."
    )
    story = analysed(story_from(text, {"Mara": ["Mara"], "Jon": ["Jon"], "Ada": ["Ada"], "Tom": ["Tom"]}))
    assert typed(story) == {}


def test_in_dialogue_your_is_the_one_spoken_to_whatever_coreference_linked() -> None:
    text = "Jonah waited. “Your mother called,” said Mara to Ilse."
    cast = {
        "Jonah": ["Jonah", "“[Your] mother"],
        "Mara": ["Mara"],
        "Ilse": ["Ilse"],
        "Ann": ["[mother] called"],
    }
    story = analysed(story_from(text, cast, quotes=[("“Your mother called,”", "Mara", ["Ilse"])]))
    assert set(typed(story)) == {(frozenset(("ilse", "ann")), "family")}


def test_in_dialogue_i_is_the_speaker_whatever_coreference_linked() -> None:
    text = "Jonah left. “I married a clerk,” said Ilse. Dorian was the clerk."
    cast = {"Jonah": ["Jonah", "“[I] married"], "Ilse": ["Ilse"], "Dorian": ["Dorian", "married [a clerk]"]}
    story = analysed(story_from(text, cast, quotes=[("“I married a clerk,”", "Ilse", [])]))
    assert set(typed(story)) == {(frozenset(("ilse", "dorian")), "spouse")}


def test_a_possessor_is_not_the_subject_of_the_verb_after_its_noun() -> None:
    story = analysed(story_from("Mara's sister Lou hated Tom on sight.", {"Mara": ["Mara"], "Tom": ["Tom"]}))
    assert typed(story) == {}


def test_a_divorce_pairs_the_two_people_named_before_it_not_a_listener_after() -> None:
    text = "“His name was Dorian,” Ilse said. “The divorce came through in the spring. He writes, you know.”"
    cast = {"Ilse": ["Ilse"], "Dorian": ["Dorian", "“[His] name", "[He] writes"], "Mara": ["[you] know"]}
    assert set(typed(analysed(story_from(text, cast)))) == {(frozenset(("ilse", "dorian")), "ex")}


def test_a_first_person_narrators_aunt_is_family() -> None:
    text = "I walked up the path. Aunt Bea was waiting on the step, and I smiled at her."
    story = analysed(story_from(text, {"Nell": ["I"], "Aunt Bea": ["Aunt Bea"]}))
    assert story.pov.person == "first"
    assert set(typed(story)) == {(frozenset(("nell", "aunt_bea")), "family")}
    third = analysed(
        story_from(
            "Nell walked up the path. Aunt Bea was waiting.", {"Nell": ["Nell"], "Aunt Bea": ["Aunt Bea"]}
        )
    )
    assert typed(third) == {}


# -- The whole pipeline (entity tagger, coreference, quotes), not a hand-made cast ---------------


def by_name(story: Story) -> dict[tuple[frozenset[str], str], Relation]:
    """Typed relations keyed by the characters' names."""
    names = {c.id: c.name for c in story.characters}
    return {(frozenset((names[r.source], names[r.target])), r.type): r for r in typed(story).values()}


def relationship_tags(story: Story) -> dict[str, str]:
    return {t["tag"]: t["kind"] for t in story.tags if t["type"] == "relationship"}


def relations_named(*triples: tuple[str, str, str]) -> set[tuple[frozenset[str], str]]:
    return {(frozenset((a, b)), kind) for a, b, kind in triples}


@pytest.fixture(scope="module")
def demo() -> Story:
    return fabula.analyze(DEMO_STORY)


@pytest.fixture(scope="module")
def marriage_read() -> Story:
    return fabula.analyze(FIXTURES / "marriage_divorce.txt")


def test_demo_cast_is_people_only(demo: Story) -> None:
    names = {c.name for c in demo.characters}
    assert {"Mara Quell", "Jonah", "Ilse Brandt", "Dorian", "Pell"} <= names
    # A place, a verb, a quantifier, a group hailed as a whole, a relational description of Jonah,
    # an unlinked "you" in dialogue, a place the tagger once called a person.
    junk = {"the lower vents", "complain", "Nobody", "Ladies", "Your husband", "unnamed (your)", "Varrow"}
    assert not names & junk
    character_tags = {t["tag"] for t in demo.tags if t["type"] == "character"}
    assert character_tags <= names and not character_tags & junk
    jonah = next(c for c in demo.characters if c.name == "Jonah")
    husband = demo.text.index("Your husband")
    assert (husband, husband + len("Your husband")) in jonah.mentions
    sister = demo.text.index("his sister") + len("his ")
    assert not any(s <= sister < e for c in demo.characters for s, e in c.mentions)


ILSES_MOTHER = relations_named(("Ilse Brandt", "Ilse Brandt's mother", "family"))


def test_demo_relation_types_and_tags(demo: Story) -> None:
    assert set(by_name(demo)) - ILSES_MOTHER == relations_named(
        ("Mara Quell", "Jonah", "spouse"),
        ("Ilse Brandt", "Dorian", "spouse"),
        ("Ilse Brandt", "Dorian", "ex"),
    )
    tags = relationship_tags(demo)
    assert tags["Mara Quell/Jonah"] == "romantic"
    assert tags["Mara Quell & Ilse Brandt"] == "platonic"
    assert not [t for t in tags if "Dorian" in t and "/" in t]
    names = {c.name for c in demo.characters}
    assert all(set(t.replace("/", " & ").split(" & ")) <= names for t in tags)


def test_demo_names_ilse_brandts_mother(demo: Story) -> None:
    # Mara's "Your mother told half of Saltmere" is said to Ilse: the quote's addressee, not the
    # last man named, owns "Your", so it is the mother of Ilse's "her mother".
    assert set(by_name(demo)) >= ILSES_MOTHER


def test_demo_cast_has_no_role_or_group_of_its_own(demo: Story) -> None:
    names = {c.name for c in demo.characters}
    # "the harbourmaster said" is Pell ("He's still harbourmaster?"); "One of us" is no one.
    assert not names & {"harbourmaster", "the harbourmaster", "unnamed (us)"}
    assert names >= {"Mara Quell", "Jonah", "Ilse Brandt", "Pell", "Dorian", "Ilse Brandt's mother"}
    pell = next(c for c in demo.characters if c.name == "Pell")
    said = demo.text.index("“Twenty minutes. I") + len("“Twenty minutes. ")
    assert (said, said + 1) in pell.mentions  # the "I" of the harbourmaster's turn


MARRIAGE = relations_named(
    ("Mara Vance", "Jon Hale", "spouse"),
    ("Mara Vance", "Jon Hale", "ex"),
    ("Mara Vance", "Ada", "friend"),
    ("Mara Vance", "Lou", "family"),
    ("Jon Hale", "Tom", "family"),
    ("Lou", "Tom", "enemy"),
    ("Ada", "Mr. Pryce", "colleague"),
)


def test_marriage_fixture_through_the_pipeline(marriage_read: Story) -> None:
    assert {c.name for c in marriage_read.characters} == {
        "Mara Vance",
        "Jon Hale",
        "Ada",
        "Tom",
        "Lou",
        "Mr. Pryce",
    }
    found = by_name(marriage_read)
    assert set(found) >= MARRIAGE
    # "Mara's sister Lou hated Tom": the possessor is not the one who hates.
    assert (frozenset(("Mara Vance", "Tom")), "enemy") not in found
    tags = relationship_tags(marriage_read)
    assert "Mara Vance/Jon Hale" not in tags
    assert "Mara Vance & Jon Hale" not in tags
    assert tags["Mara Vance & Ada"] == tags["Mara Vance & Lou"] == "platonic"


def test_marriage_fixture_has_no_other_relation(marriage_read: Story) -> None:
    assert set(by_name(marriage_read)) == MARRIAGE


def test_first_person_fixture_names_the_narrator_and_her_relatives() -> None:
    story = fabula.analyze(FIXTURES / "first_person.txt")
    # "“You're late, Nell,” she said": the name Aunt Bea calls the narrator by is the narrator's.
    assert [c.name for c in story.characters] == ["Nell", "Aunt Bea", "Nell's mother"]
    assert story.pov.focal == story.characters[0].id
    assert set(by_name(story)) == relations_named(
        ("Nell", "Nell's mother", "family"), ("Nell", "Aunt Bea", "family")
    )
    assert relationship_tags(story) == {"Nell & Aunt Bea": "platonic", "Nell & Nell's mother": "platonic"}


def test_reader_insert_fixture_names_the_boy_and_types_nothing() -> None:
    story = fabula.analyze(FIXTURES / "reader_insert.txt")
    assert [c.name for c in story.characters] == ["Y/N", "Kai"]
    assert by_name(story) == {}
    assert relationship_tags(story) == {"Y/N & Kai": "platonic"}


def test_head_hopping_fixture_types_nothing() -> None:
    story = fabula.analyze(FIXTURES / "head_hopping.txt")
    assert {c.name for c in story.characters} == {"Mara", "Jon"}
    assert by_name(story) == {}
