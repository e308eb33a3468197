"""What drawing a study's design reads: every document's id, SHA-256 and meta (without
its text or tokens), and how often each value of the document fields was chosen (the
category shares a reliability sample is planned from).

Functions over an open connection; :class:`~annotator.store.Store` reaches them through
``document_keys`` and ``field_value_counts``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from .names import GOLD
from .rows import loads, value_from_json


def document_keys(conn: sqlite3.Connection) -> list[tuple[int, str, dict[str, Any]]]:
    """``(id, sha256, meta)`` of every document, by id."""
    return [
        (ident, sha, loads(meta))
        for ident, sha, meta in conn.execute("SELECT id, sha256, meta FROM documents ORDER BY id")
    ]


def field_value_counts(
    conn: sqlite3.Connection, fields: Iterable[str]
) -> dict[str, dict[str, int]]:
    """For each of ``fields``: how many labels (document x coder, the gold layer left out)
    chose each value; a multi field's value counts once for every option chosen."""
    wanted = list(fields)
    counts: dict[str, dict[str, int]] = {f: {} for f in wanted}
    if not wanted:
        return counts
    marks = ",".join("?" * len(wanted))
    rows = conn.execute(
        "SELECT l.field, l.value, count(*) FROM doc_labels l"
        " JOIN annotators a ON a.id = l.annotator_id"
        f" WHERE a.name != ? AND l.field IN ({marks}) GROUP BY l.field, l.value",
        [GOLD, *wanted],
    )
    for field, value, n in rows:
        parsed = value_from_json(value)
        for v in parsed if isinstance(parsed, tuple) else (parsed,):
            counts[field][str(v)] = counts[field].get(str(v), 0) + n
    return counts
