"""The same corpus run on a Dask distributed cluster (a LocalCluster of two worker processes)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from fabula.cli import app
from fabula.corpus.runner import run_corpus
from fabula.pipeline import PipelineConfig

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        local_directory=str(tmp_path_factory.mktemp("dask")),
    ) as cluster:
        yield cluster.scheduler_address


def test_run_on_a_dask_cluster(scheduler: str, tmp_path: Path) -> None:
    works = tmp_path / "works"
    shutil.copytree(FIXTURES / "works", works)
    db = tmp_path / "corpus.duckdb"

    stats = run_corpus(works, db, scheduler=scheduler, config=PipelineConfig(stages=[]))
    assert (stats.analysed, stats.failed) == (4, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT status, error_type, worker FROM works ORDER BY path").fetchall()
    assert [(status, error_type) for status, error_type, _ in stored] == [
        ("ok", None),
        ("failed", "InputError"),
        ("ok", None),
        ("ok", None),
    ]
    # Analysed in the cluster's worker processes, not in the coordinator.
    assert all(not str(worker).endswith(f":{os.getpid()}") for *_, worker in stored)

    again = CliRunner().invoke(
        app,
        [
            "corpus",
            "run",
            str(works),
            "--db",
            str(db),
            "--scheduler",
            scheduler,
            "--config",
            str(FIXTURES / "light.toml"),
        ],
    )
    assert again.exit_code == 0, again.output
    assert "0 analysed (0 failed), 4 unchanged" in again.output
