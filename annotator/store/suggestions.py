"""The suggestion layer (migration m008, issue 15): suggested spans and document field
values from named sources, and what coders rejected of them. Never rows of ``spans`` or
``doc_labels``: a suggestion becomes a coder's label only when the coder accepts it (the
label then records its origin).

Functions over an open connection; :class:`~annotator.store.database.Store` reaches them
through its suggestion methods.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

from ..errors import ValidationError
from ..models import SuggestedLabel, Suggestion, source_problem
from .rows import now, value_from_json, value_json

_SPAN_SQL = "SELECT id, document_id, source, start, end, label, score FROM suggestions"
_LABEL_SQL = "SELECT document_id, source, field, value, score FROM suggested_labels"


def check_source(source: str) -> str:
    problem = source_problem(source)
    if problem is not None:
        raise ValidationError(problem)
    return source


def _score(score: object, where: str) -> float | None:
    if score is None:
        return None
    if (
        isinstance(score, bool)
        or not isinstance(score, (int, float))
        or not math.isfinite(score)
        or not 0.0 <= score <= 1.0
    ):
        raise ValidationError(f"{where}: score must be a number from 0 to 1, got {score!r}")
    return float(score)


def checked_rows(
    source: str,
    spans: Iterable[tuple[int, int, int, str, float | None]],
    labels: Iterable[tuple[int, str, str | Iterable[str], float | None]],
    check_span: Callable[[int, int, int, str], None],
    check_value: Callable[[int, str, str | Iterable[str]], str | tuple[str, ...] | None],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows :func:`replace` writes, every one checked first: ``check_span(document,
    start, end, label)`` raises for a span the document or scheme cannot take,
    ``check_value(document, field, value)`` gives the value as stored."""
    check_source(source)
    span_rows = []
    for doc_id, start, end, label, score in spans:
        check_span(doc_id, start, end, label)
        where = f"document {doc_id}: {label!r} [{start}, {end})"
        span_rows.append((doc_id, source, start, end, label, _score(score, where)))
    label_rows = []
    for doc_id, field, value, score in labels:
        stored = check_value(doc_id, field, value)
        if stored is None:
            continue
        where = f"document {doc_id}: field {field!r}"
        label_rows.append((doc_id, source, field, value_json(stored), _score(score, where)))
    return span_rows, label_rows


def replace(
    conn: sqlite3.Connection,
    source: str,
    doc_ids: Iterable[int],
    span_rows: list[tuple[Any, ...]],
    label_rows: list[tuple[Any, ...]],
    trained_on: Collection[int] = (),
) -> None:
    """Inside the caller's write transaction: ``source``'s suggestions on ``doc_ids``
    become exactly these rows (from :func:`checked_rows`), and the documents of
    ``doc_ids`` that the source was trained on exactly those of ``trained_on``."""
    docs = list(dict.fromkeys(doc_ids))
    covered = set(docs)
    for row in span_rows + label_rows:
        if row[0] not in covered:
            raise ValidationError(
                f"document {row[0]} has suggestions but is not among the documents replaced"
            )
    stamp = now()
    for doc_id in docs:
        conn.execute(
            "DELETE FROM suggestions WHERE document_id = ? AND source = ?", (doc_id, source)
        )
        conn.execute(
            "DELETE FROM suggested_labels WHERE document_id = ? AND source = ?", (doc_id, source)
        )
        conn.execute(
            "DELETE FROM suggestion_training WHERE source = ? AND document_id = ?", (source, doc_id)
        )
    conn.executemany(
        "INSERT INTO suggestion_training (source, document_id) VALUES (?, ?)",
        [(source, d) for d in docs if d in trained_on],
    )
    conn.executemany(
        "INSERT INTO suggestions (document_id, source, start, end, label, score,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(*r, stamp) for r in span_rows],
    )
    conn.executemany(
        "INSERT INTO suggested_labels (document_id, source, field, value, score,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (document_id, source, field) DO UPDATE SET value = excluded.value,"
        " score = excluded.score, created_at = excluded.created_at",
        [(*r, stamp) for r in label_rows],
    )


def spans_of(conn: sqlite3.Connection, doc_id: int, source: str | None) -> list[Suggestion]:
    if source is None:
        rows = conn.execute(
            _SPAN_SQL + " WHERE document_id = ? ORDER BY start, end, source, id", (doc_id,)
        )
    else:
        rows = conn.execute(
            _SPAN_SQL + " WHERE document_id = ? AND source = ? ORDER BY start, end, id",
            (doc_id, source),
        )
    return [Suggestion(*r) for r in rows]


def labels_of(conn: sqlite3.Connection, doc_id: int, source: str | None) -> list[SuggestedLabel]:
    if source is None:
        rows = conn.execute(_LABEL_SQL + " WHERE document_id = ? ORDER BY source, field", (doc_id,))
    else:
        rows = conn.execute(
            _LABEL_SQL + " WHERE document_id = ? AND source = ? ORDER BY field", (doc_id, source)
        )
    return [SuggestedLabel(d, s, f, value_from_json(v), sc) for d, s, f, v, sc in rows]


def sources(conn: sqlite3.Connection) -> list[tuple[str, int, int]]:
    counts: dict[str, list[int]] = {}
    for name, n in conn.execute("SELECT source, count(*) FROM suggestions GROUP BY source"):
        counts.setdefault(name, [0, 0])[0] = n
    for name, n in conn.execute("SELECT source, count(*) FROM suggested_labels GROUP BY source"):
        counts.setdefault(name, [0, 0])[1] = n
    # a source whose model was trained on documents it then suggested nothing on is one
    # the file knows too (its export, --with-source and --clear take it)
    for (name,) in conn.execute("SELECT DISTINCT source FROM suggestion_training"):
        counts.setdefault(name, [0, 0])
    return [(name, a, b) for name, (a, b) in sorted(counts.items())]


def iter_layer(
    conn: sqlite3.Connection, source: str | None
) -> Iterator[tuple[int, list[Suggestion], list[SuggestedLabel]]]:
    """Documents in id order with their suggestions, one document's rows at a time."""
    where, params = ("", ()) if source is None else (" WHERE source = ?", (source,))
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT document_id FROM suggestions" + where + " UNION"
            " SELECT document_id FROM suggested_labels" + where + " UNION"
            " SELECT document_id FROM suggestion_training" + where + " ORDER BY 1",
            params * 3,
        )
    ]
    for doc_id in ids:
        yield doc_id, spans_of(conn, doc_id, source), labels_of(conn, doc_id, source)


def delete_source(conn: sqlite3.Connection, source: str) -> int:
    n: int = conn.execute("DELETE FROM suggestions WHERE source = ?", (source,)).rowcount
    n += conn.execute("DELETE FROM suggested_labels WHERE source = ?", (source,)).rowcount
    conn.execute("DELETE FROM suggestion_rejections WHERE source = ?", (source,))
    conn.execute("DELETE FROM suggestion_training WHERE source = ?", (source,))
    return n


def training(conn: sqlite3.Connection, source: str | None) -> dict[str, set[int]]:
    """``{source: the documents its model was trained on}``, of one source or all."""
    where, params = ("", ()) if source is None else (" WHERE source = ?", (source,))
    out: dict[str, set[int]] = {}
    for name, doc_id in conn.execute(
        "SELECT source, document_id FROM suggestion_training" + where, params
    ):
        out.setdefault(name, set()).add(doc_id)
    return out


def reject(
    conn: sqlite3.Connection, doc_id: int, coder_id: int, source: str, target: str, stamp: str
) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO suggestion_rejections (document_id, annotator_id, source,"
        " target, rejected_at) VALUES (?, ?, ?, ?, ?)",
        (doc_id, coder_id, source, target, stamp),
    )


def unreject(
    conn: sqlite3.Connection, doc_id: int, coder_id: int, source: str, target: str
) -> None:
    conn.execute(
        "DELETE FROM suggestion_rejections WHERE document_id = ? AND annotator_id = ?"
        " AND source = ? AND target = ?",
        (doc_id, coder_id, source, target),
    )


def rejected(conn: sqlite3.Connection, doc_id: int, coder: str) -> set[tuple[str, str]]:
    rows = conn.execute(
        "SELECT r.source, r.target FROM suggestion_rejections r"
        " JOIN annotators a ON a.id = r.annotator_id WHERE r.document_id = ? AND a.name = ?",
        (doc_id, coder),
    )
    return {(s, t) for s, t in rows}
