"""Small layout pieces shared by the main window and the review window."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLayout,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)


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


def three_panes(left: QWidget, centre: QWidget, right: QWidget) -> QSplitter:
    """The main window's columns: the document list, the article (which takes the extra
    width) and the label panel; none collapses."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    for i, pane in enumerate((left, centre, right)):
        splitter.addWidget(pane)
        splitter.setStretchFactor(i, 1 if i == 1 else 0)
    splitter.setSizes([300, 760, 360])
    splitter.setChildrenCollapsible(False)
    return splitter


class FontView(Protocol):
    """The article view, as the saved view settings need it."""

    @property
    def font_family(self) -> str: ...

    @property
    def font_point_size(self) -> float: ...

    def set_font(self, family: str, point_size: float) -> None: ...


def restore_view(settings: QSettings, view: FontView, splitter: QSplitter) -> None:
    """The article's font size and the panes' widths as the user left them."""
    pt = settings.value("view/font_pt")
    try:
        if pt is not None:
            view.set_font(view.font_family, float(pt))
    except (TypeError, ValueError):
        pass
    state = settings.value("window/splitter")
    if state is not None:
        splitter.restoreState(state)


def save_view(settings: QSettings, view: FontView, splitter: QSplitter) -> None:
    settings.setValue("window/splitter", splitter.saveState())
    settings.setValue("view/font_pt", view.font_point_size)
    settings.sync()
