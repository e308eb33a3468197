"""Issue 12, point 10: the filtered document list behaves exactly like the full list —
a click, Enter or a double-click on a row opens its article, and the arrow keys move
within the filtered rows (real key and mouse events)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.gui.document_list import COL_TITLE


def _row_point(view, row: int):
    return view.visualRect(view.model().index(row, COL_TITLE)).center()


def _filter(qtbot, w, text: str) -> None:
    w.doc_list.filter.setFocus()
    qtbot.keyClicks(w.doc_list.filter, text)
    qtbot.waitUntil(lambda: w.doc_list.proxy.rowCount() >= 1, timeout=2000)


def _titles(w) -> list[str]:
    proxy = w.doc_list.proxy
    return [proxy.index(r, COL_TITLE).data() for r in range(proxy.rowCount())]


@pytest.mark.parametrize("how", ["click", "enter", "double-click"])
def test_a_filtered_row_opens_by_click_enter_or_double_click(qtbot, open_window, doc_ids, how):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    _filter(qtbot, w, "emoji")
    assert _titles(w) == ["Emoji"]
    view = w.doc_list.view
    assert w.current_document_id() == doc_ids["Simple"]  # filtering alone opens nothing
    if how == "click":
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_row_point(view, 0))
    elif how == "double-click":
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_row_point(view, 0))
    else:
        qtbot.keyClick(w.doc_list.filter, Qt.Key.Key_Return)  # Enter in the filter box
    qtbot.waitUntil(lambda: w.current_document_id() == doc_ids["Emoji"], timeout=2000)
    assert w.doc.title == "Emoji"


def test_enter_on_the_filtered_list_opens_the_current_row(qtbot, open_window, doc_ids):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    _filter(qtbot, w, "emoji")
    view = w.doc_list.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.current_document_id() == doc_ids["Emoji"], timeout=2000)


def test_arrow_keys_move_within_the_filtered_list(qtbot, open_window, doc_ids):
    w = open_window()
    _filter(qtbot, w, "new")  # three of the seeds
    shown = _titles(w)
    assert len(shown) >= 3 and len(shown) < len(w.doc_list.ids())
    view = w.doc_list.view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_row_point(view, 0))
    proxy = w.doc_list.proxy
    first = proxy.index(0, 0).data(Qt.ItemDataRole.UserRole)
    second = proxy.index(1, 0).data(Qt.ItemDataRole.UserRole)
    third = proxy.index(2, 0).data(Qt.ItemDataRole.UserRole)
    qtbot.waitUntil(lambda: w.current_document_id() == first, timeout=2000)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: w.current_document_id() == second, timeout=2000)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: w.current_document_id() == third, timeout=2000)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: w.current_document_id() == second, timeout=2000)
    assert _titles(w) == shown  # still filtered


def test_down_from_the_filter_box_moves_into_the_filtered_list(qtbot, open_window, doc_ids):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    _filter(qtbot, w, "emoji")
    qtbot.keyClick(w.doc_list.filter, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: w.current_document_id() == doc_ids["Emoji"], timeout=2000)
