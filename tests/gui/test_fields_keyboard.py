"""Issue 12, point 2: the document fields by keyboard (Ctrl+D's popup, Alt+N for field N),
undoable like a span, with the fields on screen without scrolling at 1366×768.

Real window, real key and mouse events, real SQLite files; what is stored is read back
through a second Store on the file (``reader``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gui_helpers import SIMPLE, click_button, click_char, drag_select, point_on_char
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from annotator.corpus import RawDocument
from annotator.gui.field_picker import OPTION_KEYS, option_keys
from annotator.gui.menus import PICKER_ROWS
from annotator.ingest import import_documents
from annotator.scheme import parse_scheme
from annotator.store import Store

K = Qt.Key
M = Qt.KeyboardModifier
HERE = Path(__file__).resolve().parent
CTRL_Z = (K.Key_Z, M.ControlModifier)
CTRL_SHIFT_Z = (K.Key_Z, M.ControlModifier | M.ShiftModifier)


def focused():
    return QApplication.focusWidget()


def press(qtbot, key, mods=M.NoModifier) -> None:
    """A real key press on whatever has the keyboard focus (as a coder types)."""
    widget = focused()
    assert widget is not None
    qtbot.keyClick(widget, key, mods)


def open_doc(open_window, doc_id):
    w = open_window()
    w.open_document(doc_id)
    w.view.setFocus()
    return w


def picker_open(w) -> bool:
    return w.field_keys.is_open and focused() is w.field_keys.picker


def fields(reader, doc_id, coder="alice"):
    return reader.doc_labels(doc_id, coder)


# -- the popup: keys, moving on, closing ------------------------------------------------


def test_ctrl_d_sets_both_fields_by_key_and_focus_returns_to_the_article(
    qtbot, open_window, doc_ids, reader
):
    doc = doc_ids["Simple"]
    w = open_doc(open_window, doc)
    press(qtbot, K.Key_D, M.ControlModifier)
    assert picker_open(w)
    p = w.field_keys.picker
    assert p.current == 0 and p.option_text(0, 1) == "○  Skeptical of alliance"
    press(qtbot, K.Key_2)  # one choice: set, and on to the next field
    assert fields(reader, doc) == {"dominant_frame": "skeptical_of_alliance"}
    assert p.current == 1 and picker_open(w)
    assert p.option_text(0, 1) == "●  Skeptical of alliance"
    press(qtbot, K.Key_1)  # all that apply: ticks, stays
    press(qtbot, K.Key_3)
    assert fields(reader, doc)["frames_present"] == ("alarmist", "policy_prescription")
    assert p.option_text(1, 2) == "☑  Policy prescription"
    press(qtbot, K.Key_1)  # and unticks
    assert fields(reader, doc)["frames_present"] == ("policy_prescription",)
    press(qtbot, K.Key_Return)  # on the last field: close
    assert not w.field_keys.is_open
    assert focused() is w.view
    # the panel shows what was stored
    assert w.panel.fields["dominant_frame"].buttons["skeptical_of_alliance"].isChecked()
    assert w.panel.fields["frames_present"].value() == ("policy_prescription",)
    # Ctrl+D again opens on the values as stored; Esc closes, back to the text
    press(qtbot, K.Key_D, M.ControlModifier)
    assert p.option_text(1, 2) == "☑  Policy prescription" and p.option_text(1, 0) == "☐  Alarmist"
    press(qtbot, K.Key_Escape)
    assert not w.field_keys.is_open and focused() is w.view


def test_a_one_choice_last_field_closes_the_popup_and_tab_moves_between_fields(
    qtbot, open_window, doc_ids, reader
):
    doc = doc_ids["Simple"]
    w = open_doc(open_window, doc)
    press(qtbot, K.Key_D, M.ControlModifier)
    p = w.field_keys.picker
    press(qtbot, K.Key_Tab)
    assert p.current == 1
    press(qtbot, K.Key_Tab)  # wraps to the first
    assert p.current == 0
    press(qtbot, K.Key_Backtab, M.ShiftModifier)
    assert p.current == 1
    press(qtbot, K.Key_Left)
    assert p.current == 0
    press(qtbot, K.Key_Return)  # Enter: next field without changing anything
    assert p.current == 1 and fields(reader, doc) == {}
    press(qtbot, K.Key_Escape)
    # Alt+2 opens on field 2: its keys are the active ones
    press(qtbot, K.Key_2, M.AltModifier)
    assert picker_open(w) and p.current == 1
    press(qtbot, K.Key_2)
    assert fields(reader, doc) == {"frames_present": ("skeptical_of_alliance",)}
    press(qtbot, K.Key_Escape)
    # Alt+1: the one-choice field; choosing the option already chosen changes nothing
    press(qtbot, K.Key_1, M.AltModifier)
    assert p.current == 0
    press(qtbot, K.Key_4)
    assert fields(reader, doc)["dominant_frame"] == "none"
    assert p.current == 1
    press(qtbot, K.Key_Escape)
    steps = w.undo_stack.count()
    press(qtbot, K.Key_1, M.AltModifier)
    press(qtbot, K.Key_4)
    assert w.undo_stack.count() == steps  # nothing to undo: nothing changed
    press(qtbot, K.Key_Escape)
    assert focused() is w.view


def test_label_keys_and_esc_do_not_reach_the_window_while_the_popup_is_open(
    qtbot, open_window, doc_ids, reader
):
    doc = doc_ids["Simple"]
    w = open_doc(open_window, doc)
    q = SIMPLE.index("quick")
    drag_select(qtbot, w.view, point_on_char(w.view, q), point_on_char(w.view, q + 2))
    assert w.view.selection_cp() == (q, q + 5)
    press(qtbot, K.Key_D, M.ControlModifier)
    press(qtbot, K.Key_1)  # the popup's 1 (dominant frame), not the label key 1
    press(qtbot, K.Key_Escape)  # closes the popup, does not clear the selection
    assert reader.spans(doc, "alice") == []
    assert fields(reader, doc) == {"dominant_frame": "alarmist"}
    assert focused() is w.view and w.view.selection_cp() == (q, q + 5)
    press(qtbot, K.Key_1)  # back in the text, 1 labels the selection again
    assert [(s.start, s.end, s.label) for s in reader.spans(doc, "alice")] == [
        (q, q + 5, "alarmist")
    ]


def test_a_click_in_the_article_closes_the_popup_without_changing_anything(
    qtbot, open_window, doc_ids, reader
):
    doc = doc_ids["Simple"]
    w = open_doc(open_window, doc)
    press(qtbot, K.Key_D, M.ControlModifier)
    assert picker_open(w)
    click_char(qtbot, w.view, 2)
    assert not w.field_keys.is_open
    assert fields(reader, doc) == {}


def test_a_click_on_an_option_of_the_popup_chooses_it_and_ctrl_d_closes_it(
    qtbot, open_window, doc_ids, reader
):
    doc = doc_ids["Simple"]
    w = open_doc(open_window, doc)
    press(qtbot, K.Key_D, M.ControlModifier)
    p = w.field_keys.picker
    row = p.rows[1][2]  # frames present: policy prescription
    qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    assert fields(reader, doc) == {"frames_present": ("policy_prescription",)}
    assert picker_open(w) and p.current == 1  # keys still go to the popup
    press(qtbot, K.Key_1)
    assert fields(reader, doc) == {"frames_present": ("alarmist", "policy_prescription")}
    press(qtbot, K.Key_1, M.AltModifier)  # Alt+1 while open: to the first field
    assert picker_open(w) and p.current == 0
    press(qtbot, K.Key_D, M.ControlModifier)  # Ctrl+D again: closed
    assert not w.field_keys.is_open and focused() is w.view


def test_delete_clears_a_field_and_ctrl_z_inside_the_popup_shows_the_value_back(
    qtbot, open_window, doc_ids, reader
):
    doc = doc_ids["Simple"]
    reader.set_doc_label(doc, "alice", "dominant_frame", "policy_prescription")
    w = open_doc(open_window, doc)
    press(qtbot, K.Key_D, M.ControlModifier)
    p = w.field_keys.picker
    assert p.option_text(0, 2) == "●  Policy prescription"
    press(qtbot, K.Key_Delete)
    assert "dominant_frame" not in fields(reader, doc)
    assert p.option_text(0, 2) == "○  Policy prescription"
    assert not w.panel.fields["dominant_frame"].buttons["policy_prescription"].isChecked()
    press(qtbot, *CTRL_Z)  # the window's undo, pressed inside the popup
    assert fields(reader, doc)["dominant_frame"] == "policy_prescription"
    assert picker_open(w) and p.option_text(0, 2) == "●  Policy prescription"
    assert w.panel.fields["dominant_frame"].buttons["policy_prescription"].isChecked()
    press(qtbot, *CTRL_SHIFT_Z)
    assert "dominant_frame" not in fields(reader, doc)
    assert p.option_text(0, 2) == "○  Policy prescription"


def test_an_article_switch_closes_the_popup(qtbot, open_window, doc_ids, reader):
    w = open_doc(open_window, doc_ids["Simple"])
    press(qtbot, K.Key_D, M.ControlModifier)
    press(qtbot, K.Key_Down, M.AltModifier)  # next article, a window key
    assert w.doc.id != doc_ids["Simple"]
    assert not w.field_keys.is_open and focused() is w.view
    before = w.doc.id
    press(qtbot, K.Key_D, M.ControlModifier)
    press(qtbot, K.Key_Return, M.ControlModifier)  # done and next, pressed in the popup
    assert reader.status(before, "alice") == "done" and w.doc.id != before
    assert not w.field_keys.is_open and focused() is w.view


# -- undo: the exact previous value, keyboard and mouse ----------------------------------


def test_every_field_edit_by_key_undoes_to_the_exact_previous_value(
    qtbot, open_window, doc_ids, reader
):
    doc = doc_ids["Simple"]
    reader.set_doc_label(doc, "alice", "dominant_frame", "none")
    reader.set_doc_label(doc, "alice", "frames_present", [])  # "none of them", not unset
    w = open_doc(open_window, doc)
    press(qtbot, K.Key_D, M.ControlModifier)
    press(qtbot, K.Key_1)  # dominant: none -> alarmist
    press(qtbot, K.Key_2)  # frames: () -> (skeptical,)
    press(qtbot, K.Key_3)  # -> (skeptical, policy)
    press(qtbot, K.Key_Escape)
    assert fields(reader, doc) == {
        "dominant_frame": "alarmist",
        "frames_present": ("skeptical_of_alliance", "policy_prescription"),
    }
    dom, multi = w.panel.fields["dominant_frame"], w.panel.fields["frames_present"]
    history = [
        {"dominant_frame": "alarmist", "frames_present": ("skeptical_of_alliance",)},
        {"dominant_frame": "alarmist", "frames_present": ()},
        {"dominant_frame": "none", "frames_present": ()},
    ]
    for expected in history:
        press(qtbot, *CTRL_Z)
        assert fields(reader, doc) == expected
        assert dom.value() == expected["dominant_frame"]
        assert multi.value() == expected["frames_present"]
    assert focused() is w.view
    for expected in [*reversed(history[:-1]), {
        "dominant_frame": "alarmist",
        "frames_present": ("skeptical_of_alliance", "policy_prescription"),
    }]:  # fmt: skip
        press(qtbot, *CTRL_SHIFT_Z)
        assert fields(reader, doc) == expected
        assert multi.value() == expected["frames_present"]
    # undo after a fresh article: back to not set at all (not an empty answer)
    other = doc_ids["Emoji"]
    w.open_document(other)
    w.view.setFocus()
    press(qtbot, K.Key_2, M.AltModifier)
    press(qtbot, K.Key_1)
    assert fields(reader, other) == {"frames_present": ("alarmist",)}
    press(qtbot, *CTRL_Z)
    assert fields(reader, other) == {}


def test_mouse_toggles_are_undone_one_by_one(qtbot, open_window, doc_ids, reader):
    doc = doc_ids["Simple"]
    reader.set_doc_label(doc, "alice", "dominant_frame", "skeptical_of_alliance")
    w = open_doc(open_window, doc)
    dom, multi = w.panel.fields["dominant_frame"], w.panel.fields["frames_present"]
    click_button(qtbot, multi.buttons["policy_prescription"])
    click_button(qtbot, multi.buttons["alarmist"])
    click_button(qtbot, multi.buttons["policy_prescription"])
    click_button(qtbot, dom.buttons["alarmist"])
    assert fields(reader, doc) == {"dominant_frame": "alarmist", "frames_present": ("alarmist",)}
    w.view.setFocus()
    expected = [
        ("skeptical_of_alliance", ("alarmist",)),
        ("skeptical_of_alliance", ("alarmist", "policy_prescription")),
        ("skeptical_of_alliance", ("policy_prescription",)),
        ("skeptical_of_alliance", None),
    ]
    for dominant, frames in expected:
        press(qtbot, *CTRL_Z)
        stored = fields(reader, doc)
        assert stored.get("dominant_frame") == dominant and stored.get("frames_present") == frames
        assert dom.value() == dominant and multi.value() == (frames or ())
    press(qtbot, *CTRL_SHIFT_Z)
    assert fields(reader, doc)["frames_present"] == ("policy_prescription",)
    assert multi.buttons["policy_prescription"].isChecked()


def test_a_refused_field_edit_leaves_the_panel_showing_what_is_stored(
    qtbot, open_window, db, doc_ids, tmp_path, immutable
):
    import shutil

    folder = tmp_path / "ro"
    folder.mkdir()
    ro = folder / "labels.db"
    shutil.copy(db, ro)
    with Store(ro) as s:
        s.set_doc_label(doc_ids["Simple"], "alice", "dominant_frame", "none")
    immutable(folder)
    w = open_window("alice", ro)
    assert w.store.readonly
    w.open_document(doc_ids["Simple"])
    dom = w.panel.fields["dominant_frame"]
    click_button(qtbot, dom.buttons["alarmist"])  # refused: read-only
    assert dom.value() == "none"
    assert w.undo_stack.count() == 0


# -- schemes of any shape -----------------------------------------------------------------

MANY = """
name = "many"
version = 1

[[span_labels]]
name = "quote"
key = "q"
color = "#d62728"

[[doc_fields]]
name = "outlet_country"
kind = "single"
options = [{single}]

[[doc_fields]]
name = "topics"
kind = "multi"
options = [{multi}]
"""


@pytest.fixture
def many_db(tmp_path) -> Path:
    single = ", ".join(f'"c{i:02d}"' for i in range(40))
    multi = ", ".join(f'"t{i:02d}"' for i in range(12))
    path = tmp_path / "many.db"
    with Store(path, parse_scheme(MANY.format(single=single, multi=multi))) as s:
        import_documents(s, [RawDocument(SIMPLE, "simple.txt", {"title": "Simple"})])
    return path


def test_option_keys_run_through_digits_then_letters_then_the_arrows():
    assert option_keys(3) == ["1", "2", "3"]
    keys = option_keys(40)
    assert keys[:10] == list("1234567890") and keys[10] == "a" and keys[35] == "z"
    assert keys[36:] == ["", "", "", ""]  # reached with ↓ and Space
    assert len(set(OPTION_KEYS)) == len(OPTION_KEYS) == 36


def test_a_scheme_with_many_options_and_its_own_field_names(qtbot, open_window, many_db):
    w = open_window("alice", many_db)
    with Store(many_db) as s:
        [doc] = [d.id for d in s.list_documents()]
    w.open_document(doc)
    w.view.setFocus()
    labels = {a.objectName(): a for a in w.menus.field_actions}
    assert set(labels) == {"fieldPicker", "fieldAction_outlet_country", "fieldAction_topics"}
    assert labels["fieldAction_topics"].text() == "Topics…"
    press(qtbot, K.Key_D, M.ControlModifier)
    p = w.field_keys.picker
    assert p.fields == w.scheme.doc_fields
    press(qtbot, K.Key_0)  # the tenth option
    with Store(many_db) as s:
        assert s.doc_labels(doc, "alice") == {"outlet_country": "c09"}
    assert p.current == 1  # on to topics: 12 options, keys 1 … 9, 0, a, b
    press(qtbot, K.Key_Z, M.ShiftModifier)  # not one of its keys: nothing
    with Store(many_db) as s:
        assert s.doc_labels(doc, "alice") == {"outlet_country": "c09"}
    press(qtbot, K.Key_B, M.ShiftModifier)  # letters in either case
    with Store(many_db) as s:
        assert s.doc_labels(doc, "alice")["topics"] == ("t11",)
    press(qtbot, K.Key_Tab)  # back to the 40-option field
    assert p.current == 0
    press(qtbot, K.Key_Z)  # the 36th
    with Store(many_db) as s:
        assert s.doc_labels(doc, "alice")["outlet_country"] == "c35"
    assert p.current == 1
    press(qtbot, K.Key_Up)  # from topics' first option up into the last of outlet_country
    assert (p.current, p.at) == (0, 39)
    port = p.area.viewport()
    last = p.rows[0][39]
    top = last.mapTo(port, last.rect().topLeft()).y()
    assert top >= 0 and top + last.height() <= port.height()  # scrolled into view
    press(qtbot, K.Key_Space)
    with Store(many_db) as s:
        assert s.doc_labels(doc, "alice")["outlet_country"] == "c39"
    assert p.current == 1  # chosen: on to the next field
    press(qtbot, K.Key_Down)
    press(qtbot, K.Key_Space)  # ticks topics' second option
    with Store(many_db) as s:
        assert s.doc_labels(doc, "alice")["topics"] == ("t01", "t11")
    # the popup fits the article, also when the window gets smaller
    assert p.geometry().bottom() <= w.view.viewport().geometry().bottom()
    w.resize(1000, 600)
    qtbot.waitUntil(lambda: w.view.viewport().geometry().contains(p.geometry()))
    press(qtbot, K.Key_Escape)
    press(qtbot, *CTRL_Z)
    with Store(many_db) as s:
        assert s.doc_labels(doc, "alice")["topics"] == ("t11",)


def test_a_scheme_without_fields_says_so(qtbot, open_window, tmp_path):
    path = tmp_path / "nofields.db"
    scheme = parse_scheme(
        'name = "n"\nversion = 1\n[[span_labels]]\nname = "a1"\nkey = "1"\ncolor = "#d62728"\n'
    )
    with Store(path, scheme) as s:
        import_documents(s, [RawDocument(SIMPLE, "simple.txt", {"title": "Simple"})])
        [doc] = [d.id for d in s.list_documents()]
    w = open_window("alice", path)
    w.open_document(doc)
    w.view.setFocus()
    assert w.menus.field_actions == []
    w.open_fields()
    assert "no document fields" in w.statusBar().currentMessage()
    assert not w.field_keys.is_open


# -- where the keys are listed --------------------------------------------------------


def test_the_keys_are_in_help_and_in_the_label_menu(qtbot, open_window):
    w = open_window()
    rows = dict(w.shortcut_rows)
    assert rows["Ctrl+D"].startswith("Set the document fields by key")
    assert rows["Alt+1"] == "Set the document field dominant_frame by key"
    assert rows["Alt+2"] == "Set the document field frames_present by key"
    for row in PICKER_ROWS:
        assert w.shortcut_rows.count(row) == 1
    texts = [a.text() for a in w.label_menu.actions() if not a.isSeparator()]
    assert texts[-3:] == ["Document &fields…", "Dominant frame…", "Frames present…"]
    # a scheme reload rebuilds them once, not twice
    w.reload_scheme()
    for row in PICKER_ROWS:
        assert w.shortcut_rows.count(row) == 1
    assert [r[0] for r in w.shortcut_rows].count("Ctrl+D") == 1
    assert [a.text() for a in w.label_menu.actions() if not a.isSeparator()][-3:] == texts[-3:]


# -- on screen without scrolling ------------------------------------------------------


def test_codebook_texts_are_one_line_until_opened_and_remembered(qtbot, open_window):
    w = open_window()
    card = w.panel.label_buttons["alarmist"]
    one_line = card.desc.height()
    assert card.desc.text().endswith("…") and card.desc.toolTip().startswith("Presents")
    qtbot.mouseClick(card.expand, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.desc.height() > 3 * one_line, timeout=2000)
    assert card.desc.text().startswith("Presents") and "Example:" in card.desc.text()
    assert QSettings().value("panel/codebook_open") == "label:alarmist"
    w.close()
    again = open_window()
    card2 = again.panel.label_buttons["alarmist"]
    assert card2.expand.isChecked() and card2.desc.expanded
    assert not again.panel.label_buttons["policy_prescription"].desc.expanded


def _screen(tmp_path: Path, width: int, height: int) -> str:
    config = tmp_path / f"screen-{width}x{height}.json"
    screen = {"name": "s", "x": 0, "y": 0, "width": width, "height": height,
              "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}  # fmt: skip
    config.write_text(json.dumps({"windowFrameMargins": True, "screens": [screen]}))
    return f"offscreen:configfile={config}"


def _inside(rect: list[int], area: list[int]) -> bool:
    return area[0] <= rect[0] and area[1] <= rect[1] and rect[2] <= area[2] and rect[3] <= area[3]


@pytest.mark.parametrize("screen", [(1366, 768), (1920, 1080)])
def test_every_field_is_on_screen_without_scrolling(db, tmp_path, screen):
    env = dict(os.environ, QT_QPA_PLATFORM=_screen(tmp_path, *screen))
    out = subprocess.run(
        [sys.executable, str(HERE / "fields_fit_helper.py"), str(db), str(tmp_path / "q")],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["screen"] == list(screen) and r["window"][1] < screen[1]
    assert r["scrolled"] == 0
    assert len([k for k in r["parts"] if k.startswith("option:")]) == 7
    for part, rect in r["parts"].items():
        assert r["visible"][part], part
        assert _inside(rect, r["viewport"]), (part, rect, r["viewport"])
