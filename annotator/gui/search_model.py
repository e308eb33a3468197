"""The search pane's list of hits: a lazy table model over a stream of hits.

:class:`HitModel` holds the hits fetched so far from an iterator (``annotator.search.find``
through ``annotator.search_filters.filter_hits``) and fetches :data:`PAGE` more when the
view scrolls near its end (Qt's ``canFetchMore``/``fetchMore``): a query with 100,000
hits costs one page until the coder scrolls. Columns: the article's title, the left
context (right-aligned, cut at its left), the hit, the right context — a
keyword-in-context listing aligned on the hit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from ..errors import AnnotatorError

if TYPE_CHECKING:
    from ..search import Hit

PAGE = 100  # hits fetched at a time
COLUMNS = ("Article", "Before", "Hit", "After")
TITLE, LEFT, HIT, RIGHT = range(4)
_INDEX = QModelIndex | QPersistentModelIndex
_SPACE = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c\x85\u2028\u2029"})


def one_line(text: str) -> str:
    return text.translate(_SPACE)


class HitModel(QAbstractTableModel):
    """The hits fetched so far of one stream; ``failed`` carries the one-line error of a
    stream that broke (a bad query shows when its first hit is asked for)."""

    failed = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.hits: list[Hit] = []
        self._stream: Iterator[Hit] | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_stream(self, stream: Iterator[Hit] | None) -> str:
        """Show the hits of ``stream`` (its first page fetched now); returns the stream's
        error, or ``""``."""
        self.beginResetModel()
        self.hits = []
        self._stream = stream
        self.endResetModel()
        return self._fetch(PAGE)

    @property
    def exhausted(self) -> bool:
        return self._stream is None

    def hit(self, row: int) -> Hit:
        return self.hits[row]

    # -- fetching -----------------------------------------------------------------

    def canFetchMore(self, parent: _INDEX = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._stream is not None

    def fetchMore(self, parent: _INDEX = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid():
            self._fetch(PAGE)

    def _fetch(self, n: int) -> str:
        stream = self._stream
        if stream is None:
            return ""
        page: list[Hit] = []
        error = ""
        try:
            for hit in stream:
                page.append(hit)
                if len(page) >= n:
                    break
            else:
                self._stream = None
        except (AnnotatorError, sqlite3.Error) as e:
            self._stream = None
            error = " ".join(str(e).split())
        if page:
            first = len(self.hits)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self.hits.extend(page)
            self.endInsertRows()
        if error:
            self.failed.emit(error)
        return error

    # -- the table ------------------------------------------------------------------

    def rowCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.hits)

    def columnCount(self, parent: _INDEX = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: _INDEX, role: int = 0) -> Any:
        if not index.isValid():
            return None
        h = self.hits[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == TITLE:
                return one_line(h.title) or f"Document {h.doc_id}"
            return one_line((h.left, h.text, h.right)[col - 1])
        if role == Qt.ItemDataRole.ToolTipRole and col == TITLE:
            return h.title or f"Document {h.doc_id}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignRight if col == LEFT else Qt.AlignmentFlag.AlignLeft
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == HIT:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == HIT:
                return QColor("#174ea6")
            if col == TITLE:
                return QColor("#5f6368")
        if role == Qt.ItemDataRole.UserRole:
            return h
        return None


class LeftElided(QStyledItemDelegate):
    """The left context is cut at its left end (the hit's side stays visible)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _INDEX) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft
