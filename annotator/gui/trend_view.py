"""Tools → Agreement over time…: α per document field and token α per span label across
the study's rounds, scheme versions or weeks (``annotator agreement --by``, issue 16), as
a line chart with Krippendorff's thresholds and the codebook changes marked, the falls of
more than 0.15 from the first group, and the values in a table.

The numbers are :func:`annotator.agreement_trend.compute_trend`'s, computed in a worker
thread (point estimates; the CLI's ``--by`` adds intervals with ``--bootstrap``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QThread
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..agreement.axis import axis_start, axis_ticks
from ..report_text import number
from .agreement_charts import AXIS, THRESHOLDS
from .chrome import literal_title
from .jobs import Jobs

if TYPE_CHECKING:
    from ..agreement_trend import TrendReport
    from ..store import Store

BY = (("round", "Round"), ("scheme-version", "Scheme version"), ("week", "Week of coding"))
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


class TrendHost(Protocol):
    """What the window needs of the main window."""

    store: Store
    jobs: Jobs

    def window(self) -> QWidget: ...

    def notify(self, title: str, message: str, warning: bool = False) -> object: ...


class TrendChart(QWidget):
    """One line per statistic across the groups, on α's -0.5 .. 1 axis (lower when a
    value is: ``agreement.axis``); dotted lines at 0.667 and 0.8, a dashed line before a
    group whose labels use a newer scheme."""

    LEFT, RIGHT, TOP, BOTTOM = 44, 250, 12, 40

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.trend: TrendReport | None = None
        self.axis = AXIS
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(260)

    def sizeHint(self) -> QSize:
        return QSize(760, 300)

    def set_trend(self, trend: TrendReport | None) -> None:
        self.trend = trend
        values = (v for vs in trend.series.values() for v in vs) if trend is not None else ()
        self.axis = (axis_start(values), AXIS[1])
        self.update()

    def _x(self, i: int, n: int) -> float:
        width = self.width() - self.LEFT - self.RIGHT
        return self.LEFT + width * (i + 0.5) / max(n, 1)

    def _y(self, v: float) -> float:
        lo, hi = self.axis
        v = max(lo, min(hi, v))
        height = self.height() - self.TOP - self.BOTTOM
        return self.TOP + (hi - v) / (hi - lo) * height

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        right = self.width() - self.RIGHT
        for tick in (*axis_ticks(self.axis[0]), *THRESHOLDS, 1.0):
            pen = QPen(QColor("#c8c8c8"))
            if tick in THRESHOLDS:
                pen.setStyle(Qt.PenStyle.DotLine)
            p.setPen(pen)
            y = self._y(tick)
            p.drawLine(QPointF(self.LEFT, y), QPointF(right, y))
            p.setPen(QColor("#555555"))
            p.drawText(
                QRectF(0, y - 8, self.LEFT - 6, 16), Qt.AlignmentFlag.AlignRight, f"{tick:g}"
            )
        trend = self.trend
        if trend is None or not trend.groups:
            p.setPen(QColor("#777777"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No groups to show.")
            return
        keys = [g.key for g in trend.groups]
        n = len(keys)
        changed = dict(trend.changes)
        for i, key in enumerate(keys):
            x = self._x(i, n)
            p.setPen(QColor("#333333"))
            label = QRectF(x - 60, self.height() - self.BOTTOM + 6, 120, 16)
            p.drawText(label, Qt.AlignmentFlag.AlignHCenter, key)
            if key in changed:
                cx = x - (right - self.LEFT) / n / 2
                pen = QPen(QColor("#555555"))
                pen.setStyle(Qt.PenStyle.DashLine)
                p.setPen(pen)
                p.drawLine(QPointF(cx, self.TOP), QPointF(cx, self.height() - self.BOTTOM))
                p.drawText(QPointF(cx + 3, self.TOP + 12), f"codebook v{changed[key]}")
        drawn = [(n, v) for n, v in trend.series.items() if any(x is not None for x in v)]
        for k, (name, values) in enumerate(drawn):  # a statistic undefined everywhere: none
            colour = QColor(PALETTE[k % len(PALETTE)])
            points = [
                QPointF(self._x(i, n), self._y(v)) for i, v in enumerate(values) if v is not None
            ]
            pen = QPen(colour, 2)
            p.setPen(pen)
            for a, b in zip(points, points[1:], strict=False):
                p.drawLine(a, b)
            p.setBrush(colour)
            for pt in points:
                p.drawEllipse(pt, 3.5, 3.5)
            ly = self.TOP + 16 * k
            p.fillRect(QRectF(right + 12, ly + 3, 10, 10), colour)
            p.setPen(QColor("#222222"))
            p.drawText(QPointF(right + 28, ly + 12), name)


class TrendWindow(QDialog):
    """Non-modal: agreement per group (see the module's doc)."""

    def __init__(self, main: TrendHost):
        super().__init__(main.window())
        self.main = main
        self.setObjectName("trendWindow")
        self.setWindowTitle(literal_title(f"Agreement over time — {main.store.path.name}"))
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setModal(False)
        self.trend: TrendReport | None = None
        self.worker: QThread | None = None
        self._generation = 0
        self.by = QComboBox()
        self.by.setObjectName("trendBy")
        for key, title in BY:
            self.by.addItem(title, key)
        self.by.currentIndexChanged.connect(lambda _=0: self.compute())
        self.status = QLabel()
        self.status.setObjectName("trendStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>By:</b>"))
        top.addWidget(self.by)
        top.addWidget(self.status, 1)
        self.chart = TrendChart()
        self.chart.setObjectName("trendChart")
        self.flags = QLabel()
        self.flags.setObjectName("trendFlags")
        self.flags.setTextFormat(Qt.TextFormat.PlainText)
        self.flags.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName("trendTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        col = QVBoxLayout(self)
        col.addLayout(top)
        col.addWidget(self.chart, 1)
        col.addWidget(self.flags)
        col.addWidget(self.table, 1)
        self.resize(1000, 720)
        self.compute()

    def hideEvent(self, e: QHideEvent) -> None:
        self._generation += 1  # a result that arrives after closing is dropped
        super().hideEvent(e)

    def compute(self) -> QThread:
        """Compute the groups for the chosen grouping in a worker thread."""
        from ..agreement_trend import compute_trend

        self._generation += 1
        generation = self._generation
        by = str(self.by.currentData())
        self.status.setText("Computing…")

        def job(store: Store, _progress: Callable[[int, int], None]) -> TrendReport:
            return compute_trend(store, by, bootstrap=0)

        def done(trend: TrendReport) -> None:
            if generation == self._generation:
                self.show_trend(trend)

        def failed(message: str) -> None:
            if generation == self._generation:
                self.status.setText(f"Failed: {message}")
                self.main.notify("Agreement over time", message, warning=True)

        main = self.main
        worker = main.jobs.start_background(main.store.path, job, done, failed, main.store.readonly)
        self.worker = worker
        return worker

    def show_trend(self, trend: TrendReport) -> None:
        self.trend = trend
        n = len(trend.groups)
        self.status.setText(
            f"{n} group(s) by {trend.by}; point estimates (intervals: annotator agreement"
            f" --by {trend.by})"
            if n
            else f"No documents to group by {trend.by}."
        )
        self.chart.set_trend(trend)
        lines = [f"⚠ {f}" for f in trend.flags]
        lines += [
            f"Codebook changed before {trend.by} {k} (scheme v{v})." for k, v in trend.changes
        ]
        from ..agreement_trend import DROP

        none = f"No statistic falls more than {DROP:g} below the first group." if n else ""
        self.flags.setText("\n".join(lines) or none)  # no groups: no first group to fall from
        keys = [g.key for g in trend.groups]
        self.table.clear()
        if not n:
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        self.table.setColumnCount(1 + n)
        self.table.setHorizontalHeaderLabels(["statistic", *keys])
        rows = [("documents coded", [g.report.n_documents for g in trend.groups])]
        self.table.setRowCount(1 + len(trend.series))
        for c, count in enumerate(rows[0][1]):
            cell = QTableWidgetItem(str(count))
            cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(0, c + 1, cell)
        self.table.setItem(0, 0, QTableWidgetItem(rows[0][0]))
        for r, (name, values) in enumerate(trend.series.items(), 1):
            self.table.setItem(r, 0, QTableWidgetItem(name))
            for c, v in enumerate(values):
                item = QTableWidgetItem("n/a" if v is None else number(v))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c + 1, item)
