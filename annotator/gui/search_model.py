"""The search pane's list of hits: a lazy table model.

:class:`HitModel` holds the hits fetched so far by the query's worker
(``search_worker.SearchJob``: ``annotator.search.find`` through
``annotator.search_filters.filter_hits``, on its own thread) and asks for :data:`PAGE`
more when the view scrolls near its end (Qt's ``canFetchMore``/``fetchMore``): a query
with 100,000 hits costs one page until the coder scrolls. Columns: the article's title, the left
context (right-aligned, cut at its left), the hit, the right context — a
keyword-in-context listing aligned on the hit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

if TYPE_CHECKING:
    from ..search import Hit
    from .search_worker import SearchJob

PAGE = 100  # hits fetched at a time
COLUMNS = ("Article", "Before", "Hit", "After")
TITLE, LEFT, HIT, RIGHT = range(4)
_INDEX = QModelIndex | QPersistentModelIndex
_SPACE = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c\x85\u2028\u2029"})


def one_line(text: str) -> str:
    return text.translate(_SPACE)


class HitModel(QAbstractTableModel):
    """The hits fetched so far from the query's worker (``search_worker.SearchJob``),
    which hands them over a page at a time when the view asks for more."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.hits: list[Hit] = []
        self.job: SearchJob | None = None
        self.exhausted = True
        self.waiting = False  # a page was asked for and has not come yet
        self._bold = QFont()
        self._bold.setBold(True)

    def set_job(self, job: SearchJob | None) -> None:
        """Show the hits of ``job`` (which fetches its first page at once), or none."""
        self.beginResetModel()
        self.hits = []
        self.job = job
        self.exhausted = job is None
        self.waiting = job is not None
        self.endResetModel()

    def stop(self) -> None:
        """No more hits come (the query failed or was replaced)."""
        self.exhausted, self.waiting = True, False

    def add_page(self, job: object, page: list[Hit], last: bool) -> None:
        if job is not self.job:
            return  # a replaced query's page
        self.waiting = False
        self.exhausted = last
        if page:
            first = len(self.hits)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self.hits.extend(page)
            self.endInsertRows()

    def hit(self, row: int) -> Hit:
        return self.hits[row]

    # -- fetching -----------------------------------------------------------------

    def canFetchMore(self, parent: _INDEX = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.exhausted and not self.waiting

    def fetchMore(self, parent: _INDEX = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent) and self.job is not None:
            self.waiting = True
            self.job.request(PAGE)

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
