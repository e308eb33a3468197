"""The recovery file: the pending edits as canonical JSONL that ``annotator import-labels``
reads (see the package's docstring), and what that format cannot restore."""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import jsonsafe
from ..errors import AnnotatorError
from ..models import MANUAL, Span, edited_origin
from ..records import MutableRecord, replace
from .edits import (
    GOLD_EDITS,
    AddSpan,
    AddTime,
    DeleteSpan,
    Edit,
    RelabelSpan,
    RestoreSpan,
    SetDocLabel,
    SetMemo,
    SetSpanNote,
    SetStatus,
    SetTitle,
    coder_of,
    edited_title,
)


class DocInfo(MutableRecord):
    """What a recovery line needs of a document (kept so it is written without the store)."""

    text: str
    title: str
    sha256: str

    def __init__(self, text: str, title: str, sha256: str) -> None:
        self.text = text
        self.title = title
        self.sha256 = sha256


class Recovery(MutableRecord):
    path: Path
    lines: int
    not_restored: list[str]  # what import-labels cannot bring back, one line each
    command: str  # the import-labels command line to run

    def __init__(self, path: Path, lines: int, not_restored: list[str], command: str) -> None:
        self.path = path
        self.lines = lines
        self.not_restored = not_restored
        self.command = command


def recovery_records(
    pending: Sequence[Edit], ids: dict[int, int], docs: dict[int, DocInfo]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Canonical JSONL records for the ``pending`` edits, and what they cannot restore;
    ``ids`` maps the handles of spans written since, ``docs`` holds the documents' texts.

    One record per (document, coder) with pending edits; a title edit goes with the
    document's first record (or a record of its own without a coder).
    """
    groups: dict[tuple[int, str | None], list[Edit]] = {}
    titled: dict[int, None] = {}
    unrecorded: list[tuple[int, str]] = []  # edits no record carries (gold, rejections)
    for e in pending:
        if isinstance(e, SetTitle):
            titled[e.doc_id] = None
        elif isinstance(e, GOLD_EDITS):  # import-labels refuses the gold layer
            unrecorded.append((e.doc_id, f"review mode: {e.describe()}; redo it there"))
        elif coder_of(e) is None:  # no label (a rejected suggestion): not a record's
            unrecorded.append((e.doc_id, f"{e.describe()}; do it again"))
        else:
            groups.setdefault((e.doc_id, coder_of(e)), []).append(e)
    for doc_id in titled:
        if not any(d == doc_id for d, _c in groups):
            groups[(doc_id, None)] = []
    records: list[dict[str, Any]] = []
    lost: list[str] = []
    stamp = int(time.time())  # a value the coder sets after this is kept by the import
    for (doc_id, coder), edits in groups.items():
        spans, fields, notes, origins = _end_state(edits, ids)
        state = next((e.state for e in reversed(edits) if isinstance(e, SetStatus)), None)
        memo = next((e.text for e in reversed(edits) if isinstance(e, SetMemo)), None)
        if memo is not None and not memo.strip():  # import-labels never removes a memo
            notes.append("remove the memo by hand")
            memo = None
        if doc_id in titled:
            notes.append(f"set the title to {edited_title(pending, '', doc_id)!r} again")
            del titled[doc_id]
        notes = [f"document {doc_id}: {x}" for x in notes]
        notes += [f"document {doc_id}: {x}" for d, x in unrecorded if d == doc_id]
        unrecorded = [(d, x) for d, x in unrecorded if d != doc_id]
        record = _record(pending, docs, doc_id, coder, spans, fields, notes, state, stamp)
        if memo is not None:
            record["memo"] = memo
        # import-labels reads the origins: an accepted suggestion stays one
        record["doc_label_origins"] = {k: origins[k] for k in fields}
        records.append(record)
        lost += notes
    lost += [f"document {d}: {x}" for d, x in unrecorded]  # no record of its own
    return records, lost


def _end_state(
    edits: list[Edit], ids: dict[int, int]
) -> tuple[list[Span], dict[str, Any], list[str], dict[str, str]]:
    """Replay one coder's edits of one document: the spans they leave (added or
    changed), the fields they set, what import-labels cannot express, and the origins
    of the fields' values."""
    touched: dict[int, Span] = {}  # id -> span as it ends up
    stored_before: dict[int, Span] = {}  # spans the database held before the edits
    fields: dict[str, Any] = {}
    origins: dict[str, str] = {}  # of the fields' values
    seconds, states = 0.0, list[str]()
    for e in edits:
        if isinstance(e, AddSpan):
            touched[e.handle] = e.shape()
        elif isinstance(e, RestoreSpan):
            touched[ids.get(e.shape.id, e.shape.id)] = e.shape
        elif isinstance(e, (DeleteSpan, RelabelSpan, SetSpanNote)):
            sid = ids.get(e.shape.id, e.shape.id)
            if sid >= 0 and sid not in touched and sid not in stored_before:
                stored_before[sid] = e.shape
            if isinstance(e, DeleteSpan):
                touched.pop(sid, None)
            elif isinstance(e, RelabelSpan):
                was = touched.get(sid, e.shape)
                # an undo names the origin it puts back; a relabel edits a suggestion's
                origin = getattr(e, "origin", None) or (
                    edited_origin(was.origin) if was.label != e.label else was.origin
                )
                touched[sid] = replace(was, label=e.label, origin=origin)
            else:
                touched[sid] = replace(touched.get(sid, e.shape), note=e.note)
        elif isinstance(e, SetDocLabel):
            fields[e.field] = e.value
            origins[e.field] = getattr(e, "origin", MANUAL)  # an accepted suggestion's
        elif isinstance(e, SetStatus):
            states.append(e.state)
        elif isinstance(e, AddTime):
            seconds += e.seconds
    lost: list[str] = []
    for sid, old in stored_before.items():
        new = touched.get(sid)
        where = f"[{old.start}, {old.end})"
        if new is None:
            lost.append(f"delete the saved {old.label} span {where} by hand")
        elif (new.label, new.note) != (old.label, old.note):
            lost.append(
                f"the saved {old.label} span {where} stays beside its new version"
                f" ({new.label}); delete the old one by hand"
            )
    for name, value in fields.items():
        if value is None:
            lost.append(f"clear the field {name} by hand")
    if states and states[-1] != "done":  # import-labels moves a status forward only
        lost.append(
            f"mark the document {states[-1].replace('_', ' ')} again if it shows further on"
        )
    if seconds:
        lost.append(f"coding time ({seconds:.0f} s) is not restored")
    spans = sorted(touched.values(), key=lambda s: (s.start, s.end, s.label))
    kept = {k: v for k, v in fields.items() if v is not None}
    return spans, kept, lost, origins


def _record(
    pending: Sequence[Edit],
    docs: dict[int, DocInfo],
    doc_id: int,
    coder: str | None,
    spans: list[Span],
    fields: dict[str, Any],
    lost: list[str],
    state: str | None = None,
    stamp: int | None = None,
) -> dict[str, Any]:
    info = docs.get(doc_id)
    if info is None:  # pragma: no cover - the window remembers every document it edits
        raise AnnotatorError(f"document {doc_id}: its text was not kept")
    title = edited_title(pending, info.title, doc_id)
    return {
        "text": info.text,
        "meta": {"doc_id": doc_id, "title": title, "sha256": info.sha256},
        "spans": [
            {
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "text": info.text[s.start : s.end],
                "note": s.note,
                "origin": s.origin,
            }
            for s in spans
        ],
        "doc_labels": {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()},
        "status": state,
        "answer": "accept",
        "_annotator_id": coder,
        "_timestamp": stamp,
        "_not_restored_by_import": lost,
    }


def write_recovery(
    pending: Sequence[Edit],
    ids: dict[int, int],
    docs: dict[int, DocInfo],
    path: str | Path,
    db_path: str | Path,
) -> Recovery:
    """Write the ``pending`` edits to ``path`` atomically (a temporary file beside it,
    renamed into place); returns what was written and the command that imports it."""
    path = Path(path)
    records, lost = recovery_records(pending, ids, docs)
    lines = [jsonsafe.dumps(r).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
             for r in records]  # fmt: skip
    tmp = None
    try:
        # a part file of its own (two windows closing at once write the same name)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with open(fd, "w", encoding="utf-8", newline="\n") as f:
            os.chmod(tmp, 0o666 & ~_umask())
            for line in lines:
                f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
        path = _link_new(tmp, path)
    except OSError as e:
        raise AnnotatorError(f"{path}: cannot write the recovery file: {e.strerror or e}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    command = shlex.join(["annotator", "--db", str(db_path), "import-labels", str(path)])
    return Recovery(path, len(lines), lost, command)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _link_new(tmp: str, path: Path) -> Path:
    """Give ``tmp`` the name ``path``, or ``stem-2.jsonl``, ``stem-3.jsonl``, ... when
    that exists: an earlier recovery file (another window, the same second) is never
    replaced. Returns the name given."""
    for n in range(1, 10_000):
        target = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            os.link(tmp, target)  # fails if the name exists: never replaces a file
            return target
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            if os.path.lexists(target):
                continue
            os.replace(tmp, target)
            return target
    raise FileExistsError(errno.EEXIST, "too many recovery files of that name", str(path))


def recovery_path(db_path: str | Path, when: datetime | None = None) -> Path:
    """``labels-unsaved-20260101-120000.jsonl`` beside ``labels.db``."""
    db_path = Path(db_path)
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return db_path.with_name(f"{db_path.stem}-unsaved-{stamp}.jsonl")
