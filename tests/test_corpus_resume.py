"""A corpus run killed with SIGKILL in the middle, then run again: every work stored exactly once."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
WORKS = 30


def make_works(root: Path) -> set[str]:
    """Thirty short, distinct works in nested folders; returns their content hashes."""
    hashes = set()
    for n in range(WORKS):
        path = root / f"shelf{n % 3}" / f"work_{n:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"Night {n}. The keeper climbed the stair and lit the lamp, as on every night before.\n"
        path.write_text(text, encoding="utf-8")
        hashes.add(hashlib.sha256(text.encode()).hexdigest())
    return hashes


def wait_for_exit(group: int, seconds: float) -> bool:
    """True once no process of the process group `group` is left."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def counts(db: Path) -> tuple[int, int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT (SELECT count(*) FROM works), (SELECT count(DISTINCT id) FROM works), "
            "(SELECT count(*) FROM characters)"
        ).fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def test_killed_run_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    hashes = make_works(tmp_path / "works")
    db = tmp_path / "corpus.duckdb"
    config = tmp_path / "slow.toml"
    config.write_text('[pipeline]\nstages = ["test_slow"]\n', encoding="utf-8")
    # Every process of the run, the spawned workers included, learns the test stages at start-up.
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        f"import sys\nsys.path.insert(0, {str(FIXTURES)!r})\nimport corpus_test_stages\n", encoding="utf-8"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    command = [sys.executable, "-m", "fabula.cli", "corpus", "run", str(tmp_path / "works")]
    command += ["--db", str(db), "--workers", "2", "--config", str(config), "--batch-size", "1"]

    run = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    watchdog = threading.Timer(90, run.kill)
    watchdog.start()
    try:
        assert run.stderr is not None
        for line in run.stderr:  # one line per commit when stderr is not a terminal
            if line.startswith("fabula corpus:"):
                run.send_signal(signal.SIGKILL)
                break
        run.wait()
        assert run.returncode == -signal.SIGKILL
        # The pool's workers notice that their coordinator is gone and exit on their own.
        assert wait_for_exit(run.pid, seconds=30), "worker processes outlived their coordinator"
    finally:
        watchdog.cancel()
        with contextlib.suppress(ProcessLookupError):  # whatever this test started and is still there
            os.killpg(run.pid, signal.SIGKILL)

    stored, distinct, characters = counts(db)
    assert 0 < stored < WORKS, "the run was not killed in the middle"
    assert stored == distinct == characters

    resumed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{WORKS - stored} analysed (0 failed), {stored} unchanged" in resumed.stdout
    assert counts(db) == (WORKS, WORKS, WORKS)
    with duckdb.connect(str(db), read_only=True) as con:
        assert {row[0] for row in con.execute("SELECT id FROM works").fetchall()} == hashes
