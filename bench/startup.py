"""Start-up: process start until the window can be used, against a bare PySide6 script.

Run: python bench/startup.py [--runs 7]

Both children are fresh Python processes on the offscreen platform, and the parent
times from spawning each to reading the lines it prints. The baseline shows the same
article text in a plain QPlainTextEdit and prints one line at its viewport's first paint
(a bare text widget is usable once painted). The annotation window prints one line at
the article view's first paint and another when the label panel, which the window builds
one event after that paint (``MainWindow.panel_ready``), has itself been painted: only
then can a coder label anything. The order of the two children alternates from run to
run; medians are compared, the panel-ready ratio against the target (<= 1.5x). The GUI
child also reports whether spaCy was imported (it must not be). The children run with
bytecode writing on (``PYTHONDONTWRITEBYTECODE`` removed from their environment), and an
untimed run of each comes first, so the ``.pyc`` files exist as on a user's machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5
TIMEOUT_S = 60

PAINT_HOOK = """
from PySide6.QtCore import QEvent, QObject, QTimer
class _OnPaint(QObject):
    def __init__(self, widget, then):
        super().__init__()
        self.then = then
        widget.installEventFilter(self)
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            self.then()
        return False
def _say(what):
    import time
    print(what, "spacy" in sys.modules, time.process_time(), flush=True)
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
    "def _done():\n"
    "    _say('painted')\n"
    "    os._exit(0)\n"
    "_hook = _OnPaint(w.viewport(), _done)\n"
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
    "def _panel_painted():\n"
    "    _say('panel')\n"
    "    os._exit(0)\n"
    "def _wait_for_panel():\n"  # the window builds the panel from a 0 ms timer after the paint
    "    if not w.panel_ready:\n"
    "        QTimer.singleShot(0, _wait_for_panel)\n"
    "        return\n"
    "    global _panel_hook\n"
    "    _panel_hook = _OnPaint(w.panel, _panel_painted)\n"
    "def _article_painted():\n"
    "    _say('painted')\n"
    "    QTimer.singleShot(0, _wait_for_panel)\n"
    "_hook = _OnPaint(w.view.viewport(), _article_painted)\n"
    "w.show()\n"
    "app.exec()\n"
)


def timed(args: list[str], marks: list[str]) -> tuple[list[float], list[float], str]:
    """Seconds from spawning ``args`` to each of its lines ``marks``, the child's CPU
    seconds (all its threads) at each, and whether spaCy was imported by then. A child
    that does not print them is an error, never a number."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc files exist on a user's machine
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    watchdog = threading.Timer(TIMEOUT_S, proc.kill)  # a paint that never comes: no number
    watchdog.start()
    times, cpu, spacy = [], [], "?"
    try:
        for mark in marks:
            line = proc.stdout.readline()
            times.append(time.perf_counter() - t0)
            if not line.startswith(mark + " "):
                proc.kill()
                err = proc.stderr.read()[-2000:]
                raise RuntimeError(f"child printed {line!r}, expected {mark!r}:\n{err}")
            spacy = line.split()[1]
            cpu.append(float(line.split()[2]))
        proc.wait(TIMEOUT_S)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return times, cpu, spacy


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
        store.add_coder("bench")
        store.close()
        gui_cmd = ([sys.executable, "-c", GUI, str(db), tmp], ["painted", "panel"])
        base_cmd = ([sys.executable, "-c", BASELINE, str(text_file)], ["painted"])
        timed(*gui_cmd)  # warm the file cache once, and write the .pyc files
        timed(*base_cmd)
        wall: dict[str, list[float]] = {"bare": [], "paint": [], "usable": []}
        cpu: dict[str, list[float]] = {"bare": [], "paint": [], "usable": []}
        spacy_loaded = set()
        for run in range(args.runs):
            for name in ("base", "gui") if run % 2 == 0 else ("gui", "base"):
                if name == "base":
                    (t,), (c,), _ = timed(*base_cmd)
                    wall["bare"].append(t)
                    cpu["bare"].append(c)
                else:
                    (p, r), (cp, cr), spacy = timed(*gui_cmd)
                    wall["paint"].append(p)
                    wall["usable"].append(r)
                    cpu["paint"].append(cp)
                    cpu["usable"].append(cr)
                    spacy_loaded.add(spacy)
    w = {k: statistics.median(v) for k, v in wall.items()}
    c = {k: statistics.median(v) for k, v in cpu.items()}
    ratios = [g / x for g, x in zip(wall["usable"], wall["bare"], strict=True)]
    print(
        f"runs                        {args.runs} (order alternating, baseline first in odd runs)"
    )
    print("medians, from process start   wall ms   ratio    CPU ms   ratio")
    for key, what in (
        ("bare", "bare PySide6 text widget"),
        ("paint", "window: article painted"),
        ("usable", "window: label panel painted"),
    ):
        print(
            f"{what:30s}{w[key] * 1000:8.0f}  {w[key] / w['bare']:6.2f}x"
            f"  {c[key] * 1000:8.0f}  {c[key] / c['bare']:6.2f}x"
        )
    ratio = w["usable"] / w["bare"]
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(f"ratio, usable / bare (wall) {ratio:7.2f}x  (target <= {TARGET}x) {verdict}")
    print(f"  per run (usable / bare):  {' '.join(f'{x:.2f}' for x in ratios)}")
    print(f"spaCy imported at start-up  {', '.join(sorted(spacy_loaded))}")


if __name__ == "__main__":
    main()
