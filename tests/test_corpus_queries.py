"""The ready queries, on a corpus of three hand-built works whose answers are known."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fabula.cli import app
from fabula.corpus.queries import run_query
from fabula.corpus.store import Store
from fabula.corpus.tables import story_rows
from fabula.errors import FabulaError
from fabula.story import Character, Quote, Relation, Story

Line = tuple[str, str | None, str | None]  # quote, speaker id, addressee id


def work(
    cast: dict[str, tuple[str, int, list[str]]], lines: list[Line], relations: list[tuple[str, str, str]]
) -> Story:
    """A story whose text is its quotes, one per paragraph, with the given cast and relations."""
    text, quotes = "", []
    for said, speaker, addressee in lines:
        start = len(text)
        text += f"{said}\n\n"
        quotes.append(
            Quote(
                start=start,
                end=start + len(said),
                text=said,
                speaker=speaker,
                addressees=[addressee] if addressee else [],
            )
        )
    return Story(
        text=text or "Nothing is said.",
        characters=[
            Character(id=cid, name=name, mention_count=n, aliases=aliases)
            for cid, (name, n, aliases) in cast.items()
        ],
        quotes=quotes,
        relations=[Relation(source=s, target=t, type=kind) for s, t, kind in relations],
    )


A = work(
    {"c0": ("Mara", 4, []), "c1": ("Tobias", 2, ["Toby"])},
    [('"Go home, Toby."', "c0", "c1"), ('"Not without you."', "c1", "c0"), ('"Storm\'s up."', None, None)],
    [("c0", "c1", "siblings")],
)
B = work({"x1": ("mara", 1, []), "x2": ("Ines", 3, [])}, [('"Where is the key?"', "x2", "x1")], [])
C = work(
    {"k0": ("Tobias", 5, []), "k1": ("Ines", 1, []), "k2": ("Mara", 0, [])},
    [],
    [("k1", "k0", "rivals")],
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("queries") / "corpus.duckdb"
    store = Store(path)
    results = []
    for work_id, story in (("aaa", A), ("bbb", B), ("ccc", C)):
        rows = story_rows(work_id, story)
        rows.work.update(id=work_id, path=f"/corpus/{work_id}.txt", status="ok")
        results.append(rows)
    store.write(results, [], set())
    store.close()
    return path


def test_characters_by_mentions_and_dialogue_share(db: Path) -> None:
    columns, rows = run_query(db, "characters", [])
    assert columns == ["name", "works", "mentions", "quotes", "dialogue_share"]
    spoken = {name: len(said) for said, name in (('"Go home, Toby."', "Mara"), ('"Not without you."', "T"))}
    ines = len('"Where is the key?"')
    a_total = spoken["Mara"] + spoken["T"]
    assert rows == [
        ("Tobias", 2, 7, 1, round(spoken["T"] / a_total, 4)),
        ("Mara", 3, 5, 1, round(spoken["Mara"] / (a_total + ines), 4)),
        ("Ines", 2, 4, 1, 1.0),
    ]
    assert run_query(db, "characters", [], limit=1)[1] == rows[:1]


def test_pairs_across_works(db: Path) -> None:
    columns, rows = run_query(db, "pairs", [])
    assert columns == ["character_a", "character_b", "works", "relations", "quotes", "types"]
    assert rows == [
        ("Mara", "Tobias", 1, 1, 2, ["siblings"]),
        ("Ines", "mara", 1, 0, 1, []),
        ("Ines", "Tobias", 1, 1, 0, ["rivals"]),
    ]


def test_interactions_by_name_or_alias(db: Path) -> None:
    columns, rows = run_query(db, "interactions", ["mara", "Toby"])
    assert columns == ["work_id", "title", "path", "quotes_a_to_b", "quotes_b_to_a", "relations"]
    assert rows == [("aaa", None, "/corpus/aaa.txt", 1, 1, ["siblings"])]
    assert [r[0] for r in run_query(db, "interactions", ["Tobias", "Ines"])[1]] == ["ccc"]
    assert run_query(db, "interactions", ["Ines", "Nobody"])[1] == []


def test_raw_sql_is_read_only(db: Path) -> None:
    assert run_query(db, "sql", ["SELECT count(*) AS n FROM quotes"]) == (["n"], [(4,)])
    with pytest.raises(FabulaError, match="query failed"):
        run_query(db, "sql", ["DELETE FROM works"])
    with pytest.raises(FabulaError, match="unknown query 'cast'"):
        run_query(db, "cast", [])
    with pytest.raises(FabulaError, match=r"usage: .* interactions A B"):
        run_query(db, "interactions", ["Mara"])


def test_cli_prints_table_csv_and_json(db: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(app, ["corpus", "query", "--db", str(db), "characters"])
    assert table.exit_code == 0, table.output
    assert "dialogue_share" in table.output and "Tobias" in table.output

    as_csv = runner.invoke(app, ["corpus", "query", "--db", str(db), "pairs", "--format", "csv"])
    parsed = list(csv.reader(io.StringIO(as_csv.output)))
    assert parsed[0] == ["character_a", "character_b", "works", "relations", "quotes", "types"]
    assert parsed[1] == ["Mara", "Tobias", "1", "1", "2", '["siblings"]']

    as_json = runner.invoke(
        app, ["corpus", "query", "--db", str(db), "interactions", "Mara", "Tobias", "-f", "json"]
    )
    assert json.loads(as_json.output) == [
        {
            "work_id": "aaa",
            "title": None,
            "path": "/corpus/aaa.txt",
            "quotes_a_to_b": 1,
            "quotes_b_to_a": 1,
            "relations": ["siblings"],
        }
    ]
