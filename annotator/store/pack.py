"""Writing a coder's pack: the SQL that copies one coder's part of a study into a new file.

:meth:`~annotator.store.Store.write_pack` reaches :func:`write_pack`; the use case
(:mod:`annotator.coder_pack`) checks the coder, the round and the output first. The new
file gets the source's schema, statement by statement as SQLite stored it, and the
source's record of applied migrations (the source was opened as a
:class:`~annotator.store.Store`, so it has had every migration: the pack is a current
annotator database). Creating it by running the migrations would cost a pack the import
of sqlite-utils, more than copying 10,000 documents takes. Then it is attached to the
source's connection and filled with
``INSERT ... SELECT`` statements, one per table, in one transaction: the rows stream
through SQLite, never through Python. The source is only read (a deferred transaction,
so it takes no write lock and a window coding in it meanwhile is not blocked); its read
snapshot keeps every table of the pack consistent.

What is copied and what is not, so the pack does not tell the coder which of their
documents are in the reliability sample: ``assignments.reliability`` is written as
NULL, and a round keeps only its name and creation time (its seed is NULL and its
design ``{"packed_for": coder}``: with the seed and the design the sample could be
drawn again). The suggestion layer (issue 15) is copied only for the packed documents
outside every round's reliability sample (those are coded blind: the window of a pack
cannot tell which they are, so the pack must not hold their suggestions), with the pack's
coder's own rejections only; a pack refuses new suggestions
(``Store.replace_suggestions``). The packed spans keep their flags (a text corrected by
``import --update``: the coder checks them again). Documents keep the source's ids (the lead and the coder speak of the same
"document 7"); ids were given at import, before any sample was drawn.
"""

from __future__ import annotations

import json
import re
import sqlite3
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

from ..errors import AnnotatorError
from .schema import FTS_INSERT_TRIGGER, pending_migrations
from .search import INDEX_STATE
from .study import PACK_CODER, PACK_ROUND

ALIAS = "pack"
FTS_TABLE = "documents_fts"  # the full-text index (migration m007)
FTS_INSERT = "documents_fts_insert"  # its trigger on new documents

# table -> the condition (over the source's rows) that picks the rows a pack holds.
# ``{docs}``: the packed documents; ``{who}``: whose labels are packed.
_LABEL_TABLES = ("spans", "doc_labels", "status", "memos")
_GOLD_TABLES = {  # the lead's adjudication: only with the other coders' labels
    "gold_label_sources": "document_id IN ({docs})",
    "gold_rejections": "document_id IN ({docs})",
    "gold_span_sources": f"span_id IN (SELECT id FROM {ALIAS}.spans)",
}


class PackCounts(NamedTuple):
    documents: int
    assignments: int
    rounds: int
    spans: int
    doc_labels: int
    statuses: int
    memos: int


def _columns(conn: sqlite3.Connection, table: str) -> str:
    """The pack's columns of ``table`` (the source has the same schema: both are current)."""
    names = [r[1] for r in conn.execute(f"PRAGMA {ALIAS}.table_info({table})")]
    return ", ".join(f'"{n}"' for n in names)


def _copy(conn: sqlite3.Connection, table: str, where: str, params: dict[str, object]) -> int:
    cols = _columns(conn, table)
    cur = conn.execute(
        f"INSERT INTO {ALIAS}.{table} ({cols}) SELECT {cols} FROM main.{table} WHERE {where}",
        params,
    )
    return max(cur.rowcount, 0)


_SCHEMA_ORDER = {"table": 0, "index": 1, "view": 2, "trigger": 3}


# ``CREATE [UNIQUE] INDEX name``: an index made after the rows are in (a sorted build,
# faster than keeping it up to date row by row), named in the attached pack.
_INDEX = re.compile(r"^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+)(?!IF\b)(?=[\"\w])", re.IGNORECASE)


def create_schema(conn: sqlite3.Connection, path: Path) -> list[str]:
    """Give the new, empty file ``path`` the schema of ``conn``'s database (which has had
    every migration) and its record of the migrations applied. Returns the statements
    that create its indexes (those a constraint does not make), to be run once the pack
    is filled, on the pack attached as ``pack``; the file has them too when they
    cannot be rewritten so."""
    pending = pending_migrations(conn)
    if pending:  # never: the source was opened as a Store, which migrates
        raise AnnotatorError(f"the database needs an upgrade ({pending[0]}) before packing")
    objects = sorted(
        (
            (_SCHEMA_ORDER[kind], i, sql)
            for i, (kind, name, sql) in enumerate(
                conn.execute("SELECT type, name, sql FROM main.sqlite_master ORDER BY rowid")
            )
            if sql
            and kind in _SCHEMA_ORDER
            and not name.startswith("sqlite_")
            # a full-text index's own tables: creating the index makes them
            and not (kind == "table" and name.startswith(f"{FTS_TABLE}_"))
        ),
    )
    applied = conn.execute(f"SELECT {_MIGRATION_COLUMNS} FROM main._sqlite_migrations").fetchall()
    later = []
    new = sqlite3.connect(path, isolation_level=None)
    try:
        new.execute("BEGIN")  # one transaction: one sync, not one per statement
        for kind, _, sql in objects:
            if kind == _SCHEMA_ORDER["index"] and _INDEX.match(sql):
                later.append(_INDEX.sub(lambda m: m.group(1) + ALIAS + ".", sql, count=1))
                continue
            new.execute(sql)
        new.executemany(
            f"INSERT INTO _sqlite_migrations ({_MIGRATION_COLUMNS}) VALUES (?, ?, ?, ?)",
            applied,
        )
        new.execute("COMMIT")
    finally:
        new.close()
    return later


_MIGRATION_COLUMNS = "id, migration_set, name, applied_at"


def write_pack(
    conn: sqlite3.Connection,
    path: Path,
    aid: int,
    rid: int | None,
    coder: str,
    pack_round: str,
    with_labels: bool,
) -> PackCounts:
    """Write into ``path`` (a new, empty file) the schema (:func:`create_schema`) and the
    pack of the coder whose id is ``aid``, for round ``rid`` (every round when None).

    The pack's file has a rollback journal (one file to send, no -wal beside it). Raises
    what SQLite raises; the caller removes the file on any error.
    """
    indexes = create_schema(conn, path)
    params: dict[str, object] = {"aid": aid, "rid": rid, "coder": coder}
    # the coder's assignments, found through the (round, coder, ...) keys: not a scan of
    # every coder's
    rounds = "round_id IN (SELECT id FROM main.rounds)" if rid is None else "round_id = :rid"
    mine = f"{rounds} AND annotator_id = :aid"
    docs = f"SELECT document_id FROM main.assignments WHERE {mine}"
    who = "1" if with_labels else "annotator_id = :aid"
    conn.execute("ATTACH DATABASE ? AS " + ALIAS, (str(path),))
    try:
        conn.execute(f"PRAGMA {ALIAS}.journal_mode=DELETE")
        conn.execute(f"PRAGMA {ALIAS}.synchronous=FULL")
        conn.execute("BEGIN")  # deferred: the source is read, never locked for writing
        try:
            # The full-text index is built when the pack is first searched, in one go:
            # indexing each document as it is copied would cost several times the copy.
            conn.execute(f"DROP TRIGGER {ALIAS}.{FTS_INSERT}")
            counts = _fill(conn, params, mine, docs, who, pack_round, with_labels)
            for sql in indexes:
                conn.execute(sql)
            conn.execute(FTS_INSERT_TRIGGER.replace(FTS_INSERT, f"{ALIAS}.{FTS_INSERT}", 1))
            conn.execute(
                f"INSERT INTO {ALIAS}.file_settings (key, value) VALUES (?, 'stale')",
                (INDEX_STATE,),
            )
            conn.commit()
        except BaseException:
            with suppress(sqlite3.Error):
                conn.rollback()
            raise
    finally:
        with suppress(sqlite3.Error):
            conn.execute(f"DETACH DATABASE {ALIAS}")
    return counts


def _fill(
    conn: sqlite3.Connection,
    params: dict[str, object],
    mine: str,
    docs: str,
    who: str,
    pack_round: str,
    with_labels: bool,
) -> PackCounts:
    coders = "1" if with_labels else "id = :aid"
    _copy(conn, "annotators", coders, params)
    # every scheme version, numbered as in the source
    _copy(conn, "schemes", "1", params)
    # parents before children, each once: the foreign keys are checked row by row, and a
    # parent row inserted after its children would be looked up in every child table
    n_docs = _copy(conn, "documents", f"id IN ({docs}) ORDER BY id", params)
    design = json.dumps({"packed_for": params["coder"]}, ensure_ascii=False, sort_keys=True)
    cur = conn.execute(
        f"INSERT INTO {ALIAS}.rounds (id, name, seed, design, created_at)"
        " SELECT id, name, NULL, :design, created_at FROM main.rounds"
        f" WHERE id IN (SELECT round_id FROM main.assignments WHERE {mine}) ORDER BY id",
        {**params, "design": design},
    )
    n_rounds = max(cur.rowcount, 0)
    cur = conn.execute(
        f"INSERT INTO {ALIAS}.assignments"
        " (round_id, annotator_id, document_id, reliability, position, assigned_at)"
        " SELECT round_id, annotator_id, document_id, NULL, position, assigned_at"
        f" FROM main.assignments WHERE {mine} ORDER BY round_id, position",
        params,
    )
    n_assigned = max(cur.rowcount, 0)
    # the pack's documents, from its own assignments (the source's are every coder's)
    docs = f"SELECT document_id FROM {ALIAS}.assignments"
    labels = [
        _copy(conn, table, f"document_id IN ({docs}) AND {who}", params) for table in _LABEL_TABLES
    ]
    # the packed spans' flags (a text corrected by import --update: to check again)
    _copy(conn, "span_flags", f"span_id IN (SELECT id FROM {ALIAS}.spans)", params)
    if with_labels:
        for table, where in _GOLD_TABLES.items():
            _copy(conn, table, where.format(docs=docs), params)
    _copy_suggestions(conn, docs, params)
    conn.executemany(
        f"INSERT INTO {ALIAS}.file_settings (key, value) VALUES (?, ?)",
        [(PACK_CODER, params["coder"]), (PACK_ROUND, pack_round)],
    )
    return PackCounts(n_docs, n_assigned, n_rounds, *labels)


def _copy_suggestions(conn: sqlite3.Connection, docs: str, params: dict[str, object]) -> None:
    """The suggestion layer of the packed documents that are in no round's reliability
    sample (blind first: suggestions never reach a reliability document) with which of them
    a model was trained on, and of the rejections only the pack's coder's."""
    sample = "SELECT document_id FROM main.assignments WHERE reliability = 1"
    outside = f"document_id IN ({docs}) AND document_id NOT IN ({sample})"
    _copy(conn, "suggestions", f"{outside} ORDER BY id", params)
    _copy(conn, "suggested_labels", outside, params)
    _copy(conn, "suggestion_training", outside, params)
    _copy(conn, "suggestion_rejections", f"{outside} AND annotator_id = :aid", params)
