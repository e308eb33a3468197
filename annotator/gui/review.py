"""Adjudication review: one document, every coder's labels, and the gold layer.

``open_review(main_window, doc_id)`` opens a non-modal :class:`ReviewWindow`. The
article shows each coder as a toggleable layer (a band under the text at the
coder's own height, coloured by label) and gold as filled, outlined spans. The
list on the right holds one *decision* per distinct coder span and field value
(:mod:`review_model`), disagreements first. The adjudicator works from the keyboard:

====================  ==============================================================
A / Enter             accept into gold (sources: the coders who marked it)
R / Delete            reject: take it out of gold, or pass over it
E                     accept with the text selection as boundaries (snapped to tokens)
1, 2, 3 …             accept relabelled (with the text selection as boundaries if any)
J / K, ↓ / ↑          next / previous decision (the article scrolls to it)
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
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import pending as P
from ..errors import AnnotatorError
from ..models import Document
from ..store import GOLD, Store
from . import commands as cmd
from .label_panel import human, section_label, swatch
from .layouts import centre_pane, column_scroll, title_row
from .plaintext import literal_mnemonic, literal_title, plain_tooltip
from .review_commands import AddGoldSpan, DeleteGoldSpan, EditGoldSpan, SetGoldField
from .review_fields import FieldsPanel, value_text
from .review_model import (
    ACCEPTED,
    ADJUDICATOR,
    AGREEMENT_RANK,
    CONFLICT,
    EDITED,
    PARTIAL,
    UNANIMOUS,
    Decision,
    Review,
    build_review,
    coders_text,
    excerpt,
    field_sources,
    has_disagreement,
)
from .review_view import GOLD_LAYER, ReviewView
from .style import STYLE

AGREEMENT_TEXT = {
    CONFLICT: "conflict",
    PARTIAL: "partial",
    UNANIMOUS: "all agree",
    ADJUDICATOR: "gold only",
}
AGREEMENT_COLOR = {
    CONFLICT: "#c5221f",
    PARTIAL: "#d56e0c",
    UNANIMOUS: "#3c8d4f",
    ADJUDICATOR: "#7a5aa6",
}
AGREEMENT_TIP = {
    CONFLICT: "Other coders marked an overlapping span with another label or other boundaries",
    PARTIAL: "Marked by some coders only; nobody marked anything else here",
    UNANIMOUS: "Every coder marked exactly this",
    ADJUDICATOR: "In gold, but no coder marked exactly this (an edited or imported gold span)",
}
COL_AGREE, COL_LABEL, COL_TEXT, COL_CODERS, COL_GOLD = range(5)
KEY_ROLE = Qt.ItemDataRole.UserRole

REVIEW_STYLE = """
QWidget#reviewHeader, QWidget#reviewSide { background: #f6f5f2; }
QLabel#reviewTitle { font-size: 14pt; font-weight: 600; color: #202124; }
QLabel#reviewMeta, QLabel#layersTitle { color: #6b6f75; }
QTreeWidget#decisionList { background: #ffffff; alternate-background-color: #faf9f7;
    border: 1px solid #e3e1dc; border-radius: 6px; selection-background-color: #dfe9f7;
    selection-color: #202124; }
QTreeWidget#decisionList::item { padding: 3px 2px; }
QLabel#decisionDetail { background: #ffffff; border: 1px solid #e3e1dc; border-radius: 6px;
    padding: 6px 8px; color: #3c4043; }
QLabel#keyHints { color: #80868b; font-size: 8.5pt; }
QLabel[role="goldTag"] { color: #8a6d00; font-weight: 700; }
QLabel[agreement="conflict"] { color: #c5221f; font-weight: 600; }
QLabel[agreement="partial"] { color: #d56e0c; font-weight: 600; }
QLabel[agreement="unanimous"] { color: #3c8d4f; }
QFrame[role="field"][current="yes"] { border: 1.5px solid #7a8fb0; }
QPushButton[role="fieldValue"] { text-align: left; padding: 1px 4px; border: none;
    color: #1a4f9c; }
QPushButton[role="fieldValue"]:hover { background: #eef3fb; border-radius: 3px; }
QPushButton[role="fieldValue"]:disabled { color: #9aa0a6; }
QPushButton[role="fieldValue"][gold="yes"] { color: #1e6b33; font-weight: 600; }
QPushButton[role="nav"] { border: 1px solid #d6d3cd; border-radius: 12px; padding: 3px 12px;
    background: #ffffff; color: #202124; }
QPushButton[role="nav"]:hover { border-color: #b8b5ae; }
QCheckBox[role="layer"] { spacing: 5px; padding-right: 10px; }
"""


@lru_cache(maxsize=32)
def agreement_icon(agreement: str) -> QIcon:
    size = 14
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(AGREEMENT_COLOR[agreement])
    if agreement == CONFLICT:  # filled diamond: stands out
        p.setBrush(color)
        p.setPen(Qt.PenStyle.NoPen)
        from PySide6.QtCore import QPointF

        p.drawPolygon([QPointF(7, 1), QPointF(13, 7), QPointF(7, 13), QPointF(1, 7)])
    elif agreement == PARTIAL:  # half-filled circle
        p.setPen(QPen(color, 1.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(2, 2, 10, 10)
        p.setBrush(color)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawPie(2, 2, 10, 10, 90 * 16, 180 * 16)
    elif agreement == UNANIMOUS:  # small calm dot
        p.setBrush(color)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(4, 4, 6, 6)
    else:  # gold only: outlined square
        p.setPen(QPen(color, 1.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(3, 3, 8, 8, 2, 2)
    p.end()
    return QIcon(pm)


@lru_cache(maxsize=32)
def layer_icon(band: int, n: int) -> QIcon:
    """Stacked bands, the coder's own one dark: where to look under the text."""
    w, h = 18, 14
    pm = QPixmap(w, h)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    if band < 0:  # gold: an outlined box
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#8a6d00"), 1.5))
        p.setBrush(QColor(240, 200, 60, 70))
        p.drawRoundedRect(2, 2, w - 4, h - 4, 3, 3)
    else:  # a line of text, then one band per coder, the nearest first
        p.fillRect(1, 1, w - 2, 4, QColor("#c9c6bf"))
        for i in range(max(n, 1)):
            y = 7 + i * 3
            p.fillRect(1, y, w - 2, 2, QColor("#303134" if i == band else "#dcd9d2"))
    p.end()
    return QIcon(pm)


class _Rejections:
    """The set of rejected ``(document, decision key)`` pairs, stored in the database so
    a review resumes where it stopped (``Store.reject_decision``)."""

    def __init__(self, store: Store, write):
        self.store = store
        self.write = write  # the window's write path (see ReviewWindow.write)
        self._cache: dict[int, set[str]] = {}

    @staticmethod
    def _key(key: tuple) -> str:
        return json.dumps(key, ensure_ascii=False)

    def _doc(self, doc_id: int) -> set[str]:
        if doc_id not in self._cache:
            self._cache[doc_id] = self.store.rejected_decisions(doc_id)
        return self._cache[doc_id]

    def __contains__(self, item: tuple[int, tuple]) -> bool:
        doc_id, key = item
        return self._key(key) in self._doc(doc_id)

    def add(self, item: tuple[int, tuple]) -> None:
        doc_id, key = item
        if item not in self:
            self.write(P.RejectDecision(doc_id, self._key(key), True))
            self._doc(doc_id).add(self._key(key))

    def discard(self, item: tuple[int, tuple]) -> None:
        doc_id, key = item
        if item in self:
            self.write(P.RejectDecision(doc_id, self._key(key), False))
            self._doc(doc_id).discard(self._key(key))


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
        self.main_window = main_window
        self.doc: Document | None = None
        self.review: Review | None = None
        self.rejected = _Rejections(self.store, self.write)  # (doc, key), kept in the database
        self.undo_stack = QUndoStack(self)
        self._colors = {lab.name: QColor(lab.color) for lab in self.scheme.span_labels}
        self._field_order = {name: i for i, name in enumerate(self.scheme.field_names)}
        self._rows: list[Decision] = []
        self._layer_boxes: dict[str, QCheckBox] = {}
        self._hidden_layers: set[str] = set()
        self._loading = False
        self._shortcut_rows: list[tuple[str, str]] = [
            ("↓ / ↑", "Next / previous decision (in the decision list)"),
            ("Click a span", "Select its decision (click again: the next one there)"),
            ("Drag in the text", "Select gold boundaries (whole tokens; hold Alt: exact)"),
            ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo a gold change"),
        ]
        self._build()
        self._build_actions()
        self.setStyleSheet(STYLE + REVIEW_STYLE)
        self.resize(1440, 900)
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
        self.title_label = QLabel()
        self.title_label.setObjectName("reviewTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("reviewMeta")
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.prev_button = QPushButton("◀  Previous disputed (P)")
        self.next_button = QPushButton("Next disputed (N)  ▶")
        for b, delta, name in ((self.prev_button, -1, "prevDisputed"), (self.next_button, 1, "nextDisputed")):  # fmt: skip
            b.setObjectName(name)
            b.setProperty("role", "nav")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, d=delta: self.step_document(d))
        self.layers_bar = QHBoxLayout()
        self.layers_bar.setSpacing(4)
        layers_title = QLabel("Layers:")
        layers_title.setObjectName("layersTitle")
        self.layers_bar.addWidget(layers_title)
        self._layers_end = QWidget()  # placeholder: layer boxes go before it
        self.layers_bar.addStretch(1)

        top = title_row(self.title_label, self.meta_label, self.prev_button, self.next_button)
        header = QWidget()
        header.setObjectName("reviewHeader")
        hl = QVBoxLayout(header)
        hl.setContentsMargins(34, 12, 18, 8)
        hl.setSpacing(6)
        hl.addLayout(top)
        hl.addLayout(self.layers_bar)

        self.view = ReviewView()
        self.view.positionClicked.connect(self._position_clicked)
        self.view.nextSpanRequested.connect(self.step_decision)
        self.view.selectionInfo.connect(self._selection_info)
        centre = centre_pane(self.view)

        self.list = QTreeWidget()
        self.list.setObjectName("decisionList")
        self.list.setColumnCount(5)
        self.list.setHeaderLabels(["Agreement", "Label", "Text", "Coders", "Gold"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setIconSize(QSize(12, 12))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setAllColumnsShowFocus(True)
        hdr = self.list.header()
        hdr.setStretchLastSection(False)
        hdr.setSectionResizeMode(COL_AGREE, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(COL_CODERS, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_GOLD, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionsClickable(True)
        hdr.sectionClicked.connect(self._header_clicked)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemDoubleClicked.connect(lambda *_: self.accept())

        self.disagreements_first = QCheckBox("Disagreements first")
        self.disagreements_first.setObjectName("disagreementsFirst")
        self.disagreements_first.setChecked(True)
        self.disagreements_first.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.disagreements_first.toggled.connect(lambda _=False: self.refresh())
        list_head = QHBoxLayout()
        list_head.addWidget(section_label("Decisions"))
        list_head.addStretch(1)
        list_head.addWidget(self.disagreements_first)

        self.detail = QLabel()
        self.detail.setObjectName("decisionDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setMinimumHeight(54)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        hints = QLabel(
            "<b>A</b>/Enter accept · <b>R</b>/Del reject · <b>E</b> accept the text selection"
            " · <b>1–9</b> relabel · <b>J</b>/<b>K</b> move · <b>N</b>/<b>P</b> document"
            " · <b>G</b> accept all agreed · Ctrl+Z undo"
        )
        hints.setObjectName("keyHints")
        hints.setWordWrap(True)

        top_side = QWidget()
        tl = QVBoxLayout(top_side)
        tl.setContentsMargins(8, 8, 8, 4)
        tl.setSpacing(6)
        tl.addLayout(list_head)
        tl.addWidget(self.list, 1)
        tl.addWidget(self.detail)
        tl.addWidget(hints)

        self.fields = FieldsPanel()
        self.fields.chosen.connect(self.set_gold_field)
        fields_inner = QWidget()
        fields_inner.setObjectName("labelPanelInner")
        fl = QVBoxLayout(fields_inner)
        fl.setContentsMargins(8, 4, 8, 8)
        fl.setSpacing(6)
        fl.addWidget(section_label("Document fields — click a coder's value to take it"))
        fl.addWidget(self.fields)
        fl.addStretch(1)
        self.fields_scroll = column_scroll(fields_inner)

        side = QSplitter(Qt.Orientation.Vertical)
        side.setObjectName("reviewSide")
        side.addWidget(top_side)
        side.addWidget(self.fields_scroll)
        side.setStretchFactor(0, 3)
        side.setStretchFactor(1, 2)
        side.setSizes([470, 380])
        side.setChildrenCollapsible(False)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([800, 640])
        self.splitter.setChildrenCollapsible(False)

        root = QWidget()
        rl = QVBoxLayout(root)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        rl.addWidget(header)
        rl.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

        sb = self.statusBar()
        self.summary_label = QLabel()
        self.summary_label.setObjectName("reviewSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)  # coder names
        self.sel_label = QLabel()
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        if self.store.readonly:
            banner = QLabel("Read-only: gold cannot be saved")
            banner.setObjectName("readOnlyBanner")
            banner.setStyleSheet(
                "color: #ffffff; background: #b3261e; font-weight: 600; padding: 1px 8px;"
            )
            sb.addPermanentWidget(banner)
        sb.addPermanentWidget(self.sel_label)
        sb.addPermanentWidget(self.summary_label)
        sb.addPermanentWidget(self.saved_label)

    def _act(self, text: str, slot, keys: list[str], name: str) -> QAction:
        self._shortcut_rows.append((", ".join(keys), text))
        a = QAction(text, self)
        a.setObjectName(name)
        a.setShortcuts([QKeySequence(k) for k in keys])
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(slot)
        self.addAction(a)
        return a

    def _build_actions(self) -> None:
        self._act("Accept", self.accept, ["A", "Return", "Enter"], "accept")
        self._act("Reject", self.reject, ["R", "Del", "Backspace"], "reject")
        self._act("Edit: accept the selection", lambda: self.edit(), ["E"], "edit")
        for lab in self.scheme.span_labels:
            self._act(
                f"Accept as {lab.name}", lambda _=False, n=lab.name: self.edit(n), [lab.key],
                f"relabel_{lab.name}",
            )  # fmt: skip
        self._act("Next decision", lambda: self.step_decision(1), ["J"], "nextDecision")
        self._act("Previous decision", lambda: self.step_decision(-1), ["K"], "prevDecision")
        self._act(
            "Next disputed document", lambda: self.step_document(1),
            ["N", "Ctrl+PgDown"], "nextDocument",
        )  # fmt: skip
        self._act(
            "Previous disputed document", lambda: self.step_document(-1),
            ["P", "Ctrl+PgUp"], "prevDocument",
        )  # fmt: skip
        self._act("Accept all agreed", self.auto_accept, ["G"], "autoGold")
        self._act("Clear selection", self.view.clear_selection, ["Esc"], "clearSelection")
        self._act("Disagreements first", self.disagreements_first.toggle, ["D"], "sortToggle")
        self._act("Close", self.close, ["Ctrl+W"], "closeReview")
        self._act("Keyboard shortcuts", self.show_shortcuts, ["F1", "Ctrl+/"], "reviewShortcuts")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts([QKeySequence("Ctrl+Z")])
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(a)
        for i in range(9):
            self._act(
                f"Toggle layer {i + 1}", lambda _=False, i=i: self._toggle_layer(i),
                [f"Alt+{i + 1}"], f"toggleLayer{i + 1}",
            )  # fmt: skip
        self._act("Toggle gold layer", lambda: self._toggle_layer(-1), ["Alt+0"], "toggleGold")
        self._shortcut_rows = [r for r in self._shortcut_rows if "layer" not in r[1]]
        self._shortcut_rows.append(("Alt+1 … Alt+9, Alt+0", "Show or hide a coder's layer, gold"))

    # -- documents -----------------------------------------------------------------

    def _first_disputed(self) -> int | None:
        ids = self.store.document_ids()
        for d in ids:
            if has_disagreement(self.store, d, self.coder_filter):
                return d
        return ids[0] if ids else None

    def _show_empty(self) -> None:
        self.title_label.setText("Nothing to review")
        self.meta_label.setText("No document has labels from two coders yet.")
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
        self.title_label.setText(doc.title or f"Document {doc.id}")
        self.setWindowTitle(
            literal_title(f"Review — {doc.title or doc.id} — annotator ({self.store.path.name})")
        )
        self.refresh(select_first=True)
        self.list.setFocus()

    def step_document(self, delta: int) -> None:
        ids = self.store.document_ids()
        if not ids:
            return
        i = ids.index(self.doc.id) if self.doc is not None and self.doc.id in ids else -1
        order = ids[i + 1 :] if delta > 0 else list(reversed(ids[: max(i, 0)]))
        for d in order:
            if has_disagreement(self.store, d, self.coder_filter):
                self.open_document(d)
                return
        self.statusBar().showMessage(
            "No more documents with disagreements in this direction.", 4000
        )

    # -- refreshing ------------------------------------------------------------------

    def refresh(self, select=None, select_first: bool = False) -> None:
        if self.doc is None:
            return
        current = self.current_decision()
        row = self.list.currentIndex().row()
        self.review = rv = build_review(self.store, self.doc.id, self.coder_filter)
        self._update_layer_boxes(rv.coders)
        self._update_layers(rv)
        self._fill_list(rv)
        keys = [d.key for d in self._rows]
        want = select if select in keys else (current.key if current is not None else None)
        if select_first or want not in keys:
            i = 0 if select_first or row < 0 else min(row, len(keys) - 1)
        else:
            i = keys.index(want)
        if self._rows:
            self.list.setCurrentItem(self.list.topLevelItem(i))
        self._current_changed()
        self._update_meta(rv)

    def _sort_key(self, d: Decision):
        pos = d.position(self._field_order)
        if self.disagreements_first.isChecked():
            return (AGREEMENT_RANK[d.agreement], *pos)
        return pos

    def _fill_list(self, rv: Review) -> None:
        self._rows = sorted(rv.decisions, key=self._sort_key)
        text = self.doc.text if self.doc else ""
        self.list.blockSignals(True)
        self.list.clear()
        items = []
        for d in self._rows:
            it = QTreeWidgetItem()
            it.setData(0, KEY_ROLE, d.key)
            rejected = (rv.doc_id, d.key) in self.rejected and not d.in_gold
            it.setIcon(COL_AGREE, agreement_icon(d.agreement))
            it.setText(COL_AGREE, AGREEMENT_TEXT[d.agreement])
            it.setForeground(COL_AGREE, QColor(AGREEMENT_COLOR[d.agreement]))
            it.setToolTip(COL_AGREE, AGREEMENT_TIP[d.agreement])
            if d.kind == "field":
                it.setIcon(COL_LABEL, swatch("#bdb9b0"))
                it.setText(COL_LABEL, human(d.label))
                it.setText(COL_TEXT, f"= {value_text(d.value)}")
                it.setToolTip(
                    COL_TEXT, plain_tooltip(f"Document field {d.label}: {value_text(d.value)}")
                )
            else:
                color = self._colors.get(d.label, QColor("#888888")).name()
                it.setIcon(COL_LABEL, swatch(color))
                it.setText(COL_LABEL, human(d.label))
                it.setText(COL_TEXT, excerpt(text, d.start, d.end, 60))
                it.setToolTip(COL_TEXT, plain_tooltip(text[d.start : d.end][:600]))
            it.setText(COL_CODERS, coders_text(d) if d.kind != "gold" else "—")
            it.setToolTip(
                COL_CODERS,
                plain_tooltip(f"Marked by {', '.join(d.coders)}") if d.kind != "gold" else "No coder marked exactly this",
            )  # fmt: skip
            gold_text, gold_color = "", "#5f6368"
            if d.gold == ACCEPTED:
                gold_text, gold_color = "✓ gold", "#1e6b33"
            elif d.gold == EDITED:
                gold_text, gold_color = "✎ edited", "#1a4f9c"
            elif rejected:
                gold_text, gold_color = "✗ rejected", "#80868b"
            if gold_text and self._unsaved(rv, d):
                gold_text, gold_color = f"{gold_text} · unsaved", "#b3261e"
            it.setText(COL_GOLD, gold_text)
            it.setForeground(COL_GOLD, QColor(gold_color))
            it.setToolTip(COL_GOLD, plain_tooltip(self._gold_tip(d, text)))
            if d.in_gold or rejected:  # settled: recede
                for c in (COL_LABEL, COL_TEXT, COL_CODERS):
                    it.setForeground(c, QColor("#7d8187"))
            items.append(it)
        self.list.addTopLevelItems(items)
        self.list.blockSignals(False)

    def _unsaved(self, rv: Review, d: Decision) -> bool:
        """Whether this decision's gold (or rejection) is still waiting to be written."""
        if d.kind == "field":
            return d.label in self.store.unsaved_gold_fields(rv.doc_id)
        if d.gold_span is not None:
            return d.gold_span.id in self.store.unsaved_gold_spans(rv.doc_id)
        key = _Rejections._key(d.key)
        return any(
            isinstance(e, P.RejectDecision) and e.decision == key and e.doc_id == rv.doc_id
            for e in self.pending.edits
        )

    def _gold_tip(self, d: Decision, text: str) -> str:
        if d.kind == "field":
            if d.gold:
                return f"Gold from {', '.join(d.gold_sources) or 'the adjudicator'}"
            return "Not in gold"
        g = d.gold_span
        if g is None:
            return "Not in gold"
        src = ", ".join(d.gold_sources) or "the adjudicator"
        if d.gold == EDITED:
            return f"Gold (edited): {g.label} “{excerpt(text, g.start, g.end, 80)}” — from {src}"
        return f"Gold from {src}"

    def _update_layer_boxes(self, coders: list[str]) -> None:
        names = [*coders, GOLD_LAYER]
        if list(self._layer_boxes) == names:
            for i, c in enumerate(coders):
                self._layer_boxes[c].setIcon(layer_icon(i, len(coders)))
            return
        for b in self._layer_boxes.values():
            self.layers_bar.removeWidget(b)
            b.deleteLater()
        self._layer_boxes = {}
        for i, name in enumerate(names):
            gold = name == GOLD_LAYER
            b = QCheckBox("Gold" if gold else literal_mnemonic(name))
            b.setObjectName(f"layer_{name}")
            b.setProperty("role", "layer")
            b.setIcon(layer_icon(-1 if gold else i, len(coders)))
            b.setIconSize(QSize(18, 14))
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setChecked(name not in self._hidden_layers)
            b.setToolTip(
                "The gold layer: filled, outlined spans (Alt+0)"
                if gold
                else plain_tooltip(f"{name}'s spans: band {i + 1} under the text (counting from the text down) (Alt+{i + 1})")
            )  # fmt: skip
            b.toggled.connect(lambda on, n=name: self.set_layer_visible(n, on))
            self.layers_bar.insertWidget(self.layers_bar.count() - 1, b)
            self._layer_boxes[name] = b

    def set_layer_visible(self, name: str, visible: bool) -> None:
        (self._hidden_layers.discard if visible else self._hidden_layers.add)(name)
        self.view.set_layer_visible(name, visible)
        box = self._layer_boxes.get(name)
        if box is not None and box.isChecked() != visible:
            box.setChecked(visible)

    def _toggle_layer(self, i: int) -> None:
        names = [n for n in self._layer_boxes if n != GOLD_LAYER]
        name = GOLD_LAYER if i < 0 else (names[i] if i < len(names) else None)
        if name is not None:
            self.set_layer_visible(name, name in self._hidden_layers)

    def _update_layers(self, rv: Review) -> None:
        band = {c: i for i, c in enumerate(rv.coders)}
        spans = []
        for s in self.store.spans(rv.doc_id):
            if s.annotator in band:
                color = self._colors.get(s.label, QColor("#888888"))
                spans.append((s.annotator, s.start, s.end, s.label, color, band[s.annotator]))
        unsaved = self.store.unsaved_gold_spans(rv.doc_id)
        for g in rv.gold_spans:
            color = self._colors.get(g.label, QColor("#888888"))
            spans.append((GOLD_LAYER, g.start, g.end, g.label, color, -1, g.id in unsaved))
        self.view.set_layers(spans)
        for name in self._layer_boxes:
            self.view.set_layer_visible(name, name not in self._hidden_layers)

    def _update_meta(self, rv: Review) -> None:
        n, dis, gold = rv.counts
        extra = sum(d.kind == "gold" for d in rv.decisions)
        self.summary_label.setText(
            f"{n} decision{'s' if n != 1 else ''} · {dis} disagreement{'s' if dis != 1 else ''}"
            f" · {gold} in gold"
            + (f" · {extra} other gold span{'s' if extra != 1 else ''}" if extra else "")
            + f"   |   coders: {', '.join(rv.coders) or 'none'}"
        )
        assert self.doc is not None
        chars = len(self.doc.text)
        if len(rv.coders) < 2:
            state = "fewer than two coders: nothing to compare"
        else:
            open_ = sum(d.disagreement and not d.in_gold for d in rv.decisions)
            state = f"{open_} disagreement{'s' if open_ != 1 else ''} not in gold"
        self.meta_label.setText(
            f"Document {self.doc.id}  ·  {chars:,} characters  ·  {len(rv.coders)} coders  ·  {state}"
        )

    # -- the current decision ----------------------------------------------------------

    def current_decision(self) -> Decision | None:
        it = self.list.currentItem()
        if it is None:
            return None
        key = it.data(0, KEY_ROLE)
        return next((d for d in self._rows if d.key == key), None)

    def select_decision(self, key) -> bool:
        for i, d in enumerate(self._rows):
            if d.key == key:
                self.list.setCurrentItem(self.list.topLevelItem(i))
                return True
        return False

    def _current_changed(self, *_args) -> None:
        d = self.current_decision()
        rv = self.review
        if rv is not None:
            self.fields.set_data(
                self.scheme, rv.coders, rv.coder_fields, rv.gold_fields, rv.gold_field_sources,
                d.label if d is not None and d.kind == "field" else None,
            )  # fmt: skip
        if d is None:
            self.view.set_current(None)
            self.detail.setText("<i>No decisions: the coders left no labels here.</i>")
            return
        if d.kind == "field":
            self.view.set_current(None)
            box = self.fields.boxes.get(d.label)
            if box is not None:
                self.fields_scroll.ensureWidgetVisible(box)
        else:
            color = self._colors.get(d.label, QColor("#202124")).darker(140)
            self.view.set_current((d.start, d.end), color)
        self.detail.setText(self._detail_html(d))

    def _detail_html(self, d: Decision) -> str:
        from html import escape

        agree = (
            f"<span style='color:{AGREEMENT_COLOR[d.agreement]}; font-weight:600'>"
            f"{AGREEMENT_TEXT[d.agreement].capitalize()}</span>"
        )
        if d.kind == "field":
            what = f"<b>{escape(human(d.label))}</b> = {escape(value_text(d.value))}"
        else:
            color = self._colors.get(d.label, QColor("#888888")).name()
            what = (
                f"<span style='color:{color}'>■</span> <b>{escape(human(d.label))}</b>"
                f" · characters {d.start}–{d.end}"
            )
        who = (
            f"marked by {escape(coders_text(d))}"
            if d.kind != "gold"
            else "no coder marked exactly this"
        )
        if d.gold == ACCEPTED:
            gold = f"✓ in gold, from {escape(', '.join(d.gold_sources) or 'the adjudicator')}"
        elif d.gold == EDITED and d.gold_span is not None:
            g = d.gold_span
            gold = (
                f"✎ in gold as edited: {escape(human(g.label))} “{escape(excerpt(self.doc.text, g.start, g.end, 60))}”"
                f" (from {escape(', '.join(d.gold_sources))})"
            )  # fmt: skip
        elif self.review is not None and (self.review.doc_id, d.key) in self.rejected:
            gold = "✗ rejected (not in gold)"
        else:
            gold = "not in gold"
        return f"{agree} · {what}<br>{who} · {gold}"

    def step_decision(self, delta: int) -> None:
        n = self.list.topLevelItemCount()
        if not n:
            return
        i = self.list.currentIndex().row()
        j = min(max(i + delta, 0), n - 1) if i >= 0 else 0
        self.list.setCurrentItem(self.list.topLevelItem(j))

    def _position_clicked(self, cp: int) -> None:
        hits = [d for d in self._rows if d.kind != "field" and d.start <= cp < d.end]
        if not hits:
            return
        hits.sort(key=lambda d: (d.end - d.start, d.start))
        cur = self.current_decision()
        keys = [d.key for d in hits]
        # Clicking again cycles through the decisions stacked at that point.
        key = keys[(keys.index(cur.key) + 1) % len(keys)] if cur and cur.key in keys else keys[0]
        self.select_decision(key)

    def _header_clicked(self, section: int) -> None:
        # The agreement column sorts disagreements first; any other, by position.
        self.disagreements_first.setChecked(section == COL_AGREE)

    def _selection_info(self, start: int, end: int) -> None:
        self.sel_label.setText("" if start < 0 else f"Selection: {end - start} characters")

    # -- adjudication ----------------------------------------------------------------

    def _push(self, command: cmd.StoreCommand) -> bool:
        return cmd.try_push(self.undo_stack, command)

    def accept(self) -> None:
        d = self.current_decision()
        if d is None or self.doc is None:
            return
        doc = self.doc.id
        self.rejected.discard((doc, d.key))
        if d.kind == "field":
            if d.gold:
                self.statusBar().showMessage("That value is already the gold value.", 3000)
            elif self._set_field(d.label, d.value, d.coders, focus=d.key):
                self.statusBar().showMessage(
                    f"Gold {d.label} = {value_text(d.value)} (from {', '.join(d.coders)}).", 4000
                )
        elif d.gold == ACCEPTED:
            self.statusBar().showMessage("Already in gold.", 3000)
        elif d.gold == EDITED and d.gold_span is not None:
            g = d.gold_span
            self._push(
                EditGoldSpan(self, doc, (g.start, g.end, g.label), (d.start, d.end, d.label), d.key)
            )
        elif not self._push(AddGoldSpan(self, doc, (d.start, d.end, d.label), d.coders, d.key)):
            return
        self.step_decision(1)

    def reject(self) -> None:
        d = self.current_decision()
        if d is None or self.doc is None:
            return
        doc = self.doc.id
        if d.kind == "field":
            if d.gold:
                old = (self.review.gold_fields.get(d.label), d.gold_sources)  # type: ignore[union-attr]
                self._push(SetGoldField(self, doc, d.label, old, (None, ()), d.key))
                self.statusBar().showMessage(f"Gold {d.label} cleared.", 3000)
                return
        elif d.gold_span is not None:
            focus = d.key if d.kind != "gold" else None
            self._push(DeleteGoldSpan(self, doc, d.gold_span, d.gold_sources, focus))
            self.statusBar().showMessage("Removed from gold.", 3000)
            return
        self.rejected.add((doc, d.key))
        self.refresh(select=d.key)
        self.step_decision(1)

    def edit(self, label: str | None = None) -> None:
        """Accept the current span decision with the text selection as its boundaries
        and/or ``label`` (edits the gold span already made from it)."""
        d = self.current_decision()
        if d is None or self.doc is None:
            return
        if d.kind == "field":
            self.statusBar().showMessage(
                "Fields: accept a value with A, or pick the gold value in the panel.", 4000
            )
            return
        doc = self.doc.id
        g = d.gold_span
        base = (g.start, g.end, g.label) if g is not None else (d.start, d.end, d.label)
        sel = self.view.selection_cp()
        if sel is not None and sel[1] > sel[0]:
            try:  # whole tokens, unless the selection was dragged with Alt held
                exact = sel == self.view.exact_selection
                start, end = sel if exact else self.store.snap_to_tokens(doc, *sel)
            except AnnotatorError as e:
                self.report_error(str(e))
                return
            if end <= start:
                start, end = sel
        elif label is None:
            self.statusBar().showMessage(
                "Select the gold boundaries in the text first, then press E"
                " (or press a label key to relabel).",
                5000,
            )
            return
        else:
            start, end = base[0], base[1]
        new = (start, end, label or base[2])
        if g is not None:
            if new == base:
                self.statusBar().showMessage("Gold already has exactly that.", 3000)
                return
            focus = d.key if d.kind != "gold" else ("gold", *new)
            ok = self._push(EditGoldSpan(self, doc, base, new, focus))
        else:
            ok = self._push(AddGoldSpan(self, doc, new, d.coders, d.key))
        if ok:
            self.rejected.discard((doc, d.key))
            self.view.clear_selection()
            what = f"{new[2]} “{excerpt(self.doc.text, new[0], new[1], 50)}”"
            self.statusBar().showMessage(f"Gold: {what} (from {', '.join(d.coders) or '—'}).", 4000)

    def set_gold_field(self, field: str, value) -> None:
        """From the fields panel: a coder's value or the gold editor."""
        if self.review is None:
            return
        sources = field_sources(self.review.coder_fields, field, value)
        d = self.current_decision()
        focus = d.key if d is not None else None
        key = ("field", field, value)
        if any(x.key == key for x in self._rows):
            focus = key
        self._set_field(field, value, sources, focus)

    def _set_field(self, field: str, value, sources: tuple[str, ...], focus) -> bool:
        assert self.review is not None and self.doc is not None
        old_value = self.review.gold_fields.get(field)
        old = (old_value, self.review.gold_field_sources.get(field, ()))
        if old_value == value and (value is None or tuple(old[1]) == tuple(sources)):
            return False
        return self._push(SetGoldField(self, self.doc.id, field, old, (value, sources), focus))

    def auto_accept(self) -> None:
        """Accept what every coder of this document agrees on exactly (one undo step)."""
        rv = self.review
        if rv is None or self.doc is None:
            return
        if len(rv.coders) < 2:
            self.statusBar().showMessage("Fewer than two coders: nothing agreed to accept.", 4000)
            return
        doc = self.doc.id
        todo = [d for d in rv.decisions if d.agreement == UNANIMOUS and not d.in_gold]
        todo = [d for d in todo if d.kind == "span" or d.label not in rv.gold_fields]
        if not todo:
            self.statusBar().showMessage("Everything the coders agree on is in gold.", 4000)
            return
        self.undo_stack.beginMacro(f"Accept {len(todo)} agreed label(s)")
        try:
            for d in todo:
                if d.kind == "span":
                    c = AddGoldSpan(self, doc, (d.start, d.end, d.label), d.coders, d.key)
                else:
                    c = SetGoldField(self, doc, d.label, (None, ()), (d.value, d.coders), d.key)
                if not self._push(c):
                    break
        finally:
            self.undo_stack.endMacro()
        self.statusBar().showMessage(f"Accepted {len(todo)} agreed label(s) into gold.", 5000)

    # -- the editor protocol used by commands -----------------------------------------

    def write(self, edit: P.Edit) -> tuple[bool, object]:
        """Every write of the review: through the main window's queue when it has this
        database open, else through the review's own (retried by its own timer)."""
        mw = self.main_window
        if self._main_queue and _same_file(mw.store.path, self.real_store.path):
            return mw.write(edit)
        written, result = self.pending.write(self.real_store, edit)
        if not written and not self._retry.isActive():
            self._retry.start(self._retry_ms)
        self._show_saved()
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
        self._show_saved()
        if auto_close and not self.pending and self._close_when_saved:
            self.close()

    def _warn_unsaved(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setObjectName("unsavedWarning")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved gold edits")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"{self.pending.summary()}.")
        wait = box.addButton("Close when saved", QMessageBox.ButtonRole.AcceptRole)
        wait.setObjectName("closeWhenSaved")
        drop = box.addButton("Discard them and close", QMessageBox.ButtonRole.DestructiveRole)
        drop.setObjectName("discard")
        keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
        keep.setObjectName("keepWorking")
        box.setDefaultButton(wait)
        box.setEscapeButton(keep)

        def chosen(button) -> None:
            if button is wait:
                self._close_when_saved = True
            elif button is drop:
                self._may_close = True
                self.close()

        box.buttonClicked.connect(chosen)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _show_saved(self) -> None:
        if self.pending:
            self.saved_label.setText(self.pending.summary())
            self.saved_label.setStyleSheet("color: #b3261e; font-weight: 600;")
        else:
            self.saved_label.setText(f"✓ Saved {datetime.now():%H:%M:%S}")
            self.saved_label.setStyleSheet("")

    def after_edit(self, doc_id: int, select_span=None) -> None:
        if self.doc is None or self.doc.id != doc_id:
            self.open_document(doc_id)
        self.refresh(select=select_span)
        self._show_saved()
        mw = self.main_window
        if mw is not None and getattr(mw, "doc", None) is not None and mw.doc.id == doc_id:
            with contextlib.suppress(AnnotatorError, sqlite3.Error, AttributeError):
                mw.refresh_spans()

    def show_shortcuts(self) -> None:
        from .dialogs import shortcuts_dialog

        dlg = shortcuts_dialog(self, self._shortcut_rows)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    def report_error(self, message: str) -> None:
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
    path = main_window.store.path
    # Its own connection (the main window may switch databases), read-only like the main
    # window's when the file or folder cannot be written.
    store = Store(path, readonly=main_window.store.readonly)
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
