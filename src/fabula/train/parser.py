"""`fabula train parser`: fine-tune all-MiniLM-L6-v2 on UD English EWT into the shipped tagger/parser.

Trains on EWT train (gold words, multiword-token lines skipped) with a fixed seed, scores EWT dev
after every epoch, keeps the best epoch by LAS and installs it into `src/fabula/models/` as fp16
weights without the frozen embedding matrix (the model itself is `fabula.language.encoder`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Hashable, Sequence
from pathlib import Path

import torch
from torch import Tensor

from fabula.errors import InputError
from fabula.eval.parse import evaluate
from fabula.language.encoder import (
    INFLECTING,
    LABELS,
    WEIGHTS,
    Analysis,
    Labels,
    Pieces,
    TaggerParser,
    analyse,
    build,
    edit_script,
    length_batches,
    make_batch,
)
from fabula.train import seeded, write_fp16
from fabula.train.corpora import ConlluSentence, read_conllu

MODEL_NAME = "en_fabula_parser"
EWT_DIR = "ud_english_ewt"
SEED = 0
EPOCHS = 4
THREADS = 1  # with the 2 cores shared, a second thread mostly waits (measured 2-4x slower)
ENCODER_LR = 8e-5
HEAD_LR = 1e-3
WEIGHT_DECAY = 0.01
WARMUP_STEPS = 200
BATCH_PIECES = 800
BATCH_SENTENCES = 32
MIN_SCRIPT_COUNT = 2  # rarer lemma scripts are not learnt (the lowercased form stands in)
MIN_FORM_COUNT, FORM_AGREEMENT = 2, 0.9  # a form's lemma is looked up when seen this often, this one-sided
IGNORE = -100
MODELS = Path(__file__).resolve().parents[1] / "models"


def make_labels(sentences: Sequence[ConlluSentence]) -> Labels:
    """Label sets from the training data; lemma scripts by frequency; the lemmas seen."""
    scripts = Counter(
        edit_script(w, lemma) for s in sentences for w, lemma in zip(s.words, s.lemmas, strict=True)
    )
    return Labels(
        upos=sorted({t for s in sentences for t in s.upos}),
        xpos=sorted({t for s in sentences for t in s.xpos}),
        deprels=sorted({t for s in sentences for t in s.deprels}),
        scripts=[script for script, count in scripts.most_common() if count >= MIN_SCRIPT_COUNT],
        lemmas={
            upos: frozenset(
                lemma for s in sentences for lemma, tag in zip(s.lemmas, s.upos, strict=True) if tag == upos
            )
            for upos in sorted(INFLECTING)
        },
        forms=_form_lemmas(sentences),
    )


def _form_lemmas(sentences: Sequence[ConlluSentence]) -> dict[str, dict[str, str]]:
    """Per inflecting part of speech, each lowercased form seen `MIN_FORM_COUNT` times or more
    with one lemma at least `FORM_AGREEMENT` of the time, and that lemma."""
    seen: dict[str, dict[str, Counter[str]]] = {upos: {} for upos in sorted(INFLECTING)}
    for s in sentences:
        for word, lemma, upos in zip(s.words, s.lemmas, s.upos, strict=True):
            if upos in seen:
                seen[upos].setdefault(word.lower(), Counter())[lemma] += 1
    forms: dict[str, dict[str, str]] = {}
    for upos, by_form in seen.items():
        forms[upos] = {}
        for form, lemmas in by_form.items():
            lemma, count = lemmas.most_common(1)[0]
            if count >= MIN_FORM_COUNT and count >= FORM_AGREEMENT * lemmas.total():
                forms[upos][form] = lemma
    return forms


def targets(chosen: Sequence[ConlluSentence], labels: Labels, width: int) -> dict[str, Tensor]:
    """Gold indices per word position (position 0 is the root); unknown labels are ignored."""
    maps: dict[str, dict[Hashable, int]] = {
        "upos": {t: i for i, t in enumerate(labels.upos)},
        "xpos": {t: i for i, t in enumerate(labels.xpos)},
        "deprels": {t: i for i, t in enumerate(labels.deprels)},
        "lemma": {t: i for i, t in enumerate(labels.scripts)},
    }
    gold = {key: torch.full((len(chosen), width), IGNORE, dtype=torch.long) for key in (*maps, "heads")}
    for b, s in enumerate(chosen):
        columns: dict[str, Sequence[Hashable]] = {
            "upos": s.upos,
            "xpos": s.xpos,
            "deprels": s.deprels,
            "lemma": [edit_script(w, lemma) for w, lemma in zip(s.words, s.lemmas, strict=True)],
        }
        for key, values in columns.items():
            index = maps[key]
            gold[key][b, 1 : len(values) + 1] = torch.tensor([index.get(v, IGNORE) for v in values])
        gold["heads"][b, 1 : len(s.words) + 1] = torch.tensor(
            [0 if h == i else h + 1 for i, h in enumerate(s.heads)]
        )
    return gold


def loss(model: TaggerParser, chosen: Sequence[ConlluSentence], labels: Labels, pieces: Pieces) -> Tensor:
    """Summed cross-entropies of tags, lemma scripts, heads and relations (relations given gold heads)."""
    batch = make_batch([s.words for s in chosen], pieces)
    gold = targets(chosen, labels, batch.gather.shape[1])
    scores = model(batch)
    relations = model.labels_for(scores, gold["heads"].clamp(min=0), batch.words)
    total = torch.nn.functional.cross_entropy(relations, gold["deprels"][batch.words], ignore_index=IGNORE)
    for logits, key in (
        (scores.upos, "upos"),
        (scores.xpos, "xpos"),
        (scores.lemma, "lemma"),
        (scores.arcs, "heads"),
    ):
        flat = logits.reshape(-1, logits.shape[-1])
        total = total + torch.nn.functional.cross_entropy(flat, gold[key].reshape(-1), ignore_index=IGNORE)
    return total


def dev_scores(
    model: TaggerParser, labels: Labels, pieces: Pieces, dev: Sequence[ConlluSentence]
) -> dict[str, float]:
    """UPOS, UAS, LAS and lemma accuracy (the `fabula eval parse` scorer) and XPOS on dev."""
    model.eval()
    found: list[Analysis] = analyse(model, labels, pieces, [s.words for s in dev])
    model.train()
    parse = evaluate(list(dev), lambda _: ((a.upos, a.heads, a.deprels, a.lemmas) for a in found))
    words = parse.words or 1
    xpos = sum(p == g for a, s in zip(found, dev, strict=True) for p, g in zip(a.xpos, s.xpos, strict=True))
    return {
        "upos": 100 * parse.upos / words,
        "uas": 100 * parse.uas / words,
        "las": 100 * parse.las / words,
        "xpos": 100 * xpos / words,
        "lemma": 100 * parse.lemma / words,
    }


def install(model: TaggerParser, labels: Labels, target: Path) -> None:
    """Write fp16 weights (frozen embeddings left out) and the label sets."""
    write_fp16(model.trained_state(), target / WEIGHTS)
    labels.save(target / LABELS)


def train(data: Path, work: Path, target: Path | None = None) -> Path:
    """Fine-tune on EWT train, select the epoch by dev LAS, install it; returns the model directory."""
    ewt = data / EWT_DIR
    if not ewt.is_dir():
        raise InputError(ewt, "no such directory; pass the annotated data, e.g. --data ../shared/data")
    target = target or MODELS / MODEL_NAME
    work.mkdir(parents=True, exist_ok=True)
    rng = seeded(THREADS, SEED)
    train_set = read_conllu(ewt / "en_ewt-ud-train.conllu")
    dev = read_conllu(ewt / "en_ewt-ud-dev.conllu")
    labels = make_labels(train_set)
    model, pieces = build(labels)
    model.bert.embeddings.requires_grad_(False)
    encoder = [p for n, p in model.named_parameters() if n.startswith("bert.") and p.requires_grad]
    heads = [p for n, p in model.named_parameters() if not n.startswith("bert.")]
    optimizer = torch.optim.AdamW(
        [{"params": encoder, "lr": ENCODER_LR}, {"params": heads, "lr": HEAD_LR}], weight_decay=WEIGHT_DECAY
    )
    sizes = [sum(map(len, pieces(s.words))) + 2 for s in train_set]
    groups = list(length_batches(sizes, BATCH_PIECES, BATCH_SENTENCES))
    steps = EPOCHS * len(groups)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / WARMUP_STEPS, max(0.0, (steps - step) / (steps - WARMUP_STEPS))),
    )
    print(f"{len(train_set)} sentences, {len(groups)} batches per epoch, {steps} steps", flush=True)
    best = -1.0
    began = time.perf_counter()
    model.train()
    for epoch in range(1, EPOCHS + 1):
        rng.shuffle(groups)
        for step, group in enumerate(groups, start=1):
            value = loss(model, [train_set[i] for i in group], labels, pieces)
            optimizer.zero_grad()
            value.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            schedule.step()
            if step % 50 == 0:
                minutes = (time.perf_counter() - began) / 60
                print(
                    f"epoch {epoch} step {step}/{len(groups)} loss {value.item():.3f} {minutes:.1f} min",
                    flush=True,
                )
        scores = dev_scores(model, labels, pieces, dev)
        print(f"epoch {epoch} dev " + " ".join(f"{k} {v:.2f}" for k, v in scores.items()), flush=True)
        install(model, labels, work / f"parser-epoch{epoch}")
        if scores["las"] > best:
            best = scores["las"]
            install(model, labels, target)
            print(f"installed epoch {epoch} into {target}", flush=True)
    return target
