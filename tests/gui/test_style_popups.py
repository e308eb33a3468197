"""Issue 12, point 7: in every drop-down, list, table, tree and menu of the windows'
style sheets, the item under the mouse or selected is readable — its text's pixels
differ from its background (rendered offscreen and compared, not read from the sheet)."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QComboBox,
    QListWidget,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.review_style import REVIEW_STYLE
from annotator.gui.style import STYLE

SHEETS = {"main": STYLE, "review": STYLE + REVIEW_STYLE}
ITEMS = ["All", "Not done", "New", "In progress", "Done"]


def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def background(img: QImage, rect: QRect) -> QColor:
    rect = rect.intersected(img.rect())
    colours = Counter(
        img.pixelColor(x, y).rgb()
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top(), rect.bottom() + 1)
    )
    return QColor.fromRgb(colours.most_common(1)[0][0])


def assert_readable(img: QImage, rect: QRect, what: str) -> None:
    """The item's background is its most common colour; its text must draw enough
    pixels of clearly different colour (a contrast of at least 4.5 for the darkest)."""
    rect = rect.intersected(img.rect())
    assert rect.width() > 10 and rect.height() > 5, (what, rect)
    colours = Counter(
        img.pixelColor(x, y).rgb()
        for x in range(rect.left(), rect.right() + 1)
        for y in range(rect.top() + 2, rect.bottom() - 1)  # not the item's borders
    )
    background = QColor.fromRgb(colours.most_common(1)[0][0])
    ink = [(QColor.fromRgb(rgb), n) for rgb, n in colours.items()]
    strong = sum(n for c, n in ink if _contrast(c, background) >= 3.0)
    best = max(_contrast(c, background) for c, _ in ink)
    assert strong >= 15 and best >= 4.5, (
        f"{what}: the text is not readable on {background.name()}"
        f" ({strong} text pixels, best contrast {best:.1f})"
    )


def _host(qtbot, sheet: str, widget: QWidget) -> QMainWindow:
    win = QMainWindow()
    win.setStyleSheet(sheet)
    inner = QWidget()
    lay = QVBoxLayout(inner)
    lay.addWidget(widget)
    win.setCentralWidget(inner)
    qtbot.addWidget(win)
    win.resize(420, 720)
    win.show()
    qtbot.waitExposed(win)
    return win


def _hover_and_grab(qtbot, view, row: int) -> tuple[QImage, QRect]:
    index = view.model().index(row, 0)
    rect = view.visualRect(index)
    qtbot.mouseMove(view.viewport(), rect.center() + QPoint(1, 1))  # a move, wherever it was
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.wait(50)
    view.viewport().repaint()
    return view.viewport().grab().toImage(), rect


@pytest.mark.parametrize("sheet", SHEETS)
def test_a_combo_popups_hovered_item_is_readable(qtbot, sheet):
    combo = QComboBox()
    combo.addItems(ITEMS)
    win = _host(qtbot, SHEETS[sheet], combo)
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    img, rect = _hover_and_grab(qtbot, view, 2)
    assert view.currentIndex().row() == 2  # under the mouse = selected in a combo popup
    assert_readable(img, rect, f"{sheet}: combo popup, hovered item")
    other = view.visualRect(view.model().index(0, 0))
    assert background(img, rect) != background(img, other)  # the hovered item shows
    combo.hidePopup()
    win.close()


@pytest.mark.parametrize("sheet", SHEETS)
def test_list_table_and_tree_selected_items_are_readable(qtbot, sheet):
    lst = QListWidget()
    lst.addItems(ITEMS)
    table = QTableWidget(len(ITEMS), 1)
    for i, t in enumerate(ITEMS):
        table.setItem(i, 0, QTableWidgetItem(t))
    table.setColumnWidth(0, 200)
    tree = QTreeWidget()
    tree.addTopLevelItems([QTreeWidgetItem([t]) for t in ITEMS])
    box = QWidget()
    lay = QVBoxLayout(box)
    for v in (lst, table, tree):
        lay.addWidget(v)
    win = _host(qtbot, SHEETS[sheet], box)
    for view in (lst, table, tree):
        view.setCurrentIndex(view.model().index(1, 0))  # selected, not hovered
        view.setFocus()
        img, rect = _hover_and_grab(qtbot, view, 3)  # hovered, not selected
        assert_readable(img, rect, f"{sheet}: {type(view).__name__}, hovered item")
        sel = view.visualRect(view.model().index(1, 0))
        assert_readable(img, sel, f"{sheet}: {type(view).__name__}, selected item")
    win.close()


@pytest.mark.parametrize("sheet", SHEETS)
def test_a_menus_active_item_is_readable(qtbot, sheet):
    parent = _host(qtbot, SHEETS[sheet], QWidget())
    menu = QMenu(parent)
    actions = [menu.addAction(t) for t in ITEMS]
    menu.popup(parent.mapToGlobal(parent.rect().center()))
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    rect = menu.actionGeometry(actions[2])
    qtbot.mouseMove(menu, rect.center() + QPoint(0, 1))
    qtbot.mouseMove(menu, rect.center())
    qtbot.wait(50)
    if menu.activeAction() is not actions[2]:  # the pointer was already there: no move
        menu.setActiveAction(actions[2])
    menu.repaint()
    assert_readable(menu.grab().toImage(), rect, f"{sheet}: menu, active item")
    menu.close()


def test_the_status_filters_popup_in_the_window_is_readable(qtbot, open_window):
    w = open_window()
    combo = w.doc_list.state
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    img, rect = _hover_and_grab(qtbot, view, 1)
    assert_readable(img, rect, "status filter, hovered item")
    other = view.visualRect(view.model().index(3, 0))
    assert background(img, rect) != background(img, other)  # the hovered item shows
    combo.hidePopup()
