"""Only SQLite may open the window's database file in the window's process.

POSIX drops every ``fcntl`` lock a process holds on a file as soon as the process closes
*any* descriptor of that file. SQLite's locks on ``labels.db`` and ``labels.db-shm`` are
what tell other processes that the window still uses the WAL; once they are gone, the
next ``annotator stats`` in a terminal checkpoints and deletes ``labels.db-wal`` and the
window's later edits go to a deleted file. A single Python ``open()`` of the database
(a header check, a hash, a copy, an import of a ``.txt`` symlink pointing at it) is
enough.

:func:`protect` registers a window; from then on a Python-level open (``open``,
``io.open``, ``os.open``, ``Path.read_bytes``, ...) of its database, ``-wal``, ``-shm``
or ``-journal`` — by any path, symlink or hard link — raises :class:`PermissionError`
with one readable line instead of silently dropping the locks. SQLite's own opens (in
C) and Qt's are not Python-level and are not affected; the file dialogs are made safe in
``file_actions.file_dialog``.
"""

from __future__ import annotations

import errno
import os
import sys
import weakref
from typing import Any

SUFFIXES = ("", "-wal", "-shm", "-journal")

_windows: weakref.WeakSet = weakref.WeakSet()
_installed = False


def protect(window: Any) -> None:
    """Refuse Python-level opens of ``window.store``'s files while the window lives."""
    global _installed
    _windows.add(window)
    if not _installed:
        sys.addaudithook(_audit)
        _installed = True


def release(window: Any) -> None:
    """Stop protecting ``window``'s files: it closed and will write no more."""
    _windows.discard(window)


def _databases() -> list[str]:
    paths = []
    for window in list(_windows):
        try:
            paths.append(os.path.realpath(window.store.path))
        except Exception:  # noqa: BLE001 - a window being torn down: nothing to protect
            continue
    return paths


def refusal(path: Any) -> str | None:
    """Why ``path`` must not be opened here (one line, without the path), or None."""
    if not _windows or not isinstance(path, (str, bytes, os.PathLike)):
        return None
    databases = _databases()
    if not databases:
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        st = None
    for db in databases:
        for suffix in SUFFIXES:
            name = db + suffix
            if st is None:
                try:
                    same = os.path.realpath(path) == name
                except (OSError, ValueError):
                    same = False
            else:
                try:
                    other = os.stat(name)
                except OSError:
                    continue
                same = (st.st_dev, st.st_ino) == (other.st_dev, other.st_ino)
            if same:
                return (
                    f"is the database open in this window ({name}); only SQLite may"
                    " open it (reading it would drop the window's locks)"
                )
    return None


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _windows:
        problem = refusal(args[0])
        if problem is not None:  # str(): "[Errno 13] is the database open ...: 'path'"
            raise PermissionError(errno.EACCES, problem, os.fsdecode(args[0]))
