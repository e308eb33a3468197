"""Opening a database: :func:`open_database`, the one way the command line and the window
open one, and :func:`open_store`, the way a user expects on first run.

A new database gets the scheme (the default one unless given) and, when a
``seeds/`` folder is in the working directory, the articles in it, so the very
first start shows something to label.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DatabaseReadOnlyError
from .models import ImportReport
from .scheme import Scheme, load_scheme
from .store import BUSY_TIMEOUT_S, Store

if TYPE_CHECKING:  # the import pipeline is loaded only to seed a new database
    from .ingest import ProgressFn

DEFAULT_DB = "labels.db"
SEEDS_DIR = "seeds"


def open_database(
    db_path: str | Path,
    *,
    scheme: Scheme | None = None,
    read_only_ok: bool = False,
    readonly: bool = False,
    busy_timeout: float = BUSY_TIMEOUT_S,
) -> Store:
    """The one way the command line and the window open a database: read-write (created
    with ``scheme``, or the default one, if new), or, with ``read_only_ok``, read-only
    when the file or its folder cannot be written (an existing file, no new scheme to
    record); otherwise DatabaseReadOnlyError. ``readonly``: an existing database, opened
    read-only as asked."""
    if readonly:
        return Store(db_path, readonly=True, busy_timeout=busy_timeout)
    try:
        return Store(db_path, scheme=scheme, busy_timeout=busy_timeout)
    except DatabaseReadOnlyError:
        if not read_only_ok or scheme is not None or not Path(db_path).exists():
            raise
        return Store(db_path, readonly=True, busy_timeout=busy_timeout)


def reopen(store: Store, *, busy_timeout: float = BUSY_TIMEOUT_S) -> Store:
    """Another connection to ``store``'s database, read-only if ``store`` is (a worker
    thread's, or a window's that must outlive the caller's database switch)."""
    return open_database(store.path, readonly=store.readonly, busy_timeout=busy_timeout)


def open_store(
    db_path: str | Path = DEFAULT_DB,
    scheme_path: str | Path | None = None,
    seeds: str | Path | None = SEEDS_DIR,
    progress: ProgressFn | None = None,
    *,
    read_only_ok: bool = False,
    busy_timeout: float = BUSY_TIMEOUT_S,
) -> tuple[Store, ImportReport | None]:
    """Open (creating if needed) a database with :func:`open_database`; a new one is seeded
    from ``seeds`` if it exists.

    ``read_only_ok`` (for commands that only read): an existing database whose file or
    folder cannot be written is opened read-only instead of refused. Returns the store
    and the seed import report (None when nothing was seeded).
    """
    scheme = load_scheme(scheme_path) if scheme_path is not None else None
    store = open_database(
        db_path, scheme=scheme, read_only_ok=read_only_ok, busy_timeout=busy_timeout
    )
    if scheme is not None and not store.created:
        try:
            store.record_scheme(scheme)
        except BaseException:
            store.close()
            raise
    report = None
    if store.created and seeds is not None and Path(seeds).is_dir():
        from .ingest import import_paths

        try:
            report = import_paths(store, [seeds], progress=progress)
        except BaseException:
            store.close()
            raise
    return store, report
