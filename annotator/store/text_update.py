"""A corrected article's new text (migration m010, ``import --update``): finding the
stored document it corrects, and replacing its text in one transaction while keeping the
old text and every touched span in the history.

Functions over an open connection; :class:`~annotator.store.database.Store` reaches them
through its text-history methods.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

OUTCOMES = ("moved", "changed", "lost")


@dataclass(frozen=True)
class HistorySpan:
    """A span as it was before an update, and what the update did to it."""

    span_id: int
    document_id: int
    coder: str
    text_version: int
    start: int
    end: int
    label: str
    outcome: str
    new_start: int | None
    new_end: int | None
    recorded_at: str


def matching_documents(conn: sqlite3.Connection, meta_id: str | None, source: str) -> list[int]:
    """Stored documents an input may correct: those with the same ``meta.id`` when the
    input has one, else the same source, else the same file name (the last part of the
    source) when exactly one document has it."""
    if meta_id is not None:
        return [
            r[0]
            for r in conn.execute(
                "SELECT id FROM documents WHERE meta <> '{}' AND json_valid(meta)"
                " AND CAST(json_extract(meta, '$.id') AS TEXT) = ? ORDER BY id",
                (meta_id,),
            )
        ]
    same = [r[0] for r in conn.execute("SELECT id FROM documents WHERE source = ?", (source,))]
    if same:
        return same
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        return []
    rows = conn.execute(
        "SELECT id, source FROM documents WHERE source LIKE ? ESCAPE '!'",
        ("%" + name.replace("!", "!!").replace("%", "!%").replace("_", "!_"),),
    ).fetchall()
    found = [i for i, src in rows if (src or "").replace("\\", "/").rsplit("/", 1)[-1] == name]
    return found if len(found) == 1 else []


def document_row(conn: sqlite3.Connection, doc_id: int) -> dict[str, Any]:
    row = conn.execute(
        "SELECT id, sha256, title, source, text, length, meta, tokens, sentences, pipeline,"
        " text_version FROM documents WHERE id = ?",
        (doc_id,),
    ).fetchone()
    keys = (
        "id", "sha256", "title", "source", "text", "length", "meta", "tokens", "sentences",
        "pipeline", "text_version",
    )  # fmt: skip
    return dict(zip(keys, row, strict=True))


def replace_text(
    conn: sqlite3.Connection,
    doc_id: int,
    new: dict[str, Any],
    carried: Iterable[tuple[int, str, int, int]],
    stamp: str,
) -> int:
    """Inside the caller's write transaction: keep the document's current text in
    ``document_texts``, store ``new`` (``sha256, title, text, meta, tokens, sentences,
    pipeline``), and apply ``carried`` — ``(span id, outcome, new start, new end)`` for
    every span the update touched (an unchanged span is not listed): moved and changed
    spans get their new offsets, a changed span is flagged, a lost span is deleted; each
    is kept as it was in ``span_history``. The suggestion layer of the document is
    removed (it was computed on the old text). Returns the new text version."""
    old = document_row(conn, doc_id)
    version = int(old["text_version"])
    conn.execute(
        "INSERT INTO document_texts (document_id, text_version, sha256, title, source, text,"
        " length, meta, tokens, sentences, pipeline, replaced_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            doc_id, version, old["sha256"], old["title"], old["source"], old["text"],
            old["length"], old["meta"], old["tokens"], old["sentences"], old["pipeline"], stamp,
        ),
    )  # fmt: skip
    for span_id, outcome, start, end in carried:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        conn.execute(
            "INSERT INTO span_history (span_id, document_id, annotator_id, text_version,"
            " start, end, label, note, origin, scheme_version, outcome, new_start, new_end,"
            " recorded_at) SELECT id, document_id, annotator_id, ?, start, end, label, note,"
            " origin, scheme_version, ?, ?, ?, ? FROM spans WHERE id = ? AND document_id = ?",
            (
                version, outcome, None if outcome == "lost" else start,
                None if outcome == "lost" else end, stamp, span_id, doc_id,
            ),
        )  # fmt: skip
        if outcome == "lost":
            conn.execute("DELETE FROM spans WHERE id = ?", (span_id,))
            continue
        conn.execute(
            "UPDATE spans SET start = ?, end = ?, updated_at = ? WHERE id = ?",
            (start, end, stamp, span_id),
        )
        if outcome == "changed":
            conn.execute(
                "INSERT INTO span_flags (span_id, reason, flagged_at) VALUES (?, ?, ?)"
                " ON CONFLICT (span_id) DO UPDATE SET reason = excluded.reason,"
                " flagged_at = excluded.flagged_at",
                (span_id, f"its text changed in text version {version + 1}", stamp),
            )
    conn.execute("DELETE FROM suggestions WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM suggested_labels WHERE document_id = ?", (doc_id,))
    conn.execute(
        "UPDATE documents SET sha256 = ?, title = ?, text = ?, length = ?, meta = ?,"
        " tokens = ?, sentences = ?, pipeline = ?, text_version = ? WHERE id = ?",
        (
            new["sha256"], new["title"], new["text"], len(new["text"]),
            json.dumps(new["meta"], ensure_ascii=False) if new["meta"] else "{}",
            new["tokens"], new["sentences"], new["pipeline"], version + 1, doc_id,
        ),
    )  # fmt: skip
    return version + 1


def history(conn: sqlite3.Connection, doc_id: int) -> list[HistorySpan]:
    rows = conn.execute(
        "SELECT h.span_id, h.document_id, a.name, h.text_version, h.start, h.end, h.label,"
        " h.outcome, h.new_start, h.new_end, coalesce(h.recorded_at, '')"
        " FROM span_history h JOIN annotators a ON a.id = h.annotator_id"
        " WHERE h.document_id = ? ORDER BY h.id",
        (doc_id,),
    )
    return [HistorySpan(*r) for r in rows]


def old_text(conn: sqlite3.Connection, doc_id: int, version: int) -> str | None:
    row = conn.execute(
        "SELECT text FROM document_texts WHERE document_id = ? AND text_version = ?",
        (doc_id, version),
    ).fetchone()
    return None if row is None else str(row[0])
