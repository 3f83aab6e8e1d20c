"""Training recipe for the speaker ranker (`fabula.quotes.rank`) on PDNC, with the gold cast.

The sieve runs once per novel; each turn it leaves open becomes one group: its candidates'
features and the gold speaker's index (turns whose gold speaker is no candidate are skipped).
Groups are fitted with the coreference recipe's softmax ranking (`fabula.characters.train.fit`).
Novels are split into `FOLDS` folds by their sorted position; `fold_models` fits one model per
fold on the other folds' novels, so `fabula eval quotes --pdnc` scores every novel with a model
that never saw it. `train` ships the model fitted on all novels to data/speakers.json.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections import Counter
from functools import cache
from pathlib import Path

from fabula.characters.train import Encoded, Group, Vocabulary, fit
from fabula.errors import InputError
from fabula.eval.quotes import CastSource, Document, pdnc_novels, prepare, read_pdnc
from fabula.quotes.attribute import Sieve, sieve
from fabula.quotes.rank import SpeakerModel, candidate_options

FOLDS = 7
L2 = 10.0  # picked over 0.1, 1 and 10 by the cross-validated PDNC speaker accuracy


def gold_speakers(state: Sieve, doc: Document) -> list[str | None]:
    """Each turn's gold speaker: the one most of its quotes without a speaker of their own
    (those the turn's speaker goes to) overlap, by characters."""
    spans = sorted((s, e, q.speaker) for q in doc.quotes for s, e in q.spans)
    starts = [s for s, _, _ in spans]
    result: list[str | None] = []
    for unit in state.units:
        votes: Counter[str] = Counter()
        for it in unit.items:
            if it.speaker is not None:
                continue
            lo, hi = it.found.start, it.found.end
            for s, e, speaker in spans[max(0, bisect_right(starts, lo) - 2) :]:
                if s >= hi:
                    break
                votes[speaker] += max(0, min(e, hi) - max(s, lo))
        votes = +votes
        result.append(votes.most_common(1)[0][0] if votes else None)
    return result


def groups(state: Sieve, doc: Document) -> list[Group]:
    """The open turns whose gold speaker is among their candidates, as ranking groups."""
    found: list[Group] = []
    for options, gold in zip(candidate_options(state), gold_speakers(state, doc), strict=True):
        ids = [cid for cid, _ in options or []]
        if options and gold in ids:
            found.append(([features for _, features in options], ids.index(gold)))
    return found


class Corpus:
    """PDNC novels read, sieved and encoded once per process, by name.

    `fold_seed` 0 deals the novels to folds in PDNC's (alphabetical) order, as the figures in
    docs/quotes.md are; another seed shuffles the deal first. The deal alone moves the
    cross-validated count of speakers right by up to ~90 of 27,275 at the same code, more than
    most single rules are worth, so a change is weighed over several seeds."""

    def __init__(self, root: Path, fold_seed: int = 0) -> None:
        self.root = root
        self.dirs = {p.name: p for p in pdnc_novels(root)}
        self.novels = list(self.dirs)
        self._dealt = list(self.novels)
        if fold_seed:
            random.Random(fold_seed).shuffle(self._dealt)
        self.vocab = Vocabulary()
        self._encoded: dict[str, Encoded] = {}

    def fold(self, name: str) -> int:
        return self._dealt.index(name) % FOLDS

    def encoded(self, name: str) -> Encoded:
        if name not in self._encoded:
            doc = read_pdnc(self.dirs[name])
            story, _ = prepare(doc, CastSource.gold)
            self._encoded[name] = self.vocab.encode(groups(sieve(story), doc))
        return self._encoded[name]

    def fit(self, names: list[str]) -> SpeakerModel:
        if not names:
            raise InputError(self.root, f"too few novels to cross-validate over ({len(self.novels)})")
        return SpeakerModel(fit(self.vocab, [self.encoded(n) for n in names], l2=L2).weights)

    def model_without(self, doc: Document) -> SpeakerModel:
        """The model of the novel's fold: fitted on every novel of the other folds."""
        return self._fold_model(self.fold(doc.name))

    @cache  # noqa: B019 -- one Corpus per run; its fold models live as long as it does
    def _fold_model(self, fold: int) -> SpeakerModel:
        return self.fit([n for n in self.novels if self.fold(n) != fold])


def train(pdnc: Path) -> Path:
    """Fit on every PDNC novel and ship the weights; `fabula eval quotes --pdnc` gives the
    cross-validated figures (each novel scored by the model of the folds without it)."""
    corpus = Corpus(pdnc)
    model = corpus.fit(corpus.novels)
    out = Path(__file__).parent / "data" / "speakers.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    return out
