"""The main window's documents: which article is open, moving between articles, and the
coding time of each visit.

:class:`Navigator` fills the document list from the store, opens an article (its text,
title, spans and fields, the pending edits laid over them), steps through the list as
filtered, and counts the time spent on each article (at most ``MAX_SECONDS_PER_VISIT``
per visit), written as an edit through the window's write path when the coder leaves it.
It talks to the window through :class:`NavHost` (public members).

A coder with assignments in the current round works through their queue
(``Store.coder_queue``, one query; :attr:`Navigator.queue`): the list shows it first
(``document_list.py``), the window opens on its first document not done, and Ctrl+Enter
goes to the queue's next not done (:meth:`Navigator.next_in_queue`, the rule in
``annotator.queueing``). Whether the other articles are shown too is remembered per
database (:func:`show_all_key`).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QElapsedTimer, QObject, QSettings, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from .. import pending as P
from ..errors import AnnotatorError
from ..models import Document, Tokenization
from ..records import replace
from ..store import Store
from .article_view import ArticleView
from .chrome import DocHeader
from .coder import database_key
from .document_list import DocumentList

MAX_SECONDS_PER_VISIT = 30 * 60  # coding time counted per article visit, at most
SHOW_ALL_KEYS = "queue/show_all"  # + "/" + the database's key: "Show all articles" ticked


def show_all_key(path: str | Path) -> str:
    """The settings key of "Show all articles" for the database at ``path``."""
    return f"{SHOW_ALL_KEYS}/{database_key(path).rsplit('/', 1)[-1]}"


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
    settings: QSettings
    view: ArticleView
    doc_list: DocumentList
    header: DocHeader
    coder_label: QLabel

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
        # The current round and the coder's documents in it (None: no queue to show).
        self.queue: tuple[str, list[int]] | None = None
        self._list_connected = False  # the list is built after this (``_remember_show_all``)

    def reload_documents(self) -> None:
        w = self.w
        if not self._list_connected:
            w.doc_list.showAllChanged.connect(self._remember_show_all)
            self._list_connected = True
        w.doc_list.filter_host = w  # the Filters popup's conditions: this database, coder
        rows = w.store.list_documents(w.coder)
        found = w.store.coder_queue(w.coder)
        self.queue = found if found is not None and found[1] else None
        show_all = self.queue is not None and self._show_all_remembered()
        shown = rows
        if self.queue is not None and not show_all:
            in_queue = set(self.queue[1])
            shown = [r for r in rows if r.id in in_queue]
        current = w.doc.id if w.doc else None
        if current is None or current not in {r.id for r in shown}:
            current = None
            if self.queue is not None:
                from ..queueing import first_to_open

                current = first_to_open(self.queue[1], {r.id: r.state for r in rows})
            elif rows:
                todo = [r for r in rows if r.state != "done"]
                current = (todo or rows)[0].id
        w.doc_list.set_documents(rows, current, self.queue, show_all)
        for e in w.pending.edits if w.pending.belongs_to(w.store) else ():
            if isinstance(e, P.SetTitle):
                w.doc_list.set_title(e.doc_id, w.pending.title("", e.doc_id))
        w.refresh_progress()
        w.update_coder_display()
        if self.queue is not None:
            w.coder_label.setText(f"Coder: {w.coder} · round {self.queue[0]}")
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

    def next_in_queue(self) -> None:
        """After Ctrl+Enter marked the open article done: open the queue's next document
        not done (after the open one's place, wrapping round), or say that the round is
        done and stay."""
        from ..queueing import all_done_message, next_not_done

        w = self.w
        if self.queue is None or w.doc is None:
            return
        name, queue = self.queue
        following = next_not_done(queue, w.doc_list.queue_states(), w.doc.id)
        if following is None:
            w.statusBar().showMessage(all_done_message(name, queue), 8000)
            return
        self.open_document(following)
        w.statusBar().showMessage("Marked done.", 3000)

    def _show_all_remembered(self) -> bool:
        return self.w.settings.value(show_all_key(self.w.store.path)) in (True, "true")

    def _remember_show_all(self, on: bool) -> None:
        self.w.settings.setValue(show_all_key(self.w.store.path), on)

    def visible_ids(self) -> list[int]:
        """The ids of the document list's rows as shown (filtered and sorted)."""
        return self.w.doc_list.shown_ids()

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
