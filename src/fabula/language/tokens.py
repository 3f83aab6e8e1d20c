"""Per-token analyses of the language layer, kept compact and off the JSON contract.

Later stages (characters, quotes, narrative) read tokens through this table rather than
through spaCy objects, so long books never hold more than one window's `Doc` in memory.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field


@dataclass(slots=True)
class Tokens:
    """Parallel columns, one row per token; offsets index `Story.text`.

    `head` is the absolute index of the syntactic head (a root points to itself);
    `sentence` is the index into `Story.sentences`.
    """

    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    pos: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    lemma: list[str] = field(default_factory=list)
    dep: list[str] = field(default_factory=list)
    head: list[int] = field(default_factory=list)
    sentence: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.start)

    def within(self, start: int, end: int) -> range:
        """Indices of the tokens that lie inside the character span [start, end)."""
        return range(bisect_left(self.start, start), bisect_right(self.end, end))

    def at(self, offset: int) -> int | None:
        """Index of the token covering character `offset`, if any."""
        i = bisect_right(self.start, offset) - 1
        if i >= 0 and self.start[i] <= offset < self.end[i]:
            return i
        return None

    def extend(self, other: Tokens, sentence_offset: int) -> None:
        """Append a window's tokens, shifting its head and sentence indices."""
        base = len(self)
        self.start += other.start
        self.end += other.end
        self.pos += other.pos
        self.tag += other.tag
        self.lemma += other.lemma
        self.dep += other.dep
        self.head += [h + base for h in other.head]
        self.sentence += [s + sentence_offset for s in other.sentence]
