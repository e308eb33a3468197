"""Tools → Progress: how far each coder of a round is, for the study lead.

The numbers are :func:`annotator.progress.round_progress` (what ``annotator progress``
prints): a round chooser, a table per coder and a bar per coder (done, coded but not done,
remaining; the reliability sample's share as a thin bar below), redrawn by Refresh.
Counts per coder only: the window never lists which documents are in the reliability
sample.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QRectF, QSettings, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHideEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..errors import AnnotatorError
from ..store import Store
from .agreement_charts import RowChart
from .layouts import fit_window, save_window
from .plaintext import literal_title, plain_tooltip

if TYPE_CHECKING:
    from ..progress import CoderProgress, RoundProgress

DONE, CODED, REMAINING = QColor("#2ca02c"), QColor("#f2a93b"), QColor("#e4e4e4")
RELIABLE, RELIABLE_LEFT = QColor("#1f5fa8"), QColor("#b9cde6")


class ProgressHost(Protocol):
    """What the progress window needs from the main window that opens it (which keeps
    it: ``MainWindow.open_progress``)."""

    store: Store
    settings: QSettings  # where the window's size is remembered, on this machine

    def window(self) -> QWidget: ...  # the parent of the progress window


class ProgressChart(RowChart):
    """One horizontal stacked bar per coder on a common scale (the most assigned):
    done, coded but not done, remaining; below it a thin bar of the coder's reliability
    documents, coded and not yet coded."""

    ROW_H = 40
    TOP, BOTTOM = 8, 8

    def __init__(self, parent: QWidget | None = None):
        # at least as tall as its bars, and filling the room below them in white
        super().__init__(QSizePolicy.Policy.MinimumExpanding, parent)
        self.rows: list[CoderProgress] = []

    def _geometry(self) -> tuple[float, float, float]:
        """Label width, bar width, width of the figures at the right."""
        fm = QFontMetrics(self.font())
        label_w = min(max((fm.horizontalAdvance(r.coder) for r in self.rows), default=60) + 16, 200)
        figures_w = fm.horizontalAdvance("0000/0000 done  ") + 8
        return label_w, max(self.width() - label_w - figures_w, 60), figures_w

    def paintEvent(self, _e) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#ffffff"))
        label_w, bar_w, _fig = self._geometry()
        scale = max((r.assigned for r in self.rows), default=0) or 1
        fm = QFontMetrics(self.font())
        for i, r in enumerate(self.rows):
            y = self.TOP + i * self.ROW_H
            p.setPen(QColor("#222222"))
            name = fm.elidedText(r.coder, Qt.TextElideMode.ElideRight, int(label_w - 12))
            p.drawText(
                QRectF(0, y, label_w - 8, 22),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            x = label_w
            p.setPen(Qt.PenStyle.NoPen)
            # done ≤ coded ≤ assigned: the three segments add up to the assigned
            for n, color in (
                (r.done, DONE),
                (r.coded - r.done, CODED),
                (r.assigned - r.coded, REMAINING),
            ):
                w = bar_w * max(n, 0) / scale
                p.setBrush(color)
                p.drawRect(QRectF(x, y + 3, w, 16))
                x += w
            # the reliability documents: a thin bar under the main one, same scale
            rx = label_w
            for n, color in (
                (r.reliability_coded, RELIABLE),
                (r.reliability_assigned - r.reliability_coded, RELIABLE_LEFT),
            ):
                w = bar_w * max(n, 0) / scale
                p.setBrush(color)
                p.drawRect(QRectF(rx, y + 22, w, 5))
                rx += w
            p.setPen(QColor("#333333"))
            p.drawText(
                QRectF(label_w + bar_w + 8, y, self.width() - label_w - bar_w - 8, 22),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{r.done}/{r.assigned} done",
            )
        p.end()

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            i = self.row_at(e.pos().y())
            if i is not None:
                r = self.rows[i]
                tip = (
                    f"{r.coder}: {r.done} done, {r.coded - r.done} coded but not done,"
                    f" {r.assigned - r.coded} not started, of {r.assigned} assigned;"
                    f" reliability sample {r.reliability_coded}/{r.reliability_assigned}"
                    " coded"
                )
                QToolTip.showText(e.globalPos(), plain_tooltip(tip), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)


def _item(text: str, number: bool = True) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if number:
        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return it


class ProgressWindow(QDialog):
    """Non-modal window with the progress of a round of the main window's database."""

    def __init__(self, main: ProgressHost):
        from ..progress import HEADERS

        super().__init__(main.window())
        self.main = main
        self.progress: RoundProgress | None = None
        self.setObjectName("progressWindow")
        self.setWindowTitle(literal_title(f"Progress — {main.store.path.name}"))
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setModal(False)

        self.round_box = QComboBox()
        self.round_box.setObjectName("progressRound")
        self.round_box.setMinimumContentsLength(12)
        self.round_box.currentIndexChanged.connect(lambda _i: self.show_round())
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setObjectName("progressRefresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("progressSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # round names are data
        self.summary.setWordWrap(True)  # a narrow window wraps it rather than growing
        self.empty = QLabel()
        self.empty.setObjectName("progressEmpty")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        top = QHBoxLayout()
        self.round_label = QLabel("<b>Round:</b>")
        top.addWidget(self.round_label)
        top.addWidget(self.round_box)
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("progressTable")
        self.table.setHorizontalHeaderLabels([h[0].upper() + h[1:] for h in HEADERS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.chart = ProgressChart()
        self.chart.setObjectName("progressChart")
        chart_scroll = QScrollArea()
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setWidget(self.chart)
        legend = QLabel(
            "<span style='color:#2ca02c'>■</span> done &nbsp; "
            "<span style='color:#f2a93b'>■</span> coded, not done &nbsp; "
            "<span style='color:#b0b0b0'>■</span> not started &nbsp;&nbsp; thin bar: "
            "reliability sample, <span style='color:#1f5fa8'>■</span> coded "
            "<span style='color:#b9cde6'>■</span> not yet"
        )
        legend.setObjectName("progressLegend")
        legend.setWordWrap(True)
        self.note = QLabel(
            "Coded: labelled or past “new”. Estimated finish: last activity + remaining ÷"
            " the coder's pace (done per day between their first and last activity)."
        )
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666;")
        self.body = QWidget()
        bl = QVBoxLayout(self.body)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.table)
        bl.addWidget(QLabel("<b>Documents per coder</b>"))
        bl.addWidget(chart_scroll, 1)
        bl.addWidget(legend)
        bl.addWidget(self.note)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.empty, 1)  # shown instead of the body, at the top
        lay.addWidget(self.body, 1)
        fit_window(main.settings, self, QSize(1000, 620), key="progress")
        self.refresh()

    def hideEvent(self, e: QHideEvent) -> None:
        save_window(self.main.settings, self, key="progress")  # closed or hidden: remember
        super().hideEvent(e)

    def refresh(self) -> None:
        """Read the rounds again and show the chosen one (the current round at first)."""
        self.setWindowTitle(literal_title(f"Progress — {self.main.store.path.name}"))
        try:
            rounds = [r.name for r in self.main.store.rounds()]
            current = self.main.store.current_round()
        except AnnotatorError as e:
            self._say(str(e))
            return
        if not rounds:
            from ..progress import NO_ASSIGNMENTS

            self._say(NO_ASSIGNMENTS[0].upper() + NO_ASSIGNMENTS[1:] + ".")
            return
        chosen = self.round_box.currentText() or current
        self.round_box.blockSignals(True)
        self.round_box.clear()
        self.round_box.addItems(rounds)
        self.round_box.setCurrentIndex(max(rounds.index(chosen) if chosen in rounds else 0, 0))
        self.round_box.blockSignals(False)
        self.show_round()

    def _say(self, message: str) -> None:
        """One line instead of the numbers (no rounds, or the database refused)."""
        self.progress = None
        self.empty.setText(message)
        self.empty.show()
        self.body.hide()
        self.summary.clear()  # kept, empty: it holds the room left of Refresh
        for w in (self.round_label, self.round_box):
            w.hide()

    def show_round(self) -> None:
        from ..progress import round_progress

        name = self.round_box.currentText()
        if not name:
            return
        try:
            data = round_progress(self.main.store, name)
        except AnnotatorError as e:
            self._say(str(e))
            return
        self.progress = data
        self.empty.hide()
        self.body.show()
        for w in (self.round_label, self.round_box):
            w.show()
        t = data.totals
        self.summary.setText(
            f"{len(data.coders)} coder(s), {data.documents} document(s),"
            f" {data.reliability_documents} in the reliability sample ·"
            f" {t.done} of {t.assigned} assignments done"
        )
        rows = data.rows()
        self.table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                it = _item(text, number=c not in (0, 7, 8))
                if r == len(rows) - 1:  # the totals
                    font = it.font()
                    font.setBold(True)
                    it.setFont(font)
                self.table.setItem(r, c, it)
        # no inner scroll bar up to a dozen coders: the table is as tall as its rows
        shown = sum(self.table.rowHeight(r) for r in range(min(len(rows), 13)))
        self.table.setFixedHeight(self.table.horizontalHeader().height() + shown + 6)
        self.chart.set_rows(list(data.coders))
