"""Run by test_window_size.py in its own process, on an offscreen screen of a given size:
open the main window on a database, report (as JSON) where its essential parts are, and
optionally change the zoom and the panes before closing it (which saves them).

Usage: window_fit_helper.py DB SETTINGS_DIR [--zoom-in] [--panes A,B,C]
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication, QWidget


def on_screen(w: QWidget, root: QWidget) -> list[int]:
    """``w``'s rectangle in global coordinates as [left, top, right, bottom]."""
    top_left = w.mapToGlobal(w.rect().topLeft())
    r = QRect(top_left, w.size())
    return [r.left(), r.top(), r.right(), r.bottom()]


def open_ready_window(db: str, settings_dir: str):
    """The main window on ``db`` as alice, shown, its label panel built and the events
    after it processed (settings in ``settings_dir``); returns (app, window). Shared with
    fields_fit_helper.py."""
    app = QApplication([])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    from annotator.gui import main_window

    w = main_window(db, "alice", settings=QSettings())
    w.show()
    for _ in range(50):
        app.processEvents()
        if w.panel_ready:
            break
    for _ in range(10):
        app.processEvents()
    return app, w


def main() -> None:
    db, settings_dir, *opts = sys.argv[1:]
    app, w = open_ready_window(db, settings_dir)
    avail = w.screen().availableGeometry()
    frame = w.frameGeometry()
    report = {
        "available": [avail.left(), avail.top(), avail.right(), avail.bottom()],
        "frame": [frame.left(), frame.top(), frame.right(), frame.bottom()],
        "size": [w.width(), w.height()],
        "status_bar": on_screen(w.statusBar(), w),
        "done_count": on_screen(w.doc_list.progress_text, w),
        "done_text": w.doc_list.progress_text.text(),
        "panel": on_screen(w.panel, w),  # type: ignore[arg-type]
        "panel_ready": w.panel_ready,
        "splitter": w.splitter.sizes(),
        "font_pt": w.view.font_point_size,
    }
    if "--zoom-in" in opts:
        w.view.set_font(w.view.font_family, w.view.font_point_size + 2)
    if "--size" in opts:
        width, height = (int(x) for x in opts[opts.index("--size") + 1].split("x"))
        w.resize(width, height)
        app.processEvents()
    if "--panes" in opts:
        w.splitter.setSizes([int(x) for x in opts[opts.index("--panes") + 1].split(",")])
        app.processEvents()
        report["splitter_set"] = w.splitter.sizes()
    print(json.dumps(report))
    w.close()
    w.store.close()


if __name__ == "__main__":
    main()
