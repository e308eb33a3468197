"""Adjudication review: one document, every coder's labels, and the gold layer.

``open_review(main_window, doc_id)`` opens a non-modal :class:`ReviewWindow`. The
article shows each coder as a toggleable layer (a band under the text at the
coder's own height, coloured by label) and gold as filled, outlined spans. The
list on the right holds one *decision* per distinct coder span and field value
(:mod:`annotator.decisions`), disagreements first. The adjudicator works from the keyboard:

====================  ==============================================================
A / Enter             accept into gold (sources: the coders who marked it)
R / Delete            reject: take it out of gold, or pass over it
E                     accept with the text selection as boundaries (snapped to tokens)
1, 2, 3 …             accept relabelled (with the text selection as boundaries if any)
J / K, ↓ / ↑          next / previous decision: exactly one row (the article scrolls)
N / P                 next / previous document with disagreements (also Ctrl+PgDown/Up)
G                     accept everything the coders agree on exactly in this document
Ctrl+Z / Ctrl+Shift+Z undo / redo any gold change
Alt+1 … / Alt+0       show or hide a coder's layer / the gold layer
====================  ==============================================================

Every gold change is an undoable command (``review_commands``) handing its store call
to :meth:`ReviewWindow.write`: the main window's pending-edit queue when the review
belongs to one (one queue, one status, one close warning), else the review's own. The
store commits before returning; a write the database refuses for now (busy, full,
read-only) stays on screen marked unsaved and is retried in order. The window reads
the store through :class:`annotator.pending.Overlay`, which lays the pending edits over
it.

One rule moves the selection (``decisions.ADVANCE_RULE``, shown under the list): A, R,
E and the label keys act on the decision shown selected, then select the next
*undecided* one (not in gold, not rejected; ``decisions.next_undecided``) in the list's
order, wrapping round; a key that changes nothing leaves the selection where it is.
When the list is rebuilt the same decision stays selected, or none is (a key with
nothing selected does nothing and says so); undo and redo select what they changed.

The window composes its parts and holds the state they share (document, review,
rejections, undo stack): ``review_header`` and ``review_layers`` above the article
(``review_view``), ``review_decisions`` and ``review_fields`` beside it; the keys are
built by ``review_actions`` and do their work in ``review_adjudication`` through the
window's :class:`~annotator.gui.review_adjudication.ReviewEditor` API.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor, QUndoStack
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from .. import pending as P
from ..decisions import (
    Decision,
    Key,
    Review,
    build_review,
    first_disputed,
    has_disagreement,
    is_decided,
    next_disputed,
    next_undecided,
)
from ..errors import AnnotatorError
from ..models import Document
from ..project import reopen
from ..store import GOLD, Store
from . import commands as cmd
from . import review_adjudication as adjudicate
from .layouts import centre_pane, fit_window, save_window
from .plaintext import literal_title
from .review_actions import build_review_actions
from .review_decisions import DecisionPanel, decision_unsaved, detail_html
from .review_fields import FieldsPanel, fields_column
from .review_header import ReviewHeader, summary_text
from .review_layers import Layers
from .review_notes import MemoPanel, SpanNotes, span_notes
from .review_rejections import Rejections
from .review_status import StatusLine, warn_unsaved
from .review_style import REVIEW_STYLE
from .review_view import ReviewView
from .style import STYLE


class ReviewWindow(QMainWindow):
    """Review and adjudicate one document at a time (``store`` is used, not owned,
    unless ``owns_store``)."""

    def __init__(
        self,
        store: Store,
        doc_id: int | None = None,
        coders: list[str] | None = None,
        parent: QWidget | None = None,
        *,
        owns_store: bool = False,
        main_window: ReviewHost | None = None,
    ):
        super().__init__(parent)
        if parent is not None:
            self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("reviewWindow")
        # One queue with the main window's when there is one (see ``write``).
        self._main_queue = main_window is not None
        self.pending = main_window.pending if main_window is not None else P.PendingEdits()
        store.set_busy_timeout(0.2)  # a key never waits long for another process's lock
        self.real_store = store
        self.store = P.Overlay(store, self.pending)  # what is shown: pending edits included
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self.flush_pending)
        self._retry_ms = 250
        self._close_when_saved = False
        self._may_close = False
        self.scheme = store.scheme
        self.coder_filter = list(coders) if coders is not None else None
        self.owns_store = owns_store
        self._settings = main_window.settings if main_window is not None else None
        self.main_window = main_window
        self.doc: Document | None = None
        self.review: Review | None = None
        self.notes: SpanNotes = {}  # the coders' notes on their spans, by (start, end, label)
        self.rejected = Rejections(self.store, self.write)  # (doc, key), kept in the database
        self.undo_stack = QUndoStack(self)
        # the bands' colours (annotator.colours): swatches and marks match the article
        self._colors = {p.name: QColor(p.band) for p in self.scheme.palette().labels}
        self._field_order = {name: i for i, name in enumerate(self.scheme.field_names)}
        self._loading = False
        self._build()
        self._shortcut_rows = build_review_actions(
            self, self, self.undo_stack, self.scheme.offered_labels
        )
        self.setStyleSheet(STYLE + REVIEW_STYLE)
        fit_window(self._settings, self, QSize(1440, 900), key="review")
        if doc_id is None:
            doc_id = self._first_disputed()
        if doc_id is not None:
            self.open_document(doc_id)
        else:
            self._show_empty()
        if main_window is not None:
            main_window.installEventFilter(self)

    # -- construction ---------------------------------------------------------------

    def _build(self) -> None:
        self.view = ReviewView()
        self.view.set_palette(self.scheme.palette())
        self.view.positionClicked.connect(self._position_clicked)
        self.view.nextSpanRequested.connect(self.step_decision)
        self.layers = Layers(self.view)
        self.header = ReviewHeader(self.layers, self.step_document)

        self.decisions = DecisionPanel()
        self.list = self.decisions.list
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemDoubleClicked.connect(lambda *_: self.accept())
        self.disagreements_first = self.decisions.disagreements_first
        self.disagreements_first.toggled.connect(lambda _=False: self.refresh())

        self.fields = FieldsPanel()
        self.fields.chosen.connect(self.set_gold_field)
        self.memos = MemoPanel()  # every coder's memo on the document
        self.fields_scroll = fields_column(self.fields, self.memos)

        side = QSplitter(Qt.Orientation.Vertical)
        side.setObjectName("reviewSide")
        side.addWidget(self.decisions)
        side.addWidget(self.fields_scroll)
        side.setStretchFactor(0, 3)
        side.setStretchFactor(1, 2)
        side.setSizes([470, 380])
        side.setChildrenCollapsible(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(centre_pane(self.view))
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([800, 640])
        self.splitter.setChildrenCollapsible(False)

        root = QWidget()
        rl = QVBoxLayout(root)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(self.header.widget)
        rl.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

        self.status_line = StatusLine(self.statusBar(), self.store.readonly)
        self.summary_label = self.status_line.summary_label
        self.saved_label = self.status_line.saved_label
        self.view.selectionInfo.connect(self.status_line.show_selection)

    # -- documents -----------------------------------------------------------------

    def _first_disputed(self) -> int | None:
        return first_disputed(self.store, self.coder_filter)

    def _show_empty(self) -> None:
        self.header.show_empty()
        self.setWindowTitle("Review — annotator")

    def open_document(self, doc_id: int) -> None:
        try:
            doc = self.store.document(doc_id)
        except AnnotatorError as e:
            self.report_error(str(e))
            return
        self.doc = doc
        self._loading = True
        self.view.set_document(doc.text, lambda: self.store.tokenization(doc_id))
        self._loading = False
        self.header.show_title(doc)
        self.setWindowTitle(
            literal_title(f"Review — {doc.title or doc.id} — annotator ({self.store.path.name})")
        )
        self.refresh(select_first=True)
        self.list.setFocus()

    def step_document(self, delta: int) -> None:
        here = self.doc.id if self.doc is not None else None
        doc_id = next_disputed(self.store, here, delta, self.coder_filter)
        if doc_id is not None:
            self.open_document(doc_id)
        elif self.store.document_ids():
            self.status("No more documents with disagreements in this direction.", 4000)

    # -- refreshing ------------------------------------------------------------------

    def refresh(self, select: Key | None = None, select_first: bool = False) -> None:
        if self.doc is None:
            return
        current = self.current_decision()
        self.review = rv = build_review(self.store, self.doc.id, self.coder_filter)
        self.notes = span_notes(self.store, self.doc.id, rv.coders)
        self.layers.show(rv, self.store, self._colors)
        self.list.fill(
            self.decisions.sorted_rows(rv, self._field_order),
            self.doc.text,
            self._colors,
            lambda d: (rv.doc_id, d.key) in self.rejected,
            lambda d: decision_unsaved(self.store, self.pending, rv.doc_id, d),
            self.notes,
        )
        memos = self.store.memos(rv.doc_id)
        if self.coder_filter is not None:
            memos = {c: m for c, m in memos.items() if c in self.coder_filter}
        self.memos.set_memos(memos, self.store.unsaved_memos(rv.doc_id))
        # The selection is the decision the adjudicator saw selected, or none at all:
        # never another one that happens to take its row.
        keys = [d.key for d in self.list.rows]
        if select_first:
            target = next((k for k in keys if self.is_undecided(k)), keys[0] if keys else None)
        else:
            want = select if select in keys else (current.key if current is not None else None)
            target = want if want in keys else None
            if target is None and current is not None:
                self.status("The selected decision is gone: select one (J/K) to act on.", 6000)
        if target is not None:
            self.list.select_decision(target)
        else:
            self.list.clear_current()
        self._current_changed()
        self.summary_label.setText(summary_text(rv))
        self.header.show_meta(self.doc, rv)

    # -- the current decision ----------------------------------------------------------

    def current_decision(self) -> Decision | None:
        return self.list.current_decision()

    def has_decision(self, key: Key) -> bool:
        return self.list.has_decision(key)

    def select_decision(self, key: Key) -> bool:
        return self.list.select_decision(key)

    def step_decision(self, delta: int) -> None:
        self.list.step(delta)

    def shown_keys(self) -> list[Key]:
        """The decisions' keys in the order the list shows them."""
        return [d.key for d in self.list.rows]

    def is_undecided(self, key: Key) -> bool:
        """Whether ``key`` is listed and not yet settled (``decisions.is_decided``)."""
        rv = self.review
        d = next((d for d in self.list.rows if d.key == key), None)
        if rv is None or d is None:
            return False
        return not is_decided(d, rv.gold_fields, lambda k: (rv.doc_id, k) in self.rejected)

    def advance(self, after: Key, order: list[Key]) -> None:
        """After a key acted on ``after``: select the next undecided decision in ``order``
        (the list as it was shown), wrapping round; stay (or clear) when none is left."""
        nxt = next_undecided(order, after, self.is_undecided)
        if nxt is not None and self.list.select_decision(nxt):
            return
        if not self.list.select_decision(after):
            self.list.clear_current()
            self._current_changed()
        self.status(
            "Every decision here is decided. N: the next document with disagreements.", 6000
        )

    def _current_changed(self, *_args) -> None:
        d = self.current_decision()
        rv = self.review
        keys = self.shown_keys()
        self.status_line.show_position(
            keys.index(d.key) + 1 if d is not None and d.key in keys else None,
            len(keys),
            sum(self.is_undecided(k) for k in keys),
        )
        if rv is not None:
            self.fields.set_data(
                self.scheme, rv.coders, rv.coder_fields, rv.gold_fields, rv.gold_field_sources,
                d.label if d is not None and d.kind == "field" else None,
            )  # fmt: skip
        if d is None:
            self.view.set_current(None)
            self.decisions.detail.setText(
                "<i>No decision selected: J or a click selects one.</i>"
                if self.list.rows
                else "<i>No decisions: the coders left no labels here.</i>"
            )
            return
        if d.kind == "field":
            self.view.set_current(None)
            box = self.fields.boxes.get(d.label)
            if box is not None:
                self.fields_scroll.ensureWidgetVisible(box)
        else:
            color = self._colors.get(d.label, QColor("#202124")).darker(140)
            self.view.set_current((d.start, d.end), color)
        rejected = rv is not None and (rv.doc_id, d.key) in self.rejected
        text = self.doc.text if self.doc is not None else ""
        self.decisions.detail.setText(
            detail_html(d, text, self._colors, rejected, self.notes.get((d.start, d.end, d.label)))
        )

    def _position_clicked(self, cp: int) -> None:
        hits = [d for d in self.list.rows if d.kind != "field" and d.start <= cp < d.end]
        if not hits:
            return
        hits.sort(key=lambda d: (d.end - d.start, d.start))
        cur = self.current_decision()
        keys = [d.key for d in hits]
        # Clicking again cycles through the decisions stacked at that point.
        key = keys[(keys.index(cur.key) + 1) % len(keys)] if cur and cur.key in keys else keys[0]
        self.select_decision(key)

    # -- the keys (``review_actions``), their work in ``review_adjudication`` -----------

    def accept(self) -> None:
        adjudicate.accept(self)

    def reject(self) -> None:
        adjudicate.reject(self)

    def edit(self, label: str | None = None) -> None:
        adjudicate.edit(self, label)

    def set_gold_field(self, field: str, value) -> None:
        adjudicate.set_gold_field(self, field, value)

    def auto_accept(self) -> None:
        adjudicate.auto_accept(self)

    def clear_selection(self) -> None:
        self.view.clear_selection()

    def toggle_sort(self) -> None:
        self.disagreements_first.toggle()

    def set_layer_visible(self, name: str, visible: bool) -> None:
        self.layers.set_visible(name, visible)

    def toggle_layer(self, i: int) -> None:
        self.layers.toggle(i)

    def push(self, command: cmd.StoreCommand) -> bool:
        return cmd.try_push(self.undo_stack, command)

    def status(self, message: str, ms: int) -> None:
        self.statusBar().showMessage(message, ms)

    # -- the editor protocol used by commands -----------------------------------------

    def write(self, edit: P.Edit) -> tuple[bool, object]:
        """Every write of the review: through the main window's queue when it has this
        database open, else through the review's own (retried by its own timer)."""
        mw = self.main_window
        if mw is not None and self._main_queue and _same_file(mw.store.path, self.real_store.path):
            return mw.write(edit)
        written, result = self.pending.write(self.real_store, edit)
        if not written and not self._retry.isActive():
            self._retry.start(self._retry_ms)
        self.show_saved()
        return written, result

    def flush_pending(self, auto_close: bool = True) -> None:
        """The review's own retry (without a main window): in order, each once."""
        try:
            result = self.pending.flush(self.real_store)
        except sqlite3.ProgrammingError:  # closed
            return
        for line in result.dropped:
            self.report_error(line)
        if self.pending:
            self._retry_ms = min(self._retry_ms * 2, 4000)
            self._retry.start(self._retry_ms)
        else:
            self._retry_ms = 250
        if result.written or result.dropped:
            with contextlib.suppress(AnnotatorError, sqlite3.Error):
                self.refresh()
        self.show_saved()
        if auto_close and not self.pending and self._close_when_saved:
            self.close()

    def _warn_unsaved(self) -> QMessageBox:
        def close_when_saved() -> None:
            self._close_when_saved = True

        def discard_and_close() -> None:
            self._may_close = True
            self.close()

        return warn_unsaved(self, self.pending.summary(), close_when_saved, discard_and_close)

    def show_saved(self) -> None:
        self.status_line.show_saved(self.pending)

    def after_edit(self, doc_id: int, select_span=None) -> None:
        if self.doc is None or self.doc.id != doc_id:
            self.open_document(doc_id)
        self.refresh(select=select_span)
        self.show_saved()
        mw = self.main_window
        if mw is not None and mw.doc is not None and mw.doc.id == doc_id:
            with contextlib.suppress(AnnotatorError, sqlite3.Error, AttributeError):
                mw.refresh_spans()

    def show_shortcuts(self) -> None:
        from .dialogs import shortcuts_dialog

        dlg = shortcuts_dialog(self, self._shortcut_rows)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def report_error(self, message: str) -> None:
        with contextlib.suppress(AnnotatorError, sqlite3.Error):
            now = self.real_store.scheme.version  # another process may have changed it
            if now != self.scheme.version:  # the review's keys and labels are the old ones
                message += (
                    f" (the codebook changed to scheme v{now} since the review opened:"
                    " close it and open it again)"
                )
        self.statusBar().showMessage(message, 8000)

    # -- events ------------------------------------------------------------------------

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.WindowActivate and self.doc is not None and not self._loading:
            # Coders may have changed labels in the main window meanwhile.
            with contextlib.suppress(AnnotatorError, sqlite3.Error):
                self.refresh()
        return super().event(e)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if obj is self.main_window and e.type() == QEvent.Type.Close:
            self.close()
        return False

    def closeEvent(self, e: QCloseEvent) -> None:
        if not self._main_queue and self.pending and not self._may_close:
            with contextlib.suppress(sqlite3.Error):
                self.flush_pending(auto_close=False)
            if self.pending:  # its own queue (no main window): never dropped unasked
                e.ignore()
                self._warn_unsaved()
                return
        if self._settings is not None:
            save_window(self._settings, self, key="review")
        if self.main_window is not None:  # (it forgets this window when it is deleted)
            self.main_window.removeEventFilter(self)
        self.undo_stack.clear()
        self.doc = None  # no refresh from here on
        if self.owns_store:
            with contextlib.suppress(sqlite3.Error):
                self.store.close()
            self.owns_store = False
        super().closeEvent(e)


def _same_file(a, b) -> bool:
    return Path(a).resolve() == Path(b).resolve()


def _live(w) -> bool:
    if w is None:
        return False
    try:
        from shiboken6 import isValid

        return isValid(w) and w.isVisible()
    except ImportError:  # pragma: no cover
        return False


class ReviewHost(Protocol):
    """What the review window needs from the main window it is opened from (its
    ``main_window``): one queue of unsaved edits, writes through it, its open article."""

    store: Store
    pending: P.PendingEdits
    doc: Document | None
    settings: QSettings  # where the review window's size is remembered, on this machine

    def write(self, edit: P.Edit) -> tuple[bool, object]: ...

    def refresh_spans(self, select: int | None = None) -> None: ...

    def current_document_id(self) -> int | None: ...

    def window(self) -> QWidget: ...  # the parent of the review window

    def installEventFilter(self, obj: QObject) -> None: ...

    def removeEventFilter(self, obj: QObject) -> None: ...

    @property
    def review_window(self) -> ReviewWindow | None: ...

    def keep_review_window(self, window: ReviewWindow) -> None: ...


def open_review(main_window: ReviewHost, doc_id: int | None) -> ReviewWindow:
    """Open (and return) the non-modal review window of ``main_window``'s database.

    ``doc_id`` None: the first document with a disagreement, or else the main window's
    current one. A review window already open is reused and brought to the front; the
    main window keeps the one it opened (``keep_review_window``).
    """
    existing = main_window.review_window
    if existing is not None and _live(existing):
        if doc_id is not None:
            existing.open_document(doc_id)
        existing.show()
        existing.raise_()
        existing.activateWindow()
        return existing
    # Its own connection (the main window may switch databases), read-only like the main
    # window's when the file or folder cannot be written.
    store = reopen(main_window.store)
    try:
        if doc_id is None:
            doc_id = next(
                (d for d in store.document_ids() if has_disagreement(store, d)),
                main_window.current_document_id(),
            )
        w = ReviewWindow(
            store, doc_id, parent=main_window.window(), owns_store=True, main_window=main_window
        )
    except BaseException:
        store.close()
        raise
    w.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    main_window.keep_review_window(w)
    w.show()
    w.raise_()
    w.activateWindow()
    return w


__all__ = ["GOLD", "ReviewWindow", "open_review"]
