"""`fabula eval quotes`: quote spans, speakers and addressees against PDNC and LitBank.

Definitions (docs/quotes.md):
- spans: gold sub-quotes (a quote broken by its tag is two) against predicted quotes of kind
  speech, thought or written. *Exact*: same offsets once whitespace and quote marks are trimmed
  from both ends. *Overlap*: a one-to-one pairing of gold and predicted spans sharing a character.
- speaker accuracy: over gold quotes matched to a prediction, the prediction being the predicted
  quote that overlaps the gold quote's sub-quotes most; per PDNC quoteType as well.
- addressee F1: micro-averaged over the same matched quotes, sets of characters; a predicted
  addressee that maps to no gold character is a false positive.
The speaker ranker (`fabula.quotes.rank`) is trained on PDNC, so on PDNC it runs cross-validated
by default: each novel gets the model fitted on the folds without it (`fabula.quotes.train`).
A predicted character is mapped to a gold one by name: PDNC main names and aliases (and LitBank
mention texts) against the character's name and aliases, with mention overlap breaking ties,
else by the names it could be, else by the description it is most often called ("the mariner");
with `--cast gold` the gold characters are the story's characters and ids map to themselves.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from fabula import ingest
from fabula.characters.mentions import pronoun
from fabula.characters.names import Name, compatible, parse_name
from fabula.errors import InputError
from fabula.eval.entities import Counts
from fabula.pipeline import PipelineConfig, run_pipeline
from fabula.quotes.attribute import Reranker, attribute
from fabula.quotes.cast import normalise
from fabula.quotes.rank import shipped_model
from fabula.story import Character, Gender, Story, trim_span
from fabula.train.corpora import read_entity_tsv, split_ids

QUOTE_TYPES = ("Explicit", "Anaphoric", "Implicit")
_TRIM = " \t\r\n\"'“”‘’"
_PDNC_GENDER: dict[str, Gender] = {"M": "he", "F": "she"}


class CastSource(StrEnum):
    pipeline = "pipeline"
    gold = "gold"


class RankerSource(StrEnum):
    """The speaker ranker: cross-validated over PDNC's novels, the shipped weights, or none."""

    cv = "cv"
    shipped = "shipped"
    off = "off"


# Which reranker (if any) revises the sieve's speakers in a document.
RerankerFor = Callable[["Document"], Reranker | None]


@dataclass(slots=True)
class GoldQuote:
    spans: list[tuple[int, int]]
    speaker: str
    addressees: list[str]
    qtype: str = ""


@dataclass(slots=True)
class Document:
    """A text with its gold quotes and gold characters (ids are the gold speaker keys)."""

    name: str
    text: str
    quotes: list[GoldQuote]
    characters: list[Character]


@dataclass(slots=True)
class Tally:
    """Counts for one document, summable over a corpus."""

    exact: Counts = field(default_factory=Counts)
    overlap: Counts = field(default_factory=Counts)
    addressees: Counts = field(default_factory=Counts)
    gold_quotes: int = 0
    matched: int = 0
    correct: int = 0
    by_type: dict[str, list[int]] = field(default_factory=dict)  # type -> [correct, matched]

    def add(self, other: Tally) -> None:
        for mine, theirs in ((self.exact, other.exact), (self.overlap, other.overlap)):
            mine.tp, mine.fp, mine.fn = mine.tp + theirs.tp, mine.fp + theirs.fp, mine.fn + theirs.fn
        a, b = self.addressees, other.addressees
        a.tp, a.fp, a.fn = a.tp + b.tp, a.fp + b.fp, a.fn + b.fn
        self.gold_quotes += other.gold_quotes
        self.matched += other.matched
        self.correct += other.correct
        for qtype, (c, m) in other.by_type.items():
            row = self.by_type.setdefault(qtype, [0, 0])
            row[0] += c
            row[1] += m

    def summary(self) -> dict[str, float | int]:
        row: dict[str, float | int] = {
            "gold_spans": self.exact.tp + self.exact.fn,
            "exact_f1": round(100 * self.exact.f1, 1),
            "overlap_p": round(100 * self.overlap.precision, 1),
            "overlap_r": round(100 * self.overlap.recall, 1),
            "overlap_f1": round(100 * self.overlap.f1, 1),
            "gold_quotes": self.gold_quotes,
            "matched": self.matched,
            "speaker_acc": round(100 * self.correct / self.matched, 1) if self.matched else 0.0,
        }
        for qtype, (c, m) in sorted(self.by_type.items()):
            row[f"{qtype.lower()}_acc"] = round(100 * c / m, 1) if m else 0.0
        if self.addressees.tp + self.addressees.fn:  # LitBank annotates no addressees
            row["addressee_f1"] = round(100 * self.addressees.f1, 1)
        return row


def _pair_overlapping(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> int:
    """Size of a greedy one-to-one pairing of overlapping spans (both lists sorted)."""
    paired, j = 0, 0
    for g_start, g_end in gold:
        while j < len(pred) and pred[j][1] <= g_start:
            j += 1
        if j < len(pred) and pred[j][0] < g_end:
            paired += 1
            j += 1
    return paired


def map_characters(predicted: list[Character], gold: list[Character], text: str = "") -> dict[str, str]:
    """Each predicted character's gold counterpart: the one most of its mentions name (each
    shared name form weighed by how often the character's mentions in `text` use it), then the
    one sharing most mentions. A cluster of "Mrs. Norris" a thousand times and "Norris" once is
    Mrs. Norris, not a minor character listed as "Norris"."""
    gold_forms = {g.id: {normalise(n) for n in [g.name, *g.aliases]} for g in gold}
    gold_mentions = {g.id: set(g.mentions) for g in gold}
    mapping = {}
    for p in predicted:
        used = Counter(normalise(text[s:e]) for s, e in p.mentions) if text else Counter()
        forms = {normalise(n) for n in [p.name, *p.aliases]}
        weight = {form: 1 + used[form] for form in forms}
        mentions = set(p.mentions)
        scored = [
            (sum(weight[f] for f in forms & gold_forms[g.id]), len(mentions & gold_mentions[g.id]), g.id)
            for g in gold
            if forms & gold_forms[g.id] or mentions & gold_mentions[g.id]
        ]
        if scored:
            mapping[p.id] = max(scored)[2]
        elif fitting := _by_fitting_names([p.name, *p.aliases], weight, gold):
            mapping[p.id] = fitting
        elif described := _by_descriptions(_descriptions(text, p.mentions), gold_forms):
            mapping[p.id] = described
    return mapping


def _descriptions(text: str, mentions: list[tuple[int, int]]) -> Counter[str]:
    """How often each description (a mention headed by a lower-case word, "The mariner") is used."""
    surfaces = (text[s:e] for s, e in mentions)
    return Counter(
        normalise(t) for t in surfaces if t.split() and t.split()[-1][:1].islower() and not pronoun(t)
    )


def _by_descriptions(used: Counter[str], gold_forms: dict[str, set[str]]) -> str | None:
    """Where no name maps, the gold character listed by the description the predicted one is
    most often called: the 30 "the mariner" of a cluster named "American" after two passing
    mentions are PDNC's The Mariner. Names come first, so "the man" never outweighs "Griffin"."""
    votes: Counter[str] = Counter()
    for form, count in used.items():
        for gid, forms in gold_forms.items():
            if form in forms:
                votes[gid] += count
    return _clear_winner(votes)


# Lower-case words before a proper name, and nothing after it: "the pretty Duchess of Monmouth",
# not "a nephew of Lady Catherine in this assembly".
_EPITHETS_AND_NAME = re.compile(
    r"^(?:[a-z][\w'’-]*\s)+[A-Z][\w'’.-]*(?:\s(?:(?:of|de|van|von)\s)?[A-Z][\w'’.-]*)*$"
)


def _by_fitting_names(surfaces: list[str], weight: dict[str, int], gold: list[Character]) -> str | None:
    """Where no name form is shared, the gold character whose names the predicted ones could
    be (`names.compatible`), weighed as above: "Miss Quested" is Adela Quested, whom PDNC lists
    only as "Adela" and "Adela Quested"."""
    proper = [s for s in surfaces if s[:1].isupper() or _EPITHETS_AND_NAME.match(" ".join(s.split()))]
    parsed = [(parse_name(s), weight.get(normalise(s), 1)) for s in proper]
    votes: Counter[str] = Counter()
    for g in gold:
        names = [parse_name(n) for n in [g.name, *g.aliases]]
        votes[g.id] = sum(w for name, w in parsed if any(_could_be(name, other) for other in names))
    return _clear_winner(votes)


def _clear_winner(votes: Counter[str]) -> str | None:
    """The gold character with the most votes, if some and no other has as many."""
    best = votes.most_common(2)
    if not best or best[0][1] == 0 or (len(best) > 1 and best[1][1] == best[0][1]):
        return None
    return best[0][0]


def _could_be(name: Name, gold: Name) -> bool:
    """Whether a predicted name could be a gold one: `compatible`, or a title alone that the gold
    name holds ("Mademoiselle" is Mademoiselle Reisz, whom PDNC lists by her full name only)."""
    alone = not name.honorific and len(name.tokens) == 1 and name.tokens[0] == gold.honorific
    return alone or compatible(name, gold)


def score(doc: Document, story: Story, mapping: dict[str, str]) -> Tally:
    """Compare one analysed story with its gold quotes."""
    tally = Tally()
    text = doc.text
    gold_spans = sorted({trim_span(text, s, e, _TRIM) for q in doc.quotes for s, e in q.spans})
    predicted = sorted(
        (
            (*trim_span(text, q.start, q.end, _TRIM), i)
            for i, q in enumerate(story.quotes)
            if q.kind != "other"
        ),
    )
    pred_spans = sorted({(s, e) for s, e, _ in predicted})
    exact = len(set(gold_spans) & set(pred_spans))
    tally.exact = Counts(tp=exact, fp=len(pred_spans) - exact, fn=len(gold_spans) - exact)
    paired = _pair_overlapping(gold_spans, pred_spans)
    tally.overlap = Counts(tp=paired, fp=len(pred_spans) - paired, fn=len(gold_spans) - paired)
    starts = [s for s, _, _ in predicted]
    for gold in doc.quotes:
        tally.gold_quotes += 1
        overlaps: Counter[int] = Counter()
        for g_start, g_end in gold.spans:
            for s, e, i in predicted[max(0, bisect_left(starts, g_start) - 2) :]:
                if s >= g_end:
                    break
                overlaps[i] += max(0, min(e, g_end) - max(s, g_start))
        overlaps = +overlaps
        if not overlaps:
            continue
        quote = story.quotes[overlaps.most_common(1)[0][0]]
        tally.matched += 1
        hit = quote.speaker is not None and mapping.get(quote.speaker) == gold.speaker
        tally.correct += hit
        if gold.qtype:
            row = tally.by_type.setdefault(gold.qtype, [0, 0])
            row[0] += hit
            row[1] += 1
        # An addressee that maps to no gold character is a wrong one, not one left unsaid.
        said_to = {mapping.get(a, f"unmapped:{a}") for a in quote.addressees}
        expected = set(gold.addressees)
        tally.addressees.tp += len(said_to & expected)
        tally.addressees.fp += len(said_to - expected)
        tally.addressees.fn += len(expected - said_to)
    return tally


# --- PDNC -------------------------------------------------------------------------------------


def _literal(cell: str) -> object:
    return ast.literal_eval(cell) if cell and cell != "nan" else []


def read_pdnc(novel_dir: Path) -> Document:
    """One PDNC novel: text, quotes (character offsets) and cast (Main Name as id)."""
    try:
        text = (novel_dir / "novel_text.txt").read_text(encoding="utf-8")
        with (novel_dir / "character_info.csv").open(encoding="utf-8") as handle:
            cast_rows = list(csv.DictReader(handle))
        with (novel_dir / "quotation_info.csv").open(encoding="utf-8") as handle:
            quote_rows = list(csv.DictReader(handle))
    except OSError as err:
        raise InputError(novel_dir, f"not a PDNC novel directory: {err.strerror}: {err.filename}") from None
    characters: list[Character] = []
    by_name: dict[str, str] = {}
    for row in cast_rows:
        main = row["Main Name"].strip()
        aliases = sorted(str(a).strip() for a in _literal(row["Aliases"]))  # type: ignore[attr-defined]
        characters.append(
            Character(id=main, name=main, aliases=aliases, gender=_PDNC_GENDER.get(row["Gender"], "unknown"))
        )
        for form in [main, *aliases]:
            by_name.setdefault(form, main)
    quotes = [
        GoldQuote(
            spans=[(int(s), int(e)) for s, e in _literal(row["quoteByteSpans"])],  # type: ignore[attr-defined]
            speaker=by_name.get(row["speaker"].strip(), row["speaker"].strip()),
            addressees=[by_name.get(a.strip(), a.strip()) for a in _literal(row["addressees"])],  # type: ignore[attr-defined]
            qtype=row["quoteType"] if row["quoteType"] in QUOTE_TYPES else "",
        )
        for row in quote_rows
    ]
    quotes.sort(key=lambda q: q.spans[0] if q.spans else (0, 0))
    speakers = [c for c in characters if not c.id.startswith("_")]
    return Document(name=novel_dir.name, text=text, quotes=quotes, characters=speakers)


def pdnc_novels(root: Path) -> list[Path]:
    """Novel directories under a PDNC checkout (its root or its data/ directory)."""
    data = root / "data" if (root / "data").is_dir() else root
    novels = (
        sorted(p for p in data.iterdir() if (p / "quotation_info.csv").is_file()) if data.is_dir() else []
    )
    if not novels:
        raise InputError(root, "no PDNC novels here (expected data/<Novel>/quotation_info.csv)")
    return novels


def truncate(doc: Document, max_quotes: int) -> Document:
    """The novel up to the paragraph after its first `max_quotes` gold quotes: a fast sample."""
    if max_quotes <= 0 or len(doc.quotes) <= max_quotes:
        return doc
    last = max(e for _, e in doc.quotes[max_quotes - 1].spans)
    cut = doc.text.find("\n\n", last)
    cut = len(doc.text) if cut < 0 else cut
    quotes = [q for q in doc.quotes if max(e for _, e in q.spans) <= cut]
    return Document(doc.name, doc.text[:cut], quotes, doc.characters)


# --- LitBank ----------------------------------------------------------------------------------


def _align(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Character span of each token in the original text (tokens are in order)."""
    spans, cursor = [], 0
    for word in words:
        found = text.find(word, cursor, cursor + 200)
        if found < 0:
            while cursor < len(text) and text[cursor].isspace():
                cursor += 1
            found = cursor
        spans.append((found, found + len(word)))
        cursor = found + len(word)
    return spans


def read_litbank_quotes(litbank: Path, doc_id: str) -> Document:
    """A LitBank excerpt as its original text (paragraphs kept), gold quotes and PER entities."""
    tokens_doc = read_entity_tsv(litbank / "entities" / "tsv" / f"{doc_id}.tsv")
    original = litbank / "original" / f"{doc_id.removesuffix('_brat')}.txt"
    try:
        full = original.read_text(encoding="utf-8")
        quote_lines = (
            (litbank / "quotations" / "tsv" / f"{doc_id}.ann").read_text(encoding="utf-8").splitlines()
        )
        coref_lines = (litbank / "coref" / "tsv" / f"{doc_id}.ann").read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(err.filename, f"cannot read LitBank file: {err.strerror}") from None
    starts = tokens_doc.sentence_starts()
    offsets = _align(full, tokens_doc.words)
    text = full[: offsets[-1][1]] if offsets else ""

    def char_span(cols: list[str]) -> tuple[int, int]:
        s_sent, s_tok, e_sent, e_tok = (int(c) for c in cols)
        return offsets[starts[s_sent] + s_tok][0], offsets[starts[e_sent] + e_tok][1]

    spans, speakers = {}, {}
    for line in quote_lines:
        cols = line.split("\t")
        if cols[0] == "QUOTE":
            spans[cols[1]] = char_span(cols[2:6])
        elif cols[0] == "ATTRIB":
            speakers[cols[1]] = cols[2]
    mention_entity, mentions = {}, {}
    for line in coref_lines:
        cols = line.split("\t")
        if cols[0] == "MENTION" and cols[7] == "PER":
            mentions[cols[1]] = (char_span(cols[2:6]), cols[8])
        elif cols[0] == "COREF":
            mention_entity[cols[1]] = cols[2]
    quotes = [GoldQuote([span], speakers.get(qid, ""), []) for qid, span in spans.items()]
    quotes.sort(key=lambda q: q.spans[0])
    return Document(doc_id, text, quotes, _litbank_characters(text, mentions, mention_entity))


def _litbank_characters(
    text: str, mentions: dict[str, tuple[tuple[int, int], str]], mention_entity: dict[str, str]
) -> list[Character]:
    """Gold characters from the coreference layer: PER entities with names, gender and mentions."""
    grouped: dict[str, list[tuple[tuple[int, int], str]]] = {}
    for mid, mention in mentions.items():
        if mid in mention_entity:
            grouped.setdefault(mention_entity[mid], []).append(mention)
    characters = []
    for entity, items in grouped.items():
        names = Counter(text[s:e] for (s, e), kind in items if kind == "PROP")
        pronouns = Counter(text[s:e].lower() for (s, e), kind in items if kind == "PRON")
        he = pronouns["he"] + pronouns["him"] + pronouns["his"]
        she = pronouns["she"] + pronouns["her"] + pronouns["hers"]
        gender: Gender = "he" if he > she else "she" if she > he else "unknown"
        ordered = [n for n, _ in names.most_common()]
        fallback = entity.rsplit("-", 1)[0].replace("_", " ")
        characters.append(
            Character(
                id=entity,
                name=ordered[0] if ordered else fallback,
                aliases=ordered[1:],
                gender=gender,
                mentions=sorted(span for span, _ in items),
                mention_count=len(items),
            )
        )
    return characters


# --- running ----------------------------------------------------------------------------------


def prepare(doc: Document, cast: CastSource) -> tuple[Story, dict[str, str]]:
    """A document's story as the quotes stage would find it, and the character mapping: with a
    gold cast the gold characters, else what the pipeline's stages before `quotes` made."""
    story = ingest.from_text(doc.text)
    if story.text != doc.text:  # gold offsets index the raw text; keep it as it is
        story = Story(text=doc.text)
    if cast is CastSource.gold:
        story.characters = [c.model_copy() for c in doc.characters]
        return story, {c.id: c.id for c in doc.characters}
    stages = PipelineConfig.default().stages
    before = stages[: stages.index("quotes")] if "quotes" in stages else stages
    story = run_pipeline(story, PipelineConfig(stages=before)) if before else story
    return story, map_characters(story.characters, doc.characters, story.text)


def analyse(doc: Document, cast: CastSource, reranker: Reranker | None) -> tuple[Story, dict[str, str]]:
    """Run Fabula on a document's text up to the quotes stage, with the given speaker ranker."""
    story, mapping = prepare(doc, cast)
    story.quotes = attribute(story, reranker)
    return story, mapping


def rerankers(source: RankerSource, pdnc: Path | None = None, fold_seed: int = 0) -> RerankerFor:
    """The reranker for each document: `cv` needs the PDNC root the documents come from (and
    deals its novels to folds by `fold_seed`, see `Corpus`)."""
    if source is RankerSource.off:
        return lambda doc: None
    if source is RankerSource.shipped:
        model = shipped_model()
        return lambda doc: model
    if pdnc is None:
        raise InputError("--ranker cv", "cross-validation runs over PDNC novels only; pass --pdnc DIR")
    from fabula.quotes.train import Corpus  # the recipe reads PDNC with this module's reader

    return Corpus(pdnc, fold_seed).model_without


def evaluate(
    docs: list[Document], cast: CastSource, reranker_for: RerankerFor | None = None
) -> tuple[dict[str, Tally], Tally]:
    """Score each document; the shipped ranker unless `reranker_for` says otherwise."""
    reranker_for = reranker_for or rerankers(RankerSource.shipped)
    per_doc: dict[str, Tally] = {}
    total = Tally()
    for doc in docs:
        story, mapping = analyse(doc, cast, reranker_for(doc))
        per_doc[doc.name] = score(doc, story, mapping)
        total.add(per_doc[doc.name])
    return per_doc, total


def _print_table(per_doc: dict[str, Tally], total: Tally) -> None:
    rows = [(name, t.summary()) for name, t in per_doc.items()] + [("OVERALL", total.summary())]
    columns = list(dict.fromkeys(c for _, row in rows for c in row))
    width = max(len(name) for name, _ in rows)
    typer.echo(f"{'document':<{width}}  " + "  ".join(f"{c:>12}" for c in columns))
    for name, row in rows:
        typer.echo(f"{name:<{width}}  " + "  ".join(f"{row.get(c, ''):>12}" for c in columns))


def register(app: typer.Typer) -> None:
    """Add this scorer's command to the `fabula eval` group."""

    @app.command("quotes")
    def quotes_command(
        pdnc: Annotated[Path | None, typer.Option(help="PDNC root (or its data/ directory).")] = None,
        litbank: Annotated[Path | None, typer.Option(help="LitBank root directory.")] = None,
        novel: Annotated[list[str] | None, typer.Option(help="Only these PDNC novels (repeatable).")] = None,
        split: Annotated[str, typer.Option(help="LitBank split: dev or train.")] = "dev",
        max_quotes: Annotated[
            int, typer.Option(help="Score only each text's first N gold quotes (0: all).")
        ] = 0,
        cast: Annotated[
            CastSource, typer.Option(help="Characters from the pipeline, or the gold cast list.")
        ] = CastSource.pipeline,
        ranker: Annotated[
            RankerSource | None,
            typer.Option(
                help="Speaker ranker: cv (PDNC default: each novel scored by a model trained without "
                "its fold), shipped (LitBank default), off (the sieve alone)."
            ),
        ] = None,
        fold_seed: Annotated[
            int,
            typer.Option(
                help="With --ranker cv: 0 deals the novels to folds in order (the documented "
                "figures); another seed shuffles the deal, to see how much of a difference is the split's."
            ),
        ] = 0,
        json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores here.")] = None,
    ) -> None:
        """Quote span F1, speaker accuracy (per quote type) and addressee F1, per text and overall."""
        if (pdnc is None) == (litbank is None):
            raise typer.BadParameter("give exactly one of --pdnc DIR or --litbank DIR")
        if pdnc is not None:
            dirs = pdnc_novels(pdnc)
            if novel:
                dirs = [d for d in dirs if d.name in set(novel)]
            docs = [truncate(read_pdnc(d), max_quotes) for d in dirs]
        else:
            assert litbank is not None
            docs = [truncate(read_litbank_quotes(litbank, i), max_quotes) for i in split_ids(litbank, split)]
        source = ranker or (RankerSource.cv if pdnc is not None else RankerSource.shipped)
        per_doc, total = evaluate(docs, cast, rerankers(source, pdnc, fold_seed))
        _print_table(per_doc, total)
        if json_out is not None:
            data = {name: t.summary() for name, t in per_doc.items()} | {"OVERALL": total.summary()}
            json_out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
