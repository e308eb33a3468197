"""The :class:`Store`: one labels database, and every read and write of it.

One database file holds the documents (with their spaCy token offsets), the
coders, the scheme versions, and every coder's spans, document labels and
per-document status. Every mutating method is a single ``BEGIN IMMEDIATE`` transaction
with ``synchronous=FULL``: when it returns, the change is on disk. Invalid calls
raise :class:`~annotator.errors.ValidationError` and write nothing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import (
    AnnotatorError,
    DuplicateSpanError,
    NeedsUpgradeError,
    NotFoundError,
    ValidationError,
)
from ..models import (
    MANUAL,
    STATES,
    DocLabel,
    Document,
    DocumentSummary,
    Progress,
    Span,
    StoredDocument,
    Tokenization,
    edited_origin,
    origin_problem,
)
from ..packing import unpack
from ..scheme import Scheme, load_scheme, parse_scheme
from . import coder_labels, documents, queries
from .connection import BUSY_TIMEOUT_S, connect, damaged, database_error, write_error
from .names import (
    GOLD,
    check_coder_name,
    check_coder_name_spelling,
    lookup_name,
    resolve_coders,
    unknown_coder,
)
from .rows import (
    SPAN_SQL,
    check_note,
    field_value,
    inserted_id,
    loads,
    now,
    rows_in,
    stamp_or_now,
    value_from_json,
    value_json,
)
from .schema import MIGRATIONS, migrations, pending_migrations

if TYPE_CHECKING:  # sqlite-utils is imported only when the schema has to change
    import sqlite_utils

    from ..models import SuggestedLabel, Suggestion
    from .progress_queries import CoderCounts
    from .study import Assignment, Round
    from .text_update import HistorySpan


def _check_origin(origin: str) -> None:
    problem = origin_problem(origin)
    if problem is not None:
        raise ValidationError(problem)


def _changed_origin(old: str, given: str | None, changed: bool) -> str:
    """The origin a label gets when a person changes it: ``given`` if any (undo puts
    the old one back), else ``edited:<source>`` for a changed accepted suggestion."""
    if given is not None:
        _check_origin(given)
        return given
    return edited_origin(old) if changed else old


class Store:
    """A labels database. Use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        path: str | Path,
        scheme: Scheme | None = None,
        *,
        readonly: bool = False,
        busy_timeout: float = BUSY_TIMEOUT_S,
        immutable: bool = False,
    ):
        """Open (or create) a database; ``readonly`` opens an existing one without writing.

        Only a new or empty file is initialised: an existing file that is not an
        annotator database is refused and left as it was, byte for byte. A database
        whose file or folder cannot be written raises DatabaseReadOnlyError (open it
        ``readonly`` to read it). ``busy_timeout``: seconds to wait for another
        process's lock. ``immutable`` (with ``readonly``): read the file as it is on
        disk and create no -wal/-shm beside it, for a file nobody writes meanwhile.
        """
        from ..paths import register_database

        self.path = Path(path)
        self.readonly = readonly
        conn, self.created = connect(
            self.path, readonly=readonly, busy_timeout=busy_timeout, immutable=immutable
        )
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._depth = 0
        self._gold_writes = 0
        self._forget_caches()
        try:
            pending = pending_migrations(self.conn)
            if readonly and MIGRATIONS[0].__name__ in pending:
                raise AnnotatorError(f"{self.path}: not an annotator database")
            if readonly and pending:
                raise NeedsUpgradeError(
                    f"{self.path}: database needs an upgrade ({pending[0]}); open it once"
                    " with this version of annotator first"
                )
            if pending:
                try:
                    migrations().apply(self.db)  # each migration is all or nothing
                except (ValueError, KeyError, TypeError, IndexError) as e:
                    # stored data an upgrade cannot read (e.g. hand-edited offsets)
                    raise AnnotatorError(
                        f"{self.path}: cannot upgrade the database: stored data it cannot"
                        f" read ({type(e).__name__}: {str(e)[:80]}); nothing was changed"
                    ) from None
            if self.scheme_versions() == []:
                if readonly:
                    raise AnnotatorError(f"{self.path}: database has no scheme")
                self.record_scheme(scheme or load_scheme())
        except sqlite3.DatabaseError as e:
            conn.close()
            raise database_error(self.path, e, "cannot prepare database") from None
        except UnicodeDecodeError:
            conn.close()
            raise AnnotatorError(damaged(self.path)) from None
        except BaseException:
            conn.close()
            raise
        register_database(self)  # no export may be written over it (annotator.paths)

    @property
    def db(self) -> sqlite_utils.Database:
        """A sqlite-utils view of the same connection (for migrations and inspection)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def _forget_caches(self) -> None:
        self._tok_cache: OrderedDict[int, Tokenization] = OrderedDict()
        self._len_cache: dict[int, int] = {}
        self._coder_ids: dict[str, int] = {}
        self._scheme: Scheme | None = None
        # (document, coder) pairs this connection already moved past 'new'
        self._started: set[tuple[int, int]] = set()
        self._index_fresh = False  # the full-text index was found built (see search_rows)

    # -- lifecycle --------------------------------------------------------------

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a write waits for another process's lock before DatabaseBusyError."""
        self.conn.execute(f"PRAGMA busy_timeout={max(0, int(seconds * 1000))}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group several mutations into one durable, all-or-nothing transaction."""
        with self._write():
            yield self

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One durable write transaction, taken IMMEDIATE so two processes queue up.

        Nested use (inside :meth:`transaction`) runs in a savepoint: a failed inner call
        leaves nothing behind, and the outer transaction commits everything at its end.
        """
        if self.readonly:
            raise AnnotatorError(f"{self.path}: opened read-only")
        if self._depth:
            name = f"sp{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                # SQLite rolls the whole transaction back by itself on some errors (a full
                # disk, an I/O error): then there is no savepoint left to roll back to, and
                # the original error is the one to report.
                if self.conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute(f"ROLLBACK TO {name}")
                        self.conn.execute(f"RELEASE {name}")
                self._forget_caches()
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise write_error(self.path, e) from None
        self._depth = 1
        try:
            yield self.conn
            self.conn.commit()
        except BaseException as e:
            with contextlib.suppress(sqlite3.Error):
                self.conn.rollback()
            self._forget_caches()  # rolled-back rows (ids, coders) must not linger
            if isinstance(e, sqlite3.OperationalError):
                raise write_error(self.path, e) from None
            raise
        finally:
            self._depth = 0

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple[Any, ...] | None:
        row: tuple[Any, ...] | None = self.conn.execute(sql, tuple(params)).fetchone()
        return row

    # -- scheme -----------------------------------------------------------------

    def scheme_versions(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT version FROM schemes ORDER BY version")]

    @property
    def scheme(self) -> Scheme:
        """The newest scheme recorded in the database."""
        if self._scheme is None:
            row = self._one("SELECT toml, version FROM schemes ORDER BY version DESC LIMIT 1")
            if row is None:
                raise AnnotatorError(f"{self.path}: database has no scheme")
            self._scheme = parse_scheme(
                row[0], source=f"{self.path} (scheme v{row[1]})", stored=True
            )
        return self._scheme

    def _scheme_moved_on(self, c: sqlite3.Connection) -> bool:
        """Inside a write: whether another connection recorded a newer scheme (a codebook
        change from the command line while the window is open) since this one read it; the
        cached scheme is then dropped, so the caller checks its label against the new one
        and a label the change renamed or removed is refused, not written."""
        if self._scheme is None:
            return False
        row = c.execute("SELECT max(version) FROM schemes").fetchone()
        if row is not None and row[0] is not None and row[0] != self._scheme.version:
            self._scheme = None
            return True
        return False

    def reload_scheme(self) -> Scheme:
        """Forget the cached scheme (another connection may have recorded a newer one)."""
        self._scheme = None
        return self.scheme

    def scheme_version_toml(self, version: int) -> str:
        row = self._one("SELECT toml FROM schemes WHERE version = ?", [version])
        if row is None:
            raise NotFoundError(f"scheme version {version} is not in the database")
        toml: str = row[0]
        return toml

    def record_scheme(self, scheme: Scheme) -> None:
        """Store a scheme version; it becomes current. Versions only go up."""
        versions = self.scheme_versions()
        if versions and scheme.version < versions[-1]:
            raise ValidationError(
                f"scheme version {scheme.version} is older than the database's {versions[-1]}"
            )
        if scheme.version in versions:
            if self.scheme_version_toml(scheme.version).strip() == scheme.source_toml.strip():
                return
            raise ValidationError(
                f"scheme version {scheme.version} is already recorded with different content; "
                "raise 'version' in the scheme file"
            )
        with self._write() as c:
            c.execute(
                "INSERT INTO schemes (version, name, toml, created_at) VALUES (?, ?, ?, ?)",
                (scheme.version, scheme.name, scheme.source_toml, now()),
            )
        self._scheme = None

    # -- coders ----------------------------------------------------------------

    def coders(self) -> list[str]:
        """The coders, by name (the gold layer is not a coder)."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM annotators WHERE name != ? ORDER BY name", (GOLD,)
            )
        ]

    def _refuse_gold(self, name: str) -> None:
        if name == GOLD and not self._gold_writes:
            raise ValidationError(
                f"{GOLD!r} is reserved for the adjudicated layer (review mode, annotator gold),"
                " not a coder"
            )

    # -- gold (adjudicated) layer ----------------------------------------------------

    @contextmanager
    def _gold(self) -> Iterator[sqlite3.Connection]:
        self._gold_writes += 1
        try:
            with self._write() as c:
                yield c
        finally:
            self._gold_writes -= 1

    def _source_ids(self, sources: Iterable[str]) -> list[int]:
        names = sorted({check_coder_name_spelling(s) for s in sources})
        if GOLD in names:
            raise ValidationError("a gold label cannot come from the gold layer itself")
        return [self._coder_id(n, create=False) for n in names]

    def add_gold_span(
        self,
        doc_id: int,
        start: int,
        end: int,
        label: str,
        sources: Iterable[str],
        note: str = "",
        scheme_version: int | None = None,
        *,
        unique: bool = False,
    ) -> Span:
        """Accept a span into the gold layer, remembering the coders it came from
        (empty ``sources``: the adjudicator's own span). ``unique``: as in :meth:`add_span`
        (gold already holding the same start, end and label raises DuplicateSpanError)."""
        with self._gold() as c:
            ids = self._source_ids(sources)
            span = self.add_span(
                doc_id, GOLD, start, end, label, note, scheme_version, unique=unique
            )
            c.executemany(
                "INSERT INTO gold_span_sources (span_id, annotator_id) VALUES (?, ?)",
                [(span.id, i) for i in ids],
            )
        return span

    def set_gold_label(
        self, doc_id: int, field: str, value: str | Iterable[str] | None, sources: Iterable[str]
    ) -> DocLabel | None:
        """Set (or clear) a gold document field, remembering the coders it came from."""
        with self._gold() as c:
            ids = self._source_ids(sources)
            label = self.set_doc_label(doc_id, GOLD, field, value)
            c.execute(
                "DELETE FROM gold_label_sources WHERE document_id = ? AND field = ?",
                (doc_id, field),
            )
            if label is not None:
                c.executemany(
                    "INSERT INTO gold_label_sources (document_id, field, annotator_id)"
                    " VALUES (?, ?, ?)",
                    [(doc_id, field, i) for i in ids],
                )
        return label

    def gold_span_sources(self, doc_id: int) -> dict[int, tuple[str, ...]]:
        """``{gold span id: coders it came from}`` for one document."""
        return queries.gold_span_sources(self, doc_id)

    def gold_label_sources(self, doc_id: int) -> dict[str, tuple[str, ...]]:
        """``{field: coders the gold value came from}`` for one document."""
        return queries.gold_label_sources(self, doc_id)

    def reject_decision(self, doc_id: int, decision: str) -> None:
        """Record that the adjudicator kept a decision (an opaque key) out of gold."""
        self._text_length(doc_id)
        with self._write() as c:
            c.execute(
                "INSERT OR IGNORE INTO gold_rejections (document_id, decision, rejected_at)"
                " VALUES (?, ?, ?)",
                (doc_id, decision, now()),
            )

    def unreject_decision(self, doc_id: int, decision: str) -> None:
        with self._write() as c:
            c.execute(
                "DELETE FROM gold_rejections WHERE document_id = ? AND decision = ?",
                (doc_id, decision),
            )

    def rejected_decisions(self, doc_id: int) -> set[str]:
        rows = self.conn.execute(
            "SELECT decision FROM gold_rejections WHERE document_id = ?", (doc_id,)
        )
        return {r[0] for r in rows}

    def has_gold(self) -> bool:
        return self._one("SELECT 1 FROM annotators WHERE name = ?", (GOLD,)) is not None

    def _coder_id(self, name: str, create: bool) -> int:
        cached = self._coder_ids.get(name)  # cached names are known ones
        if cached is not None:
            return cached
        row = self._one("SELECT id FROM annotators WHERE name = ?", [lookup_name(name)])
        if row is None:
            if not create:
                raise unknown_coder(name, self.coders())
            name = check_coder_name_spelling(name)  # only a new name must follow today's rule
            cur = self.conn.execute(
                "INSERT INTO annotators (name, created_at) VALUES (?, ?)", (name, now())
            )
            ident = inserted_id(cur)
        else:
            ident = row[0]
        self._coder_ids[name] = ident
        return ident

    def resolve_coders(self, names: Iterable[str]) -> list[str]:
        """``names`` as given if each is a coder of this database; else NotFoundError
        ``unknown coder 'x' (known: a, b)`` naming the first that is not."""
        return resolve_coders(names, self.coders())

    def add_coder(self, name: str) -> str:
        """Register a coder (idempotent); returns the name (see :func:`check_coder_name`)."""
        name = check_coder_name(name, self.coders())  # idempotent for a known coder too
        with self._write():
            self._coder_id(name, create=True)
        return name

    # -- documents --------------------------------------------------------------

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        """The ones of ``hashes`` (SHA-256 of texts) whose text is stored."""
        return documents.known_hashes(self.conn, hashes)

    def add_documents(
        self, items: Iterable[tuple[Any, Tokenization, str]], pipeline: str
    ) -> list[int]:
        """Store ``(RawDocument, tokens, title)`` triples in one transaction.

        ``tokens`` is a :class:`Tokenization` or anything else with its ``packed()``
        (``nlp.TokenArrays``: packed a batch at a time, without a Python int per token).

        Texts already present (same SHA-256) are not duplicated; their existing ids are
        returned in place.
        """
        with self._write() as c:
            return documents.insert_documents(c, items, pipeline, now())

    def document_id_by_hash(self, sha256: str) -> int | None:
        row = self._one("SELECT id FROM documents WHERE sha256 = ?", [sha256])
        return row[0] if row else None

    def stored_documents(self) -> Iterator[StoredDocument]:
        """Every document with its stored token offsets, for copying between databases.

        Rows are passed on as stored (a merge checks them); only ``meta`` is parsed, as
        strict JSON, and a row that cannot be read raises ValidationError naming it.
        """
        return documents.read_stored_documents(self.conn, self.path)

    def add_stored_document(self, doc: StoredDocument) -> int:
        """Copy a document from another database (tokens included; no spaCy needed)."""
        existing = self.document_id_by_hash(doc.sha256)
        if existing is not None:
            return existing
        with self._write() as c:
            return documents.insert_stored_document(c, doc, now())

    def document_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY id")]

    def document_keys(self) -> list[tuple[int, str, dict[str, Any]]]:
        """``(id, sha256, meta)`` of every document, by id (what drawing a design reads)."""
        from . import assigning

        return assigning.document_keys(self.conn)

    def field_value_counts(self, fields: Iterable[str]) -> dict[str, dict[str, int]]:
        """How many coders' labels chose each value of each of ``fields`` (gold left out)."""
        from . import assigning

        return assigning.field_value_counts(self.conn, fields)

    def record_round_extension(self, round: str, entry: dict[str, Any]) -> None:
        """Add what an extension of ``round`` drew (``entry``, stamped) to its stored design."""
        from . import assigning

        with self._write() as c:
            assigning.record_round_extension(c, round, {**entry, "at": now()})

    def document_count(self) -> int:
        row = self._one("SELECT count(*) FROM documents")
        assert row is not None  # an aggregate query returns one row
        count: int = row[0]
        return count

    def document(self, doc_id: int) -> Document:
        row = self._one(
            "SELECT id, sha256, title, source, text, meta, added_at FROM documents WHERE id = ?",
            [doc_id],
        )
        if row is None:
            raise NotFoundError(f"unknown document {doc_id!r}")
        return Document(row[0], row[1], row[2] or "", row[3] or "", row[4], loads(row[5]), row[6])

    def document_titles(self, doc_ids: Iterable[int]) -> dict[int, str]:
        """``{document: title}`` of the given documents, without reading their texts."""
        rows = rows_in(self.conn, "SELECT id, title FROM documents WHERE id IN ({})", doc_ids)
        return {doc_id: title or "" for doc_id, title in rows}

    def document_by_hash(self, sha256: str) -> Document | None:
        row = self._one("SELECT id FROM documents WHERE sha256 = ?", [sha256])
        return self.document(row[0]) if row else None

    def set_title(self, doc_id: int, title: str) -> str:
        """Give a document a new title (whitespace collapsed to one line); returns it."""
        title = " ".join(str(title).split())
        if not title:
            raise ValidationError("title is empty")
        self._text_length(doc_id)
        with self._write() as c:
            c.execute("UPDATE documents SET title = ? WHERE id = ?", (title, doc_id))
        return title

    def list_documents(self, coder: str | None = None) -> list[DocumentSummary]:
        """All documents in order, with ``coder``'s state and span count, and where and
        when each appeared (``corpus.origin_and_date``)."""
        aid = self._maybe_coder_id(coder)
        rows = self.conn.execute(
            """
            SELECT d.id, d.title, d.source, d.length,
                   coalesce(st.state, 'new'),
                   (SELECT count(*) FROM spans s WHERE s.document_id = d.id AND s.annotator_id = ?),
                   """
            + documents.ORIGIN_SQL
            + """
            FROM documents d
            LEFT JOIN status st ON st.document_id = d.id AND st.annotator_id = ?
            ORDER BY d.id
            """,
            (aid, aid),
        )
        return [
            DocumentSummary(r[0], r[1], r[2], r[3], r[4], r[5], *documents.origin(r[6], r[2]))
            for r in rows
        ]

    # -- full-text search (annotator.store.search) ----------------------------------

    def search_rows(
        self, query: str, after: int = 0
    ) -> Iterator[tuple[int, str, str, str, str, str]]:
        """Documents whose text matches the FTS5 ``query``, by id after ``after``, streamed:
        ``(id, title, text, marked text, open marker, close marker)`` where the marked text
        is the text with the markers around each hit (:mod:`annotator.search` reads them).
        A query FTS5 cannot read raises SearchQueryError (one line)."""
        from . import search

        self._ensure_search_index()
        return search.search_rows(self.conn, query, after)

    def matching_documents(self, query: str) -> list[int]:
        """Ids of the documents whose title or text matches the FTS5 ``query``, sorted."""
        from . import search

        self._ensure_search_index()
        return search.matching_documents(self.conn, query)

    def _ensure_search_index(self) -> None:
        """Build the full-text index if this file's documents were written with it
        suspended (a coder's pack); a read-only file cannot, and says so."""
        from . import search

        if self._index_fresh:
            return
        if not search.index_is_stale(self.conn):
            # Only a new pack's file is written stale (before anyone opens it): once fresh,
            # a file stays so, and each query need not read the setting again.
            self._index_fresh = True
            return
        if self.readonly:
            raise AnnotatorError(
                f"{self.path}: its search index is not built yet; open it once for writing"
            )
        with self._write() as c:
            if search.index_is_stale(c):
                search.rebuild_index(c)
        self._index_fresh = True

    def document_texts(self) -> Iterator[tuple[int, str, str]]:
        """``(id, title, text)`` of every document by id, a few at a time."""
        from . import search

        return search.document_texts(self.conn)

    def tokenization(self, doc_id: int) -> Tokenization:
        """Stored token and sentence offsets (no spaCy needed); cached per document."""
        tok = self._tok_cache.get(doc_id)
        if tok is not None:
            self._tok_cache.move_to_end(doc_id)
            return tok
        row = self._one("SELECT tokens, sentences, text FROM documents WHERE id = ?", [doc_id])
        if row is None:
            raise NotFoundError(f"unknown document {doc_id!r}")
        tok = Tokenization.of_text(row[2], *unpack(row[0]), *unpack(row[1]))
        self._tok_cache[doc_id] = tok
        if len(self._tok_cache) > 8:
            self._tok_cache.popitem(last=False)
        return tok

    def snap_to_tokens(self, doc_id: int, start: int, end: int) -> tuple[int, int]:
        """Expand a character range to whole tokens (stored spaCy offsets)."""
        self._check_range(doc_id, start, end, allow_empty=True)
        return self.tokenization(doc_id).snap_to_tokens(start, end)

    def snap_to_sentence(self, doc_id: int, start: int, end: int) -> tuple[int, int]:
        """Expand a character range to the enclosing sentence(s)."""
        self._check_range(doc_id, start, end, allow_empty=True)
        return self.tokenization(doc_id).snap_to_sentences(start, end)

    def _text_length(self, doc_id: int) -> int:
        n = self._len_cache.get(doc_id)
        if n is None:
            if not isinstance(doc_id, int) or isinstance(doc_id, bool):
                raise NotFoundError(f"unknown document {doc_id!r}")
            # The stored code-point count: SQL length() stops at a NUL character.
            row = self._one("SELECT length FROM documents WHERE id = ?", [doc_id])
            if row is None:
                raise NotFoundError(f"unknown document {doc_id!r}")
            n = self._len_cache[doc_id] = row[0]
        return n

    def _check_range(self, doc_id: int, start: int, end: int, allow_empty: bool = False) -> None:
        n = self._text_length(doc_id)
        for name, v in (("start", start), ("end", end)):
            if not isinstance(v, int) or isinstance(v, bool):
                raise ValidationError(f"span {name} must be an integer, got {v!r}")
        if not 0 <= start <= n or not 0 <= end <= n:
            raise ValidationError(
                f"span [{start}, {end}) is outside document {doc_id} (length {n})"
            )
        if start > end or (start == end and not allow_empty):
            raise ValidationError(f"span start {start} must be before end {end}")

    # -- spans ------------------------------------------------------------------

    def _check_label(self, label: str) -> None:
        if self.scheme.label(label) is None:
            raise ValidationError(
                f"label {label!r} is not in scheme '{self.scheme.name}' v{self.scheme.version}"
                f" (labels: {', '.join(self.scheme.label_names)})"
            )

    def add_span(
        self,
        doc_id: int,
        coder: str,
        start: int,
        end: int,
        label: str,
        note: str = "",
        scheme_version: int | None = None,
        *,
        unique: bool = False,
        at: str | None = None,
        origin: str = MANUAL,
    ) -> Span:
        """Store a new span; overlapping spans are allowed.

        ``scheme_version`` (default: the current one) records an older version a label
        was made under, when labels are imported; it must be recorded in the database.
        ``unique`` (a person adding a span): a span of the same coder with the same start,
        end and label already stored raises :class:`~annotator.errors.DuplicateSpanError`
        and nothing is written. Without it a span list is a multiset (imports and merges
        keep a span given twice), as it always was. ``at``: when it was made, if not now
        (a merge keeps the time of the coder's file; see :func:`rows.stamp_or_now`).
        ``origin``: ``manual``, or the suggestion it was accepted from
        (:func:`~annotator.models.origin_problem`).
        """
        self._check_range(doc_id, start, end)
        self._check_label(label)
        _check_origin(origin)
        note = check_note(note)
        name = lookup_name(coder)
        self._refuse_gold(name)
        stamp = now() if at is None else stamp_or_now(at)
        version = self.scheme.version
        if scheme_version is not None and scheme_version != version:
            if scheme_version not in self.scheme_versions():
                raise ValidationError(f"scheme version {scheme_version} is not in the database")
            version = scheme_version
        with self._write() as c:
            if self._scheme_moved_on(c):
                self._check_label(label)
                if scheme_version is None:
                    version = self.scheme.version
            aid = self._coder_id(name, create=True)
            if unique:
                self._refuse_duplicate(c, doc_id, aid, name, start, end, label)
            cur = c.execute(
                "INSERT INTO spans (document_id, annotator_id, start, end, label, note,"
                " scheme_version, created_at, updated_at, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, aid, start, end, label, note, version, stamp, stamp, origin),
            )
            self._touch_status(c, doc_id, aid, stamp)
        return Span(
            inserted_id(cur), doc_id, name, start, end, label,
            note, version, stamp, stamp, origin,
        )  # fmt: skip

    def _refuse_duplicate(
        self, c: sqlite3.Connection, doc_id: int, aid: int, name: str, start: int, end: int,
        label: str,
    ) -> None:  # fmt: skip
        """Inside the write transaction, so another process cannot add the same span between
        the check and the insert."""
        row = c.execute(
            "SELECT id FROM spans WHERE document_id = ? AND annotator_id = ? AND start = ?"
            " AND end = ? AND label = ? ORDER BY id LIMIT 1",
            (doc_id, aid, start, end, label),
        ).fetchone()
        if row is not None:
            who = "gold" if name == GOLD else f"coder {name!r}"
            raise DuplicateSpanError(
                f"{who} already has the {label!r} span [{start}, {end}) in document {doc_id}",
                existing=row[0],
            )

    def restore_span(self, span: Span) -> Span:
        """Re-insert a deleted span with its original id, timestamps and origin (for undo)."""
        self._check_range(span.document_id, span.start, span.end)
        self._check_label(span.label)
        _check_origin(span.origin)
        with self._write() as c:
            if self._scheme_moved_on(c):
                self._check_label(span.label)
            if c.execute("SELECT 1 FROM spans WHERE id = ?", (span.id,)).fetchone():
                raise ValidationError(f"span {span.id} already exists")
            aid = self._coder_id(span.coder, create=True)
            c.execute(
                "INSERT INTO spans (id, document_id, annotator_id, start, end, label, note,"
                " scheme_version, created_at, updated_at, origin)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    span.id, span.document_id, aid, span.start, span.end, span.label,
                    check_note(span.note), span.scheme_version, span.created_at, span.updated_at,
                    span.origin,
                ),
            )  # fmt: skip
        return span

    def span(self, span_id: int) -> Span:
        row = self._one(SPAN_SQL + " WHERE s.id = ?", [span_id])
        if row is None:
            raise NotFoundError(f"unknown span {span_id!r}")
        return Span(*row)

    def spans(self, doc_id: int, coder: str | None = None) -> list[Span]:
        """Spans of a document (one coder's, or everyone's), ordered by position."""
        if coder is None:
            rows = self.conn.execute(
                SPAN_SQL + " WHERE s.document_id = ? ORDER BY s.start, s.end, s.id",
                (doc_id,),
            )
        else:
            rows = self.conn.execute(
                SPAN_SQL + " WHERE s.document_id = ? AND a.name = ? ORDER BY s.start, s.end, s.id",
                (doc_id, lookup_name(coder)),
            )
        return [Span(*r) for r in rows]

    def _update_span(
        self, span_id: int, sets: str, params: tuple[Any, ...], label: str | None = None
    ) -> Span:
        """``label``: the label the update writes, checked again if the scheme changed
        meanwhile (see :meth:`_scheme_moved_on`)."""
        self.span(span_id)  # raises NotFoundError for an unknown id
        stamp = now()
        with self._write() as c:
            if self._scheme_moved_on(c) and label is not None:
                self._check_label(label)
            # a person has looked at the span again: a correction's flag is done with
            c.execute("DELETE FROM span_flags WHERE span_id = ?", (span_id,))
            c.execute(
                f"UPDATE spans SET {sets}, updated_at = ? WHERE id = ?", (*params, stamp, span_id)
            )
        return self.span(span_id)

    def relabel_span(self, span_id: int, label: str, *, origin: str | None = None) -> Span:
        """Change a span's label. ``origin``: what to record (undo puts the old one back);
        by default an accepted suggestion becomes ``edited:<source>``."""
        self._check_label(label)
        old = self.span(span_id)
        new_origin = _changed_origin(old.origin, origin, old.label != label)
        return self._update_span(
            span_id,
            "label = ?, scheme_version = ?, origin = ?",
            (label, self.scheme.version, new_origin),
            label,
        )

    def set_span_note(self, span_id: int, note: str) -> Span:
        return self._update_span(span_id, "note = ?", (check_note(note),))

    def move_span(self, span_id: int, start: int, end: int, *, origin: str | None = None) -> Span:
        """Change a span's boundaries (``origin`` as for :meth:`relabel_span`)."""
        old = self.span(span_id)
        self._check_range(old.document_id, start, end)
        moved = (old.start, old.end) != (start, end)
        new_origin = _changed_origin(old.origin, origin, moved)
        return self._update_span(
            span_id, "start = ?, end = ?, origin = ?", (start, end, new_origin)
        )

    def delete_span(self, span_id: int) -> Span:
        """Delete a span and return it (so it can be restored)."""
        old = self.span(span_id)
        with self._write() as c:
            c.execute("DELETE FROM spans WHERE id = ?", (span_id,))
        return old

    # -- document labels --------------------------------------------------------

    def set_doc_label(
        self,
        doc_id: int,
        coder: str,
        field: str,
        value: str | Iterable[str] | None,
        *,
        at: str | None = None,
        origin: str | None = None,
    ) -> DocLabel | None:
        """Set (or with ``None`` clear) a document field for one coder.

        ``single`` fields take one option; ``multi`` fields take any subset of options
        (stored in scheme order; an empty list records "none of them"). ``at``: when,
        if not now (as for :meth:`add_span`). ``origin``: what to record; by default a
        person's change, which is ``manual``, or ``edited:<source>`` when it changes the
        value of an accepted suggestion.
        """
        self._text_length(doc_id)
        self._refuse_gold(lookup_name(coder))
        stored = field_value(self.scheme, field, value)
        if origin is not None:
            _check_origin(origin)
        stamp = now() if at is None else stamp_or_now(at)
        version = self.scheme.version
        with self._write() as c:
            if self._scheme_moved_on(c):
                stored = field_value(self.scheme, field, value)
                version = self.scheme.version
            aid = self._coder_id(coder, create=True)
            if stored is None:
                c.execute(
                    "DELETE FROM doc_labels WHERE document_id = ? AND annotator_id = ? AND field = ?",
                    (doc_id, aid, field),
                )
            else:
                if origin is None:
                    row = c.execute(
                        "SELECT value, origin FROM doc_labels WHERE document_id = ?"
                        " AND annotator_id = ? AND field = ?",
                        (doc_id, aid, field),
                    ).fetchone()
                    origin = MANUAL
                    if row is not None:
                        origin = _changed_origin(row[1], None, row[0] != value_json(stored))
                c.execute(
                    "INSERT INTO doc_labels (document_id, annotator_id, field, value,"
                    " scheme_version, updated_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (document_id, annotator_id, field) DO UPDATE SET"
                    " value = excluded.value, scheme_version = excluded.scheme_version,"
                    " updated_at = excluded.updated_at, origin = excluded.origin",
                    (doc_id, aid, field, value_json(stored), version, stamp, origin),
                )
                self._touch_status(c, doc_id, aid, stamp)
        if stored is None:
            return None
        return DocLabel(doc_id, coder, field, stored, version, stamp, origin or MANUAL)

    def doc_labels(self, doc_id: int, coder: str) -> dict[str, str | tuple[str, ...]]:
        """``{field: value}`` of one coder for one document."""
        rows = self.conn.execute(
            "SELECT l.field, l.value FROM doc_labels l JOIN annotators a ON a.id = l.annotator_id"
            " WHERE l.document_id = ? AND a.name = ?",
            (doc_id, lookup_name(coder)),
        )
        return {f: value_from_json(v) for f, v in rows}

    def all_doc_labels(self, doc_id: int) -> list[DocLabel]:
        rows = self.conn.execute(
            "SELECT l.document_id, a.name, l.field, l.value, l.scheme_version, l.updated_at,"
            " l.origin FROM doc_labels l JOIN annotators a ON a.id = l.annotator_id"
            " WHERE l.document_id = ? ORDER BY a.name, l.field",
            (doc_id,),
        )
        return [DocLabel(d, a, f, value_from_json(v), sv, u, o) for d, a, f, v, sv, u, o in rows]

    # -- document memos ---------------------------------------------------------

    def memo(self, doc_id: int, coder: str) -> str:
        """One coder's memo on a document ("why I chose this dominant frame"); "" if none."""
        self._text_length(doc_id)
        row = self._one(
            "SELECT m.text FROM memos m JOIN annotators a ON a.id = m.annotator_id"
            " WHERE m.document_id = ? AND a.name = ?",
            (doc_id, lookup_name(coder)),
        )
        return row[0] if row else ""

    def memos(self, doc_id: int) -> dict[str, str]:
        """``{coder: memo}`` of every coder (gold included) with a memo on a document."""
        return {name: text for name, (text, _at) in self.memo_rows(doc_id).items()}

    def memo_rows(self, doc_id: int) -> dict[str, tuple[str, str]]:
        """``{coder: (memo, updated_at)}`` of a document, by coder name."""
        self._text_length(doc_id)
        rows = self.conn.execute(
            "SELECT a.name, m.text, coalesce(m.updated_at, '') FROM memos m"
            " JOIN annotators a ON a.id = m.annotator_id WHERE m.document_id = ?"
            " ORDER BY a.name",
            (doc_id,),
        )
        out = {}
        for name, text, at in rows:
            if not isinstance(text, str):  # another tool's row (merge reads other files)
                raise ValidationError(f"document {doc_id}: {name}'s memo is not text")
            if text.strip():
                out[name] = (text, at)
        return out

    def set_memo(self, doc_id: int, coder: str, text: str, *, at: str | None = None) -> None:
        """Set one coder's memo on a document; empty or whitespace-only text removes it.
        The text is kept exactly as given (line breaks included). A memo is commentary:
        it does not move the coder's status. ``at``: when, if not now (as for
        :meth:`add_span`)."""
        text = check_note(text, "memo")
        self._text_length(doc_id)
        name = lookup_name(coder)
        self._refuse_gold(name)
        with self._write() as c:
            if not text.strip():
                aid = self._maybe_coder_id(name)
                c.execute(
                    "DELETE FROM memos WHERE document_id = ? AND annotator_id = ?", (doc_id, aid)
                )
                return
            aid = self._coder_id(coder, create=True)
            c.execute(
                "INSERT INTO memos (document_id, annotator_id, text, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (document_id, annotator_id) DO UPDATE SET"
                " text = excluded.text, updated_at = excluded.updated_at"
                " WHERE text != excluded.text",
                (doc_id, aid, text, now() if at is None else stamp_or_now(at)),
            )

    # -- status -----------------------------------------------------------------

    def _touch_status(self, c: sqlite3.Connection, doc_id: int, aid: int, stamp: str) -> None:
        """A first label moves a document from 'new' to 'in_progress' (once per session)."""
        if (doc_id, aid) in self._started:
            return
        c.execute(
            "INSERT INTO status (document_id, annotator_id, state, seconds_spent, updated_at)"
            " VALUES (?, ?, 'in_progress', 0, ?) ON CONFLICT (document_id, annotator_id)"
            " DO UPDATE SET state = 'in_progress', updated_at = excluded.updated_at"
            " WHERE state = 'new'",
            (doc_id, aid, stamp),
        )
        self._started.add((doc_id, aid))

    def status(self, doc_id: int, coder: str) -> str:
        self._text_length(doc_id)
        row = self._one(
            "SELECT st.state FROM status st JOIN annotators a ON a.id = st.annotator_id"
            " WHERE st.document_id = ? AND a.name = ?",
            (doc_id, lookup_name(coder)),
        )
        return row[0] if row else "new"

    def set_status(self, doc_id: int, coder: str, state: str) -> None:
        if state not in STATES:
            raise ValidationError(f"status must be one of {', '.join(STATES)}, got {state!r}")
        self._text_length(doc_id)
        stamp = now()
        with self._write() as c:
            aid = self._coder_id(coder, create=True)
            c.execute(
                "INSERT INTO status (document_id, annotator_id, state, seconds_spent, updated_at,"
                " first_done_at) VALUES (?, ?, ?, 0, ?, ?)"
                " ON CONFLICT (document_id, annotator_id) DO UPDATE SET"
                " state = excluded.state, updated_at = excluded.updated_at,"
                " first_done_at = coalesce(status.first_done_at, excluded.first_done_at)",
                (doc_id, aid, state, stamp, stamp if state == "done" else None),
            )
            self._started.discard((doc_id, aid))

    def add_time(self, doc_id: int, coder: str, seconds: float) -> None:
        """Add coding time to a document (for reporting effort per article)."""
        if not seconds or seconds < 0:
            return
        self._text_length(doc_id)
        stamp = now()
        with self._write() as c:
            aid = self._coder_id(coder, create=True)
            c.execute(
                "INSERT INTO status (document_id, annotator_id, state, seconds_spent, updated_at)"
                " VALUES (?, ?, 'new', ?, ?) ON CONFLICT (document_id, annotator_id) DO UPDATE SET"
                " seconds_spent = seconds_spent + excluded.seconds_spent",
                (doc_id, aid, float(seconds), stamp),
            )

    def statuses(self, doc_id: int) -> dict[str, tuple[str, float]]:
        """``{coder: (state, seconds_spent)}`` for one document."""
        rows = self.conn.execute(
            "SELECT a.name, st.state, st.seconds_spent FROM status st"
            " JOIN annotators a ON a.id = st.annotator_id WHERE st.document_id = ?",
            (doc_id,),
        )
        return {name: (state, secs or 0.0) for name, state, secs in rows}

    def status_times(self, doc_id: int) -> dict[str, str]:
        """``{coder: when their status last changed}`` for one document ('' if unknown)."""
        rows = self.conn.execute(
            "SELECT a.name, coalesce(st.updated_at, '') FROM status st"
            " JOIN annotators a ON a.id = st.annotator_id WHERE st.document_id = ?",
            (doc_id,),
        )
        return {name: at if isinstance(at, str) else "" for name, at in rows}

    def merge_status(
        self, doc_id: int, coder: str, state: str, seconds: float, *, at: str | None = None
    ) -> None:
        """Keep the further state (new < in_progress < done) and the larger time spent.
        ``at``: when the other copy's status changed, if not now (a merge keeps the time
        of the coder's file); the later of it and the stored time is kept."""
        if state not in STATES:
            raise ValidationError(f"status must be one of {', '.join(STATES)}, got {state!r}")
        old_state, old_secs = self.statuses(doc_id).get(coder, ("new", 0.0))
        new_state = max(old_state, state, key=STATES.index)
        new_secs = max(old_secs, float(seconds or 0.0))
        if (new_state, new_secs) == (old_state, old_secs):
            return
        with self._write() as c:
            aid = self._coder_id(coder, create=True)
            c.execute(
                "INSERT INTO status (document_id, annotator_id, state, seconds_spent, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (document_id, annotator_id) DO UPDATE SET"
                " state = excluded.state, seconds_spent = excluded.seconds_spent,"
                " updated_at = max(coalesce(updated_at, ''), excluded.updated_at)",
                (doc_id, aid, new_state, new_secs, now() if at is None else stamp_or_now(at)),
            )

    def delete_coder_labels(
        self,
        coder: str,
        doc_ids: Iterable[int],
        *,
        keep_spans: Collection[int] = (),
        keep_fields: Collection[tuple[int, str]] = (),
    ) -> tuple[int, int]:
        """Delete one coder's spans and document field values on these documents (all or
        nothing), except the span ids in ``keep_spans`` and the ``(document, field)`` values
        in ``keep_fields``; returns ``(spans deleted, field values deleted)``. Status and
        time are left as they are; other coders, gold and other documents are untouched.
        A coder this database does not know has nothing to delete."""
        name = lookup_name(coder)
        self._refuse_gold(name)
        aid = self._maybe_coder_id(name)
        if aid < 0:
            return 0, 0
        with self._write() as c:
            return coder_labels.delete_coder_labels(c, aid, doc_ids, keep_spans, keep_fields)

    def replace_status(self, doc_id: int, coder: str, state: str, seconds: float) -> None:
        """Set a coder's status and time spent on a document to exactly these (unlike
        :meth:`merge_status`, which never goes back)."""
        if state not in STATES:
            raise ValidationError(f"status must be one of {', '.join(STATES)}, got {state!r}")
        if not seconds >= 0:
            raise ValidationError(f"time spent must be >= 0 seconds, got {seconds!r}")
        self._text_length(doc_id)
        with self._write() as c:
            aid = self._coder_id(coder, create=True)
            coder_labels.replace_status(c, doc_id, aid, state, seconds, now())
            self._started.discard((doc_id, aid))

    def progress(self, coder: str) -> Progress:
        total = self.document_count()
        counts = dict.fromkeys(STATES, 0)
        aid = self._maybe_coder_id(coder)
        for state, n in self.conn.execute(
            "SELECT state, count(*) FROM status WHERE annotator_id = ? GROUP BY state", (aid,)
        ):
            counts[state] = n
        counts["new"] = total - counts["in_progress"] - counts["done"]
        return Progress(lookup_name(coder), total, **counts)

    def _maybe_coder_id(self, coder: str | None) -> int:
        if coder is None:
            return -1
        try:
            return self._coder_id(coder, create=False)
        except NotFoundError:
            return -1

    # -- the design of a study (annotator.store.study) ---------------------------------

    def create_round(self, name: str, seed: int | None, design: dict[str, Any]) -> None:
        """Record a new round (``pilot``, ``main``) with the seed and the description of
        how it was drawn; ValidationError if the name is taken or not a valid name."""
        from . import study

        with self._write() as c:
            study.create_round(c, name, seed, design, now())

    def rounds(self) -> list[Round]:
        """Every round, in the order they were created."""
        from . import study

        return study.rounds(self.conn)

    def get_round(self, name: str) -> Round:
        """One round; NotFoundError naming the known rounds if there is none so named."""
        from . import study

        study.round_id(self.conn, name)
        return next(r for r in study.rounds(self.conn) if r.name == name)

    def current_round(self) -> str | None:
        """The round a coder's window shows: the one a pack was made for, else the round
        created last; None when this database has no rounds."""
        from . import queue_queries

        return queue_queries.current_round(self.conn)

    def add_assignments(self, round: str, rows: Iterable[tuple[str, int, bool | None, int]]) -> int:
        """Assign documents in a round: ``(coder, document id, reliability, position)``
        rows, all or nothing; new coders are registered. A document or a queue position
        given twice to one coder in the round is refused. Returns the number of rows."""
        from . import study

        with self._write() as c:
            rid = study.round_id(c, round)
            ids: dict[str, int] = {}

            def coder_id(name: str) -> int:
                if name not in ids:
                    self._refuse_gold(lookup_name(name))
                    known = self.coders()  # a coder the database has keeps their name
                    ids[name] = self._coder_id(check_coder_name(name, known), create=True)
                return ids[name]

            return study.add_assignments(
                c, rid, ((coder_id(n), d, r, p) for n, d, r, p in rows), now()
            )

    def assignments(self, round: str | None = None, coder: str | None = None) -> list[Assignment]:
        """Assignments (of one round, of one coder, or all), by round, coder, position."""
        from . import study

        rid = None if round is None else study.round_id(self.conn, round)
        aid = None if coder is None else self._maybe_coder_id(coder)
        return study.assignments(self.conn, rid, aid)

    def queue(self, coder: str, round: str) -> list[int]:
        """The documents of ``coder`` in ``round``, in their queue order (empty if none)."""
        from . import study

        return study.queue(self.conn, study.round_id(self.conn, round), self._maybe_coder_id(coder))

    def round_coders(self, round: str) -> list[str]:
        """The coders with assignments in ``round``, sorted."""
        from . import study

        return study.round_coders(self.conn, study.round_id(self.conn, round))

    def assigned_documents(self, round: str | None = None) -> set[int]:
        """The documents assigned to anyone in ``round`` (in any round when None)."""
        from . import study

        rid = None if round is None else study.round_id(self.conn, round)
        return study.assigned_documents(self.conn, rid)

    def reliability_documents(self, round: str | None = None) -> list[int]:
        """The documents of the reliability sample of ``round`` (of any round when None),
        sorted; never shown in a coder's window."""
        from . import study

        rid = None if round is None else study.round_id(self.conn, round)
        return study.reliability_documents(self.conn, rid)

    def setting(self, key: str) -> str | None:
        """A setting of this file (``file_settings``), or None."""
        from . import study

        return study.setting(self.conn, key)

    def set_setting(self, key: str, value: str | None) -> None:
        """Set (or with None remove) a setting of this file."""
        from . import study

        with self._write() as c:
            study.set_setting(c, key, value)

    # -- how far a round is (annotator.store.progress_queries) -------------------------

    def round_progress(self, round: str) -> tuple[list[CoderCounts], float | None]:
        """Per coder assigned in ``round`` (sorted): assigned, coded, done, reliability
        counts, median seconds per coded document and first/last activity; and the median
        over all coders. NotFoundError for an unknown round. A few queries, however large."""
        from . import progress_queries, study

        return progress_queries.round_progress(self.conn, study.round_id(self.conn, round))

    def write_pack(
        self, path: Path, coder: str, round: str | None, pack_round: str, with_labels: bool
    ) -> Any:
        """Fill ``path`` (a new, empty file) with ``coder``'s pack for ``round`` (every
        round when None), recording ``pack_round`` as its round; returns the counts
        (:class:`annotator.store.pack.PackCounts`). See :mod:`annotator.store.pack`."""
        from . import pack, study

        if self.readonly:  # its file would be attached read-only too
            raise AnnotatorError(f"{self.path}: opened read-only; a pack needs it opened to write")
        rid = None if round is None else study.round_id(self.conn, round)
        aid = self._coder_id(coder, create=False)
        return pack.write_pack(self.conn, path, aid, rid, coder, pack_round, with_labels)

    # -- the coder's queue in the window (annotator.store.queue_queries) -------------

    def coder_queue(self, coder: str) -> tuple[str, list[int]] | None:
        """The current round (``current_round``) and ``coder``'s documents in it in queue
        order (empty if none), in one query; None when this database has no rounds.
        Loads no study module: the window asks it of every database it opens."""
        from . import queue_queries

        return queue_queries.coder_queue(self.conn, self._maybe_coder_id(coder))

    def pack_coder(self) -> str | None:
        """The coder this file was packed for (the ``PACK_CODER`` setting), or None."""
        from . import queue_queries

        return queue_queries.pack_coder(self.conn)

    # -- the article list's filters (annotator.store.filter_queries) ----------------

    def filter_documents(
        self,
        *,
        status: tuple[str, str] | None = None,
        label: tuple[str | None, str, bool] | None = None,
        field: tuple[str | None, str, str | None] | None = None,
        coded_by: str | None = None,
        among: Collection[int] | None = None,
    ) -> list[int]:
        """Ids (sorted) of the documents passing every condition given, in one query; a
        coder of ``None`` is any coder but gold (see
        :func:`annotator.store.filter_queries.filter_documents`)."""
        from . import filter_queries

        def aid(coder: str | None) -> int | None:
            return None if coder is None else self._maybe_coder_id(coder)

        return filter_queries.filter_documents(
            self.conn,
            gold=self._maybe_coder_id(GOLD),
            status=None if status is None else (self._maybe_coder_id(status[0]), status[1]),
            label=None if label is None else (aid(label[0]), label[1], label[2]),
            field=None if field is None else (aid(field[0]), field[1], field[2]),
            coded_by=None if coded_by is None else self._maybe_coder_id(coded_by),
            among=among,
        )

    # -- reports (annotator.store.queries) ------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts for ``annotator stats``: documents, coders, spans per label, done per coder."""
        return queries.stats(self)

    def iter_labelled(
        self, coder: str | None = None, include_unlabelled: bool = False
    ) -> Iterator[queries.Labelled]:
        """Stream ``(document, (token starts, token ends), coder, spans, doc_labels)``
        (see :func:`annotator.store.queries.iter_labelled`)."""
        return queries.iter_labelled(self, coder, include_unlabelled)

    def iter_coding(self, documents: Collection[int] | None = None) -> Iterator[queries.Coding]:
        """Every document (or only those of ``documents``) with what the coders did on
        it, streamed (see :func:`annotator.store.queries.iter_coding`)."""
        return queries.iter_coding(self, documents)

    def span_labels(self) -> list[str]:
        """Every label a stored span has (any coder, any scheme version), sorted."""
        return queries.span_labels(self)

    def word_tokens(self, doc_id: int) -> tuple[list[int], list[int]]:
        """Starts and ends of a document's tokens that are not whitespace, in stored order
        (the units of token-level agreement)."""
        return queries.word_tokens(self, doc_id)

    # -- suggestions (annotator.store.suggestions; issue 15) ------------------------

    def replace_suggestions(
        self,
        source: str,
        doc_ids: Iterable[int],
        spans: Iterable[tuple[int, int, int, str, float | None]],
        labels: Iterable[tuple[int, str, str | Iterable[str], float | None]] = (),
        trained_on: Collection[int] = (),
    ) -> tuple[int, int]:
        """Replace ``source``'s suggestions on ``doc_ids`` with ``spans`` (``(document,
        start, end, label, score)``) and ``labels`` (``(document, field, value,
        score)``), in one transaction; every row is checked first (document, offsets,
        label or field value of the scheme, score in [0, 1]), and nothing is written if
        one is wrong. ``trained_on``: the documents of ``doc_ids`` the source's model was
        trained on (:meth:`trained_on` gives them back; agreement leaves them out of the
        source's comparisons). Returns ``(spans, labels)`` stored. Refused in a coder's
        pack (blind first: it does not know its reliability documents)."""
        from . import suggestions

        packed_for = self.pack_coder()
        if packed_for is not None:  # blind first: it cannot keep them off the sample
            raise ValidationError(
                f"{self.path}: this is {packed_for}'s coder's pack, which does not know"
                " which of its documents are coded blind (the reliability sample):"
                " suggestions are made in the lead's database and come with the pack"
            )

        def check_span(doc_id: int, start: int, end: int, label: str) -> None:
            self._check_range(doc_id, start, end)
            self._check_label(label)

        def check_value(
            doc_id: int, field: str, value: str | Iterable[str]
        ) -> str | tuple[str, ...] | None:
            self._text_length(doc_id)
            return field_value(self.scheme, field, value)

        span_rows, label_rows = suggestions.checked_rows(
            source, spans, labels, check_span, check_value
        )
        docs = list(doc_ids)
        for doc_id in docs:
            self._text_length(doc_id)
        with self._write() as c:
            suggestions.replace(c, source, docs, span_rows, label_rows, set(trained_on))
        return len(span_rows), len(label_rows)

    def trained_on(self, source: str) -> set[int]:
        """The documents ``source`` suggested on that its model was trained on (recorded
        by ``annotator suggest --model``; empty for other sources)."""
        return self.training(source).get(source, set())

    def training(self, source: str | None = None) -> dict[str, set[int]]:
        """``{source: its documents of`` :meth:`trained_on` ``}``, for one source or all."""
        from . import suggestions

        return suggestions.training(self.conn, source)

    def earlier_text_hashes(self, doc_ids: Iterable[int]) -> dict[int, set[str]]:
        """The SHA-256 of the earlier texts of the documents of ``doc_ids`` (those that
        ``import --update`` replaced; documents never corrected are not keys)."""
        out: dict[int, set[str]] = {}
        sql = "SELECT document_id, sha256 FROM document_texts WHERE document_id IN ({})"
        for doc_id, sha in rows_in(self.conn, sql, doc_ids):
            out.setdefault(doc_id, set()).add(sha)
        return out

    def suggestions(self, doc_id: int, source: str | None = None) -> list[Suggestion]:
        """A document's suggested spans (one source's, or all), by position."""
        from . import suggestions

        return suggestions.spans_of(self.conn, doc_id, source)

    def suggested_labels(self, doc_id: int, source: str | None = None) -> list[SuggestedLabel]:
        """A document's suggested field values (one source's, or all), by source, field."""
        from . import suggestions

        return suggestions.labels_of(self.conn, doc_id, source)

    def suggestion_sources(self) -> list[tuple[str, int, int]]:
        """Every source with suggestions stored: ``(source, spans, field values)``; a
        source that suggested nothing on the documents its model was trained on (only its
        :meth:`training` is stored) is listed with none."""
        from . import suggestions

        return suggestions.sources(self.conn)

    def iter_suggestions(
        self, source: str | None = None
    ) -> Iterator[tuple[int, list[Suggestion], list[SuggestedLabel]]]:
        """Stream ``(document, spans, field values)`` of the suggestion layer by
        document id (documents with none are skipped, unless a source's model was
        trained on them: :meth:`training`)."""
        from . import suggestions

        return suggestions.iter_layer(self.conn, source)

    def delete_suggestions(self, source: str) -> int:
        """Remove everything ``source`` suggested (and the rejections of it)."""
        from . import suggestions

        with self._write() as c:
            return suggestions.delete_source(c, source)

    def reject_suggestion(self, doc_id: int, coder: str, source: str, target: str) -> None:
        """Record that ``coder`` rejected ``source``'s suggestion ``target`` (its
        ``Suggestion.target`` / ``SuggestedLabel.target``) on the document."""
        from . import suggestions

        self._text_length(doc_id)
        with self._write() as c:
            aid = self._coder_id(coder, create=True)
            suggestions.reject(c, doc_id, aid, source, target, now())

    def unreject_suggestion(self, doc_id: int, coder: str, source: str, target: str) -> None:
        """Take a rejection back (undo)."""
        from . import suggestions

        with self._write() as c:
            aid = self._coder_id(coder, create=True)
            suggestions.unreject(c, doc_id, aid, source, target)

    def rejected_suggestions(self, doc_id: int, coder: str) -> set[tuple[str, str]]:
        """``(source, target)`` of every suggestion ``coder`` rejected on the document."""
        from . import suggestions

        return suggestions.rejected(self.conn, doc_id, lookup_name(coder))

    def done_once(self, doc_id: int, coder: str) -> bool:
        """Whether ``coder`` has ever marked the document done (suggestions shown "after
        the first pass" appear from then on)."""
        row = self._one(
            "SELECT 1 FROM status s JOIN annotators a ON a.id = s.annotator_id"
            " WHERE s.document_id = ? AND a.name = ? AND s.first_done_at IS NOT NULL",
            (doc_id, lookup_name(coder)),
        )
        return row is not None

    # -- texts that change (annotator.store.text_update; issue 16) -------------------

    def documents_to_update(self, meta_id: str | None, source: str) -> list[int]:
        """The stored documents a corrected input may replace (by ``meta.id``, else by
        source, else by a unique file name; see :func:`text_update.matching_documents`)."""
        from . import text_update

        return text_update.matching_documents(self.conn, meta_id, source)

    def text_version(self, doc_id: int) -> int:
        row = self._one("SELECT text_version FROM documents WHERE id = ?", [doc_id])
        if row is None:
            raise NotFoundError(f"unknown document {doc_id!r}")
        return int(row[0])

    def replace_text(
        self,
        doc_id: int,
        new: dict[str, Any],
        carried: Iterable[tuple[int, str, int, int]],
    ) -> int:
        """Replace a document's text in one transaction, keeping the old one and the
        touched spans in the history (:func:`text_update.replace_text`); returns the new
        text version. A text another document already has is refused."""
        from . import text_update

        other = self.document_id_by_hash(new["sha256"])
        if other is not None and other != doc_id:
            raise ValidationError(f"the new text is already stored as document {other}")
        with self._write() as c:
            version = text_update.replace_text(c, doc_id, new, list(carried), now())
        self._forget_caches()
        return version

    def span_history(self, doc_id: int) -> list[HistorySpan]:
        """Every span an update of the document's text moved, changed or lost, as it was."""
        from . import text_update

        return text_update.history(self.conn, doc_id)

    def old_text(self, doc_id: int, version: int) -> str | None:
        """The document's text as it was in ``version`` (None if there is no such old text)."""
        from . import text_update

        return text_update.old_text(self.conn, doc_id, version)

    def flagged_spans(self, doc_id: int) -> dict[int, str]:
        """``{span id: reason}`` of the document's spans a coder should look at again
        (one query, no module loaded: the window reads it whenever it shows spans)."""
        rows = self.conn.execute(
            "SELECT f.span_id, f.reason FROM span_flags f JOIN spans s ON s.id = f.span_id"
            " WHERE s.document_id = ? ORDER BY f.span_id",
            (doc_id,),
        )
        return {i: r for i, r in rows}

    def document_by_old_text(self, sha256: str) -> tuple[int, int] | None:
        """``(document, text version)`` of the one document that had a text with this
        SHA-256 before an update replaced it (None: none, or several had it)."""
        rows = self.conn.execute(
            "SELECT DISTINCT document_id, text_version FROM document_texts WHERE sha256 = ?"
            " ORDER BY document_id, text_version",
            (sha256,),
        ).fetchall()
        if len({r[0] for r in rows}) != 1:
            return None
        return int(rows[-1][0]), int(rows[-1][1])

    def flag_span(self, span_id: int, reason: str) -> None:
        """Mark a span for its coder to look at again (``reason``: one line)."""
        self.span(span_id)  # raises NotFoundError for an unknown id
        with self._write() as c:
            c.execute(
                "INSERT INTO span_flags (span_id, reason, flagged_at) VALUES (?, ?, ?)"
                " ON CONFLICT (span_id) DO UPDATE SET reason = excluded.reason,"
                " flagged_at = excluded.flagged_at",
                (span_id, reason, now()),
            )

    def clear_span_flag(self, span_id: int) -> None:
        with self._write() as c:
            c.execute("DELETE FROM span_flags WHERE span_id = ?", (span_id,))

    def document_pipeline(self, doc_id: int) -> str:
        """The spaCy pipeline the document's text was tokenised with ("" if unknown)."""
        row = self._one("SELECT pipeline FROM documents WHERE id = ?", [doc_id])
        if row is None:
            raise NotFoundError(f"unknown document {doc_id!r}")
        return str(row[0] or "")

    # -- agreement across time (annotator.store.grouping; issue 16) ------------------

    def document_groups(
        self, by: str, coders: Collection[str] | None = None
    ) -> tuple[dict[int, Any], list[Any]]:
        """``({document: group key}, keys in order)`` for ``agreement --by``: ``round``
        (a document's first round), ``scheme-version`` (the newest version among its
        labels; without labels, the version in force when it was marked) or ``week`` (ISO week of its latest coding); ``coders`` narrows whose
        labels count. A document with no key (never coded, in no round) is left out."""
        from . import grouping

        if by not in grouping.GROUPINGS:
            raise ValidationError(
                f"unknown grouping {by!r} (known: {', '.join(grouping.GROUPINGS)})"
            )
        ids = None
        if coders is not None:
            ids = [i for c in coders if (i := self._maybe_coder_id(c)) >= 0]
        keys: dict[int, Any]
        if by == "round":
            keys = dict(grouping.by_round(self.conn))
            order: list[Any] = [r for r in grouping.round_order(self.conn) if r in keys.values()]
        elif by == "scheme-version":
            keys = dict(grouping.by_scheme_version(self.conn, ids))
            order = sorted(set(keys.values()))
        else:
            keys = dict(grouping.by_week(self.conn, ids))
            order = sorted(set(keys.values()))
        return keys, order

    def scheme_history(self) -> list[tuple[int, str]]:
        """``(version, recorded at)`` of every scheme version, oldest first."""
        from . import grouping

        return grouping.scheme_changes(self.conn)

    # -- suggest (annotator.store.suggest_inputs; issue 15, engineer sg) -----------------

    def documents_to_suggest(
        self, doc_ids: Sequence[int]
    ) -> list[tuple[int, str, str, tuple[int, ...], tuple[int, ...], tuple[int, ...]]]:
        """``(id, text, pipeline, token starts, token ends, sentence starts)`` of each
        document of ``doc_ids`` (what ``annotator suggest`` reads), in that order."""
        from . import suggest_inputs

        return suggest_inputs.documents_to_suggest(self.conn, doc_ids)

    # -- training data (annotator.store.training_data; issue 15, branch tr) -----------

    def document_pipelines(self) -> dict[str, int]:
        """``{spaCy pipeline: documents tokenised with it}``, most used first."""
        from . import training_data

        return training_data.document_pipelines(self.conn)

    # -- codebook (issue 16) ------------------------------------------------------

    def change_codebook(
        self,
        scheme: Scheme,
        op: str,
        args: dict[str, Any],
        who: str,
        *,
        labels: Mapping[str, str],
        fields: Mapping[str, str],
        options: Mapping[str, Mapping[str, str]],
        split: Mapping[str, Sequence[str]],
        drop_suggestions: Collection[str],
        base_version: int,
    ) -> ChangeEffect:
        """Record ``scheme`` (a new version) with its changelog entry and apply the change
        to every stored row (spans, document labels, gold, suggestions, rejections) in one
        transaction: all of it, or nothing. See :func:`codebook.apply_change`.
        ``base_version``: the version the change was worked out from; if another process
        recorded a newer one meanwhile, nothing is written."""
        from . import codebook

        order = {f.name: f.options for f in scheme.doc_fields if f.kind == "multi"}
        with self._write() as c:
            current = self.scheme_versions()[-1]
            if current != base_version:
                raise ValidationError(
                    f"the scheme changed meanwhile (now v{current}, this change was made"
                    f" from v{base_version}); nothing was changed, run it again"
                )
            self.record_scheme(scheme)
            effect = codebook.apply_change(
                c, version=scheme.version, op=op, args=args, who=who, at=now(),
                labels=labels, fields=fields, options=options, order=order, split=split,
                drop_suggestions=drop_suggestions,
                retired=[lab.name for lab in scheme.span_labels if lab.retired],
            )  # fmt: skip
        self._scheme = None
        return effect

    def scheme_rows(self) -> list[tuple[int, str, str]]:
        """Every recorded scheme version: ``(version, name, recorded at)``, oldest first."""
        return [
            (v, n, at or "")
            for v, n, at in self.conn.execute(
                "SELECT version, name, created_at FROM schemes ORDER BY version"
            )
        ]

    def scheme_changes(self) -> list[SchemeChange]:
        """The changelog of the codebook, oldest first."""
        from . import codebook

        return codebook.changes(self.conn)

    def recode_worklist(self, coder: str | None = None) -> list[RecodeItem]:
        """Spans still carrying a split label (one coder's, or everyone's)."""
        from . import codebook

        return codebook.worklist(self.conn, None if coder is None else lookup_name(coder))

    def split_labels(self) -> dict[str, tuple[str, ...]]:
        """Each split label still recorded, with the labels it was split into."""
        from . import codebook

        return codebook.split_labels(self.conn)

    def stored_names(self) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        """Span labels in use (with counts) and, per field in use, its options in use."""
        from . import codebook

        return codebook.used_names(self.conn)

    def label_history(
        self, *, span_id: int | None = None, document_id: int | None = None
    ) -> list[HistoryEntry]:
        """What a span's label (or every label of a document) was before codebook changes."""
        from . import codebook

        if (span_id is None) == (document_id is None):
            raise ValidationError("give a span or a document")
        return codebook.history(self.conn, span_id=span_id, document_id=document_id)


if TYPE_CHECKING:  # codebook (issue 16): its records, loaded with its first use
    from collections.abc import Mapping, Sequence

    from .codebook import ChangeEffect, HistoryEntry, RecodeItem, SchemeChange
