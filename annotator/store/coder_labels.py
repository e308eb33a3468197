"""One coder's labels on some documents, removed or set exactly (``import-labels --replace``).

Functions over an open connection, inside the caller's write transaction; :class:`Store`
reaches them through :meth:`Store.delete_coder_labels` and :meth:`Store.replace_status`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable


def delete_coder_labels(
    conn: sqlite3.Connection,
    coder_id: int,
    doc_ids: Iterable[int],
    keep_spans: Collection[int],
    keep_fields: Collection[tuple[int, str]],
) -> tuple[int, int]:
    """Delete the coder's spans and document field values on ``doc_ids``, except the spans
    whose ids are in ``keep_spans`` and the ``(document, field)`` values in ``keep_fields``;
    returns ``(spans deleted, field values deleted)``."""
    spans = fields = 0
    for doc_id in dict.fromkeys(doc_ids):
        for (span_id,) in conn.execute(
            "SELECT id FROM spans WHERE document_id = ? AND annotator_id = ? ORDER BY id",
            (doc_id, coder_id),
        ).fetchall():
            if span_id not in keep_spans:
                conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
                spans += 1
        for (name,) in conn.execute(
            "SELECT field FROM doc_labels WHERE document_id = ? AND annotator_id = ?"
            " ORDER BY field",
            (doc_id, coder_id),
        ).fetchall():
            if (doc_id, name) not in keep_fields:
                conn.execute(
                    "DELETE FROM doc_labels WHERE document_id = ? AND annotator_id = ?"
                    " AND field = ?",
                    (doc_id, coder_id, name),
                )
                fields += 1
    return spans, fields


def replace_status(
    conn: sqlite3.Connection, doc_id: int, coder_id: int, state: str, seconds: float, stamp: str
) -> None:
    """Set the coder's status and time spent on a document to exactly these."""
    conn.execute(
        "INSERT INTO status (document_id, annotator_id, state, seconds_spent, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (document_id, annotator_id) DO UPDATE SET"
        " state = excluded.state, seconds_spent = excluded.seconds_spent,"
        " updated_at = excluded.updated_at",
        (doc_id, coder_id, state, float(seconds), stamp),
    )
