"""Run by test_durability: label spans one by one through the real window, forever.

Usage: python kill_helper.py DB DOC_ID. Prints "labelled N" after each span is
stored (the span's text on the same line), until it is killed.
"""

from __future__ import annotations

import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> None:
    db, doc_id, settings_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    app = QApplication([])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
    from annotator.gui import main_window

    w = main_window(db, "killme", settings=QSettings())
    w.show()
    w.activateWindow()
    app.processEvents()
    w.open_document(doc_id)
    tok = w.store.tokenization(doc_id)
    words = [i for i in range(len(tok)) if i not in tok.space_tokens]
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3]
    for n, i in enumerate(words, 1):
        w.view.select_cp(tok.token_starts[i], tok.token_ends[i])
        QTest.keyClick(w.view, keys[n % 3])
        app.processEvents()
        print(f"labelled {n} {tok.token_starts[i]} {tok.token_ends[i]}", flush=True)
        QTest.qWait(20)
    print("finished", flush=True)
    QTest.qWait(60_000)


if __name__ == "__main__":
    main()
