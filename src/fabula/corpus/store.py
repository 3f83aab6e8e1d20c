"""The DuckDB store: opened and written only by the coordinating process.

Each batch of finished works is written in one transaction that first deletes any older rows
of the same works, so a run killed at any moment leaves every work either fully stored or
absent, and a rerun never duplicates one. `sources` caches path -> content hash by size and
modification time, so an unchanged corpus is not even re-read on the next run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from fabula.corpus.tables import CHILD_TABLES, TABLES, WorkRows, create_statements, insert_statement, merge
from fabula.errors import FabulaError, InputError

_SOURCES = (
    "CREATE TABLE IF NOT EXISTS sources "
    "(path VARCHAR PRIMARY KEY, size BIGINT, mtime_ns BIGINT, work_id VARCHAR)"
)


class StoreError(FabulaError):
    """The corpus database cannot be opened or written."""


@dataclass(frozen=True, slots=True)
class Source:
    path: str
    size: int
    mtime_ns: int
    work_id: str


@dataclass(frozen=True, slots=True)
class Known:
    pipeline: str
    status: str


def connect(db: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open `db`, turning DuckDB's errors (missing file, lock held by a run) into one actionable line."""
    if read_only and not db.is_file():
        raise InputError(db, "no such corpus database; create it with `fabula corpus run`")
    try:
        return duckdb.connect(str(db), read_only=read_only)
    except duckdb.IOException as err:
        first = str(err).splitlines()[0]
        raise StoreError(
            f"{db}: cannot open the corpus database ({first}); is a `fabula corpus run` using it?"
        ) from None
    except duckdb.Error as err:
        raise StoreError(f"{db}: not a usable DuckDB database: {str(err).splitlines()[0]}") from None


class Store:
    def __init__(self, db: Path) -> None:
        db.parent.mkdir(parents=True, exist_ok=True)
        self.db = db
        self.con = connect(db)
        for statement in [*create_statements(), _SOURCES]:
            self.con.execute(statement)

    def close(self) -> None:
        self.con.close()

    def known_works(self) -> dict[str, Known]:
        rows = self.con.execute("SELECT id, pipeline, status FROM works").fetchall()
        return {work_id: Known(pipeline, status) for work_id, pipeline, status in rows}

    def sources(self) -> dict[str, Source]:
        rows = self.con.execute("SELECT path, size, mtime_ns, work_id FROM sources").fetchall()
        return {row[0]: Source(*row) for row in rows}

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def write(self, results: Sequence[WorkRows], sources: Sequence[Source], replace: set[str]) -> None:
        """Store finished works and newly hashed sources in one transaction.

        `replace` names works that may already have rows (re-analysed with another pipeline or
        retried): only those are deleted first, so adding new works never scans the big tables.
        """
        with self._transaction():
            stale = sorted(replace.intersection(r.work["id"] for r in results))
            if stale:
                for table in CHILD_TABLES:
                    self.con.execute(f"DELETE FROM {table} WHERE list_contains(?, work_id)", [stale])
                self.con.execute("DELETE FROM works WHERE list_contains(?, id)", [stale])
            if results:
                merged = merge(results)
                for table in TABLES:
                    columns = merged[table]
                    if columns[TABLES[table][0][0]]:
                        self.con.execute(insert_statement(table), [columns[col] for col, _ in TABLES[table]])
            if sources:
                self.con.execute(
                    "INSERT OR REPLACE INTO sources SELECT * FROM (SELECT unnest(?::VARCHAR[]), "
                    "unnest(?::BIGINT[]), unnest(?::BIGINT[]), unnest(?::VARCHAR[]))",
                    [
                        [s.path for s in sources],
                        [s.size for s in sources],
                        [s.mtime_ns for s in sources],
                        [s.work_id for s in sources],
                    ],
                )


def export_parquet(db: Path, directory: Path) -> list[Path]:
    """One Parquet file per table, for tools that do not speak DuckDB."""
    directory.mkdir(parents=True, exist_ok=True)
    con = connect(db, read_only=True)
    written = []
    try:
        for table in TABLES:
            target = directory / f"{table}.parquet"
            con.execute(f"COPY {table} TO '{_sql_string(target)}' (FORMAT parquet)")
            written.append(target)
    finally:
        con.close()
    return written


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


def fetch(
    db: Path, sql: str, params: Sequence[Any] | dict[str, Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one read-only query; SQL mistakes are the user's, so they become a `StoreError`."""
    con = connect(db, read_only=True)
    try:
        cursor = con.execute(sql, params if isinstance(params, dict) else list(params))
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    except duckdb.Error as err:
        raise StoreError(f"query failed: {str(err).splitlines()[0]}") from None
    finally:
        con.close()
