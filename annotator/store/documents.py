"""Documents in and out in bulk: an import's batch, the copy a merge reads and writes.

Plain functions over a connection; the :class:`~annotator.store.Store` methods of the
same purpose call them inside their write transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .. import jsonsafe
from ..corpus import ORIGIN_KEYS, origin_and_date_of
from ..errors import ValidationError
from ..models import StoredDocument, Tokenization
from .rows import inserted_id

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
    if extracted:
        try:
            values = json.loads(extracted)
        except ValueError:
            values = []
    if not isinstance(values, list) or len(values) != len(ORIGIN_KEYS):
        values = _NONE
    return origin_and_date_of(values, source or "")


_NONE: list[Any] = [None] * len(ORIGIN_KEYS)


def known_hashes(conn: sqlite3.Connection, hashes: Iterable[str]) -> set[str]:
    hashes = list(hashes)
    found: set[str] = set()
    for i in range(0, len(hashes), 500):
        chunk = hashes[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            r[0]
            for r in conn.execute(f"SELECT sha256 FROM documents WHERE sha256 IN ({marks})", chunk)
        )
    return found


def insert_documents(
    c: sqlite3.Connection,
    items: Iterable[tuple[Any, Tokenization, str]],
    pipeline: str,
    stamp: str,
) -> list[int]:
    """``(RawDocument, tokens, title)`` triples into an open transaction; the id of each
    (a text already stored keeps its id)."""
    ids: list[int] = []
    for raw, tok, title in items:
        sha = raw.sha256
        tokens, sentences = tok.packed()
        # One statement per new text; a known text is looked up only on conflict.
        cur = c.execute(
            "INSERT INTO documents (sha256, title, source, text, length, meta, tokens,"
            " sentences, pipeline, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sha256) DO NOTHING",
            (
                sha,
                title,
                raw.source,
                raw.text,
                len(raw.text),
                json.dumps(raw.meta, ensure_ascii=False) if raw.meta else "{}",
                tokens,
                sentences,
                pipeline,
                stamp,
            ),
        )
        if cur.rowcount:
            ids.append(inserted_id(cur))
        else:
            row = c.execute("SELECT id FROM documents WHERE sha256 = ?", (sha,))
            ids.append(row.fetchone()[0])
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
