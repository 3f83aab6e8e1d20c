"""Training recipes for the shipped models (`fabula train`)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch import Tensor


def seeded(threads: int, seed: int) -> random.Random:
    """Fix torch's thread count and seed for a reproducible run; the returned RNG shuffles its batches."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    return random.Random(seed)


def write_fp16(state: dict[str, Tensor], path: Path) -> None:
    """Weights as fp16 safetensors, written beside `path` first so a reader never sees half a file."""
    import torch
    from safetensors.torch import save_file

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.tmp")
    save_file({k: v.detach().to("cpu", torch.float16).contiguous() for k, v in state.items()}, str(partial))
    partial.chmod(0o644)
    partial.replace(path)
