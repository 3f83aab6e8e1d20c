"""Point of view on whole novels: LitBank's full Gutenberg texts and the PDNC novels.

Neither corpus annotates point of view; the labels below are the narrators' person as literary
reference works give it. Bleak House is left out: half its chapters are Esther's first person.
The stage runs bare (no quotes or characters), so this scores the narration-only pronoun counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import full_accuracy_runs
from fabula.narrative import run as narrative
from fabula.story import Story

# Gutenberg ids of the LitBank works told in the first person; every other work is third person.
FIRST_PERSON = frozenset(
    {120, 1260, 2489, 345, 76, 766, 768, 521, 829, 84, 2166, 711, 2775, 36, 62, 95, 155, 2852, 1661, 271}
    | {11231, 238, 1327, 32, 932, 6053, 2807, 367, 209, 219}
)
MIXED = frozenset({1023})
SAMPLE = 12


def _works(folder: Path, pattern: str) -> list[Path]:
    """All works, or by default the smallest few (a sample that keeps the suite fast)."""
    paths = sorted(folder.glob(pattern), key=lambda p: (p.stat().st_size, p.name))
    return paths if full_accuracy_runs() else paths[:SAMPLE]


def _person(path: Path) -> str:
    return narrative(Story(text=path.read_text(encoding="utf-8"))).pov.person


def _score(name: str, works: list[Path], gold: list[str]) -> float:
    """Share of works whose narrator's person is right; prints it and the misses (`pytest -s`)."""
    persons = [_person(p) for p in works]
    misses = [
        f"{p.parent.name if p.name == 'novel_text.txt' else p.stem}: {got} (gold {want})"
        for p, got, want in zip(works, persons, gold, strict=True)
        if got != want
    ]
    right = len(works) - len(misses)
    print(f"{name} narrator person: {right}/{len(works)} right; misses: {misses}")
    return right / len(works)


@pytest.mark.accuracy
def test_litbank_narrator_person(shared_data: Path) -> None:
    ids = {p: int(p.name.split("_")[0]) for p in _works(shared_data / "litbank" / "original", "*.txt")}
    works = [p for p, work in ids.items() if work not in MIXED]
    gold = ["first" if ids[p] in FIRST_PERSON else "third" for p in works]
    assert len(works) >= SAMPLE - 1
    assert _score("LitBank", works, gold) >= 0.9


@pytest.mark.accuracy
def test_pdnc_novels_are_third_person(shared_data: Path) -> None:
    works = _works(shared_data / "pdnc" / "data", "*/novel_text.txt")
    assert works and _score("PDNC", works, ["third"] * len(works)) >= 0.95
