"""Ready questions over a corpus database, each one SQL statement over the stored tables.

Characters are matched across works by name, case-insensitively (a character's id is only
unique within its work); `interactions` also accepts any alias.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fabula.corpus.store import fetch
from fabula.errors import InputError

Result = tuple[list[str], list[tuple[Any, ...]]]

_CHARACTERS = """
WITH spoken AS (
    SELECT work_id, speaker, count(*) AS quotes, sum(length(text)) AS chars
    FROM quotes WHERE speaker IS NOT NULL GROUP BY ALL
), dialogue AS (
    SELECT work_id, sum(chars) AS chars FROM spoken GROUP BY ALL
)
SELECT mode(c.name) AS name,
       count(DISTINCT c.work_id) AS works,
       sum(c.mention_count) AS mentions,
       coalesce(sum(s.quotes), 0) AS quotes,
       round(coalesce(sum(s.chars), 0) / nullif(sum(d.chars), 0), 4) AS dialogue_share
FROM characters c
LEFT JOIN spoken s ON s.work_id = c.work_id AND s.speaker = c.id
LEFT JOIN dialogue d ON d.work_id = c.work_id
GROUP BY lower(c.name)
ORDER BY mentions DESC, quotes DESC, name
LIMIT ?
"""

# Both kinds of link between two characters of a work, named and ordered so a pair has one key.
_LINKS = """
WITH named AS (SELECT work_id, id, name FROM characters),
rel AS (
    SELECT r.work_id, a.name AS a, b.name AS b, r.type, 0 AS quote
    FROM relations r
    JOIN named a ON a.work_id = r.work_id AND a.id = r.source
    JOIN named b ON b.work_id = r.work_id AND b.id = r.target
), talk AS (
    SELECT q.work_id, a.name AS a, b.name AS b, NULL AS type, 1 AS quote
    FROM (SELECT work_id, speaker, unnest(addressees) AS addressee FROM quotes) q
    JOIN named a ON a.work_id = q.work_id AND a.id = q.speaker
    JOIN named b ON b.work_id = q.work_id AND b.id = q.addressee
), links AS (
    SELECT work_id, type, quote,
           CASE WHEN lower(a) < lower(b) THEN a ELSE b END AS name_a,
           CASE WHEN lower(a) < lower(b) THEN b ELSE a END AS name_b
    FROM (SELECT * FROM rel UNION ALL SELECT * FROM talk)
    WHERE lower(a) <> lower(b)
)
"""

_PAIRS = (
    _LINKS
    + """
SELECT mode(name_a) AS character_a, mode(name_b) AS character_b,
       count(DISTINCT work_id) AS works,
       count(type) AS relations,
       sum(quote) AS quotes,
       list_sort(list_distinct(list(type))) AS types
FROM links
GROUP BY lower(name_a), lower(name_b)
ORDER BY works DESC, relations + quotes DESC, lower(character_a), lower(character_b)
LIMIT ?
"""
)

_INTERACTIONS = """
WITH who AS (
    SELECT * FROM (
        SELECT work_id, id,
               list_contains(names, lower($a)) AS is_a, list_contains(names, lower($b)) AS is_b
        FROM (
            SELECT work_id, id, list_transform(list_prepend(name, aliases), lambda x: lower(x)) AS names
            FROM characters
        )
    ) WHERE is_a OR is_b
), talk AS (
    SELECT q.work_id,
           count(*) FILTER (WHERE s.is_a AND t.is_b) AS a_to_b,
           count(*) FILTER (WHERE s.is_b AND t.is_a) AS b_to_a
    FROM (SELECT work_id, speaker, unnest(addressees) AS addressee FROM quotes) q
    JOIN who s ON s.work_id = q.work_id AND s.id = q.speaker
    JOIN who t ON t.work_id = q.work_id AND t.id = q.addressee
    WHERE (s.is_a AND t.is_b) OR (s.is_b AND t.is_a)
    GROUP BY q.work_id
), rel AS (
    SELECT r.work_id, list_sort(list_distinct(list(r.type))) AS types
    FROM relations r
    JOIN who s ON s.work_id = r.work_id AND s.id = r.source
    JOIN who t ON t.work_id = r.work_id AND t.id = r.target
    WHERE (s.is_a AND t.is_b) OR (s.is_b AND t.is_a)
    GROUP BY r.work_id
)
SELECT w.id AS work_id, w.title, w.path,
       coalesce(t.a_to_b, 0) AS quotes_a_to_b,
       coalesce(t.b_to_a, 0) AS quotes_b_to_a,
       coalesce(r.types, []) AS relations
FROM works w
LEFT JOIN talk t ON t.work_id = w.id
LEFT JOIN rel r ON r.work_id = w.id
WHERE t.work_id IS NOT NULL OR r.work_id IS NOT NULL
ORDER BY quotes_a_to_b + quotes_b_to_a DESC, w.path
LIMIT $limit
"""

_FAILURES = """
SELECT id, path, error_type, error FROM works WHERE status <> 'ok' ORDER BY path LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class Query:
    usage: str
    help: str
    arity: int
    run: Callable[[Path, Sequence[str], int], Result]


def _characters(db: Path, args: Sequence[str], limit: int) -> Result:
    return fetch(db, _CHARACTERS, [limit])


def _pairs(db: Path, args: Sequence[str], limit: int) -> Result:
    return fetch(db, _PAIRS, [limit])


def _interactions(db: Path, args: Sequence[str], limit: int) -> Result:
    return fetch(db, _INTERACTIONS, {"a": args[0], "b": args[1], "limit": limit})


def _failures(db: Path, args: Sequence[str], limit: int) -> Result:
    return fetch(db, _FAILURES, [limit])


def _sql(db: Path, args: Sequence[str], limit: int) -> Result:
    return fetch(db, args[0])


QUERIES: dict[str, Query] = {
    "characters": Query(
        "characters", "characters by mentions and dialogue share, across works", 0, _characters
    ),
    "pairs": Query("pairs", "character pairs linked by relations or dialogue, across works", 0, _pairs),
    "interactions": Query(
        "interactions A B", "works where A and B speak to each other or are related", 2, _interactions
    ),
    "failures": Query("failures", "works whose analysis failed, with the error", 0, _failures),
    "sql": Query('sql "SELECT ..."', "any read-only SQL over the tables", 1, _sql),
}


def run_query(db: Path, name: str, args: Sequence[str], limit: int = 50) -> Result:
    query = QUERIES.get(name)
    if query is None:
        known = ", ".join(QUERIES)
        raise InputError(None, f"unknown query {name!r}; ready queries: {known}")
    if len(args) != query.arity:
        raise InputError(None, f"usage: fabula corpus query --db DB {query.usage}")
    return query.run(db, args, limit)
