"""Throughput and peak memory of the whole `fabula analyze` pipeline on full novels.

Runs every configured stage on full Project Gutenberg novels from LitBank's `original/` directory,
first in one process, then in N worker processes (one book at a time each, one thread each),
and prints tokens/s (tokens counted by the language layer; model loading excluded), tokens per
CPU-second (what a book would get from an idle core, when the machine is shared) and the peak
resident memory of each process. Usage:

    python bench/throughput.py                       # 4 novels of median length, 1 and 2 processes
    python bench/throughput.py --largest 1 --processes 1   # the peak-memory check on the longest novel
    python bench/throughput.py --stages language           # the language layer alone
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


def analyse(path: Path, stages: list[str]) -> tuple[str, int, dict[str, float], float, float]:
    """Run each stage in turn; return tokens, seconds per stage, CPU seconds and peak RSS (MB)."""
    from fabula.api import read
    from fabula.pipeline import get_stage

    story = read(path)
    seconds: dict[str, float] = {}
    cpu = time.process_time()
    for name in stages:
        began = time.perf_counter()
        story = get_stage(name)(story)
        seconds[name] = time.perf_counter() - began
    cpu = time.process_time() - cpu
    tokens = len(story._tokens) if story._tokens is not None else 0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return path.name, tokens, seconds, cpu, peak_mb


def run(books: list[Path], processes: int, stages: list[str]) -> None:
    context = get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_warm_up) as pool:
        list(pool.map(time.sleep, [0.5] * processes))  # wait until every worker has loaded the models
        began = time.perf_counter()
        results = list(pool.map(analyse, books, [stages] * len(books)))
        wall = time.perf_counter() - began
    total = 0
    for name, tokens, seconds, cpu, peak in results:
        total += tokens
        timing = " ".join(f"{k}={v:.1f}s" for k, v in seconds.items())
        rate, per_cpu = tokens / sum(seconds.values()), tokens / cpu
        print(f"  {name}: {tokens} tokens, {rate:.0f} tokens/s ({per_cpu:.0f} per CPU-s), peak {peak:.0f} MB")
        print(f"    {timing}")
    peak = max(r[4] for r in results)
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
    parser.add_argument("--stages", nargs="+", help="stages to run (default: the default pipeline's)")
    args = parser.parse_args()
    from fabula.pipeline import PipelineConfig

    stages = args.stages or PipelineConfig.default().stages
    novels = sorted(args.originals.glob("*.txt"), key=lambda p: p.stat().st_size)
    if not novels:
        parser.error(f"no novels in {args.originals}")
    if args.largest:
        books = novels[-args.largest :]
    else:
        middle = len(novels) // 2
        books = novels[max(0, middle - args.books // 2) :][: args.books]
    size = sum(p.stat().st_size for p in books) / 1e6
    print(f"{len(books)} novels, {size:.1f} MB of text; stages: {' '.join(stages)}")
    for n in args.processes:
        run(books, n, stages)


if __name__ == "__main__":
    main()
