"""Files the tool is told to write or read: outputs never destroy inputs.

Every writer of a user-named output (exports in every format, the agreement report,
the window's export) calls :func:`check_output` before it creates anything, and every
reader of a user-named input (``import``, ``import-labels``, ``merge``) calls
:func:`check_input` before it opens anything. Both compare files by device and inode
with :func:`os.stat`, which does not open the file: opening and closing any descriptor
of the database file would drop every SQLite lock this process holds on it.

The databases to protect are the ones given plus every :class:`~annotator.store.Store`
this process has opened (see :func:`register_database`).

Exports are written to a hidden part file beside the target, ``.NAME.<pid>-<random>.part``,
which the writer keeps locked (``flock``) until it is renamed over the target. A part
file left by a killed export is removed by the next export to the same target
(:func:`remove_stale_parts`); a live export's part file is never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import threading
import time
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from .errors import AnnotatorError, InputError

PathT = TypeVar("PathT", bound="str | Path")

try:  # POSIX; elsewhere stale part files are recognised by age alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# The files SQLite keeps beside a database, as suffixes of its name.
SIDECARS = ("-wal", "-shm", "-journal")

# A part file whose writer cannot be shown to be alive is removed after this long.
STALE_AFTER_S = 15 * 60

_open_databases: weakref.WeakSet[Any] = weakref.WeakSet()
_registry_lock = threading.Lock()  # stores are opened in background jobs too


class OutputError(AnnotatorError):
    """An output path was refused; nothing was written."""


def register_database(store: Any) -> None:
    """Protect ``store.path`` (and its -wal/-shm/-journal) from every later output."""
    with _registry_lock:
        _open_databases.add(store)


def _is_open(store: Any) -> bool:
    conn = getattr(store, "conn", None)
    if conn is None:
        return False
    try:
        conn.total_changes  # noqa: B018 - raises once the connection is closed
    except Exception:
        return False
    return True


def _database_paths(databases: Iterable[Any]) -> list[Path]:
    paths: list[Path] = []
    with _registry_lock:
        registered = list(_open_databases)
    for db in [*databases, *[s for s in registered if _is_open(s)]]:
        p = getattr(db, "path", db)
        if p is not None and str(p) not in {str(x) for x in paths}:
            paths.append(Path(p))
    return paths


def _identity(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _protected(databases: Iterable[Any]) -> list[tuple[Path, str, str, tuple[int, int] | None]]:
    """(database, sidecar suffix, resolved name, identity) for each file to protect."""
    out = []
    for db in _database_paths(databases):
        # SQLite names the -wal/-shm/-journal after the database's resolved path: with
        # --db link.db (a symlink to labels.db) they are labels.db-wal, not link.db-wal.
        real_db = os.path.realpath(db)
        for suffix in ("", *SIDECARS):
            for p in dict.fromkeys((Path(f"{db}{suffix}"), Path(f"{real_db}{suffix}"))):
                out.append((db, suffix, os.path.realpath(p), _identity(p)))
    return out


def _which(db: Path, suffix: str) -> str:
    return (
        f"the {suffix[1:]} file of the open database {db}" if suffix else f"the open database {db}"
    )


def _companion_of(path: str | Path) -> tuple[str, str] | None:
    """``(database, "wal"|"shm"|"journal")`` when ``path`` (or what it resolves to) is
    named like a companion of an existing file: SQLite keeps a database's committed but
    not yet checkpointed changes in its -wal, so replacing it loses them."""
    for name in dict.fromkeys((os.path.abspath(path), os.path.realpath(path))):
        for suffix in SIDECARS:
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base and os.path.isfile(base):
                return base, suffix[1:]
    return None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_output(
    target: str | Path,
    *,
    folder: bool = False,
    databases: Iterable[Any] = (),
    writer: str = "an export",
) -> Path:
    """Refuse an output path that would destroy an input; returns it as a Path.

    Refused, with one line naming it: the open database or its -wal/-shm/-journal (by
    path, relative path, symlink or hard link; also a name that resolves to one that
    does not exist yet), anything existing that is not a regular file (``folder``:
    not a folder), a folder output that holds the database, and a path whose folder
    does not exist or is read-only. ``"-"`` (stdout) is always accepted. ``writer``
    names what writes it in the line refusing an existing database.
    """
    if str(target) == "-":
        return Path("-")
    if not str(target):
        raise OutputError("no output file given")
    p = Path(target)
    shown = str(target)
    what = "folder" if folder else "file"
    real = os.path.realpath(p)
    ident = _identity(p)
    protected = _protected(databases)
    for db, suffix, name, other in protected:
        if real == name or (ident is not None and ident == other):
            raise OutputError(
                f"{shown}: refusing to write over {_which(db, suffix)}; choose another output {what}"
            )
    companion = _companion_of(p)
    if companion is not None:  # another process's database: its WAL holds saved labels
        raise OutputError(
            f"{shown}: refusing to write over the {companion[1]} file of the database"
            f" {companion[0]}; choose another output {what}"
        )
    try:
        st = os.stat(p)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"{shown}: cannot write here ({e.strerror})") from None
    if st is not None:
        if folder and not stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{shown}: exists and is not a folder; choose another output folder")
        if not folder and not stat.S_ISREG(st.st_mode):
            raise OutputError(
                f"{shown}: exists and is {_kind(st.st_mode)}, not a file; give a file name"
                + ("" if stat.S_ISDIR(st.st_mode) else " ('-' writes to standard output)")
            )
        if not folder and _is_sqlite_database(p):  # a coder's database, not an old export
            raise OutputError(
                f"{shown}: exists and is a SQLite database (a coder's labels?); {writer}"
                " never replaces a database: choose another output file"
            )
        if folder:
            inside = real.rstrip(os.sep) + os.sep
            for db, suffix, name, _ in protected:
                if name.startswith(inside):
                    raise OutputError(
                        f"{shown}: this folder holds {_which(db, suffix)}, and the export"
                        " replaces the whole folder; choose another output folder"
                    )
        if folder:
            stranger = _not_from_an_export(p)
            if stranger is not None:
                raise OutputError(
                    f"{shown}: the folder is not empty and is not an earlier export (it holds"
                    f" {stranger}), and the export replaces the whole folder; choose a new or"
                    " empty folder"
                )
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        why = "is not a folder" if parent.exists() else "does not exist"
        raise OutputError(f"{shown}: cannot write: the folder {parent} {why}")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{shown}: cannot write: the folder {parent} is read-only")
    return p


SQLITE_HEADER = b"SQLite format 3\x00"  # the first bytes of every SQLite database file


def _is_sqlite_database(path: Path) -> bool:
    """Whether a regular file starts with SQLite's header. Only called for a file that is
    none of this process's open databases (those are refused before, by device and inode):
    reading another process's database does not touch that process's locks."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


# A folder export replaces its target folder as a whole, so an existing folder is replaced
# only when it is empty or an earlier export: every folder an export writes holds this
# marker file. A folder without it (articles, a project, a home folder, or an export made
# before the marker existed) is the user's, and is never deleted.
EXPORT_MARKER = ".annotator-export"


def _not_from_an_export(folder: Path) -> str | None:
    """Why ``folder`` is not an earlier export (its first entry), or None."""
    try:
        top = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        return f"unreadable: {e.strerror}"
    if not top:
        return None
    for entry in top:
        if entry.name == EXPORT_MARKER and entry.is_file(follow_symlinks=False):
            return None
    return top[0].name


def check_input(path: str | Path, databases: Iterable[Any] = ()) -> Path:
    """Refuse an input that is the open database or one of its -wal/-shm/-journal files
    (by path, symlink or hard link) before anything opens it; returns it as a Path."""
    p = Path(path)
    real = os.path.realpath(p)
    ident = _identity(p)
    for db, suffix, name, other in _protected(databases):
        if real == name or (ident is not None and ident == other):
            if not suffix:
                raise InputError(f"{path}: cannot merge a database into itself, nor import it")
            raise InputError(f"{path}: is {_which(db, suffix)}, not an input; give another file")
    return p


def check_inputs(paths: Iterable[PathT], databases: Iterable[Any] = ()) -> list[PathT]:
    """:func:`check_input` for each path; returns them as a list (in the given types)."""
    checked = list(paths)
    for p in checked:
        check_input(p, databases)
    return checked


# -- part files ---------------------------------------------------------------------


def _part_patterns(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    prefix = re.escape(f".{name}.")
    return (
        re.compile(rf"{prefix}(\d+)-[A-Za-z0-9_]+\.part"),  # ours: the writer's pid
        re.compile(rf"{prefix}[A-Za-z0-9_]{{8}}\.(part|old)"),  # mkstemp/mkdtemp's
    )


def create_part(target: Path) -> tuple[int, str]:
    """A new, locked part file beside ``target``: ``(fd, path)``. The lock (``flock``)
    lasts as long as the descriptor is open, and tells :func:`remove_stale_parts` that
    its writer is alive."""
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}-", suffix=".part", dir=directory
    )
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd, tmp


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but is another user's
        return True
    return True


def _writer_gone(path: str) -> bool:
    """True if no process holds the part file's lock (or locks are unavailable)."""
    if fcntl is None:
        return True
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live writer holds it
    finally:
        os.close(fd)  # also releases our lock
    return True


def _stale_folder(path: str, now: float, protected: set[tuple[int, int]]) -> bool:
    """A part folder nothing has touched for :data:`STALE_AFTER_S` (a live export adds
    and writes files in it all the time), holding only plain files and folders."""
    newest = os.lstat(path).st_mtime
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                return False
            if (st.st_dev, st.st_ino) in protected:
                return False
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                return False
            newest = max(newest, st.st_mtime)
    return now - newest > STALE_AFTER_S


def prepare_output(
    target: str | Path, *, folder: bool = False, databases: Iterable[Any] = ()
) -> Path:
    """:func:`check_output`, then remove what killed exports to ``target`` left."""
    p = check_output(target, folder=folder, databases=databases)
    remove_stale_parts(p, databases)
    return p


def remove_stale_parts(target: str | Path, databases: Iterable[Any] = ()) -> list[str]:
    """Remove part files of ``target``'s own pattern left by killed exports; returns
    their names. A part file is stale when no process holds its lock and either its
    writer's pid is gone or it is older than :data:`STALE_AFTER_S`; a part folder of a
    folder export (``.NAME.XXXXXXXX.part`` or ``.old``) when nothing in it changed for
    that long. Only this user's are removed, never a live export's or anything else."""
    if str(target) == "-":
        return []
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    ours, older = _part_patterns(target.name)
    protected = {other for *_, other in _protected(databases) if other is not None}
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return []
    now = time.time()
    for entry in entries:
        m = ours.fullmatch(entry.name)
        if m is None and older.fullmatch(entry.name) is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            continue
        if stat.S_ISDIR(st.st_mode) and m is None:  # a killed folder export's
            if _stale_folder(entry.path, now, protected):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.name)
            continue
        if not stat.S_ISREG(st.st_mode) or not entry.name.endswith(".part"):
            continue
        if (st.st_dev, st.st_ino) in protected:
            continue
        old = now - st.st_mtime > STALE_AFTER_S
        dead = m is not None and not _pid_alive(int(m.group(1)))
        if (old or dead) and _writer_gone(entry.path):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(entry.name)
    return removed
