"""Undoable edits. Each command hands its store call to the editor (one durable
transaction per step, or queued behind edits the database could not take yet).

A command is applied once *before* it goes on the stack (:func:`push`), so a
refused edit raises to the caller and never enters the history; undo and redo
report store errors (e.g. the span was deleted by another process) instead of
raising inside Qt. An edit the database refuses *for now* (busy, full, read-only)
is not an error: :meth:`Editor.write` keeps it in the window's pending queue
(``annotator/pending/``), shown as unsaved and retried until written, and the
command is recorded as usual, so undo queues the reverse edit behind it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtGui import QUndoCommand, QUndoStack

from .. import pending as P
from ..errors import AnnotatorError, ValidationError
from ..models import Span
from ..records import Record, replace

if TYPE_CHECKING:
    from ..codebook import Renames


class Editor(Protocol):
    """What a command needs from the window."""

    @property
    def store(self) -> P.ReadStore: ...  # what it shows: a Store, or the review's Overlay

    pending: P.PendingEdits

    def write(self, edit: P.Edit) -> tuple[bool, Any]: ...

    def after_edit(self, doc_id: int, select_span: int | None = None) -> None: ...

    def report_error(self, message: str) -> None: ...


class TitleEditor(Editor, Protocol):
    """An editor that also shows the article's title (the main window)."""

    def show_title(self, doc_id: int, title: str) -> None: ...


class StoreCommand(QUndoCommand):
    def __init__(self, editor: Editor, doc_id: int, text: str):
        super().__init__(text)
        self.editor = editor
        self.doc_id = doc_id
        self._applied = False
        # the codebook its names are from (the window's), to follow a later rename
        self.scheme_version: int | None = getattr(getattr(editor, "scheme", None), "version", None)

    def apply(self) -> int | None:
        """Do the edit; return the span to select afterwards."""
        raise NotImplementedError

    def revert(self) -> int | None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._applied:  # already done by push()
            self._applied = False
            return
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, fn) -> None:
        try:
            select = fn()
        except AnnotatorError as e:
            if not self._follow_codebook():
                self.editor.report_error(str(e))
                return
            try:  # once more, under the names the codebook has now
                select = fn()
            except AnnotatorError as again:
                self.editor.report_error(str(again))
                return
        self.editor.after_edit(self.doc_id, select)

    def _follow_codebook(self) -> bool:
        """After a refused undo or redo: if another process renamed or merged labels,
        fields or options since this command was made (``annotator scheme ...``), take
        their new names; whether anything changed (then it is tried again)."""
        store = self.editor.store
        version = self.scheme_version
        if version is None or not hasattr(store, "scheme_changes"):
            return False  # not a Store (the review's overlay): as before
        try:
            now = store.scheme.version
            if now == version:
                return False
            from ..codebook import Renames

            renames = Renames(store, version)  # type: ignore[arg-type]
        except AnnotatorError:
            return False
        self.scheme_version = now
        return bool(renames) and self.rename(renames)

    def rename(self, renames: Renames) -> bool:
        """Take the current names of the labels, fields and options this command holds;
        whether any changed."""
        return False


def _own_status(editor: Editor, doc_id: int) -> str | None:
    """The coder's status of the article as the window shows it (None: not known)."""
    own = getattr(editor, "own_status", None)  # the main window
    try:
        return own(doc_id) if own is not None else None
    except AnnotatorError:
        return None


def _restate(editor: Editor, doc_id: int, coder: str, when: bool, old: str, new: str) -> None:
    """If ``when``: the article's status back from ``old`` to ``new`` (only if it is
    still ``old``: "done", or a status set since, stays)."""
    if when and _own_status(editor, doc_id) == old:
        editor.write(P.SetStatus(doc_id, coder, new))


def _renamed(renames: Renames, span: Span) -> Span:
    return replace(span, label=renames.label(span.label))


def _rename_deleted(renames: Renames, deleted: P.DeleteSpan | None) -> bool:
    """The stored span a deletion keeps for its undo, under its label's current name."""
    if deleted is None or deleted.deleted is None:
        return False
    old = deleted.deleted
    deleted.deleted = _renamed(renames, old)
    return deleted.deleted != old


def push(stack: QUndoStack, cmd: StoreCommand) -> None:
    """Apply ``cmd`` (errors propagate, nothing is recorded) and record it for undo. One
    refused under names another process has since renamed is tried once more under
    the new ones (:meth:`StoreCommand.rename`)."""
    try:
        select = cmd.apply()
    except AnnotatorError:
        if not cmd._follow_codebook():
            raise
        select = cmd.apply()
    cmd._applied = True
    stack.push(cmd)
    cmd.editor.after_edit(cmd.doc_id, select)


def try_push(stack: QUndoStack, cmd: StoreCommand) -> bool:
    """:func:`push`, with a refused edit reported to the editor; True if it was applied."""
    try:
        push(stack, cmd)
    except AnnotatorError as e:
        cmd.editor.report_error(str(e))
        return False
    return True


class AddSpan(StoreCommand):
    """A new span; its id is a pending handle until written (``PendingEdits.resolve``)."""

    def __init__(self, editor: Editor, doc_id: int, coder: str, start: int, end: int, label: str):
        super().__init__(editor, doc_id, f"Add {label} span")
        self.args = (doc_id, coder, start, end, label)
        self.handle: int | None = None
        self._deleted: P.DeleteSpan | None = None  # the undo's edit, for redo
        self._from_new = False  # the article was "new" for the coder before this span

    def _shape(self) -> Span:
        assert self.handle is not None
        doc_id, coder, start, end, label = self.args
        return Span(self.handle, doc_id, coder, start, end, label)

    def _new_span(self, handle: int) -> P.Edit:
        """The edit that writes the span (an accepted suggestion's carries its origin)."""
        return P.AddSpan(*self.args, handle=handle)

    def apply(self) -> int:
        if self.handle is None:  # (kept None if refused: it may be tried again)
            from_new = _own_status(self.editor, self.doc_id) == "new"
            handle = self.editor.pending.new_handle()
            self.editor.write(self._new_span(handle))
            self.handle, self._from_new = handle, from_new
        else:  # redo: the same span, same id
            assert self._deleted is not None
            self.editor.write(P.RestoreSpan(self.doc_id, self._shape(), self._deleted))
            _restate(self.editor, self.doc_id, self.args[1], self._from_new, "new", "in_progress")
        return self.handle

    def revert(self) -> None:
        self._deleted = P.DeleteSpan(self.doc_id, self._shape())
        self.editor.write(self._deleted)
        # the first span had moved the article past "new" (which the agreement report
        # counts as coded): its undo takes the article back
        _restate(self.editor, self.doc_id, self.args[1], self._from_new, "in_progress", "new")
        return None

    def rename(self, renames: Renames) -> bool:
        doc_id, coder, start, end, label = self.args
        self.args = (doc_id, coder, start, end, renames.label(label))
        return _rename_deleted(renames, self._deleted) or self.args[4] != label


class DeleteSpan(StoreCommand):
    def __init__(self, editor: Editor, span: Span):
        super().__init__(editor, span.document_id, f"Delete {span.label} span")
        self.span = span
        self._deleted: P.DeleteSpan | None = None

    def apply(self) -> None:
        self._deleted = P.DeleteSpan(self.doc_id, self.span)
        self.editor.write(self._deleted)
        return None

    def revert(self) -> int:
        assert self._deleted is not None
        self.editor.write(P.RestoreSpan(self.doc_id, self.span, self._deleted))
        return self.span.id

    def rename(self, renames: Renames) -> bool:
        old, self.span = self.span, _renamed(renames, self.span)
        return _rename_deleted(renames, self._deleted) or self.span != old


class RelabelSpan(StoreCommand):
    def __init__(self, editor: Editor, span: Span, label: str):
        super().__init__(editor, span.document_id, f"Relabel span as {label}")
        self.span, self.old, self.new = span, span.label, label

    def apply(self) -> int:
        self.editor.write(P.RelabelSpan(self.doc_id, self.span, self.new))
        return self.span.id

    def revert(self) -> int:
        shape = replace(self.span, label=self.new)
        # the old origin too: an accepted suggestion relabelled became edited:<source>
        self.editor.write(RelabelBack(self.doc_id, shape, self.old, self.span.origin))
        return self.span.id

    def rename(self, renames: Renames) -> bool:
        before = (self.old, self.new)
        self.span = _renamed(renames, self.span)
        self.old, self.new = renames.label(self.old), renames.label(self.new)
        return (self.old, self.new) != before


class RelabelBack(P.RelabelSpan):
    """The undo of a relabel: the old label and the span's old origin, exactly."""

    origin: str

    def __init__(self, doc_id: int, shape: Span, label: str, origin: str = "manual") -> None:
        super().__init__(doc_id, shape, label)
        self.origin = origin

    def apply(self, store: Any, q: P.SpanHandles) -> Span:
        span: Span = store.relabel_span(q.resolve(self.shape.id), self.label, origin=self.origin)
        return span


class CheckSpan(P.Edit, Record):
    """The coder looked again at a span a correction of its text flagged (``import
    --update``): the flag goes. Written, or kept pending, as every edit is."""

    doc_id: int
    span_id: int

    def __init__(self, doc_id: int, span_id: int) -> None:
        self.doc_id = doc_id
        self.span_id = span_id

    def apply(self, store: Any, q: P.SpanHandles) -> None:
        store.clear_span_flag(q.resolve(self.span_id))

    def describe(self) -> str:
        return f"mark a span whose text was corrected as checked in document {self.doc_id}"


class SetDocField(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, coder: str, field: str, old, new):
        super().__init__(editor, doc_id, f"Set {field}")
        self.coder, self.field, self.old, self.new = coder, field, old, new
        self._from_new: bool | None = None  # the article was "new" before this value

    def apply(self) -> None:
        from_new = self._from_new
        if from_new is None:
            from_new = _own_status(self.editor, self.doc_id) == "new"
        self.editor.write(P.SetDocLabel(self.doc_id, self.coder, self.field, self.new))
        self._from_new = from_new  # (redo: the store moves it past "new" again)

    def revert(self) -> None:
        self.editor.write(P.SetDocLabel(self.doc_id, self.coder, self.field, self.old))
        _restate(self.editor, self.doc_id, self.coder, bool(self._from_new), "in_progress", "new")

    def rename(self, renames: Renames) -> bool:
        before = (self.field, self.old, self.new)
        field = self.field
        self.old = renames.value(field, self.old)
        self.new = renames.value(field, self.new)
        self.field = renames.field(field)
        return (self.field, self.old, self.new) != before


class SetStatus(StoreCommand):
    def __init__(self, editor: Editor, doc_id: int, coder: str, old: str, new: str):
        label = "Mark done" if new == "done" else f"Mark {new.replace('_', ' ')}"
        super().__init__(editor, doc_id, label)
        self.coder, self.old, self.new = coder, old, new

    def apply(self) -> None:
        self.editor.write(P.SetStatus(self.doc_id, self.coder, self.new))

    def revert(self) -> None:
        self.editor.write(P.SetStatus(self.doc_id, self.coder, self.old))


class SetTitle(StoreCommand):
    """The article's title (its text never changes); the editor shows the new one."""

    editor: TitleEditor

    def __init__(self, editor: TitleEditor, doc_id: int, old: str, new: str):
        super().__init__(editor, doc_id, "Edit title")
        self.old, self.new = old, new

    def apply(self) -> None:
        self._set(self.new)

    def revert(self) -> None:
        self._set(self.old)

    def _set(self, title: str) -> None:
        shown = " ".join(str(title).split())
        if not shown:
            raise ValidationError("title is empty")
        written, stored = self.editor.write(P.SetTitle(self.doc_id, title))
        self.editor.show_title(self.doc_id, stored if written else shown)


class SetSpanNote(StoreCommand):
    """The note on one of the coder's spans ("" removes it)."""

    def __init__(self, editor: Editor, span: Span, note: str):
        super().__init__(
            editor, span.document_id, "Remove span note" if not note else "Note on span"
        )
        self.span, self.old, self.new = span, span.note, note

    def apply(self) -> int:
        self.editor.write(P.SetSpanNote(self.doc_id, self.span, self.new))
        return self.span.id

    def revert(self) -> int:
        shape = replace(self.span, note=self.new)
        self.editor.write(P.SetSpanNote(self.doc_id, shape, self.old))
        return self.span.id


class SetMemo(StoreCommand):
    """The coder's memo on a document ("" removes it): one step per editing burst."""

    def __init__(self, editor: Editor, doc_id: int, coder: str, old: str, new: str):
        super().__init__(editor, doc_id, "Edit memo")
        self.coder, self.old, self.new = coder, old, new

    def apply(self) -> None:
        self.editor.write(P.SetMemo(self.doc_id, self.coder, self.new))

    def revert(self) -> None:
        self.editor.write(P.SetMemo(self.doc_id, self.coder, self.old))


def push_unshown(stack: QUndoStack, cmd: StoreCommand) -> None:
    """:func:`push` without showing the edit (the editor is showing another document:
    the memo of the article being left). Errors propagate; nothing is recorded then."""
    cmd.apply()
    cmd._applied = True
    stack.push(cmd)


class Reversible(Protocol):
    def apply(self) -> object: ...

    def revert(self) -> object: ...


def apply_all(parts: list[Any]) -> None:
    """Apply ``parts`` in order as one step: if one is refused, the ones applied are
    reverted (newest first) and the refusal is raised."""
    done: list[Reversible] = []
    try:
        for part in parts:
            part.apply()
            done.append(part)
    except AnnotatorError:
        for part in reversed(done):
            part.revert()
        raise


class ListEditor(Editor, Protocol):
    """An editor that also shows a list of documents (the main window)."""

    def refresh_documents(self, doc_ids: Any) -> None: ...


class LabelHits(StoreCommand):
    """Search → Label all hits…: many new spans of one label, one undo step. Each span is
    written as :class:`AddSpan` writes it; if one is refused, those written before it are
    taken back and nothing is recorded."""

    editor: ListEditor

    def __init__(
        self,
        editor: ListEditor,
        doc_id: int,
        coder: str,
        label: str,
        spans: list[tuple[int, int, int]],
    ):
        super().__init__(editor, doc_id, f"Label {len(spans)} hit(s) as {label}")
        self.parts = [AddSpan(editor, d, coder, s, e, label) for d, s, e in spans]
        self.documents = sorted({d for d, _, _ in spans})

    def apply(self) -> None:
        try:
            apply_all(self.parts)
        finally:
            self.editor.refresh_documents(self.documents)

    def rename(self, renames: Renames) -> bool:
        return any([p.rename(renames) for p in self.parts])

    def revert(self) -> None:
        """Take back every hit; one refused (e.g. its span was deleted elsewhere) does
        not stop the others. A refused hit is no longer part of this step (redo does not
        bring it back); the first refusal is raised once all are done."""
        refused: list[AddSpan] = []
        error: AnnotatorError | None = None
        try:
            for part in reversed(self.parts):
                try:
                    part.revert()
                except AnnotatorError as e:
                    refused.append(part)
                    error = error or e
        finally:
            self.parts = [p for p in self.parts if p not in refused]
            self.editor.refresh_documents(self.documents)
        if error is not None:
            raise error
