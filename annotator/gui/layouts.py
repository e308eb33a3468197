"""Small layout pieces shared by the main window and the review window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLayout, QScrollArea, QVBoxLayout, QWidget


def title_row(title: QWidget, meta: QWidget, *buttons: QWidget) -> QHBoxLayout:
    """The article's title over its meta line, with buttons at the top right."""
    text = QVBoxLayout()
    text.setSpacing(2)
    text.addWidget(title)
    text.addWidget(meta)
    row = QHBoxLayout()
    row.addLayout(text, 1)
    for button in buttons:
        row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    return row


def centre_pane(*items: QWidget | QLayout, stretch_last: bool = True) -> QWidget:
    """The borderless centre column (styled as ``centrePane``); the last item stretches."""
    pane = QWidget()
    pane.setObjectName("centrePane")
    col = QVBoxLayout(pane)
    col.setContentsMargins(0, 0, 0, 0)
    col.setSpacing(0)
    for i, item in enumerate(items):
        stretch = 1 if stretch_last and i == len(items) - 1 else 0
        if isinstance(item, QLayout):
            col.addLayout(item, stretch)
        else:
            col.addWidget(item, stretch)
    return pane


def column_scroll(inner: QWidget) -> QScrollArea:
    """A side column that scrolls vertically only, without a frame."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(inner)
    return scroll
