"""The characters stage: name clustering, coreference on hand-built stories, gender, profiles."""

from __future__ import annotations

import re

import pytest

from fabula.characters import run
from fabula.characters.coref import resolve
from fabula.characters.extract import story_mentions
from fabula.characters.mentions import Kind, Mention, QuoteSpan, pronoun, quote_spans
from fabula.characters.names import canonical, cluster_names, parse_name
from fabula.characters.profiles import build_characters, is_cast_member
from fabula.characters.relatives import name_relatives, settle_relatives
from fabula.characters.vocatives import name_the_addressed
from fabula.pipeline import get_stage
from fabula.story import Character, Entity, Scene, Story
from parsed import token_table


def groups(names: list[str]) -> list[set[str]]:
    ids = cluster_names([parse_name(n) for n in names])
    out: dict[int, set[str]] = {}
    for name, gid in zip(names, ids, strict=True):
        out.setdefault(gid, set()).add(name)
    return sorted(out.values(), key=lambda g: sorted(g))


def test_tom_sawyer_names_are_one_person() -> None:
    names = ["Tom", "Tom Sawyer", "Mr. Sawyer", "Thomas Sawyer", "Huck", "Huckleberry Finn"]
    assert groups(names) == [
        {"Huck", "Huckleberry Finn"},
        {"Tom", "Tom Sawyer", "Mr. Sawyer", "Thomas Sawyer"},
    ]
    assert canonical(["Tom", "Tom Sawyer", "Mr. Sawyer", "Thomas Sawyer", "Tom Sawyer"]) == "Tom Sawyer"


def test_a_description_before_a_name_is_not_part_of_it() -> None:
    """The tagger's name spans may open with description: "plain Jack Durbeyfield" is John's."""
    names = ["John Durbeyfield", "plain Jack Durbeyfield", "old Tom Jarndyce", "Tom Jarndyce", "the lad"]
    assert groups(names) == [
        {"John Durbeyfield", "plain Jack Durbeyfield"},
        {"Tom Jarndyce", "old Tom Jarndyce"},
        {"the lad"},
    ]
    shown = canonical(["plain Jack Durbeyfield", "plain Jack Durbeyfield", "Jack Durbeyfield"])
    assert shown == "Jack Durbeyfield"


def test_an_office_is_a_title_also_in_dialect() -> None:
    """ "Pa'son" (as tokenized corpora write it, "Pa ' son") is "Parson": one person, not three."""
    names = ["Parson Tringham", "Pa ' son Tringham", "Pa'son Tringham", "John Durbeyfield", "Tringham"]
    assert groups(names) == [
        {"John Durbeyfield"},
        {"Parson Tringham", "Pa ' son Tringham", "Pa'son Tringham", "Tringham"},
    ]
    assert parse_name("Pa ' son Tringham").honorific == "parson"
    # An apostrophe that elides no title stays inside the name.
    assert parse_name("O ' Brien") == parse_name("O'Brien")
    assert parse_name("O'Brien").tokens == ("o'brien",)


def test_the_marches_stay_apart_from_meg_and_her_mother() -> None:
    names = ["Meg", "Margaret March", "Miss March", "Jo", "Josephine March", "the Marches", "Mrs. March"]
    clustered = groups(names)
    assert {"Meg", "Margaret March", "Miss March"} in clustered
    assert {"Jo", "Josephine March"} in clustered
    assert {"the Marches"} in clustered
    assert {"Mrs. March"} in clustered


def test_titles_keep_husband_and_wife_apart() -> None:
    assert groups(["Mr. Bennet", "Mrs. Bennet", "Elizabeth Bennet", "Lizzy", "Jane Bennet"]) == [
        {"Elizabeth Bennet", "Lizzy"},
        {"Jane Bennet"},
        {"Mr. Bennet"},
        {"Mrs. Bennet"},
    ]


def test_pronoun_lexicon_and_reader_insert() -> None:
    assert pronoun("Herself") is not None and pronoun("Herself").gender == "she"  # type: ignore[union-attr]
    assert pronoun("Y/N") is not None and pronoun("Y/N").person == 2  # type: ignore[union-attr]
    assert pronoun("Tom") is None


def test_quote_spans_follow_the_document_convention() -> None:
    text = "“Hi,” said Tom. “I am here.\n\n“Still talking,” he said.\n\nNo quote 'here'."
    found = [text[s:e] for s, e in quote_spans(text, [text.index("“Still"), text.index("No quote")])]
    assert found == ["“Hi,”", "“I am here.", "“Still talking,”"]
    single = "'Oh, you must not,' said he. 'Don't.'"
    assert [single[s:e] for s, e in quote_spans(single)] == ["'Oh, you must not,'", "'Don't.'"]


DETERMINERS = {"a", "an", "the", "my", "her", "his", "our", "your", "their"}


def story_with(text: str, people: list[str], other: dict[str, str] | None = None) -> Story:
    """A story as the language layer would leave it: PER mentions for `people`, pronouns, others."""
    entities = []
    for surface in people:
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            proper = surface[0].isupper() and surface.split()[0].lower() not in DETERMINERS
            kind = "PROP" if proper else "NOM"
            entities.append(
                Entity(start=match.start(), end=match.end(), label="PER", text=surface, kind=kind)
            )
    for surface, label in (other or {}).items():
        for match in re.finditer(re.escape(surface), text):
            entities.append(
                Entity(start=match.start(), end=match.end(), label=label, text=surface, kind="NOM")
            )
    for match in re.finditer(r"\b(?:he|him|his|she|her|I|me|my|you|your)\b", text, re.IGNORECASE):
        entities.append(
            Entity(start=match.start(), end=match.end(), label="PER", text=match.group(), kind="PRON")
        )
    entities.sort(key=lambda e: (e.start, -e.end))
    paragraphs = [m.span() for m in re.finditer(r"[^\n]+", text)]
    from fabula.story import Span

    return Story(text=text, entities=entities, paragraphs=[Span(start=s, end=e) for s, e in paragraphs])


def character_at(story: Story, surface: str, nth: int = 0) -> Character:
    starts = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", story.text)]
    start = starts[nth]
    found = [c for c in story.characters if (start, start + len(surface)) in c.mentions]
    assert found, f"{surface!r} #{nth} is linked to no character"
    return found[0]


HUSBAND = """Clara Penrose had married late. Her husband, Arthur Penrose, kept the lighthouse on the point.
Every evening he climbed the hundred steps and lit the lamp. He never missed a night.
In winter he wrapped his hands in wool, and his breath froze on the glass.
Clara watched the beam from the cottage. She knew he was up there, counting ships.
When the storm came he stayed at the lamp until dawn, and she waited for him by the fire."""


def test_husband_named_once_is_he_for_paragraphs() -> None:
    story = run(story_with(HUSBAND, ["Clara Penrose", "Her husband", "Arthur Penrose", "Clara"]))
    arthur = character_at(story, "Arthur Penrose")
    clara = character_at(story, "Clara Penrose")
    assert arthur is not clara
    for nth in range(4):
        assert character_at(story, "he", nth) is arthur
    assert character_at(story, "He") is arthur
    assert character_at(story, "She") is clara
    assert character_at(story, "him") is arthur
    assert arthur.gender == "he" and clara.gender == "she"
    assert arthur.name == "Arthur Penrose"


PARSON = """Jack Durbeyfield, the haggler, was walking home when he was met by an old parson on a gray mare.
“Good night, Sir John,” said the parson.
“Why do you call me that?” asked Durbeyfield.
“I am Parson Tringham, the antiquary, and I have found that you are a knight,” said the parson.
“And how long has this news about me been known, Pa'son Tringham?” asked Durbeyfield.
The clergyman explained that it had quite died out of knowledge.
“I thought you might know something of it,” said he."""


PARSON_PEOPLE = ["Jack Durbeyfield", "the haggler", "an old parson", "the parson", "Parson Tringham"]
PARSON_PEOPLE += ["Pa'son Tringham", "Durbeyfield", "The clergyman", "the antiquary", "Sir John"]


def test_the_clergyman_hailed_in_dialect_is_the_parson() -> None:
    """ "Pa'son Tringham" is Parson Tringham, so "The clergyman" who answers the hail is the
    parson, not Durbeyfield who spoke last."""
    story = run(story_with(PARSON, PARSON_PEOPLE))
    parson = character_at(story, "Parson Tringham")
    assert parson is not character_at(story, "Jack Durbeyfield")
    for surface in ("an old parson", "the parson", "Pa'son Tringham", "The clergyman"):
        assert character_at(story, surface) is parson, surface


@pytest.mark.xfail(strict=True, reason="known miss, docs/characters.md: 'said he' after narration")
def test_said_he_after_the_clergyman_explains_is_the_parson() -> None:
    """The narration between the turns is the parson's ("The clergyman explained ..."), so the
    turn after it is his too. Coreference and the quotes stage both give it to Durbeyfield, who
    spoke the turn before: in LitBank a tag pronoun after narration is more often the last
    speaker, and whose subject that narration has did not help as a feature (docs)."""
    story = get_stage("quotes")(run(story_with(PARSON, PARSON_PEOPLE)))
    parson = character_at(story, "Parson Tringham")
    assert character_at(story, "he", 1) is parson
    assert story.quotes[-1].speaker == parson.id


def test_gender_comes_from_pronouns_not_the_name() -> None:
    text = (
        "Sue Marlowe rode into town at noon. He tied his horse to the rail and looked around.\n"
        "Nobody greeted him. Sue had been gone for ten years, and he had changed."
    )
    story = run(story_with(text, ["Sue Marlowe", "Sue"]))
    sue = character_at(story, "Sue Marlowe")
    assert character_at(story, "Sue") is sue
    assert sue.gender == "he"


def test_a_gendered_noun_gives_an_unnamed_character_a_gender() -> None:
    # "her mother" is never called "she" here, yet the text says who she is; "the clerk" does not.
    text = (
        "Ilse Brandt wrote to her mother every week. Her mother never answered.\n\n"
        "The clerk yawned. The clerk slept."
    )
    story = run(story_with(text, ["Ilse Brandt", "her mother", "Her mother", "The clerk"]))
    assert character_at(story, "Her mother").gender == "she"
    assert character_at(story, "The clerk").gender == "unknown"


STRANGER = """Rain hammered the shutters of the inn.
“Open the door,” said a stranger's voice from the dark yard.
Mara lifted the bar, and the stranger stepped inside, shaking the water from his coat.
“My name is Elias Thorn,” he said. “I have come a long way.”
Mara gave Elias Thorn the seat nearest the fire, and he thanked her."""


def test_a_strangers_voice_is_named_a_few_lines_later() -> None:
    story = run(
        story_with(STRANGER, ["a stranger", "Mara", "the stranger", "Elias Thorn"], {"the inn": "FAC"})
    )
    elias = character_at(story, "Elias Thorn")
    assert character_at(story, "Elias Thorn", 1) is elias
    assert character_at(story, "a stranger") is elias
    assert character_at(story, "he", 0) is elias
    assert character_at(story, "I") is elias
    assert character_at(story, "her") is character_at(story, "Mara")


NARRATOR = """I was seventeen the summer my uncle Walter died.
My mother cried for a week; I did not. I had met him twice.
“You will go to the funeral,” she told me, and I went.
I remember the heat, and the smell of lilies, and my own shoes pinching."""


def test_first_person_narrator_is_one_character() -> None:
    story = run(story_with(NARRATOR, ["my uncle Walter", "My mother"]))
    narrator = character_at(story, "I")
    mentions = {story.text[s:e] for s, e in narrator.mentions}
    assert {"I", "me", "my"} <= mentions
    assert character_at(story, "You") is narrator
    assert character_at(story, "she") is character_at(story, "My mother")
    assert narrator.name == "narrator (I)"


READER = """Y/N hurried down the corridor, books pressed to your chest.
You had promised Draco you would not be late again. Your heart was pounding.
Draco was already waiting at the door. He smirked when he saw you."""


def test_second_person_reader_insert() -> None:
    story = run(story_with(READER, ["Draco"]))
    reader = character_at(story, "Y/N")
    for surface in ("You", "your", "Your"):
        assert character_at(story, surface) is reader
    assert character_at(story, "you", 1) is reader
    assert reader.name == "Y/N"
    assert character_at(story, "He") is character_at(story, "Draco")


def test_stage_degrades_without_the_language_layer() -> None:
    text = (
        "Mr. Hale opened the shop at eight.\n\n"
        "At nine Anna Price came in. She wanted thread, and Mr. Hale sold her some.\n\n"
        "Anna thanked him and left."
    )
    story = Story(text=text, scenes=[Scene(start=0, end=34), Scene(start=36, end=len(text))])
    story = run(story)
    names = {c.name for c in story.characters}
    assert {"Mr. Hale", "Anna Price"} <= names
    anna = next(c for c in story.characters if c.name == "Anna Price")
    assert {"Anna", "She"} <= {text[s:e] for s, e in anna.mentions}
    assert anna.gender == "she"
    hale = next(c for c in story.characters if c.name == "Mr. Hale")
    assert story.scenes[0].characters == [hale.id]
    assert set(story.scenes[1].characters) == {hale.id, anna.id}
    assert anna.first_mention == text.index("Anna Price")


def test_a_capitalised_name_after_the_is_no_person() -> None:
    text = (
        "The wind came off the Grey Reach at dusk. Mr. Hale watched the Grey Reach from the tower.\n\n"
        "At nine Mr. Hale climbed down. Nobody on the Grey Reach saw him go."
    )
    names = {c.name for c in run(Story(text=text)).characters}
    assert "Mr. Hale" in names
    assert not any("Grey Reach" in name for name in names)


def test_core_on_hand_built_mentions_links_speaker_and_addressee() -> None:
    text = "“I am tired,” said Tom. “Then rest,” said Ann. “You work too hard.”"
    spans: list[tuple[str, Kind]] = [("I", "PRON"), ("Tom", "PROP"), ("Ann", "PROP"), ("You", "PRON")]
    mentions = []
    for surface, kind in spans:
        start = text.index(surface)
        mentions.append(
            Mention(start, start + len(surface), surface, kind, 0, "PER" if kind == "PROP" else None)
        )
    quote_marks = [(m.start(), m.end()) for m in re.finditer(r"“[^”]*”", text)]
    quotes = [QuoteSpan(s, e, 0, 0, p) for (s, e), p in zip(quote_marks, [0, 1, 1], strict=True)]
    paragraph = {0: 0, 1: 0, 2: 1, 3: 1}
    for n, mention in enumerate(mentions):
        mention.quote = next((i for i, (s, e) in enumerate(quote_marks) if s <= mention.start < e), -1)
        mention.paragraph = paragraph[n]
    ids = resolve(mentions, quotes, text=text)
    assert ids[0] == ids[1]  # "I" is Tom, who says it
    assert ids[2] != ids[1]
    assert ids[3] == ids[1]  # "You" is Tom, whom Ann answers


@pytest.mark.parametrize("name", ["the Bennets", "the Marches"])
def test_family_names_parse_as_groups(name: str) -> None:
    parsed = parse_name(name)
    assert parsed.group and parsed.tokens[-1] in {"bennet", "march"}


def test_profile_reads_agent_patient_possession_and_modifiers_from_the_parse() -> None:
    text = "Old Tom kicked Ann. Tom lost his hat."
    words = [
        ("Old", "ADJ", "amod", 1), ("Tom", "PROPN", "nsubj", 2), ("kicked", "VERB", "ROOT", 2),
        ("Ann", "PROPN", "obj", 2), (".", "PUNCT", "punct", 2), ("Tom", "PROPN", "nsubj", 6),
        ("lost", "VERB", "ROOT", 6), ("his", "PRON", "nmod:poss", 8), ("hat", "NOUN", "obj", 6),
        (".", "PUNCT", "punct", 6),
    ]  # fmt: skip
    story = story_with(text, ["Old Tom", "Tom", "Ann"])
    story._tokens = token_table(text, words, {"kicked": "kick", "lost": "lose"})
    story = run(story)
    tom, ann = character_at(story, "Old Tom"), character_at(story, "Ann")
    assert "his" in {text[s:e] for s, e in tom.mentions}
    assert (tom.agent, tom.possessions, tom.modifiers) == (["kick", "lose"], ["hat"], ["old"])
    assert (ann.agent, ann.patient) == ([], ["kick"])


def test_a_copula_makes_a_modifier_not_an_agent_verb() -> None:
    # UD heads "Ann was tired" by "tired", with "was" its copula: that is said of Ann, not done.
    text = "Ann was tired. Ann seemed glad. Ann slept."
    words = [
        ("Ann", "PROPN", "nsubj", 2), ("was", "AUX", "cop", 2), ("tired", "ADJ", "ROOT", 2),
        (".", "PUNCT", "punct", 2), ("Ann", "PROPN", "nsubj", 5), ("seemed", "VERB", "ROOT", 5),
        ("glad", "ADJ", "xcomp", 5), (".", "PUNCT", "punct", 5), ("Ann", "PROPN", "nsubj", 9),
        ("slept", "VERB", "ROOT", 9), (".", "PUNCT", "punct", 9),
    ]  # fmt: skip
    story = story_with(text, ["Ann"])
    story._tokens = token_table(text, words, {"was": "be", "seemed": "seem", "slept": "sleep"})
    ann = character_at(run(story), "Ann")
    assert (ann.agent, ann.modifiers) == (["seem", "sleep"], ["tired", "glad"])


def test_known_speakers_override_the_speaker_tag_guess() -> None:
    text = "“I am tired,” Ann told Tom."
    mentions = [
        Mention(2, 3, "I", "PRON", 0, None, 0, 0),
        Mention(14, 17, "Ann", "PROP", 0, "PER", -1, 0),
        Mention(23, 26, "Tom", "PROP", 0, "PER", -1, 0),
    ]
    quotes = [QuoteSpan(0, 13, 0, 0, 0)]
    guessed = resolve(mentions, quotes, text=text)
    told = resolve(mentions, quotes, speakers={0: 2}, text=text)
    assert guessed[0] == guessed[1]  # the tag's first person, Ann, says "I"
    assert told[0] == told[2] != told[1]


KIN = (
    "Mara married Jonah in May. Ilse came home late.\n"
    "Jonah poured tea from a pot that was a present from his sister.\n"
    "“Your husband is late,” Pell told Mara. Ilse smiled, and her brother Tom laughed."
)


def test_relational_descriptions_go_to_whom_the_text_says() -> None:
    story = story_with(
        KIN, ["Mara", "Jonah", "Ilse", "Pell", "Tom", "his sister", "Your husband", "her brother"]
    )
    mentions, _ = story_mentions(story)
    # Coreference's guesses: "his sister" joined to the last woman named, the others left alone.
    guess = {"Mara": 0, "Your": 0, "Jonah": 1, "his": 1, "Ilse": 2, "his sister": 2, "her": 2, "Pell": 3}
    guess |= {"Tom": 4, "Your husband": 5, "her brother": 6}
    clusters = [guess[m.text] for m in mentions]
    settled = dict(zip((m.text for m in mentions), settle_relatives(story, mentions, clusters), strict=False))
    assert settled["his sister"] not in {settled["Ilse"], settled["Jonah"]}  # nothing says who she is
    assert settled["Your husband"] == settled["Jonah"]  # Mara married Jonah; "your" is Mara
    assert settled["her brother"] == settled["Tom"]  # named in apposition


def test_a_contraction_opens_no_name() -> None:
    """ "I'm" is capitalised mid-sentence and never written "i'm": still no one's name."""
    text = 'He smiled at Mara. "Well, I\'m English, you know," said Mara. "And I\'m tired, and I\'m cold."'
    mentions, _ = story_mentions(Story(text=text))
    assert [m.text for m in mentions if m.kind == "PROP"] == ["Mara", "Mara"]


def test_a_mother_is_never_the_one_man_of_the_family_the_relations_know() -> None:
    """Tom is the only relative of Ilse's that the text names, but "Ilse's mother" is a woman."""
    text = "Ilse walked home with her brother Tom. He was tired.\nIlse's mother was waiting at the gate."
    story = story_with(text, ["Ilse", "Tom", "her brother", "Ilse's mother"])
    mentions, _ = story_mentions(story)
    guess = {"Ilse": 0, "her": 0, "her brother": 1, "Tom": 1, "He": 1, "Ilse's mother": 1}
    clusters = [guess[m.text] for m in mentions]
    settled = dict(zip((m.text for m in mentions), settle_relatives(story, mentions, clusters), strict=False))
    assert settled["her brother"] == settled["Tom"]
    assert settled["Ilse's mother"] not in {settled["Tom"], settled["Ilse"]}


def test_unnamed_relative_is_called_after_the_named_one() -> None:
    text = "Ilse Brandt left, as her mother told everyone. Her mother was proud."
    spans = {"Ilse Brandt": ["Ilse Brandt", "her"], "her mother": ["her mother", "Her mother"]}
    story = Story(text=text)
    for name, surfaces in spans.items():
        found = sorted({(text.index(x), text.index(x) + len(x)) for x in surfaces})
        story.characters.append(Character(id=name.replace(" ", "-"), name=name, mentions=found))
    name_relatives(story)
    assert [c.name for c in story.characters] == ["Ilse Brandt", "Ilse Brandt's mother"]
    assert story.characters[1].id == "ilse-brandt-s-mother"


def mention(text: str, surface: str, kind: Kind, quote: int = -1) -> Mention:
    start = text.rindex(surface)
    return Mention(start, start + len(surface), surface, kind, 0, "PER" if kind != "PRON" else None, quote)


def test_cast_leaves_out_groups_and_dialogue_pronouns_linked_to_no_one() -> None:
    text = "The vents were open; they rattled. “Let me in before I drown on your step, and I’ll show you.”"
    vents = [mention(text, "The vents", "NOM"), mention(text, "they", "PRON")]
    spoken_to = [mention(text, "your", "PRON", 0), mention(text, "you", "PRON", 0)]
    narrator = [mention(text, "your", "PRON"), mention(text, "you", "PRON")]
    assert not is_cast_member(vents)
    assert not is_cast_member(spoken_to)
    assert is_cast_member(narrator)  # the reader of a second-person story


def test_cast_leaves_out_quantifiers_and_hailed_groups_and_trusts_a_names_usual_type() -> None:
    text = "Nobody came from Varrow. “Ladies,” said Pell. Varrow was far. Nobody went to Varrow."
    entities = [
        Entity(start=text.index("Pell"), end=text.index("Pell") + 4, label="PER", text="Pell", kind="PROP")
    ]
    for surface, label, kind in (
        ("Nobody", "PER", "NOM"),
        ("Ladies", "PER", "PROP"),
        ("Varrow", "GPE", "PROP"),
    ):
        for n, found in enumerate(re.finditer(surface, text)):
            tag = "PER" if surface == "Varrow" and n == 1 else label
            entities.append(Entity(start=found.start(), end=found.end(), label=tag, text=surface, kind=kind))
    story = Story(text=text, entities=sorted(entities, key=lambda e: e.start))
    mentions, _ = story_mentions(story)
    # Coreference's clusters: each surface form together.
    surfaces = sorted({m.text for m in mentions})
    cast = build_characters(story, mentions, [surfaces.index(m.text) for m in mentions])
    assert [c.name for c in cast] == ["Pell"]


def test_a_name_heard_only_as_an_address_names_the_unnamed_one_addressed() -> None:
    text = "I came in. “You’re late, Nell,” said Bea. “Nell, sit.” I sat. “Bea, you fuss,” I said."
    mentions = [
        Mention(m.start(), m.end(), m.group(), "PRON" if pronoun(m.group()) else "PROP", 0, None, -1)
        for m in re.finditer(r"\b(?:I|You|you|Nell|Bea)\b", text)
    ]
    for mention in mentions:
        mention.quote = next(
            (n for n, q in enumerate(re.finditer(r"“[^”]*”", text)) if q.start() < mention.start < q.end()),
            -1,
        )
    # Coreference's clusters: the narrator's "I" and the "you" said to her; Nell and Bea apart.
    ids = {"I": 0, "You": 0, "Nell": 1, "Bea": 2, "you": 2}
    merged = name_the_addressed(text, mentions, [ids[m.text] for m in mentions])
    by_text = {m.text: c for m, c in zip(mentions, merged, strict=True)}
    assert by_text["Nell"] == by_text["I"]  # only ever hailed, in quotes that say "you" to the narrator
    assert by_text["Bea"] != by_text["I"]  # named in narration: a person of her own


def parsed_mentions(text: str, spans: list[tuple[str, Kind, str, int]]) -> list[Mention]:
    """Mentions of (surface, kind, role, governor token), found in order; a sentence ends at a full stop."""
    mentions, cursor = [], 0
    for surface, kind, role, governor in spans:
        start = text.index(surface, cursor)
        cursor = start + len(surface)
        sentence = text.count(".", 0, start)
        label = "PER" if kind == "PROP" else None
        mentions.append(Mention(start, cursor, surface, kind, sentence, label, role=role, governor=governor))
    return mentions


def test_a_pronoun_object_is_not_the_subject_of_its_own_verb() -> None:
    # In "Jon built her a house", "her" cannot be Jon (principle B), though Jon is the nearest candidate.
    text = "Mara met Jon. Jon built her a house."
    spans: list[tuple[str, Kind, str, int]] = [("Mara", "PROP", "subj", 1), ("Jon", "PROP", "obj", 1)]
    spans += [("Jon", "PROP", "subj", 4), ("her", "PRON", "obj", 4)]
    ids = resolve(parsed_mentions(text, spans), text=text)
    assert ids[1] == ids[2]
    assert ids[3] == ids[0] != ids[2]


def test_an_ambiguous_pronoun_does_not_fix_a_names_gender() -> None:
    # "his" follows Mara but could be Jon's; were it taken as evidence that Mara is "he", "her"
    # (not Jon: principle B) would find no one and "his" would join Mara.
    text = "Mara Vance married Jon Hale. Jon built her a house, and Mara kept the books for his boatyard."
    spans: list[tuple[str, Kind, str, int]] = [
        ("Mara Vance", "PROP", "subj", 2),
        ("Jon Hale", "PROP", "obj", 2),
    ]
    spans += [("Jon", "PROP", "subj", 7), ("her", "PRON", "obj", 7), ("Mara", "PROP", "subj", 14)]
    spans += [("his", "PRON", "poss", 19)]
    ids = resolve(parsed_mentions(text, spans), text=text)
    assert ids[3] == ids[4] == ids[0] != ids[1]
    assert ids[5] == ids[2] == ids[1]


def test_a_tagged_name_that_runs_over_a_verb_joins_no_one() -> None:
    """The tagger's "Winterbourne perceived Daisy" would otherwise fit both names and merge them."""
    text = (
        "Winterbourne waited at the hotel. Daisy came down late.\n"
        "One Sunday, Winterbourne perceived Daisy strolling about the church. Daisy waved."
    )
    story = run(story_with(text, ["Winterbourne perceived Daisy", "Winterbourne", "Daisy"]))
    assert character_at(story, "Winterbourne").id != character_at(story, "Daisy").id
    assert {c.name for c in story.characters} == {"Winterbourne", "Daisy"}


def test_a_title_inside_a_tagged_name_opens_a_second_name() -> None:
    """Where a dash between two names was lost, the tagger's one name is two women; a word
    before a title is no part of the name ("Charming Miss Lyle")."""
    text = (
        "Mrs. Harrow sat by the window. Miss Lyle read aloud.\n\n"
        "They went down together, Mrs. Harrow   Miss Lyle behind her, and Charming Miss Lyle smiled."
    )
    story = story_with(text, ["Mrs. Harrow   Miss Lyle", "Charming Miss Lyle", "Mrs. Harrow", "Miss Lyle"])
    spans = [(e.start, e.end) for e in story.entities]
    story.entities = [e for e in story.entities if not any(s <= e.start < e.end < t for s, t in spans)]
    story = run(story)
    assert {c.name for c in story.characters} == {"Mrs. Harrow", "Miss Lyle"}
    for name, times in (("Mrs. Harrow", 2), ("Miss Lyle", 3)):
        surfaces = [story.text[s:e] for s, e in character_at(story, name).mentions]
        assert surfaces.count(name) == times


def test_an_oath_is_no_character() -> None:
    text = (
        "“Oh my God,” Harry said. “You came back.”\n\n"
        "Hermione laughed. “Thank Heaven you're here. Good Lord, I was so worried about him.”"
    )
    story = run(story_with(text, ["my God", "Heaven", "Good Lord", "Harry", "Hermione"]))
    assert {c.name for c in story.characters} == {"Harry", "Hermione"}
    # A lord spoken to is someone.
    text = "“Yes, my lord,” said Harry."
    mentions, _ = story_mentions(story_with(text, ["my lord", "Harry"]))
    assert "my lord" in [m.text for m in mentions]


def test_a_pronoun_tagged_as_a_name_is_a_pronoun() -> None:
    text = "Tom came in from the rain. His hands shook, and His coat dripped on the floor."
    story = run(story_with(text, ["Tom", "His"]))
    assert {c.name for c in story.characters} == {"Tom"}
    assert len(character_at(story, "Tom").mentions) == 3


def test_a_name_after_a_possessive_is_no_name_of_the_owner() -> None:
    text = "Ronny came home late. Ronny's Baldeo had waited up, and Ronny thanked him."
    story = run(story_with(text, ["Ronny", "Ronny's Baldeo"]))
    assert character_at(story, "Ronny").name == "Ronny"


def test_a_first_name_heard_as_miss_keeps_mister_off_it() -> None:
    """ "Miss Minnie" is a woman, so "Mr. Beebe" is not "Minnie Beebe" (he is her uncle)."""
    assert groups(["Minnie Beebe", "Miss Minnie", "Mr. Beebe", "Minnie"]) == [
        {"Minnie Beebe", "Miss Minnie", "Minnie"},
        {"Mr. Beebe"},
    ]


def test_a_stray_capital_makes_no_name_but_will_stays_a_name_beside_will() -> None:
    text = (
        "“Jane?--Do you know what you do?” asked Mrs. Hale. “I do,” said Will.\n\n"
        "“Then do it,” she said; Do it now, she thought, as Will would do it.\n\n"
        "Will went out. “We will do what we can do,” said Mrs. Hale to Will. “Do you think "
        "they do as they say they do? They do not; they never do, and they never will,” said Will."
    )
    names = {c.name for c in run(Story(text=text)).characters}
    assert "Will" in names
    assert not any(name.startswith("Do") for name in names)


def test_a_cluster_is_shown_by_a_name_of_its_commonest_person() -> None:
    # A place merged once into a character's mentions is no name of hers, however long.
    assert canonical(["Lydia", "Lydia", "Lydia", "Rosings Park", "Lydia Bennet"]) == "Lydia Bennet"
    assert canonical(["Lydia", "Lydia", "Rosings Park"]) == "Lydia"
    # A name broken over two lines is the name, written on one.
    assert canonical(["Mr.\nWoodhouse", "Mr. Woodhouse"]) == "Mr. Woodhouse"


def test_a_rank_takes_a_surname_and_an_officers_wife_is_not_the_officer() -> None:
    names = ["Fitzwilliam Darcy", "Mr. Darcy", "Colonel Fitzwilliam", "Colonel Forster", "Mrs. Forster"]
    assert groups(names) == [
        {"Colonel Fitzwilliam"},
        {"Colonel Forster"},
        {"Fitzwilliam Darcy", "Mr. Darcy"},
        {"Mrs. Forster"},
    ]


def test_a_diminutive_is_not_the_one_called_by_title_and_full_first_name() -> None:
    # Sir Thomas's son is Tom; Lady Catherine is not Kitty, even with a stray bare "Catherine".
    names = ["Sir Thomas Bertram", "Sir Thomas", "Sir Thomas", "Tom Bertram", "Tom"]
    assert groups(names) == [{"Sir Thomas", "Sir Thomas Bertram"}, {"Tom", "Tom Bertram"}]
    # But a shorter "Sir John" may be Jack Durbeyfield, whom the parson calls so.
    assert groups(["Jack Durbeyfield", "Jack Durbeyfield", "Sir John"]) == [{"Jack Durbeyfield", "Sir John"}]
    names = ["Lady Catherine de Bourgh", "Lady Catherine", "Lady Catherine", "Catherine", "Kitty"]
    assert groups(names) == [{"Catherine", "Lady Catherine", "Lady Catherine de Bourgh"}, {"Kitty"}]


def test_a_bare_surname_is_the_husband_not_the_wife_known_as_mrs() -> None:
    # The landlady is named far more often, but narration calls only her husband "Hall".
    names = ["Mrs. Hall"] * 9 + ["Hall"] * 6 + ["Mr. Hall"] * 2
    assert groups(names) == [{"Hall", "Mr. Hall"}, {"Mrs. Hall"}]


def test_a_bare_surname_is_the_husband_not_a_woman_of_his_name() -> None:
    # "Tilda" is a woman's name (census), so "said Marsh" is Mr. Marsh, however often she is named.
    names = ["Tilda Marsh"] * 6 + ["Marsh"] * 3 + ["Mr. Marsh"] * 2
    assert groups(names) == [{"Marsh", "Mr. Marsh"}, {"Tilda Marsh"}]


def test_a_bare_surname_is_the_one_of_the_family_named_in_full_with_it() -> None:
    # Frank is named more often, but by his given name: "Oakley" alone is Maurice Oakley.
    names = ["Maurice Oakley"] * 3 + ["Maurice"] * 2 + ["Francis Oakley"] + ["Frank"] * 6 + ["Oakley"] * 4
    assert groups(names) == [{"Francis Oakley", "Frank"}, {"Maurice Oakley", "Maurice", "Oakley"}]
    # Where one of them is called by the surname alone already, the biggest group takes it.
    names = ["Mr. Knightley"] * 9 + ["John Knightley"] * 3 + ["George Knightley", "Knightley"]
    assert groups(names) == [{"George Knightley"}, {"John Knightley"}, {"Knightley", "Mr. Knightley"}]


def test_a_womans_given_name_keeps_mister_off_her_full_name() -> None:
    assert groups(["Maud Fenwick", "Maud", "Mr. Fenwick", "Fenwick"]) == [
        {"Fenwick", "Mr. Fenwick"},
        {"Maud", "Maud Fenwick"},
    ]


def test_a_noun_before_a_name_says_its_sex() -> None:
    assert parse_name("the woman Garrow").gender == "she"
    assert groups(["Owen Garrow", "Owen Garrow", "the woman Garrow"]) == [
        {"Owen Garrow"},
        {"the woman Garrow"},
    ]


def test_lady_with_a_surname_is_not_a_daughter_and_mister_not_the_baronet() -> None:
    """ "Lady Ashdown" is Sir Roland's wife, not Clara Ashdown (who is "Lady Clara" only with her
    own first name); "Mr. Ashdown" among several Ashdowns is none of the first-named ones."""
    names = [
        "Sir Roland Ashdown",
        "Clara Ashdown",
        "Clara Ashdown",
        "Lady Clara",
        "Lady Ashdown",
        "Mr. Ashdown",
    ]
    assert groups(names) == [
        {"Clara Ashdown", "Lady Clara"},
        {"Lady Ashdown"},
        {"Mr. Ashdown"},
        {"Sir Roland Ashdown"},
    ]


@pytest.mark.parametrize(
    ("text", "pronoun", "referent"),
    [
        ("Maud Fenwick and Tobias Crane walked up the lane from the mill.\n"
         "The lane ran over the brook to the farm.\nHe set the sack down on the wall.", "He", "Tobias Crane"),
        ("Tobias Crane met Maud Fenwick in the lane.\n"
         "The lane ran over the brook to the farm.\nShe set the basket down.", "She", "Maud Fenwick"),
    ],
)  # fmt: skip
def test_a_given_name_keeps_the_other_sex_off_a_name_no_pronoun_has_gendered(
    text: str, pronoun: str, referent: str
) -> None:
    """No pronoun has yet said who is who; "Maud" and "Tobias" (census) do, as a veto."""
    story = run(story_with(text, ["Tobias Crane", "Maud Fenwick"]))
    assert character_at(story, pronoun) is character_at(story, referent)


def test_an_officer_is_neither_his_sister_nor_another_of_his_family() -> None:
    names = ["Eleanor Tilney"] * 2 + ["Miss Tilney"] * 3 + ["Henry Tilney", "Captain Frederick Tilney"]
    names += ["Captain Tilney", "General Tilney"]
    assert groups(names) == [
        {"Captain Frederick Tilney", "Captain Tilney"},
        {"Eleanor Tilney", "Miss Tilney"},
        {"General Tilney"},
        {"Henry Tilney"},
    ]


def test_a_title_with_a_given_name_does_not_make_its_holder_the_family_head() -> None:
    """Howards End writes "Mr. Charles Wilcox" once; with a Paul Wilcox too, the bare "Mr.
    Wilcox" is neither son (it is their father, Henry) -- while one Lynde of her sex leaves
    "Mrs. Lynde" to Mrs. Rachel Lynde."""
    names = ["Charles Wilcox"] * 3 + ["Mr. Charles Wilcox", "Paul Wilcox"] + ["Mr. Wilcox"] * 5
    assert groups(names) == [{"Charles Wilcox", "Mr. Charles Wilcox"}, {"Mr. Wilcox"}, {"Paul Wilcox"}]
    names = ["Rachel Lynde", "Mrs. Rachel Lynde", "Thomas Lynde"] + ["Mrs. Lynde"] * 4
    assert groups(names) == [{"Mrs. Lynde", "Mrs. Rachel Lynde", "Rachel Lynde"}, {"Thomas Lynde"}]


def test_a_wife_called_by_her_husbands_given_name_leaves_him_a_man() -> None:
    """Persuasion's "Mrs Charles" is Charles Musgrove's wife: her title says nothing of the
    name "Charles", so "Mrs Charles Musgrove" does not join him."""
    names = ["Charles Musgrove"] * 5 + ["Mrs Charles Musgrove"] * 3 + ["Mrs Charles"] * 2
    assert {"Charles Musgrove"} in groups(names)
    assert {"Mrs Charles Musgrove"} in groups(names)


def test_a_given_name_goes_to_the_full_name_it_is_not_a_variant_of() -> None:
    """Mansfield Park's "Maria" is Maria Bertram, however often Mary Crawford (whose name it
    varies) is named; a variant still joins where no one holds the name itself."""
    names = ["Mary Crawford"] * 5 + ["Miss Crawford"] * 30 + ["Maria Bertram"] * 2 + ["Maria"] * 10
    assert {"Maria", "Maria Bertram"} in groups(names)
    assert {"Maria", "Mary Crawford"} in groups(["Mary Crawford", "Maria"])


def test_a_word_that_opens_the_sentence_is_no_part_of_a_name() -> None:
    """A tagger's "This Mr. Fielding" or "Opposite Aziz" is Mr. Fielding or Aziz, and the
    cluster is shown by the name itself."""
    assert parse_name("This Mr. Fielding") == parse_name("Mr. Fielding")
    assert parse_name("Opposite Aziz") == parse_name("Aziz")
    assert parse_name("Our little friend Harriet Smith").tokens == ("friend", "harriet", "smith")
    assert {"Cyril Fielding", "Fielding", "This Mr. Fielding"} in groups(
        ["Cyril Fielding", "Fielding", "Fielding", "This Mr. Fielding"]
    )
    assert canonical(["Opposite Aziz", "Aziz", "Dr. Aziz"]) == "Aziz"
    assert canonical(["Even Margaret", "Margaret", "Meg"]) == "Margaret"


GENERAL = """General Hale came down to breakfast late, and the house held its breath.
The maids had laid the table twice. Cook said nothing at all.
Catherine Moreland watched the door. At last the general sat down and opened his paper.
"The toast is cold," said the general."""


def test_the_rank_alone_is_the_one_character_who_holds_it() -> None:
    story = run(story_with(GENERAL, ["General Hale", "Catherine Moreland", "the general", "Cook"]))
    hale = character_at(story, "General Hale")
    assert character_at(story, "the general") is hale
    assert character_at(story, "the general", 1) is hale


def test_the_rank_alone_is_no_one_where_two_hold_it() -> None:
    text = GENERAL.replace("Catherine Moreland watched", "General Stone watched")
    story = run(story_with(text, ["General Hale", "General Stone", "the general", "Cook"]))
    generals = {character_at(story, "General Hale").id, character_at(story, "General Stone").id}
    linked = [
        c.id
        for c in story.characters
        if (text.index("the general"), text.index("the general") + 11) in c.mentions
    ]
    assert not set(linked) & generals


SIBLINGS = """Joe Hamilton came home late. He had been at the club again.
The street was dark and the lamps were out. Rain fell on the roofs of the town.
Joe Hamilton was a vain boy. He spent all his wages on collars.
The house was quiet. A clock ticked in the hall.
His sister Kitty Hamilton sat at the window. She had waited for hours.
Miss Hamilton said nothing when he came in."""


def test_a_man_the_pronouns_call_he_is_not_miss_of_his_surname() -> None:
    # Nothing in "Joe Hamilton" says he is a man but the "he" that follows him.
    story = run(story_with(SIBLINGS, ["Joe Hamilton", "Kitty Hamilton", "Miss Hamilton"]))
    joe = character_at(story, "Joe Hamilton")
    assert character_at(story, "Miss Hamilton") is not joe
    assert character_at(story, "Miss Hamilton") is character_at(story, "Kitty Hamilton")
    assert joe.gender == "he"
