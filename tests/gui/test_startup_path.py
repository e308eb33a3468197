"""What the window loads before a coder can label (not how long it takes).

A fresh process opens the window as ``annotator.gui.app.run`` does, offscreen, and waits
for the moment ``bench/startup.py`` times: the label panel painted and every label key
bound. Then it checks which modules are loaded (and that the label panel was built with
the window, that no record read at start is a dataclass made at import, that the headline
patterns are not compiled and that PySide's import hook read no window module's source),
presses the first label's key (a real key event through QTest) on a selection, and checks
that the span was stored; then it lets the deferred work run and checks it ran. No
timings are asserted.

Started as a coder starts it (``annotator --db DB``), the command line loads none of them
either: it imports a command's module only when that command is asked for, and the
command imports its core modules when it runs (annotator/cli/__init__.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from annotator.ingest import import_paths
from annotator.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Never at start-up: the first screen has no use for them (they load on first use).
NOT_AT_START = (
    "spacy",
    "numpy",
    "annotator.nlp",
    "annotator.agreement",
    "annotator.export",
    "annotator.ingest",
    "annotator.gui.review",
    "annotator.gui.agreement_view",
    "annotator.gui.agreement_charts",
    "annotator.gui.file_actions",
    "annotator.gui.file_dialogs",
    "annotator.gui.jobs",
    "annotator.gui.switching",
    "annotator.gui.dialogs",
    # (not gui.suggestion_layer: a deferred job reads the layer right after the first
    # paint, on the turns before this test's key; see window._show_suggestions)
    "annotator.gui.suggestion_actions",  # at the first suggestion key
    "annotator.gui.recode_queue",  # only once something was split, after the first paint
    "html",  # its entity table: only escaping loads it (gui/plaintext.py)
    "hashlib",  # and OpenSSL: gui/coder.py hashes with CPython's own SHA-256
    "encodings.utf_16_le",  # the list's titles are cut without it (no astral characters)
)
# Nor, on a corpus whose articles have no meta (plain text files imported), json: the
# settings' caches are Python literals (gui/app.py, read by ``ast``, which PySide loads
# anyway) and the core imports json where it is used. (An article with meta, as a JSONL
# import gives, is read with json when it is opened: store/rows.py ``loads``.)
NOT_WITHOUT_META = ("json",)
# Not at a later launch either: the scheme's TOML tables are stored by the first
# (gui/app.py save_scheme_toml), so the TOML parser is not loaded.
NOT_AT_SECOND_START = ("tomllib",)

# PySide classes whose Python type is not created by then (PySide creates one on its first
# use: QStyle's takes about 5 ms, the document list reads the selection from the view;
# QGradient's about 3 ms, made by fillRect and QBrush(QColor), which spans and the list's
# state colours do without; QWidgetAction's about 0.8 ms, made by PySide's search for the
# class of an action a Qt call returns: gui/menus.py makes its separators and undo actions;
# QMessageBox's about 1 ms: the window's message boxes import it when they are made;
# QDialog's, QDialogButtonBox's and QInputDialog's about 1.2 ms: the note's editor and the
# coder's name dialog are modules of their own, gui/note_dialog.py and gui/coder_dialog.py).
QT_CLASSES_NOT_AT_START = (
    "QStyle",
    "QGradient",
    "QWidgetAction",
    "QMessageBox",
    "QDialog",
    "QDialogButtonBox",
    "QInputDialog",
)
# Nor, on an article without spans, QIcon's and QPixmap's (about 1.5 ms; the span list's
# swatches make QPixmap's): a menu action made as QAction(text, parent) would, as an
# overload of QAction takes an icon (gui/menus.py). Nor QIcon's and QImage's by the
# first label key (the first span's swatch: gui/label_panel.py span_swatch).
QT_CLASSES_NOT_WITHOUT_SPANS = ("QIcon", "QPixmap")
# Nor, by the first label key, the widget classes the window never uses: PySide creates
# every class of QtWidgets (some 70 with their enums, about 11 ms) the first time it is
# handed a widget Qt made, as a scroll area's own viewport (the article's is made in
# Python: gui/article_view.py own_viewport).
QT_WIDGET_CLASSES_NEVER_USED = ("QWizard", "QMdiArea", "QLCDNumber")

# Modules whose records are read at start-up: frozen records (annotator/records.py), not
# dataclasses, whose methods are compiled from source text as each class is made (about
# half a millisecond a class).
RECORD_MODULES = (
    "annotator.models",
    "annotator.scheme",
    "annotator.colours",
    "annotator.corpus",
    "annotator.gui.label_panel",
    "annotator.gui.article_view",
    "annotator.pending.edits",  # records that can change (records.Record)
    "annotator.pending.queue",  # and compare by value (records.MutableRecord)
    "annotator.pending.recovery",
    "annotator.gui.menus",  # MainMenus
)

CHILD = (
    """
import gc, os, sys
# Which of the window's modules PySide's import hook reads the source of (gui/_compat.py
# enters them in its table first: it reads none).
import inspect
sources_read = []
_getsource = inspect.getsource
def getsource(obj):
    sources_read.append(getattr(obj, "__name__", "?"))
    return _getsource(obj)
inspect.getsource = getsource
import PySide6.QtGui as qt_gui
import PySide6.QtWidgets as qt_widgets
from PySide6.QtCore import QEvent, QObject, QTimer
# Classes this PySide creates on first use (else there is nothing to check).
def created(c):
    return c in vars(qt_widgets) or c in vars(qt_gui)
lazy_classes = [c for c in QT_CLASSES if not created(c)]
icon_classes = [c for c in ICON_CLASSES if not created(c)]
key_classes = [c for c in ("QIcon", "QImage") if not created(c)]
unused_classes = [c for c in UNUSED_CLASSES if not created(c)]
import annotator.gui.app as app_module

db, not_at_start = sys.argv[1], sys.argv[2].split(",")
result = {}
kept = []

class OnPaint(QObject):
    def __init__(self, widget, then):
        super().__init__()
        self.then = then
        widget.installEventFilter(self)
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            self.then()
        return False

def finish():
    import json  # (not before: the window does without it)
    print(json.dumps(result), flush=True)
    os._exit(0)

def watch(w):
    from PySide6.QtGui import QKeySequence
    state = {}
    kept.append(state)  # its event filters live in a cycle the collector could end
    def keys_bound():
        acts, in_window = w.label_actions, set(w.actions())
        return all(
            lab.name in acts and acts[lab.name] in in_window
            and acts[lab.name].shortcut() == QKeySequence(lab.key)
            for lab in w.scheme.span_labels)
    def menu_sizes():
        # every menu but the Label menu (the label keys) and the Coder menu (made when
        # opened): filled by a job after the first paint (gui/menus.py ensure_filled)
        return {t: len(m.actions()) for t, m in w.menus.builder.menus.items()
                if t not in ("&Label", "&Coder")}
    def menus_after_jobs():
        from PySide6.QtGui import QKeySequence
        acts = w.actions()
        names = [a.objectName() for a in acts if a.objectName()]  # (undo, redo: none)
        keys = [k.toString() for a in acts for k in a.shortcuts()]
        in_menus = [a for m in w.menus.builder.menus.values() for a in m.actions()
                    if not a.isSeparator()]
        rows = w.shortcut_rows
        result["menus_after_jobs"] = {
            "sizes": menu_sizes(),
            "actions": len(acts),
            "names_twice": sorted({n for n in names if names.count(n) > 1}),
            "keys_twice": sorted({k for k in keys if keys.count(k) > 1}),
            "not_in_window": [a.text() for a in in_menus if a not in acts],
            "label_menu": len(w.label_menu.actions()),
            "rows_twice": [r for r in rows if rows.count(r) > 1],
            "rows_for_keys": len({r[0] for r in rows}) >= len([a for a in acts if a.shortcuts()]),
        }
        # Ctrl+Z (Edit → Undo, made by that job) by a real key event: the label is undone,
        # and Ctrl+Shift+Z redoes it (the database keeps it, as the test reads it).
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication
        def stored():
            return [(x.start, x.end, x.label) for x in w.store.spans(w.doc.id, "alice")]
        ctrl = Qt.KeyboardModifier.ControlModifier
        QTest.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_Z, ctrl)
        result["spans_after_undo"] = stored()
        QTest.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_Z,
                       ctrl | Qt.KeyboardModifier.ShiftModifier)
        result["spans_after_redo"] = stored()
    def settled():
        result["gc_enabled_after"] = gc.isenabled()
        result["started"] = w.started
        result["deferred_waiting"] = w.after_start.waiting
        result["icon"] = not w.windowIcon().isNull()
        result["tokens_loaded"] = w.view._tok is not None
        menus_after_jobs()
        finish()
    def press():
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication
        label = w.scheme.span_labels[0]
        result["focus_is_article"] = QApplication.focusWidget() is w.view
        result["menus_filled_before_key"] = w.menus.filled
        QTest.keyClick(QApplication.focusWidget() or w, label.key)
        result["menus_at_key"] = menu_sizes()
        result["label"] = label.name
        result["doc"] = w.doc.id
        result["loaded_after_key"] = [m for m in not_at_start if m in sys.modules]
        result["classes_made_by_key"] = [c for c in key_classes if created(c)]
        result["unused_classes_by_key"] = [c for c in unused_classes if created(c)]
        QTimer.singleShot(500, settled)  # the deferred jobs run one per turn meanwhile
    def when_ready():
        if not (state.get("painted") and keys_bound()):
            QTimer.singleShot(0, when_ready)
            return
        result["loaded_at_ready"] = [m for m in not_at_start if m in sys.modules]
        result["menus_at_ready"] = menu_sizes()
        result["label_menu_at_ready"] = len(w.label_menu.actions())
        result["gc_enabled_at_ready"] = gc.isenabled()
        result["classes_at_ready"] = [c for c in lazy_classes if created(c)]
        result["icon_classes_at_ready"] = [c for c in icon_classes if created(c)]
        result["gui_sources_read"] = [m for m in sources_read if m.startswith("annotator.gui")]
        result["dataclasses_at_ready"] = [
            f"{m}.{name}" for m in RECORD_MODULES for name, c in vars(sys.modules[m]).items()
            if isinstance(c, type) and "__dataclass_params__" in vars(c)]
        # the headline patterns are compiled when a title is derived (an import), not here
        result["title_patterns"] = sys.modules["annotator.corpus"]._title_patterns.cache_info().currsize
        # a rich-text label asks to be painted again at the end of the first paint
        from PySide6.QtGui import Qt
        from PySide6.QtWidgets import QLabel
        result["rich_text_in_panel"] = [
            label.text() for label in w.panel.findChildren(QLabel)
            if label.textFormat() != Qt.TextFormat.PlainText and Qt.mightBeRichText(label.text())]
        from PySide6.QtWidgets import QWidget
        result["own_style_sheets_in_panel"] = [
            x.objectName() for x in w.panel.findChildren(QWidget) if x.styleSheet()]
        result["rich_text_in_window"] = [
            label.text() for label in w.findChildren(QLabel)
            if label.textFormat() != Qt.TextFormat.PlainText and Qt.mightBeRichText(label.text())]
        w.view.select_cp(0, 12)
        QTimer.singleShot(0, press)
    def painted():
        state["painted"] = True
    # The panel is built with the window: its first paint is the window's.
    result["panel_built_with_window"] = w.panel_ready
    state["hook"] = OnPaint(w.panel, painted)
    state["first"] = OnPaint(w.view.viewport(), lambda: QTimer.singleShot(0, when_ready))
    QTimer.singleShot(20_000, lambda: (result.setdefault("timeout", True), finish()))

make = app_module.main_window
def main_window(*args, **kwargs):
    w = make(*args, **kwargs)
    watch(w)
    return w
app_module.main_window = main_window
""".replace("QT_CLASSES", repr(QT_CLASSES_NOT_AT_START))
    .replace("ICON_CLASSES", repr(QT_CLASSES_NOT_WITHOUT_SPANS))
    .replace("UNUSED_CLASSES", repr(QT_WIDGET_CLASSES_NEVER_USED))
    .replace("RECORD_MODULES", repr(RECORD_MODULES))
)
RUN = CHILD + 'sys.exit(app_module.run(db, "alice"))\n'
# As a coder starts it: the command line, then the same ``run``.
COMMAND = CHILD + (
    "sys.argv[1:] = ['--db', db, '--annotator', 'alice']\nfrom annotator.cli import main\nmain()\n"
)


def start(code: str, db, tmp_path, not_at_start=NOT_AT_START) -> dict:
    """Run the child ``code`` on ``db``; what it reported."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    out = subprocess.run(
        [sys.executable, "-c", code, str(db), ",".join(not_at_start)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert "timeout" not in result, result
    return result


def test_label_key_works_at_start_without_loading_what_waits(db, doc_ids, tmp_path):
    result = start(RUN, db, tmp_path)
    assert result["panel_built_with_window"]  # no second layout and paint for it
    assert result["loaded_at_ready"] == []
    assert result["classes_at_ready"] == []
    assert result["icon_classes_at_ready"] == []  # no span listed yet
    # nor by the first span's swatch: a pixmap, drawn (gui/label_panel.py span_swatch)
    assert result["classes_made_by_key"] == []
    assert result["unused_classes_by_key"] == []  # no widget Qt made was handed to Python
    assert result["dataclasses_at_ready"] == []
    assert result["gui_sources_read"] == []  # not by PySide's import hook
    assert result["title_patterns"] == 0
    assert result["rich_text_in_panel"] == []  # its bold names are plain text, bold font
    assert result["rich_text_in_window"] == []  # nor the list's "done 3 of 5" line
    # the cards' colour bars are painted, not styled each by a sheet of its own
    assert result["own_style_sheets_in_panel"] == []
    assert result["loaded_after_key"] == []  # labelling loads none of them either
    assert result["focus_is_article"]
    # The key pressed at that moment labelled the selection.
    with Store(db) as store:
        spans = [(s.start, s.end, s.label) for s in store.spans(result["doc"], "alice")]
    assert spans == [(0, 12, result["label"])]
    # And what was kept off the start-up path did run afterwards.
    assert result["started"]  # by the label panel's first paint
    assert result["deferred_waiting"] == 0
    assert result["icon"]
    assert result["tokens_loaded"]
    # The menus: only their titles and the label keys before the key; every other action
    # afterwards, each once, in the window (its shortcut works anywhere in it).
    assert set(result["menus_at_ready"].values()) == {0}, result["menus_at_ready"]
    assert not result["menus_filled_before_key"]
    assert set(result["menus_at_key"].values()) == {0}, result["menus_at_key"]
    after = result["menus_after_jobs"]
    assert 0 not in after["sizes"].values(), after
    assert after["names_twice"] == [] and after["keys_twice"] == [], after
    assert after["not_in_window"] == [] and after["rows_twice"] == [], after
    assert after["rows_for_keys"]
    assert after["label_menu"] > result["label_menu_at_ready"]  # the field actions too
    assert after["actions"] > 40
    assert result["spans_after_undo"] == []  # Ctrl+Z, a real key event
    assert result["spans_after_redo"] == [[0, 12, result["label"]]]  # Ctrl+Shift+Z (JSON lists)
    # The collector was paused while the first screen was built, and runs again after it.
    assert not result["gc_enabled_at_ready"]
    assert result["gc_enabled_after"]


def test_a_later_launch_does_not_parse_the_scheme_s_toml(db, doc_ids, tmp_path):
    first = start(RUN, db, tmp_path, NOT_AT_START + NOT_AT_SECOND_START)
    assert first["loaded_at_ready"] == ["tomllib"]  # the first launch parses it
    # (its article shows the first launch's span: the spans' fills and bands are painted)
    second = start(RUN, db, tmp_path, NOT_AT_START + NOT_AT_SECOND_START)
    assert second["loaded_at_ready"] == []
    assert second["loaded_after_key"] == []
    assert second["classes_at_ready"] == []
    with Store(db) as store:
        spans = [(s.start, s.end, s.label) for s in store.spans(second["doc"], "alice")]
    assert (0, 12, second["label"]) in spans


def test_a_corpus_without_meta_starts_without_json(tmp_path):
    db = tmp_path / "plain.db"
    with Store(db) as store:
        import_paths(store, [SEEDS])  # .txt files: no meta
    for launch in ("first", "second"):  # the second reads what the first stored
        result = start(RUN, db, tmp_path, NOT_AT_START + NOT_WITHOUT_META)
        assert result["loaded_at_ready"] == [], launch
        assert result["loaded_after_key"] == [], launch
    with Store(db) as store:
        spans = [(s.start, s.end, s.label) for s in store.spans(result["doc"], "alice")]
    assert (0, 12, result["label"]) in spans


def test_the_command_line_loads_no_more_before_the_label_key(db, doc_ids, tmp_path):
    result = start(COMMAND, db, tmp_path)
    assert result["loaded_at_ready"] == []
    assert result["loaded_after_key"] == []
    with Store(db) as store:
        spans = [(s.start, s.end, s.label) for s in store.spans(result["doc"], "alice")]
    assert spans == [(0, 12, result["label"])]


# The help loads no command's work either: numpy and spaCy are a second of a coder's wait.
HELP = """
import sys
from annotator.cli import main
sys.argv[1:] = sys.argv[1].split()
try:
    main()
except SystemExit:
    pass
print([m for m in ("numpy", "spacy", "annotator.agreement", "annotator.export",
                   "annotator.ingest", "annotator.labels_import", "annotator.merge")
       if m in sys.modules], file=sys.stderr)
"""


def test_the_help_loads_no_command_s_work(tmp_path):
    from annotator.cli import COMMANDS

    for args in ["--help", *(f"{name} --help" for name in COMMANDS)]:
        out = subprocess.run(
            [sys.executable, "-c", HELP, args], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, out.stderr
        assert "Usage: annotator" in out.stdout
        assert out.stderr.strip().splitlines()[-1] == "[]", (args, out.stderr)
