"""Hand-written parses, for tests of stages that read the language layer's token table.

Usage: `story._tokens = token_table(text, [("Tom", "PROPN", "nsubj", 1), ...])`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fabula.language.tokens import Tokens

# A token: its word, UPOS (also used as its tag), relation to its head, and the head's index.
Row = tuple[str, str, str, int]


def token_table(text: str, rows: Sequence[Row], lemmas: Mapping[str, str] | None = None) -> Tokens:
    """The rows as a token table over `text`, each word found after the one before; a "." ends a
    sentence. A lemma is the lowercased word unless `lemmas` gives one."""
    tokens, cursor, sentence = Tokens(), 0, 0
    for word, pos, dep, head in rows:
        start = text.index(word, cursor)
        cursor = start + len(word)
        tokens.start.append(start)
        tokens.end.append(cursor)
        tokens.pos.append(pos)
        tokens.tag.append(pos)
        tokens.lemma.append((lemmas or {}).get(word, word.lower()))
        tokens.dep.append(dep)
        tokens.head.append(head)
        tokens.sentence.append(sentence)
        sentence += word == "."
    return tokens
