"""LitBank's nested entity mentions, scored as spans on a branch of the parser's encoder.

Why a branch: the encoder pass is the language layer's whole budget, so the entity model reads the
parser encoder's hidden states after `SPLIT` of its six layers and runs its own fine-tuned copy of
the layers above. The tagger/parser keeps its trees, the shared layers run once, and only the top
layers run twice. Every span of up to `MAX_WIDTH` words inside a sentence gets one label or `O`
(span classification handles nesting: "the house of [Mr. Smith]"); crossing spans keep the likelier.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn

if TYPE_CHECKING:
    from fabula.language.encoder import Batch, TaggerParser

LABELS = ("PER", "FAC", "LOC", "GPE", "VEH", "ORG")
CLASSES = ("O", *LABELS)
SPLIT = 3  # encoder layers shared with the parser
MAX_WIDTH = 16  # words; covers 98.5% of LitBank train mentions
HIDDEN = 256
CASING_DIM = 32
DROPOUT = 0.2
WEIGHTS = "weights.safetensors"
META = "meta.json"
_INNER_PUNCT = frozenset({"'", "’", "-", "&"})

# A mention within one sentence: (first word, last word + 1, label).
WordMention = tuple[int, int, str]


@dataclass(slots=True)
class SpanTable:
    """The candidate spans of a batch, the same for every sentence: `starts[k]` and `widths[k]`."""

    starts: Tensor
    widths: Tensor


def span_table(length: int, device: torch.device | None = None) -> SpanTable:
    """Every (start, width) with width up to `MAX_WIDTH` ending within `length` words, width-major."""
    starts, widths = [], []
    for width in range(1, min(MAX_WIDTH, length) + 1):
        first = torch.arange(0, length - width + 1, device=device)
        starts.append(first)
        widths.append(torch.full_like(first, width))
    return SpanTable(starts=torch.cat(starts), widths=torch.cat(widths))


class EntityBranch(nn.Module):
    """Encoder layers above `SPLIT` (trained from the parser's own) and a span classifier."""

    def __init__(self, config: Any) -> None:
        from transformers.models.bert.modeling_bert import BertLayer

        from fabula.language.encoder import CASINGS

        super().__init__()
        self.outside_bias = 0.0  # set from the model's meta.json
        self.layers = nn.ModuleList(
            BertLayer(config, i)  # type: ignore[no-untyped-call]
            for i in range(SPLIT, config.num_hidden_layers)
        )
        dim = config.hidden_size + CASING_DIM
        self.casing = nn.Embedding(CASINGS, CASING_DIM)
        self.dropout = nn.Dropout(DROPOUT)
        self.start = nn.Linear(dim, HIDDEN)
        self.end = nn.Linear(dim, HIDDEN)
        self.inside = nn.Linear(dim, HIDDEN)
        self.width = nn.Embedding(MAX_WIDTH + 1, HIDDEN)
        self.classify = nn.Sequential(
            nn.GELU(),
            nn.Dropout(DROPOUT),
            nn.Linear(HIDDEN, HIDDEN),
            nn.GELU(),
            nn.Linear(HIDDEN, len(CLASSES)),
        )

    def forward(self, shared: Tensor, batch: Batch) -> tuple[Tensor, SpanTable]:
        """Class scores [sentences, spans, classes] for every span of `span_table` (training)."""
        x = self._words(shared, batch)
        table = span_table(x.shape[1], x.device)
        rows = torch.arange(x.shape[0], device=x.device)[:, None]
        return self._score(x, rows, table.starts[None, :], table.widths[None, :]), table

    def mentions(
        self,
        shared: Tensor,
        batch: Batch,
        sentences: Sequence[Sequence[str]],
        outside_bias: float | None = None,
    ) -> list[list[WordMention]]:
        """Each sentence's mentions, scoring only spans that fit it and hold no `blocks_mention` word."""
        bias = self.outside_bias if outside_bias is None else outside_bias
        x = self._words(shared, batch)
        rows, starts, widths = candidates(sentences)
        scores = self._score(x, rows.to(x.device), starts.to(x.device), widths.to(x.device)).cpu()
        counts = torch.bincount(rows, minlength=len(sentences)).tolist()
        found, first = [], 0
        for count in counts:
            last = first + count
            found.append(decode_mentions(scores[first:last], starts[first:last], widths[first:last], bias))
            first = last
        return found

    def _words(self, shared: Tensor, batch: Batch) -> Tensor:
        mask = batch.attention.bool()[:, None, None, :]
        hidden = shared
        for layer in self.layers:
            hidden = layer(hidden, attention_mask=mask)
        words = hidden.reshape(-1, hidden.shape[-1])[batch.gather[:, 1:]]
        x: Tensor = self.dropout(torch.cat([words, self.casing(batch.casing[:, 1:])], dim=-1))
        return x

    def _score(self, x: Tensor, rows: Tensor, starts: Tensor, widths: Tensor) -> Tensor:
        """Class scores of the spans (`rows`, `starts`, `widths` index alike, any shape).

        A span is its start and end projections plus the mean projection of its words and a width
        embedding: one matrix product per word, not per span, keeps scoring thousands of spans cheap.
        """
        inside = self.inside(x)
        running = torch.cat([torch.zeros_like(inside[:, :1]), inside.cumsum(1)], dim=1)
        ends = starts + widths
        mean = (running[rows, ends] - running[rows, starts]) / widths[..., None]
        spans = self.start(x)[rows, starts] + self.end(x)[rows, ends - 1] + mean + self.width(widths)
        scores: Tensor = self.classify(spans)
        return scores


def blocks_mention(word: str) -> bool:
    """Punctuation that LitBank mentions never hold (they do hold "O ' Brien", "Saint - Cyr", "&")."""
    return not any(c.isalnum() for c in word) and word not in _INNER_PUNCT


def candidates(sentences: Sequence[Sequence[str]]) -> tuple[Tensor, Tensor, Tensor]:
    """Sentence row, first word and width of every span worth scoring, grouped by row."""
    rows, starts, widths = [], [], []
    for row, words in enumerate(sentences):
        table = span_table(len(words))
        blocked = torch.tensor([0, *itertools.accumulate(blocks_mention(w) for w in words)])
        keep = blocked[table.starts + table.widths] == blocked[table.starts]
        rows.append(torch.full((int(keep.sum()),), row))
        starts.append(table.starts[keep])
        widths.append(table.widths[keep])
    return torch.cat(rows), torch.cat(starts), torch.cat(widths)


def decode_mentions(
    scores: Tensor, starts: Tensor, widths: Tensor, outside_bias: float = 0.0
) -> list[WordMention]:
    """Spans whose likeliest class is not `O`, likeliest first, dropping any that cross a kept one.

    `outside_bias` is added to the `O` score: training down-weights `O` spans, so the branch
    over-predicts until this is tuned on dev (`fabula.train.entities`).
    """
    scores = scores.clone()
    scores[:, 0] += outside_bias
    probs = scores.softmax(-1)
    best, label = probs[:, 1:].max(-1)
    found = sorted(
        (
            (float(best[k]), int(starts[k]), int(starts[k] + widths[k]), int(label[k]))
            for k in (best > probs[:, 0]).nonzero().flatten().tolist()
        ),
        reverse=True,
    )
    kept: list[WordMention] = []
    for _, start, end, k in found:
        if not any(start < a < end < b or a < start < b < end for a, b, _ in kept):
            kept.append((start, end, LABELS[k]))
    return sorted(kept)


def load_branch(path: Path, parser: TaggerParser, *, int8: bool = True) -> EntityBranch:
    """The shipped branch for `parser`, in eval mode; its encoder layers int8 like the parser's."""
    from safetensors.torch import load_file

    from fabula.language.encoder import quantize

    meta = json.loads((path / META).read_text(encoding="utf-8"))
    if meta.get("split") != SPLIT:
        raise RuntimeError(f"{path} was trained on encoder layer {meta.get('split')}, not {SPLIT}")
    branch = EntityBranch(parser.bert.config)
    branch.load_state_dict({k: v.float() for k, v in load_file(path / WEIGHTS).items()})
    branch.outside_bias = float(meta.get("outside_bias", 0.0))
    branch.eval()
    if int8:
        branch.layers = quantize(branch.layers)
    return branch
