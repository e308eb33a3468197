"""The ordered queue of edits not written yet (see the package's docstring)."""

from __future__ import annotations

import sqlite3
from collections import deque
from pathlib import Path
from typing import Any, overload

from ..errors import (
    AnnotatorError,
    DatabaseBusyError,
    DatabaseFullError,
    DatabaseReadOnlyError,
    ValidationError,
    WriteFailedError,
)
from ..models import Span
from ..records import MutableRecord, replace
from ..store import Store
from . import recovery
from .edits import (
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
    coder_of,
    edited_memo,
    edited_title,
)
from .recovery import DocInfo, Recovery


class FlushResult(MutableRecord):
    written: int
    dropped: list[str]  # one line per edit given up
    error: WriteFailedError | None  # why the rest is still pending

    def __init__(
        self,
        written: int = 0,
        dropped: list[str] | None = None,  # None: a new empty list
        error: WriteFailedError | None = None,
    ) -> None:
        self.written = written
        self.dropped = [] if dropped is None else dropped
        self.error = error


class PendingEdits:
    """The ordered queue of edits not written yet (see the package's docstring)."""

    def __init__(self) -> None:
        self.edits: deque[Edit] = deque()
        self.ids: dict[int, int] = {}  # span handle -> real id
        self.docs: dict[int, DocInfo] = {}
        self.db_path: Path | None = None  # the database the pending edits belong to
        self.error: WriteFailedError | None = None  # the latest refusal
        self._next_handle = -1

    def __len__(self) -> int:
        return len(self.edits)

    def __bool__(self) -> bool:
        return bool(self.edits)

    def new_handle(self) -> int:
        h = self._next_handle
        self._next_handle -= 1
        return h

    def resolve(self, span_id: int) -> int:
        """The database id of a span (a handle once its span is written)."""
        if span_id >= 0:
            return span_id
        if span_id not in self.ids:
            raise ValidationError("the span this edit refers to was never saved")
        return self.ids[span_id]

    @overload
    def visible_id(self, span_id: int) -> int: ...
    @overload
    def visible_id(self, span_id: None) -> None: ...
    def visible_id(self, span_id: int | None) -> int | None:
        """The id a window shows for a span: the real one once it is written."""
        if span_id is None:
            return None
        return self.ids.get(span_id, span_id)

    def belongs_to(self, store: Store) -> bool:
        """Whether the pending edits are for ``store``'s database (none pending: yes)."""
        return not self.edits or self.db_path is None or self.db_path == _path(store)

    def remember(self, doc_id: int, info: DocInfo) -> None:
        self.docs.setdefault(doc_id, info)

    # -- writing --------------------------------------------------------------------

    def write(self, store: Store, edit: Edit) -> tuple[bool, Any]:
        """Write ``edit`` now, or queue it; returns ``(written, result)``.

        With edits pending it queues behind them (order). A write the database refuses
        for now (:class:`WriteFailedError`) is queued; any other refusal raises (nothing
        was written and nothing is queued).
        """
        if self.edits:
            last = self.edits[-1]
            if (
                isinstance(edit, AddTime)
                and isinstance(last, AddTime)
                and (last.doc_id, last.coder) == (edit.doc_id, edit.coder)
            ):
                last.seconds += edit.seconds  # one write for the time of one article
            else:
                self.edits.append(edit)
            return False, None
        try:
            result = edit.apply(store, self)
        except (WriteFailedError, sqlite3.OperationalError) as e:
            self.error = _write_failed(store, e)
            self.edits.append(edit)
            self.db_path = _path(store)
            return False, None
        return True, result

    def flush(self, store: Store) -> FlushResult:
        """Write the pending edits in order; stop at the first one refused for now."""
        out = FlushResult()
        if self.edits and self.db_path is not None and _path(store) != self.db_path:
            out.error = self.error = WriteFailedError(
                f"{self.db_path}: not saved: that database is no longer open"
            )
            return out
        while self.edits:
            edit = self.edits[0]
            try:
                edit.apply(store, self)
            except (WriteFailedError, sqlite3.OperationalError) as e:
                out.error = self.error = _write_failed(store, e)
                return out
            except AnnotatorError as e:
                self.edits.popleft()
                out.dropped.append(f"Not saved, given up: {edit.describe()}: {e}")
            else:
                self.edits.popleft()
                out.written += 1
        self.error = None
        self.docs.clear()  # kept only for a recovery file; span handles stay mapped
        return out

    def reason(self) -> str:
        """A few words on why edits are pending ("database busy", ...)."""
        e = self.error
        if isinstance(e, DatabaseBusyError):
            return "database busy"
        if isinstance(e, DatabaseFullError):
            return "disk or database full"
        if isinstance(e, DatabaseReadOnlyError):
            return "database read-only"
        if e is not None and "no longer open" in str(e):
            return "its database is no longer open"
        return "database cannot be written"  # e.g. a disk I/O error

    def count(self) -> int:
        """The coder's edits pending (coding time, recorded on the side, not counted)."""
        return sum(not isinstance(e, AddTime) for e in self.edits)

    def what(self) -> str:
        """ "3 edits", "1 edit", or "coding time" (when that is all that is pending)."""
        n = self.count()
        if n == 0 and self.edits:
            return "coding time"
        return f"{n} edit{'s' if n != 1 else ''}"

    def summary(self) -> str:
        """The status bar's line: "3 edits not saved — database busy, retrying"."""
        return f"{self.what()} not saved — {self.reason()}, retrying"

    # -- what the window shows --------------------------------------------------------

    def shown_spans(self, store: Store, doc_id: int, coder: str) -> tuple[list[Span], set[int]]:
        """One coder's spans of a document in ``store`` as edited (these pending edits
        included if they are ``store``'s), and the unsaved ids."""
        stored = store.spans(doc_id, coder)
        if not self.belongs_to(store):
            return stored, set()
        return self.spans(stored, doc_id, coder)

    def shown_fields(self, store: Store, doc_id: int, coder: str) -> dict[str, Any]:
        """One coder's document fields in ``store`` as edited (see :meth:`shown_spans`)."""
        stored = store.doc_labels(doc_id, coder)
        if not self.belongs_to(store):
            return stored
        return self.fields(stored, doc_id, coder)[0]

    def shown_status(self, store: Store, doc_id: int, coder: str) -> str:
        """One coder's status of a document in ``store`` as edited."""
        stored = store.status(doc_id, coder)
        if not self.belongs_to(store):
            return stored
        return self.status(stored, doc_id, coder)

    def shown_memo(self, store: Store, doc_id: int, coder: str) -> str:
        """One coder's memo on a document in ``store`` as edited (see :meth:`shown_spans`)."""
        stored = store.memo(doc_id, coder)
        if not self.belongs_to(store):
            return stored
        return self.memo(stored, doc_id, coder)

    def memo(self, stored: str, doc_id: int, coder: str) -> str:
        """One coder's ``stored`` memo on a document with the pending memo edits applied."""
        return edited_memo(self.edits, stored, doc_id, coder)

    def memo_unsaved(self, doc_id: int, coder: str) -> bool:
        """Whether one coder's memo on a document has an edit not written yet."""
        return any(
            isinstance(e, SetMemo) and (e.doc_id, e.coder) == (doc_id, coder) for e in self.edits
        )

    def spans(self, stored: list[Span], doc_id: int, coder: str) -> tuple[list[Span], set[int]]:
        """One coder's ``stored`` spans of a document with that coder's pending edits
        applied, in position order, and the ids of those that are not saved as shown."""
        cur = {s.id: s for s in stored}
        unsaved: set[int] = set()
        for e in self.edits:
            if e.doc_id != doc_id or coder_of(e) != coder:
                continue
            if isinstance(e, AddSpan):
                cur[e.handle] = e.shape()
                unsaved.add(e.handle)
            elif isinstance(e, RestoreSpan):
                sid = self.visible_id(e.shape.id)
                cur[sid] = replace(e.shape, id=sid)
                unsaved.add(sid)
            elif isinstance(e, DeleteSpan):
                sid = self.visible_id(e.shape.id)
                cur.pop(sid, None)
                unsaved.discard(sid)
            elif isinstance(e, (RelabelSpan, SetSpanNote)):
                sid = self.visible_id(e.shape.id)
                if sid in cur:
                    if isinstance(e, RelabelSpan):
                        cur[sid] = replace(cur[sid], label=e.label)
                    else:
                        cur[sid] = replace(cur[sid], note=e.note)
                    unsaved.add(sid)
        spans = sorted(cur.values(), key=lambda s: (s.start, s.end, s.id < 0, abs(s.id)))
        return spans, unsaved

    def fields(
        self, stored: dict[str, Any], doc_id: int, coder: str
    ) -> tuple[dict[str, Any], set[str]]:
        values, unsaved = dict(stored), set[str]()
        for e in self.edits:
            if isinstance(e, SetDocLabel) and (e.doc_id, e.coder) == (doc_id, coder):
                if e.value is None:
                    values.pop(e.field, None)
                else:
                    values[e.field] = tuple(e.value) if isinstance(e.value, list) else e.value
                unsaved.add(e.field)
        return values, unsaved

    def status(self, stored: str, doc_id: int, coder: str) -> str:
        state = stored
        for e in self.edits:
            if isinstance(e, SetStatus) and (e.doc_id, e.coder) == (doc_id, coder):
                state = e.state
            elif (
                isinstance(e, (AddSpan, SetDocLabel))
                and (e.doc_id, e.coder) == (doc_id, coder)
                and state == "new"
            ):
                state = "in_progress"
        return state

    def title(self, stored: str, doc_id: int) -> str:
        return edited_title(self.edits, stored, doc_id)

    def doc_ids(self) -> set[int]:
        return {e.doc_id for e in self.edits}

    # -- the recovery file ------------------------------------------------------------

    def recovery_records(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Canonical JSONL records for the pending edits, and what they cannot restore
        (see :func:`~annotator.pending.recovery.recovery_records`)."""
        return recovery.recovery_records(self.edits, self.ids, self.docs)

    def write_recovery(self, path: str | Path, db_path: str | Path) -> Recovery:
        """Write the pending edits to ``path`` atomically (a temporary file beside it,
        renamed into place); returns what was written and the command that imports it."""
        return recovery.write_recovery(self.edits, self.ids, self.docs, path, db_path)


def _path(store: Store) -> Path:
    return Path(store.path).resolve()


def _write_failed(store: Store, e: Exception) -> WriteFailedError:
    if isinstance(e, WriteFailedError):
        return e
    return WriteFailedError(f"{store.path}: not saved: {e}")
