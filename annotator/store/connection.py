"""Opening a database file: the checks before SQLite touches it, the read-only
connection, and the one-line errors for what SQLite refuses."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import (
    AnnotatorError,
    DatabaseBusyError,
    DatabaseFullError,
    DatabaseReadOnlyError,
    WriteFailedError,
)
from .schema import made_by_annotator

BUSY_TIMEOUT_S = 10.0
SIDECARS = ("-wal", "-shm", "-journal")  # the files SQLite keeps beside a database


def damaged(path: Path) -> str:
    return (
        f"{path}: not a usable SQLite database (it is damaged: its table definitions are"
        " not valid UTF-8 text)"
    )


def refuse_companion(path: Path) -> None:
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


def refuse_unwritable(path: Path, exists: bool) -> None:
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


def connect_readonly(path: Path, timeout: float, immutable: bool) -> sqlite3.Connection:
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


def check_annotator_file(conn: sqlite3.Connection, path: Path) -> bool:
    """Refuse an existing SQLite file that annotator did not make, before anything is
    written to it; returns True if the file is an empty database (nothing in it yet)."""
    objects = conn.execute("SELECT name FROM sqlite_master").fetchall()
    if not objects:
        stamps = conn.execute("PRAGMA user_version").fetchone()[0]
        stamps = stamps or conn.execute("PRAGMA application_id").fetchone()[0]
        if not stamps:
            return True
    made = ("_sqlite_migrations",) in objects and made_by_annotator(conn)
    if not made:
        raise AnnotatorError(
            f"{path}: not an annotator database (an SQLite file of another program); it was"
            " left unchanged: give a new file name"
        )
    return False


def database_error(path: Path, e: sqlite3.Error, what: str) -> AnnotatorError:
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


def write_error(path: Path, e: sqlite3.OperationalError) -> Exception:
    """The one-line error for a write SQLite refused; other errors are returned as they are."""
    msg = str(e).lower()
    if "locked" in msg or "busy" in msg:
        return DatabaseBusyError(
            f"{path}: not saved: the database is busy (another program is writing to it)"
        )
    if "full" in msg:
        return DatabaseFullError(f"{path}: not saved: the disk or database is full")
    if "readonly" in msg or "read-only" in msg:
        return DatabaseReadOnlyError(f"{path}: not saved: the database is read-only")
    if "disk i/o" in msg:
        return WriteFailedError(f"{path}: not saved: disk I/O error ({e})")
    return e


def connect(
    path: Path, *, readonly: bool, busy_timeout: float, immutable: bool
) -> tuple[sqlite3.Connection, bool]:
    """The connection a :class:`~annotator.store.Store` works through, and whether the file
    is new (missing or empty: to be initialised). Checks the file before SQLite touches it;
    every refusal is one line, and a refused file is left as it was."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError as e:
        raise AnnotatorError(f"{path}: cannot open the database ({e.strerror})") from None
    if size is not None and path.is_dir():
        raise AnnotatorError(f"{path}: is a folder, not a database file")
    refuse_companion(path)
    created = not size
    if readonly and created:
        if size is not None and path.is_file():  # a pipe or device: not a file at all
            raise AnnotatorError(f"{path}: an empty file, not a database")
        raise AnnotatorError(f"{path}: no such database")
    if not readonly:
        refuse_unwritable(path, exists=size is not None)
    conn = None
    try:
        if readonly:
            conn = connect_readonly(path, busy_timeout, immutable)
        else:
            conn = sqlite3.connect(str(path), timeout=busy_timeout)
            if not created:
                created = check_annotator_file(conn, path)
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
            raise AnnotatorError(damaged(path)) from None
        raise database_error(path, e, "not a usable SQLite database") from None
    return conn, created
