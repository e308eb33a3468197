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
:meth:`~PendingEdits.fields`, :meth:`~PendingEdits.status`, :meth:`~PendingEdits.memo` and
:meth:`~PendingEdits.title` lay the pending edits over what the database holds, so a
window shows what the coder did, marked as unsaved.

If they can never be written, :meth:`PendingEdits.write_recovery` writes them to a
canonical JSONL file that ``annotator import-labels`` reads (the intended end state of
each touched document: spans added or changed, document fields set, the coder's memo, a
"done" status,
with the time the file was written as ``_timestamp``); what that format cannot express
(deleting a stored span or the old label of a relabelled one, clearing a field, moving a
status back, coding time, titles) is listed in each line under
``_not_restored_by_import`` and returned, so the user is told.

Plain Python (no Qt): the window drives the retry timer and the drawing.

The package: ``edits`` the edit classes (one store call each); ``reading`` the read side
a Store and an Overlay share (ReadStore) and the span lookups over it; ``recovery`` the
recovery file; ``queue`` the ordered queue (PendingEdits); ``overlay`` the store with the
pending edits laid over it (Overlay).
"""

from __future__ import annotations

from .edits import (
    GOLD_EDITS,
    AddGoldSpan,
    AddSpan,
    AddTime,
    DeleteGoldSpan,
    DeleteSpan,
    Edit,
    EditGoldSpan,
    RejectDecision,
    RelabelSpan,
    RestoreSpan,
    SetDocLabel,
    SetGoldLabel,
    SetMemo,
    SetSpanNote,
    SetStatus,
    SetTitle,
    SpanHandles,
)
from .overlay import Overlay
from .queue import FlushResult, PendingEdits
from .reading import (
    ReadStore,
    SpanKey,
    find_gold,
    identical_span,
    refuse_gold_duplicate,
    refuse_identical,
)
from .recovery import DocInfo, Recovery, recovery_path

__all__ = [
    "Edit",
    "SpanHandles",
    "AddSpan",
    "DeleteSpan",
    "RestoreSpan",
    "RelabelSpan",
    "SetSpanNote",
    "SetMemo",
    "SetDocLabel",
    "SetStatus",
    "AddTime",
    "SetTitle",
    "AddGoldSpan",
    "DeleteGoldSpan",
    "EditGoldSpan",
    "SetGoldLabel",
    "RejectDecision",
    "GOLD_EDITS",
    "SpanKey",
    "ReadStore",
    "identical_span",
    "refuse_identical",
    "find_gold",
    "refuse_gold_duplicate",
    "PendingEdits",
    "FlushResult",
    "DocInfo",
    "Recovery",
    "recovery_path",
    "Overlay",
]
