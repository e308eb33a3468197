"""The main window's documents: which article is open, moving between articles, and the
coding time of each visit.

:class:`Navigator` fills the document list from the store, opens an article (its text,
title, spans and fields, the pending edits laid over them), steps through the list as
filtered, and counts the time spent on each article (at most ``MAX_SECONDS_PER_VISIT``
per visit), written as an edit through the window's write path when the coder leaves it.
It talks to the window through :class:`NavHost` (public members).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer
from PySide6.QtWidgets import QStatusBar

from .. import pending as P
from ..errors import AnnotatorError
from ..models import Document, Tokenization
from ..store import Store
from .article_view import ArticleView
from .chrome import DocHeader
from .document_list import DocumentList

MAX_SECONDS_PER_VISIT = 30 * 60  # coding time counted per article visit, at most


class PanelView(Protocol):
    """The label panel (or its stand-in until it is built), as navigation fills it."""

    def set_spans(self, rows: Any, selected: Any = None) -> None: ...

    def set_field_values(self, values: Any) -> None: ...


class NavHost(Protocol):
    """What document navigation needs from the main window."""

    store: Store
    pending: P.PendingEdits
    doc: Document | None
    coder: str
    view: ArticleView
    doc_list: DocumentList
    header: DocHeader

    @property
    def panel(self) -> PanelView: ...

    def statusBar(self) -> QStatusBar: ...

    def write(self, edit: P.Edit) -> tuple[bool, object]: ...

    def report_error(self, message: str) -> None: ...

    def refresh_spans(self, select: int | None = None) -> None: ...

    def refresh_fields(self) -> None: ...

    def refresh_progress(self) -> None: ...

    def update_meta(self) -> None: ...

    def update_title(self) -> None: ...

    def update_coder_display(self) -> None: ...


class Navigator(QObject):
    """Opens the articles of one main window (``host``) and counts their coding time."""

    def __init__(self, host: NavHost, parent: QObject):
        super().__init__(parent)
        self.w = host
        self.visit = QElapsedTimer()
        self.preload = QTimer(self)
        self.preload.setSingleShot(True)
        self.preload.timeout.connect(self._preload_tokens)

    def reload_documents(self) -> None:
        w = self.w
        rows = w.store.list_documents(w.coder)
        current = w.doc.id if w.doc else None
        if current is None or current not in {r.id for r in rows}:
            current = None
            if rows:
                todo = [r for r in rows if r.state != "done"]
                current = (todo or rows)[0].id
        w.doc_list.set_documents(rows, current)
        for e in w.pending.edits if w.pending.belongs_to(w.store) else ():
            if isinstance(e, P.SetTitle):
                w.doc_list.set_title(e.doc_id, w.pending.title("", e.doc_id))
        w.refresh_progress()
        w.update_coder_display()
        if current is None:
            w.doc = None
            w.view.set_document("", lambda: Tokenization((), ()))
            w.header.show_empty()
            w.panel.set_spans([])
            w.panel.set_field_values({})
        elif w.doc is None or w.doc.id != current:
            self.open_document(current)
        else:
            self.open_document(current, keep_position=True)

    def open_document(self, doc_id: int, keep_position: bool = False) -> None:
        w = self.w
        self.record_time()
        pos = w.view.verticalScrollBar().value() if keep_position else None
        try:
            doc = w.store.document(doc_id)
        except AnnotatorError as e:
            w.report_error(str(e))
            return
        if w.pending.belongs_to(w.store):
            doc = replace(doc, title=w.pending.title(doc.title, doc.id))
        w.doc = doc
        w.view.set_document(doc.text, lambda: w.store.tokenization(doc_id))
        if pos is not None:
            w.view.verticalScrollBar().setValue(pos)
        w.header.title_label.setText(doc.title or f"Document {doc.id}")
        w.doc_list.select(doc_id)
        w.refresh_spans()
        w.refresh_fields()
        w.update_meta()
        w.update_title()
        self.visit.start()
        # Load the token offsets once the article is on screen, not before.
        self.preload.start(30)
        w.view.setFocus()

    def _preload_tokens(self) -> None:
        if self.w.doc is not None:
            self.w.view.tokenization()

    def step_document(self, delta: int) -> None:
        w = self.w
        ids = self.visible_ids()
        if not ids or w.doc is None:
            return
        i = ids.index(w.doc.id) if w.doc.id in ids else -1
        j = i + delta
        if 0 <= j < len(ids):
            self.open_document(ids[j])
        else:
            w.statusBar().showMessage("No more articles in this direction.", 3000)

    def visible_ids(self) -> list[int]:
        """The ids of the document list's rows as shown (filtered and sorted)."""
        proxy = self.w.doc_list.proxy
        return [proxy.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(proxy.rowCount())]

    def record_time(self) -> None:
        """Write the time spent on the open article since it was opened (or since the
        last time it was written), at most MAX_SECONDS_PER_VISIT."""
        w = self.w
        if w.store.readonly:  # nothing can be saved: coding time is not counted
            self.visit.invalidate()
            return
        if w.doc is not None and self.visit.isValid():
            seconds = min(self.visit.elapsed() / 1000.0, MAX_SECONDS_PER_VISIT)
            self.visit.invalidate()
            if seconds > 0:
                with contextlib.suppress(AnnotatorError):
                    w.write(P.AddTime(w.doc.id, w.coder, seconds))
