"""Documents in and out in bulk: an import's batch, the copy a merge reads and writes.

Plain functions over a connection; the :class:`~annotator.store.Store` methods of the
same purpose call them inside their write transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import jsonsafe
from ..corpus import ORIGIN_KEYS, origin_and_date_of
from ..errors import ValidationError
from ..models import StoredDocument, Tokenization
from .rows import inserted_id, rows_in

# The meta values that say where and when an article appeared (corpus.ORIGIN_KEYS), as
# one JSON array per row, read by SQLite without parsing a whole meta in Python.
ORIGIN_SQL = (
    "CASE WHEN d.meta <> '{}' AND json_valid(d.meta) THEN json_extract(d.meta, "
    + ", ".join(f"'$.\"{k}\"'" for k in ORIGIN_KEYS)
    + ") END"
)


def origin(extracted: str | None, source: str) -> tuple[str, str]:
    """The (origin, date) of a row from its ``ORIGIN_SQL`` column and its source."""
    values: Any = []
    if extracted and extracted != _NO_ORIGIN:  # (a meta without those keys: no json)
        import json

        try:
            values = json.loads(extracted)
        except ValueError:
            values = []
    if not isinstance(values, list) or len(values) != len(ORIGIN_KEYS):
        values = _NONE
    return origin_and_date_of(values, source or "")


_NONE: list[Any] = [None] * len(ORIGIN_KEYS)
_NO_ORIGIN = "[" + ",".join(["null"] * len(ORIGIN_KEYS)) + "]"  # SQLite's text for _NONE


def known_hashes(conn: sqlite3.Connection, hashes: Iterable[str]) -> set[str]:
    return {
        r[0] for r in rows_in(conn, "SELECT sha256 FROM documents WHERE sha256 IN ({})", hashes)
    }


# Rows per INSERT statement of insert_documents, at most: an import's batch (ingest.BATCH)
# is one statement where SQLite takes its 10 values a row (see statement_rows).
INSERT_ROWS = 1000


def statement_rows(c: sqlite3.Connection) -> int:
    """How many rows of 10 values one statement can insert: SQLite's limit of variables
    (32,766 since SQLite 3.32; 999 before, and in Python < 3.11, which cannot ask)."""
    getlimit = getattr(c, "getlimit", None)
    limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit else 999  # type: ignore[attr-defined]
    return max(1, min(INSERT_ROWS, int(limit) // 10))


_COLUMNS = "(sha256, title, source, text, length, meta, tokens, sentences, pipeline, added_at)"


def insert_documents(
    c: sqlite3.Connection,
    items: Iterable[tuple[Any, Tokenization, str]],
    pipeline: str,
    stamp: str,
) -> list[int]:
    """``(RawDocument, tokens, title)`` triples into an open transaction; the id of each
    (a text already stored keeps its id).

    One multi-row INSERT for many texts (:func:`statement_rows`), not one per text. The
    full-text index (FTS5, kept by the insert trigger of migration m007) writes what it
    holds in memory as a new segment at the end of every statement: a statement per text
    wrote a segment per text and merged them again, about twice the index's work. And
    the rows with their indexing are then one ``sqlite3_step``, all of it in SQLite's C
    code, which Python's sqlite3 runs without holding the GIL: another thread (an import
    tokenising the next batch) runs meanwhile, where a statement per text took the GIL
    back after each."""
    import json

    ids: list[int] = []
    rows: list[tuple[Any, ...]] = []
    for raw, tok, title in items:
        tokens, sentences = tok.packed()
        meta = json.dumps(raw.meta, ensure_ascii=False) if raw.meta else "{}"
        text = raw.text
        rows.append((raw.sha256, title, raw.source, text, len(text), meta, tokens, sentences))
    n = statement_rows(c)
    for i in range(0, len(rows), n):
        chunk = rows[i : i + n]
        marks = ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        params = [v for row in chunk for v in (*row, pipeline, stamp)]
        c.execute(
            f"INSERT INTO documents {_COLUMNS} VALUES {marks} ON CONFLICT (sha256) DO NOTHING",
            params,
        )
        # Each text's id, whether it was inserted just now or was stored before.
        hashes = list({row[0] for row in chunk})
        found = dict(
            c.execute(
                f"SELECT sha256, id FROM documents WHERE sha256 IN ({','.join('?' * len(hashes))})",
                hashes,
            ).fetchall()
        )
        ids.extend(found[row[0]] for row in chunk)
    return ids


def read_stored_documents(conn: sqlite3.Connection, path: Path) -> Iterator[StoredDocument]:
    """Every document of the database at ``path``, as stored (see
    :meth:`~annotator.store.Store.stored_documents`)."""
    rows = conn.execute(
        "SELECT sha256, title, source, text, meta, tokens, sentences, pipeline, id"
        " FROM documents ORDER BY id"
    )
    last = 0
    while True:
        try:
            r = rows.fetchone()
        except sqlite3.OperationalError as e:  # e.g. text that is not UTF-8
            raise ValidationError(
                f"{path}: the document after id {last} cannot be read"
                f" ({str(e).split(' with text ')[0]})"
            ) from None
        if r is None:
            return
        last = r[8]
        try:
            meta = jsonsafe.loads(r[4]) if r[4] else {}
        except (jsonsafe.StrictJSONError, TypeError) as e:
            raise ValidationError(f"{path}: document {r[8]}: meta: {e}") from None
        if not isinstance(meta, dict):
            raise ValidationError(f"{path}: document {r[8]}: meta is not a JSON object")
        yield StoredDocument(r[0], r[1] or "", r[2] or "", r[3], meta, r[5], r[6], r[7] or "", r[8])


def insert_stored_document(c: sqlite3.Connection, doc: StoredDocument, stamp: str) -> int:
    """A document copied from another database (tokens included) into an open transaction."""
    import json

    cur = c.execute(
        "INSERT INTO documents (sha256, title, source, text, length, meta, tokens,"
        " sentences, pipeline, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            doc.sha256, doc.title, doc.source, doc.text, len(doc.text),
            json.dumps(doc.meta, ensure_ascii=False), doc.token_offsets,
            doc.sentence_offsets, doc.pipeline, stamp,
        ),
    )  # fmt: skip
    return inserted_id(cur)
