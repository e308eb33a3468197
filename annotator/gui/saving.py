"""The main window's write path: every edit written now, or kept pending and retried.

:class:`Saver` is :meth:`MainWindow.write`'s engine: it writes an edit through the
pending-edit queue (``annotator/pending/``), keeps what a recovery file needs of a
document, schedules the retries with a backing-off timer, says in the status bar whether
every edit is saved, and, on closing with unsaved edits, offers to wait or to write them
to a recovery file. It talks to the window through :class:`SaveHost` (public members).
"""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QStatusBar

from .. import pending as P
from ..errors import AnnotatorError
from ..models import Document
from ..pending import DocInfo, PendingEdits
from ..store import Store
from .unsaved import (
    WAIT,
    WRITE,
    recovery_message,
    recovery_written,
    show_save_state,
    unsaved_warning,
    write_recovery,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QWidget

# How long a key press may wait for another process's write lock before the edit is
# queued as unsaved (the window never freezes on a lock), and the retry back-off.
GUI_BUSY_TIMEOUT_S = 0.2
RETRY_FIRST_MS, RETRY_MAX_MS = 250, 4000


class SaveHost(Protocol):
    """What the saver needs from the window."""

    store: Store
    doc: Document | None

    def statusBar(self) -> QStatusBar: ...

    def isVisible(self) -> bool: ...

    def close(self) -> bool: ...

    def read_only_message(self) -> str: ...

    def report_error(self, message: str) -> None: ...

    def notify(self, title: str, message: str, warning: bool = False) -> QMessageBox: ...

    def show_written(self) -> None:
        """Pending edits were written (or given up): show the store's state again."""
        ...


class Saver(QObject):
    """The pending edits of one window (``pending``) and their retry timer; the
    ``saved_label`` says whether every edit is saved."""

    def __init__(self, host: SaveHost, parent: QWidget):
        super().__init__(parent)
        self.host, self.parent_widget = host, parent
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setTextFormat(Qt.TextFormat.PlainText)
        self.pending = PendingEdits()  # edits the database could not take yet, in order
        self._timeout_store: Store | None = None
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.timeout.connect(self.flush)
        self._retry_ms = RETRY_FIRST_MS
        self.close_when_saved = False
        self.may_close = False  # the user chose to close with edits in a recovery file

    def short_timeout(self) -> None:
        """The window's store waits at most GUI_BUSY_TIMEOUT_S for a lock (also after
        File → Open database swapped it)."""
        store = self.host.store
        if self._timeout_store is not store:
            store.set_busy_timeout(GUI_BUSY_TIMEOUT_S)
            self._timeout_store = store

    def write(self, edit: P.Edit) -> tuple[bool, object]:
        """Write ``edit`` now, or keep it pending (see :meth:`MainWindow.write`)."""
        store = self.host.store
        if store.readonly:
            raise AnnotatorError(self.host.read_only_message())
        self.short_timeout()
        written, result = self.pending.write(store, edit)
        if not written:
            self._remember_document(edit.doc_id)
            self.changed()
        return written, result

    def _remember_document(self, doc_id: int) -> None:
        """Keep what a recovery file needs of a document with pending edits."""
        if doc_id in self.pending.docs:
            return
        doc = self.host.doc if self.host.doc is not None and self.host.doc.id == doc_id else None
        with contextlib.suppress(AnnotatorError, sqlite3.Error):
            doc = doc or self.host.store.document(doc_id)
        if doc is not None:
            self.pending.remember(doc_id, DocInfo(doc.text, doc.title, doc.sha256))

    def changed(self) -> None:
        """The status bar says whether every edit is saved; retries are scheduled."""
        show_save_state(self.saved_label, self.pending)
        if self.pending and not self.retry.isActive():
            self.retry.start(self._retry_ms)

    def flush(self, auto_close: bool = True) -> None:
        """Retry the pending edits (the timer's call): in order, each once."""
        if not self.pending:
            return
        self.short_timeout()
        host = self.host
        try:
            result = self.pending.flush(host.store)
        except sqlite3.ProgrammingError:  # the store was closed under us
            return
        for line in result.dropped:  # refused for good: said in one line, not retried
            print(line, file=sys.stderr)
        if len(result.dropped) == 1:
            host.report_error(result.dropped[0])
        elif result.dropped:
            host.statusBar().showMessage(
                f"{len(result.dropped)} edits given up (see the message): {result.dropped[-1]}",
                15000,
            )
            if host.isVisible():
                host.notify("Not saved", "\n".join(result.dropped), warning=True)
        if self.pending:
            self._retry_ms = min(self._retry_ms * 2, RETRY_MAX_MS)
            self.retry.start(self._retry_ms)
        else:
            self._retry_ms = RETRY_FIRST_MS
            if not result.dropped:  # else the status bar keeps the line that says so
                host.statusBar().showMessage("All edits saved.", 4000)
        if result.written or result.dropped:
            host.show_written()
        self.changed()
        if auto_close and not self.pending and self.close_when_saved:
            host.close()

    # -- closing with unsaved edits ---------------------------------------------------

    def warn_unsaved(self) -> QMessageBox:
        """Closing with unsaved edits: keep waiting, or write them to a recovery file."""

        def chosen(choice: str) -> None:
            if choice == WAIT:
                self.close_when_saved = True
                self.host.statusBar().showMessage(
                    "The window closes by itself once every edit is saved.", 8000
                )
                if not self.retry.isActive():
                    self.retry.start(0)
            elif choice == WRITE:
                self.write_recovery_and_close()
            else:
                self.close_when_saved = False

        return unsaved_warning(self.parent_widget, self.pending, chosen)

    def write_recovery(self) -> P.Recovery | None:
        """Write the pending edits to a recovery file beside the database (or, if that
        folder cannot be written, in the home folder); None if neither worked."""
        try:
            return write_recovery(self.pending, self.pending.db_path or self.host.store.path)
        except AnnotatorError as e:
            self.host.report_error(str(e))
            return None

    def write_recovery_and_close(self) -> QMessageBox | None:
        rec = self.write_recovery()
        if rec is None:
            return None
        message = recovery_message(self.pending.what(), rec)
        print(message, file=sys.stderr)
        QApplication.clipboard().setText(rec.command)
        self.may_close = True
        self.close_when_saved = False
        return recovery_written(self.parent_widget, message, self.host.close)
