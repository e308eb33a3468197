"""Atomic outputs: a file or folder appears under its name only when it is complete.

A leaf of the package (it imports only :mod:`annotator.errors` and :mod:`annotator.paths`):
the export, its format writers and the agreement report all write through it. A file is
written to a part file beside the target and renamed over it when the block finishes; a
folder is built beside the target and swapped in. An output keeps the permissions of the
one it replaces (a private export stays private).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import AnnotatorError
from .paths import EXPORT_MARKER


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def mode_of(target: str | Path, default: int) -> int:
    """The permissions a new output takes: those of the file (or folder) it replaces, so
    a private (0600) export stays private; else ``default`` less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return default & ~current_umask()


@contextmanager
def atomic_output(
    target: str | Path, binary: bool = False, databases: Iterable[Any] = ()
) -> Iterator[IO[Any]]:
    """A file that appears under ``target`` only if the block finishes ("-": stdout).

    The target is checked first (:func:`annotator.paths.check_output`: never the open
    database or one of its files, never a folder, FIFO or device, and its folder must
    exist); part files that killed exports left for this target are removed. A write
    the disk refuses is one line naming the target; the target is left as it was.
    """
    if str(target) == "-":
        out = sys.stdout.buffer if binary else sys.stdout
        yield out
        out.flush()
        return
    from .paths import OutputError, check_output, create_part, remove_stale_parts

    target = check_output(target, databases=databases)
    remove_stale_parts(target, databases)
    try:
        fd, tmp = create_part(target)
    except OSError as e:
        raise OutputError(f"{target}: cannot write ({e.strerror})") from None
    try:
        opened: IO[Any] = (
            os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        )
        with opened as fh:
            os.chmod(tmp, mode_of(target, 0o666))  # mkstemp makes it private
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
            os.replace(tmp, target)  # before the close: the part file's lock marks it live
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError) and e.filename in (None, tmp, str(target)):
            raise OutputError(f"{target}: cannot write ({e.strerror or e})") from None
        raise


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """A folder that replaces ``target`` only when the block finishes.

    The paths are made absolute first: ``-o .`` or ``-o ../out`` run from inside the
    folder being replaced would otherwise change meaning once that folder (the working
    directory) is moved aside."""
    shown = target
    target = Path(os.path.abspath(target))
    if target.exists() and not target.is_dir():
        raise AnnotatorError(f"{shown}: exists and is not a folder")
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=parent))
        os.chmod(tmp, mode_of(target, 0o777))  # the replaced folder's, else umask's
    except OSError as e:
        raise AnnotatorError(f"{shown}: cannot write ({e.strerror or e})") from None
    try:
        # marks the folder as an export, which a later export may replace (paths.py)
        (tmp / EXPORT_MARKER).write_text(
            "Written by annotator's export; the next export to this folder replaces it.\n",
            encoding="utf-8",
        )
        yield tmp
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.replace(target, old / "x")
            try:
                os.replace(tmp, target)
            except BaseException:
                os.replace(old / "x", target)  # the earlier export goes back where it was
                old.rmdir()
                raise
            shutil.rmtree(old)
        else:
            os.replace(tmp, target)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        # a write the disk refused (full, read-only) names the output, not just the reason
        if isinstance(e, OSError) and (
            e.filename is None or str(e.filename).startswith((str(tmp), str(parent)))
        ):
            raise AnnotatorError(f"{shown}: cannot write ({e.strerror or e})") from None
        raise


# Characters that str.splitlines() and some JSONL readers treat as line ends; JSON allows
# them raw inside strings, so they are escaped to keep one record per physical line.
_LINE_BREAKERS = (("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("\x85", "\\u0085"))


def dumps_line(rec: dict[str, Any]) -> str:
    """One JSON object as one line: UTF-8 kept readable, Unicode line separators escaped.

    Strict JSON only (no NaN/Infinity): anything else is an :class:`AnnotatorError`.
    """
    try:
        line = json.dumps(rec, ensure_ascii=False, allow_nan=False)
    except ValueError as e:
        doc_id = (rec.get("meta") or {}).get("doc_id") if isinstance(rec, dict) else None
        where = f"document {doc_id}: " if doc_id is not None else ""
        raise AnnotatorError(f"{where}cannot be written as strict JSON ({e})") from None
    for char, escape in _LINE_BREAKERS:
        if char in line:  # rare; str.translate would cost a dict lookup per character
            line = line.replace(char, escape)
    return line
