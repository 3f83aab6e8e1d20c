"""Anaphoric tags ("he said", "said the doctor", "said his wife") the sieve resolves without
coreference: each test is a rule of `fabula.quotes.attribute` on a hand-written text."""

from __future__ import annotations

from fabula.quotes.tags import tag_introducing
from fabula.story import Character
from test_quotes import JON, LENA, MARA, sieve_quotes_of

TOM = Character(id="tom", name="Tom Hale", aliases=["Tom"], gender="he")


def test_a_pronoun_takes_the_subject_of_its_own_paragraph_before_the_exchange() -> None:
    text = (
        "Jon and Tom sat down with Mara.\n\n"
        '"Is it late?" asked Jon.\n\n'
        '"Nearly ten," said Mara.\n\n'
        'Tom looked at the clock. "Ten past," he said.'
    )
    assert [q.speaker for q in sieve_quotes_of(text, [MARA, JON, TOM])] == ["jon", "mara", "tom"]


def test_a_pronoun_takes_the_subject_the_paragraph_before_left_it() -> None:
    text = (
        "Jon and Tom sat down with Mara.\n\n"
        '"Is it late?" asked Jon.\n\n'
        '"Nearly ten," said Mara, and Tom got up to look.\n\n'
        '"It is snowing," he said.'
    )
    assert [q.speaker for q in sieve_quotes_of(text, [MARA, JON, TOM])] == ["jon", "mara", "tom"]


def test_a_name_called_across_narration_does_not_answer_a_pronoun() -> None:
    text = (
        'Mara stood by the door. "Come in, Tom," she said.\n\n'
        "Jon came in and sat down by the fire.\n\n"
        '"It is cold," he said.'
    )
    assert [q.speaker for q in sieve_quotes_of(text, [MARA, JON, TOM])] == ["mara", "jon"]


def test_the_doctor_is_the_holder_of_the_title_named_last() -> None:
    minor = Character(id="doctor", name="The Doctor", gender="he")
    losberne = Character(id="losberne", name="Mr. Losberne", aliases=["Doctor Losberne"], gender="he")
    text = 'Doctor Losberne bent over the boy. Jon watched him.\n\n"He will live," said the doctor.'
    (quote,) = sieve_quotes_of(text, [minor, losberne, JON])
    assert (quote.speaker, quote.attribution) == ("losberne", "anaphoric")


def test_a_description_names_only_a_character_of_exactly_that_description() -> None:
    old = Character(id="old", name="The Old Woman", gender="she")
    text = 'Mara came in from the rain.\n\n"I am wet through," said the woman.'
    (quote,) = sieve_quotes_of(text, [old, MARA])
    assert quote.speaker == "mara"
    text = 'Mara came in from the rain.\n\n"I am wet through," said the old woman.'
    (quote,) = sieve_quotes_of(text, [old, MARA])
    assert quote.speaker == "old"


def test_a_description_is_not_a_character_of_unknown_gender_listed_by_it() -> None:
    painter = Character(id="painter", name="The Painter", gender="unknown")
    text = (
        "Jon showed Tom the picture.\n\n"
        '"Is it finished?" asked Tom.\n\n'
        '"Nearly," said Mara.\n\n'
        '"Then look at it," said the painter.'
    )
    quotes = sieve_quotes_of(text, [painter, MARA, TOM, JON])
    assert quotes[-1].speaker == "tom"


def test_his_wife_shares_his_surname() -> None:
    allen = Character(id="allen", name="Mr. Allen", gender="he")
    wife = Character(id="mrs-allen", name="Mrs. Allen", gender="she")
    text = (
        "Lena walked in the garden with Mara.\n\n"
        "Mr. Allen came out of the house and looked at the sky.\n\n"
        '"It will rain," said his wife.'
    )
    (quote,) = sieve_quotes_of(text, [LENA, MARA, allen, wife])
    assert quote.speaker == "mrs-allen"


def test_narration_calling_a_character_by_surname_alone_mentions_him() -> None:
    rodney = Character(id="rodney", name="William Rodney", aliases=["Mr. Rodney"], gender="he")
    text = 'Tom sat by the fire with Mara. Rodney stood up.\n\n"I must go," he said.'
    (quote,) = sieve_quotes_of(text, [TOM, MARA, rodney])
    assert quote.speaker == "rodney"


def test_a_clause_without_a_subject_after_a_semicolon_continues_the_one_before() -> None:
    text = (
        "Mara was silent; for Jon now came into the room from the garden; concluding with these words to Tom:"
    )
    tag = tag_introducing(text, 0, len(text))
    assert tag is not None and tag.subject_text == "Jon"
    (quote,) = sieve_quotes_of(text + '\n\n"It is snowing hard."', [MARA, JON, TOM])
    assert (quote.speaker, quote.attribution) == ("jon", "explicit")


def test_a_stop_and_a_dash_end_a_sentence_a_tag_is_read_from() -> None:
    text = (
        "Mara came in. She asked Lena how many sisters she had, whether they were older or younger "
        "than herself, whether any of them were likely to be married, whether they were handsome, "
        "where they had been educated, what carriage their father kept, and what had been their "
        "mother's maiden name?--Lena felt all the impertinence of her questions, but answered them "
        'very composedly.--Mara then\nobserved,\n\n"You must come and dine with us."'
    )
    (quote,) = sieve_quotes_of(text, [MARA, LENA])
    assert (quote.speaker, quote.attribution) == ("mara", "explicit")


def test_a_pronoun_with_no_one_of_its_gender_before_it_anticipates_who_is_named_next() -> None:
    text = (
        "Jon sat on a bench by the lake. A young lady came down the path and stopped near him.\n\n"
        '"What a view," she said.\n\n'
        "Her name, he learned later, was Mara."
    )
    (quote,) = sieve_quotes_of(text, [JON, MARA])
    assert (quote.speaker, quote.attribution) == ("mara", "anaphoric")


def test_a_name_with_a_title_inside_a_tag_subject_is_read_whole() -> None:
    miller = Character(id="miller", name="Mrs. Miller", gender="she")
    eugenio = Character(id="eugenio", name="Eugenio", gender="he")
    text = '"Does mademoiselle propose to go alone?" asked Eugenio of Mrs. Miller.'
    (quote,) = sieve_quotes_of(text, [miller, eugenio])
    assert quote.speaker == "eugenio"
    text = 'Mara watched her. Suddenly Mrs. Miller turned abruptly, and\nexclaimed:\n\n"We must go."'
    (quote,) = sieve_quotes_of(text, [MARA, miller, eugenio])
    assert (quote.speaker, quote.attribution) == ("miller", "explicit")


def test_the_other_is_whom_the_narration_brought_in_not_the_last_speaker() -> None:
    text = (
        '"Is it raining?" asked Mara.\n\n'
        '"Not yet," said Jon.\n\n'
        "Tom came in from the garden and shook out his coat.\n\n"
        '"You are soaked," said Jon.\n\n'
        '"It is pouring," said the other.'
    )
    quotes = sieve_quotes_of(text, [MARA, JON, TOM])
    assert (quotes[-1].speaker, quotes[-1].attribution) == ("tom", "anaphoric")


def test_a_description_is_the_character_its_words_introduced() -> None:
    stout = Character(id="stout", name="The Stout Man", gender="he")
    text = (
        "Jon waited at the gate. A stout man came up the lane with a dog.\n\n"
        '"Good evening," said Jon.\n\n'
        '"Is this the road to the mill?" asked the man.'
    )
    quotes = sieve_quotes_of(text, [JON, stout])
    assert (quotes[-1].speaker, quotes[-1].attribution) == ("stout", "anaphoric")


def test_the_doctor_is_the_holder_of_the_title_however_long_ago_named_or_named_next() -> None:
    minor = Character(id="doctor", name="The Doctor", gender="he")
    hale = Character(id="hale", name="Mr. Hale", aliases=["Doctor Hale"], gender="he")
    filler = "The rain fell on the roofs all that week. " * 120
    text = f'Doctor Hale bent over the boy.\n\n{filler}\n\n"He will live," said the doctor.'
    (quote,) = sieve_quotes_of(text, [minor, hale, JON])
    assert quote.speaker == "hale"
    text = '"He will live," said the doctor.\n\nJon thanked Doctor Hale at the door.'
    (quote,) = sieve_quotes_of(text, [minor, hale, JON])
    assert quote.speaker == "hale"


def test_a_pronoun_coreference_linked_is_no_subject_for_a_pronoun_tag() -> None:
    """Coreference (wrongly) linked "He poured the tea" to Tom; the narration named Ben last."""
    text = (
        "Tom sat by the fire. Ben came in, shaking the snow from his coat.\n\n"
        "He poured the tea.\n\n"
        '"It is cold out there," he said.'
    )
    tom_mentions = [
        (text.index("Tom"), text.index("Tom") + 3),
        (text.index("He poured"), text.index("He poured") + 2),
    ]
    tom = TOM.model_copy(update={"mentions": tom_mentions})
    ben = Character(id="ben", name="Ben", gender="he", mentions=[(text.index("Ben"), text.index("Ben") + 3)])
    (quote,) = sieve_quotes_of(text, [tom, ben])
    assert (quote.speaker, quote.attribution) == ("ben", "anaphoric")
