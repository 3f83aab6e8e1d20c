"""`fabula train entities`: the entity branch (`fabula.language.entities`) on LitBank's train split.

The shared encoder layers are frozen, so their output is computed once, by the shipped int8 parser
exactly as at run time (on the CPU, where int8 runs), and cached in the work directory; only the
branch learns: the parser's top layers (copied, fp32) and the span classifier, on the CPU or a GPU.
From `Settings.average_from` on, the running mean of the weights is what is scored and kept, which
smooths the epoch-to-epoch swings that 10 dev documents cannot tell from progress. Each epoch is scored
on LitBank dev (gold tokens and sentences); the best epoch is installed as fp16
weights with its scores in `meta.json`. Retrain it after retraining the parser.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, cast

import torch
from torch import Tensor

from fabula.errors import InputError
from fabula.eval.entities import Scores, TokenMention
from fabula.language.encoder import WEIGHTS as PARSER_WEIGHTS
from fabula.language.encoder import Batch, TaggerParser, length_batches, load, make_batch
from fabula.language.entities import (
    CLASSES,
    LABELS,
    META,
    SPLIT,
    WEIGHTS,
    EntityBranch,
    SpanTable,
    load_branch,
)
from fabula.language.models import ENTITIES, MODELS_DIR, PARSER, model_path
from fabula.train import seeded, write_fp16
from fabula.train.corpora import read_litbank

SEED = 0
THREADS = 2
WEIGHT_DECAY = 0.01
WARMUP_STEPS = 100
BATCH_WORDS = 500
BATCH_SENTENCES = 24
IGNORE = -100
OUTSIDE_BIASES = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
CACHE = "entities-shared.pt"


@dataclass(frozen=True, slots=True)
class Settings:
    """What a run may vary; the defaults rebuild the shipped weights."""

    epochs: int = 30
    branch_lr: float = 2e-4
    head_lr: float = 1e-3
    outside_weight: float = 0.5  # the loss weight of `O` spans, which outnumber mentions ~200 to 1
    average_from: int = 10  # from this epoch on, score and keep the running mean of the weights (0: never)
    seed: int = SEED
    device: str = "cpu"
    threads: int = THREADS


@dataclass(slots=True)
class Sentence:
    words: list[str]
    gold: dict[tuple[int, int], int]  # (first word, last word + 1) -> class index


@dataclass(slots=True)
class Group:
    """Sentences encoded together, with the shared layers' output."""

    indices: list[int]
    batch: Batch
    shared: Tensor


def sentences_of(litbank: Path, split: str) -> list[Sentence]:
    out = []
    for doc in read_litbank(litbank, split):
        starts = doc.sentence_starts()
        for s, words in enumerate(doc.sentences):
            lo, hi = starts[s], starts[s + 1]
            inside = [(a, b, label) for a, b, label in doc.entities if lo <= a and b <= hi]
            gold = {(a - lo, b - lo): CLASSES.index(label) for a, b, label in inside}
            out.append(Sentence(words, gold))
    return out


def encode_shared(sentences: list[Sentence]) -> list[Group]:
    """The frozen layers' output for every batch of sentences, from the shipped int8 parser."""
    parser, _, pieces = load(model_path(PARSER))
    groups = []
    with torch.no_grad():
        for indices in length_batches([len(s.words) for s in sentences], BATCH_WORDS, BATCH_SENTENCES):
            batch = make_batch([sentences[i].words for i in indices], pieces)
            groups.append(Group(indices, batch, parser(batch).hidden_states[SPLIT]))
    return groups


def shared_groups(splits: dict[str, list[Sentence]], cache: Path) -> dict[str, list[Group]]:
    """`encode_shared` for each split, read from `cache` when it was made by the same parser weights."""
    digest = hashlib.sha256((model_path(PARSER) / PARSER_WEIGHTS).read_bytes())
    key = f"{digest.hexdigest()}-{SPLIT}-{BATCH_WORDS}-{BATCH_SENTENCES}"
    if cache.is_file():
        stored = torch.load(cache, weights_only=True)
        if stored["key"] == key:
            return {name: [_group(g) for g in stored[name]] for name in splits}
    groups = {name: encode_shared(sentences) for name, sentences in splits.items()}
    plain = {name: [_plain(g) for g in found] for name, found in groups.items()}
    partial = cache.with_name(f"{cache.name}.tmp")
    torch.save({"key": key, **plain}, partial)
    partial.replace(cache)
    return groups


def _plain(group: Group) -> dict[str, Any]:
    """A group as the tensors, lists and ints that `torch.load(weights_only=True)` reads back."""
    batch = {f.name: getattr(group.batch, f.name) for f in fields(Batch)}
    return {"indices": group.indices, "batch": batch, "shared": group.shared}


def _group(plain: dict[str, Any]) -> Group:
    return Group(plain["indices"], Batch(**plain["batch"]), plain["shared"])


def targets(group: Group, sentences: list[Sentence], table: SpanTable) -> Tensor:
    """Gold class per (sentence, candidate span); spans past a sentence's end are ignored."""
    gold = torch.full((len(group.indices), len(table.starts)), IGNORE, dtype=torch.long)
    spans = list(zip(table.starts.tolist(), (table.starts + table.widths).tolist(), strict=True))
    for row, i in enumerate(group.indices):
        n, found = len(sentences[i].words), sentences[i].gold
        gold[row] = torch.tensor([found.get(span, 0) if span[1] <= n else IGNORE for span in spans])
    return gold


def dev_scores(
    branch: EntityBranch, groups: list[Group], sentences: list[Sentence], biases: Sequence[float] = (0.0,)
) -> list[Scores]:
    """Exact-span scores per label (gold tokens and sentences), one per `O` bias."""
    branch.eval()
    scores = [Scores() for _ in biases]
    with torch.inference_mode():
        for group in groups:
            words = [sentences[i].words for i in group.indices]
            for bias, counts in zip(biases, scores, strict=True):
                found = branch.mentions(group.shared, group.batch, words, bias)
                for i, mentions in zip(group.indices, found, strict=True):
                    gold: set[TokenMention] = {
                        (a, b, CLASSES[c], "") for (a, b), c in sentences[i].gold.items()
                    }
                    counts.add(gold, {(a, b, label, "") for a, b, label in mentions}, by=2)
    branch.train()
    return scores


def tune_outside_bias(
    target: Path, parser: TaggerParser, groups: list[Group], sentences: list[Sentence]
) -> Scores:
    """Reload the installed weights, pick the `O` bias with the best dev F1 and install it with them."""
    branch = load_branch(target, parser, int8=False).to(groups[0].shared.device)
    meta = json.loads((target / META).read_text(encoding="utf-8"))
    found = dev_scores(branch, groups, sentences, OUTSIDE_BIASES)
    best = max(range(len(found)), key=lambda k: found[k].overall.f1)
    for bias, counts in zip(OUTSIDE_BIASES, found, strict=True):
        print(f"outside bias {bias}: dev F1 {100 * counts.overall.f1:.2f}", flush=True)
    install(branch, found[best], meta["epoch"], target, OUTSIDE_BIASES[best])
    return found[best]


def install(
    branch: EntityBranch, scores: Scores, epoch: int, target: Path, outside_bias: float = 0.0
) -> None:
    """fp16 weights and the dev scores they reached."""
    write_fp16(branch.state_dict(), target / WEIGHTS)
    rows = {name: round(100 * scores.rows[name].f1, 2) for name in LABELS if name in scores.rows}
    meta = {
        "split": SPLIT,
        "epoch": epoch,
        "outside_bias": outside_bias,
        "dev_gold_tokens": {
            "precision": round(100 * scores.overall.precision, 2),
            "recall": round(100 * scores.overall.recall, 2),
            "f1": round(100 * scores.overall.f1, 2),
            "f1_per_label": rows,
        },
    }
    (target / META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def train(data: Path, work: Path, target: Path | None = None, settings: Settings = Settings()) -> Path:
    """Train the branch, keep the best epoch by dev F1, install it; returns the model directory."""
    litbank = data / "litbank"
    if not litbank.is_dir():
        raise InputError(litbank, "no such directory; pass the annotated data, e.g. --data ../shared/data")
    target = target or MODELS_DIR / ENTITIES
    work.mkdir(parents=True, exist_ok=True)
    rng = seeded(settings.threads, settings.seed)
    began = time.perf_counter()
    train_set, dev = sentences_of(litbank, "train"), sentences_of(litbank, "dev")
    groups = shared_groups({"train": train_set, "dev": dev}, work / CACHE)
    device = torch.device(settings.device)
    train_groups, dev_groups = ([_on(g, device) for g in groups[name]] for name in ("train", "dev"))
    seconds = time.perf_counter() - began
    print(f"shared layers ready in {seconds:.0f} s; {len(train_groups)} batches per epoch", flush=True)
    parser, _, _ = load(model_path(PARSER), int8=False)
    branch = EntityBranch(parser.bert.config)
    branch.layers.load_state_dict(parser.bert.encoder.layer[SPLIT:].state_dict())
    branch.to(device)
    layers = [p for n, p in branch.named_parameters() if n.startswith("layers.")]
    head = [p for n, p in branch.named_parameters() if not n.startswith("layers.")]
    optimizer = torch.optim.AdamW(
        [{"params": layers, "lr": settings.branch_lr}, {"params": head, "lr": settings.head_lr}],
        weight_decay=WEIGHT_DECAY,
    )
    steps = settings.epochs * len(train_groups)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / WARMUP_STEPS) * max(0.0, 1 - step / steps)
    )
    weights = torch.ones(len(CLASSES), device=device)
    weights[0] = settings.outside_weight
    averaged = torch.optim.swa_utils.AveragedModel(branch)
    mean_branch = cast(EntityBranch, averaged.module)
    best = -1.0
    branch.train()
    for epoch in range(1, settings.epochs + 1):
        rng.shuffle(train_groups)
        total = 0.0
        for group in train_groups:
            logits, table = branch(group.shared, group.batch)
            gold = targets(group, train_set, table).to(device)
            value = torch.nn.functional.cross_entropy(
                logits.reshape(-1, len(CLASSES)), gold.reshape(-1), weight=weights, ignore_index=IGNORE
            )
            optimizer.zero_grad()
            value.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(branch.parameters(), 5.0)
            optimizer.step()
            schedule.step()
            total += value.item()
        kept = branch
        if settings.average_from and epoch >= settings.average_from:
            averaged.update_parameters(branch)
            kept = mean_branch
        scores = dev_scores(kept, dev_groups, dev)[0]
        minutes = (time.perf_counter() - began) / 60
        print(
            f"epoch {epoch} loss {total / len(train_groups):.4f} dev P {100 * scores.overall.precision:.2f} "
            f"R {100 * scores.overall.recall:.2f} F1 {100 * scores.overall.f1:.2f} ({minutes:.1f} min)",
            flush=True,
        )
        install(kept, scores, epoch, work / f"entities-epoch{epoch}")
        if scores.overall.f1 > best:
            best = scores.overall.f1
            install(kept, scores, epoch, target)
            print(f"installed epoch {epoch} into {target}", flush=True)
    tune_outside_bias(target, parser, dev_groups, dev)
    return target


def _on(group: Group, device: torch.device) -> Group:
    return Group(group.indices, group.batch.to(device), group.shared.to(device))
