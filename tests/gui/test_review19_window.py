"""Review 19: the window's start-up cuts (menus filled after the first paint) with real
windows and real key events (each test failed before its fix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gui_helpers import run_cli
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def early_window(open_window):
    """``early_window(coder)`` -> a shown window whose after-start job that fills the
    menus has not run yet: a key pressed at its first paint (the job is taken out of the
    queue, as if the key came before its turn; the other jobs run)."""

    def make(coder: str = "alice", path: Path | None = None):
        w = open_window(
            coder, path, before_show=lambda w: w.after_start._jobs.remove(w.menus.ensure_filled)
        )
        assert not w.menus.filled
        return w

    return make


def _keys_twice(w) -> list[str]:
    keys = [k.toString() for a in w.actions() for k in a.shortcuts()]
    return sorted({k for k in keys if keys.count(k) > 1})


def test_ctrl_z_at_the_first_paint_undoes_the_label(qtbot, early_window, doc_ids, reader):
    """A coder labels at the first paint (the label keys are bound then) and presses
    Ctrl+Z at once: Edit → Undo was not made yet, the key was lost without a word and
    the span stayed. Now a key that is not a label key makes the menus first."""
    from gui_helpers import SIMPLE

    simple = doc_ids["Simple"]
    w = early_window("alice")
    w.open_document(simple)
    assert not w.menus.filled
    lazy = SIMPLE.index("lazy")
    w.view.select_cp(lazy, lazy + 4)
    key = w.scheme.span_labels[0].key
    qtbot.keyClick(QApplication.focusWidget() or w.view, key)
    assert [s.start for s in reader.spans(simple, "alice")] == [lazy]
    assert not w.menus.filled  # a label key needs no other action
    qtbot.keyClick(QApplication.focusWidget() or w.view, Qt.Key.Key_Z, CTRL)
    assert reader.spans(simple, "alice") == []
    assert w.menus.filled
    qtbot.keyClick(QApplication.focusWidget() or w.view, Qt.Key.Key_Z, CTRL | SHIFT)
    assert [s.start for s in reader.spans(simple, "alice")] == [lazy]
    assert _keys_twice(w) == []


def test_ctrl_return_at_the_first_paint_marks_done_and_goes_on(
    qtbot, early_window, doc_ids, reader
):
    simple = doc_ids["Simple"]
    w = early_window("alice")
    w.open_document(simple)
    qtbot.keyClick(QApplication.focusWidget() or w.view, Qt.Key.Key_Return, CTRL)
    assert reader.status(simple, "alice") == "done"
    assert w.doc.id != simple
    assert _keys_twice(w) == []


@pytest.mark.parametrize("title", ["&Edit", "&File", "&Label", "&Help"])
def test_a_menu_opened_at_the_first_paint_is_not_empty(qtbot, early_window, title):
    """A click on a menu's title before the job that fills the menus ran showed an empty
    menu (the Label menu without Ctrl+D and the fields). Now opening a menu fills them."""
    from PySide6.QtTest import QTest

    w = early_window("alice")
    bar = w.menuBar()
    menu = w.menus.builder.menus[title]
    at = bar.actionGeometry(menu.menuAction()).center()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=2000)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    menu.close()
    want = {"&Edit": "&Undo", "&File": "&Quit", "&Label": "Document &fields…"}
    assert want.get(title, "&Keyboard shortcuts") in texts, texts
    assert _keys_twice(w) == []


def test_a_codebook_change_before_the_fill_binds_every_key_once(
    qtbot, early_window, db, doc_ids, reader
):
    """Held: the scheme changes (another process renames a label) and the window takes it
    before its menus were filled: each key is bound once, to the new codebook."""
    from gui_helpers import SIMPLE

    simple = doc_ids["Simple"]
    w = early_window("alice")
    w.open_document(simple)
    run_cli(db, "scheme", "rename-label", "alarmist", "alarm")
    w.reload_scheme()
    assert w.menus.filled
    assert _keys_twice(w) == []
    names = [a.objectName() for a in w.actions() if a.objectName()]
    assert sorted({n for n in names if names.count(n) > 1}) == []
    assert "labelAction_alarm" in names and "labelAction_alarmist" not in names
    rows = w.shortcut_rows
    assert [r for r in rows if rows.count(r) > 1] == []
    lazy = SIMPLE.index("lazy")
    w.view.select_cp(lazy, lazy + 4)
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    assert [s.label for s in reader.spans(simple, "alice")] == ["alarm"]
    qtbot.keyClick(w.view, Qt.Key.Key_Z, CTRL)
    assert reader.spans(simple, "alice") == []


def test_switching_database_before_the_fill_keeps_keys_single(
    qtbot, early_window, db, tmp_path, doc_ids
):
    """Held: File → Open database (another scheme) before the fill, then the keys."""
    from annotator.gui.app import open_store
    from annotator.gui.switching import switch_database

    other = tmp_path / "other.db"
    scheme = tmp_path / "s.toml"
    scheme.write_text(
        'name = "other"\nversion = 1\n\n[[span_labels]]\nname = "cue"\nkey = "q"\n'
        'color = "#1f77b4"\n\n[[doc_fields]]\nname = "f"\nkind = "single"\n'
        'options = ["a", "b"]\n',
        encoding="utf-8",
    )
    run_cli(other, "init", "--scheme", str(scheme))
    run_cli(other, "import", str(Path(__file__).resolve().parents[2] / "seeds"))
    w = early_window("alice")
    assert switch_database(w, other, open_store, ask=lambda known: "alice")
    assert w.menus.filled
    assert _keys_twice(w) == []
    assert [a.objectName() for a in w.menus.label_actions.values()] == ["labelAction_cue"]
    fields = [a.objectName() for a in w.menus.field_actions]
    assert fields == ["fieldPicker", "fieldAction_f"], fields


def test_ctrl_d_alt_1_and_esc_at_the_first_paint_work(qtbot, early_window, doc_ids):
    """Ctrl+D and Alt+1 (the fields popup, made with the other actions) and Esc (Edit →
    Clear selection) pressed before the fill: each does its job."""
    from annotator.gui.field_picker import FieldPicker

    w = early_window("alice")
    w.open_document(doc_ids["Simple"])

    def picker_shown():
        return any(p.isVisible() for p in w.findChildren(FieldPicker))

    qtbot.keyClick(QApplication.focusWidget() or w.view, Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(picker_shown, timeout=2000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not picker_shown(), timeout=2000)
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(picker_shown, timeout=2000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not picker_shown(), timeout=2000)
    assert _keys_twice(w) == []


def test_esc_at_the_first_paint_clears_the_selection(qtbot, early_window, doc_ids):
    w = early_window("alice")
    w.open_document(doc_ids["Simple"])
    w.view.select_cp(4, 9)
    assert w.view.selection_cp() == (4, 9)
    qtbot.keyClick(QApplication.focusWidget() or w.view, Qt.Key.Key_Escape)
    assert w.view.selection_cp() is None


def test_ctrl_shift_r_at_the_first_paint_opens_the_review_and_keys_stay_single(
    qtbot, early_window, doc_ids
):
    """Tools → Review document (Ctrl+Shift+R) pressed before the fill opens the review
    window; neither window binds a key twice, and Ctrl+Z still works in the main one."""
    w = early_window("alice")
    w.open_document(doc_ids["Simple"])
    qtbot.keyClick(QApplication.focusWidget() or w.view, Qt.Key.Key_R, CTRL | SHIFT)
    qtbot.waitUntil(lambda: getattr(w, "_review", None) is not None, timeout=5000)
    review = w._review
    assert _keys_twice(w) == []
    assert _keys_twice(review) == []
    review.close()
