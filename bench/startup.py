"""Start-up: process start until a coder can label, against a bare PySide6 script.

Run: python bench/startup.py [--runs 9] [--articles N] [--command] [--instructions]

Both children are fresh Python processes on the platform of ``QT_QPA_PLATFORM``
(offscreen unless set; ``QT_QPA_PLATFORM=xcb xvfb-run -a python bench/startup.py`` for
X11), and the parent times from spawning each to reading the lines it prints. The
window's child opens the window as ``annotator.gui.app.run`` does (what ``annotator --db
DB`` runs once its options are parsed, the package imported first as the command line
has imported it; ``--command`` also times that command itself),
on a copy of a database of the seed articles (and ``--articles`` more, titled alike, as a
project's list is) where the coder has coded before.

**Label-key-ready**, where the clock stops, is the moment a label key pressed by the
coder has done its work, for the earliest press that can work:

1. the label panel has been painted (the window builds it with its other panes; a
   window that built it later would be waited for), the label keys are bound (every span label's action is in the window with
   its key as shortcut) and the window is the active window (keys go to it);
2. at the first turn of the event loop after all three, the child selects the first
   ``SELECTION`` characters of the article and queues the press behind whatever the
   window has queued itself (a 0 ms timer: the press waits, as a real key would, for
   the event in progress and for what was queued before it);
3. that key press, the first span label's key, is delivered by ``QTest.keyClick`` to the
   focus widget (QTest sends it through the window system's shortcut path first, as a
   real key), and the clock stops when it has been processed: the span is then in the
   database (the child checks it, or fails).

The baseline is the same text in a plain ``QPlainTextEdit`` with one ``QAction`` on the
same key that colours the selection, timed the same way: first paint, active window, a
queued press of that key, the selection coloured. The instrument's own costs are timed
in each child and taken off: importing QtTest and touching the ``Qt`` namespace the press
needs (2-3 ms, as both children have made that namespace by then; the baseline makes it
when ``setBackground`` turns its colour into a brush), and installing the paint hooks
(getting the widget watched included: the baseline's hook asks for the view's viewport, a
widget Qt made, and PySide, to find its class, creates every class of QtWidgets, some 70
with their enums, about 10 ms that no bare script would spend; the window's article
viewport is made in Python, ``gui/article_view.own_viewport``, and its hooks cost little).
Each child reports its CPU seconds (all threads) and its peak resident memory
(``VmHWM``, read by the child itself) at each mark; the window's child lists which of
``NOT_AT_START`` were loaded.

The order of the children alternates from run to run (baseline last in the first);
medians are compared, the label-key-ready ratio (wall) against the target (<= 1.4x).
Each child then runs on until its event loop is idle (five turns in a row under 1 ms of
CPU each: what Qt and the app had queued on timers, such as a delayed resize of a list's
columns, is done), printed as "idle after", against the same for the baseline: work that
slips past the key press is still work a coder's next key waits for.
``--instructions`` also counts, once each under valgrind's callgrind, the instructions
from process start to the label key of the window and of the bare script, the
instrument's steps left out as their time is (``count_instructions``): a figure the load
of a shared machine does not move, for changes too small to see in wall time. It is not
the target (instructions are not time: the window also touches more memory and code,
whose faults and cache misses the wall-clock ratio includes), but it moves with it.
The children run with bytecode writing on (``PYTHONDONTWRITEBYTECODE`` removed from their
environment), and an untimed run of each comes first, so the ``.pyc`` files exist as on
a user's machine.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.4
TIMEOUT_S = 60
SELECTION = 12  # characters selected before the label key is pressed
# Modules that must not be loaded when the label key works (the GUI child lists them).
NOT_AT_START = (
    "spacy",
    "annotator.gui.review",
    "annotator.gui.agreement_view",
    "annotator.agreement",
    "annotator.gui.file_actions",
)

HOOK = """
import os, sys, time
_cg = bool(os.environ.get("BENCH_CALLGRIND"))  # --instructions (see count_instructions)
def _cgmark(label):
    if _cg:  # callgrind writes the count so far at each getppid(), the mark's label here
        sys.stderr.write(f"cgmark {label}\\n")
        sys.stderr.flush()
        os.getppid()
from PySide6.QtCore import QEvent, QObject, QTimer
class _OnPaint(QObject):
    # The instrument: ``widget`` is a function giving the widget to watch, and getting it
    # and installing the filter are timed apart, as QtTest is (the first widget Qt made
    # that PySide hands to Python, such as a QPlainTextEdit's viewport, makes it create
    # every QtWidgets class to find its type: about 10 ms no bare script would spend).
    def __init__(self, widget, then):
        _cgmark("run")
        t, c = time.perf_counter(), time.process_time()
        super().__init__()
        self.then = then
        widget().installEventFilter(self)
        _tool[0] += time.perf_counter() - t
        _tool[1] += time.process_time() - c
        _cgmark("tool")
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            self.then()
        return False
def _peak_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0
_tool = [0.0, 0.0]
def _say(what, loaded=()):
    _cgmark(what)
    if _cg and what == "labelled":
        os._exit(0)  # --instructions counts to the label key
    print(what, time.process_time(), _peak_kb(), ",".join(loaded) or "-", *_tool, flush=True)
def _settle(loaded=list):
    # Idle: five turns of the event loop in a row that each took under 1 ms of CPU (what
    # Qt and the app queued on timers, e.g. a delayed resize of a list's columns, is done).
    state = {"quiet": 0, "last": time.process_time()}
    def turn():
        now = time.process_time()
        state["quiet"] = state["quiet"] + 1 if now - state["last"] < 0.001 else 0
        state["last"] = now
        if state["quiet"] >= 5:
            _say("settled", loaded())
            os._exit(0)
        QTimer.singleShot(0, turn)
    QTimer.singleShot(0, turn)
def _press(key, window):
    # The instrument: QtTest (and the Qt namespace the press needs, which both children
    # have made by then) is timed apart, and the parent takes that time off.
    _cgmark("run")
    t, c = time.perf_counter(), time.process_time()
    from PySide6.QtTest import QTest
    from PySide6.QtCore import Qt
    Qt.Key.Key_1, Qt.KeyboardModifier.NoModifier
    _tool[0] += time.perf_counter() - t
    _tool[1] += time.process_time() - c
    _cgmark("tool")
    from PySide6.QtWidgets import QApplication
    QTest.keyClick(QApplication.focusWidget() or window, key)
"""

BASELINE = (
    "from PySide6.QtGui import QAction, QColor, QKeySequence, QTextCharFormat\n"
    "from PySide6.QtWidgets import QApplication, QPlainTextEdit\n"
    + HOOK
    + "app = QApplication([])\n"
    "text = open(sys.argv[1], encoding='utf-8').read()\n"
    "w = QPlainTextEdit()\n"
    "w.setReadOnly(True)\n"
    "w.setPlainText(text)\n"
    "w.resize(1400, 900)\n"
    "fmt = QTextCharFormat()\n"
    "fmt.setBackground(QColor('#d62728'))\n"
    "done = []\n"
    "def _label():\n"
    "    w.textCursor().mergeCharFormat(fmt)\n"
    "    done.append(w.textCursor().selectedText())\n"
    "act = QAction(w)\n"
    "act.setShortcut(QKeySequence(sys.argv[2]))\n"  # a window shortcut, as the window's
    "act.triggered.connect(_label)\n"
    "w.addAction(act)\n"
    "def _key():\n"
    "    _press(sys.argv[2], w)\n"
    "    if not done:\n"
    "        print('unlabelled', flush=True)\n"
    "        os._exit(1)\n"
    "    _say('labelled')\n"
    "    _settle()\n"
    "def _when_ready():\n"  # a key reaches the active window only (X11 without a WM)
    "    if not w.isActiveWindow():\n"
    "        QTimer.singleShot(0, _when_ready)\n"
    "        return\n"
    "    c = w.textCursor()\n"
    "    c.setPosition(0)\n"
    f"    c.setPosition({SELECTION}, c.MoveMode.KeepAnchor)\n"
    "    w.setTextCursor(c)\n"
    "    QTimer.singleShot(0, _key)\n"
    "def _painted():\n"
    "    _say('painted')\n"
    "    w.activateWindow()\n"
    "    _when_ready()\n"
    "_hook = _OnPaint(w.viewport, _painted)\n"
    "w.show()\n"
    "app.exec()\n"
)

# The window as ``annotator.gui.app.run`` opens it (what ``annotator --db DB`` runs after
# parsing its options), watched from the moment ``main_window`` returns it.
GUI = (
    HOOK + "import annotator.gui.app as _app\n"
    f"NOT_AT_START = {NOT_AT_START!r}\n"
    "def _loaded():\n"
    "    return [m for m in NOT_AT_START if m in sys.modules]\n"
    "_KEPT = []\n"  # the watchers' event filters live in a cycle the collector could end
    "def _watch(w):\n"
    "    from PySide6.QtGui import QKeySequence\n"
    "    w.resize(1400, 900)\n"  # the baseline's size, whatever the screen
    "    state = {'panel_painted': False}\n"
    "    _KEPT.append(state)\n"
    "    def _keys_bound():\n"  # every span label's action, in the window, on its key
    "        acts = w.label_actions\n"
    "        in_window = set(w.actions())\n"
    "        return all(\n"
    "            lab.name in acts and acts[lab.name] in in_window\n"
    "            and acts[lab.name].shortcut() == QKeySequence(lab.key)\n"
    "            for lab in w.scheme.span_labels)\n"
    "    def _key():\n"
    "        label = w.scheme.span_labels[0]\n"
    "        _press(label.key, w)\n"
    "        spans = w.store.spans(w.doc.id, 'bench')\n"
    f"        if [(s.start, s.end, s.label) for s in spans] != [(0, {SELECTION}, label.name)]:\n"
    "            print('unlabelled', spans, flush=True)\n"
    "            os._exit(1)\n"
    "        _say('labelled', _loaded())\n"
    "        _settle(_loaded)\n"
    "    def _when_ready():\n"  # panel painted and keys bound: select, queue the key press
    "        if not (state['panel_painted'] and _keys_bound() and w.isActiveWindow()):\n"
    "            QTimer.singleShot(0, _when_ready)\n"
    "            return\n"
    "        _say('ready', _loaded())\n"
    f"        w.view.select_cp(0, {SELECTION})\n"
    "        QTimer.singleShot(0, _key)\n"
    "    def _panel_painted():\n"
    "        state['panel_painted'] = True\n"
    "    def _wait_for_panel():\n"  # the window may build the panel after the article's paint
    "        if not w.panel_ready:\n"
    "            QTimer.singleShot(0, _wait_for_panel)\n"
    "            return\n"
    "        if 'hook' not in state:\n"
    "            state['hook'] = _OnPaint(lambda: w.panel, _panel_painted)\n"
    "        _when_ready()\n"
    "    def _article_painted():\n"
    "        _say('painted', _loaded())\n"
    "        w.activateWindow()\n"
    "        QTimer.singleShot(0, _wait_for_panel)\n"
    "    state['first'] = _OnPaint(w.view.viewport, _article_painted)\n"
    "    if w.panel_ready:\n"  # built with the window: its first paint is the window's
    "        state['hook'] = _OnPaint(lambda: w.panel, _panel_painted)\n"
    "_make = _app.main_window\n"
    "def _main_window(*args, **kwargs):\n"
    "    w = _make(*args, **kwargs)\n"
    "    _watch(w)\n"
    "    return w\n"
    "_app.main_window = _main_window\n"
)
# The package (its core) is imported before PySide, as the command line imports it before
# it opens the window: PySide's import hook does not see those imports in a real launch.
GUI_RUN = "import annotator\n" + GUI + "sys.exit(_app.run(sys.argv[1], 'bench'))\n"
# The same through the command line, as a coder starts it: ``annotator --db DB``.
GUI_COMMAND = (
    "from annotator.cli import main\n"
    + GUI
    + "sys.argv[1:] = ['--db', sys.argv[1], '--annotator', 'bench']\n"
    "main()\n"
)


class Mark:
    """One line a child printed: when the parent read it, the child's CPU seconds and
    peak RSS (kB) then, and the listed modules it had loaded. The time the instrument took
    before it (its paint hooks, and QtTest before the key press) is taken off."""

    def __init__(self, wall: float, line: str):
        _, cpu, peak, loaded, tool_wall, tool_cpu = line.split()
        self.wall = wall - float(tool_wall)
        self.cpu = float(cpu) - float(tool_cpu)
        self.peak_kb = int(peak)
        self.loaded = [] if loaded == "-" else loaded.split(",")


def timed(args: list[str], marks: list[str], env: dict[str, str]) -> list[Mark]:
    """The lines ``marks`` of a child run as ``args``, timed from its spawning. A child
    that does not print them is an error, never a number."""
    env = dict(env, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # .pyc files exist on a user's machine
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    watchdog = threading.Timer(TIMEOUT_S, proc.kill)  # a paint that never comes: no number
    watchdog.start()
    out: list[Mark] = []
    try:
        for mark in marks:
            line = proc.stdout.readline()
            t = time.perf_counter() - t0
            if not line.startswith(mark + " "):
                proc.kill()
                err = proc.stderr.read()[-2000:]
                raise RuntimeError(f"child printed {line!r}, expected {mark!r}:\n{err}")
            out.append(Mark(t, line))
        proc.wait(TIMEOUT_S)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument(
        "--articles", type=int, default=0,
        help="add this many articles (seed sentences, similar headlines) to the five seeds",
    )  # fmt: skip
    ap.add_argument(
        "--command", action="store_true",
        help="also time the window started as 'annotator --db DB' (the command line's imports)",
    )  # fmt: skip
    ap.add_argument(
        "--instructions", action="store_true",
        help="also count the instructions to the label key under valgrind (deterministic)",
    )  # fmt: skip
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(ROOT)  # ./seeds for the new database
        from annotator.project import open_store

        db = Path(tmp) / "labels.db"
        store, _ = open_store(db)
        first = store.list_documents("bench")[0].id
        text_file = Path(tmp) / "article.txt"
        text_file.write_text(store.document(first).text, encoding="utf-8")
        key = store.scheme.span_labels[0].key
        if args.articles:
            add_articles(store, args.articles)
        store.add_coder("bench")  # a coder opening their own database again
        store.close()
        # The window's settings (the coder remembered, the size) go to a folder of the run.
        env = dict(os.environ, XDG_CONFIG_HOME=str(Path(tmp) / "config"))

        def fresh_db() -> str:  # every run labels a copy of the database without spans
            run_db = Path(tmp) / "run.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{run_db}{suffix}").unlink(missing_ok=True)
            with sqlite3.connect(db) as src, sqlite3.connect(run_db) as dst:
                src.backup(dst)
            dst.close()
            src.close()
            return str(run_db)

        gui_marks = ["painted", "ready", "labelled", "settled"]
        base_marks = ["painted", "labelled", "settled"]
        base = ([sys.executable, "-c", BASELINE, str(text_file), key], base_marks)
        kinds = {"window": GUI_RUN, "command": GUI_COMMAND} if args.command else {"window": GUI_RUN}
        for code in kinds.values():  # untimed: warm the file cache, write the .pyc files
            timed([sys.executable, "-c", code, fresh_db()], gui_marks, env)
        timed(*base, env)
        counted: tuple[float, float] | str | None = None
        if args.instructions:  # after the warm-up: the settings' caches exist, as timed
            counted = count_instructions(
                [sys.executable, "-c", GUI_RUN, fresh_db()], base[0], env, Path(tmp)
            )
        rows: dict[str, list[Mark]] = {"bare": [], "bare settled": []}
        loaded: set[str] = set()
        for run in range(args.runs):
            order = ["base", *kinds] if run % 2 else [*kinds, "base"]
            for name in order:
                if name == "base":
                    _, labelled, settled = timed(*base, env)
                    rows["bare"].append(labelled)
                    rows["bare settled"].append(settled)
                    continue
                cmd = [sys.executable, "-c", kinds[name], fresh_db()]
                for mark, m in zip(gui_marks, timed(cmd, gui_marks, env), strict=True):
                    rows.setdefault(f"{name} {mark}", []).append(m)
                    loaded.update(m.loaded)
    report(rows, loaded, args.runs)
    if args.instructions:
        report_instructions(counted)


def count_instructions(
    window: list[str], bare: list[str], env: dict[str, str], tmp: Path
) -> tuple[float, float] | str:
    """Instructions (millions) from process start to the label key, of the window and of
    the bare script, each run once under valgrind's callgrind (a count that the load of a
    shared machine does not change); or why they could not be counted.

    With ``BENCH_CALLGRIND`` set the children mark their steps by calling ``getppid()``
    (which nothing else in them calls) after writing the step's name to stderr, and
    callgrind, told to ``--dump-before=getppid``, writes the count of each step apart.
    The instrument's steps (paint hooks, QtTest), marked ``tool``, are left out, as the
    timed runs take their time off."""
    import re
    import shutil

    if not shutil.which("valgrind"):
        return "needs valgrind"

    def count(args: list[str]) -> float:
        out = tmp / "cg"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        run_env = dict(env, BENCH_CALLGRIND="1")
        run_env["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM", "offscreen")
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--dump-before=getppid",
             f"--callgrind-out-file={out}/cg.out", *args],
            capture_output=True, text=True, env=run_env, timeout=TIMEOUT_S * 10,
        )  # fmt: skip
        labels = [
            ln.split(" ", 1)[1] for ln in done.stderr.splitlines() if ln.startswith("cgmark ")
        ]
        parts = []
        for f in out.glob("cg.out*"):
            text = f.read_text(errors="replace")
            part = re.search(r"^part: (\d+)", text, re.M)
            total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
            if total is not None and "getppid" in text.split("\nevents:", 1)[0]:
                parts.append((int(part.group(1)) if part else 0, int(total.group(1))))
        parts.sort()
        if "labelled" not in labels or len(parts) < len(labels):
            raise RuntimeError(f"the child under valgrind did not reach the label key: {labels}")
        n = 0
        for label, (_, total) in zip(labels, parts, strict=False):  # a dump at each mark
            if label != "tool":  # the instrument's own step
                n += total
            if label == "labelled":
                break
        return n / 1e6

    return count(window), count(bare)


def report_instructions(counted: tuple[float, float] | str | None) -> None:
    if isinstance(counted, str) or counted is None:
        print(f"instructions (valgrind)       not counted: {counted}")
        return
    window, bare = counted
    print(
        f"instructions to the label key  window {window:.1f}M, bare {bare:.1f}M:"
        f" {window / bare:.3f}x (callgrind, one run each, the instrument left out)"
    )


def add_articles(store, n: int) -> None:
    """``n`` articles of 20 seed sentences each, titled alike (the list a project has)."""
    import random

    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents

    rng = random.Random(0)
    sentences = [s for p in sorted(Path("seeds").glob("*.txt")) for s in p.read_text().split(". ")]
    docs = [
        RawDocument(
            ". ".join(rng.sample(sentences, 20)) + f" ({i}).",
            f"article-{i:05d}.txt",
            {"title": f"Headline {i}: the alliance, seen from one more similar angle"},
        )
        for i in range(n)
    ]
    import_documents(store, docs)


def report(rows: dict[str, list[Mark]], loaded: set[str], runs: int) -> None:
    def med(key: str, attr: str) -> float:
        return statistics.median(getattr(m, attr) for m in rows[key])

    what = {
        "bare": "bare PySide6: key coloured",
        "bare settled": "bare PySide6: idle after",
        "window painted": "window: article painted",
        "window ready": "window: panel painted, keys",
        "window labelled": "window: LABEL KEY WORKED",
        "window settled": "window: idle after",
        "command painted": "annotator --db: article",
        "command ready": "annotator --db: panel, keys",
        "command labelled": "annotator --db: key worked",
        "command settled": "annotator --db: idle after",
    }
    print(f"runs                          {runs} (order alternating, baseline last in the first)")
    print("medians, from process start    wall ms  ratio    CPU ms  ratio   peak RSS MB  ratio")
    for key in rows:
        wall, cpu, peak = med(key, "wall"), med(key, "cpu"), med(key, "peak_kb")
        base = "bare settled" if key.endswith("settled") else "bare"  # idle against idle
        print(
            f"{what[key]:30s}{wall * 1000:8.0f} {wall / med(base, 'wall'):5.2f}x"
            f"  {cpu * 1000:8.0f} {cpu / med(base, 'cpu'):5.2f}x"
            f"  {peak / 1024:12.1f} {peak / med(base, 'peak_kb'):5.2f}x"
        )
    per_run = [g.wall / b.wall for g, b in zip(rows["window labelled"], rows["bare"], strict=True)]
    ratio = med("window labelled", "wall") / med("bare", "wall")
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(f"label-key-ready / bare (wall) {ratio:6.2f}x  (target <= {TARGET}x) {verdict}")
    print(f"  per run:                    {' '.join(f'{x:.2f}' for x in per_run)}")
    print(f"  median of per-run ratios    {statistics.median(per_run):.2f}x")
    shown = ", ".join(sorted(loaded)) or "none of " + ", ".join(NOT_AT_START)
    print(f"loaded at label-key-ready     {shown}")


if __name__ == "__main__":
    main()
