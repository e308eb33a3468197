"""Run by test_fields_keyboard.py in its own process, on an offscreen screen of a given
size (``QT_QPA_PLATFORM=offscreen:configfile=...``): open the main window on a database as
it opens for a coder (sized to the screen), and report as JSON where the label panel's
document fields are against the visible part of the panel's scrolling column.

Usage: fields_fit_helper.py DB SETTINGS_DIR [--shot PNG] [--picker]
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from window_fit_helper import open_ready_window


def rect_in(w: QWidget, ref: QWidget) -> list[int]:
    """``w``'s rectangle in ``ref``'s coordinates, as [left, top, right, bottom]."""
    top_left = w.mapTo(ref, QPoint(0, 0))
    r = QRect(top_left, w.size())
    return [r.left(), r.top(), r.right(), r.bottom()]


def main() -> None:
    db, settings_dir, *opts = sys.argv[1:]
    app, w = open_ready_window(db, settings_dir)
    panel = w.panel
    scroll = panel.findChild(QWidget, "labelPanelInner").parentWidget().parentWidget()
    viewport = scroll.viewport()
    parts = {"fields_title": panel.fields_title}
    for name, box in panel.fields.items():
        parts[f"field:{name}"] = box
        for opt, button in box.buttons.items():
            parts[f"option:{name}:{opt}"] = button
        if box.clear_button is not None:
            parts[f"clear:{name}"] = box.clear_button
    report = {
        "screen": [w.screen().size().width(), w.screen().size().height()],
        "window": [w.width(), w.height()],
        "viewport": [0, 0, viewport.width() - 1, viewport.height() - 1],
        "scrolled": scroll.verticalScrollBar().value(),
        "parts": {k: rect_in(v, viewport) for k, v in parts.items()},
        "visible": {k: v.isVisibleTo(w) for k, v in parts.items()},
    }
    if "--picker" in opts:
        w.activateWindow()
        QTest.keyClick(w.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
        app.processEvents()
    if "--shot" in opts:
        for _ in range(10):
            app.processEvents()
        w.grab().save(opts[opts.index("--shot") + 1])
    print(json.dumps(report))
    w.close()
    w.store.close()


if __name__ == "__main__":
    main()
