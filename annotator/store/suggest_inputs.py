"""What computing suggestions reads of the documents (issue 15, ``annotator suggest``):
a batch of documents with their text, the spaCy pipeline they were imported with and
their stored token and sentence offsets, in one query."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..errors import NotFoundError
from ..packing import unpack
from .rows import rows_in

Input = tuple[int, str, str, tuple[int, ...], tuple[int, ...], tuple[int, ...]]


def documents_to_suggest(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Input]:
    """``(id, text, pipeline, token starts, token ends, sentence starts)`` of each of
    ``ids``, in that order; an unknown id raises NotFoundError."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    for i in wanted:
        if not isinstance(i, int) or isinstance(i, bool):
            raise NotFoundError(f"unknown document {i!r}")
    found: dict[int, Input] = {}
    sql = "SELECT id, text, pipeline, tokens, sentences FROM documents WHERE id IN ({})"
    for doc_id, text, pipeline, tokens, sentences in rows_in(conn, sql, wanted):
        starts, ends = unpack(tokens) if tokens else ((), ())
        sentence_starts = unpack(sentences)[0] if sentences else ()
        found[doc_id] = (doc_id, text, pipeline or "", starts, ends, sentence_starts)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFoundError(f"unknown document {missing[0]!r}")
    return [found[i] for i in wanted]
