"""What ``annotator assign`` reads and writes beyond :mod:`.study`: every document's id,
SHA-256 and meta (without its text or tokens), how often each value of the document
fields was chosen (the category shares a reliability sample is planned from), and the
record of a round's extension (``--only-unassigned``) in its stored design.

Functions over an open connection; :class:`~annotator.store.Store` reaches them through
``document_keys``, ``field_value_counts`` and ``record_round_extension``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from .names import GOLD
from .rows import loads, value_from_json
from .study import round_id, rounds


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


def record_round_extension(conn: sqlite3.Connection, name: str, entry: dict[str, Any]) -> None:
    """Append ``entry`` (what an extension drew, and when) to the ``extensions`` list of
    round ``name``'s stored design."""
    rid = round_id(conn, name)
    design = next(r.design for r in rounds(conn) if r.name == name)
    extensions = design.get("extensions")
    design["extensions"] = [*(extensions if isinstance(extensions, list) else []), entry]
    text = json.dumps(design, ensure_ascii=False, sort_keys=True, allow_nan=False)
    conn.execute("UPDATE rounds SET design = ? WHERE id = ?", (text, rid))
