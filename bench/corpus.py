"""Corpus throughput: works per hour and tokens per second at 1 and 2 workers, and memory per worker.

The works are the chapters of the LitBank novels (../shared/data/litbank/original/*.txt),
written to a temporary folder, never into the repository. Each worker count gets a fresh
database. Memory per worker is the resident set size each worker reports after each work
(works.worker_rss_mb): "flat" means its last works cost no more than its first.

    .venv/bin/python bench/corpus.py                       # 500 chapters, the default pipeline
    .venv/bin/python bench/corpus.py --stages language --limit 1000 --workers 1,2,4
    .venv/bin/python bench/corpus.py --stages ""           # ingest only: the corpus machinery itself
    .venv/bin/python bench/corpus.py --config my.toml --limit 40
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import duckdb

from fabula.corpus.runner import run_corpus
from fabula.pipeline import PipelineConfig

REPO = Path(__file__).resolve().parents[1]
NOVELS = REPO.parent / "shared" / "data" / "litbank" / "original"
HEADING = re.compile(r"^[ \t]*(?:CHAPTER|Chapter|BOOK|Book|STAVE|Stave)\b[^\n]*$", re.MULTILINE)
CHUNK_WORDS = 4000


def chapters(text: str) -> list[str]:
    """Split at chapter headings; a novel without them is cut into ~4,000-word pieces at paragraphs."""
    starts = [m.start() for m in HEADING.finditer(text)]
    if len(starts) >= 3:
        return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    pieces, current, words = [], [], 0
    for paragraph in re.split(r"\n\s*\n", text):
        current.append(paragraph)
        words += len(paragraph.split())
        if words >= CHUNK_WORDS:
            pieces.append("\n\n".join(current))
            current, words = [], 0
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def write_works(target: Path, limit: int) -> int:
    """The first `limit` chapters of the novels, taken one novel at a time in name order."""
    novels = sorted(NOVELS.glob("*.txt"))
    if not novels:
        sys.exit(f"no novels at {NOVELS}")
    written = 0
    for novel in novels:
        for n, chapter in enumerate(chapters(novel.read_text(encoding="utf-8"))):
            if written >= limit:
                return written
            if len(chapter.split()) < 50:
                continue
            path = target / novel.stem / f"{n:03d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(chapter, encoding="utf-8")
            written += 1
    return written


def memory(db: Path) -> dict[str, float]:
    """Per worker: its peak RSS, and the median RSS over its first and its last tenth of works."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT worker, list(worker_rss_mb ORDER BY analysed_at) FROM works "
            "WHERE worker_rss_mb IS NOT NULL GROUP BY worker"
        ).fetchall()
    peaks, firsts, lasts = [], [], []
    for _, series in rows:
        tenth = max(1, len(series) // 10)
        peaks.append(max(series))
        firsts.append(median(series[:tenth]))
        lasts.append(median(series[-tenth:]))
    return {
        "peak_rss_mb_max": max(peaks),
        "rss_first_tenth_mb": round(max(firsts), 1),
        "rss_last_tenth_mb": round(max(lasts), 1),
    }


def measure(works: Path, workers: int, config: PipelineConfig, scratch: Path) -> dict[str, float]:
    db = scratch / f"bench-{workers}.duckdb"
    started = time.perf_counter()
    stats = run_corpus(works, db, workers=workers, config=config)
    seconds = time.perf_counter() - started
    return {
        "workers": workers,
        "works": stats.analysed,
        "failed": stats.failed,
        "tokens": stats.tokens,
        "seconds": round(seconds, 1),
        "works_per_hour": round(stats.analysed / seconds * 3600),
        "tokens_per_second": round(stats.tokens / seconds),
        **memory(db),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=500, help="works (chapters) to analyse")
    parser.add_argument("--config", type=Path, help="pipeline config (TOML); default: the default pipeline")
    parser.add_argument("--stages", help='comma-separated stages instead of --config ("" for ingest only)')
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.stages is not None:
        config = PipelineConfig(stages=[s for s in args.stages.split(",") if s])
    else:
        config = PipelineConfig.from_file(args.config) if args.config else PipelineConfig.default()

    with tempfile.TemporaryDirectory(prefix="fabula-bench-corpus-") as tmp:
        scratch = Path(tmp)
        count = write_works(scratch / "works", args.limit)
        print(f"{count} works from {NOVELS}; stages: {config.stages}", flush=True)
        results = []
        for workers in (int(w) for w in args.workers.split(",")):
            result = measure(scratch / "works", workers, config, scratch)
            print(json.dumps(result), flush=True)
            results.append(result)
    base = results[0]
    for result in results[1:]:
        ratio = result["works_per_hour"] / base["works_per_hour"]
        print(f"scaling {base['workers']} -> {result['workers']} workers: {ratio:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({"stages": config.stages, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
