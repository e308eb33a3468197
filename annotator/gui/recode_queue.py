"""The coder's recode worklist (issue 16): after ``annotator scheme split-label``, the
documents where the coder has spans of the split label, with a count ("3 spans to recode")
and a queue; activating a document (double click, Enter) opens it.

A widget of its own, read from :func:`annotator.codebook.recode_queue`; the main window
places it and calls :meth:`RecodeQueue.refresh` after a relabel or a delete. It hides
itself when nothing is left to recode.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..store import Store
from .plaintext import plain_tooltip


class _List(QListWidget):
    """Enter opens the current document, as a double click does."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if item is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.itemActivated.emit(item)
            return
        super().keyPressEvent(event)


class RecodeQueue(QWidget):
    """ "N spans to recode" and the documents that have them, for one coder."""

    def __init__(
        self,
        store: Store,
        coder: str,
        open_document: Callable[[int], None],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("recodeQueue")
        self.store = store
        self.coder = coder
        self.open_document = open_document
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        self.count = QLabel()
        self.count.setObjectName("recodeCount")
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        font = self.count.font()
        font.setBold(True)
        self.count.setFont(font)
        self.count.setStyleSheet("color: #8a4b00")  # a to-do, in the amber of warnings
        col.addWidget(self.count)
        self.documents = _List()
        self.documents.setObjectName("recodeDocuments")
        # long titles wrap (their count first), never scroll sideways
        self.documents.setWordWrap(True)
        self.documents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.documents.itemActivated.connect(self._activated)
        col.addWidget(self.documents)
        self.refresh()

    @property
    def remaining(self) -> int:
        """Spans the coder still has to recode."""
        return self._remaining

    def refresh(self) -> None:
        """Read the worklist again (after a relabel, a delete, a new split)."""
        from ..codebook import recode_queue

        queue = recode_queue(self.store, self.coder)
        splits = self.store.split_labels()
        self._remaining = sum(n for _, n in queue)
        n = self._remaining
        self.count.setText(f"⚠ {n} span{'' if n == 1 else 's'} to recode (codebook split)")
        hint = "; ".join(f"{a} → {' | '.join(into)}" for a, into in splits.items())
        self.count.setToolTip(plain_tooltip(f"Split labels: {hint}" if hint else ""))
        self.documents.clear()
        titles = self.store.document_titles(d for d, _ in queue)  # no texts read
        for doc_id, count in queue:
            title = titles[doc_id]
            item = QListWidgetItem(f"{count} · {title}")
            item.setToolTip(plain_tooltip(title))
            item.setData(Qt.ItemDataRole.UserRole, doc_id)
            self.documents.addItem(item)
        self._fit()
        self.setVisible(n > 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit()  # wrapped titles take another number of lines at another width

    def _fit(self, most: int = 5) -> None:
        """As tall as its documents' wrapped titles, up to ``most`` rows (then it scrolls)."""
        docs = self.documents
        width = max(docs.viewport().width() - 8, 40)
        metrics = QFontMetrics(docs.font())
        flags = int(Qt.TextFlag.TextWordWrap)
        height = sum(
            metrics.boundingRect(QRect(0, 0, width, 10_000), flags, docs.item(i).text()).height()
            + 4
            for i in range(min(docs.count(), most))
        )
        docs.setFixedHeight(height + 2 * docs.frameWidth() + 2)

    def next_document(self, after: int | None = None) -> int | None:
        """The first document of the queue after ``after`` (or the first), if any."""
        ids = [
            int(self.documents.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.documents.count())
        ]
        later = [d for d in ids if after is None or d > after] or ids
        return later[0] if later else None

    def _activated(self, item: QListWidgetItem) -> None:
        self.open_document(int(item.data(Qt.ItemDataRole.UserRole)))
