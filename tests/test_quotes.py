"""The quotes stage on short texts: every dialogue style, the kinds, and the attribution sieve."""

from __future__ import annotations

import pytest

from fabula import ingest
from fabula.pipeline import get_stage
from fabula.quotes.attribute import attribute
from fabula.quotes.detect import find_quotes
from fabula.quotes.tags import tag_after
from fabula.story import AuthorNote, Character, Quote, Span, Story


def quotes_of(text: str, characters: list[Character] | None = None, **fields: object) -> list[Quote]:
    story = Story(text=text, characters=characters or [], **fields)
    return get_stage("quotes")(story).quotes


def texts(quotes: list[Quote]) -> list[str]:
    return [q.text for q in quotes]


MARA = Character(id="mara", name="Mara Voss", aliases=["Mara"], gender="she")
JON = Character(id="jon", name="Jon Reyes", aliases=["Jon"], gender="he")
ELI = Character(id="eli", name="Eli", gender="he")


# --- detection -----------------------------------------------------------------------------


def test_straight_and_curly_double_quotes_give_the_words_between_the_marks() -> None:
    text = 'He said, "Come in."\n\nShe answered, “Not tonight.”'
    quotes = quotes_of(text)
    assert texts(quotes) == ["Come in.", "Not tonight."]
    assert all(text[q.start : q.end] == q.text for q in quotes)


def test_british_single_quotes_are_told_from_apostrophes_and_elisions() -> None:
    text = (
        "'Tis a fine day for rock 'n' roll, and the dogs' tails were wagging.\n\n"
        "'It's the dogs' dinner,' said Mara, 'and don't you forget it.'\n\n"
        "'Come here,' Jon called. 'We'll be late.'"
    )
    assert texts(quotes_of(text)) == [
        "It's the dogs' dinner,",
        "and don't you forget it.",
        "Come here,",
        "We'll be late.",
    ]


def test_nested_quotes_stay_inside_the_outer_quote() -> None:
    double = "Jon laughed. \"She told me, 'Go home,' and I went.\""
    single = "'Where were you?' asked Mara.\n\nJon laughed. 'She told me, \"Go home,\" and I went.'"
    assert texts(quotes_of(double)) == ["She told me, 'Go home,' and I went."]
    assert texts(quotes_of(single)) == ["Where were you?", 'She told me, "Go home," and I went.']


def test_a_quote_over_several_paragraphs_is_one_span() -> None:
    text = (
        '"The first thing you should know is that the house is old.\n\n'
        '"The second is that it is ours," said Mara.\n\nJon nodded.'
    )
    (quote,) = quotes_of(text, [MARA, JON])
    assert quote.text.startswith("The first thing") and quote.text.endswith("it is ours,")
    assert quote.speaker == "mara"


def test_an_unclosed_quote_ends_with_its_paragraph_when_the_next_does_not_reopen() -> None:
    text = '"Wait for me, he begged.\n\nBut she was already gone.'
    assert texts(quotes_of(text)) == ["Wait for me, he begged."]


def test_a_quote_broken_by_its_tag_is_two_spans_with_one_speaker() -> None:
    text = 'Mara looked up. Jon was at the door.\n\n"Mara," said Jon, "come here."'
    quotes = quotes_of(text, [MARA, JON])
    assert texts(quotes) == ["Mara,", "come here."]
    assert {q.speaker for q in quotes} == {"jon"}
    assert all(q.attribution == "explicit" for q in quotes)
    assert all(q.addressees == ["mara"] for q in quotes)


def test_em_dash_dialogue() -> None:
    text = "Jon set down his cup.\n\n— Come here, — said Mara. — Now.\n\n—Why?"
    quotes = quotes_of(text, [MARA, JON])
    assert texts(quotes) == ["Come here,", "Now.", "Why?"]
    assert [q.speaker for q in quotes[:2]] == ["mara", "mara"]


def test_author_notes_are_never_read_for_quotes() -> None:
    note = 'A/N: "Thanks for reading!" says the author.\n\n'
    text = note + '"Hello," said Jon.'
    quotes = quotes_of(text, [JON], author_notes=[AuthorNote(start=0, end=len(note), text=note)])
    assert texts(quotes) == ["Hello,"]


def test_ingest_paragraphs_are_used_and_clipped_to_the_story() -> None:
    note = 'A/N: "Enjoy!"'
    text = note + '\n\n"One," said Jon. "Two."'
    story = Story(
        text=text,
        author_notes=[AuthorNote(start=0, end=len(note), text=note)],
        paragraphs=[Span(start=0, end=len(text))],  # a paragraph that swallowed the note
    )
    paras, found = find_quotes(story)
    assert paras == [(len(note) + 2, len(text))]
    assert [text[f.start : f.end] for f in found] == ["One,", "Two."]


def test_paragraphs_without_blank_lines_are_lines() -> None:
    paras, found = find_quotes(Story(text='"Yes," she said.\n"No," he said.'))
    assert len(paras) == 2
    assert [(f.paragraph, f.style) for f in found] == [(0, "double"), (1, "double")]


# --- kinds ---------------------------------------------------------------------------------


def test_scare_quotes_and_titles_are_other() -> None:
    text = (
        'Mara had moved to the city to "find herself" and read "War and Peace" twice. '
        'Her so-called "friends" never called. It was, in her words, "a bit much," and nobody argued.'
    )
    quotes = quotes_of(text, [MARA])
    assert [q.kind for q in quotes] == ["other", "other", "other", "other"]
    assert all(q.speaker is None and q.attribution == "none" for q in quotes)


def test_quoted_thought_is_thought() -> None:
    (quote,) = quotes_of('"He will never come back," Mara thought.', [MARA])
    assert (quote.kind, quote.speaker) == ("thought", "mara")


def test_unquoted_inner_speech_is_thought() -> None:
    text = "Mara stopped at the gate.\n\nGo back, she told herself. No. Not yet.\n\nShe walked on."
    quotes = quotes_of(text, [MARA, JON])
    assert texts(quotes) == ["Go back", "No. Not yet."]
    assert all(q.kind == "thought" and q.speaker == "mara" for q in quotes)


def test_a_letter_a_sign_and_a_text_message_are_written() -> None:
    text = (
        'The sign on the gate read: "NO ENTRY".\n\n'
        'Mara unfolded the note. It said, "Meet me at the mill."\n\n'
        '"Dear Jon,\nI have gone north. Do not follow me.\nMara," she wrote.\n\n'
        'Her phone buzzed with a text from Jon: "where r u"'
    )
    quotes = quotes_of(text, [MARA, JON])
    assert [q.kind for q in quotes] == ["written"] * 4
    assert quotes[2].speaker == "mara"


def test_speech_is_not_mistaken_for_other() -> None:
    text = 'Jon said "no" and left.\n\nMara shouted, "Wait!"'
    quotes = quotes_of(text, [MARA, JON])
    assert [q.kind for q in quotes] == ["speech", "speech"]


# --- attribution ---------------------------------------------------------------------------

CONVERSATION = """Mara found Jon in the kitchen.

"You're late," said Mara.

"The train was slow," he replied.

"It always is."

"Not always."

"Then why are you late, Jon?"

He shrugged.

"Because I stopped for bread," Jon said.
"""


def test_explicit_anaphoric_and_implicit_attribution() -> None:
    quotes = quotes_of(CONVERSATION, [MARA, JON])
    assert [(q.speaker, q.attribution) for q in quotes] == [
        ("mara", "explicit"),
        ("jon", "anaphoric"),
        ("mara", "implicit"),
        ("jon", "implicit"),
        ("mara", "implicit"),
        ("jon", "explicit"),
    ]


def test_addressees_are_vocatives_else_the_other_participant() -> None:
    quotes = quotes_of(CONVERSATION, [MARA, JON])
    assert quotes[0].addressees == ["jon"]
    assert quotes[1].addressees == ["mara"]
    assert quotes[4].addressees == ["jon"]


def test_no_conversation_runs_across_a_scene_break() -> None:
    text = (
        "“Where were you?” Mara asked.\n\n“Out,” said Jon.\n\n* * *\n\n"
        "Eli unlocked the shop at dawn.\n\n“Coffee first,” said Eli.\n\n“Then the till.”"
    )
    story = ingest.from_text(text)
    story.characters = [MARA, JON, ELI]
    quotes = get_stage("quotes")(story).quotes
    assert [q.speaker for q in quotes[:3]] == ["mara", "jon", "eli"]
    assert quotes[1].addressees == ["mara"]
    assert quotes[3].speaker != "jon"
    assert not {"mara", "jon"} & {a for q in quotes[2:] for a in q.addressees}


def test_a_conversation_runs_on_into_the_next_chapter() -> None:
    text = (
        "Chapter 1\n\n“Tell me everything,” said Jon.\n\n“It began in the winter,” said Eli.\n\n"
        "Chapter 2\n\n“Go on.”\n\n“I had no money.”"
    )
    story = ingest.from_text(text)
    story.characters = [JON, ELI]
    assert len(story.chapters) == 2
    quotes = get_stage("quotes")(story).quotes
    assert [q.speaker for q in quotes] == ["jon", "eli", "jon", "eli"]


def test_pronoun_tags_without_coreference_take_the_nearest_character_of_that_gender() -> None:
    text = 'Eli came in with Mara. She frowned at him.\n\n"You again," she said.'
    (quote,) = quotes_of(text, [MARA, ELI])
    assert (quote.speaker, quote.attribution) == ("mara", "anaphoric")


def test_coreference_links_from_the_characters_stage_name_a_description_tags_speaker() -> None:
    text = 'Mara and Lena came in.\n\n"Hello," said the girl.'
    girl = text.index("the girl")
    lena = Character(id="lena", name="Lena", gender="she", mentions=[(9, 13), (girl, girl + 8)])
    (quote,) = quotes_of(text, [MARA, lena])
    assert quote.speaker == "lena"


def test_a_pronoun_tag_follows_the_scene_not_one_coreference_link() -> None:
    text = 'Mara turned to Lena at last.\n\n"You are late," she said.'
    pronoun = text.index("she")
    lena = Character(id="lena", name="Lena", gender="she", mentions=[(15, 19), (pronoun, pronoun + 3)])
    story = Story(text=text, characters=[MARA, lena])
    assert [q.speaker for q in attribute(story)] == ["mara"]
    # The characters stage's own draft keeps its link, so that "I" and "you" follow its clusters.
    assert [q.speaker for q in attribute(story, pronoun_links=True)] == ["lena"]


def test_a_voice_nobody_names_stays_unattributed() -> None:
    text = 'Mara waited by the window.\n\n"Mara," said a low voice from the doorway, "come here."'
    quotes = quotes_of(text, [MARA, JON])
    assert [q.speaker for q in quotes] == [None, None]
    voice = text.index("a low voice")
    jon = Character(id="jon", name="Jon", gender="he", mentions=[(voice, voice + 11)])
    assert [q.speaker for q in quotes_of(text, [MARA, jon])] == ["jon", "jon"]


def test_a_paragraph_about_one_character_gives_its_quote_a_speaker() -> None:
    text = 'Mara sat down.\n\nJon poured the tea and pushed a cup across. "Drink."'
    (quote,) = quotes_of(text, [MARA, JON])
    assert (quote.speaker, quote.attribution) == ("jon", "explicit")


def test_a_tag_in_the_paragraph_before_hands_over_to_the_quote() -> None:
    text = 'Jon turned to the window and said, without looking at her,\n\n"It is snowing."'
    (quote,) = quotes_of(text, [MARA, JON])
    assert quote.speaker == "jon"


def test_whole_pipeline_runs_without_language_or_characters() -> None:
    story = get_stage("quotes")(Story(text='"Hi," said Jon.'))
    assert texts(story.quotes) == ["Hi,"]
    assert story.quotes[0].speaker is None


# --- attribution rules without coreference (each one a sieve step of attribute.py) ----------

LENA = Character(id="lena", name="Lena Hart", aliases=["Lena"], gender="she")
TOM = Character(id="tom", name="Tom", gender="he")


def sieve_quotes_of(text: str, characters: list[Character]) -> list[Quote]:
    """The sieve alone, without the learned ranker the stage runs after it."""
    return attribute(Story(text=text, characters=characters))


def test_a_pronoun_continues_the_subject_not_the_last_woman_named() -> None:
    text = (
        "Lena could keep nothing from Mara, and she ran to her at once.\n\n"
        '"It is too much," she added. "I do not deserve it."'
    )
    quotes = sieve_quotes_of(text, [MARA, LENA])
    assert {q.speaker for q in quotes} == {"lena"}
    assert quotes[0].attribution == "anaphoric"


def test_a_gendered_description_resolves_like_a_pronoun() -> None:
    text = 'Mara sat by the fire with Jon.\n\n"We shall have snow," said her husband.'
    (quote,) = sieve_quotes_of(text, [MARA, JON])
    assert (quote.speaker, quote.attribution) == ("jon", "anaphoric")


def test_her_mother_is_not_the_woman_her_refers_to() -> None:
    text = 'Lena talked with Mara for an hour.\n\nLena came home late.\n\n"Where were you?" asked her mother.'
    (quote,) = sieve_quotes_of(text, [MARA, LENA])
    assert quote.speaker == "mara"


def test_a_description_is_not_matched_to_a_name_by_one_shared_word() -> None:
    stranger = Character(id="hump", name="The Hump-backed Man", gender="he")
    text = 'Jon knocked at the door. The lock turned.\n\n"Who is it?" said the man.'
    (quote,) = sieve_quotes_of(text, [stranger, JON])
    assert quote.speaker == "jon"


def test_a_shared_name_is_the_character_named_last() -> None:
    walter = Character(id="walter", name="Sir Walter Elliot", aliases=["Sir Walter", "Walter"], gender="he")
    boy = Character(id="little", name="Walter Musgrove", aliases=["Walter"], gender="he")
    text = (
        "Sir Walter Elliot sat in the library.\n\n"
        '"Come here," said Walter.\n\n'
        "Later Walter Musgrove ran in from the garden.\n\n"
        '"Look!" said Walter.'
    )
    assert [q.speaker for q in sieve_quotes_of(text, [walter, boy])] == ["walter", "little"]


def test_a_name_a_pronoun_tag_calls_is_not_its_speaker() -> None:
    text = 'Mara and Lena stood at the gate.\n\n"Lena, wait for me!" she cried.'
    (quote,) = sieve_quotes_of(text, [MARA, LENA])
    assert quote.speaker == "mara"


def test_a_pronoun_in_a_strict_exchange_takes_the_speaker_two_turns_back() -> None:
    text = (
        "Lena and Mara walked in silence until Mara spoke.\n\n"
        '"Are you cold?" asked Lena.\n\n'
        '"Not at all," said Mara.\n\n'
        '"I am," she said.'
    )
    quotes = sieve_quotes_of(text, [MARA, LENA])
    assert [q.speaker for q in quotes] == ["lena", "mara", "lena"]


def test_a_new_conversation_opens_with_whoever_the_narration_left_on_stage() -> None:
    text = (
        'Mara went out. Later, Jon came in to find Lena waiting, and Lena stood up.\n\n"You are late again."'
    )
    (quote,) = sieve_quotes_of(text, [MARA, JON, LENA])
    assert (quote.speaker, quote.attribution) == ("lena", "implicit")


def test_turn_taking_is_repaired_backwards_from_a_tag() -> None:
    text = (
        "Jon waited at the station.\n\n"
        '"You came," said Jon.\n\n'
        '"I did," said Mara.\n\n'
        '"But where are the children?"\n\n'
        '"With my sister," said Jon.'
    )
    quotes = sieve_quotes_of(text, [MARA, JON])
    assert [q.speaker for q in quotes] == ["jon", "mara", "mara", "jon"]


def test_a_pronoun_with_no_antecedent_falls_back_to_turn_taking() -> None:
    text = '"Nearly ready," said Mara.\n\n"Good," he said.\n\n"Come along then, Tom."'
    quotes = sieve_quotes_of(text, [MARA, TOM])
    assert [q.speaker for q in quotes] == ["mara", "tom", "mara"]


def test_a_lone_quote_takes_the_last_subject_of_the_narration_before_it() -> None:
    text = (
        'The rain stopped. Mara looked at the sky and Jon watched her.\n\nThe fields were grey.\n\n"At last."'
    )
    (quote,) = sieve_quotes_of(text, [MARA, JON])
    assert quote.speaker == "mara"


def test_words_swallowed_before_a_name_in_a_tag_are_skipped() -> None:
    text = 'Mara put down her book.\n\n"Well?" said the courteous Jon to Mara.'
    (quote,) = sieve_quotes_of(text, [MARA, JON])
    assert quote.speaker == "jon"


# --- tags and names (issue 5) ----------------------------------------------------------------

ANN = Character(id="ann", name="Ann Ward", aliases=["Ann"], gender="she")
HAL_PAGE = Character(id="hal-page", name="Hal Page", aliases=["Page"], gender="he")
HAL_ROSS = Character(id="hal-ross", name="Hal Ross", aliases=["Ross"], gender="he")


def test_a_given_name_two_characters_share_goes_to_the_one_named_last() -> None:
    """No listed form is plain 'Hal': between two Hals named as often, it is whichever the
    narration named last."""
    cast = [HAL_PAGE, HAL_ROSS, MARA]
    ross = 'Hal Page came by, and Page left. Then Hal Ross came in, and Ross sat.\n\n"Wet again," said Hal.'
    page = 'Hal Ross came by, and Ross left. Then Hal Page came in, and Page sat.\n\n"Dry at last," said Hal.'
    assert [q.speaker for q in quotes_of(ross, cast)] == ["hal-ross"]
    assert [q.speaker for q in quotes_of(page, cast)] == ["hal-page"]


def test_a_shared_given_name_is_the_one_the_narration_calls_least_by_other_names() -> None:
    """The narration keeps telling Hal Page apart by his surname, so bare 'Hal' is Hal Ross,
    though Hal Page was named last."""
    cast = [HAL_PAGE, HAL_ROSS, MARA]
    text = (
        "Hal Ross came in with Mara. Page followed, and Page sat down. Then Hal Page rose.\n\n"
        '"Let us go," said Hal.'
    )
    assert [q.speaker for q in quotes_of(text, cast)] == ["hal-ross"]


def test_a_given_name_listed_for_one_character_is_still_shared_with_another() -> None:
    """The cast lists bare 'Hal' for Hal Page alone, yet it is Hal Ross's given name too: the
    narration calls Hal Page by his surname, so 'said Hal' is Hal Ross."""
    listed = HAL_PAGE.model_copy(update={"aliases": ["Page", "Hal"]})
    text = (
        "Hal Ross came in with Mara. Page followed, and Page sat down. Then Hal Page rose.\n\n"
        '"Let us go," said Hal.'
    )
    assert [q.speaker for q in quotes_of(text, [listed, HAL_ROSS, MARA])] == ["hal-ross"]


def test_the_clause_nearest_the_quote_names_its_speaker() -> None:
    text = (
        "Ann protested that it was far too late, and Mara, always bolder, boldly exclaimed,\n"
        '"Then we go tonight!"'
    )
    assert [q.speaker for q in quotes_of(text, [ANN, MARA])] == ["mara"]


def test_the_main_clause_subject_hands_over_to_the_next_quote() -> None:
    """The pronoun of the clause before the comma is not who speaks ('she' would be Ann)."""
    text = (
        "Ann slept on in the chair.\n\n"
        "When she woke at noon, Mara had stopped planning, and leant out of the window, saying,\n\n"
        '"The hills are wonderful."'
    )
    assert [q.speaker for q in quotes_of(text, [ANN, MARA])] == ["mara"]


def test_a_speech_verb_with_a_particle_is_a_tag() -> None:
    text = (
        'Jon and Mara sat by the stove.\n\n"It will snow," said Jon.\n\n'
        'Jon frowned. "And the road will close," Mara went on.'
    )
    quotes = quotes_of(text, [JON, MARA])
    assert [(q.speaker, q.attribution) for q in quotes] == [("jon", "explicit"), ("mara", "explicit")]


@pytest.mark.parametrize(
    "tag",
    [
        "put in Mara, with a nod to Eli",  # 'in' is the verb's particle, not a preposition
        "implored Mara, looking hard at Jon",  # a less common speech verb
    ],
)
def test_a_tag_names_the_third_speaker_of_an_exchange(tag: str) -> None:
    """The tag names Mara rather than turn-taking giving the turn back to Jon."""
    text = (
        'Jon, Eli and Mara sat by the stove.\n\n"It will snow," said Jon.\n\n'
        f'"Then we stay," said Eli.\n\n"And the road will close," {tag}.'
    )
    quotes = attribute(Story(text=text, characters=[JON, ELI, MARA]))
    assert [(q.speaker, q.attribution) for q in quotes][2] == ("mara", "explicit")


def test_narration_that_stops_without_a_stop_hands_over_to_the_quote_after_it() -> None:
    """A text that lost its dashes ("said in a low voice—") leaves the clause unterminated."""
    text = 'Mara watched the door, and then Jon said in a low voice\n\n"We are not safe here."'
    assert [(q.speaker, q.attribution) for q in quotes_of(text, [JON, MARA])] == [("jon", "explicit")]


@pytest.mark.parametrize("verb", ["acquiesced", "proceeded", "remonstrated", "blurted", "quavered"])
def test_a_less_common_speech_verb_makes_a_tag(verb: str) -> None:
    text = f'"Then we stay," {verb} the old man.'
    tag = tag_after(text, text.index(",") + 2, len(text))
    assert tag is not None and tag.subject_text == "the old man"


def test_the_voice_of_a_named_character_is_that_characters() -> None:
    text = (
        'Mara, Jon and Eli sat in the dark.\n\n"Who is there?" asked Mara.\n\n'
        '"Not I," said Eli.\n\n"Only me," said the voice of Mr. Reyes.'
    )
    quotes = attribute(Story(text=text, characters=[MARA, JON, ELI]))
    assert [q.speaker for q in quotes] == ["mara", "eli", "jon"]


def test_a_lone_name_after_a_preposition_is_not_what_a_paragraph_is_about() -> None:
    """'He turned to Eli.' names only Eli, who listens: the sieve reads the 'He' instead."""
    text = (
        'Jon and Eli stood at the gate.\n\n"Is it locked?" asked Eli.\n\n"It is," said Jon.\n\n'
        'He turned to Eli. "But I have the key."'
    )
    quotes = attribute(Story(text=text, characters=[JON, ELI]))
    assert [(q.speaker, q.attribution) for q in quotes][2] == ("jon", "anaphoric")


def test_a_pronoun_tag_later_in_a_paragraph_takes_the_subject_named_since_its_first_tag() -> None:
    text = (
        'Jon and Eli ran for the train.\n\n"Wait!" cried Eli. He flung himself at the door, and Jon '
        'did likewise. "We made it," he called.'
    )
    assert [q.speaker for q in attribute(Story(text=text, characters=[JON, ELI]))] == ["eli", "jon"]


def test_a_he_tag_is_not_given_to_the_woman_a_later_tag_of_its_paragraph_names() -> None:
    """The paragraph's speaker is Mara, named by the last tag; 'said he' stays a man's."""
    text = (
        'Mara watched Jon at the piano.\n\n"That song," said he, "is too long." Mara smiled and said, "Hush."'
    )
    quotes = attribute(Story(text=text, characters=[MARA, JON]))
    assert [q.speaker for q in quotes] == ["jon", "jon", "mara"]


def test_a_title_alone_names_its_holder() -> None:
    """'Colonel' called by name is Colonel Hart, who answers."""
    hart = Character(id="hart", name="Colonel Hart", gender="he")
    text = (
        'Mara, Jon and Colonel Hart sat under the tree.\n\n"Will it rain, Colonel?" asked Mara.\n\n"It will."'
    )
    assert [q.speaker for q in attribute(Story(text=text, characters=[MARA, JON, hart]))] == ["mara", "hart"]


def test_a_name_after_the_and_an_epithet_opening_a_sentence_is_its_subject() -> None:
    """'The old Colonel went to the window.': he is the subject the pronoun tag continues."""
    hart = Character(id="hart", name="Colonel Hart", gender="he")
    text = (
        'Colonel Hart and Jon came in.\n\nJon sat down. The old Colonel went to the window. "Rain," he said.'
    )
    assert [q.speaker for q in attribute(Story(text=text, characters=[JON, hart]))] == ["hart"]


def test_a_pronoun_continues_a_subject_after_a_comma() -> None:
    text = (
        "Jon and Eli waited.\n\nAfter an hour, Eli walked over, though Jon had been first, and he "
        'said, "Come."'
    )
    assert [q.speaker for q in attribute(Story(text=text, characters=[JON, ELI]))] == ["eli"]


def test_the_object_of_a_preposition_is_no_speaker() -> None:
    """'after a moment said' is Jon's; 'a moment' is no indefinite voice that blocks him."""
    text = 'Mara waited. Jon stood by the door, and after a moment said, "I will go."'
    quotes = quotes_of(text, [JON, MARA])
    assert [q.speaker for q in quotes] == ["jon"]


def test_a_pronoun_after_a_pause_is_the_subject() -> None:
    text = 'Mara looked at Jon for a long while.\n\nAfter an impressive pause she said: "No."'
    quotes = quotes_of(text, [JON, MARA])
    assert [(q.speaker, q.attribution) for q in quotes] == [("mara", "anaphoric")]


def test_epithets_before_a_name_leave_the_name_the_speaker() -> None:
    text = (
        'Mara and Jon stood at the gate.\n\n"We are late," sighed ever-patient Mara.\n\n'
        '"Not yet," said the gallant Mr.\nReyes.'
    )
    quotes = quotes_of(text, [MARA, JON])
    assert [(q.speaker, q.attribution) for q in quotes] == [("mara", "explicit"), ("jon", "explicit")]


def test_a_description_named_character_is_read_past_its_preposition() -> None:
    """The tag pattern stops 'the man with the grey hat' at 'with'; the cast lists it whole."""
    hat = Character(id="hat", name="The Man With The Grey Hat", gender="he")
    man = Character(id="man", name="The Man", gender="he")
    text = 'Jon waited.\n\n"Tickets, please," said the man with the grey hat, and Jon paid.'
    assert [q.speaker for q in quotes_of(text, [JON, hat, man])] == ["hat"]


def test_a_short_tag_between_two_parts_is_the_second_parts_too() -> None:
    """'returned' is a speech verb too, but Ann coming back does not speak the second part."""
    text = 'Ann went out.\n\n"I hope," said Jon, when Ann returned, "that nothing is wrong."'
    assert [q.speaker for q in quotes_of(text, [JON, ANN])] == ["jon", "jon"]


def test_narration_ending_on_a_speech_verb_introduces_the_next_paragraph() -> None:
    text = (
        '"Where is the carriage?" asked Jon.\n\n"It is coming," said Mara.\n\n'
        "There was a long silence, and then Ann said\n\n"
        '"It will not come at all."'
    )
    assert [q.speaker for q in quotes_of(text, [JON, MARA, ANN])] == ["jon", "mara", "ann"]


def test_a_wrapped_line_after_a_long_one_stays_in_its_paragraph() -> None:
    """Ingest reads a block with a line over 100 characters as a paragraph a line; where blank
    lines part all the other paragraphs, the tag on the next line still belongs to the quote."""
    turns = ['"Is it far?" asked Mara.', '"It is far," said Jon.'] * 5
    text = "\n\n".join(
        [
            "Jon, Ann and Mara walked on through the rain.",
            *turns,
            '"I walked all the night and all the day before it, over the hills and down through the wet'
            ' fields by the river and the mill,"\nsaid Ann.',
            "Mara said nothing.",
        ]
    )
    story = ingest.from_text(text)
    quotes = get_stage("quotes")(story.model_copy(update={"characters": [JON, MARA, ANN]})).quotes
    assert quotes[-1].speaker == "ann"


def test_turn_taking_never_gives_a_she_tag_to_a_man() -> None:
    """A B ? -> A would say Jon; 'she said' rules him out, and no woman is on stage to take it."""
    text = (
        "Jon and Eli sat by the fire.\n\n"
        '"It is cold," said Jon.\n\n'
        '"Colder than last night," said Eli.\n\n'
        '"The door is open," she said from the dark.'
    )
    quotes = quotes_of(text, [JON, ELI, MARA])
    assert [q.speaker for q in quotes] == ["jon", "eli", None]


def test_everyone_who_speaks_in_the_exchange_hears_a_turn() -> None:
    """In a group scene a turn is said to all the others who speak around it, nearest first and
    the one who spoke before ahead of the one who speaks next; two paragraphs of narration end
    the exchange, so Tom, who speaks after them, is no listener."""
    text = (
        '"Who wants tea?" asked Mara.\n\n'
        '"I do," said Jon.\n\n'
        '"And I," said Lena.\n\n'
        "They drank in silence.\n\nLater the rain came.\n\n"
        '"Time to go," said Tom.'
    )
    quotes = quotes_of(text, [MARA, JON, LENA, TOM])
    assert [q.addressees for q in quotes] == [["jon", "lena"], ["mara", "lena"], ["jon", "mara"], []]


def test_a_name_after_to_in_an_aside_is_whom_it_is_said_to_not_the_speaker() -> None:
    text = (
        "Mara then\nobserved,\n\n"
        '"The house is yours, I think. For your\nsake," turning to Jon, "I am glad of it."'
    )
    quotes = sieve_quotes_of(text, [MARA, JON])
    assert [q.speaker for q in quotes] == ["mara", "mara"]


def test_a_pronoun_with_no_one_of_its_gender_nearby_takes_the_last_such_speaker() -> None:
    """No woman is named in the narration near "she said", so the woman who spoke last in the
    conversation speaks, not Lena, whose portrait hangs further back."""
    text = (
        '"I will wait here," said Mara.\n\n'
        "Jon looked past her at the portrait of Lena on the wall.\n\n"
        '"Fine," said Jon.\n\n'
        "He turned the ring on his finger for a long while.\n\n"
        '"Then go," she said.'
    )
    quotes = sieve_quotes_of(text, [MARA, JON, LENA])
    assert [q.speaker for q in quotes] == ["mara", "jon", "mara"]


def test_a_pronoun_takes_a_woman_named_nearby_before_the_last_woman_who_spoke() -> None:
    text = (
        '"I will wait here," said Mara.\n\n'
        '"Fine," said Jon.\n\n'
        "He looked past them at Lena in the doorway.\n\n"
        '"Then go," she said.'
    )
    quotes = sieve_quotes_of(text, [MARA, JON, LENA])
    assert [q.speaker for q in quotes] == ["mara", "jon", "lena"]


def test_a_relative_clause_after_a_name_is_its_tag() -> None:
    """'Eli, who said,' is Eli's, though 'to' governs him and Mara opens the sentence."""
    text = 'Jon sat by the fire.\n\nLater Mara turned to Eli, who, after a pause, said, "The road is closed."'
    assert [q.speaker for q in quotes_of(text, [MARA, JON, ELI])] == ["eli"]


def test_a_title_read_as_a_sentence_end_stays_with_its_name() -> None:
    """The loose pattern sees a sentence start after 'Mrs.'; the subject is Mrs. Voss, not the Voss
    whose alias is the bare surname."""
    mrs = Character(id="mrs-voss", name="Mrs. Voss", gender="she")
    karl = Character(id="karl", name="Karl Voss", aliases=["Voss"], gender="he")
    text = (
        "Karl stood at the door.\n\n"
        'At length Mrs. Voss looked up from her cup and remarked:\n\n"The tea is cold."'
    )
    assert [q.speaker for q in quotes_of(text, [karl, mrs])] == ["mrs-voss"]


def test_a_second_part_opening_in_lower_case_keeps_the_first_parts_tag() -> None:
    """However long the narration between, 'that nothing is wrong' goes on with Jon's sentence;
    Ann 'returned' from her walk and says nothing."""
    text = (
        'Ann went out.\n\n"I hope," said Jon, when Ann returned from the long walk by the river, '
        '"that nothing is wrong."'
    )
    assert [q.speaker for q in quotes_of(text, [JON, ANN])] == ["jon", "jon"]


@pytest.mark.parametrize("tag", ["while Ann said,", "while Ann, smiling again, said:"])
def test_a_clause_of_its_own_between_two_quotes_names_the_second(tag: str) -> None:
    text = f'Ann and Jon stood in the hall.\n\n"It is late," murmured Jon, {tag} "We can still go."'
    assert [q.speaker for q in quotes_of(text, [JON, ANN])] == ["jon", "ann"]


def test_a_family_word_after_a_speech_verb_names_its_character() -> None:
    nanny = Character(id="nanny", name="Nanny", gender="she")
    text = 'Mara put the boy to bed.\n\n"Now you go to sleep," said nanny.'
    assert [q.speaker for q in quotes_of(text, [MARA, nanny])] == ["nanny"]


def test_a_clause_joined_after_a_quote_brings_the_next_speaker() -> None:
    """'and Mara asked' is Mara's own clause: the quote is Jon's, whom the tag before it names."""
    text = 'Jon and Mara sat by the stove.\n\nJon said, "I have an idea", and Mara asked him what it was.'
    assert [q.speaker for q in quotes_of(text, [JON, MARA])] == ["jon"]


def test_a_pronoun_tag_the_turns_speaker_cannot_be_is_the_other_voice() -> None:
    """'"Good night," he breathed. "Good night," she murmured back': one paragraph, two voices."""
    text = (
        'Jon walked Mara home under the trees.\n\n"Will you come tomorrow?" asked Mara.\n\n'
        '"If I can," said Jon.\n\n"Good night," he breathed. "Good night," she murmured back.'
    )
    quotes = attribute(Story(text=text, characters=[JON, MARA]))
    assert [(q.speaker, q.attribution) for q in quotes][2:] == [("jon", "anaphoric"), ("mara", "anaphoric")]


def test_whom_a_pronoun_tag_is_said_to_is_not_its_speaker() -> None:
    """'"You are late," she said to Mara': she is the other woman, and Mara is addressed."""
    ann = Character(id="ann", name="Ann", gender="she")
    text = 'Mara and Ann sat by the fire. Jon came in.\n\n"You are late," she said to Mara.'
    [quote] = attribute(Story(text=text, characters=[MARA, ann, JON]))
    assert (quote.speaker, quote.attribution, quote.addressees[:1]) == ("ann", "anaphoric", ["mara"])
