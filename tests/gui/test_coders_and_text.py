"""Coders, blind mode, literal text (HTML-like fragments, Arabic), remembered settings."""

from __future__ import annotations

from gui_helpers import SIMPLE, drag_select, point_on_char
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QTableWidget

from annotator.gui import main_window

K = Qt.Key


def label_quick(qtbot, w, key=K.Key_1):
    q = SIMPLE.index("quick")
    drag_select(qtbot, w.view, point_on_char(w.view, q), point_on_char(w.view, q + 3))
    qtbot.keyClick(w.view, key)


def test_coder_is_visible_and_switchable_from_menu(qtbot, open_window, doc_ids, reader):
    w = open_window("alice")
    assert "alice" in w.windowTitle()
    assert "alice" in w.coder_button.text() and "alice" in w.coder_label.text()
    w.open_document(doc_ids["Simple"])
    label_quick(qtbot, w)
    reader.add_coder("bob")
    w.refresh_coder_menu()
    bob = next(a for a in w.coder_menu.actions() if a.text() == "bob")
    bob.trigger()
    assert w.coder == "bob" and "bob" in w.windowTitle()
    assert w.view._spans == []  # blind: alice's span is not shown to bob
    assert w.panel.span_list.count() == 0
    label_quick(qtbot, w, K.Key_2)
    assert [s.label for s in reader.spans(doc_ids["Simple"], "bob")] == ["skeptical_of_alliance"]
    assert [s.label for s in reader.spans(doc_ids["Simple"], "alice")] == ["alarmist"]
    assert QSettings().value("coder/name") == "bob"  # remembered for the next start
    # The undo history does not cross coders.
    assert w.undo_stack.count() == 1


def test_blind_by_default_others_shown_read_only_on_request(qtbot, open_window, doc_ids, reader):
    doc = doc_ids["Simple"]
    reader.add_span(doc, "bob", 4, 9, "alarmist")
    w = open_window("alice")
    w.open_document(doc)
    assert w.view._spans == [] and w.panel.span_list.count() == 0
    qtbot.keyClick(
        w.view, K.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert w.others_action.isChecked()
    [p] = w.view._spans
    assert not p.own and p.coder == "bob"
    assert "bob" in w.panel.span_list.item(0).text()
    # Read-only: clicking it selects nothing, so Delete cannot remove it.
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=point_on_char(w.view, 6))
    assert w.view.selected_span is None
    qtbot.keyClick(w.view, K.Key_Delete)
    assert len(reader.spans(doc, "bob")) == 1
    w.others_action.trigger()
    assert w.view._spans == []


def raw_text(view) -> str:
    doc = view.document()
    return "\n".join(doc.findBlockByNumber(i).text() for i in range(doc.blockCount()))


def test_seed_html_like_fragments_and_arabic_shown_literally(qtbot, open_window, doc_ids, reader):
    w = open_window()
    html_doc = doc_ids["002_b93cb65e07f8c7f5.txt"]
    w.open_document(html_doc)
    text = reader.document(html_doc).text
    shown = raw_text(w.view)
    assert "< strong >Expanded Trade Agreements" in shown
    assert "td />Energy Trade" in shown and "< h2/>" in shown
    assert shown == text  # no markup was interpreted, nothing dropped
    assert w.view.document().blockCount() == text.count("\n") + 1
    arabic_doc = doc_ids["004_d183ca2af072faf2.txt"]
    w.open_document(arabic_doc)
    text = reader.document(arabic_doc).text
    assert raw_text(w.view) == text  # no-break spaces kept (toPlainText() would drop them)
    assert "\u00a0" in text
    first = w.view.document().firstBlock()
    assert first.text() == "أخبار العالمبحوث ودراسات"
    assert first.textDirection() == Qt.LayoutDirection.RightToLeft
    # A span on Arabic text is stored exactly.
    a = text.index("العالمبحوث")
    drag_select(qtbot, w.view, point_on_char(w.view, a + 2), point_on_char(w.view, a + 5))
    qtbot.keyClick(w.view, K.Key_1)
    [span] = reader.spans(arabic_doc, "alice")
    assert text[span.start : span.end] == "العالمبحوث"


def test_remembered_coder_and_isolated_settings(db, qtbot):
    settings = QSettings()
    assert "qsettings" in settings.fileName()  # never the user's real settings
    settings.setValue("coder/name", "carol")
    w = main_window(db, None, settings=settings)
    qtbot.addWidget(w)
    try:
        assert w.coder == "carol"
        assert "carol" in w.store.coders()
    finally:
        w.close()
        w.store.close()


def test_shortcuts_dialog_lists_every_shortcut(qtbot, open_window):
    w = open_window()
    from annotator.gui.dialogs import shortcuts_dialog

    dlg = shortcuts_dialog(w, w.shortcut_rows)
    qtbot.addWidget(dlg)
    table = dlg.findChildren(QTableWidget)[0]
    keys = " | ".join(table.item(r, 0).text() for r in range(table.rowCount()))
    for k in (
        "Ctrl+Z",
        "Ctrl+Shift+Z",
        "Ctrl+Return",
        "Del",
        "Ctrl+L",
        "Ctrl+PgDown",
        "1",
        "2",
        "3",
    ):
        assert k in keys
    assert QApplication.instance() is not None


def test_no_display_is_one_clear_line_not_a_qt_abort(tmp_path):
    import subprocess
    import sys

    from annotator.gui.app import display_problem

    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display_problem({"DISPLAY": ":0"}) is None
    if not sys.platform.startswith("linux"):
        return
    assert "no display" in display_problem({})
    env = {k: v for k, v in __import__("os").environ.items()}
    for key in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(key, None)
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(tmp_path / "x.db"), "--annotator", "a"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1].startswith("Error: no display")
    assert "Traceback" not in out.stderr


def test_the_coder_menu_keeps_one_exclusive_group_however_often_it_is_filled(
    qtbot, open_window, reader
):
    """Each filling of the Coder menu made a new QActionGroup under the menu and kept the
    old ones (a small leak per opening); the checks stay exclusive."""
    from PySide6.QtGui import QActionGroup

    w = open_window("alice")
    reader.add_coder("bob")
    for _ in range(5):
        w.refresh_coder_menu()
    qtbot.wait(10)  # the old groups' deleteLater
    groups = w.coder_menu.findChildren(QActionGroup)
    assert len(groups) == 1
    names = [a.text() for a in groups[0].actions()]
    assert names == ["alice", "bob"] and groups[0].isExclusive()
    [checked] = [a.text() for a in w.coder_menu.actions() if a.isChecked()]
    assert checked == "alice"
