"""Reading another database (a coder's file to merge) without writing to it or beside it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import AnnotatorError, NeedsUpgradeError
from .connection import BUSY_TIMEOUT_S, SIDECARS, damaged
from .database import Store
from .schema import made_by_annotator


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
                raise AnnotatorError(damaged(path)) from None
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
    has_scheme = None
    made = "_sqlite_migrations" in tables and made_by_annotator(conn)
    if made and "schemes" in tables:
        has_scheme = conn.execute("SELECT 1 FROM schemes LIMIT 1").fetchone()
    if not made:
        raise AnnotatorError(f"{path}: not an annotator database")
    if not has_scheme:
        raise AnnotatorError(f"{path}: database has no scheme")
