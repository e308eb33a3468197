"""Edits the window could not write yet: an ordered queue, retried until written.

When the database refuses a write that may succeed later (another process holds the
lock beyond the busy timeout, the disk is full, the file became read-only:
:class:`~annotator.errors.WriteFailedError`), the edit is kept here instead of being
lost. Every later edit queues behind it, so the database receives the edits in the
order they were made, each exactly once; :meth:`PendingEdits.flush` writes them from
the front and stops at the first refusal. An edit the database refuses for good (a
:class:`~annotator.errors.ValidationError`, e.g. another process deleted the span it
changes) is dropped from the queue and reported in one line, so it never blocks the
others.

A span added while edits are pending has no database id yet: it gets a *handle*, a
negative number that later edits (relabel, delete, undo) use and that is mapped to
the real id once the span is written. :meth:`PendingEdits.spans`,
:meth:`~PendingEdits.fields`, :meth:`~PendingEdits.status` and
:meth:`~PendingEdits.title` lay the pending edits over what the database holds, so a
window shows what the coder did, marked as unsaved.

If they can never be written, :meth:`PendingEdits.write_recovery` writes them to a
canonical JSONL file that ``annotator import-labels`` reads (the intended end state of
each touched document: spans added or changed, document fields set, a "done" status,
with the time the file was written as ``_timestamp``); what that format cannot express
(deleting a stored span or the old label of a relabelled one, clearing a field, moving a
status back, coding time, titles) is listed in each line under
``_not_restored_by_import`` and returned, so the user is told.

Plain Python (no Qt): the window drives the retry timer and the drawing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shlex
import sqlite3
import tempfile
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar, overload

from . import jsonsafe
from .errors import (
    AnnotatorError,
    DatabaseBusyError,
    DatabaseFullError,
    DatabaseReadOnlyError,
    DuplicateSpanError,
    NotFoundError,
    ValidationError,
    WriteFailedError,
)
from .models import DocLabel, Span
from .scheme import Scheme
from .store import GOLD, Store

# -- the edits ----------------------------------------------------------------------


class Edit:
    """One store call, kept until it is written. ``doc_id`` is the document it changes."""

    doc_id: int

    def apply(self, store: Store, q: PendingEdits) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(eq=False)
class AddSpan(Edit):
    doc_id: int
    coder: str
    start: int
    end: int
    label: str
    handle: int  # negative until written; then PendingEdits maps it to the real id
    note: str = ""
    span: Span | None = None  # the stored span, once written

    def apply(self, store: Store, q: PendingEdits) -> Span:
        self.span = store.add_span(
            self.doc_id, self.coder, self.start, self.end, self.label, self.note,
            unique=True,
        )  # fmt: skip
        q.ids[self.handle] = self.span.id
        return self.span

    def shape(self) -> Span:
        return Span(
            self.handle, self.doc_id, self.coder, self.start, self.end, self.label, self.note
        )

    def describe(self) -> str:
        return f"add {self.label} span [{self.start}, {self.end}) in document {self.doc_id}"


@dataclass(eq=False)
class DeleteSpan(Edit):
    doc_id: int
    shape: Span  # the span as the window showed it (its id may be a handle)
    deleted: Span | None = None  # the stored span, once deleted (for a later restore)

    def apply(self, store: Store, q: PendingEdits) -> Span:
        self.deleted = store.delete_span(q.resolve(self.shape.id))
        return self.deleted

    def describe(self) -> str:
        s = self.shape
        return f"delete {s.label} span [{s.start}, {s.end}) in document {self.doc_id}"


@dataclass(eq=False)
class RestoreSpan(Edit):
    """Bring back the span an earlier :class:`DeleteSpan` removed (same id: undo)."""

    doc_id: int
    shape: Span
    source: DeleteSpan

    def apply(self, store: Store, q: PendingEdits) -> Span:
        if self.source.deleted is None:
            raise ValidationError("the deletion this undoes was never written")
        return store.restore_span(self.source.deleted)

    def describe(self) -> str:
        s = self.shape
        return f"restore {s.label} span [{s.start}, {s.end}) in document {self.doc_id}"


@dataclass(eq=False)
class RelabelSpan(Edit):
    doc_id: int
    shape: Span  # before the change
    label: str

    def apply(self, store: Store, q: PendingEdits) -> Span:
        return store.relabel_span(q.resolve(self.shape.id), self.label)

    def describe(self) -> str:
        s = self.shape
        return (
            f"relabel span [{s.start}, {s.end}) in document {self.doc_id}"
            f" from {s.label} to {self.label}"
        )


@dataclass(eq=False)
class SetSpanNote(Edit):
    doc_id: int
    shape: Span
    note: str

    def apply(self, store: Store, q: PendingEdits) -> Span:
        return store.set_span_note(q.resolve(self.shape.id), self.note)

    def describe(self) -> str:
        s = self.shape
        return f"note of {s.label} span [{s.start}, {s.end}) in document {self.doc_id}"


@dataclass(eq=False)
class SetDocLabel(Edit):
    doc_id: int
    coder: str
    field: str
    value: Any  # an option, a tuple/list of options, or None (clear)

    def apply(self, store: Store, q: PendingEdits) -> Any:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return store.set_doc_label(self.doc_id, self.coder, self.field, value)

    def describe(self) -> str:
        what = "clear" if self.value is None else "set"
        return f"{what} {self.field} of document {self.doc_id}"


@dataclass(eq=False)
class SetStatus(Edit):
    doc_id: int
    coder: str
    state: str

    def apply(self, store: Store, q: PendingEdits) -> None:
        store.set_status(self.doc_id, self.coder, self.state)

    def describe(self) -> str:
        return f"mark document {self.doc_id} {self.state.replace('_', ' ')}"


@dataclass(eq=False)
class AddTime(Edit):
    doc_id: int
    coder: str
    seconds: float

    def apply(self, store: Store, q: PendingEdits) -> None:
        store.add_time(self.doc_id, self.coder, self.seconds)

    def describe(self) -> str:
        return f"{self.seconds:.0f} s of coding time on document {self.doc_id}"


@dataclass(eq=False)
class SetTitle(Edit):
    doc_id: int
    title: str

    def apply(self, store: Store, q: PendingEdits) -> str:
        return store.set_title(self.doc_id, self.title)

    def describe(self) -> str:
        return f"title of document {self.doc_id}"


# -- review mode: the gold layer (spans found by (start, end, label), as the review does)

SpanKey = tuple[int, int, str]


class ReadStore(Protocol):
    """What reads a database: a :class:`~annotator.store.Store`, or an :class:`Overlay`
    (the store with the pending edits laid over it, what a window shows). The
    adjudication logic (``decisions.py``) and the windows' commands read through it."""

    @property
    def scheme(self) -> Scheme: ...

    def document_ids(self) -> list[int]: ...

    def spans(self, doc_id: int, coder: str | None = None) -> list[Span]: ...

    def gold_span_sources(self, doc_id: int) -> dict[int, tuple[str, ...]]: ...

    def doc_labels(self, doc_id: int, coder: str) -> dict[str, Any]: ...

    def all_doc_labels(self, doc_id: int) -> list[DocLabel]: ...

    def gold_label_sources(self, doc_id: int) -> dict[str, tuple[str, ...]]: ...

    def rejected_decisions(self, doc_id: int) -> set[str]: ...

    def snap_to_tokens(self, doc_id: int, start: int, end: int) -> tuple[int, int]: ...


def identical_span(spans: Iterable[Span], key: SpanKey) -> Span | None:
    """The first of ``spans`` (one layer's) with ``key``'s start, end and label: the
    store's duplicate rule (``Store.add_span(..., unique=True)``), for spans that may not
    be stored yet."""
    return next((s for s in spans if (s.start, s.end, s.label) == key), None)


def refuse_identical(spans: Iterable[Span], key: SpanKey, message: str) -> None:
    """DuplicateSpanError(``message``, existing=its id) if ``spans`` hold ``key``'s span
    already; ``spans`` as the user sees them (the pending edits included), so a span not
    yet written is found too (the store refuses one already written, whatever is shown)."""
    same = identical_span(spans, key)
    if same is not None:
        raise DuplicateSpanError(message, existing=same.id)


def find_gold(store: ReadStore, doc_id: int, key: SpanKey) -> Span:
    span = identical_span(store.spans(doc_id, GOLD), key)
    if span is None:
        raise NotFoundError(f"the gold span {key} is no longer there (changed elsewhere?)")
    return span


def refuse_gold_duplicate(store: ReadStore, doc_id: int, key: SpanKey) -> None:
    refuse_identical(store.spans(doc_id, GOLD), key, "gold already has that span")


@dataclass(eq=False)
class AddGoldSpan(Edit):
    doc_id: int
    key: SpanKey
    sources: tuple[str, ...]
    handle: int  # the id the review shows until it is written
    note: str = ""

    def apply(self, store: Store, q: PendingEdits) -> Span:
        span = store.add_gold_span(self.doc_id, *self.key, self.sources, self.note, unique=True)
        q.ids[self.handle] = span.id
        return span

    def describe(self) -> str:
        a, b, label = self.key
        return f"accept {label} span [{a}, {b}) into gold in document {self.doc_id}"


@dataclass(eq=False)
class DeleteGoldSpan(Edit):
    doc_id: int
    key: SpanKey

    def apply(self, store: Store, q: PendingEdits) -> Span:
        return store.delete_span(find_gold(store, self.doc_id, self.key).id)

    def describe(self) -> str:
        a, b, label = self.key
        return f"remove {label} span [{a}, {b}) from gold in document {self.doc_id}"


@dataclass(eq=False)
class EditGoldSpan(Edit):
    """Move and/or relabel a gold span (same id, same sources), in one transaction."""

    doc_id: int
    old: SpanKey
    new: SpanKey

    def apply(self, store: Store, q: PendingEdits) -> None:
        span = find_gold(store, self.doc_id, self.old)
        refuse_gold_duplicate(store, self.doc_id, self.new)
        with store.transaction():
            if self.old[:2] != self.new[:2]:
                store.move_span(span.id, self.new[0], self.new[1])
            if self.old[2] != self.new[2]:
                store.relabel_span(span.id, self.new[2])

    def describe(self) -> str:
        return f"edit gold span {self.old} to {self.new} in document {self.doc_id}"


@dataclass(eq=False)
class SetGoldLabel(Edit):
    doc_id: int
    field: str
    value: Any
    sources: tuple[str, ...]

    def apply(self, store: Store, q: PendingEdits) -> Any:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return store.set_gold_label(self.doc_id, self.field, value, self.sources)

    def describe(self) -> str:
        what = "clear" if self.value is None else "set"
        return f"{what} gold {self.field} of document {self.doc_id}"


@dataclass(eq=False)
class RejectDecision(Edit):
    doc_id: int
    decision: str
    reject: bool = True  # False: take a rejection back

    def apply(self, store: Store, q: PendingEdits) -> None:
        if self.reject:
            store.reject_decision(self.doc_id, self.decision)
        else:
            store.unreject_decision(self.doc_id, self.decision)

    def describe(self) -> str:
        verb = "reject" if self.reject else "take back the rejection of"
        return f"{verb} a decision in document {self.doc_id} (review)"


E = TypeVar("E", bound=Edit)

GOLD_EDITS = (AddGoldSpan, DeleteGoldSpan, EditGoldSpan, SetGoldLabel, RejectDecision)


# -- the queue ----------------------------------------------------------------------


@dataclass
class DocInfo:
    """What a recovery line needs of a document (kept so it is written without the store)."""

    text: str
    title: str
    sha256: str


@dataclass
class FlushResult:
    written: int = 0
    dropped: list[str] = field(default_factory=list)  # one line per edit given up
    error: WriteFailedError | None = None  # why the rest is still pending


@dataclass
class Recovery:
    path: Path
    lines: int
    not_restored: list[str]  # what import-labels cannot bring back, one line each
    command: str  # the import-labels command line to run


class PendingEdits:
    """The ordered queue of edits not written yet (see the module docstring)."""

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

    def spans(self, stored: list[Span], doc_id: int, coder: str) -> tuple[list[Span], set[int]]:
        """One coder's ``stored`` spans of a document with that coder's pending edits
        applied, in position order, and the ids of those that are not saved as shown."""
        cur = {s.id: s for s in stored}
        unsaved: set[int] = set()
        for e in self.edits:
            if e.doc_id != doc_id or _coder_of(e) != coder:
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
        for e in self.edits:
            if isinstance(e, SetTitle) and e.doc_id == doc_id:
                stored = " ".join(e.title.split())
        return stored

    def doc_ids(self) -> set[int]:
        return {e.doc_id for e in self.edits}

    # -- the recovery file ------------------------------------------------------------

    def recovery_records(self) -> tuple[list[dict[str, Any]], list[str]]:
        """Canonical JSONL records for the pending edits, and what they cannot restore.

        One record per (document, coder) with pending edits; a title edit goes with the
        document's first record (or a record of its own without a coder).
        """
        groups: dict[tuple[int, str | None], list[Edit]] = {}
        titled: dict[int, None] = {}
        gold_notes: list[tuple[int, str]] = []
        for e in self.edits:
            if isinstance(e, SetTitle):
                titled[e.doc_id] = None
            elif isinstance(e, GOLD_EDITS):  # import-labels refuses the gold layer
                gold_notes.append((e.doc_id, f"review mode: {e.describe()}; redo it there"))
            else:
                groups.setdefault((e.doc_id, _coder_of(e)), []).append(e)
        for doc_id in titled:
            if not any(d == doc_id for d, _c in groups):
                groups[(doc_id, None)] = []
        records: list[dict[str, Any]] = []
        lost: list[str] = []
        stamp = int(time.time())  # a value the coder sets after this is kept by the import
        for (doc_id, coder), edits in groups.items():
            spans, fields, notes = self._end_state(edits)
            state = next((e.state for e in reversed(edits) if isinstance(e, SetStatus)), None)
            if doc_id in titled:
                notes.append(f"set the title to {self.title('', doc_id)!r} again")
                del titled[doc_id]
            notes = [f"document {doc_id}: {x}" for x in notes]
            notes += [f"document {doc_id}: {x}" for d, x in gold_notes if d == doc_id]
            gold_notes = [(d, x) for d, x in gold_notes if d != doc_id]
            records.append(self._record(doc_id, coder, spans, fields, notes, state, stamp))
            lost += notes
        lost += [f"document {d}: {x}" for d, x in gold_notes]  # no record of its own
        return records, lost

    def _end_state(self, edits: list[Edit]) -> tuple[list[Span], dict[str, Any], list[str]]:
        """Replay one coder's edits of one document: the spans they leave (added or
        changed), the fields they set, and what import-labels cannot express."""
        touched: dict[int, Span] = {}  # id -> span as it ends up
        stored_before: dict[int, Span] = {}  # spans the database held before the edits
        fields: dict[str, Any] = {}
        seconds, states = 0.0, list[str]()
        for e in edits:
            if isinstance(e, AddSpan):
                touched[e.handle] = e.shape()
            elif isinstance(e, RestoreSpan):
                touched[self.visible_id(e.shape.id)] = e.shape
            elif isinstance(e, (DeleteSpan, RelabelSpan, SetSpanNote)):
                sid = self.visible_id(e.shape.id)
                if sid >= 0 and sid not in touched and sid not in stored_before:
                    stored_before[sid] = e.shape
                if isinstance(e, DeleteSpan):
                    touched.pop(sid, None)
                elif isinstance(e, RelabelSpan):
                    touched[sid] = replace(touched.get(sid, e.shape), label=e.label)
                else:
                    touched[sid] = replace(touched.get(sid, e.shape), note=e.note)
            elif isinstance(e, SetDocLabel):
                fields[e.field] = e.value
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
        return spans, kept, lost

    def _record(
        self,
        doc_id: int,
        coder: str | None,
        spans: list[Span],
        fields: dict[str, Any],
        lost: list[str],
        state: str | None = None,
        stamp: int | None = None,
    ) -> dict[str, Any]:
        info = self.docs.get(doc_id)
        if info is None:  # pragma: no cover - the window remembers every document it edits
            raise AnnotatorError(f"document {doc_id}: its text was not kept")
        title = self.title(info.title, doc_id)
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

    def write_recovery(self, path: str | Path, db_path: str | Path) -> Recovery:
        """Write the pending edits to ``path`` atomically (a temporary file beside it,
        renamed into place); returns what was written and the command that imports it."""
        path = Path(path)
        records, lost = self.recovery_records()
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
            raise AnnotatorError(
                f"{path}: cannot write the recovery file: {e.strerror or e}"
            ) from None
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


def _coder_of(e: Edit) -> str | None:
    if isinstance(e, GOLD_EDITS):
        return GOLD
    if isinstance(e, (AddSpan, SetDocLabel, SetStatus, AddTime)):
        return e.coder
    if isinstance(e, (DeleteSpan, RestoreSpan, RelabelSpan, SetSpanNote)):
        return e.shape.coder
    return None


def _path(store: Store) -> Path:
    return Path(store.path).resolve()


def _write_failed(store: Store, e: Exception) -> WriteFailedError:
    if isinstance(e, WriteFailedError):
        return e
    return WriteFailedError(f"{store.path}: not saved: {e}")


class Overlay:
    """A read-only view of a store with the pending edits laid over it, for windows that
    read the store in many places (review mode): spans and fields of every coder and of
    the gold layer, gold sources and rejected decisions. Everything else is the store's.
    """

    def __init__(self, store: Store, q: PendingEdits) -> None:
        self._store = store
        self._q = q

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @property
    def real_store(self) -> Store:
        return self._store

    def _edits(self, doc_id: int, kinds: type[E] | tuple[type[E], ...]) -> list[E]:
        if not self._q.belongs_to(self._store):
            return []
        return [e for e in self._q.edits if e.doc_id == doc_id and isinstance(e, kinds)]

    def _gold(self, doc_id: int) -> tuple[list[Span], dict[int, tuple[str, ...]], set[int]]:
        spans = list(self._store.spans(doc_id, GOLD))
        sources = dict(self._store.gold_span_sources(doc_id))
        unsaved: set[int] = set()

        def at(key: SpanKey) -> int | None:
            return next((i for i, s in enumerate(spans) if (s.start, s.end, s.label) == key), None)

        for e in self._edits(doc_id, (AddGoldSpan, DeleteGoldSpan, EditGoldSpan)):
            if isinstance(e, AddGoldSpan):
                a, b, label = e.key
                spans.append(Span(e.handle, doc_id, GOLD, a, b, label, e.note))
                sources[e.handle] = tuple(e.sources)
                unsaved.add(e.handle)
            elif isinstance(e, DeleteGoldSpan):
                if (i := at(e.key)) is not None:
                    unsaved.discard(spans.pop(i).id)
            elif isinstance(e, EditGoldSpan) and (i := at(e.old)) is not None:
                a, b, label = e.new
                spans[i] = replace(spans[i], start=a, end=b, label=label)
                unsaved.add(spans[i].id)
        spans.sort(key=lambda s: (s.start, s.end, abs(s.id)))
        return spans, sources, unsaved

    def spans(self, doc_id: int, coder: str | None = None) -> list[Span]:
        if coder == GOLD:
            return self._gold(doc_id)[0]
        if coder is not None:
            return self._q.spans(self._store.spans(doc_id, coder), doc_id, coder)[0]
        stored = [s for s in self._store.spans(doc_id) if s.coder != GOLD]
        coders = dict.fromkeys(s.coder for s in stored)
        for e in self._edits(doc_id, (AddSpan,)):
            coders.setdefault(e.coder)
        out: list[Span] = []
        for c in coders:
            mine = [s for s in stored if s.coder == c]
            out += self._q.spans(mine, doc_id, c)[0] if self._q.belongs_to(self._store) else mine
        out += self._gold(doc_id)[0]
        return sorted(out, key=lambda s: (s.start, s.end, abs(s.id)))

    def gold_span_sources(self, doc_id: int) -> dict[int, tuple[str, ...]]:
        return self._gold(doc_id)[1]

    def unsaved_gold_spans(self, doc_id: int) -> set[int]:
        return self._gold(doc_id)[2]

    def doc_labels(self, doc_id: int, coder: str) -> dict[str, Any]:
        stored = self._store.doc_labels(doc_id, coder)
        if coder != GOLD:
            if not self._q.belongs_to(self._store):
                return stored
            return self._q.fields(stored, doc_id, coder)[0]
        for e in self._edits(doc_id, (SetGoldLabel,)):
            if e.value is None:
                stored.pop(e.field, None)
            else:
                stored[e.field] = tuple(e.value) if isinstance(e.value, list) else e.value
        return stored

    def gold_label_sources(self, doc_id: int) -> dict[str, tuple[str, ...]]:
        sources = dict(self._store.gold_label_sources(doc_id))
        for e in self._edits(doc_id, (SetGoldLabel,)):
            if e.value is None:
                sources.pop(e.field, None)
            else:
                sources[e.field] = tuple(e.sources)
        return sources

    def unsaved_gold_fields(self, doc_id: int) -> set[str]:
        return {e.field for e in self._edits(doc_id, (SetGoldLabel,))}

    def rejected_decisions(self, doc_id: int) -> set[str]:
        rejected = set(self._store.rejected_decisions(doc_id))
        for e in self._edits(doc_id, (RejectDecision,)):
            if e.reject:
                rejected.add(e.decision)
            else:
                rejected.discard(e.decision)
        return rejected
