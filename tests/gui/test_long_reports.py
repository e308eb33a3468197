"""Issue 12, point 15: everything the window reports fits the window — a long merge
conflict report wraps within the screen's width, so "kept as 'ana@ana2'" is readable
without scrolling sideways; message boxes stay within the screen too."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QLabel

from annotator.merge import Conflict, conflict_line

LONG_TITLE = (
    "Is a New Alliance Emerging with North Korea, Iran, and China Supporting Russia’s War"
    " in Ukraine and Beyond? An Analysis of the Shifting Balance"
)


def _conflicts(n: int) -> list[str]:
    return [
        "ana-laptop-fieldwork-2024-11-with-a-long-name.db: "
        + conflict_line(Conflict(i, LONG_TITLE, "ana", "ana@ana2", True), "window")
        for i in range(1, n + 1)
    ]


def _screen_width(widget) -> int:
    screen = widget.screen() or QApplication.primaryScreen()
    return screen.availableGeometry().width()


def test_a_long_conflict_report_wraps_within_the_screen(qtbot, open_window):
    w = open_window()
    details = _conflicts(40)
    summary = [
        "Merged /home/ana/projects/framing-study-2024/incoming/"
        "ana-laptop-fieldwork-2024-11-with-a-long-name.db into labels.db: 12 documents,"
        " 340 spans, 40 new conflict(s); every conflicting version is kept under its own"
        " coder name so nothing is lost."
    ]
    dlg = w.files.show_result("Merge: 40 new conflict(s)", summary, details, "Conflicts:", True)
    qtbot.waitExposed(dlg)
    assert dlg.frameGeometry().width() <= _screen_width(dlg)
    assert dlg.frameGeometry().width() <= w.frameGeometry().width()
    box = dlg.details
    # No sideways scrolling: every line wraps within the box.
    assert box.horizontalScrollBar().maximum() == 0
    text = box.toPlainText()
    for needle in ("kept as 'ana@ana2'", details[-1][-30:]):
        pos = text.index(needle) + len(needle)
        cursor = QTextCursor(box.document())
        cursor.setPosition(pos)
        box.setTextCursor(cursor)
        box.ensureCursorVisible()
        rect = box.cursorRect()
        assert rect.left() >= 0 and rect.right() <= box.viewport().width(), needle
    # The summary label wraps and is as wide as the dialog at most, tall enough to show it.
    label = dlg.summary
    assert label.wordWrap()
    assert label.width() <= dlg.width()
    assert label.height() >= label.heightForWidth(label.width())
    dlg.close()


def test_a_long_message_box_is_no_wider_than_the_screen(qtbot, open_window):
    w = open_window()
    words = " ".join(f"ana@ana{i}" for i in range(200))
    box = w.notify("Merge", f"Conflicting versions were kept as {words}.", warning=True)
    qtbot.waitExposed(box)
    assert box.frameGeometry().width() <= _screen_width(box)
    label = box.findChild(QLabel, "qt_msgbox_label")
    assert label is not None and label.wordWrap()
    assert label.geometry().right() <= box.width()
    box.close()
