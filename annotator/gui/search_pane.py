"""Edit → Find in all articles… (Ctrl+Shift+F): the search pane, docked below the article.

The coder types a query (FTS5's syntax, or a regular expression) and, after a short
pause, sees every hit in a keyword-in-context list (:class:`~.search_model.HitModel`,
fetched a page at a time) with a count that grows as it is counted; both are the work of
a worker thread with its own read-only connection (``search_worker.py``), so typing
never waits for a query. Filters narrow the hits to the coder's documents of a status, or with (without)
one of the coder's labels (``annotator.search_filters``). Moving to a hit (click, ↑/↓,
Enter) opens its article with the hit selected and scrolled into view, and leaves the
keyboard in the list: a label key labels the selection as usual. "Label all hits…"
(:class:`LabelHitsDialog`) labels the checked hits as one undoable step
(``commands.LabelHits``). Esc closes the pane, back to the article. A query that cannot
be read says so in one line under the box.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from .. import pending as P
from ..errors import AnnotatorError
from ..models import Document, Span
from ..store import Store
from .article_view import ArticleView
from .search_model import HIT, LEFT, PAGE, RIGHT, TITLE, HitModel, LeftElided, one_line

if TYPE_CHECKING:
    from ..search import Hit
    from ..search_filters import HitFilter, LabelPlan
    from .search_worker import SearchJob

DELAY_MS = 250  # the pause in typing after which the query runs
MAX_LABEL_HITS = 5000  # hits the Label all dialog lists
STATUSES = (("", "Any status"), ("new", "New"), ("in_progress", "In progress"), ("done", "Done"))


class SearchHost(Protocol):
    """What the pane needs from the main window (its public API)."""

    store: Store
    coder: str
    doc: Document | None
    view: ArticleView
    undo_stack: QUndoStack
    pending: P.PendingEdits

    def open_document(self, doc_id: int, keep_position: bool = False) -> None: ...

    def write(self, edit: P.Edit) -> tuple[bool, object]: ...

    def after_edit(self, doc_id: int, select_span: int | None = None) -> None: ...

    def report_error(self, message: str) -> None: ...

    def refresh_documents(self, doc_ids: Any) -> None: ...

    def own_spans(self, doc_id: int) -> tuple[list[Span], set[int]]: ...


def _error_style(label: QLabel) -> None:
    label.setStyleSheet("color: #b3261e;")
    label.setWordWrap(False)


class SearchPane(QDockWidget):
    """The search dock of ``host`` (a QMainWindow)."""

    def __init__(self, host: SearchHost, parent: QWidget) -> None:
        super().__init__("Find in all articles", parent)
        self.setObjectName("searchPane")
        self.host = host
        self.label_dialog: LabelHitsDialog | None = None
        body = QWidget()
        body.setObjectName("searchBody")
        lay = QVBoxLayout(body)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(4)

        row = QHBoxLayout()
        self.query = QLineEdit()
        self.query.setObjectName("searchQuery")
        self.query.setClearButtonEnabled(True)
        self.query.setPlaceholderText(
            'Find in all articles: words, "a phrase", prefix*, AND / OR / NOT, NEAR(a b, 5)'
        )
        self.regex = QCheckBox("Regular expression")
        self.regex.setObjectName("searchRegex")
        self.status = QComboBox()
        self.status.setObjectName("searchStatus")
        for value, text in STATUSES:
            self.status.addItem(text, value)
        self.labels = QComboBox()
        self.labels.setObjectName("searchLabels")
        self.fill_labels()
        self.label_all = QPushButton("Label all hits…")
        self.label_all.setObjectName("labelAllHits")
        self.label_all.setEnabled(False)
        row.addWidget(self.query, 1)
        row.addWidget(self.regex)
        row.addWidget(self.status)
        row.addWidget(self.labels)
        row.addWidget(self.label_all)
        lay.addLayout(row)

        info = QHBoxLayout()
        self.error = QLabel("")
        self.error.setObjectName("searchError")
        _error_style(self.error)
        self.count = QLabel("")
        self.count.setObjectName("searchCount")
        self.count.setStyleSheet("color: #5f6368;")
        info.addWidget(self.error, 1)
        info.addWidget(self.count)
        lay.addLayout(info)

        self.model = HitModel(self)
        self.table = QTableView()
        self.table.setObjectName("searchHits")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setTabKeyNavigation(False)
        self.table.setStyleSheet("QTableView { outline: 0; }")  # no focus frame on a cell
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Interactive)
        head.setSectionResizeMode(LEFT, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(HIT, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(RIGHT, QHeaderView.ResizeMode.Stretch)
        head.resizeSection(TITLE, 170)
        self._elide = LeftElided(self.table)
        self.table.setItemDelegateForColumn(LEFT, self._elide)
        lay.addWidget(self.table, 1)
        self.setWidget(body)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.run)
        self.query.textChanged.connect(lambda _t: self.timer.start())
        self.query.returnPressed.connect(self._run_now)
        self.regex.toggled.connect(lambda _on: self.timer.start())
        self.status.currentIndexChanged.connect(lambda _i: self.run())
        self.labels.currentIndexChanged.connect(lambda _i: self.run())
        self.table.selectionModel().currentRowChanged.connect(
            lambda cur, _prev: self.open_hit(cur.row()) if cur.isValid() else None
        )
        self.table.activated.connect(lambda index: self.open_hit(index.row()))
        self.label_all.clicked.connect(self.open_label_dialog)

        self.job: SearchJob | None = None  # the shown query's worker
        self._counting = False
        self.searched = ""  # the query the list shows ("" : none)
        self.runs = 0  # searches run (tests wait for the next one)
        self.walk_on_first_page = False  # Enter in the box: into the list when hits come
        for w in (self.query, self.table, self.regex, self.status, self.labels, self.label_all):
            w.installEventFilter(self)
        parent.installEventFilter(self)  # the window closing stops the worker

    # -- the scheme's labels in the filter ------------------------------------------

    def fill_labels(self) -> None:
        """The label filter's choices from the window's scheme (again after it changed)."""
        keep = self.labels.currentData()
        self.labels.blockSignals(True)
        self.labels.clear()
        self.labels.addItem("Any of my labels", "")
        names = [lab.name for lab in self.host.store.scheme.span_labels]
        for name in names:
            self.labels.addItem(f"Has my {name}", f"+{name}")
        for name in names:
            self.labels.addItem(f"Has not my {name}", f"-{name}")
        i = self.labels.findData(keep)
        self.labels.setCurrentIndex(max(i, 0))
        self.labels.blockSignals(False)

    def scheme_changed(self) -> None:
        """The window's scheme (or database) changed: the label choices, and the hits again."""
        self.fill_labels()
        if self.query.text().strip():
            self.run()

    def documents_changed(self) -> None:
        """The window's articles were read again (another coder, whose "my" status and
        labels the filters now mean; another database; an import or merge): the hits
        again."""
        if self.query.text().strip():
            self.run()

    # -- searching -------------------------------------------------------------------

    def start(self) -> None:
        """Shown by Ctrl+Shift+F: the query box with its text selected."""
        self.show()
        self.raise_()
        self.query.setFocus()
        self.query.selectAll()

    def hit_filter(self) -> HitFilter:
        from ..search_filters import HitFilter

        label = str(self.labels.currentData() or "")
        return HitFilter(
            self.host.coder,
            status=str(self.status.currentData() or ""),
            label=label[1:],
            has_label=not label.startswith("-"),
        )

    def stream(self) -> Iterator[Hit]:
        """The hits of the query as shown (filters applied), streamed, on this thread."""
        from .search_worker import hit_stream

        return hit_stream(
            self.host.store, self.query.text(), self.regex.isChecked(), self.hit_filter()
        )

    def _run_now(self) -> None:
        self.timer.stop()
        self.run()
        self.walk_on_first_page = True

    def cancel(self) -> None:
        """Stop the shown query's worker (it says nothing more)."""
        if self.job is not None:
            self.job.cancel()
            self.job = None
        self.model.stop()
        self._counting = False

    def run(self) -> None:
        """Search now, on a worker: the first page of hits, then the count."""
        from .search_worker import SearchJob

        self.timer.stop()
        self.cancel()
        self.runs += 1
        self.walk_on_first_page = False
        text = self.query.text()
        self.error.setText("")
        self.count.setText("")
        self.label_all.setEnabled(False)
        self.searched = ""
        store = self.host.store
        if not text.strip():
            self.model.set_job(None)
            return
        try:
            f = self.hit_filter()
            from ..search_filters import check_filter

            check_filter(store, f)
            if not store.readonly:
                # An index left to be built (a coder's pack) is built here, by the
                # window's connection: the worker's is read-only.
                store.search_rows(text)
        except (AnnotatorError, sqlite3.Error) as e:
            self.model.set_job(None)
            self.error.setText(" ".join(str(e).split()))
            return
        job = SearchJob(
            store.path, text, self.regex.isChecked(), f, page=PAGE, first=self.screen_rows()
        )
        job.signals.page.connect(self._page)
        job.signals.counted.connect(self._counted)
        job.signals.failed.connect(self._failed)
        self.destroyed.connect(job.cancel)  # the window closed: the worker stops too
        self.job = job
        self._counting = True
        self.searched = text
        self.model.set_job(job)
        self.count.setText("Searching…")
        job.start()

    def screen_rows(self) -> int:
        """The first page: the hit rows the list shows at once (a row shown in part
        counts) and one more below them, so that the view does not ask for the next page
        at once (it does when its last row is in sight). The first screen waits for no
        document beyond those."""
        row = max(1, self.table.verticalHeader().defaultSectionSize())
        return -(-self.table.viewport().height() // row) + 1

    def _page(self, job: object, page: list[Hit], last: bool) -> None:
        if job is not self.job:
            return
        first = self.model.rowCount() == 0
        self.model.add_page(job, page, last)
        self.label_all.setEnabled(self.model.rowCount() > 0 and not self.host.store.readonly)
        if first and page and self.walk_on_first_page:
            self.walk_on_first_page = False
            self.table.setFocus()
            self.table.selectRow(0)

    def _counted(self, job: object, hits: int, docs: int, done: bool) -> None:
        if job is not self.job:
            return
        self.count.setText(self.count_text(hits, docs, done))
        if done:
            self._counting = False

    def _failed(self, job: object, message: str) -> None:
        if job is not self.job:
            return
        self.cancel()
        self.searched = ""
        self.error.setText(message)
        self.count.setText("")
        self.label_all.setEnabled(False)

    @staticmethod
    def count_text(hits: int, docs: int, done: bool) -> str:
        more = "" if done else "+"
        h = "hit" if hits == 1 and done else "hits"
        a = "article" if docs == 1 and done else "articles"
        return f"{hits:,}{more} {h} in {docs:,}{more} {a}"

    @property
    def counting(self) -> bool:
        """Whether the shown query is still being counted."""
        return self._counting

    @property
    def busy(self) -> bool:
        """Whether the worker is still at it: the first page or the count to come."""
        return self._counting or self.model.waiting

    # -- walking the hits ---------------------------------------------------------------

    def open_hit(self, row: int) -> None:
        """Open the article of hit ``row`` with the hit selected; the keys stay here."""
        if not 0 <= row < self.model.rowCount():
            return
        hit = self.model.hit(row)
        w = self.host
        if w.doc is None or w.doc.id != hit.doc_id:
            w.open_document(hit.doc_id)
            if w.doc is None or w.doc.id != hit.doc_id:
                return  # could not be opened (said by the window)
        w.view.select_cp(hit.start, hit.end)
        w.view.centerCursor()  # the hit mid-article, with its context around it
        self.table.setFocus()

    def current_hit(self) -> Hit | None:
        row = self.table.currentIndex().row()
        return self.model.hit(row) if 0 <= row < self.model.rowCount() else None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        t = event.type()
        if t == QEvent.Type.Close and obj is self.parent():
            self.cancel()
            return False
        if t in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(
            event, QKeyEvent
        ):
            key = event.key()
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            if key == Qt.Key.Key_Escape and plain:
                if t == QEvent.Type.ShortcutOverride:
                    event.accept()  # Esc is ours here, not the window's Clear selection
                else:
                    self.close_pane()
                return True
            if obj is self.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
                if t == QEvent.Type.KeyPress:
                    self.open_hit(self.table.currentIndex().row())
                return True
            if obj is self.query and key == Qt.Key.Key_Down and t == QEvent.Type.KeyPress:
                if self.timer.isActive():
                    self._run_now()
                elif self.model.rowCount():
                    self.table.setFocus()
                    if not self.table.currentIndex().isValid():
                        self.table.selectRow(0)
                return True
        return super().eventFilter(obj, event)

    def close_pane(self) -> None:
        self.timer.stop()
        self.cancel()
        self.close()
        self.host.view.setFocus()

    # -- Label all hits… ------------------------------------------------------------------

    def open_label_dialog(self) -> LabelHitsDialog | None:
        if self.timer.isActive():  # typed, not run yet: the dialog lists the typed query
            self.run()
        if not self.searched:
            return None
        dlg = LabelHitsDialog(self, self.searched)
        self.label_dialog = dlg
        dlg.accepted.connect(lambda: self.apply_labels(dlg))
        dlg.open()
        return dlg

    def apply_labels(self, dlg: LabelHitsDialog) -> None:
        from . import commands as cmd

        plan = dlg.plan()
        if not plan.add:
            self.host.report_error(dlg.summary.text())
            return
        w = self.host
        where = w.doc.id if w.doc is not None else plan.add[0][0]
        command = cmd.LabelHits(w, where, w.coder, dlg.label(), plan.add)
        if cmd.try_push(w.undo_stack, command):
            self.count.setText(
                f"Labelled {len(plan.add)} hit(s) as {dlg.label()} in {plan.documents}"
                f" article(s); {plan.skipped} already labelled."
            )
            if self.labels.currentData() or self.status.currentData():
                self.run()  # the filters see the new labels


class LabelHitsDialog(QDialog):
    """The hits with checkboxes (all checked), the label to give them, tokens or exact."""

    def __init__(self, pane: SearchPane, query: str) -> None:
        super().__init__(pane.window())
        self.setObjectName("labelHitsDialog")
        self.setWindowTitle("Label all hits")
        self.pane = pane
        self.store = pane.host.store
        self.coder = pane.host.coder
        lay = QVBoxLayout(self)
        self.hits: list[Hit] = []
        more = False
        try:
            for hit in pane.stream():
                if len(self.hits) >= MAX_LABEL_HITS:
                    more = True
                    break
                self.hits.append(hit)
        except (AnnotatorError, sqlite3.Error) as e:
            pane.error.setText(" ".join(str(e).split()))
        head = QLabel(
            f"The hits of {one_line(query)!r} for {one_line(self.coder)}"
            + (f" (the first {MAX_LABEL_HITS:,}; narrow the query for the rest)" if more else "")
            + ". Untick the ones not to label."
        )
        head.setWordWrap(True)
        lay.addWidget(head)
        self.list = QListWidget()
        self.list.setObjectName("labelHitsList")
        for hit in self.hits:
            title = one_line(hit.title) or f"Document {hit.doc_id}"
            title = title if len(title) <= 36 else title[:35] + "…"
            left, right = one_line(hit.left), one_line(hit.right)
            left = left if len(left) <= 40 else "…" + left[-39:]
            right = right if len(right) <= 40 else right[:39] + "…"
            text = f"{title}  —  {left}[{one_line(hit.text)}]{right}"
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        lay.addWidget(self.list, 1)

        row = QHBoxLayout()
        row.addWidget(QLabel("Label:"))
        self.chooser = QComboBox()
        self.chooser.setObjectName("labelHitsLabel")
        for lab in self.store.scheme.offered_labels:
            self.chooser.addItem(lab.name, lab.name)
        row.addWidget(self.chooser, 1)
        self.tokens = QRadioButton("Snap to whole tokens")
        self.tokens.setObjectName("labelHitsTokens")
        self.tokens.setChecked(True)
        self.exact = QRadioButton("Exact characters")
        self.exact.setObjectName("labelHitsExact")
        row.addWidget(self.tokens)
        row.addWidget(self.exact)
        lay.addLayout(row)
        self.summary = QLabel("")
        self.summary.setObjectName("labelHitsSummary")
        lay.addWidget(self.summary)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.chooser.currentIndexChanged.connect(lambda _i: self.update_summary())
        self.tokens.toggled.connect(lambda _on: self.update_summary())
        self.list.itemChanged.connect(lambda _it: self.update_summary())
        self.resize(760, 460)
        self.update_summary()

    def label(self) -> str:
        return str(self.chooser.currentData() or "")

    def checked(self) -> list[Hit]:
        return [
            h
            for i, h in enumerate(self.hits)
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def plan(self) -> LabelPlan:
        from ..search_filters import LabelPlan, plan_labels

        if not self.label():
            return LabelPlan()
        snap: Literal["tokens", "exact"] = "tokens" if self.tokens.isChecked() else "exact"
        host = self.pane.host
        return plan_labels(  # the spans as shown: a label still unsaved counts
            self.store, self.checked(), self.coder, self.label(), snap,
            spans=lambda doc_id: host.own_spans(doc_id)[0],
        )  # fmt: skip

    def update_summary(self) -> None:
        try:
            plan = self.plan()
        except (AnnotatorError, sqlite3.Error) as e:
            self.summary.setText(str(e))
            return
        self.summary.setText(
            f"{len(plan.add)} hit(s) will be labelled {self.label()} in {plan.documents}"
            f" article(s); {plan.skipped} already labelled {self.label()} will be skipped."
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(plan.add))
