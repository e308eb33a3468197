"""Review 18: the annotation window through a coder's and a lead's whole day — real
windows, real keys and mice, real faults (each test failed before its fix)."""

from __future__ import annotations

import pytest
from gui_helpers import run_cli
from PySide6.QtGui import QAction

from annotator.store import Store

CODERS = ("ana", "ben")


@pytest.fixture
def two_coded(db, doc_ids) -> list[int]:
    ids = [doc_ids["Simple"], doc_ids["Emoji"]]
    with Store(db) as s:
        for j, coder in enumerate(CODERS):
            s.add_coder(coder)
            for i, doc_id in enumerate(ids):
                s.add_span(doc_id, coder, 4, 9 + j, "alarmist")
                s.set_doc_label(doc_id, coder, "dominant_frame", ["alarmist", "none"][(i + j) % 2])
                s.set_status(doc_id, coder, "done")
    return ids


def test_agreement_window_heads_the_share_as_the_text_report_does(qtbot, open_window, two_coded):
    """The fields table headed a 0-1 share "% agreement" (0.5 read as half a percent);
    the text report says "agreement (0-1)"."""
    w = open_window("ana")
    w.findChild(QAction, "agreement").trigger()
    view = w.agreement_window
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)
    t = view.fields_table
    heads = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    assert "agreement (0-1)" in heads and "% agreement" not in heads, heads
    value = t.item(0, heads.index("agreement (0-1)")).text()
    assert float(value) <= 1.0


def test_a_label_renamed_by_another_process_is_applied_under_its_new_name(
    qtbot, open_window, db, doc_ids, reader
):
    """The lead runs ``scheme rename-label alarmist alarm`` while the coder codes; the
    coder's next ``1`` (still "Alarmist" on screen) was refused with a "Not saved" box and
    the selection was gone: the label was lost. Now the window takes the new codebook,
    the span is made under the label's new name, and the coder is told in one line."""
    from gui_helpers import SIMPLE
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    simple = doc_ids["Simple"]
    w = open_window("alice")
    w.open_document(simple)
    run_cli(db, "scheme", "rename-label", "alarmist", "alarm")
    lazy = SIMPLE.index("lazy")
    w.view.select_cp(lazy, lazy + 4)
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    assert [(s.start, s.label) for s in reader.spans(simple, "alice")] == [(lazy, "alarm")]
    assert not [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert "alarm" in w.panel.label_buttons and "alarmist" not in w.panel.label_buttons
    assert "'alarmist' is now 'alarm'" in w.statusBar().currentMessage()
    # one undo step, as any span
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert reader.spans(simple, "alice") == []


def test_a_label_split_by_another_process_keeps_the_selection_for_a_new_key(
    qtbot, open_window, db, doc_ids, reader
):
    """After ``scheme split-label`` from the command line the split label's key cannot
    make a span; the selection was dropped with a "Not saved" box. Now the coder is told
    in one line and the same text stays selected for one of the new labels' keys."""
    from gui_helpers import SIMPLE
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    simple = doc_ids["Simple"]
    w = open_window("alice")
    w.open_document(simple)
    run_cli(db, "scheme", "split-label", "alarmist", "--into", "military", "economic")
    lazy = SIMPLE.index("lazy")
    w.view.select_cp(lazy, lazy + 4)
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    assert reader.spans(simple, "alice") == []
    assert not [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert "military" in w.panel.label_buttons
    assert "'alarmist'" in w.statusBar().currentMessage()
    assert w.view.selection_cp() == (lazy, lazy + 4)
    key = w.scheme.label("military").key
    qtbot.keyClick(w.view, getattr(Qt.Key, f"Key_{key.upper()}"))
    assert [(s.start, s.label) for s in reader.spans(simple, "alice")] == [(lazy, "military")]


def test_a_field_option_renamed_by_another_process_is_set_under_its_new_name(
    qtbot, open_window, db, doc_ids, reader
):
    """``scheme rename-option dominant_frame alarmist alarm`` from the command line, then
    Ctrl+D 1 in the window: refused with a "Not saved" box (the option's old name); now
    the field is set to the option under its new name."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    simple = doc_ids["Simple"]
    w = open_window("alice")
    w.open_document(simple)
    w.view.setFocus()
    run_cli(db, "scheme", "rename-option", "dominant_frame", "alarmist", "alarm")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert w.field_keys.is_open
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)
    assert reader.doc_labels(simple, "alice") == {"dominant_frame": "alarm"}
    assert not [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert "alarm" in w.panel.fields["dominant_frame"].buttons


def test_the_trend_window_claims_no_drop_when_there_are_no_groups(qtbot, open_window, two_coded):
    """With no rounds, Tools → Agreement over time said "No documents to group by round."
    and, under it, "No statistic falls more than 0.15 below the first group." (there is
    no first group), above a table of one orphan row."""
    w = open_window("ana")
    next(a for a in w.findChildren(QAction) if a.objectName() == "agreementTrend").trigger()
    view = w._trend
    qtbot.waitUntil(lambda: view.trend is not None, timeout=60_000)
    assert view.status.text() == "No documents to group by round."
    assert "first group" not in view.flags.text()
    assert view.table.rowCount() == 0


def test_a_suggestion_accepted_after_a_rename_by_another_process_takes_the_new_name(
    qtbot, open_window, db, doc_ids, reader
):
    """Suggestions shown, then ``scheme rename-label`` from the command line (which
    renames the stored suggestions too); Alt+Enter on the outline still drawn was refused
    with a "Not saved" box (the old name). Now it is accepted under the new name."""
    from gui_helpers import SIMPLE
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox
    from test_suggestions_gui import _open, _record_mode

    simple = doc_ids["Simple"]
    a = SIMPLE.index("lazy dog")
    with Store(db) as s:
        _record_mode(s, "always")
        s.replace_suggestions(
            "model-x", [simple], [(simple, a, a + 8, "policy_prescription", 0.6)], []
        )
    w = open_window("alice")
    _open(qtbot, w, simple)
    run_cli(db, "scheme", "rename-label", "policy_prescription", "policy")
    w.view.select_cp(a + 2, a + 2)
    qtbot.keyClick(w.view, Qt.Key.Key_Return, Qt.KeyboardModifier.AltModifier)
    spans = [(s.start, s.end, s.label, s.origin) for s in reader.spans(simple, "alice")]
    assert spans == [(a, a + 8, "policy", "suggestion:model-x")]
    assert not [b for b in w.findChildren(QMessageBox) if b.isVisible()]


def test_done_and_next_stays_in_the_filtered_list(qtbot, open_window, db, doc_ids, reader):
    """Ctrl+F "Korea", open the first match, Ctrl+Enter: the next article opened was the
    next of the whole database (hidden by the filter, not even in the list), then
    "Simple" and "Emoji"; Alt+Down follows the list as shown, so should Ctrl+Enter."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    K, C = Qt.Key, Qt.KeyboardModifier.ControlModifier
    w = open_window("alice")
    w.view.setFocus()
    qtbot.keyClick(QApplication.focusWidget(), K.Key_F, C)
    qtbot.keyClicks(QApplication.focusWidget(), "Korea")
    qtbot.waitUntil(lambda: len(w.doc_list.shown_ids()) < len(w.doc_list.ids()), timeout=3000)
    shown = w.doc_list.shown_ids()
    assert 1 < len(shown) < len(w.doc_list.ids())
    qtbot.keyClick(QApplication.focusWidget(), K.Key_Down)
    qtbot.keyClick(QApplication.focusWidget(), K.Key_Return)
    assert w.doc.id == shown[0]
    opened = [w.doc.id]
    for _ in shown[1:]:
        qtbot.keyClick(w.view, K.Key_Return, C)
        opened.append(w.doc.id)
    assert opened == shown
    qtbot.keyClick(w.view, K.Key_Return, C)  # the last one shown: stays, says so
    assert w.doc.id == shown[-1]
    assert "Every article the filters show is done" in w.statusBar().currentMessage()
    assert [reader.status(d, "alice") for d in shown] == ["done"] * len(shown)


def _focused_and_not(qtbot, w, widget):
    """``widget`` drawn without the keyboard focus, then with it (reached by Tab)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    w.view.setFocus()
    qtbot.wait(20)
    before = widget.grab().toImage()
    qtbot.keyClick(w.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    while QApplication.focusWidget() is not widget:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.wait(20)
    return before, widget.grab().toImage()


@pytest.mark.parametrize("name", ["statusFilter", "documentList"])
def test_the_keyboard_focus_is_visible_on_the_list_controls(qtbot, open_window, name):
    """Tab from the filter box reached the status choice ("All") with nothing drawn to
    say so (the style sheet's border hid the platform's focus frame), and the article
    list showed it only by a faint box round one cell."""
    from PySide6.QtWidgets import QWidget

    w = open_window("ana")
    widget = w.findChild(QWidget, name)
    before, after = _focused_and_not(qtbot, w, widget)
    assert before.size() == after.size()
    # the frame: the left edge's middle pixel changes colour
    x, y = 0, before.height() // 2
    assert before.pixelColor(x, y) != after.pixelColor(x, y), name


def test_the_coder_chip_draws_one_arrow(qtbot, open_window):
    """The chip over the article read "Coder: ana ▾" with Qt's own menu arrow drawn too,
    low on its right edge (two arrows, the second clipped by the round border); the
    chip changed for another coder hid Qt's arrow already."""
    from PySide6.QtWidgets import QToolButton

    w = open_window("ana")
    chip = w.findChild(QToolButton, "coderButton")
    assert chip.text().endswith("▾")
    shown = chip.grab().toImage()
    chip.setStyleSheet(
        "QToolButton#coderButton::menu-indicator { image: none; width: 0; }"
    )  # Qt's arrow hidden for certain
    assert chip.grab().toImage() == shown


def test_undo_and_redo_follow_a_rename_made_by_another_process(
    qtbot, open_window, db, doc_ids, reader
):
    """A span labelled and relabelled and a field set; then the lead renames the label
    and the option from the command line. Ctrl+Z of the relabel was refused with a "Not
    saved" box (it wrote back the old name) and the history stepped past it; now undo
    and redo take the new names."""
    from gui_helpers import SIMPLE, click_char
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    K, C, S = Qt.Key, Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
    d = doc_ids["Simple"]
    w = open_window("alice")
    w.open_document(d)
    w.view.setFocus()
    q = SIMPLE.index("quick")
    w.view.select_cp(q, q + 5)
    qtbot.keyClick(w.view, K.Key_1)
    click_char(qtbot, w.view, q + 1)
    qtbot.keyClick(w.view, K.Key_2)
    qtbot.keyClick(w.view, K.Key_D, C)
    qtbot.keyClick(QApplication.focusWidget(), K.Key_1)
    qtbot.keyClick(QApplication.focusWidget(), K.Key_Escape)
    assert reader.doc_labels(d, "alice") == {"dominant_frame": "alarmist"}
    run_cli(db, "scheme", "rename-label", "alarmist", "alarm")
    run_cli(db, "scheme", "rename-option", "dominant_frame", "alarmist", "alarm")

    def labels():
        return [s.label for s in reader.spans(d, "alice")]

    w.view.setFocus()
    qtbot.keyClick(w.view, K.Key_Z, C)  # the field
    assert reader.doc_labels(d, "alice") == {}
    qtbot.keyClick(w.view, K.Key_Z, C)  # the relabel: back to the label, renamed
    assert labels() == ["alarm"]
    qtbot.keyClick(w.view, K.Key_Z, C)  # the span
    assert labels() == []
    for _ in range(3):
        qtbot.keyClick(w.view, K.Key_Z, C | S)
    assert labels() == ["skeptical_of_alliance"]
    assert reader.doc_labels(d, "alice") == {"dominant_frame": "alarm"}
    assert not [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert w.undo_stack.index() == w.undo_stack.count() == 3
    # and back once more, every step written
    for _ in range(3):
        qtbot.keyClick(w.view, K.Key_Z, C)
    assert labels() == [] and reader.doc_labels(d, "alice") == {}


def test_review_says_to_reopen_it_after_another_process_changed_the_codebook(
    qtbot, db, doc_ids, two_coded
):
    """Review open, then ``scheme rename-label`` from the command line: the label key 1
    (still "Alarmist" in the review's menus) was refused with only "label 'alarmist' is
    not in scheme ..." in the status bar; now it says why and what to do."""
    from PySide6.QtCore import Qt

    from annotator.gui.review import ReviewWindow

    store = Store(db)
    w = ReviewWindow(store, doc_ids["Simple"], None)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2000)
    try:
        run_cli(db, "scheme", "rename-label", "alarmist", "alarm")
        w.list.setFocus()
        assert w.current_decision() is not None
        qtbot.keyClick(w.list, Qt.Key.Key_1)  # relabel the decision as alarmist
        message = w.statusBar().currentMessage()
        assert "codebook changed to scheme v2" in message and "open it again" in message
    finally:
        w.close()
        store.close()


def test_label_all_hits_after_a_rename_by_another_process_takes_the_new_name(
    qtbot, open_window, db, doc_ids, reader
):
    """Search → Label all hits… with a label another process renamed meanwhile (the
    dialog still offers the old name): refused with a "Not saved" box; now labelled
    under the new name, one undo step."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
    from test_search_pane import open_pane, search

    w = open_window("alice")
    pane = open_pane(qtbot, w)
    search(qtbot, pane, "quick")
    run_cli(db, "scheme", "rename-label", "policy_prescription", "policy")
    qtbot.mouseClick(pane.label_all, Qt.MouseButton.LeftButton)
    dlg = pane.label_dialog
    dlg.chooser.setCurrentIndex(dlg.chooser.findData("policy_prescription"))
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    simple = doc_ids["Simple"]
    assert [s.label for s in reader.spans(simple, "alice")] == ["policy"]
    assert not [b for b in w.findChildren(QMessageBox) if b.isVisible()]
    assert w.undo_stack.count() == 1
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert reader.spans(simple, "alice") == []
    qtbot.keyClick(
        w.view,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [s.label for s in reader.spans(simple, "alice")] == ["policy"]


def test_undoing_the_first_span_takes_the_article_back_to_new(
    qtbot, open_window, db, doc_ids, reader
):
    """A span on an article the coder had not started, then Ctrl+Z: the span went but
    the article stayed "in progress", listed so, and counted by the agreement report as
    coded by the coder (past "new") with nothing found. Undo takes it back to "new";
    redo brings the span and "in progress" back."""
    from gui_helpers import SIMPLE
    from PySide6.QtCore import Qt

    from annotator.reliability import compute_agreement

    d = doc_ids["Simple"]
    with Store(db) as s:  # another coder coded it: agreement needs two coders
        s.add_span(d, "ben", 4, 9, "alarmist")
        s.set_status(d, "ben", "done")
    w = open_window("alice")
    w.open_document(d)
    assert reader.status(d, "alice") == "new"
    q = SIMPLE.index("lazy")
    w.view.select_cp(q, q + 4)
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    assert reader.status(d, "alice") == "in_progress"
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert reader.spans(d, "alice") == []
    assert reader.status(d, "alice") == "new"
    assert w.doc_list.state_of(d) == "new"
    assert compute_agreement(reader, ["alice", "ben"], bootstrap=0).coded["alice"] == 0
    qtbot.keyClick(
        w.view,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert [s.label for s in reader.spans(d, "alice")] == ["alarmist"]
    assert reader.status(d, "alice") == "in_progress"
    # a second span's undo leaves it in progress (the first is still there)
    a = SIMPLE.index("quick")
    w.view.select_cp(a, a + 5)
    qtbot.keyClick(w.view, Qt.Key.Key_2)
    qtbot.keyClick(w.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert reader.status(d, "alice") == "in_progress"


def test_undoing_the_first_field_takes_the_article_back_to_new(
    qtbot, open_window, db, doc_ids, reader
):
    """As for the first span: Ctrl+D 1 on an article not started, then Ctrl+Z left it
    "in progress" (counted as coded by the coder)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    C = Qt.KeyboardModifier.ControlModifier
    d = doc_ids["Simple"]
    w = open_window("alice")
    w.open_document(d)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_D, C)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert reader.status(d, "alice") == "in_progress"
    qtbot.keyClick(w.view, Qt.Key.Key_Z, C)
    assert reader.doc_labels(d, "alice") == {}
    assert reader.status(d, "alice") == "new"
    assert w.doc_list.state_of(d) == "new"
    qtbot.keyClick(w.view, Qt.Key.Key_Z, C | Qt.KeyboardModifier.ShiftModifier)
    assert reader.doc_labels(d, "alice") == {"dominant_frame": "alarmist"}
    assert reader.status(d, "alice") == "in_progress"
