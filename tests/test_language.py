"""The language stage on short texts written for these tests."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from fabula.errors import ModelError
from fabula.language import MAX_WINDOW_CHARS, run, windows
from fabula.language import models as language_models
from fabula.language.encoder import Labels, _cycles, apply_script, decode_tree, edit_script
from fabula.language.entities import CLASSES, MAX_WIDTH, candidates, decode_mentions, span_table
from fabula.pipeline import PipelineConfig, run_pipeline
from fabula.story import AuthorNote, Story

NOTE = "A/N: Thanks to Margaret Hale for beta-reading, and to London for the tea!\n\n"
STORY = (
    "Elizabeth Bennet walked slowly to the house of her aunt in London. It was raining.\n\n"
    "She found Mr. Darcy in the garden, and he bowed to her.\n"
)


@pytest.fixture(scope="module")
def analysed() -> Story:
    story = Story(text=NOTE + STORY, author_notes=[AuthorNote(start=0, end=len(NOTE), text=NOTE)])
    return run(story)


def test_windows_skip_notes_and_split_paragraphs() -> None:
    story = Story(text=NOTE + STORY, author_notes=[AuthorNote(start=0, end=len(NOTE), text=NOTE)])
    spans = list(windows(story))
    assert [story.text[s:e] for s, e in spans] == [p.strip() for p in STORY.split("\n\n")]


def test_long_paragraph_is_cut_at_sentence_ends() -> None:
    sentence = "The rain fell on the roofs of the town all night long. "
    story = Story(text=sentence * 300)
    spans = list(windows(story))
    assert len(spans) > 1
    assert all(e - s <= MAX_WINDOW_CHARS for s, e in spans)
    assert all(story.text[s:e].endswith(".") for s, e in spans)
    assert spans[0][0] == 0
    assert spans[-1][1] == len(story.text.rstrip())


def test_sentences_split_and_index_the_text(analysed: Story) -> None:
    texts = [analysed.slice(s) for s in analysed.sentences]
    assert texts == [
        "Elizabeth Bennet walked slowly to the house of her aunt in London.",
        "It was raining.",
        "She found Mr. Darcy in the garden, and he bowed to her.",
    ]


def test_names_are_people_and_spans_index_the_text(analysed: Story) -> None:
    found = {(e.text, e.label) for e in analysed.entities}
    assert ("Elizabeth Bennet", "PER") in found
    assert ("Mr. Darcy", "PER") in found
    assert all(analysed.slice(e) == e.text for e in analysed.entities)
    pronouns = {e.text for e in analysed.entities if e.kind == "PRON"}
    assert pronouns == {"her", "She", "he"}
    assert "It" not in {e.text for e in analysed.entities}


def test_author_notes_hold_no_analyses(analysed: Story) -> None:
    note_end = len(NOTE)
    assert all(e.start >= note_end for e in analysed.entities)
    assert all(s.start >= note_end for s in analysed.sentences)
    assert analysed._tokens.start[0] >= note_end


def test_token_table_is_consistent(analysed: Story) -> None:
    tokens = analysed._tokens
    assert len(tokens) == 31
    for i in range(len(tokens)):
        sentence = analysed.sentences[tokens.sentence[i]]
        assert sentence.start <= tokens.start[i] < tokens.end[i] <= sentence.end
        assert tokens.sentence[tokens.head[i]] == tokens.sentence[i]
    walked = tokens.at(analysed.text.index("walked"))
    assert walked is not None
    assert (tokens.pos[walked], tokens.lemma[walked]) == ("VERB", "walk")
    assert tokens.dep[walked] == "ROOT"


def test_missing_model_names_the_rebuild_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(language_models, "MODELS_DIR", tmp_path)
    with pytest.raises(ModelError, match="fabula train parser --data"):
        language_models.model_path(language_models.PARSER)


def test_progress_is_reported_per_window() -> None:
    calls: list[tuple[str, int, int]] = []
    story = Story(text=STORY)
    run_pipeline(story, PipelineConfig(stages=["language"]), progress=lambda *call: calls.append(call))
    window_chars = sum(e - s for s, e in windows(story))
    assert ("language", window_chars, window_chars) in calls
    assert len([c for c in calls if c[2] == window_chars]) == 2


def test_empty_story_has_no_analyses() -> None:
    story = run(Story(text="\n\n   \n"))
    assert story.sentences == []
    assert story.entities == []
    assert len(story._tokens) == 0


def test_hyphenated_words_stay_whole_and_dashes_split() -> None:
    """LitBank's tokens: "passers-by" is one word, so a mention that holds it can match."""
    tokenizer = language_models.load_pipeline().tokenizer
    words = [t.text for t in tokenizer("The passers-by saw Mary-Ann—no, the ex-wife--at 3-4.")]
    assert words[:7] == ["The", "passers-by", "saw", "Mary-Ann", "—", "no", ","]
    assert words[7:11] == ["the", "ex-wife", "--", "at"]


def test_lemmas_of_irregular_and_e_final_verbs_are_words() -> None:
    # The lemma heads read a word's first piece: alone they made "stoo", "kille", "companie".
    story = run(Story(text="The companies had stood firm. She knelt, drank, and killed the lamp."))
    tokens = story._tokens
    lemma = {
        story.text[s:e]: tokens.lemma[i]
        for i, (s, e) in enumerate(zip(tokens.start, tokens.end, strict=True))
    }
    assert [lemma[w] for w in ("companies", "stood", "knelt", "drank", "killed")] == [
        "company",
        "stand",
        "kneel",
        "drink",
        "kill",
    ]


def test_a_lemma_the_training_data_knows_beats_the_best_script() -> None:
    scripts: list[tuple[bool, int, str]] = [(True, 1, ""), (True, 2, "")]
    labels = Labels(upos=[], xpos=[], deprels=[], scripts=scripts, lemmas={"VERB": frozenset({"kill"})})
    assert labels.lemma("killed", "VERB", [0, 1]) == "kill"  # "kille" is no verb it saw
    assert labels.lemma("Killed", "PROPN", [0, 1]) == "kille"  # names are not checked
    assert labels.lemma("mazed", "VERB", [0, 1]) == "maze"  # neither known: the best script
    assert labels.lemma("strode", "VERB", [0, 1]) == "stride"  # an irregular verb
    seen = Labels(upos=[], xpos=[], deprels=[], scripts=scripts, forms={"VERB": {"killed": "kill"}})
    assert seen.lemma("KILLED", "VERB", [1, 0]) == "kill"  # a form the training data saw


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("“Jane?--Do come.”", ["“", "Jane", "?", "--", "Do", "come", ".", "”"]),
        ("Mr. Knightley!--Mr. Elton", ["Mr.", "Knightley", "!", "--", "Mr.", "Elton"]),
        ("Mrs. Churchill--'Every body'", ["Mrs.", "Churchill", "--", "'", "Every", "body", "'"]),
        ("his wife;—and", ["his", "wife", ";", "—", "and"]),
    ],
)
def test_a_dash_beside_punctuation_or_a_quote_splits_from_both(text: str, words: list[str]) -> None:
    """Regency novels write "Jane?--Do": kept whole, "Jane?--Do" became a character's name."""
    tokenizer = language_models.load_pipeline().tokenizer
    assert [t.text for t in tokenizer(text)] == words


def test_span_table_lists_every_span_up_to_the_widest_mention() -> None:
    table = span_table(3)
    spans = list(zip(table.starts.tolist(), (table.starts + table.widths).tolist(), strict=True))
    assert spans == [(0, 1), (1, 2), (2, 3), (0, 2), (1, 3), (0, 3)]
    assert len(span_table(40).starts) == sum(40 - w + 1 for w in range(1, MAX_WIDTH + 1))


def test_mention_decoding_keeps_nested_spans_and_drops_crossing_ones() -> None:
    """ "the house of Mr. Smith": FAC around PER is kept; a likelier span crossing one of them wins."""
    table = span_table(5)
    spans = list(zip(table.starts.tolist(), (table.starts + table.widths).tolist(), strict=True))
    scores = torch.zeros(len(spans), len(CLASSES))
    scores[:, 0] = 5.0  # every span is most likely no mention, but these three
    for (start, end), label, score in [((0, 5), "FAC", 6.0), ((3, 5), "PER", 9.0), ((2, 4), "PER", 7.0)]:
        scores[spans.index((start, end)), CLASSES.index(label)] = score
    assert decode_mentions(scores, table.starts, table.widths) == [(0, 5, "FAC"), (3, 5, "PER")]
    # Enough weight on `O` and only the surest span is left.
    assert decode_mentions(scores, table.starts, table.widths, outside_bias=3.0) == [(3, 5, "PER")]


def test_only_spans_without_sentence_punctuation_are_scored() -> None:
    words = ["Tom", ",", "Mary", "-", "Ann"]
    rows, starts, widths = candidates([words, ["Hi"]])
    spans = {(int(r), int(s), int(s + w)) for r, s, w in zip(rows, starts, widths, strict=True)}
    assert spans == {(0, 0, 1), (0, 2, 3), (0, 3, 4), (0, 4, 5), (0, 2, 4), (0, 3, 5), (0, 2, 5), (1, 0, 1)}


def test_fiction_sentence_gets_tags_heads_and_lemmas() -> None:
    story = run(Story(text="She gave him her letters and walked away.\n\n“Go!” he cried."))
    tokens = story._tokens
    words = [story.text[s:e] for s, e in zip(tokens.start, tokens.end, strict=True)]
    she, gave, him, her, letters, _and, walked = range(7)
    assert words[:7] == ["She", "gave", "him", "her", "letters", "and", "walked"]
    assert [tokens.tag[i] for i in (she, him, her)] == ["PRP", "PRP", "PRP$"]
    assert (tokens.dep[gave], tokens.head[gave], tokens.lemma[gave]) == ("ROOT", gave, "give")
    assert (tokens.dep[she], tokens.head[she]) == ("nsubj", gave)
    assert (tokens.dep[him], tokens.head[him]) == ("iobj", gave)
    assert (tokens.dep[her], tokens.head[her]) == ("nmod:poss", letters)
    assert (tokens.dep[letters], tokens.head[letters], tokens.lemma[letters]) == ("obj", gave, "letter")
    assert (tokens.dep[walked], tokens.head[walked], tokens.lemma[walked]) == ("conj", gave, "walk")
    cried = words.index("cried")
    assert tokens.head[words.index("he")] == cried
    assert tokens.pos[words.index("Go")] == "VERB"
    assert [story.slice(s) for s in story.sentences][1] == "“Go!” he cried."


@pytest.mark.parametrize(
    ("form", "lemma"),
    [("was", "be"), ("children", "child"), ("The", "the"), ("London", "London"), ("walked", "walk")],
)
def test_lemma_scripts_rebuild_the_lemma(form: str, lemma: str) -> None:
    assert apply_script(form, edit_script(form, lemma)) == lemma


def test_script_that_does_not_fit_gives_the_lowercased_form() -> None:
    assert apply_script("Ox", (True, 5, "")) == "ox"


def test_decoded_heads_are_the_best_tree_with_one_root() -> None:
    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(2, 7))
        scores = rng.normal(size=(n, n)) * 3
        trees = [
            np.array((0, *heads))
            for heads in itertools.product(range(n), repeat=n - 1)
            if all(h != i for i, h in enumerate(heads, start=1))
        ]
        valid = [t for t in trees if (t[1:] == 0).sum() == 1 and not _cycles(t)]
        best = max(scores[np.arange(1, n), t[1:]].sum() for t in valid)
        tree = decode_tree(scores)
        assert (tree[1:] == 0).sum() == 1
        assert not _cycles(tree)
        assert scores[np.arange(1, n), tree[1:]].sum() == pytest.approx(best)
