"""The document list: titles, the coder's status and span count, a filter, progress.

Each row shows the title on up to two lines (elided at the end of the second) over a
small line with where and when the article appeared (``DocumentSummary.origin`` and
``date``, read from the import's meta by ``corpus.origin_and_date``); similar headlines
stay apart without tooltips. The title column's display text stays the title alone.

A coder with a queue in the current round (``Store.coder_queue``) sees it instead: its
documents in queue order with their position (a ``#`` column, left), a line above the
list with the round and how many of the queue are done (``queueing.round_header``), and
a "Show all articles" box that adds the other documents after the queue, muted, below a
line, without positions. Nothing in a row or the line depends on the reliability
sample. Without a queue the list is as it always was (the queue's widgets are not even
made).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QRect,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..models import DocumentSummary, Progress
from ..records import replace
from .bidi import may_have_rtl
from .layouts import bold_label
from .plaintext import plain_tooltip

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QCheckBox  # made for the first queue shown

    from ..store import Store
    from .doc_filter_panel import DocFilterPanel


class FilterHost(Protocol):
    """Where the Filters popup's conditions are evaluated: the open database and the
    current coder ("mine")."""

    store: Store
    coder: str


# The popup's conditions: the fields of ``annotator.doc_filters.DocFilter`` other than
# the coder and the status (the status combo above the list filters the rows directly).
CONDITION_KEYS = (
    "label",
    "has_label",
    "label_anyone",
    "field",
    "value",
    "field_anyone",
    "coded_by",
    "text",
)
FILTER_ERROR_COLOR = "#b3261e"

STATE_TEXT = {"new": "new", "in_progress": "in progress", "done": "done"}
STATE_GLYPH = {"new": "○", "in_progress": "◐", "done": "●"}
STATE_COLOR = {"new": "#9aa0a6", "in_progress": "#c77c02", "done": "#2e7d32"}
COL_STATE, COL_TITLE, COL_SPANS, COL_POS = range(4)  # COL_POS: shown first, in a queue
_ROOT = QModelIndex()
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_LIST_KEYS = (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp)
META_ROLE = Qt.ItemDataRole.UserRole + 2  # "origin · date" of a row
POS_ROLE = Qt.ItemDataRole.UserRole + 3  # the row's queue position (None: not in the queue)
OUTSIDE_ROLE = (
    Qt.ItemDataRole.UserRole + 4
)  # 0: in the queue (or no queue), 1: outside, 2: first outside
_DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
# The roles ``DocumentModel.data`` answers (Qt asks for others too: None).
_ROLES = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.BackgroundRole,  # a queue's other rows
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.UserRole + 1,
        META_ROLE,
        POS_ROLE,
        OUTSIDE_ROLE,
    )
)
OUTSIDE_BACKGROUND = "#f1f0ec"  # the rows after the queue ("Show all articles")
BOUNDARY_COLOR = "#b8b5ae"  # the line between the queue and the other rows
MUTED_TEXT = "#6b6f75"
TITLE_LINES = 2
PAD_X, PAD_Y = 6, 4  # inside a title cell
META_SCALE = 0.86  # the meta line's font size, of the list's


def meta_line(r: DocumentSummary) -> str:
    """``Reuters · 2024-06-19``: where and when, whichever is known. A source that can
    hold a right-to-left run is isolated, so it cannot reorder the date drawn beside it."""
    origin = f"\u2068{r.origin}\u2069" if r.origin and may_have_rtl(r.origin) else r.origin
    return " · ".join(x for x in (origin, r.date) if x)


def _utf16_prefix(text: str, units: int) -> str:
    """The first ``units`` UTF-16 code units of ``text`` (Qt counts those), as a str."""
    head = text[:units]
    if max(head, default="") < "\U00010000":  # one code unit each (and no codec to load)
        return head
    return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", "ignore")


def _right_to_left(text: str) -> bool:
    """Does ``text`` start (at its first strong character) right-to-left?"""
    import unicodedata

    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def wrap_title(title: str, font: QFont, width: int, lines: int = TITLE_LINES) -> list[str]:
    """``title`` on at most ``lines`` lines of ``width`` pixels, broken at word
    boundaries; the last line is elided at its end when the title is longer."""
    fm = QFontMetrics(font)
    out: list[str] = []
    rest = " ".join(title.split())
    while rest and len(out) < lines - 1:
        layout = QTextLayout(rest, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        line = layout.createLine()
        if not line.isValid():
            layout.endLayout()
            break
        line.setLineWidth(max(width, 1))
        taken = _utf16_prefix(rest, line.textLength())
        layout.endLayout()
        if not taken:
            break
        out.append(taken.rstrip())
        rest = rest[len(taken) :].lstrip()
    if rest:
        out.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, max(width, 1)))
    return out


class TitleDelegate(QStyledItemDelegate):
    """Paints a title cell: the title on two lines, then the muted meta line."""

    def meta_font(self, font: QFont) -> QFont:
        small = QFont(font)
        small.setPointSizeF(max(font.pointSizeF() * META_SCALE, 6.0))
        return small

    def row_height(self, font: QFont) -> int:
        return (
            TITLE_LINES * QFontMetrics(font).lineSpacing()
            + QFontMetrics(self.meta_font(font)).lineSpacing()
            + 2 * PAD_Y
            + 2
        )

    # The item's background, selection and focus are drawn by QStyledItemDelegate.paint
    # with the text left out (``_blank``), the title and meta line here. The selection is
    # read from the view, not from ``option.state``: that would create PySide's QStyle
    # class (about 5 ms) on the first screen (bench/startup.py).
    # The option as QStyledItemDelegate.paint initialised it (text included) is kept for
    # the title and meta line: initialising a second one asked the model for every role
    # of the cell again.
    _blank = False
    _full: QStyleOptionViewItem | None = None

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        if self._blank:
            self._full = QStyleOptionViewItem(option)
            option.text = ""

    def _selected(self, opt: QStyleOptionViewItem, index: Any) -> bool:
        view = opt.widget
        if isinstance(view, QAbstractItemView) and view.selectionModel() is not None:
            return bool(view.selectionModel().isSelected(index))
        from PySide6.QtWidgets import QStyle

        return bool(opt.state & QStyle.StateFlag.State_Selected)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        self._blank, self._full = True, None
        try:
            super().paint(painter, option, index)
        finally:
            self._blank = False
        opt, self._full = self._full, None
        if opt is None:  # a style that drew the item without initialising its option
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
        title = opt.text
        rect = opt.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        palette: QPalette = opt.palette
        selected = self._selected(opt, index)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = palette.color(role)
        rtl = _right_to_left(title)
        align = (Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft) | (
            Qt.AlignmentFlag.AlignTop
        )
        outside = index.data(OUTSIDE_ROLE)
        if outside and not selected:
            text_color = QColor(MUTED_TEXT)
        font: QFont = opt.font
        painter.save()
        if outside == 2:
            draw_boundary(painter, opt.rect)
        painter.setFont(font)
        painter.setPen(text_color)
        fm = QFontMetrics(font)
        y = rect.top()
        for line in wrap_title(title, font, rect.width()):
            painter.drawText(QRect(rect.left(), y, rect.width(), fm.height()), int(align), line)
            y += fm.lineSpacing()
        meta = index.data(META_ROLE)
        if meta:
            small = self.meta_font(font)
            sfm = QFontMetrics(small)
            muted = QColor(text_color)
            muted.setAlphaF(0.85 if selected else 0.62)
            painter.setFont(small)
            painter.setPen(muted)
            # right under the title (a one-line title leaves no blank line above it),
            # on the title's side
            painter.drawText(
                QRect(rect.left(), y, rect.width(), sfm.height() + PAD_Y),
                int(align),
                sfm.elidedText(meta, Qt.TextElideMode.ElideRight, rect.width()),
            )
        painter.restore()


def draw_boundary(painter: QPainter, rect: QRect) -> None:
    """The line above the first row after the queue, across its cell."""
    painter.save()
    painter.setPen(QColor(BOUNDARY_COLOR))
    painter.drawLine(rect.left(), rect.top(), rect.right(), rect.top())
    painter.drawLine(rect.left(), rect.top() + 1, rect.right(), rect.top() + 1)
    painter.restore()


class QueueCellDelegate(QStyledItemDelegate):
    """The cells beside the title in a queue: as always, with the line above the first
    row after the queue (set on those columns only when a queue is shown)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Any) -> None:
        super().paint(painter, option, index)
        if index.data(OUTSIDE_ROLE) == 2:
            draw_boundary(painter, option.rect)


class DocumentModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[DocumentSummary] = []
        self._row_of: dict[int, int] = {}
        self.positions: dict[int, int] | None = None  # queue positions (None: no queue)

    def set_rows(self, rows: list[DocumentSummary], queue: list[int] | None = None) -> None:
        """Show ``rows``; with ``queue`` (document ids in queue order) its rows first, in
        that order, then the others as given."""
        self.beginResetModel()
        if queue:
            self.positions = {doc_id: i for i, doc_id in enumerate(queue, 1)}
            by_id = {r.id: r for r in rows}
            rows = [by_id[i] for i in queue if i in by_id] + [
                r for r in rows if r.id not in self.positions
            ]
        else:
            self.positions = None
        self.rows = list(rows)
        self._row_of = {r.id: i for i, r in enumerate(self.rows)}
        self.endResetModel()

    def outside(self, row: int) -> int:
        """0: a row of the queue (or there is no queue); 1: a row after the queue; 2: the
        first of those."""
        if self.positions is None or self.rows[row].id in self.positions:
            return 0
        return 2 if row == len(self.positions) else 1

    def row_of(self, doc_id: int) -> int | None:
        return self._row_of.get(doc_id)

    def update(self, doc_id: int, state: str, span_count: int) -> None:
        self._replace(doc_id, state=state, span_count=span_count)

    def set_title(self, doc_id: int, title: str) -> None:
        self._replace(doc_id, title=title)

    def _replace(self, doc_id: int, **changes) -> None:
        i = self._row_of.get(doc_id)
        if i is None:
            return
        self.rows[i] = replace(self.rows[i], **changes)
        self.dataChanged.emit(self.index(i, 0), self.index(i, 2))

    def rowCount(self, parent=_ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=_ROOT) -> int:
        return 4  # COL_POS is hidden without a queue

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == _DISPLAY_ROLE and orientation == Qt.Orientation.Horizontal:
            return ("", "Article", "Spans", "#")[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        # Qt asks each cell for ten roles on every paint, half of which no row has (a
        # decoration, a font, a check box): those return at once.
        if role not in _ROLES or not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if self.positions is not None:
            queued = self._queue_data(index.row(), r, col, role)
            if queued is not None:
                return queued
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_POS:
                return ""
            if col == COL_STATE:
                return STATE_GLYPH.get(r.state, "?")
            if col == COL_TITLE:
                return r.title or r.source or f"Document {r.id}"
            return str(r.span_count) if r.span_count else ""
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATE:
            # a colour, which the view takes as a brush: building a QBrush here would
            # create PySide's QGradient class (~3 ms) on the first screen
            return QColor(STATE_COLOR.get(r.state, "#000"))
        if role == Qt.ItemDataRole.ToolTipRole:
            where = meta_line(r)  # unless it is only the source's file name
            where = "" if where in r.source else where
            return plain_tooltip(
                f"{r.title}\n{r.source}\n{where + chr(10) if where else ''}"
                f"{STATE_TEXT.get(r.state, r.state)},"
                f" {r.span_count} span(s), {r.length:,} characters"
            )
        if role == META_ROLE:
            return meta_line(r)
        if role == Qt.ItemDataRole.TextAlignmentRole and col != COL_TITLE:
            return int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        if role == Qt.ItemDataRole.UserRole:
            return r.id
        if role == Qt.ItemDataRole.UserRole + 1:
            return r.state
        return None

    def _queue_data(self, row: int, r: DocumentSummary, col: int, role: int) -> Any:
        """What a queue adds to a row: its position, the other rows' muted background."""
        assert self.positions is not None
        if role == POS_ROLE:
            return self.positions.get(r.id)
        if role == OUTSIDE_ROLE:
            return self.outside(row)
        if col == COL_POS and role == Qt.ItemDataRole.DisplayRole:
            pos = self.positions.get(r.id)
            return "" if pos is None else str(pos)
        if col == COL_POS and role == Qt.ItemDataRole.ForegroundRole:
            return QColor(MUTED_TEXT)
        if role == Qt.ItemDataRole.BackgroundRole and self.outside(row):
            return QColor(OUTSIDE_BACKGROUND)
        return None


class _Filter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.state = ""
        self.needle = ""
        self.queue_only = False  # hide the rows outside the coder's queue
        # The ids the Filters popup's conditions let through (None: no condition), and
        # the open article, shown even when they no longer let it through.
        self.allowed: set[int] | None = None
        self.pinned: int | None = None

    def set_queue_only(self, on: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10
            self.beginFilterChange()
            self.queue_only = on
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.queue_only = on
            self.invalidateRowsFilter()

    def set_allowed(self, allowed: set[int] | None, pinned: int | None) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10
            self.beginFilterChange()
            self.allowed, self.pinned = allowed, pinned
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.allowed, self.pinned = allowed, pinned
            self.invalidateRowsFilter()

    def set(self, needle: str, state: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.10
            self.beginFilterChange()
            self.needle, self.state = needle.casefold().strip(), state
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.needle, self.state = needle.casefold().strip(), state
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row, parent) -> bool:
        model = self.sourceModel()
        assert isinstance(model, DocumentModel)  # the one source (DocumentList.__init__)
        r = model.rows[row]
        if self.queue_only and model.positions is not None and r.id not in model.positions:
            return False
        if self.allowed is not None and r.id not in self.allowed and r.id != self.pinned:
            return False
        if self.state == "todo" and r.state == "done":
            return False
        if self.state in ("new", "in_progress", "done") and r.state != self.state:
            return False
        if not self.needle:
            return True
        return any(self.needle in t.casefold() for t in (r.title or r.source, r.origin, r.date))


class DocumentList(QWidget):
    """Left pane. Emits ``documentChosen(id)`` when the coder moves to another row (arrow
    keys, a click) or activates a row that is not the open article (click, Enter,
    double-click; Enter or Down in the filter box): the filtered list behaves exactly like
    the full one. The highlighted row is always the open article, or none if the filter
    hides it."""

    documentChosen = Signal(int)
    showAllChanged = Signal(bool)  # the coder ticked or unticked "Show all articles"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = DocumentModel(self)
        self.proxy = _Filter(self)
        self.proxy.setSourceModel(self.model)

        self.filter = QLineEdit()
        self.filter.setObjectName("documentFilter")
        self.filter.setPlaceholderText("Filter articles…")
        self.filter.setClearButtonEnabled(True)
        self.state = QComboBox()
        self.state.setObjectName("statusFilter")
        for text, key in (
            ("All", ""),
            ("Not done", "todo"),
            ("New", "new"),
            ("In progress", "in_progress"),
            ("Done", "done"),
        ):
            self.state.addItem(text, key)

        self.view = QTableView()
        self.view.setObjectName("documentList")
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.titles = TitleDelegate(self.view)
        self.view.setItemDelegateForColumn(COL_TITLE, self.titles)
        self.view.verticalHeader().setDefaultSectionSize(self.titles.row_height(self.view.font()))
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(COL_STATE, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        # Fixed, wide enough for "Spans" and five digits: sized to its contents, the column
        # measured every row on each change, and start-up grew with the number of articles.
        header.setSectionResizeMode(COL_SPANS, QHeaderView.ResizeMode.Fixed)
        digits = self.view.fontMetrics().horizontalAdvance("00000") + 16
        header.resizeSection(COL_SPANS, max(header.sectionSizeHint(COL_SPANS), digits))
        header.resizeSection(COL_STATE, 28)
        header.setHighlightSections(False)
        header.moveSection(COL_POS, 0)  # shown first, only with a queue
        header.setSectionResizeMode(COL_POS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(COL_POS, self.view.fontMetrics().horizontalAdvance("0000") + 14)
        self.view.setColumnHidden(COL_POS, True)

        # "done 3 of 5 · 2 in progress", the count in bold: two plain-text labels (a
        # rich-text label paints its pane a second time after the window's first paint,
        # before a label key can work; bench/startup.py)
        self.progress_text = bold_label("")
        self.progress_text.setObjectName("progressLabel")
        self.progress_rest = QLabel()
        self.progress_rest.setObjectName("progressRest")
        self.progress_rest.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_line = QWidget()
        # one English sentence, as the one label showed it: not split across the pane of a
        # right-to-left window
        self.progress_line.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        line = QHBoxLayout(self.progress_line)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(0)
        line.addWidget(self.progress_text)
        line.addWidget(self.progress_rest, 1)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumHeight(6)

        self.filters_button = QToolButton()
        self.filters_button.setObjectName("listFiltersButton")
        self.filters_button.setText("Filters")
        self.filters_button.setToolTip(
            "Filter the articles by label, document field, coder or full text (Ctrl+Shift+L)"
        )
        self.filters_button.clicked.connect(self.open_filters)

        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.state)
        top.addWidget(self.filters_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 4, 8)
        lay.setSpacing(6)
        self._layout = lay
        # The queue's line and "Show all articles" box: made for the first queue shown.
        self.queue_header: QWidget | None = None
        self.queue_label: QLabel | None = None
        self.show_all: QCheckBox | None = None
        self.round_name = ""
        self.queue: list[int] = []
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.progress_line)
        lay.addWidget(self.progress_bar)

        self.filter.textChanged.connect(self._refilter)
        self.state.currentIndexChanged.connect(self._refilter)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.clicked.connect(self._choose)
        self.view.activated.connect(self._choose)  # Enter, or a double-click
        self.view.doubleClicked.connect(self._choose)
        self.filter.returnPressed.connect(self._open_from_filter)
        self.filter.installEventFilter(self)
        self.view.installEventFilter(self)
        self._quiet = False
        self.open_id: int | None = None  # the article last selected as open (``select``)
        # The Filters popup (built on first use) and its conditions, evaluated by
        # ``annotator.doc_filters`` over ``filter_host``'s database (set by navigation).
        self.filter_host: FilterHost | None = None
        self.conditions: dict[str, Any] = {}
        self.filter_error = ""  # the last condition the database refused (one line)
        self.filter_panel: DocFilterPanel | None = None
        self._filter_database: str | None = None
        self._renew_timer: QTimer | None = None
        # The line "12 of 240 articles · Clear filters": made when first filtered.
        self.summary: QWidget | None = None
        self.count_label: QLabel | None = None
        self.error_label: QLabel | None = None

    # -- data -----------------------------------------------------------------

    def set_documents(
        self,
        rows: list[DocumentSummary],
        current: int | None = None,
        queue: tuple[str, list[int]] | None = None,
        show_all: bool = False,
    ) -> None:
        """Show ``rows``; with ``queue`` (the round's name and the coder's documents in
        queue order) the queue first, and the other rows only when ``show_all``."""
        self._quiet = True
        self.open_id = None  # until ``current`` is selected (another database's ids differ)
        try:
            self._set_queue(queue, show_all)
            self.model.set_rows(rows, self.queue or None)
            if self._database_changed() and (self.conditions or self.filter_error):
                self._renew_conditions(reset=True)  # another database: its own filters
            elif self.conditions_active():
                self._renew_conditions()  # the rows may have changed (import, merge, coder)
            if current is not None:
                self.select(current)
        finally:
            self._quiet = False
        self._show_queue_progress()

    def _set_queue(self, queue: tuple[str, list[int]] | None, show_all: bool) -> None:
        self.round_name, self.queue = queue if queue else ("", [])
        if not self.queue:
            if self.queue_header is not None:
                self.queue_header.hide()
                self.view.setColumnHidden(COL_POS, True)
                self.progress_line.show()
                self.proxy.set_queue_only(False)
            return
        if self.queue_header is None:
            self._make_queue_header()
        assert self.show_all is not None and self.queue_header is not None
        self.show_all.blockSignals(True)
        self.show_all.setChecked(show_all)
        self.show_all.blockSignals(False)
        self.proxy.set_queue_only(not show_all)
        self.queue_header.show()
        self.view.setColumnHidden(COL_POS, False)
        self.progress_line.hide()  # the queue's line above the list says it

    def _make_queue_header(self) -> None:
        from PySide6.QtWidgets import QCheckBox, QSizePolicy

        self.queue_header = QWidget()
        self.queue_header.setObjectName("queueHeader")
        row = QHBoxLayout(self.queue_header)
        row.setContentsMargins(2, 0, 0, 0)
        self.queue_label = QLabel()
        self.queue_label.setObjectName("queueLabel")
        self.queue_label.setTextFormat(Qt.TextFormat.PlainText)  # a round's name is data
        self.queue_label.setStyleSheet("font-weight: 600; color: #202124;")
        # a long round name is cut at the pane's edge, never widens the pane
        self.queue_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.show_all = QCheckBox("Show all articles")
        self.show_all.setObjectName("showAllArticles")
        self.show_all.setToolTip("Also list the articles that are not in your queue for this round")
        self.show_all.toggled.connect(self._show_all_toggled)
        row.addWidget(self.queue_label, 1)
        row.addWidget(self.show_all)
        self._layout.insertWidget(0, self.queue_header)
        for col in (COL_STATE, COL_SPANS, COL_POS):
            self.view.setItemDelegateForColumn(col, QueueCellDelegate(self.view))

    def _show_all_toggled(self, on: bool) -> None:
        self.proxy.set_queue_only(not on)
        self._refilter()
        self.showAllChanged.emit(on)

    def queue_states(self) -> dict[int, str]:
        """The coder's state of each document of the queue, as the list shows it."""
        return {doc_id: self.state_of(doc_id) for doc_id in self.queue}

    def _show_queue_progress(self) -> None:
        if not self.queue or self.queue_label is None:
            return
        from ..queueing import done_in_queue, round_header

        states = self.queue_states()
        self.queue_label.setText(round_header(self.round_name, self.queue, states))
        self.queue_label.setToolTip(plain_tooltip(self.queue_label.text()))
        self.progress_bar.setMaximum(len(self.queue))
        self.progress_bar.setValue(done_in_queue(self.queue, states))

    def update_document(self, doc_id: int, state: str, span_count: int) -> None:
        self.model.update(doc_id, state, span_count)
        if self.queue:
            self._show_queue_progress()
        self._renew_soon()

    def set_title(self, doc_id: int, title: str) -> None:
        self.model.set_title(doc_id, title)
        self._renew_soon()

    def set_progress(self, p: Progress) -> None:
        self.progress_text.setText(f"done {p.done} of {p.total}")
        self.progress_rest.setText(f" \u00a0·\u00a0 {p.in_progress} in progress")
        if self.queue:  # the bar is the queue's
            self._show_queue_progress()
            return
        self.progress_bar.setMaximum(max(p.total, 1))
        self.progress_bar.setValue(p.done)

    def ids(self) -> list[int]:
        return [r.id for r in self.model.rows]

    def shown_ids(self) -> list[int]:
        """The ids of the rows as shown (filtered and sorted)."""
        p = self.proxy
        return [p.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(p.rowCount())]

    def state_of(self, doc_id: int) -> str:
        i = self.model.row_of(doc_id)
        return self.model.rows[i].state if i is not None else "new"

    # -- selection ------------------------------------------------------------

    def select(self, doc_id: int, quiet: bool = True) -> None:
        i = self.model.row_of(doc_id)
        if i is None:
            return
        if self.proxy.allowed is not None and self.proxy.pinned != doc_id:
            self.proxy.set_allowed(self.proxy.allowed, doc_id)  # the open one stays listed
        idx = self.proxy.mapFromSource(self.model.index(i, COL_TITLE))
        if not idx.isValid():  # filtered out: show everything again
            self.filter.clear()
            self.state.setCurrentIndex(0)
            idx = self.proxy.mapFromSource(self.model.index(i, COL_TITLE))
        if not idx.isValid() and self.show_all is not None and self.proxy.queue_only:
            self.show_all.setChecked(True)  # an article outside the queue was opened
            idx = self.proxy.mapFromSource(self.model.index(i, COL_TITLE))
        self.open_id = doc_id
        was, self._quiet = self._quiet, quiet
        try:
            self.view.setCurrentIndex(idx)
            self.view.scrollTo(idx)
        finally:
            self._quiet = was

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._quiet or not current.isValid():
            return
        self._choose(current)

    def _choose(self, index: QModelIndex) -> None:
        """Open the article of ``index``'s row unless it is the open one."""
        if not index.isValid():
            return
        doc_id = index.data(Qt.ItemDataRole.UserRole)
        if doc_id != self.open_id:
            self.documentChosen.emit(doc_id)

    def _open_from_filter(self) -> None:
        """Enter in the filter box: the highlighted row, else the first one shown."""
        current = self.view.currentIndex()
        self._choose(current if current.isValid() else self.proxy.index(0, COL_TITLE))

    def add_above_list(self, widget: QWidget) -> None:
        """Place ``widget`` right above the list of articles (the recode worklist)."""
        self._layout.insertWidget(self._layout.indexOf(self.view), widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down / Up / Page keys in the filter box move in the (filtered) list; Enter in
        the list with no row highlighted opens the first row shown."""
        if watched is self.view and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _ENTER_KEYS and not self.view.currentIndex().isValid():
                self._choose(self.proxy.index(0, COL_TITLE))
                return True
        if watched is self.filter and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in _LIST_KEYS and self.proxy.rowCount():
                self.view.setFocus()
                if not self.view.currentIndex().isValid():  # nothing shown is open
                    self._choose(self.proxy.index(0, COL_TITLE))
                    return True
                QApplication.sendEvent(self.view, QKeyEvent(event))
                return True
        return super().eventFilter(watched, event)

    def _refilter(self) -> None:
        was, self._quiet = self._quiet, True
        try:
            self.proxy.set(self.filter.text(), self.state.currentData())
            # Highlight the open article if it is shown, else nothing: a highlighted row
            # is always the open one, so a click on any row shown opens it.
            i = self.model.row_of(self.open_id) if self.open_id is not None else None
            idx = (
                self.proxy.mapFromSource(self.model.index(i, COL_TITLE)) if i is not None else _ROOT
            )
            self.view.setCurrentIndex(idx)
            if not idx.isValid():
                self.view.clearSelection()
        finally:
            self._quiet = was
        self._show_summary()

    # -- the Filters popup's conditions (annotator.doc_filters) ------------------------

    def conditions_active(self) -> bool:
        c = self.conditions
        return bool(c.get("label") or c.get("field") or c.get("coded_by") or c.get("text"))

    def filtered(self) -> bool:
        """Does any filter narrow the list (the title box, the status, the popup)?"""
        return bool(
            self.filter.text().strip()
            or self.state.currentData()
            or self.conditions_active()
            or self.filter_error
        )

    def open_filters(self) -> None:
        """The Filters button (Edit → Filter articles by…, Ctrl+Shift+L): the popup of
        conditions under the button, its first control focused; Esc closes it."""
        if self.filter_panel is None:
            from .doc_filter_panel import DocFilterPanel

            self.filter_panel = DocFilterPanel(self)
        self.filter_panel.popup_under(self.filters_button)

    def set_conditions(self, conditions: dict[str, Any]) -> None:
        """Filter by ``conditions`` (keys of ``CONDITION_KEYS``; empty: none)."""
        self.conditions = {k: v for k, v in conditions.items() if k in CONDITION_KEYS}
        self._renew_conditions()

    def clear_filters(self) -> None:
        """ "Clear filters": the title box, the status and every condition of the popup."""
        self.conditions = {}
        self.filter_error = ""
        if self.filter_panel is not None:
            self.filter_panel.reset()
        self.filter.blockSignals(True)
        self.filter.clear()
        self.filter.blockSignals(False)
        self.state.blockSignals(True)
        self.state.setCurrentIndex(0)
        self.state.blockSignals(False)
        self._renew_conditions()

    def _database_changed(self) -> bool:
        host = self.filter_host
        path = None if host is None else str(host.store.path)
        changed = self._filter_database is not None and path != self._filter_database
        self._filter_database = path
        return changed

    def _renew_soon(self) -> None:
        """After an edit: the conditions evaluated again once the edits pause."""
        if not self.conditions_active():
            return
        if self._renew_timer is None:
            from PySide6.QtCore import QTimer

            self._renew_timer = QTimer(self)
            self._renew_timer.setSingleShot(True)
            self._renew_timer.setInterval(400)
            self._renew_timer.timeout.connect(self._renew_conditions)
        self._renew_timer.start()

    def _renew_conditions(self, reset: bool = False) -> None:
        """The ids the conditions let through, from the database (a few queries); a
        condition it refuses is said in one line under the filter and left out."""
        if reset:  # another database: its labels, fields and coders differ
            self.conditions = {}
            self.filter_error = ""
            if self.filter_panel is not None:
                self.filter_panel.reset()
        allowed: set[int] | None = None
        error = ""
        host = self.filter_host
        if self.conditions_active() and host is not None:
            from ..doc_filters import DocFilter, matching_documents
            from ..errors import AnnotatorError

            f = DocFilter(host.coder, **self.conditions)
            try:
                allowed = set(matching_documents(host.store, f))
            except AnnotatorError as e:
                error = str(e)
                rest = replace(f, text="")  # the other conditions still apply
                if f.text and rest.active:
                    try:
                        allowed = set(matching_documents(host.store, rest))
                    except AnnotatorError:
                        allowed = None
        self.filter_error = error
        if self.filter_panel is not None:
            self.filter_panel.show_error(error)
        self.proxy.set_allowed(allowed, self.open_id)
        self._refilter()

    def _make_summary(self) -> None:
        from PySide6.QtWidgets import QSizePolicy

        self.summary = QWidget()
        self.summary.setObjectName("filterSummary")
        lay = QVBoxLayout(self.summary)
        lay.setContentsMargins(2, 0, 0, 0)
        lay.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.count_label = QLabel()
        self.count_label.setObjectName("filterCount")
        self.count_label.setStyleSheet(f"color: {MUTED_TEXT};")
        clear = QToolButton()
        clear.setObjectName("clearFilters")
        clear.setText("Clear filters")
        clear.setAutoRaise(True)
        clear.setStyleSheet("QToolButton { color: #1a56db; }")
        clear.clicked.connect(self.clear_filters)
        row.addWidget(self.count_label, 1)
        row.addWidget(clear)
        lay.addLayout(row)
        self.error_label = QLabel()
        self.error_label.setObjectName("filterError")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # the query is data
        self.error_label.setStyleSheet(f"color: {FILTER_ERROR_COLOR};")
        self.error_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.error_label.hide()
        lay.addWidget(self.error_label)
        self._layout.insertWidget(self._layout.indexOf(self.view), self.summary)

    def matched_count(self) -> tuple[int, int]:
        """(articles shown that pass the filters, articles there are to filter): the
        queue's when only the queue is shown; the open article kept in the list although
        it no longer passes is not counted."""
        shown = self.proxy.rowCount()
        pinned = self.proxy.pinned
        if (
            self.proxy.allowed is not None
            and pinned is not None
            and pinned not in self.proxy.allowed
        ):
            i = self.model.row_of(pinned)
            if i is not None and self.proxy.mapFromSource(self.model.index(i, 0)).isValid():
                shown -= 1
        if self.proxy.queue_only and self.model.positions is not None:
            return shown, len(self.model.positions)
        return shown, len(self.model.rows)

    def _show_summary(self) -> None:
        n = sum(1 for k in ("label", "field", "coded_by", "text") if self.conditions.get(k))
        self.filters_button.setText(f"Filters · {n}" if n else "Filters")
        if not self.filtered():
            if self.summary is not None:
                self.summary.hide()
            return
        if self.summary is None:
            self._make_summary()
        assert self.summary is not None
        assert self.count_label is not None and self.error_label is not None
        shown, total = self.matched_count()
        self.count_label.setText(f"{shown} of {total} articles")
        self.error_label.setText(self.filter_error)
        self.error_label.setToolTip(plain_tooltip(self.filter_error))
        self.error_label.setVisible(bool(self.filter_error))
        self.summary.show()
