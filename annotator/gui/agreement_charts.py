"""QPainter charts of the agreement window: α bars with interval whiskers, and a
coder-by-coder heat map (no QtCharts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..agreement.axis import axis_start, axis_ticks
from ..report_text import number
from .plaintext import plain_tooltip

AXIS = (-0.5, 1.0)
THRESHOLDS = (0.667, 0.8)
GOOD, FAIR, POOR = QColor("#2ca02c"), QColor("#ff7f0e"), QColor("#d62728")


def alpha_color(value: float) -> QColor:
    return GOOD if value >= 0.8 else FAIR if value >= 0.667 else POOR


@dataclass(frozen=True)
class ChartRow:
    name: str
    value: float | None
    ci: Sequence[float] | None = None
    reason: str | None = None
    minor: bool = False  # an option of a multi field (drawn lighter)


class RowChart(QWidget):
    """A chart of one horizontal band per row, ``ROW_H`` high below a ``TOP`` margin: it is
    as tall as its rows and says which row a point is in (for tooltips). Subclasses set
    the sizes, the size policy and the rows' type, and paint."""

    ROW_H = 24
    TOP, BOTTOM = 0, 0

    def __init__(self, vertical: QSizePolicy.Policy, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[Any] = []
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, vertical)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.rows = list(rows)
        self.setMinimumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(520, self.TOP + self.BOTTOM + self.ROW_H * max(len(self.rows), 1))

    def row_at(self, y: float) -> int | None:
        i = int((y - self.TOP) // self.ROW_H)
        return i if 0 <= i < len(self.rows) else None


class AlphaChart(RowChart):
    """Horizontal bars of α on a −0.5 … 1 axis (lower when a value or an interval's end
    is: ``agreement.axis``), 95% intervals as whiskers."""

    ROW_H = 24
    TOP, BOTTOM = 22, 30

    def __init__(self, parent: QWidget | None = None):
        super().__init__(QSizePolicy.Policy.Fixed, parent)
        self.rows: list[ChartRow] = []

    def _geometry(self) -> tuple[float, float]:
        fm = QFontMetrics(self.font())
        label_w = min(max((fm.horizontalAdvance(r.name) for r in self.rows), default=80) + 16, 260)
        return label_w, max(self.width() - label_w - 24, 60)

    def x_of(self, v: float) -> float:
        label_w, plot_w = self._geometry()
        lo, hi = self._axis()
        v = max(lo, min(hi, v))
        return label_w + (v - lo) / (hi - lo) * plot_w

    def _axis(self) -> tuple[float, float]:
        ends = [v for r in self.rows for v in (r.value, *(r.ci or ()))]
        return axis_start(ends), AXIS[1]

    def paintEvent(self, _e) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        label_w, _plot_w = self._geometry()
        bottom = self.TOP + self.ROW_H * len(self.rows)
        fm = QFontMetrics(self.font())
        # grid, reference lines, axis labels
        for tick in (*axis_ticks(self._axis()[0]), *THRESHOLDS, 1.0):
            x = self.x_of(tick)
            pen = QPen(QColor("#e2e2e2"))
            if tick in THRESHOLDS:
                pen = QPen(QColor("#888888"), 1, Qt.PenStyle.DashLine)
            elif tick == 0.0:
                pen.setColor(QColor("#999999"))
            p.setPen(pen)
            p.drawLine(QPointF(x, self.TOP), QPointF(x, bottom + 4))
            p.setPen(QColor("#555555"))
            text = f"{tick:g}"
            if tick in THRESHOLDS:  # above the plot, one left and one right of its line
                w = fm.horizontalAdvance(text)
                tx = x - w - 2 if tick == THRESHOLDS[0] else x + 2
                p.drawText(QPointF(tx, self.TOP - 4), text)
            else:
                p.drawText(
                    QPointF(x - fm.horizontalAdvance(text) / 2, bottom + 8 + fm.ascent()), text
                )
        for i, row in enumerate(self.rows):
            y = self.TOP + i * self.ROW_H
            mid = y + self.ROW_H / 2
            p.setPen(QColor("#777777") if row.minor else QColor("#222222"))
            name = fm.elidedText(row.name, Qt.TextElideMode.ElideRight, int(label_w - 12))
            p.drawText(
                QRectF(0, y, label_w - 8, self.ROW_H),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            if row.value is None:
                p.setPen(QColor("#999999"))
                p.drawText(
                    QRectF(self.x_of(0.0) + 4, y, 200, self.ROW_H),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    "n/a (hover for the reason)",
                )
                continue
            x0, x1 = sorted((self.x_of(0.0), self.x_of(row.value)))
            color = QColor(alpha_color(row.value))
            color.setAlpha(120 if row.minor else 190)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            h = 10 if row.minor else 14
            p.drawRect(QRectF(x0, mid - h / 2, max(x1 - x0, 1.5), h))
            if row.ci:
                a, b = self.x_of(row.ci[0]), self.x_of(row.ci[1])
                p.setPen(QPen(QColor("#222222"), 1.3))
                p.drawLine(QPointF(a, mid), QPointF(b, mid))
                p.drawLine(QPointF(a, mid - 5), QPointF(a, mid + 5))
                p.drawLine(QPointF(b, mid - 5), QPointF(b, mid + 5))
        p.end()

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            i = self.row_at(e.pos().y())
            if i is not None:
                r = self.rows[i]
                if r.value is None:
                    tip = f"{r.name.strip()}: n/a — {r.reason or 'not enough data'}"
                else:
                    ci = f" [95% CI {number(r.ci[0])}, {number(r.ci[1])}]" if r.ci else ""
                    tip = f"{r.name.strip()}: α = {number(r.value)}{ci}"
                QToolTip.showText(e.globalPos(), plain_tooltip(tip), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)


class HeatMap(QWidget):
    """Coder-by-coder matrix of a pairwise statistic (0 red … 1 green; grey n/a)."""

    CELL, PAD = 64, 110

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.coders: list[str] = []
        self.pairs: dict[str, float | None] = {}
        self.title = ""
        self.setMinimumSize(260, 220)

    def set_data(
        self, coders: Sequence[str], pairs: Mapping[str, float | None], title: str
    ) -> None:
        self.coders, self.pairs, self.title = list(coders), dict(pairs), title
        self.update()

    def value(self, a: str, b: str) -> float | None:
        if a == b:
            return 1.0
        return self.pairs.get("|".join(sorted((a, b))))

    def sizeHint(self) -> QSize:
        side = self.PAD + self.CELL * len(self.coders) + 20
        return QSize(max(side, 260), max(side + 30, 220))

    def paintEvent(self, _e) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        fm = QFontMetrics(self.font())
        p.setPen(QColor("#222222"))
        p.drawText(QPointF(10, 8 + fm.ascent()), self.title)
        if len(self.coders) < 2:
            p.setPen(QColor("#999999"))
            p.drawText(QPointF(10, 40 + fm.ascent()), "n/a: agreement needs at least two coders")
            p.end()
            return
        cell, pad, top = self.CELL, self.PAD, 40 + fm.height()
        for i, a in enumerate(self.coders):
            p.setPen(QColor("#222222"))
            y = top + i * cell
            p.drawText(
                QRectF(0, y, pad - 8, cell),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(a, Qt.TextElideMode.ElideRight, pad - 12),
            )
            p.drawText(
                QRectF(pad + i * cell, top - fm.height() - 4, cell, fm.height()),
                Qt.AlignmentFlag.AlignCenter,
                fm.elidedText(a, Qt.TextElideMode.ElideRight, cell - 4),
            )
            for j, b in enumerate(self.coders):
                v = self.value(a, b)
                rect = QRectF(pad + j * cell, y, cell - 3, cell - 3)
                if v is None:
                    fill, text, ink = QColor("#e6e6e6"), "n/a", QColor("#777777")
                else:
                    t = max(0.0, min(1.0, v))
                    fill = QColor(int(214 - 170 * t), int(39 + 121 * t), int(40 + 4 * t))
                    text, ink = number(v, 2), QColor("#ffffff")
                if a == b:
                    fill = QColor("#f3f3f3")
                    text, ink = "—", QColor("#aaaaaa")
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(fill)
                p.drawRoundedRect(rect, 3, 3)
                p.setPen(ink)
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        p.end()
