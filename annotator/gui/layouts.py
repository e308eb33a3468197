"""Small layout pieces shared by the main window and the review window."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
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


def bold_label(text: str) -> QLabel:
    """``text`` in bold, as plain text: a rich-text ``<b>`` label asks to be painted again
    at the end of the window's first paint, before a label key can work (bench/startup.py);
    the pixels are the same."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


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


# The document list's first width: room for two lines of a title's first dozen words.
LIST_WIDTH = 360


def three_panes(left: QWidget, centre: QWidget, right: QWidget) -> QSplitter:
    """The main window's columns: the document list, the article (which takes the extra
    width) and the label panel; none collapses."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    for i, pane in enumerate((left, centre, right)):
        splitter.addWidget(pane)
        splitter.setStretchFactor(i, 1 if i == 1 else 0)
    splitter.setSizes([LIST_WIDTH, 700, 360])
    splitter.setChildrenCollapsible(False)
    return splitter


DEFAULT_WINDOW_SIZE = QSize(1400, 900)
# Room left around a window for its frame and title bar, which ``resize`` does not count
# (the frame is only known once the window is shown), and a little of the desktop.
SCREEN_MARGIN = QSize(24, 56)


def available_room(window: QWidget) -> QRect:
    """The part of ``window``'s screen a window may take (without panels and docks)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_window(
    settings: QSettings | None,
    window: QWidget,
    default: QSize = DEFAULT_WINDOW_SIZE,
    key: str = "window",
) -> None:
    """Size ``window`` as it was last closed on this machine (else ``default``), but never
    larger than its screen's available area less ``SCREEN_MARGIN``, and centre it there;
    maximized again if it was closed maximized. ``key`` names the window in ``settings``
    (``window`` for the main window, ``review``, ``agreement``); without ``settings``
    (a review window opened on its own) ``default`` is fitted and nothing is remembered."""
    room = available_room(window)
    saved = settings.value(f"{key}/size") if settings is not None else None
    size = saved if isinstance(saved, QSize) and saved.isValid() else default
    size = size.boundedTo(room.size() - SCREEN_MARGIN).expandedTo(window.minimumSize())
    window.resize(size)
    window.move(
        room.x() + max((room.width() - size.width()) // 2, 0),
        room.y() + max((room.height() - size.height() - SCREEN_MARGIN.height()) // 2, 0),
    )
    if settings is not None and settings.value(f"{key}/maximized") in (True, "true"):
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def save_window(settings: QSettings, window: QWidget, key: str = "window") -> None:
    """Remember ``window``'s size (the normal one if it is maximized) for ``fit_window``."""
    maximized = window.isMaximized()
    size = window.normalGeometry().size() if maximized else window.size()
    if size.isValid():
        settings.setValue(f"{key}/size", size)
    settings.setValue(f"{key}/maximized", maximized)


class FontView(Protocol):
    """The article view, as the saved view settings need it."""

    @property
    def font_family(self) -> str: ...

    @property
    def font_point_size(self) -> float: ...

    def set_font(self, family: str, point_size: float) -> None: ...


def restore_view(settings: QSettings, view: FontView, splitter: QSplitter) -> None:
    """The article's font size (the zoom) and the panes' widths as the user left them on
    this machine (the window's size: ``fit_window``)."""
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
