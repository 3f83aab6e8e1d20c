"""Corpus runs into DuckDB: discovery, the tables' contents, failures, idempotence, export."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from fabula.api import analyze
from fabula.corpus.runner import discover, run_corpus
from fabula.pipeline import PipelineConfig, stage
from fabula.story import Story

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
sys.path.insert(0, str(FIXTURES))
import corpus_test_stages  # noqa: E402, F401  (registers the test stages)

CAST = PipelineConfig(stages=["test_cast"])
LIGHT = FIXTURES / "light.toml"
HTML = "ao3/harbour_fandom/lighthouse_keepers.html"
TXT = "plain/harbour_morning.txt"
MD = "plain/drafts/winter_letter.md"
EPUB = "broken.epub"


@stage("test_bug")
def _bug(story: Story) -> Story:
    if "storm" in story.text:
        raise KeyError("storm")
    return story


@pytest.fixture
def works(tmp_path: Path) -> Path:
    root = tmp_path / "works"
    shutil.copytree(FIXTURES / "works", root)
    return root


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fabula(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fabula.cli", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_discover_finds_nested_supported_files_only(works: Path) -> None:
    (works / "plain" / "cover.jpg").write_bytes(b"\xff\xd8")
    (works / ".hidden").mkdir()
    (works / ".hidden" / "draft.txt").write_text("not a work", encoding="utf-8")
    found = [p.relative_to(works).as_posix() for p in discover(works)]
    assert found == [HTML, EPUB, MD, TXT]
    assert [p.name for p in discover(works, ["html"])] == ["lighthouse_keepers.html"]


def test_run_stores_every_work_and_records_the_broken_one(works: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    stats = run_corpus(works, db, workers=0, config=CAST)
    assert (stats.found, stats.analysed, stats.failed, stats.bugs) == (4, 4, 1, 0)

    stored = {
        Path(p).relative_to(works).as_posix(): (i, s, t, e)
        for i, p, s, t, e in rows(db, "SELECT id, path, status, error_type, error FROM works")
    }
    assert set(stored) == {EPUB, HTML, MD, TXT}
    for name, (work_id, *_rest) in stored.items():
        assert work_id == sha256(works / name)
    _, status, error_type, error = stored[EPUB]
    assert (status, error_type) == ("failed", "InputError")
    assert "broken.epub" in str(error) and "EPUB" in str(error)
    assert all(stored[n][1] == "ok" and stored[n][3] is None for n in (HTML, MD, TXT))


def test_an_unreadable_file_is_reported_and_the_run_goes_on(works: Path, tmp_path: Path) -> None:
    (works / "plain" / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    stats = run_corpus(works, tmp_path / "corpus.duckdb", workers=0, config=CAST)
    assert (stats.unreadable, stats.analysed) == (1, 4)
    assert stats.failures[-1][0].endswith("gone.txt") and "unreadable" in stats.failures[-1][1]


def test_tables_hold_what_the_story_holds(works: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    run_corpus(works, db, workers=0, config=CAST)
    story = analyze(works / HTML, config=CAST)
    work_id = sha256(works / HTML)

    (work,) = rows(
        db,
        f"SELECT title, author, rating, fandoms, relationships, characters, additional_tags, stats, "
        f"n_chars, n_characters, n_quotes, stages, story FROM works WHERE id = '{work_id}'",
    )
    meta = story.metadata
    assert work[:7] == (
        meta.title,
        meta.author,
        meta.rating,
        meta.fandoms,
        meta.relationships,
        meta.characters,
        meta.additional_tags,
    )
    assert meta.fandoms == ["Harbour Tales"] and meta.relationships == ["Mara/Tobias"]
    assert json.loads(str(work[7])) == meta.stats
    assert work[8:12] == (len(story.text), len(story.characters), len(story.quotes), ["test_cast"])
    assert Story.from_json(str(work[12])) == story

    characters = rows(
        db, f"SELECT id, name, gender, mention_count FROM characters WHERE work_id = '{work_id}' ORDER BY id"
    )
    assert characters == [(c.id, c.name, c.gender, c.mention_count) for c in story.characters]
    mentions = rows(
        db,
        f"SELECT character_id, char_start, char_end, text FROM mentions WHERE work_id = '{work_id}' "
        "ORDER BY char_start",
    )
    expected = sorted(
        ((c.id, s, e, story.text[s:e]) for c in story.characters for s, e in c.mentions), key=lambda m: m[1]
    )
    assert mentions == expected
    quotes = rows(
        db, f"SELECT char_start, char_end, text, speaker, addressees FROM quotes WHERE work_id = '{work_id}'"
    )
    assert quotes == [(q.start, q.end, q.text, q.speaker, q.addressees) for q in story.quotes]
    (relation,) = rows(
        db, f"SELECT source, target, type, evidence FROM relations WHERE work_id = '{work_id}'"
    )
    assert relation[:3] == ("c0", "c1", "colleagues")
    assert json.loads(str(relation[3])) == [e.model_dump() for e in story.relations[0].evidence]
    notes = rows(db, f"SELECT kind, text FROM author_notes WHERE work_id = '{work_id}'")
    assert (
        notes
        == [(n.kind, n.text) for n in story.author_notes]
        == [("summary", "Two keepers wait out a storm.")]
    )
    # Nothing of another work leaked in, and no work is there twice.
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM works") == [(4, 4)]
    assert rows(db, "SELECT count(DISTINCT work_id) FROM characters") == [(3,)]


def test_a_bug_is_recorded_with_its_type_and_traceback(works: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    stats = run_corpus(works, db, workers=0, config=PipelineConfig(stages=["test_bug"]))
    assert (stats.failed, stats.bugs) == (2, 1)
    ((error_type, error, trace),) = rows(
        db, "SELECT error_type, error, traceback FROM works WHERE status = 'failed' AND traceback IS NOT NULL"
    )
    assert error_type == "builtins.KeyError" and error == "'storm'"
    assert "_bug" in str(trace)


def test_second_run_does_no_work_and_changes_redo_only_what_changed(works: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    run_corpus(works, db, workers=0, config=CAST)
    before = rows(db, "SELECT id, analysed_at FROM works ORDER BY id")

    again = run_corpus(works, db, workers=0, config=CAST)
    assert (again.analysed, again.skipped) == (0, 4)
    assert rows(db, "SELECT id, analysed_at FROM works ORDER BY id") == before

    # A copy of a work is the same work; an edited one is a new work; failures are not retried.
    shutil.copy(works / TXT, works / "plain" / "copy_of_morning.txt")
    edited = works / MD
    edited.write_text(edited.read_text(encoding="utf-8") + "\nP.S. The gulls are back.\n", encoding="utf-8")
    third = run_corpus(works, db, workers=0, config=CAST)
    assert (third.analysed, third.skipped, third.duplicates) == (1, 3, 1)
    assert rows(db, f"SELECT path FROM works WHERE id = '{sha256(edited)}'") == [(str(edited),)]

    retried = run_corpus(works, db, workers=0, config=CAST, retry_failed=True)
    assert (retried.analysed, retried.failed) == (1, 1)
    forced = run_corpus(works, db, workers=0, config=CAST, force=True)
    assert (forced.analysed, forced.duplicates) == (4, 1)  # the old version of the edited work stays
    assert rows(db, "SELECT count(*), count(DISTINCT id) FROM works") == [(5, 5)]
    assert rows(db, "SELECT count(*) FROM characters") == [(8,)]


def test_another_pipeline_replaces_the_rows_of_each_work(works: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    run_corpus(works, db, workers=0, config=CAST)
    assert rows(db, "SELECT count(*) FROM characters") == [(6,)]
    redo = run_corpus(works, db, workers=0, config=PipelineConfig(stages=[]))
    assert redo.analysed == 4
    assert rows(db, "SELECT count(*) FROM characters") == [(0,)]
    assert rows(db, "SELECT count(*), count(DISTINCT id), list_distinct(list(stages)) FROM works") == [
        (4, 4, [[]])
    ]


def test_cli_run_with_a_process_pool_then_export_parquet(works: Path, tmp_path: Path) -> None:
    db = tmp_path / "corpus.duckdb"
    result = fabula("corpus", "run", works, "--db", db, "--workers", "2", "--config", LIGHT)
    assert result.returncode == 0, result.stderr
    assert "4 works found: 4 analysed (1 failed), 0 unchanged" in result.stdout
    assert "broken.epub" in result.stderr
    workers = rows(db, "SELECT count(DISTINCT worker) FROM works")[0][0]
    assert isinstance(workers, int) and 1 <= workers <= 2

    again = fabula("corpus", "run", works, "--db", db, "--workers", "2", "--config", LIGHT)
    assert "0 analysed (0 failed), 4 unchanged" in again.stdout

    out = tmp_path / "parquet"
    exported = fabula("corpus", "export", "--db", db, "--parquet", out)
    assert exported.returncode == 0, exported.stderr
    with duckdb.connect() as con:
        parquet = con.execute(f"SELECT path, status FROM '{out / 'works.parquet'}' ORDER BY path").fetchall()
        assert parquet == rows(db, "SELECT path, status FROM works ORDER BY path")
        assert {p.name for p in out.iterdir()} >= {"works.parquet", "characters.parquet", "quotes.parquet"}


def test_cli_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = fabula("corpus", "run", tmp_path / "nowhere", "--db", tmp_path / "c.duckdb")
    assert missing.returncode == 2
    expected = f"fabula: error: {tmp_path / 'nowhere'}: not a folder; give the folder that holds the works"
    assert missing.stderr.strip() == expected
    no_db = fabula("corpus", "query", "--db", tmp_path / "none.duckdb", "characters")
    assert no_db.returncode == 2 and "no such corpus database" in no_db.stderr
    config = tmp_path / "typo.toml"
    config.write_text('[pipeline]\nstages = ["langauge"]\n', encoding="utf-8")
    typo = fabula("corpus", "run", FIXTURES / "works", "--db", tmp_path / "c.duckdb", "--config", config)
    assert typo.returncode == 2 and "unknown stage 'langauge'" in typo.stderr
    assert not (tmp_path / "c.duckdb").exists()
