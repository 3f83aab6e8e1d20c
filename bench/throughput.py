"""Throughput and peak memory of the whole `fabula analyze` pipeline on full novels.

Runs every configured stage on full Project Gutenberg novels from LitBank's `original/` directory,
first in one process, then in N worker processes (one book at a time each, one thread each),
and prints tokens/s (tokens counted by the language layer; model loading excluded) and the peak
resident memory of each process. Usage:

    python bench/throughput.py                       # 4 novels of median length, 1 and 2 processes
    python bench/throughput.py --largest 1 --processes 1   # the peak-memory check on the longest novel
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ORIGINALS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "litbank" / "original"


def _warm_up() -> None:
    """Load the models once per worker so that timings measure analysis, not loading."""
    from fabula.language.models import load_pipeline

    load_pipeline()


def analyse(path: Path) -> tuple[str, int, dict[str, float], float]:
    """Run each stage of the default pipeline; return tokens, seconds per stage and peak RSS (MB)."""
    from fabula.api import read
    from fabula.pipeline import PipelineConfig, get_stage

    story = read(path)
    seconds: dict[str, float] = {}
    for name in PipelineConfig.default().stages:
        began = time.perf_counter()
        story = get_stage(name)(story)
        seconds[name] = time.perf_counter() - began
    tokens = len(story._tokens) if story._tokens is not None else 0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return path.name, tokens, seconds, peak_mb


def run(books: list[Path], processes: int) -> None:
    context = get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_warm_up) as pool:
        list(pool.map(time.sleep, [0.5] * processes))  # wait until every worker has loaded the models
        began = time.perf_counter()
        results = list(pool.map(analyse, books))
        wall = time.perf_counter() - began
    total = 0
    for name, tokens, seconds, peak in results:
        total += tokens
        stages = " ".join(f"{k}={v:.1f}s" for k, v in seconds.items())
        rate = tokens / sum(seconds.values())
        print(f"  {name}: {tokens} tokens, {rate:.0f} tokens/s, peak {peak:.0f} MB; {stages}")
    peak = max(r[3] for r in results)
    rate = total / wall
    print(f"{processes} process(es): {total} tokens in {wall:.1f}s = {rate:.0f} tokens/s; peak {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--originals", type=Path, default=ORIGINALS, help="LitBank's original/ directory")
    parser.add_argument("--books", type=int, default=4, help="how many novels of median length")
    parser.add_argument("--largest", type=int, default=0, help="use the N longest novels instead")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    novels = sorted(args.originals.glob("*.txt"), key=lambda p: p.stat().st_size)
    if not novels:
        parser.error(f"no novels in {args.originals}")
    if args.largest:
        books = novels[-args.largest :]
    else:
        middle = len(novels) // 2
        books = novels[max(0, middle - args.books // 2) :][: args.books]
    print(f"{len(books)} novels, {sum(p.stat().st_size for p in books) / 1e6:.1f} MB of text")
    for n in args.processes:
        run(books, n)


if __name__ == "__main__":
    main()
