"""Start-up: process start to the first article painted, against a bare PySide6 script.

Run: python bench/startup.py [--runs 7]

Both children are fresh Python processes on the offscreen platform; each prints a
line when the text widget's viewport receives its first paint event, and the parent
times from spawning to reading that line. The baseline shows the same article text
in a plain QPlainTextEdit. Runs alternate, medians are compared (target <= 1.5x).
The GUI child also reports whether spaCy was imported (it must not be).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PAINT_HOOK = """
from PySide6.QtCore import QEvent, QObject
class _First(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            print("painted", "spacy" in sys.modules, flush=True)
            os._exit(0)
        return False
_hook = _First()
"""

BASELINE = (
    "import os, sys\n"
    "from PySide6.QtWidgets import QApplication, QPlainTextEdit\n"
    + PAINT_HOOK
    + "app = QApplication([])\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "w = QPlainTextEdit()\n"
    "w.setReadOnly(True)\n"
    "w.setPlainText(text)\n"
    "w.resize(1400, 900)\n"
    "w.viewport().installEventFilter(_hook)\n"
    "w.show()\n"
    "app.exec()\n"
)

GUI = (
    "import os, sys\n"
    "from PySide6.QtCore import QSettings\n"
    "from PySide6.QtWidgets import QApplication\n" + PAINT_HOOK + "app = QApplication([])\n"
    "QSettings.setDefaultFormat(QSettings.Format.IniFormat)\n"
    "QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])\n"
    "from annotator.gui import main_window\n"
    "w = main_window(sys.argv[1], 'bench', settings=QSettings())\n"
    "w.resize(1400, 900)\n"
    "w.view.viewport().installEventFilter(_hook)\n"
    "w.show()\n"
    "app.exec()\n"
)


def timed(args: list[str]) -> tuple[float, str]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.wait(30)
    if not line.startswith("painted"):
        raise RuntimeError(f"child did not paint: {args}")
    return elapsed, line.split()[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(ROOT)  # ./seeds for the new database
        from annotator.project import open_store

        db = Path(tmp) / "labels.db"
        store, _ = open_store(db)
        first = store.list_documents("bench")[0].id
        text_file = Path(tmp) / "article.txt"
        text_file.write_text(store.document(first).text, encoding="utf-8")
        store.add_annotator("bench")
        store.close()
        base, gui, spacy_loaded = [], [], set()
        timed([sys.executable, "-c", GUI, str(db), tmp])  # warm the file cache once
        timed([sys.executable, "-c", BASELINE, str(text_file)])
        for _ in range(args.runs):
            base.append(timed([sys.executable, "-c", BASELINE, str(text_file)])[0])
            t, spacy = timed([sys.executable, "-c", GUI, str(db), tmp])
            gui.append(t)
            spacy_loaded.add(spacy)
    b, g = statistics.median(base), statistics.median(gui)
    print(f"runs                       {args.runs}")
    print(f"bare PySide6 text widget   {b * 1000:7.0f} ms  (median, process start to first paint)")
    print(f"annotator window           {g * 1000:7.0f} ms")
    print(f"ratio                      {g / b:7.2f}x  (target <= 1.5x)")
    print(f"spaCy imported at start-up {', '.join(sorted(spacy_loaded))}")


if __name__ == "__main__":
    main()
