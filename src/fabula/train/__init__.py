"""Training recipes for the shipped models (`fabula train`)."""

from __future__ import annotations

import random


def seeded(threads: int, seed: int) -> random.Random:
    """Fix torch's thread count and seed for a reproducible run; the returned RNG shuffles its batches."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return random.Random(seed)
