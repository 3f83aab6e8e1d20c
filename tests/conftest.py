"""Shared test fixtures: where the annotated data lives, and the demo story."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("FABULA_SHARED_DATA", REPO.parent / "shared" / "data"))
DEMO_STORY = REPO / "examples" / "demo_story.md"


def full_accuracy_runs() -> bool:
    """CI scores a sample of documents; FABULA_ACCURACY=full scores them all."""
    return os.environ.get("FABULA_ACCURACY") == "full"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"annotated data not found at {SHARED_DATA}")
    return SHARED_DATA
