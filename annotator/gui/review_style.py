"""What review mode looks like: its style sheet, the agreement classes' words,
colours and tooltips, and the small icons of the decision list and the layer boxes."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from ..decisions import ADJUDICATOR, CONFLICT, PARTIAL, UNANIMOUS

AGREEMENT_TEXT = {
    CONFLICT: "conflict",
    PARTIAL: "partial",
    UNANIMOUS: "all agree",
    ADJUDICATOR: "gold only",
}
AGREEMENT_COLOR = {
    CONFLICT: "#c5221f",
    PARTIAL: "#d56e0c",
    UNANIMOUS: "#3c8d4f",
    ADJUDICATOR: "#7a5aa6",
}
AGREEMENT_TIP = {
    CONFLICT: "Other coders marked an overlapping span with another label or other boundaries",
    PARTIAL: "Marked by some coders only; nobody marked anything else here",
    UNANIMOUS: "Every coder marked exactly this",
    ADJUDICATOR: "In gold, but no coder marked exactly this (an edited or imported gold span)",
}
REVIEW_STYLE = """
QWidget#reviewHeader, QWidget#reviewSide { background: #f6f5f2; }
QLabel#reviewTitle { font-size: 14pt; font-weight: 600; color: #202124; }
QLabel#reviewMeta, QLabel#layersTitle { color: #6b6f75; }
QTreeWidget#decisionList { background: #ffffff; alternate-background-color: #faf9f7;
    border: 1px solid #e3e1dc; border-radius: 6px; selection-background-color: #dfe9f7;
    selection-color: #202124; }
QTreeWidget#decisionList::item { padding: 3px 2px; }
QLabel#decisionDetail { background: #ffffff; border: 1px solid #e3e1dc; border-radius: 6px;
    padding: 6px 8px; color: #3c4043; }
QLabel#keyHints { color: #80868b; font-size: 8.5pt; }
QLabel[role="goldTag"] { color: #8a6d00; font-weight: 700; }
QLabel[agreement="conflict"] { color: #c5221f; font-weight: 600; }
QLabel[agreement="partial"] { color: #d56e0c; font-weight: 600; }
QLabel[agreement="unanimous"] { color: #3c8d4f; }
QFrame[role="field"][current="yes"] { border: 1.5px solid #7a8fb0; }
QPushButton[role="fieldValue"] { text-align: left; padding: 1px 4px; border: none;
    color: #1a4f9c; }
QPushButton[role="fieldValue"]:hover { background: #eef3fb; border-radius: 3px; }
QPushButton[role="fieldValue"]:disabled { color: #9aa0a6; }
QPushButton[role="fieldValue"][gold="yes"] { color: #1e6b33; font-weight: 600; }
QPushButton[role="nav"] { border: 1px solid #d6d3cd; border-radius: 12px; padding: 3px 12px;
    background: #ffffff; color: #202124; }
QPushButton[role="nav"]:hover { border-color: #b8b5ae; }
QCheckBox[role="layer"] { spacing: 5px; padding-right: 10px; }
"""


@lru_cache(maxsize=32)
def agreement_icon(agreement: str) -> QIcon:
    size = 14
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(AGREEMENT_COLOR[agreement])
    if agreement == CONFLICT:  # filled diamond: stands out
        p.setBrush(color)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawPolygon([QPointF(7, 1), QPointF(13, 7), QPointF(7, 13), QPointF(1, 7)])
    elif agreement == PARTIAL:  # half-filled circle
        p.setPen(QPen(color, 1.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(2, 2, 10, 10)
        p.setBrush(color)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawPie(2, 2, 10, 10, 90 * 16, 180 * 16)
    elif agreement == UNANIMOUS:  # small calm dot
        p.setBrush(color)
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(4, 4, 6, 6)
    else:  # gold only: outlined square
        p.setPen(QPen(color, 1.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(3, 3, 8, 8, 2, 2)
    p.end()
    return QIcon(pm)


@lru_cache(maxsize=32)
def layer_icon(band: int, n: int) -> QIcon:
    """Stacked bands, the coder's own one dark: where to look under the text."""
    w, h = 18, 14
    pm = QPixmap(w, h)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    if band < 0:  # gold: an outlined box
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#8a6d00"), 1.5))
        p.setBrush(QColor(240, 200, 60, 70))
        p.drawRoundedRect(2, 2, w - 4, h - 4, 3, 3)
    else:  # a line of text, then one band per coder, the nearest first
        p.fillRect(1, 1, w - 2, 4, QColor("#c9c6bf"))
        for i in range(max(n, 1)):
            y = 7 + i * 3
            p.fillRect(1, y, w - 2, 2, QColor("#303134" if i == band else "#dcd9d2"))
    p.end()
    return QIcon(pm)
