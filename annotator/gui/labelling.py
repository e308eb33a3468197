"""The main window's labelling: a label key on a selection or a span, Delete, a span's
note (Ctrl+N), the document fields, done/not done, and moving between and selecting spans.

Every edit is an undoable command (``commands.py``) whose editor is the window
(:class:`LabelHost`); a span identical to one the coder already has is refused by the
core (``pending.refuse_identical`` over what is shown, ``Store.add_span(unique=True)``
for one only the database knows) and the existing span is selected instead.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QStatusBar, QWidget

from .. import pending as P
from ..errors import AnnotatorError, DuplicateSpanError
from ..models import Document, Span
from . import commands as cmd
from .article_view import ArticleView
from .chrome import StatusLabels
from .document_list import DocumentList

if TYPE_CHECKING:
    from ..codebook import Renames
    from ..scheme import Scheme


class SpanSelector(Protocol):
    """The label panel (or its stand-in until it is built)."""

    def select_span(self, span_id: int | None) -> None: ...


class LabelHost(cmd.TitleEditor, Protocol):
    """What labelling needs from the main window (its editor for the commands, too)."""

    doc: Document | None
    coder: str
    view: ArticleView
    doc_list: DocumentList
    undo_stack: QUndoStack
    status_labels: StatusLabels

    @property
    def panel(self) -> SpanSelector: ...

    def statusBar(self) -> QStatusBar: ...

    def window(self) -> QWidget: ...

    def own_spans(self, doc_id: int) -> tuple[list[Span], set[int]]: ...

    def own_span(self, span_id: int) -> Span: ...

    def own_fields(self, doc_id: int) -> dict: ...

    def own_status(self, doc_id: int) -> str: ...

    def refresh_spans(self, select: int | None = None) -> None: ...

    def refresh_fields(self) -> None: ...

    def check_span(self, span_id: int) -> bool: ...

    def open_document(self, doc_id: int, keep_position: bool = False) -> None: ...

    @property
    def scheme(self) -> Scheme: ...

    def reload_scheme(self) -> None: ...


class Labelling:
    """The labelling slots of one main window (``host``)."""

    def __init__(self, host: LabelHost):
        self.w = host

    def _push(self, command: cmd.StoreCommand) -> bool:
        return cmd.try_push(self.w.undo_stack, command)

    def _say(self, message: str, ms: int) -> None:
        self.w.statusBar().showMessage(message, ms)

    def _span(self, span_id: int) -> Span | None:
        """The coder's span as it is now, or None with the reason reported (gone, ...)."""
        try:
            return self.w.own_span(span_id)
        except AnnotatorError as e:
            self.w.report_error(str(e))
            return None

    def apply_label(self, label: str) -> None:
        w = self.w
        if w.doc is None:
            return
        sel = w.view.selection_cp()
        if sel is not None and sel[1] > sel[0]:
            start, end = sel
            if self._text_corrected():
                return
            now = self._current_label(label)
            if now is None or now != label:
                w.view.select_cp(start, end)  # the document was shown again: same text
                if now is None:
                    return
                label = now
            w.view.clear_selection()
            try:  # the store refuses a span it holds already; this, one not written yet
                P.refuse_identical(w.own_spans(w.doc.id)[0], (start, end, label), "")
                cmd.push(w.undo_stack, cmd.AddSpan(w, w.doc.id, w.coder, start, end, label))
            except DuplicateSpanError as e:
                w.refresh_spans(e.existing)
                w.panel.select_span(e.existing)
                self._say("That span is already labelled so.", 3000)
            except AnnotatorError as e:
                w.report_error(str(e))
            return
        span_id = w.view.selected_span
        if span_id is not None:
            now = self._current_label(label)
            if now is None or now != label:
                w.refresh_spans(span_id)  # the document was shown again: same span
                if now is None:
                    return
                label = now
            span = self._span(span_id)
            if span is None:
                return
            if span.label != label:
                self._push(cmd.RelabelSpan(w, span, label))
            else:
                self._checked(span_id)
            return
        self._say("Select some text first (or click a span to relabel it).", 4000)

    def codebook_moved(self) -> Renames | None:
        """Whether another process changed the codebook since the window read it
        (``annotator scheme rename-label``, ``split-label``, ``rename-option`` ...): then
        the window takes the new codebook, the article is shown again, and the renames
        since the old version are returned (to follow a key or click made on the old
        one); else None."""
        w = self.w
        old = w.scheme.version
        versions = getattr(w.store, "scheme_versions", None)  # a Store (not an overlay)
        try:
            newest = versions()[-1:] if versions is not None else []
        except (AnnotatorError, sqlite3.Error):
            return None  # cannot tell: as before (the store still checks what is written)
        if not newest or newest[0] == old:
            return None
        from ..codebook import Renames

        w.store.reload_scheme()  # type: ignore[attr-defined]
        renames = Renames(w.store, old)  # type: ignore[arg-type]
        w.reload_scheme()
        if w.doc is not None:
            w.open_document(w.doc.id, keep_position=True)
        return renames

    def _changed(self) -> str:
        return f"The codebook changed (scheme v{self.w.scheme.version})"

    def _current_label(self, label: str) -> str | None:
        """``label``'s name now (a key names a label of the codebook the window shows):
        a label renamed or merged by another process meanwhile is followed to its new
        name, one split or retired gives None (its key makes no span of it); the coder is
        told in one line."""
        renames = self.codebook_moved()
        if renames is None:
            return label
        now = renames.label(label)
        spec = self.w.scheme.label(now)
        if spec is None or spec.retired:
            self._say(
                f"{self._changed()}: '{label}' is no longer a label;"
                " press one of the new labels' keys.",
                10000,
            )
            return None
        if now != label:
            self._say(f"{self._changed()}: '{label}' is now '{now}'.", 10000)
        return now

    def _current_field(self, field: str, value: Any) -> tuple[str, Any] | None:
        """``(field, value)`` under the codebook now, as :meth:`_current_label` does for
        a label: renamed or merged names followed, None (and the coder told) if the
        field or an option is gone."""
        renames = self.codebook_moved()
        if renames is None:
            return field, value
        name = renames.field(field)
        now = renames.value(field, value)
        spec = self.w.scheme.field(name)
        if spec is None or any(
            v not in spec.options for v in ([now] if isinstance(now, str) else now or ())
        ):
            self._say(
                f"{self._changed()}: that value of '{field}' is no longer offered; choose again.",
                10000,
            )
            return None
        if (name, now) != (field, value):
            self._say(f"{self._changed()}: the field takes its new names.", 10000)
        return name, now

    def _text_corrected(self) -> bool:
        """Whether the article's text was corrected (``import --update``, another
        process) since it was shown: then a selection on the old text must not become a
        span over other characters; the article is shown again, and the coder told."""
        w = self.w
        doc = w.doc
        if doc is None:
            return False
        find = getattr(w.store, "document_id_by_hash", None)  # a Store (not an overlay)
        try:
            if find is None or find(doc.sha256) == doc.id:
                return False
        except (AnnotatorError, sqlite3.Error):
            return False  # cannot tell: as before
        w.open_document(doc.id, keep_position=True)
        self._say(
            "The article's text was corrected meanwhile (import --update): it is shown"
            " again; select the text again.",
            8000,
        )
        return True

    def _checked(self, span_id: int) -> None:
        """Its own label's key on a span a correction flagged (``import --update``): the
        coder has looked at it again, so the flag goes."""
        if self.w.check_span(span_id):
            self._say("Checked: the span keeps its label.", 3000)

    def delete_span(self) -> None:
        w = self.w
        span_id = w.view.selected_span
        if span_id is None:
            self._say("Click a span first, then press Delete.", 3000)
            return
        span = self._span(span_id)
        if span is None:
            return
        w.view.select_span(None)
        self._push(cmd.DeleteSpan(w, span))

    def edit_title(self) -> None:
        """Article → Edit title…: a non-blocking dialog; the change is one undoable step."""
        w = self.w
        if w.doc is None:
            return
        from .dialogs import title_dialog

        doc_id, old = w.doc.id, w.doc.title

        def chosen(text: str) -> None:
            if " ".join(text.split()) != old:
                self._push(cmd.SetTitle(w, doc_id, old, text))

        title_dialog(w.window(), old, chosen)

    def edit_note(self) -> None:
        """Edit → Note on span… (Ctrl+N): the note editor on the selected span; saving it
        is one undoable step (an empty note removes it)."""
        w = self.w
        span_id = w.view.selected_span
        if w.doc is None or span_id is None:
            self._say("Click a span first, then press Ctrl+N to write its note.", 4000)
            return
        span = self._span(span_id)
        if span is None:
            return
        if span.coder != w.coder:
            self._say("That span is another coder's: their notes are read-only.", 4000)
            return
        from .note_editor import open_note_editor
        from .span_display import excerpt

        def chosen(text: str) -> None:
            now = self._span(span_id)  # as it is now (a note may have come meanwhile)
            if now is None:
                return
            note = text.strip()
            if note != now.note:
                self._push(cmd.SetSpanNote(w, now, note))

        open_note_editor(w.window(), span.label, excerpt(w.doc.text, span), span.note, chosen)

    def note_from_list(self, span_id: int) -> None:
        """The span list's context menu: select that span and edit its note."""
        self.jump_to_span(span_id)
        self.w.panel.select_span(span_id)
        self.edit_note()

    def set_field(self, field: str, value: Any) -> None:
        """A document field set by a click in the label panel or a key in the fields
        popup (``field_picker.py``): one undoable step whose undo restores the exact
        previous value (``None``: not set; for an all-that-apply field ``()`` is "none of
        them"). A refused edit is reported and the panel shows the stored value again
        (the clicked button had already changed itself)."""
        w = self.w
        if w.doc is None:
            return
        current = self._current_field(field, value)
        if current is None:
            w.refresh_fields()
            return
        field, value = current
        old = w.own_fields(w.doc.id).get(field)
        if old == value:
            return
        if not self._push(cmd.SetDocField(w, w.doc.id, w.coder, field, old, value)):
            w.refresh_fields()

    def done_and_next(self) -> None:
        w = self.w
        if w.doc is None:
            return
        doc_id = w.doc.id
        old = w.own_status(doc_id)
        if old != "done" and not self._push(cmd.SetStatus(w, doc_id, w.coder, old, "done")):
            return
        ids = w.doc_list.ids()
        narrowed = w.doc_list.filtered()
        if narrowed:  # the next one the coder sees in the list, as Alt+Down goes
            shown = w.doc_list.shown_ids()
            narrowed = doc_id in shown
            ids = shown if narrowed else ids
        i = ids.index(doc_id)
        for other in ids[i + 1 :] + ids[:i]:
            if w.doc_list.state_of(other) != "done":
                w.open_document(other)
                self._say("Marked done.", 3000)
                return
        if narrowed:
            self._say("Marked done. Every article the filters show is done.", 6000)
            return
        self._say("Marked done. Every article is done!", 6000)

    def mark_not_done(self) -> None:
        w = self.w
        if w.doc is None:
            return
        old = w.own_status(w.doc.id)
        if old == "done":
            self._push(cmd.SetStatus(w, w.doc.id, w.coder, old, "in_progress"))

    # -- spans: selection and navigation ------------------------------------------

    def span_clicked(self, span_id: int | None) -> None:
        w = self.w
        w.panel.select_span(span_id)
        if span_id is not None:
            try:
                span = w.own_span(span_id)
            except AnnotatorError:
                return
            unsaved = " (not saved yet)" if span_id in w.own_spans(span.document_id)[1] else ""
            self._say(
                f"Span: {span.label}{unsaved} — press a label key to relabel, Delete to remove.",
                4000,
            )

    def jump_to_span(self, span_id: int) -> None:
        view = self.w.view
        view.clear_selection()
        view.select_span(span_id, scroll=True)
        view.setFocus()

    def next_span(self, delta: int) -> None:
        view = self.w.view
        spans = [s for s in view.painted_spans if s.own]
        if not spans:
            return
        ids = [s.id for s in spans]
        cur = view.selected_span
        if cur in ids:
            j = (ids.index(cur) + delta) % len(ids)
        else:
            pos = view.textCursor().position()
            after = [i for i, s in enumerate(spans) if s.start16 >= pos]
            j = (after[0] if after else 0) if delta > 0 else ((after[0] - 1) if after else -1)
        self.jump_to_span(ids[j])
        self.w.panel.select_span(ids[j])

    def clear_selection(self) -> None:
        self.w.view.clear_selection()
        self.w.view.select_span(None)
        self.w.panel.select_span(None)

    def selection_info(self, start: int, end: int) -> None:
        w = self.w
        if start < 0:
            w.status_labels.show_selection(None)
            return
        if w.view.selected_span is not None:
            w.view.select_span(None)
            w.panel.select_span(None)
        w.status_labels.show_selection(end - start)
