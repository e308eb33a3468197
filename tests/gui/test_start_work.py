"""Work the window no longer does on its way to a coder's first label key (issue 12,
point 17; bench/startup.py times it): counted, not timed. Real windows, a real SQLite
file, real paints."""

from __future__ import annotations

import gc

from PySide6.QtCore import QEvent, QObject, Qt

from annotator.gui.app import pause_gc
from annotator.gui.document_list import COL_TITLE, DocumentModel, TitleDelegate


def test_a_title_cell_asks_the_model_for_its_roles_once(qtbot, open_window, monkeypatch):
    calls = []
    original = TitleDelegate.initStyleOption

    def counted(self, option, index):
        calls.append(index.row())
        original(self, option, index)

    # before the window: PySide looks a Python override up once
    monkeypatch.setattr(TitleDelegate, "initStyleOption", counted)
    w = open_window()
    view, proxy = w.doc_list.view, w.doc_list.proxy
    rows = proxy.rowCount()
    assert rows >= 2
    calls.clear()
    view.viewport().repaint()
    painted = [r for r in range(rows) if not view.visualRect(proxy.index(r, COL_TITLE)).isEmpty()]
    # once per painted title (QStyledItemDelegate.paint); the title and meta line are
    # drawn from that option, not from a second one
    assert sorted(calls) == painted


class CountingRows(list):
    reads = 0

    def __getitem__(self, i):
        CountingRows.reads += 1
        return super().__getitem__(i)


def test_the_model_answers_the_roles_no_row_has_without_reading_a_row(qtbot, open_window):
    w = open_window()
    model: DocumentModel = w.doc_list.model
    model.rows = CountingRows(model.rows)
    index = model.index(0, COL_TITLE)
    CountingRows.reads = 0
    for role in (
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.SizeHintRole,
    ):
        assert model.data(index, role) is None
        assert model.data(index, int(role)) is None
    assert CountingRows.reads == 0
    assert model.data(index, Qt.ItemDataRole.DisplayRole)  # a role it has: the row is read
    assert CountingRows.reads == 1


class StyleChanges(QObject):
    def __init__(self, widget):
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, e):
        if e.type() == QEvent.Type.StyleChange:
            self.count += 1
        return False


def test_saving_does_not_restyle_the_saved_line(qtbot, open_window):
    w = open_window()
    changes = StyleChanges(w.saved_label)
    w.view.select_cp(0, 5)
    w.apply_label(w.scheme.span_labels[0].name)
    qtbot.waitUntil(lambda: w.saved_label.text().startswith("✓ Saved"), timeout=3000)
    assert not w.pending
    assert changes.count == 0  # (an empty style sheet set on it restyled it at each save)


def test_pause_gc_resumes_once_and_leaves_a_paused_collector_paused():
    assert gc.isenabled()
    resume = pause_gc()
    try:
        assert not gc.isenabled()
    finally:
        resume()
    assert gc.isenabled()
    gc.disable()
    try:
        resume()  # a second call does nothing
        assert not gc.isenabled()
        pause_gc()()  # paused by the caller: stays paused
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_span_list_s_swatch_is_drawn_as_the_icon_was(qtbot):
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QListWidget, QListWidgetItem

    from annotator.gui.label_panel import SPAN_ICON, span_swatch, swatch

    lists = []
    for as_pixmap in (False, True):
        lst = QListWidget()
        qtbot.addWidget(lst)
        lst.setIconSize(QSize(SPAN_ICON, SPAN_ICON))
        lst.resize(220, 90)
        for color in ("#d62728", "#1f77b4", "#2ca02c"):
            if as_pixmap:
                item = QListWidgetItem("a span's excerpt")
                item.setData(Qt.ItemDataRole.DecorationRole, span_swatch(color))
            else:
                item = QListWidgetItem(swatch(color), "a span's excerpt")
            lst.addItem(item)
        lst.setCurrentRow(1)  # a selected row's icon is drawn in the selected mode
        lst.show()
        qtbot.waitExposed(lst)
        lists.append(lst.grab().toImage())
    assert lists[0] == lists[1]


def test_the_undo_actions_follow_the_stack_as_qt_s_own_do(qtbot):
    from PySide6.QtGui import QUndoCommand, QUndoStack
    from PySide6.QtWidgets import QMainWindow, QMenu

    from annotator.gui.menus import StackAction, add_separator

    window = QMainWindow()
    qtbot.addWidget(window)
    stack = QUndoStack(window)
    ours = [StackAction(window, stack, "&Undo", True), StackAction(window, stack, "&Redo", False)]
    qts = [stack.createUndoAction(window, "&Undo"), stack.createRedoAction(window, "&Redo")]

    def states():
        return [(a.text(), a.isEnabled()) for a in ours], [(a.text(), a.isEnabled()) for a in qts]

    seen = []
    for step in ("start", "push", "push", "undo", "undo", "redo"):
        if step == "push":
            stack.push(QUndoCommand(f"Label span {len(seen)}"))
        elif step == "undo":
            ours[0].trigger()
        elif step == "redo":
            ours[1].trigger()
        mine, qt = states()
        assert mine == qt, step
        seen.append(mine)
    assert seen[2][0] == ("&Undo Label span 2", True)
    assert stack.index() == 1
    menu = QMenu(window)
    sep = add_separator(menu)
    assert sep.isSeparator() and menu.actions() == [sep] and sep.parent() is menu


def test_a_title_s_utf16_prefix_is_the_encoded_one():
    from annotator.gui.document_list import _utf16_prefix

    def by_codec(text: str, units: int) -> str:
        return text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", "ignore")

    texts = [
        "",
        "Alliance",
        "naïve café — “quoted”",
        "ok 🙂 then",
        "🙂🙂x",
        "عربي 𝔸 text",
        "a\U0010ffff",
    ]
    for text in texts:
        for units in range(0, len(text) * 2 + 2):
            assert _utf16_prefix(text, units) == by_codec(text, units), (text, units)


def test_an_undo_action_deleted_before_its_stack_is_let_go(qtbot):
    from PySide6.QtGui import QUndoCommand, QUndoStack
    from PySide6.QtWidgets import QMainWindow

    from annotator.gui.menus import StackAction

    window = QMainWindow()
    qtbot.addWidget(window)
    stack = QUndoStack(window)
    action = StackAction(window, stack, "&Undo", True)
    stack.push(QUndoCommand("Label span"))
    action.deleteLater()
    qtbot.waitUntil(lambda: not window.findChildren(StackAction), timeout=2000)
    stack.clear()  # its signals reach no deleted action (no error)
    stack.push(QUndoCommand("Label span"))
    assert stack.undoText() == "Label span"


def test_the_collector_runs_again_while_the_coder_prompt_waits(qtbot, db, monkeypatch):
    """``run`` pauses the collector until the window is painted, "after 5 s at the latest":
    the coder prompt comes before the window (a first start, a coder left for minutes at
    it), and the collector stayed paused as long as it was open. Cancelling it (Esc)
    leaves the collector running too."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QLineEdit

    import annotator.gui.app as app_module
    from annotator.store import Store

    with Store(db) as s:  # two coders, none remembered for this file: the window asks
        doc = s.document_ids()[0]
        for coder in ("bob", "carol"):
            s.add_span(doc, coder, 0, 4, s.scheme.span_labels[0].name)
    monkeypatch.setattr(app_module, "GC_PAUSE_MAX_MS", 50)
    seen: dict = {}

    def at_prompt() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None or dlg.findChild(QLineEdit) is None or not dlg.isVisible():
            QTimer.singleShot(20, at_prompt)
            return
        seen.setdefault("paused_at_prompt", not gc.isenabled())
        # armed after the 50 ms bound: Qt fires it after that one
        QTimer.singleShot(300, lambda: answer(dlg))

    def answer(dlg) -> None:
        seen["enabled_while_waiting"] = gc.isenabled()
        qtbot.keyClick(dlg.findChild(QLineEdit), Qt.Key.Key_Escape)

    QTimer.singleShot(0, at_prompt)
    assert gc.isenabled()
    try:
        assert app_module.run(db, None) == 1  # no coder given
        assert seen["enabled_while_waiting"] is True
        assert gc.isenabled()
    finally:
        gc.enable()


def test_the_progress_line_stays_one_sentence_in_a_right_to_left_window(qtbot, open_window):
    """The progress line became two labels ("done 3 of 5" in bold, then the rest): in a
    right-to-left window (a Hebrew or Arabic desktop, ``-reverse``) the bold half went to
    the pane's far right and the rest to its far left, the English sentence cut in two
    and read backwards. It reads as the one label did: left to right, side by side."""
    w = open_window()
    w.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    lst = w.doc_list
    qtbot.waitUntil(lambda: lst.progress_rest.isVisible())
    lst.progress_line.layout().activate()
    bold, rest = lst.progress_text, lst.progress_rest
    bold_box = bold.contentsRect().translated(bold.mapTo(w, bold.rect().topLeft()))
    assert bold.text().startswith("done ")
    ink = bold.fontMetrics().horizontalAdvance(bold.text())
    start = rest.mapTo(w, rest.rect().topLeft()).x()
    # the rest follows the bold count on its right, right after its text
    assert bold_box.left() < start <= bold_box.left() + ink + 2


def test_undo_actions_without_a_prefix_say_what_qt_s_own_say(qtbot):
    """``StackAction`` stands for ``createUndoAction(window, prefix)``: with no prefix Qt's
    actions read "Undo" / "Undo <command>" ("Redo" ...), where ours were blank and
    " <command>". Followed through a macro, a clean point and a cleared stack too."""
    from PySide6.QtGui import QUndoCommand, QUndoStack
    from PySide6.QtWidgets import QMainWindow

    from annotator.gui.menus import StackAction

    window = QMainWindow()
    qtbot.addWidget(window)
    stack = QUndoStack(window)
    for prefix in ("", "&Undo"):
        ours = [StackAction(window, stack, prefix, True), StackAction(window, stack, prefix, False)]
        qts = [stack.createUndoAction(window, prefix), stack.createRedoAction(window, prefix)]

        def states(ours=ours, qts=qts):
            return [(a.text(), a.isEnabled()) for a in ours], [
                (a.text(), a.isEnabled()) for a in qts
            ]

        assert states()[0] == states()[1], (prefix, "start")
        stack.push(QUndoCommand("Add alarmist span"))
        stack.beginMacro("Accept 2 agreed label(s)")
        stack.push(QUndoCommand("in"))
        assert states()[0] == states()[1], (prefix, "in a macro")
        stack.endMacro()
        for step in (stack.setClean, stack.undo, stack.undo, stack.redo, stack.clear):
            step()
            assert states()[0] == states()[1], (prefix, step.__name__)
