"""Full-text search over the documents (the FTS5 index of migration m007).

Functions over an open connection; :class:`~annotator.store.Store` reaches them through
``search_rows``, ``matching_documents`` and ``document_texts``. Hits are found by FTS5 and
marked by its ``highlight()`` function in the stored text itself, so
:mod:`annotator.search` can turn each mark into exact code-point offsets: the index's own
tokenizer decides what matched, never a second one written in Python.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import AnnotatorError, SearchQueryError
from .schema import FTS_INSERT_TRIGGER, index_documents
from .settings import set_setting, setting

# A file setting: "stale" while the index lacks documents (a pack fills its documents with
# the index suspended, see :func:`suspended_index`); the first search builds it.
INDEX_STATE = "search_index"


@contextmanager
def suspended_index(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside the caller's write transaction: documents inserted in the block are not
    indexed one by one; the index is marked stale and built, in one go, when it is first
    searched (:func:`ensure_index`). For writing many documents into a file nobody searches
    yet (a coder's pack), where indexing as they come would cost more than the copy."""
    conn.execute("DROP TRIGGER IF EXISTS documents_fts_insert")
    yield
    conn.execute(FTS_INSERT_TRIGGER)
    set_setting(conn, INDEX_STATE, "stale")


def index_is_stale(conn: sqlite3.Connection) -> bool:
    return setting(conn, INDEX_STATE) == "stale"


def rebuild_index(conn: sqlite3.Connection) -> None:
    """Inside the caller's write transaction: the index made again from every document."""
    conn.execute("INSERT INTO documents_fts (documents_fts) VALUES ('delete-all')")
    index_documents(conn)
    set_setting(conn, INDEX_STATE, None)


# Pairs of marker characters for highlight(); the first pair that occurs in none of a
# document's text is used for it (see :func:`search_rows`).
MARKERS = (("\x1e", "\x1f"), ("\U0010fffe", "\U0010ffff"), ("\ufdd0", "\ufdd1"))


# How SQLite begins the messages of the errors a query can cause (the others are about
# the database, reported as such).
QUERY_ERRORS = ("fts5:", "no such column", "unterminated string", "unknown special query")


def query_error(query: str, e: sqlite3.OperationalError) -> AnnotatorError | None:
    """The one-line error for a query FTS5 refused, or None if ``e`` is not about the
    query (a database problem, reported as such by the caller)."""
    msg = str(e)
    if msg.startswith(QUERY_ERRORS):
        detail = msg.removeprefix("fts5: ")
        hint = ""
        if msg.startswith("no such column"):
            detail = f"{msg} (a word followed by ':' or '-' names a column)"
        if any(ch in query for ch in "-.:/'@") and '"' not in query:
            hint = '; put words with punctuation in double quotes: "axis of upheaval"'
        return SearchQueryError(f"search query {query[:80]!r}: {detail}{hint}")
    return None


def _run(
    conn: sqlite3.Connection, query: str, sql: str, params: tuple[object, ...]
) -> Iterator[tuple[object, ...]]:
    try:
        cur = conn.execute(sql, params)
    except sqlite3.OperationalError as e:
        err = query_error(query, e)
        if err is None:
            raise
        raise err from None
    # One row at a time: a row of search_rows is a document highlight()ed whole, and the
    # first screen of hits is often in the first document (reading ahead would mark
    # documents nobody looks at).
    while True:
        try:
            row = cur.fetchone()
        except sqlite3.OperationalError as e:
            err = query_error(query, e)
            if err is None:
                raise
            raise err from None
        if row is None:
            return
        yield row


def search_rows(
    conn: sqlite3.Connection, query: str, after: int = 0
) -> Iterator[tuple[int, str, str, str, str, str]]:
    """``(id, title, text, marked text, open marker, close marker)`` of each document
    whose text matches ``query``, by increasing id, starting after document ``after``;
    streamed. The marked text is the stored text with the markers around each hit."""
    open_, close = MARKERS[0]
    # The title and text are the index's columns: read from ``documents`` (its content
    # table) once for both them and highlight().
    sql = (
        "SELECT rowid, title, text, highlight(documents_fts, 1, ?, ?) FROM documents_fts"
        " WHERE documents_fts MATCH ? AND rowid > ? ORDER BY rowid"
    )
    for row in _run(conn, query, sql, (open_, close, query, after)):
        doc_id, title, text, marked = row
        assert isinstance(doc_id, int) and isinstance(text, str)
        if open_ in text or close in text:
            yield from _one(conn, query, doc_id)  # the text holds a marker: other markers
        else:
            yield doc_id, str(title or ""), text, str(marked), open_, close


def _one(
    conn: sqlite3.Connection, query: str, doc_id: int
) -> Iterator[tuple[int, str, str, str, str, str]]:
    for open_, close in MARKERS[1:]:
        rows = list(
            _run(
                conn,
                query,
                "SELECT d.title, d.text, highlight(documents_fts, 1, ?, ?)"
                " FROM documents_fts f JOIN documents d ON d.id = f.rowid"
                " WHERE documents_fts MATCH ? AND f.rowid = ?",
                (open_, close, query, doc_id),
            )
        )
        if not rows:
            return
        title, text, marked = rows[0]
        if open_ not in str(text) and close not in str(text):
            yield doc_id, str(title or ""), str(text), str(marked), open_, close
            return
    # every marker pair occurs in this text: it cannot be marked; its hits are not shown


def matching_documents(conn: sqlite3.Connection, query: str) -> list[int]:
    """Ids of the documents whose title or text matches ``query``, sorted."""
    return [
        int(str(r[0]))
        for r in _run(
            conn,
            query,
            "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid",
            (query,),
        )
    ]


def document_texts(conn: sqlite3.Connection) -> Iterator[tuple[int, str, str]]:
    """``(id, title, text)`` of every document by id, streamed (a regular-expression
    search reads one text at a time)."""
    last = 0
    while True:
        rows = conn.execute(
            "SELECT id, coalesce(title, ''), text FROM documents WHERE id > ? ORDER BY id LIMIT 64",
            (last,),
        ).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]
