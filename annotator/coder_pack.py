"""``annotator pack``: a database for one coder, to send them (a coder's package).

``pack_coder(store, "ana", "ana.db", round=None, with_labels=False)`` writes a new file
holding:

- the coder's assigned documents (of ``round``, else of every round) with their stored
  text, meta and token offsets (no spaCy is needed to make or open it);
- every scheme version; the rounds the coder has assignments in; the coder's
  assignments, in queue order;
- the coder's own labels, statuses, times and memos on those documents (a pack made
  again continues where the coder was); other coders' labels and the gold layer only
  with ``with_labels`` (a revision round: the coder then sees who else coded what);
- the file settings ``PACK_CODER`` (the coder: the window codes as them without asking)
  and ``PACK_ROUND`` (``round``, else this database's current round when the coder has
  assignments in it, else the last round they have assignments in).

The pack does not tell the coder which documents are in the reliability sample: its
assignments have ``reliability`` NULL, and its rounds keep their names only (seed NULL,
design ``{"packed_for": coder}``), since the seed and the design would let anyone draw
the sample again. ``annotator merge ana.db`` brings the coder's work back
(:mod:`annotator.merge`).

Refused with one line, writing nothing: an unknown coder or round, a coder with no
assignments (in that round), an output that is this database or any existing file (a
pack never replaces a file), and an output folder that is missing or read-only. The pack
is written to a hidden part file beside the target (:func:`annotator.paths.create_part`)
and renamed into place only when complete: a pack killed midway leaves no file under the
target's name, and the next pack to that target removes what it left.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .atomic import mode_of
from .errors import NotFoundError
from .paths import OutputError, check_output, create_part, remove_stale_parts
from .store import SIDECARS, Store, database_error


@dataclass(frozen=True)
class PackReport:
    """What :func:`pack_coder` wrote."""

    path: str
    coder: str
    round: str  # the round recorded in the pack (PACK_ROUND)
    rounds: int
    documents: int
    assignments: int
    spans: int
    doc_labels: int
    statuses: int
    memos: int
    with_labels: bool

    def summary(self) -> str:
        whose = "every coder's labels" if self.with_labels else f"{self.coder}'s own labels"
        return (
            f"Wrote {self.path} for {self.coder}: {self.documents} document(s),"
            f" {self.assignments} assignment(s) in {self.rounds} round(s) (current round"
            f" {self.round!r}), {self.spans} span(s), {self.doc_labels} document label(s) and"
            f" {self.memos} memo(s) ({whose})."
        )


def pack_round_for(store: Store, coder: str, round: str | None) -> str:
    """The round a pack records: ``round`` if given, else this database's current round
    if the coder has assignments in it, else the last round they have any in.
    NotFoundError when the coder has no assignments (in ``round``)."""
    if round is not None:
        store.get_round(round)  # one line naming the known rounds
    names = [round] if round is not None else [r.name for r in store.rounds()]
    theirs = [name for name in names if store.queue(coder, name)]  # in the order made
    if not theirs:
        where = f" in round {round!r}" if round is not None else ""
        raise NotFoundError(f"coder {coder!r} has no assignments{where}; nothing to pack")
    if round is not None:
        return round
    current = store.current_round()
    return current if current in theirs else theirs[-1]


def pack_coder(
    store: Store,
    coder: str,
    output: str | Path,
    round: str | None = None,
    with_labels: bool = False,
) -> PackReport:
    """Write ``coder``'s pack to ``output`` (a new file); see the module's docstring."""
    (coder,) = store.resolve_coders([coder])
    pack_round = pack_round_for(store, coder, round)
    target = _check_new_output(output, store)
    remove_stale_parts(target, [store])
    for name in _leftovers(target):  # what a killed pack's SQLite left beside its part file
        with contextlib.suppress(OSError):
            os.unlink(name)
    try:
        fd, tmp = create_part(target)
    except OSError as e:
        raise OutputError(f"{target}: cannot write ({e.strerror})") from None
    try:
        os.chmod(tmp, mode_of(target, 0o666))  # mkstemp makes it private; the umask's
        try:
            counts = store.write_pack(Path(tmp), coder, round, pack_round, with_labels)
        except sqlite3.Error as e:  # a full disk, say: name the pack, not the database
            raise database_error(Path(output), e, "cannot write the pack") from None
        _place(tmp, target, output)
    except BaseException:
        for name in (tmp, *(tmp + s for s in SIDECARS)):
            with contextlib.suppress(OSError):
                os.unlink(name)
        raise
    finally:
        os.close(fd)
    return PackReport(
        str(output), coder, pack_round, counts.rounds, counts.documents, counts.assignments,
        counts.spans, counts.doc_labels, counts.statuses, counts.memos, with_labels,
    )  # fmt: skip


def _place(tmp: str, target: Path, output: str | Path) -> None:
    """Give the complete part file the target's name, never replacing a file made there
    meanwhile: a hard link fails if the name exists (where the file system has no hard
    links, the name is checked just before the rename)."""
    exists = OutputError(f"{output}: exists now (made meanwhile); the pack was not written")
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise exists from None
    except OSError:
        if os.path.lexists(target):
            raise exists from None
        os.replace(tmp, target)
    else:
        os.unlink(tmp)


def _check_new_output(output: str | Path, store: Store) -> Path:
    """The target as a Path: :func:`annotator.paths.check_output` (never this database or
    its companions; the folder exists and can be written), and it must not exist."""
    if str(output) == "-":
        raise OutputError("a pack is a database file; give a file name, not '-'")
    target = check_output(output, databases=[store], writer="a pack")
    if os.path.lexists(target):
        raise OutputError(f"{output}: exists; a pack never replaces a file: choose a new file name")
    return target


def _leftovers(target: Path) -> list[str]:
    """The -journal/-wal/-shm of part files of ``target`` that no longer exist."""
    folder = target.parent if str(target.parent) else Path(".")
    prefix = f".{target.name}."
    out = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            for suffix in SIDECARS:
                base = entry.name[: -len(suffix)]
                if (
                    entry.name.startswith(prefix)
                    and entry.name.endswith(".part" + suffix)
                    and not os.path.exists(os.path.join(folder, base))
                ):
                    out.append(entry.path)
    return out
