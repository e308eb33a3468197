"""The only module that touches SQLite.

One database file holds the documents (with their spaCy token offsets), the
annotators, the scheme versions, and every coder's spans, document labels and
per-document status. The schema is created and upgraded by ``sqlite_utils``
migrations. Every mutating method is a single ``BEGIN IMMEDIATE`` transaction
with ``synchronous=FULL``: when it returns, the change is on disk. Invalid calls
raise :class:`~annotator.errors.ValidationError` and write nothing.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import shutil
import sqlite3
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import cache
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import jsonsafe
from .errors import (
    AnnotatorError,
    DatabaseBusyError,
    DatabaseFullError,
    DatabaseReadOnlyError,
    NeedsUpgradeError,
    NotFoundError,
    ValidationError,
    WriteFailedError,
)
from .models import (
    STATES,
    DocLabel,
    Document,
    DocumentSummary,
    Progress,
    Span,
    StoredDocument,
    Tokenization,
)
from .packing import pack, unpack
from .scheme import Scheme, load_scheme, parse_scheme

BUSY_TIMEOUT_S = 10.0
MAX_NAME_LEN = 100

if TYPE_CHECKING:  # sqlite-utils is imported only when the schema has to change
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "annotator"
SIDECARS = ("-wal", "-shm", "-journal")  # the files SQLite keeps beside a database


def m001_initial(db: sqlite_utils.Database) -> None:
    db["schemes"].create(
        {"version": int, "name": str, "toml": str, "created_at": str},
        pk="version",
        not_null={"name", "toml"},
    )
    db["documents"].create(
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
    db["documents"].create_index(["sha256"], unique=True)
    db["annotators"].create({"id": int, "name": str, "created_at": str}, pk="id", not_null={"name"})
    db["annotators"].create_index(["name"], unique=True)
    db["spans"].create(
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
    db["spans"].create_index(["document_id", "annotator_id"])
    db["doc_labels"].create(
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
    db["status"].create(
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
    db["documents"].transform(types={"tokens": bytes, "sentences": bytes})


# In order; a new schema change is a new function appended here, never an edit of an old one.
MIGRATIONS = (m001_initial, m002_gold_provenance, m003_gold_rejections, m004_binary_offsets)


@cache
def migrations() -> Migrations:
    """The schema's sqlite-utils migration set (built on first need: importing sqlite-utils
    costs half a second, which start-up should not pay when the schema is current)."""
    from sqlite_utils.migrations import Migrations

    m = Migrations(MIGRATION_SET)
    for fn in MIGRATIONS:
        m()(fn)
    return m


@contextmanager
def read_snapshot(path: str | Path) -> Iterator[Store]:
    """Open another database for reading without ever writing to it or beside it.

    A cleanly closed file (no -wal, -shm or -journal beside it: the usual coder's file)
    is read as it is on disk (``immutable``): SQLite creates no -wal/-shm next to it. A
    file with such companions (a program has it open, or one was killed) is copied,
    companions included, into a temporary folder and the copy is read, so the WAL's
    committed content is seen and nothing is added beside the original. One made by
    an older version (migrations pending) is likewise copied and the copy upgraded: the
    original is left as it was. A file that is not an annotator database (or has no
    scheme) is refused, never given a schema.
    """
    path = Path(path)
    # SQLite names the companions after the resolved path (a symlink's -wal is its target's)
    real = Path(os.path.realpath(path))
    companions = [s for s in SIDECARS if Path(f"{real}{s}").exists()]
    if not companions:
        try:
            store = Store(path, readonly=True, immutable=True)
        except NeedsUpgradeError:
            store = None
        if store is not None:
            with store:
                yield store
            return
    with tempfile.TemporaryDirectory(prefix="annotator-snapshot-") as tmp:
        copy = Path(tmp) / path.name
        live = "-wal" in companions and "-shm" in companions and _backup_live(real, copy)
        if live:  # a consistent snapshot taken by SQLite itself, WAL included
            src = sqlite3.connect(copy)
        elif companions:
            try:
                shutil.copyfile(real, copy)
                for suffix in companions:
                    if suffix != "-shm":  # rebuilt from the WAL by SQLite
                        shutil.copyfile(f"{real}{suffix}", f"{copy}{suffix}")
            except FileNotFoundError:
                if not path.exists():
                    raise AnnotatorError(f"{path}: no such database") from None
                # a companion went away while copying: the writer closed it
                Path(f"{copy}-wal").unlink(missing_ok=True)
                Path(f"{copy}-journal").unlink(missing_ok=True)
            except OSError as e:
                raise AnnotatorError(f"{path}: cannot read ({e.strerror})") from None
            src = sqlite3.connect(copy)
        else:
            src = sqlite3.connect(path.resolve().as_uri() + "?immutable=1", uri=True)
        try:
            try:
                _check_older_database(src, path)
            except sqlite3.DatabaseError as e:
                raise AnnotatorError(f"{path}: not a usable SQLite database ({e})") from None
            except UnicodeDecodeError:
                raise AnnotatorError(_damaged(path)) from None
            if not companions:
                dst = sqlite3.connect(copy)
                try:
                    src.backup(dst)
                finally:
                    dst.close()
        finally:
            src.close()
        Store(copy).close()  # applies the pending migrations to the copy
        with Store(copy, readonly=True) as snapshot:
            yield snapshot


def _backup_live(real: Path, copy: Path) -> bool:
    """Copy a database another program has open in WAL mode (its -wal and -shm exist) with
    SQLite's backup API through a read-only connection: one read transaction, so a
    checkpoint by the writer between copying the file and copying its WAL cannot tear the
    snapshot. Nothing new is created beside it (the -wal and -shm are already there).
    False when SQLite cannot read it that way; the caller then copies the files."""
    try:
        src = sqlite3.connect(real.as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return False
    try:
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error:
        copy.unlink(missing_ok=True)
        return False
    finally:
        src.close()
    return True


def _check_older_database(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse to upgrade a file that an earlier annotator did not make, or one without a
    scheme (upgrading would give it the default scheme)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    made = has_scheme = None
    if "_sqlite_migrations" in tables:
        made = conn.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? AND name = ?",
            (MIGRATION_SET, MIGRATIONS[0].__name__),
        ).fetchone()
    if made and "schemes" in tables:
        has_scheme = conn.execute("SELECT 1 FROM schemes LIMIT 1").fetchone()
    if not made:
        raise AnnotatorError(f"{path}: not an annotator database")
    if not has_scheme:
        raise AnnotatorError(f"{path}: database has no scheme")


def _damaged(path: Path) -> str:
    return (
        f"{path}: not a usable SQLite database (it is damaged: its table definitions are"
        " not valid UTF-8 text)"
    )


def _refuse_companion(path: Path) -> None:
    """Refuse the -wal/-shm/-journal of a database as a database: an empty -wal (a
    database open elsewhere, nothing written yet) would otherwise be "a new file" and be
    initialised, writing a whole database into the live write-ahead log."""
    for name in dict.fromkeys((str(path), os.path.realpath(path))):
        for suffix in SIDECARS:
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base and os.path.isfile(base):
                raise AnnotatorError(
                    f"{path}: is the {suffix[1:]} file of the database {base}, not a"
                    " database; give the database itself"
                )


def _refuse_unwritable(path: Path, exists: bool) -> None:
    """A one-line error, before SQLite touches anything, for a database that cannot be
    written: a read-only file, or a folder where its -wal/-shm cannot be created."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AnnotatorError(
            f"{path}: cannot create the database: the folder {folder} does not exist"
        )
    if exists and not os.access(path, os.W_OK):
        raise DatabaseReadOnlyError(
            f"{path}: the database is read-only (the file cannot be written); only commands"
            " that read it work"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        if not exists:
            raise DatabaseReadOnlyError(
                f"{path}: cannot create the database: the folder {folder} is read-only"
            )
        raise DatabaseReadOnlyError(
            f"{path}: the database is read-only (its folder {folder} cannot be written);"
            " only commands that read it work"
        )


def _connect_readonly(path: Path, timeout: float, immutable: bool) -> sqlite3.Connection:
    """A read-only connection. A WAL database in a read-only folder cannot be opened with
    ``mode=ro`` (SQLite cannot create its -shm); when it has no -wal (it was closed
    cleanly, and nobody can write it there) it is read with ``immutable=1``."""
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(
        uri + ("?immutable=1" if immutable else "?mode=ro"), uri=True, timeout=timeout
    )
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as e:
        conn.close()
        folder = path.parent if str(path.parent) else Path(".")
        if immutable or "unable to open" not in str(e) or os.access(folder, os.W_OK):
            raise
        if Path(f"{path}-wal").exists():
            raise
        conn = sqlite3.connect(uri + "?immutable=1", uri=True, timeout=timeout)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def _check_annotator_file(conn: sqlite3.Connection, path: Path) -> bool:
    """Refuse an existing SQLite file that annotator did not make, before anything is
    written to it; returns True if the file is an empty database (nothing in it yet)."""
    objects = conn.execute("SELECT name FROM sqlite_master").fetchall()
    if not objects:
        stamps = conn.execute("PRAGMA user_version").fetchone()[0]
        stamps = stamps or conn.execute("PRAGMA application_id").fetchone()[0]
        if not stamps:
            return True
    made = None
    if ("_sqlite_migrations",) in objects:
        made = conn.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? AND name = ?",
            (MIGRATION_SET, MIGRATIONS[0].__name__),
        ).fetchone()
    if not made:
        raise AnnotatorError(
            f"{path}: not an annotator database (an SQLite file of another program); it was"
            " left unchanged: give a new file name"
        )
    return False


def database_error(path: Path, e: sqlite3.DatabaseError, what: str) -> AnnotatorError:
    """One line for an error SQLite raised while opening or preparing a database."""
    msg = str(e).lower()
    if "locked" in msg or "busy" in msg:
        return DatabaseBusyError(
            f"{path}: the database is busy (another program is writing to it); try again later"
        )
    if "readonly" in msg or "read-only" in msg:
        return DatabaseReadOnlyError(
            f"{path}: the database is read-only; only commands that read it work"
        )
    if "full" in msg or ("disk i/o" in msg and _disk_full(path)):
        return DatabaseFullError(f"{path}: the disk or database is full ({e})")
    return AnnotatorError(f"{path}: {what} ({e})")


def _disk_full(path: Path) -> bool:
    """SQLite reports a -shm it cannot create on a full disk as a disk I/O error."""
    try:
        st = os.statvfs(path.parent if str(path.parent) else ".")
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < 64 * 1024


# The adjudicated layer is stored as the labels of this reserved coder name.
GOLD = "gold"


def now() -> str:
    """UTC timestamp, ISO 8601 with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


# Names the tool gives a meaning of its own: the adjudicated layer, and the file folder
# exports (doccano, brat) write the documents nobody labelled to. No coder may take them.
RESERVED_NAMES = (GOLD, "unlabelled")


def check_annotator_name(name: str) -> str:
    """The one rule for coder names (the gold layer's name included); returns ``name``.

    A name is text of 1 to ``MAX_NAME_LEN`` characters, all printable (no line breaks,
    tabs, control or invisible format characters, no lone surrogates), without ``|``
    (pairwise agreement keys join two names with it) or ``,`` (``--annotators a,b``
    lists them) and without whitespace at either
    end (two names that look the same must be the same). Entry points that create
    coders also refuse the reserved names: :func:`check_coder_name`.
    """
    if not isinstance(name, str):
        raise ValidationError(f"coder name must be text, got {name!r}")
    shown = repr(name[:40] + ("..." if len(name) > 40 else ""))
    if not name or not name.strip():
        raise ValidationError("coder name is empty")
    if len(name) > MAX_NAME_LEN:
        raise ValidationError(
            f"coder name {shown} is longer than {MAX_NAME_LEN} characters ({len(name)})"
        )
    if name != name.strip():
        raise ValidationError(f"coder name {shown} begins or ends with whitespace")
    if "|" in name:
        raise ValidationError(f"coder name {shown} contains '|'")
    if "," in name:  # --annotators takes a comma-separated list
        raise ValidationError(f"coder name {shown} contains ','")
    if not name.isprintable():
        bad = next(c for c in name if not c.isprintable())
        raise ValidationError(
            f"coder name {shown} contains a non-printable character (U+{ord(bad):04X})"
        )
    return name


def _lookup_name(name: str) -> str:
    """A coder name to look up: any stored name is found, also one an earlier version
    allowed that today's rule (:func:`check_annotator_name`) refuses for new coders."""
    if not isinstance(name, str):
        raise ValidationError(f"coder name must be text, got {name!r}")
    try:
        jsonsafe.check_surrogates(name)
    except jsonsafe.StrictJSONError as e:
        raise ValidationError(f"coder name: {e}") from None
    return name


def check_coder_name(name: str) -> str:
    """:func:`check_annotator_name` for a new coder: the reserved names are refused too."""
    name = check_annotator_name(name)
    if name in RESERVED_NAMES:
        what = "the adjudicated layer" if name == GOLD else "documents nobody labelled"
        raise ValidationError(f"coder name {name!r} is reserved (it names {what})")
    return name


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
        from .paths import register_database

        self.path = Path(path)
        self.readonly = readonly
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            size = None
        except OSError as e:
            raise AnnotatorError(f"{self.path}: cannot open the database ({e.strerror})") from None
        if size is not None and self.path.is_dir():
            raise AnnotatorError(f"{self.path}: is a folder, not a database file")
        _refuse_companion(self.path)
        self.created = not size
        if readonly and self.created:
            raise AnnotatorError(f"{self.path}: no such database")
        if not readonly:
            _refuse_unwritable(self.path, exists=size is not None)
        conn = None
        try:
            if readonly:
                conn = _connect_readonly(self.path, busy_timeout, immutable)
            else:
                conn = sqlite3.connect(str(self.path), timeout=busy_timeout)
                if not self.created:
                    self.created = _check_annotator_file(conn, self.path)
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={max(0, int(busy_timeout * 1000))}")
        except (sqlite3.DatabaseError, AnnotatorError, UnicodeDecodeError) as e:
            if conn is not None:
                conn.close()
            if isinstance(e, AnnotatorError):
                raise
            if isinstance(e, UnicodeDecodeError):  # SQLite's message quotes damaged bytes
                raise AnnotatorError(_damaged(self.path)) from None
            raise database_error(self.path, e, "not a usable SQLite database") from None
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._depth = 0
        self._gold_writes = 0
        self._forget_caches()
        try:
            pending = self._pending_migrations()
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
            raise AnnotatorError(_damaged(self.path)) from None
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

    def _pending_migrations(self) -> list[str]:
        """Names of the schema migrations this file has not had (plain SQL, no sqlite-utils)."""
        has_table = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()
        applied = set()
        if has_table:
            applied = {
                r[0]
                for r in self.conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                    (MIGRATION_SET,),
                )
            }
        return [fn.__name__ for fn in MIGRATIONS if fn.__name__ not in applied]

    def _forget_caches(self) -> None:
        self._tok_cache: OrderedDict[int, Tokenization] = OrderedDict()
        self._len_cache: dict[int, int] = {}
        self._annotator_ids: dict[str, int] = {}
        self._scheme: Scheme | None = None
        # (document, annotator) pairs this connection already moved past 'new'
        self._started: set[tuple[int, int]] = set()

    # -- lifecycle --------------------------------------------------------------

    def set_busy_timeout(self, seconds: float) -> None:
        """How long a write waits for another process's lock before DatabaseBusyError."""
        self.conn.execute(f"PRAGMA busy_timeout={max(0, int(seconds * 1000))}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
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
            raise self._write_error(e) from None
        self._depth = 1
        try:
            yield self.conn
            self.conn.commit()
        except BaseException as e:
            with contextlib.suppress(sqlite3.Error):
                self.conn.rollback()
            self._forget_caches()  # rolled-back rows (ids, annotators) must not linger
            if isinstance(e, sqlite3.OperationalError):
                raise self._write_error(e) from None
            raise
        finally:
            self._depth = 0

    def _write_error(self, e: sqlite3.OperationalError) -> Exception:
        """The one-line error for a write SQLite refused; other errors are returned as they are."""
        msg = str(e).lower()
        if "locked" in msg or "busy" in msg:
            return DatabaseBusyError(
                f"{self.path}: not saved: the database is busy (another program is writing to it)"
            )
        if "full" in msg:
            return DatabaseFullError(f"{self.path}: not saved: the disk or database is full")
        if "readonly" in msg or "read-only" in msg:
            return DatabaseReadOnlyError(f"{self.path}: not saved: the database is read-only")
        if "disk i/o" in msg:
            return WriteFailedError(f"{self.path}: not saved: disk I/O error ({e})")
        return e

    def _one(self, sql: str, params: Iterable[Any] = ()) -> tuple | None:
        return self.conn.execute(sql, tuple(params)).fetchone()

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

    def reload_scheme(self) -> Scheme:
        """Forget the cached scheme (another connection may have recorded a newer one)."""
        self._scheme = None
        return self.scheme

    def scheme_version_toml(self, version: int) -> str:
        row = self._one("SELECT toml FROM schemes WHERE version = ?", [version])
        if row is None:
            raise NotFoundError(f"scheme version {version} is not in the database")
        return row[0]

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

    # -- annotators -------------------------------------------------------------

    def annotators(self) -> list[str]:
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
                f"{GOLD!r} is reserved for the adjudicated layer; use the gold methods"
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
        names = sorted({check_annotator_name(s) for s in sources})
        if GOLD in names:
            raise ValidationError("a gold label cannot come from the gold layer itself")
        return [self._annotator_id(n, create=False) for n in names]

    def add_gold_span(
        self,
        doc_id: int,
        start: int,
        end: int,
        label: str,
        sources: Iterable[str],
        note: str = "",
        scheme_version: int | None = None,
    ) -> Span:
        """Accept a span into the gold layer, remembering the coders it came from
        (empty ``sources``: the adjudicator's own span)."""
        with self._gold() as c:
            ids = self._source_ids(sources)
            span = self.add_span(doc_id, GOLD, start, end, label, note, scheme_version)
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
        out: dict[int, list[str]] = {s.id: [] for s in self.spans(doc_id, GOLD)}
        rows = self.conn.execute(
            "SELECT g.span_id, a.name FROM gold_span_sources g"
            " JOIN spans s ON s.id = g.span_id JOIN annotators a ON a.id = g.annotator_id"
            " WHERE s.document_id = ? ORDER BY a.name",
            (doc_id,),
        )
        for span_id, name in rows:
            out.setdefault(span_id, []).append(name)
        return {k: tuple(v) for k, v in out.items()}

    def gold_label_sources(self, doc_id: int) -> dict[str, tuple[str, ...]]:
        """``{field: coders the gold value came from}`` for one document."""
        out: dict[str, list[str]] = {f: [] for f in self.doc_labels(doc_id, GOLD)}
        rows = self.conn.execute(
            "SELECT g.field, a.name FROM gold_label_sources g"
            " JOIN annotators a ON a.id = g.annotator_id WHERE g.document_id = ? ORDER BY a.name",
            (doc_id,),
        )
        for fname, name in rows:
            out.setdefault(fname, []).append(name)
        return {k: tuple(v) for k, v in out.items()}

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

    def _annotator_id(self, name: str, create: bool) -> int:
        cached = self._annotator_ids.get(name)  # cached names are known ones
        if cached is not None:
            return cached
        row = self._one("SELECT id FROM annotators WHERE name = ?", [_lookup_name(name)])
        if row is None:
            if not create:
                raise NotFoundError(f"unknown annotator {name!r}")
            name = check_annotator_name(name)  # only a new name must follow today's rule
            cur = self.conn.execute(
                "INSERT INTO annotators (name, created_at) VALUES (?, ?)", (name, now())
            )
            ident = int(cur.lastrowid)
        else:
            ident = row[0]
        self._annotator_ids[name] = ident
        return ident

    def add_annotator(self, name: str) -> str:
        """Register a coder (idempotent); returns the name (see :func:`check_coder_name`)."""
        name = check_coder_name(name)
        with self._write():
            self._annotator_id(name, create=True)
        return name

    # -- documents --------------------------------------------------------------

    def known_hashes(self, hashes: Iterable[str]) -> set[str]:
        hashes = list(hashes)
        found: set[str] = set()
        for i in range(0, len(hashes), 500):
            chunk = hashes[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.conn.execute(
                    f"SELECT sha256 FROM documents WHERE sha256 IN ({marks})", chunk
                )
            )
        return found

    def add_documents(
        self, items: Iterable[tuple[Any, Tokenization, str]], pipeline: str
    ) -> list[int]:
        """Store ``(RawDocument, tokens, title)`` triples in one transaction.

        ``tokens`` is a :class:`Tokenization` or anything else with its ``packed()``
        (``nlp.TokenArrays``: packed a batch at a time, without a Python int per token).

        Texts already present (same SHA-256) are not duplicated; their existing ids are
        returned in place.
        """
        ids: list[int] = []
        stamp = now()
        with self._write() as c:
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
                    ids.append(int(cur.lastrowid))
                else:
                    row = c.execute("SELECT id FROM documents WHERE sha256 = ?", (sha,))
                    ids.append(row.fetchone()[0])
        return ids

    def document_id_by_hash(self, sha256: str) -> int | None:
        row = self._one("SELECT id FROM documents WHERE sha256 = ?", [sha256])
        return row[0] if row else None

    def stored_documents(self) -> Iterator[StoredDocument]:
        """Every document with its stored token offsets, for copying between databases.

        Rows are passed on as stored (a merge checks them); only ``meta`` is parsed, as
        strict JSON, and a row that cannot be read raises ValidationError naming it.
        """
        rows = self.conn.execute(
            "SELECT sha256, title, source, text, meta, tokens, sentences, pipeline, id"
            " FROM documents ORDER BY id"
        )
        last = 0
        while True:
            try:
                r = rows.fetchone()
            except sqlite3.OperationalError as e:  # e.g. text that is not UTF-8
                raise ValidationError(
                    f"{self.path}: the document after id {last} cannot be read"
                    f" ({str(e).split(' with text ')[0]})"
                ) from None
            if r is None:
                return
            last = r[8]
            try:
                meta = jsonsafe.loads(r[4]) if r[4] else {}
            except (jsonsafe.StrictJSONError, TypeError) as e:
                raise ValidationError(f"{self.path}: document {r[8]}: meta: {e}") from None
            if not isinstance(meta, dict):
                raise ValidationError(f"{self.path}: document {r[8]}: meta is not a JSON object")
            yield StoredDocument(
                r[0], r[1] or "", r[2] or "", r[3], meta, r[5], r[6], r[7] or "", r[8]
            )

    def add_stored_document(self, doc: StoredDocument) -> int:
        """Copy a document from another database (tokens included; no spaCy needed)."""
        existing = self.document_id_by_hash(doc.sha256)
        if existing is not None:
            return existing
        with self._write() as c:
            cur = c.execute(
                "INSERT INTO documents (sha256, title, source, text, length, meta, tokens,"
                " sentences, pipeline, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.sha256, doc.title, doc.source, doc.text, len(doc.text),
                    json.dumps(doc.meta, ensure_ascii=False), doc.token_offsets,
                    doc.sentence_offsets, doc.pipeline, now(),
                ),
            )  # fmt: skip
        return int(cur.lastrowid)

    def document_ids(self) -> list[int]:
        return [r[0] for r in self.conn.execute("SELECT id FROM documents ORDER BY id")]

    def document_count(self) -> int:
        return self._one("SELECT count(*) FROM documents")[0]

    def document(self, doc_id: int) -> Document:
        row = self._one(
            "SELECT id, sha256, title, source, text, meta, added_at FROM documents WHERE id = ?",
            [doc_id],
        )
        if row is None:
            raise NotFoundError(f"unknown document {doc_id!r}")
        return Document(row[0], row[1], row[2] or "", row[3] or "", row[4], _loads(row[5]), row[6])

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

    def list_documents(self, annotator: str | None = None) -> list[DocumentSummary]:
        """All documents in order, with ``annotator``'s state and span count."""
        aid = self._maybe_annotator_id(annotator)
        rows = self.conn.execute(
            """
            SELECT d.id, d.title, d.source, d.length,
                   coalesce(st.state, 'new'),
                   (SELECT count(*) FROM spans s WHERE s.document_id = d.id AND s.annotator_id = ?)
            FROM documents d
            LEFT JOIN status st ON st.document_id = d.id AND st.annotator_id = ?
            ORDER BY d.id
            """,
            (aid, aid),
        )
        return [DocumentSummary(*r) for r in rows]

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

    _SPAN_SQL = (
        "SELECT s.id, s.document_id, a.name, s.start, s.end, s.label, coalesce(s.note, ''),"
        " s.scheme_version, s.created_at, s.updated_at"
        " FROM spans s JOIN annotators a ON a.id = s.annotator_id"
    )

    def _check_label(self, label: str) -> None:
        if self.scheme.label(label) is None:
            raise ValidationError(
                f"label {label!r} is not in scheme '{self.scheme.name}' v{self.scheme.version}"
                f" (labels: {', '.join(self.scheme.label_names)})"
            )

    def add_span(
        self,
        doc_id: int,
        annotator: str,
        start: int,
        end: int,
        label: str,
        note: str = "",
        scheme_version: int | None = None,
    ) -> Span:
        """Store a new span; overlapping spans are allowed.

        ``scheme_version`` (default: the current one) records an older version a label
        was made under, when labels are imported; it must be recorded in the database.
        """
        self._check_range(doc_id, start, end)
        self._check_label(label)
        note = _check_note(note)
        name = _lookup_name(annotator)
        self._refuse_gold(name)
        stamp = now()
        version = self.scheme.version
        if scheme_version is not None and scheme_version != version:
            if scheme_version not in self.scheme_versions():
                raise ValidationError(f"scheme version {scheme_version} is not in the database")
            version = scheme_version
        with self._write() as c:
            aid = self._annotator_id(name, create=True)
            cur = c.execute(
                "INSERT INTO spans (document_id, annotator_id, start, end, label, note,"
                " scheme_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, aid, start, end, label, note, version, stamp, stamp),
            )
            self._touch_status(c, doc_id, aid, stamp)
        return Span(
            int(cur.lastrowid), doc_id, name, start, end, label,
            note, version, stamp, stamp,
        )  # fmt: skip

    def restore_span(self, span: Span) -> Span:
        """Re-insert a deleted span with its original id and timestamps (for undo)."""
        self._check_range(span.document_id, span.start, span.end)
        self._check_label(span.label)
        with self._write() as c:
            if c.execute("SELECT 1 FROM spans WHERE id = ?", (span.id,)).fetchone():
                raise ValidationError(f"span {span.id} already exists")
            aid = self._annotator_id(span.annotator, create=True)
            c.execute(
                "INSERT INTO spans (id, document_id, annotator_id, start, end, label, note,"
                " scheme_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    span.id, span.document_id, aid, span.start, span.end, span.label,
                    _check_note(span.note), span.scheme_version, span.created_at, span.updated_at,
                ),
            )  # fmt: skip
        return span

    def span(self, span_id: int) -> Span:
        row = self._one(self._SPAN_SQL + " WHERE s.id = ?", [span_id])
        if row is None:
            raise NotFoundError(f"unknown span {span_id!r}")
        return Span(*row)

    def spans(self, doc_id: int, annotator: str | None = None) -> list[Span]:
        """Spans of a document (one coder's, or everyone's), ordered by position."""
        if annotator is None:
            rows = self.conn.execute(
                self._SPAN_SQL + " WHERE s.document_id = ? ORDER BY s.start, s.end, s.id",
                (doc_id,),
            )
        else:
            rows = self.conn.execute(
                self._SPAN_SQL
                + " WHERE s.document_id = ? AND a.name = ? ORDER BY s.start, s.end, s.id",
                (doc_id, _lookup_name(annotator)),
            )
        return [Span(*r) for r in rows]

    def _update_span(self, span_id: int, sets: str, params: tuple) -> Span:
        self.span(span_id)  # raises NotFoundError for an unknown id
        stamp = now()
        with self._write() as c:
            c.execute(
                f"UPDATE spans SET {sets}, updated_at = ? WHERE id = ?", (*params, stamp, span_id)
            )
        return self.span(span_id)

    def relabel_span(self, span_id: int, label: str) -> Span:
        self._check_label(label)
        return self._update_span(
            span_id, "label = ?, scheme_version = ?", (label, self.scheme.version)
        )

    def set_span_note(self, span_id: int, note: str) -> Span:
        return self._update_span(span_id, "note = ?", (_check_note(note),))

    def move_span(self, span_id: int, start: int, end: int) -> Span:
        """Change a span's boundaries."""
        old = self.span(span_id)
        self._check_range(old.document_id, start, end)
        return self._update_span(span_id, "start = ?, end = ?", (start, end))

    def delete_span(self, span_id: int) -> Span:
        """Delete a span and return it (so it can be restored)."""
        old = self.span(span_id)
        with self._write() as c:
            c.execute("DELETE FROM spans WHERE id = ?", (span_id,))
        return old

    # -- document labels --------------------------------------------------------

    def set_doc_label(
        self, doc_id: int, annotator: str, field: str, value: str | Iterable[str] | None
    ) -> DocLabel | None:
        """Set (or with ``None`` clear) a document field for one coder.

        ``single`` fields take one option; ``multi`` fields take any subset of options
        (stored in scheme order; an empty list records "none of them").
        """
        self._text_length(doc_id)
        self._refuse_gold(_lookup_name(annotator))
        spec = self.scheme.field(field)
        if spec is None:
            raise ValidationError(
                f"field {field!r} is not in scheme '{self.scheme.name}' v{self.scheme.version}"
                f" (fields: {', '.join(self.scheme.field_names)})"
            )
        stored: str | tuple[str, ...] | None
        if value is None:
            stored = None
        elif spec.kind == "single":
            if not isinstance(value, str) or value not in spec.options:
                raise ValidationError(
                    f"{value!r} is not an option of field {field!r} ({', '.join(spec.options)})"
                )
            stored = value
        else:
            if isinstance(value, str):
                raise ValidationError(f"field {field!r} takes a list of options, got {value!r}")
            chosen = set(value)
            bad = sorted(str(v) for v in chosen if v not in spec.options)
            if bad:
                raise ValidationError(
                    f"{bad[0]!r} is not an option of field {field!r} ({', '.join(spec.options)})"
                )
            stored = tuple(o for o in spec.options if o in chosen)
        stamp = now()
        version = self.scheme.version
        with self._write() as c:
            aid = self._annotator_id(annotator, create=True)
            if stored is None:
                c.execute(
                    "DELETE FROM doc_labels WHERE document_id = ? AND annotator_id = ? AND field = ?",
                    (doc_id, aid, field),
                )
            else:
                c.execute(
                    "INSERT INTO doc_labels (document_id, annotator_id, field, value,"
                    " scheme_version, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (document_id, annotator_id, field) DO UPDATE SET"
                    " value = excluded.value, scheme_version = excluded.scheme_version,"
                    " updated_at = excluded.updated_at",
                    (doc_id, aid, field, _value_json(stored), version, stamp),
                )
                self._touch_status(c, doc_id, aid, stamp)
        if stored is None:
            return None
        return DocLabel(doc_id, annotator, field, stored, version, stamp)

    def doc_labels(self, doc_id: int, annotator: str) -> dict[str, str | tuple[str, ...]]:
        """``{field: value}`` of one coder for one document."""
        rows = self.conn.execute(
            "SELECT l.field, l.value FROM doc_labels l JOIN annotators a ON a.id = l.annotator_id"
            " WHERE l.document_id = ? AND a.name = ?",
            (doc_id, _lookup_name(annotator)),
        )
        return {f: _value_from_json(v) for f, v in rows}

    def all_doc_labels(self, doc_id: int) -> list[DocLabel]:
        rows = self.conn.execute(
            "SELECT l.document_id, a.name, l.field, l.value, l.scheme_version, l.updated_at"
            " FROM doc_labels l JOIN annotators a ON a.id = l.annotator_id"
            " WHERE l.document_id = ? ORDER BY a.name, l.field",
            (doc_id,),
        )
        return [DocLabel(d, a, f, _value_from_json(v), sv, u) for d, a, f, v, sv, u in rows]

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

    def status(self, doc_id: int, annotator: str) -> str:
        self._text_length(doc_id)
        row = self._one(
            "SELECT st.state FROM status st JOIN annotators a ON a.id = st.annotator_id"
            " WHERE st.document_id = ? AND a.name = ?",
            (doc_id, _lookup_name(annotator)),
        )
        return row[0] if row else "new"

    def set_status(self, doc_id: int, annotator: str, state: str) -> None:
        if state not in STATES:
            raise ValidationError(f"status must be one of {', '.join(STATES)}, got {state!r}")
        self._text_length(doc_id)
        stamp = now()
        with self._write() as c:
            aid = self._annotator_id(annotator, create=True)
            c.execute(
                "INSERT INTO status (document_id, annotator_id, state, seconds_spent, updated_at)"
                " VALUES (?, ?, ?, 0, ?) ON CONFLICT (document_id, annotator_id) DO UPDATE SET"
                " state = excluded.state, updated_at = excluded.updated_at",
                (doc_id, aid, state, stamp),
            )
            self._started.discard((doc_id, aid))

    def add_time(self, doc_id: int, annotator: str, seconds: float) -> None:
        """Add coding time to a document (for reporting effort per article)."""
        if not seconds or seconds < 0:
            return
        self._text_length(doc_id)
        stamp = now()
        with self._write() as c:
            aid = self._annotator_id(annotator, create=True)
            c.execute(
                "INSERT INTO status (document_id, annotator_id, state, seconds_spent, updated_at)"
                " VALUES (?, ?, 'new', ?, ?) ON CONFLICT (document_id, annotator_id) DO UPDATE SET"
                " seconds_spent = seconds_spent + excluded.seconds_spent",
                (doc_id, aid, float(seconds), stamp),
            )

    def statuses(self, doc_id: int) -> dict[str, tuple[str, float]]:
        """``{annotator: (state, seconds_spent)}`` for one document."""
        rows = self.conn.execute(
            "SELECT a.name, st.state, st.seconds_spent FROM status st"
            " JOIN annotators a ON a.id = st.annotator_id WHERE st.document_id = ?",
            (doc_id,),
        )
        return {name: (state, secs or 0.0) for name, state, secs in rows}

    def merge_status(self, doc_id: int, annotator: str, state: str, seconds: float) -> None:
        """Keep the further state (new < in_progress < done) and the larger time spent."""
        if state not in STATES:
            raise ValidationError(f"status must be one of {', '.join(STATES)}, got {state!r}")
        old_state, old_secs = self.statuses(doc_id).get(annotator, ("new", 0.0))
        new_state = max(old_state, state, key=STATES.index)
        new_secs = max(old_secs, float(seconds or 0.0))
        if (new_state, new_secs) == (old_state, old_secs):
            return
        with self._write() as c:
            aid = self._annotator_id(annotator, create=True)
            c.execute(
                "INSERT INTO status (document_id, annotator_id, state, seconds_spent, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (document_id, annotator_id) DO UPDATE SET"
                " state = excluded.state, seconds_spent = excluded.seconds_spent,"
                " updated_at = excluded.updated_at",
                (doc_id, aid, new_state, new_secs, now()),
            )

    def progress(self, annotator: str) -> Progress:
        total = self.document_count()
        counts = dict.fromkeys(STATES, 0)
        aid = self._maybe_annotator_id(annotator)
        for state, n in self.conn.execute(
            "SELECT state, count(*) FROM status WHERE annotator_id = ? GROUP BY state", (aid,)
        ):
            counts[state] = n
        counts["new"] = total - counts["in_progress"] - counts["done"]
        return Progress(_lookup_name(annotator), total, **counts)

    def _maybe_annotator_id(self, annotator: str | None) -> int:
        if annotator is None:
            return -1
        try:
            return self._annotator_id(annotator, create=False)
        except NotFoundError:
            return -1

    # -- summaries and export ---------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Counts for ``annotator stats``: documents, annotators, spans per label, done per coder."""
        spans_per_label = dict.fromkeys(self.scheme.label_names, 0)
        for label, n in self.conn.execute(
            "SELECT label, count(*) FROM spans GROUP BY label ORDER BY label"
        ):
            spans_per_label[label] = n
        coders = {}
        for name in self.annotators():
            p = self.progress(name)
            n_spans = self._one(
                "SELECT count(*) FROM spans s JOIN annotators a ON a.id = s.annotator_id"
                " WHERE a.name = ?",
                (name,),
            )[0]
            coders[name] = {"done": p.done, "in_progress": p.in_progress, "spans": n_spans}
        return {
            "database": str(self.path),
            "scheme": {"name": self.scheme.name, "version": self.scheme.version},
            "documents": self.document_count(),
            "annotators": self.annotators(),
            "spans": sum(spans_per_label.values()),
            "spans_per_label": spans_per_label,
            "done_per_annotator": {k: v["done"] for k, v in coders.items()},
            "per_annotator": coders,
        }

    def iter_labelled(
        self, annotator: str | None = None, include_unlabelled: bool = False
    ) -> Iterator[
        tuple[
            Document,
            tuple[tuple[int, ...], tuple[int, ...]],
            str | None,
            list[Span],
            list[DocLabel],
        ]
    ]:
        """Stream ``(document, (token starts, token ends), annotator, spans, doc_labels)``.

        One document is in memory at a time. A coder (not the gold layer) whose status of a
        document is past 'new' is yielded even without labels (coded, no spans). With
        ``include_unlabelled`` a document nobody (or not ``annotator``) labelled or started
        is yielded once with empty lists.
        """
        wanted = _lookup_name(annotator) if annotator is not None else None
        docs = self.conn.execute(
            "SELECT id, sha256, title, source, text, meta, added_at, tokens FROM documents ORDER BY id"
        )
        for row in docs:
            doc = Document(
                row[0], row[1], row[2] or "", row[3] or "", row[4], _loads(row[5]), row[6]
            )
            tokens = unpack(row[7])
            spans = self.spans(doc.id, wanted) if wanted else self.spans(doc.id)
            labels = [dl for dl in self.all_doc_labels(doc.id) if wanted in (None, dl.annotator)]
            started = {
                name
                for name, (state, _secs) in self.statuses(doc.id).items()
                if state != "new" and name != GOLD and wanted in (None, name)
            }
            coders = sorted(
                {s.annotator for s in spans} | {dl.annotator for dl in labels} | started
            )
            if not coders and include_unlabelled:
                yield doc, tokens, wanted, [], []
                continue
            for coder in coders:
                yield (
                    doc,
                    tokens,
                    coder,
                    [s for s in spans if s.annotator == coder],
                    [dl for dl in labels if dl.annotator == coder],
                )

    # -- reading for agreement (streaming: one document in memory at a time) -----

    def iter_coding(
        self,
    ) -> Iterator[
        tuple[
            int,
            str,
            int,
            list[tuple[str, str]],
            list[tuple[str, int, int, str]],
            list[tuple[str, str, str | tuple[str, ...]]],
        ]
    ]:
        """Every document in id order with what the coders did on it:
        ``(doc_id, title, length, [(coder, state)], [(coder, start, end, label)],
        [(coder, field, value)])``; spans ordered by position (as :meth:`spans`), document
        labels by coder and field (as :meth:`all_doc_labels`). Four queries read side by
        side, so memory does not grow with the database."""
        c = self.conn
        docs = c.execute("SELECT id, title, length FROM documents ORDER BY id")
        states = _by_document(
            c.execute(
                "SELECT st.document_id, a.name, st.state FROM status st"
                " JOIN annotators a ON a.id = st.annotator_id ORDER BY st.document_id"
            )
        )
        spans = _by_document(
            c.execute(
                "SELECT s.document_id, a.name, s.start, s.end, s.label FROM spans s"
                " JOIN annotators a ON a.id = s.annotator_id"
                " ORDER BY s.document_id, s.start, s.end, s.id"
            )
        )
        labels = _by_document(
            c.execute(
                "SELECT l.document_id, a.name, l.field, l.value FROM doc_labels l"
                " JOIN annotators a ON a.id = l.annotator_id"
                " ORDER BY l.document_id, a.name, l.field"
            )
        )
        for doc_id, title, length in docs:
            yield (
                doc_id,
                title,
                length,
                states(doc_id),
                spans(doc_id),
                [(a, f, _value_from_json(v)) for a, f, v in labels(doc_id)],
            )

    def span_labels(self) -> list[str]:
        """Every label a stored span has (any coder, any scheme version), sorted."""
        return [r[0] for r in self.conn.execute("SELECT DISTINCT label FROM spans ORDER BY 1")]

    def word_tokens(self, doc_id: int) -> tuple[list[int], list[int]]:
        """Starts and ends of a document's tokens that are not whitespace, in stored order
        (the units of token-level agreement)."""
        row = self._one("SELECT text, tokens FROM documents WHERE id = ?", [doc_id])
        if row is None:
            raise NotFoundError(f"unknown document {doc_id!r}")
        text, (starts, ends) = row[0], unpack(row[1])
        if len(starts) < 2:
            firsts = [text[s] for s in starts]
        else:  # C-level loops: a document has thousands of tokens
            firsts = operator.itemgetter(*starts)(text)
        words = list(map(operator.not_, map(str.isspace, firsts)))
        return list(compress(starts, words)), list(compress(ends, words))


def _by_document(rows: Iterator[tuple]):
    """For rows sorted by their first column (a document id): a function returning the
    rest of each row of one document, called with increasing ids."""
    it = iter(rows)
    head = next(it, None)

    def take(doc_id: int) -> list[tuple]:
        nonlocal head
        while head is not None and head[0] < doc_id:  # rows of no document: skipped
            head = next(it, None)
        out = []
        while head is not None and head[0] == doc_id:
            out.append(head[1:])
            head = next(it, None)
        return out

    return take


def _offsets_from_json(value: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Offsets as schema versions before m004 stored them: ``{"start": [...], "end": [...]}``
    (or, earlier still, a list of ``[start, end]`` pairs)."""
    data = json.loads(value)
    if isinstance(data, dict):
        return tuple(data["start"]), tuple(data["end"])
    return tuple(p[0] for p in data), tuple(p[1] for p in data)


def _loads(value: str | None) -> dict[str, Any]:
    return json.loads(value) if value else {}


def _value_json(value: str | tuple[str, ...]) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def _value_from_json(value: str) -> str | tuple[str, ...]:
    v = json.loads(value)
    return tuple(v) if isinstance(v, list) else v


def _check_note(note: str | None) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise ValidationError(f"note must be text, got {note!r}")
    return note
