"""Coreference rules no learned weight can overrule (who may not be one person), and what a
pronoun or a speaker tag is shown of its candidates."""

from __future__ import annotations

from fabula.characters.coref import CorefModel, Resolver, _Cluster, describe, resolve
from fabula.characters.extract import story_mentions
from fabula.characters.mentions import Kind, Mention, QuoteSpan
from fabula.characters.names import cluster_names, parse_name
from test_characters import PARSON, groups, parsed_mentions, story_with


def test_mister_and_missus_stay_apart_whatever_full_name_both_fit() -> None:
    """ "Winnie Verloc" fits both "Mr Verloc" and "Mrs Verloc"; one person is not both."""
    names = ["Mr Verloc", "Mr Verloc", "Winnie Verloc", "Mrs Verloc", "Verloc"]
    ids = cluster_names([parse_name(n) for n in names])
    assert ids[0] != ids[3]
    clustered = groups(["Mrs. Wilcox", "Mr. Wilcox", "Charles Wilcox", "Mr. Wilcox"])
    assert not any({"Mrs. Wilcox", "Mr. Wilcox"} <= group for group in clustered)


def test_a_full_name_both_titles_fit_goes_to_neither() -> None:
    """Which of Mr. and Mrs. Kronborg "Peter Kronborg" is, the titles cannot say; with one
    titled Kronborg only, the title joins the full name."""
    clustered = groups(["Peter Kronborg", "Mr. Kronborg", "Mrs. Kronborg", "Mrs. Kronborg"])
    assert {"Peter Kronborg"} in clustered and {"Mr. Kronborg"} in clustered
    assert groups(["Peter Kronborg", "Mr. Kronborg"]) == [{"Mr. Kronborg", "Peter Kronborg"}]


def offered(mentions: list[Mention], text: str) -> dict[str, list[list[list[str]]]]:
    """For each mention, the surfaces of the clusters it may join, every mention starting its own."""
    seen: dict[str, list[list[list[str]]]] = {}

    def decide(i: int, scored: list[tuple[_Cluster, list[str]]], new: list[str]) -> _Cluster | None:
        choices = [[mentions[j].text for j in cluster.members] for cluster, _ in scored]
        seen.setdefault(mentions[i].text, []).append(choices)
        return None

    Resolver(mentions, text=text).run(decide)
    return seen


def test_an_indefinite_description_brings_in_someone_new() -> None:
    """ "a doctor" is not the doctor who was out; "Bond, a farrier" (apposition) may be Bond."""
    text = "Tom sent for the doctor. The doctor was out. Later a doctor came to the door. He knocked."
    spans: list[tuple[str, Kind, str, int]] = [
        ("Tom", "PROP", "subj", 1),
        ("the doctor", "NOM", "obl", 3),
        ("The doctor", "NOM", "subj", 7),
        ("a doctor", "NOM", "subj", 13),
        ("He", "PRON", "subj", 18),
    ]
    mentions = parsed_mentions(text, spans)
    for mention in mentions[1:4]:
        mention.label = "PER"  # as the entity tagger marks descriptions of people
    ids = resolve(mentions, text=text)
    assert ids[1] == ids[2] != ids[3]
    assert ids[3] != ids[0] and ids[4] == ids[3]

    text = "Bond, a farrier, looked at the horse."
    spans = [("Bond", "PROP", "subj", 4), ("a farrier", "NOM", "appos", 0)]
    assert offered(parsed_mentions(text, spans), text)["a farrier"] == [[["Bond"]]]


def test_a_name_the_text_calls_he_may_not_join_a_woman() -> None:
    """Henry is "he" (the pronoun after him can only mean him), so neither the old woman nor
    "She" is a candidate for his name; the boy is."""
    text = "The old woman kissed the boy. She wept. Henry walked away. He never looked back."
    spans: list[tuple[str, Kind, str, int]] = [
        ("The old woman", "NOM", "subj", 3),
        ("the boy", "NOM", "obj", 3),
        ("She", "PRON", "subj", 7),
        ("Henry", "PROP", "subj", 11),
        ("He", "PRON", "subj", 17),
    ]
    mentions = parsed_mentions(text, spans)
    choices = offered(mentions, text)["Henry"][0]
    assert ["the boy"] in choices
    assert choices == [["the boy"]]


def test_she_in_narration_is_never_offered_a_man() -> None:
    """ "the boy" is "he" by his noun, so "She" may only be the old woman, however near he is."""
    text = "The old woman kissed the boy. She wept."
    spans: list[tuple[str, Kind, str, int]] = [
        ("The old woman", "NOM", "subj", 2),
        ("the boy", "NOM", "obj", 2),
        ("She", "PRON", "subj", 7),
    ]
    assert offered(parsed_mentions(text, spans), text)["She"] == [[["The old woman"]]]


def last_features(text: str, spans: list[tuple[str, Kind, str, int]]) -> list[list[str]]:
    """The features of each candidate of the last mention (most recent first), every pronoun
    before it joining the first mention's cluster and every other mention starting its own."""
    mentions = parsed_mentions(text, spans)
    features: list[list[str]] = []

    def decide(i: int, scored: list[tuple[_Cluster, list[str]]], new: list[str]) -> _Cluster | None:
        if i == len(mentions) - 1:
            features.extend(f for _, f in scored)
        first = [c for c, _ in scored if 0 in c.members]
        return first[0] if first and mentions[i].kind == "PRON" else None

    Resolver(mentions, text=text).run(decide)
    return features


def test_a_pronoun_sees_how_present_each_candidate_has_been() -> None:
    """Salience: Arthur, "he" sentence after sentence, against the grocer named once just now.
    "I" in narration points at the narrator whatever was said lately: no such feature."""
    text = (
        "Arthur kept the lamp. He climbed the steps. He lit the wick. He watched the sea. "
        "The grocer waved at him from the gate. He went down."
    )
    spans: list[tuple[str, Kind, str, int]] = [
        ("Arthur", "PROP", "subj", 1),
        ("He", "PRON", "subj", 5),
        ("He", "PRON", "subj", 10),
        ("He", "PRON", "subj", 15),
        ("The grocer", "NOM", "subj", 21),
        ("him", "PRON", "obl", 21),
        ("He", "PRON", "subj", 30),
    ]
    arthur, grocer = last_features(text, spans)  # most recent first: "him" joined Arthur
    assert "he|busy1" in grocer and "he|busy4" in arthur
    spans = [("I", "PRON", "subj", 1), ("Tom", "PROP", "obj", 1), ("I", "PRON", "subj", 5)]
    for candidate in last_features("I saw Tom. I ran.", spans):
        assert not any("busy" in f for f in candidate)


def test_an_office_before_a_name_is_a_mans_but_a_bare_office_waits() -> None:
    """ "Parson Tringham" is "he", so that "The clergyman" (a man by his noun) finds the parson's
    cluster among the gender-agreeing ones; a bare "the parson" is not, since as "he" it joined
    whichever man was last in view when no "an old parson" came before it (LitBank's Tess)."""
    for name in ("Parson Tringham", "Vicar Pryce"):
        assert describe(Mention(0, len(name), name, "PROP", 0)).gender == "he"
    for office in ("The vicar", "the parson", "a curate"):
        assert describe(Mention(0, len(office), office, "NOM", 0)).gender == ""
    assert describe(Mention(0, 9, "the widow", "NOM", 0)).gender == "she"


def test_a_speaker_tag_knows_who_spoke_before_a_paragraph_of_narration() -> None:
    """ "said he" after "The clergyman explained ...": Durbeyfield spoke the turn before the
    narration and the parson the one before that; the paragraph between does not hide either."""
    story = story_with(PARSON, ["Jack Durbeyfield", "Durbeyfield", "the parson", "The clergyman"])
    mentions, quotes = story_mentions(story)
    said_he = next(i for i, m in enumerate(mentions) if m.text == "he" and m.start > PARSON.index("said he"))
    seen: dict[str, list[str]] = {}

    def decide(i: int, scored: list[tuple[_Cluster, list[str]]], new: list[str]) -> _Cluster | None:
        if i == said_he:
            seen.update((mentions[c.members[0]].text, f) for c, f in scored)
        names = [c for c, _ in scored if mentions[c.members[0]].text == mentions[i].text]
        return names[0] if names else None

    Resolver(mentions, quotes, text=PARSON).run(decide)
    assert "he|cue_turn-1_past_narration" in seen["Jack Durbeyfield"]
    assert "he|cue_turn-2_past_narration" in seen["the parson"]


def test_no_weight_puts_a_woman_in_a_mans_cluster() -> None:
    """A model that would join anything to the latest cluster still keeps "The lady" off Mr. Bingley
    (a man by his title) and off Tom (a man by his pronouns), a "She" in a quote off its speaker and
    "She" off the city just named."""
    eager = CorefModel({"NOM|r0": 10.0, "sheq|r0": 10.0, "he|r0": 10.0})
    text = "Mr. Bingley bowed. The lady smiled."
    spans: list[tuple[str, Kind, str, int]] = [
        ("Mr. Bingley", "PROP", "subj", 2),
        ("The lady", "NOM", "subj", 6),
    ]
    ids = resolve(parsed_mentions(text, spans), text=text, model=eager)
    assert ids[0] != ids[1]
    text = "Tom bowed; he smiled. The lady laughed."
    spans = [("Tom", "PROP", "subj", 1), ("he", "PRON", "subj", 4), ("The lady", "NOM", "subj", 8)]
    ids = resolve(parsed_mentions(text, spans), text=text, model=eager)
    assert ids[0] == ids[1] != ids[2]
    text = "“She is late,” said Mr. Bingley."
    mentions = [
        Mention(1, 4, "She", "PRON", 0, None, 0, 0),
        Mention(20, 31, "Mr. Bingley", "PROP", 0, "PER", -1, 0),
    ]
    ids = resolve(mentions, [QuoteSpan(0, 15, 0, 0, 0)], text=text, model=eager)
    assert ids[0] != ids[1]
    text = "Carrie saw the great city. She wept."
    spans = [("Carrie", "PROP", "subj", 1), ("the great city", "NOM", "obj", 1), ("She", "PRON", "subj", 7)]
    mentions = parsed_mentions(text, spans)
    mentions[1].label = "GPE"
    ids = resolve(mentions, text=text, model=CorefModel({"she|r0": 10.0}))
    assert ids[1] != ids[2]


def test_no_weight_makes_a_name_the_narration_brings_in_its_narrator() -> None:
    """A model that would join anything to the latest cluster still keeps "Old Cotter" off the
    "I" who tells the story, as it does "my cousin, John Herncastle"; the narrator's own name is
    said as one ("My name is Ruth Hale", "I, Ruth Hale, ...")."""
    eager = CorefModel({"PROP|r0": 10.0, "1sg|narrator": 10.0})
    text = "It frightened me. Old Cotter sat by the fire when I came down."
    spans: list[tuple[str, Kind, str, int]] = [("me", "PRON", "obj", 1), ("Old Cotter", "PROP", "subj", 5)]
    spans += [("I", "PRON", "subj", 12)]
    ids = resolve(parsed_mentions(text, spans), text=text, model=eager)
    assert ids[0] == ids[2] != ids[1]
    text = "I refused my cousin, John Herncastle."
    spans = [("I", "PRON", "subj", 1), ("my", "PRON", "poss", 3), ("John Herncastle", "PROP", "appos", 3)]
    ids = resolve(parsed_mentions(text, spans), text=text, model=eager)
    assert ids[0] == ids[1] != ids[2]
    text = "I, Ruth Hale, was born in York."
    spans = [("I", "PRON", "subj", 5), ("Ruth Hale", "PROP", "appos", 0)]
    ids = resolve(parsed_mentions(text, spans), text=text, model=eager)
    assert ids[0] == ids[1]


def test_a_name_always_beside_a_rival_hears_its_gender_from_the_pronouns_after_it() -> None:
    """Her mother is in every sentence pair, so no "She" can only mean Mara; but each "She"
    follows Mara as the subject before it, five times over: Mara is "she", though no title
    or first-name list says so. Four times is too few to be sure."""
    scene = "Her mother watched. Mara rose. She left. "
    spans: list[tuple[str, Kind, str, int]] = [
        ("Her mother", "NOM", "subj", 2),
        ("Mara", "PROP", "subj", 1),
        ("She", "PRON", "subj", 1),
    ]

    def genders(times: int) -> dict[str, str]:
        text = scene * times
        mentions = parsed_mentions(text, spans * times)
        resolver = Resolver(mentions, text=text)
        resolver.run(lambda i, scored, new: None)
        return {
            m.text: resolver.cluster_of[i].majority(resolver.cluster_of[i].genders)
            for i, m in enumerate(mentions)
        }

    assert genders(5)["Mara"] == "she"
    assert genders(4)["Mara"] == "none"
