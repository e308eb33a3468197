"""The database schema: the sqlite-utils migrations that create and upgrade it.

A schema change is a new function appended to :data:`MIGRATIONS`, never an edit of an old
one: every existing database upgrades by running the ones it has not had, in order.
sqlite-utils is imported only when a migration has to run (it costs half a second).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, cast

from ..packing import pack

if TYPE_CHECKING:  # sqlite-utils is imported only when the schema has to change
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "annotator"


def _table(db: sqlite_utils.Database, name: str) -> sqlite_utils.db.Table:
    """``db[name]``, typed as the table it is in a migration: sqlite-utils types ``db[name]``
    as ``Table | View`` (a view only where a view of that name exists, and no migration
    makes views). A cast, not ``db.table(name)``: the migrations make exactly the calls
    they made when they were written."""
    return cast("sqlite_utils.db.Table", db[name])


def m001_initial(db: sqlite_utils.Database) -> None:
    _table(db, "schemes").create(
        {"version": int, "name": str, "toml": str, "created_at": str},
        pk="version",
        not_null={"name", "toml"},
    )
    _table(db, "documents").create(
        {
            "id": int,
            "sha256": str,
            "title": str,
            "source": str,
            "text": str,
            "length": int,
            "meta": str,
            "tokens": str,
            "sentences": str,
            "pipeline": str,
            "added_at": str,
        },
        pk="id",
        not_null={"sha256", "text", "length", "tokens", "sentences"},
    )
    _table(db, "documents").create_index(["sha256"], unique=True)
    _table(db, "annotators").create(
        {"id": int, "name": str, "created_at": str}, pk="id", not_null={"name"}
    )
    _table(db, "annotators").create_index(["name"], unique=True)
    _table(db, "spans").create(
        {
            "id": int,
            "document_id": int,
            "annotator_id": int,
            "start": int,
            "end": int,
            "label": str,
            "note": str,
            "scheme_version": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"document_id", "annotator_id", "start", "end", "label"},
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("annotator_id", "annotators", "id"),
        ],
    )
    _table(db, "spans").create_index(["document_id", "annotator_id"])
    _table(db, "doc_labels").create(
        {
            "document_id": int,
            "annotator_id": int,
            "field": str,
            "value": str,
            "scheme_version": int,
            "updated_at": str,
        },
        pk=("document_id", "annotator_id", "field"),
        not_null={"value"},
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("annotator_id", "annotators", "id"),
        ],
    )
    _table(db, "status").create(
        {
            "document_id": int,
            "annotator_id": int,
            "state": str,
            "seconds_spent": float,
            "updated_at": str,
        },
        pk=("document_id", "annotator_id"),
        not_null={"state"},
        defaults={"seconds_spent": 0.0},
        foreign_keys=[
            ("document_id", "documents", "id"),
            ("annotator_id", "annotators", "id"),
        ],
    )


def m002_gold_provenance(db: sqlite_utils.Database) -> None:
    """Which coders' labels each gold (adjudicated) label came from."""
    db.execute(
        """CREATE TABLE gold_span_sources (
            span_id INTEGER NOT NULL REFERENCES spans(id) ON DELETE CASCADE,
            annotator_id INTEGER NOT NULL REFERENCES annotators(id),
            PRIMARY KEY (span_id, annotator_id)
        )"""
    )
    db.execute(
        """CREATE TABLE gold_label_sources (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            field TEXT NOT NULL,
            annotator_id INTEGER NOT NULL REFERENCES annotators(id),
            PRIMARY KEY (document_id, field, annotator_id)
        )"""
    )


def m003_gold_rejections(db: sqlite_utils.Database) -> None:
    """Decisions the adjudicator rejected (kept out of gold), so review resumes where it was."""
    db.execute(
        """CREATE TABLE gold_rejections (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            decision TEXT NOT NULL,
            rejected_at TEXT,
            PRIMARY KEY (document_id, decision)
        )"""
    )


def m004_binary_offsets(db: sqlite_utils.Database) -> None:
    """Token and sentence offsets as binary blobs (:mod:`annotator.packing`), not JSON text.

    Encoding the offsets as JSON cost an import a fifth of spaCy's own time.
    """
    ids = [r[0] for r in db.execute("SELECT id FROM documents")]
    for doc_id in ids:
        tokens, sentences = db.execute(
            "SELECT tokens, sentences FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        db.execute(
            "UPDATE documents SET tokens = ?, sentences = ? WHERE id = ?",
            [pack(*_offsets_from_json(tokens)), pack(*_offsets_from_json(sentences)), doc_id],
        )
    _table(db, "documents").transform(types={"tokens": bytes, "sentences": bytes})


def m005_memos(db: sqlite_utils.Database) -> None:
    """A coder's memo on a whole document ("why I chose this dominant frame"): one row per
    (document, coder), absent when the coder wrote none."""
    db.execute(
        """CREATE TABLE memos (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator_id INTEGER NOT NULL REFERENCES annotators(id),
            text TEXT NOT NULL,
            updated_at TEXT,
            PRIMARY KEY (document_id, annotator_id)
        )"""
    )


def m006_study_design(db: sqlite_utils.Database) -> None:
    """The design of a study (issue 13): rounds, who codes which document in which order,
    which documents form the reliability sample, and settings of this file (a coder's
    pack records the coder it was made for).

    ``assignments.reliability`` is 1 or 0 in the lead's database and NULL in a coder's
    pack, which must not tell the coder which documents are in the sample.
    """
    db.execute(
        """CREATE TABLE rounds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            seed INTEGER,
            design TEXT NOT NULL DEFAULT '{}',
            created_at TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE assignments (
            round_id INTEGER NOT NULL REFERENCES rounds(id),
            annotator_id INTEGER NOT NULL REFERENCES annotators(id),
            document_id INTEGER NOT NULL REFERENCES documents(id),
            reliability INTEGER CHECK (reliability IN (0, 1)),
            position INTEGER NOT NULL CHECK (position >= 1),
            assigned_at TEXT,
            PRIMARY KEY (round_id, annotator_id, document_id),
            UNIQUE (round_id, annotator_id, position)
        )"""
    )
    db.execute("CREATE INDEX assignments_document ON assignments (document_id)")
    db.execute(
        """CREATE TABLE file_settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )"""
    )


# Called as (documents indexed, documents in all) while m007 indexes an existing database's
# documents for search; the command line sets it to show progress on a terminal.
index_progress: list[Callable[[int, int], None]] = []
INDEX_CHUNK = 500


FTS_INSERT_TRIGGER = """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END"""


def index_documents(conn: sqlite3.Connection) -> None:
    """Add every document to the (empty) full-text index, :data:`INDEX_CHUNK` at a time,
    reporting to :data:`index_progress`."""
    total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    done = 0
    last = 0
    while done < total:
        rows = conn.execute(
            "SELECT id FROM documents WHERE id > ? ORDER BY id LIMIT ?", [last, INDEX_CHUNK]
        ).fetchall()
        if not rows:
            break
        first, last = rows[0][0], rows[-1][0]
        conn.execute(
            "INSERT INTO documents_fts (rowid, title, text)"
            " SELECT id, title, text FROM documents WHERE id BETWEEN ? AND ?",
            [first, last],
        )
        done += len(rows)
        for report in index_progress:
            report(done, total)


def m007_fulltext(db: sqlite_utils.Database) -> None:
    """A full-text index (SQLite FTS5) over the documents' titles and texts, kept current by
    triggers in the transaction that inserts, edits or deletes a document (an import, a
    merge, a title edit), so no code path can forget it.

    External content (``content='documents'``): the index stores no second copy of the
    texts. Tokenizer ``unicode61 remove_diacritics 2``: words are runs of letters and
    digits, case and Latin diacritics ignored ("resume" finds "résumé"). An existing
    database's documents are indexed here, :data:`INDEX_CHUNK` at a time, reporting to
    :data:`index_progress`.
    """
    db.execute(
        "CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    index_documents(db.conn)
    db.execute(FTS_INSERT_TRIGGER)
    db.execute(
        """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END"""
    )
    db.execute(
        """CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END"""
    )


def m008_suggestions(db: sqlite_utils.Database) -> None:
    """Suggestions (issue 15): a layer of their own, never rows of ``spans``.

    ``suggestions`` holds suggested spans and ``suggested_labels`` suggested document
    field values, each from a named source (``patterns``, a trained model's name, an
    imported file's ``--source``), with a score where the source gives one.
    ``suggestion_rejections`` records what a coder rejected (by content, so that a new
    run of the same source does not bring it back). Every span and document label now
    records its ``origin``: ``manual``, ``suggestion:<source>`` (accepted as it was) or
    ``edited:<source>`` (accepted, then moved or relabelled); labels made before are
    ``manual``. ``status.first_done_at``: when the coder first marked the document done
    (suggestions "after the first pass" are shown from then on).
    """
    db.execute("ALTER TABLE spans ADD COLUMN origin TEXT NOT NULL DEFAULT 'manual'")
    db.execute("ALTER TABLE doc_labels ADD COLUMN origin TEXT NOT NULL DEFAULT 'manual'")
    db.execute("ALTER TABLE status ADD COLUMN first_done_at TEXT")
    db.execute("UPDATE status SET first_done_at = coalesce(updated_at, '') WHERE state = 'done'")
    db.execute(
        """CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            source TEXT NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL CHECK (end > start),
            label TEXT NOT NULL,
            score REAL,
            created_at TEXT
        )"""
    )
    db.execute("CREATE INDEX suggestions_document ON suggestions (document_id, source)")
    db.execute(
        """CREATE TABLE suggested_labels (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            source TEXT NOT NULL,
            field TEXT NOT NULL,
            value TEXT NOT NULL,
            score REAL,
            created_at TEXT,
            PRIMARY KEY (document_id, source, field)
        )"""
    )
    db.execute(
        """CREATE TABLE suggestion_rejections (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator_id INTEGER NOT NULL REFERENCES annotators(id),
            source TEXT NOT NULL,
            target TEXT NOT NULL,
            rejected_at TEXT,
            PRIMARY KEY (document_id, annotator_id, source, target)
        )"""
    )


def m009_codebook_history(db: sqlite_utils.Database) -> None:
    """Codebook changes as recorded operations (issue 16).

    ``scheme_changes``: one row per change (``rename-label``, ``merge-options``, ``replace``
    for ``init --scheme`` ...), the scheme version it made, its arguments and what it did
    to the stored data (JSON), who made it and when. ``label_history``: the label a span
    (``kind`` 'span', ``span_id``) or the value a document label (``kind`` 'field',
    ``document_id``, ``annotator_id``, ``field`` as it is now) had before a change, with
    the scheme version it was made under, so an old label stays readable; no foreign key
    to ``spans``, so the history outlives a deleted span. ``split_labels``: labels split by
    ``split-label``; every span still carrying one is on its coder's recode worklist.
    """
    db.execute(
        """CREATE TABLE scheme_changes (
            id INTEGER PRIMARY KEY,
            version INTEGER NOT NULL,
            op TEXT NOT NULL,
            args TEXT NOT NULL DEFAULT '{}',
            effect TEXT NOT NULL DEFAULT '{}',
            who TEXT NOT NULL DEFAULT '',
            at TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE label_history (
            id INTEGER PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES scheme_changes(id),
            kind TEXT NOT NULL CHECK (kind IN ('span', 'field')),
            span_id INTEGER,
            document_id INTEGER NOT NULL,
            annotator_id INTEGER NOT NULL,
            field TEXT,
            old_field TEXT,
            old_value TEXT NOT NULL,
            new_value TEXT NOT NULL,
            old_scheme_version INTEGER
        )"""
    )
    db.execute("CREATE INDEX label_history_span ON label_history (span_id)")
    db.execute("CREATE INDEX label_history_document ON label_history (document_id)")
    db.execute(
        """CREATE TABLE split_labels (
            label TEXT PRIMARY KEY,
            change_id INTEGER NOT NULL REFERENCES scheme_changes(id),
            into_labels TEXT NOT NULL DEFAULT '[]'
        )"""
    )


def m010_text_history(db: sqlite_utils.Database) -> None:
    """Texts that change (issue 16, ``import --update``): a corrected article keeps its id.

    ``documents.text_version`` counts its texts (1: as first imported). Each replaced
    text is kept in ``document_texts`` with its title, meta and offsets. Every span the
    update touched is kept as it was in ``span_history`` with what happened to it
    (``moved``, ``changed``, ``lost``: a lost span is deleted from ``spans`` and stays
    readable there). ``span_flags`` marks spans a coder should look at again (a span
    whose text changed).
    """
    db.execute("ALTER TABLE documents ADD COLUMN text_version INTEGER NOT NULL DEFAULT 1")
    db.execute(
        """CREATE TABLE document_texts (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            text_version INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            title TEXT,
            source TEXT,
            text TEXT NOT NULL,
            length INTEGER NOT NULL,
            meta TEXT,
            tokens BLOB,
            sentences BLOB,
            pipeline TEXT,
            replaced_at TEXT,
            PRIMARY KEY (document_id, text_version)
        )"""
    )
    db.execute(
        """CREATE TABLE span_history (
            id INTEGER PRIMARY KEY,
            span_id INTEGER NOT NULL,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator_id INTEGER NOT NULL REFERENCES annotators(id),
            text_version INTEGER NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            label TEXT NOT NULL,
            note TEXT,
            origin TEXT,
            scheme_version INTEGER,
            outcome TEXT NOT NULL CHECK (outcome IN ('moved', 'changed', 'lost')),
            new_start INTEGER,
            new_end INTEGER,
            recorded_at TEXT
        )"""
    )
    db.execute("CREATE INDEX span_history_document ON span_history (document_id)")
    db.execute(
        """CREATE TABLE span_flags (
            span_id INTEGER PRIMARY KEY REFERENCES spans(id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            flagged_at TEXT
        )"""
    )


def m011_suggestion_training(db: sqlite_utils.Database) -> None:
    """Which suggested documents a model was trained on (issue 15, out-of-sample checks).

    ``annotator suggest --model`` records, for its source, each document it suggested on
    whose text is one the pipeline was trained on (``annotator train`` lists the SHA-256 of
    its training texts in the pipeline's meta). ``annotator agreement --with-source``
    leaves those documents out of that source's comparisons, so a model is never scored
    on the documents it learned from. Replaced with the source's suggestions on each
    document, and removed with them.
    """
    db.execute(
        """CREATE TABLE suggestion_training (
            source TEXT NOT NULL,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            PRIMARY KEY (source, document_id)
        ) WITHOUT ROWID"""
    )


# In order; a new schema change is a new function appended here, never an edit of an old one.
MIGRATIONS = (
    m001_initial,
    m002_gold_provenance,
    m003_gold_rejections,
    m004_binary_offsets,
    m005_memos,
    m006_study_design,
    m007_fulltext,
    m008_suggestions,
    m009_codebook_history,
    m010_text_history,
    m011_suggestion_training,
)


@cache
def migrations() -> Migrations:
    """The schema's sqlite-utils migration set (built on first need: importing sqlite-utils
    costs half a second, which start-up should not pay when the schema is current)."""
    from sqlite_utils.migrations import Migrations

    m = Migrations(MIGRATION_SET)
    for fn in MIGRATIONS:
        m()(fn)
    return m


def _offsets_from_json(value: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Offsets as schema versions before m004 stored them: ``{"start": [...], "end": [...]}``
    (or, earlier still, a list of ``[start, end]`` pairs)."""
    import json

    data = json.loads(value)
    if isinstance(data, dict):
        return tuple(data["start"]), tuple(data["end"])
    return tuple(p[0] for p in data), tuple(p[1] for p in data)


def pending_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the schema migrations this file has not had (plain SQL, no sqlite-utils)."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    applied = set()
    if has_table:
        applied = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                (MIGRATION_SET,),
            )
        }
    return [fn.__name__ for fn in MIGRATIONS if fn.__name__ not in applied]


def made_by_annotator(conn: sqlite3.Connection) -> bool:
    """Whether the file had this tool's first migration (it is an annotator database)."""
    return (
        conn.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? AND name = ?",
            (MIGRATION_SET, MIGRATIONS[0].__name__),
        ).fetchone()
        is not None
    )
