"""Driving the real window with real mouse and key events; checking the database."""

from __future__ import annotations

from gui_helpers import (
    EMOJI,
    SIMPLE,
    click_button,
    click_char,
    drag_select,
    point_at,
    point_on_char,
)
from PySide6.QtCore import QPoint, Qt

K = Qt.Key
M = Qt.KeyboardModifier


def spans_of(reader, doc_id, who="alice"):
    return [(s.start, s.end, s.label) for s in reader.spans(doc_id, who)]


def test_mouse_selection_snaps_to_whole_tokens_and_hotkey_labels(
    qtbot, open_window, doc_ids, reader
):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    view = w.view
    q = SIMPLE.index("quick")
    f = SIMPLE.index("fox")
    # From inside "quick" to inside "fox": snaps to "quick brown fox" on release.
    drag_select(qtbot, view, point_on_char(view, q + 2), point_on_char(view, f + 1))
    assert view.selection_cp() == (q, f + 3)
    qtbot.keyClick(view, K.Key_1)
    [(s, e, label)] = spans_of(reader, doc_ids["Simple"])
    assert SIMPLE[s:e] == "quick brown fox" and label == "alarmist"
    assert view.selected_span is not None  # the new span is selected
    assert reader.status(doc_ids["Simple"], "alice") == "in_progress"


def test_alt_keeps_exact_characters(qtbot, open_window, doc_ids, reader):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    view = w.view
    q = SIMPLE.index("quick")
    drag_select(qtbot, view, point_at(view, q + 1), point_at(view, q + 4), M.AltModifier)
    assert view.selection_cp() == (q + 1, q + 4)
    qtbot.keyClick(view, K.Key_2)
    [(s, e, label)] = spans_of(reader, doc_ids["Simple"])
    assert SIMPLE[s:e] == "uic" and label == "skeptical_of_alliance"


def test_double_click_selects_token_triple_click_sentence(qtbot, open_window, doc_ids):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    view = w.view
    pt = point_on_char(view, SIMPLE.index("brown") + 2)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier, pt)
    s, e = view.selection_cp()
    assert SIMPLE[s:e] == "brown"
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier, pt)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier, pt)
    s, e = view.selection_cp()
    assert SIMPLE[s:e] == "The quick brown fox jumps over the lazy dog."


def test_keyboard_selection_and_sentence_shortcut(qtbot, open_window, doc_ids, reader):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    view = w.view
    view.setFocus()
    qtbot.keyClick(view, K.Key_Home, M.ControlModifier)
    for _ in range(3):
        qtbot.keyClick(view, K.Key_Right, M.ShiftModifier)
    assert view.selection_cp() == (0, 3)
    qtbot.keyClick(view, K.Key_3)
    assert spans_of(reader, doc_ids["Simple"]) == [(0, 3, "policy_prescription")]
    # Ctrl+L selects the sentence at the cursor.
    qtbot.keyClick(view, K.Key_Escape)
    qtbot.keyClick(view, K.Key_End, M.ControlModifier)
    qtbot.keyClick(view, K.Key_L, M.ControlModifier)
    s, e = view.selection_cp()
    assert SIMPLE[s:e] == "It has two sentences."


def test_click_span_relabel_with_hotkey_and_delete(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    view = w.view
    j = SIMPLE.index("jumps")
    drag_select(qtbot, view, point_on_char(view, j + 1), point_on_char(view, j + 3))
    qtbot.keyClick(view, K.Key_1)
    qtbot.keyClick(view, K.Key_Escape)
    assert view.selected_span is None
    click_char(qtbot, view, j + 2)
    [span] = reader.spans(doc, "alice")
    assert view.selected_span == span.id
    qtbot.keyClick(view, K.Key_3)
    assert spans_of(reader, doc) == [(j, j + 5, "policy_prescription")]
    assert reader.spans(doc, "alice")[0].id == span.id
    qtbot.keyClick(view, K.Key_Delete)
    assert spans_of(reader, doc) == []


def test_overlapping_spans_are_each_selectable(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    view = w.view
    q, b, f = SIMPLE.index("quick"), SIMPLE.index("brown"), SIMPLE.index("fox")
    drag_select(qtbot, view, point_on_char(view, q), point_on_char(view, b + 1))
    qtbot.keyClick(view, K.Key_1)
    drag_select(qtbot, view, point_on_char(view, b + 1), point_on_char(view, f + 1))
    qtbot.keyClick(view, K.Key_2)
    qtbot.keyClick(view, K.Key_Escape)
    assert sorted(spans_of(reader, doc)) == [
        (q, b + 5, "alarmist"),
        (b, f + 3, "skeptical_of_alliance"),
    ]
    ids = {s.label: s.id for s in reader.spans(doc, "alice")}
    # Both are painted, with their own underline band.
    assert {p.band for p in view._spans} == {0, 1}
    click_char(qtbot, view, q + 1)
    assert view.selected_span == ids["alarmist"]
    click_char(qtbot, view, f + 1)
    assert view.selected_span == ids["skeptical_of_alliance"]
    # In the overlap ("brown") clicks cycle through both spans.
    seen = set()
    for _ in range(2):
        qtbot.wait(600)  # not a double-click
        click_char(qtbot, view, b + 2)
        seen.add(view.selected_span)
    assert seen == set(ids.values())
    qtbot.keyClick(view, K.Key_Delete)
    assert len(reader.spans(doc, "alice")) == 1


def test_undo_redo_every_edit(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    view = w.view
    q = SIMPLE.index("quick")
    drag_select(qtbot, view, point_on_char(view, q), point_on_char(view, q + 2))
    qtbot.keyClick(view, K.Key_1)
    [span] = reader.spans(doc, "alice")
    qtbot.keyClick(view, K.Key_2)  # relabel the selected new span
    assert spans_of(reader, doc) == [(q, q + 5, "skeptical_of_alliance")]
    qtbot.keyClick(view, K.Key_Delete)
    assert spans_of(reader, doc) == []
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier)  # undo delete
    assert spans_of(reader, doc) == [(q, q + 5, "skeptical_of_alliance")]
    assert reader.spans(doc, "alice")[0].id == span.id
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier)  # undo relabel
    assert spans_of(reader, doc) == [(q, q + 5, "alarmist")]
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier)  # undo add
    assert spans_of(reader, doc) == []
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier | M.ShiftModifier)  # redo add
    assert spans_of(reader, doc) == [(q, q + 5, "alarmist")]
    assert reader.spans(doc, "alice")[0].id == span.id
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert spans_of(reader, doc) == []
    # Document fields too.
    radio = w.panel.fields["dominant_frame"].buttons["alarmist"]
    qtbot.mouseClick(radio, Qt.MouseButton.LeftButton, pos=QPoint(8, radio.height() // 2))
    assert reader.doc_labels(doc, "alice") == {"dominant_frame": "alarmist"}
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier)
    assert reader.doc_labels(doc, "alice") == {}
    assert not radio.isChecked()
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier | M.ShiftModifier)
    assert reader.doc_labels(doc, "alice") == {"dominant_frame": "alarmist"}
    assert radio.isChecked()


def test_document_fields(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    dom = w.panel.fields["dominant_frame"]
    multi = w.panel.fields["frames_present"]
    click_button(qtbot, dom.buttons["skeptical_of_alliance"])
    click_button(qtbot, dom.buttons["none"])
    assert reader.doc_labels(doc, "alice")["dominant_frame"] == "none"
    click_button(qtbot, multi.buttons["policy_prescription"])
    click_button(qtbot, multi.buttons["alarmist"])
    assert reader.doc_labels(doc, "alice")["frames_present"] == ("alarmist", "policy_prescription")
    click_button(qtbot, multi.buttons["alarmist"])
    assert reader.doc_labels(doc, "alice")["frames_present"] == ("policy_prescription",)
    qtbot.mouseClick(dom.clear_button, Qt.MouseButton.LeftButton)
    assert "dominant_frame" not in reader.doc_labels(doc, "alice")
    assert not any(b.isChecked() for b in dom.buttons.values())
    # Values are per document: another article starts empty, coming back restores them.
    w.open_document(doc_ids["Emoji"])
    assert not multi.buttons["policy_prescription"].isChecked()
    w.open_document(doc)
    assert multi.buttons["policy_prescription"].isChecked()


def test_done_and_next(qtbot, open_window, doc_ids, reader):
    w = open_window()
    ids = [d.id for d in reader.list_documents()]
    reader.set_status(ids[1], "alice", "done")  # already done: skipped
    w.reload_documents()
    w.open_document(ids[0])
    qtbot.keyClick(w.view, K.Key_Return, M.ControlModifier)
    assert reader.status(ids[0], "alice") == "done"
    assert w.doc.id == ids[2]
    assert reader.progress("alice").done == 2
    assert "done 2 of" in w.doc_list.progress_text.text()
    qtbot.keyClick(w.view, K.Key_Z, M.ControlModifier)  # undo "done": back to the article
    assert reader.status(ids[0], "alice") != "done"
    assert w.doc.id == ids[0]


def test_document_list_shows_status_and_counts_and_navigates(qtbot, open_window, doc_ids, reader):
    w = open_window()
    lst = w.doc_list
    assert lst.view.objectName() == "documentList"
    assert lst.model.rowCount() == reader.document_count()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    drag_select(qtbot, w.view, point_on_char(w.view, 4), point_on_char(w.view, 6))
    qtbot.keyClick(w.view, K.Key_1)
    row = lst.model.rows[lst.model.row_of(doc)]
    assert (row.state, row.span_count) == ("in_progress", 1)
    # Clicking a row opens that article.
    target = doc_ids["Emoji"]
    idx = lst.proxy.mapFromSource(lst.model.index(lst.model.row_of(target), 1))
    qtbot.mouseClick(
        lst.view.viewport(), Qt.MouseButton.LeftButton, pos=lst.view.visualRect(idx).center()
    )
    assert w.doc.id == target
    # Filter by title.
    qtbot.keyClicks(lst.filter, "nuclear")
    assert lst.proxy.rowCount() == 1
    # Ctrl+PgDown / Ctrl+PgUp step through the (filtered) list.
    lst.filter.clear()
    w.open_document(doc_ids["Simple"])
    w.view.setFocus()
    qtbot.keyClick(w.view, K.Key_PageDown, M.ControlModifier)
    assert w.doc.id == lst.ids()[1]
    qtbot.keyClick(w.view, K.Key_PageUp, M.ControlModifier)
    assert w.doc.id == lst.ids()[0]


def test_span_list_click_jumps_to_span(qtbot, open_window, doc_ids, reader):
    doc = doc_ids["001_44b82d1148096688.txt"]
    text = reader.document(doc).text
    late = text.rindex("China")
    reader.add_span(doc, "alice", late, late + 5, "alarmist")
    w = open_window()
    w.open_document(doc)
    lst = w.panel.span_list
    assert lst.count() == 1 and "China" in lst.item(0).text()
    qtbot.mouseClick(
        lst.viewport(), Qt.MouseButton.LeftButton, pos=lst.visualItemRect(lst.item(0)).center()
    )
    span_id = reader.spans(doc, "alice")[0].id
    assert w.view.selected_span == span_id
    assert w.view.cursor_cp() == late
    rect = w.view.cursorRect()
    assert w.view.viewport().rect().contains(rect.center())


def test_emoji_before_span_stores_exact_offsets(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Emoji"]
    w.open_document(doc)
    view = w.view
    f = EMOJI.index("friend")
    drag_select(qtbot, view, point_on_char(view, f + 1), point_on_char(view, f + 4))
    qtbot.keyClick(view, K.Key_1)
    a = EMOJI.index("anaconda")
    drag_select(qtbot, view, point_at(view, a), point_at(view, a + 8), M.AltModifier)
    qtbot.keyClick(view, K.Key_2)
    texts = [(EMOJI[s:e], lab) for s, e, lab in spans_of(reader, doc)]
    assert texts == [("friend", "alarmist"), ("anaconda", "skeptical_of_alliance")]
    # The widget shows exactly the stored text; the view never reads it back.
    assert view.text == reader.document(doc).text
    click_char(qtbot, view, a + 3)
    assert view.selected_span == reader.spans(doc, "alice")[1].id


def test_zoom(qtbot, open_window):
    w = open_window()
    size = w.view.font().pointSizeF()
    qtbot.keyClick(w.view, K.Key_Plus, M.ControlModifier)
    qtbot.keyClick(w.view, K.Key_Equal, M.ControlModifier)
    assert w.view.font().pointSizeF() == size + 2
    qtbot.keyClick(w.view, K.Key_Minus, M.ControlModifier)
    assert w.view.font().pointSizeF() == size + 1


def test_hotkey_without_selection_changes_nothing(qtbot, open_window, doc_ids, reader):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    qtbot.keyClick(w.view, K.Key_1)
    qtbot.keyClick(w.view, K.Key_Delete)
    assert reader.spans(doc_ids["Simple"]) == []
    assert "Click a span first" in w.statusBar().currentMessage()


def test_f2_edits_the_title_everywhere_and_undo_restores_it(qtbot, open_window, doc_ids, reader):
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    def open_dialog(w) -> QInputDialog:  # a closed one may linger until deleteLater runs
        [dlg] = [d for d in w.findChildren(QInputDialog, "titleDialog") if d.isVisible()]
        return dlg

    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    old = reader.document(doc).title
    qtbot.keyClick(w.view, K.Key_F2)
    dlg = open_dialog(w)
    assert dlg.textValue() == old
    edit = dlg.findChild(QLineEdit)
    edit.selectAll()
    qtbot.keyClicks(edit, "  A  better   title ")
    qtbot.keyClick(edit, K.Key_Return)
    qtbot.waitUntil(lambda: reader.document(doc).title == "A better title", timeout=3000)
    row = w.doc_list.ids().index(doc)
    assert w.doc_list.model.rows[row].title == "A better title"
    assert w.title_label.text() == "A better title" and "A better title" in w.windowTitle()
    assert reader.document(doc).text == SIMPLE  # the text itself is untouched
    qtbot.keyClick(w.view, K.Key_Z, M.ControlModifier)
    assert reader.document(doc).title == old and w.title_label.text() == old
    assert w.doc_list.model.rows[row].title == old
    # An empty title is refused with a message; nothing changes.
    qtbot.keyClick(w.view, K.Key_F2)
    dlg = open_dialog(w)
    dlg.findChild(QLineEdit).clear()
    qtbot.keyClick(dlg.findChild(QLineEdit), K.Key_Return)
    assert reader.document(doc).title == old
    assert "title is empty" in w.statusBar().currentMessage()


def _select_quick_brown_fox(qtbot, view):
    q, f = SIMPLE.index("quick"), SIMPLE.index("fox")
    drag_select(qtbot, view, point_on_char(view, q + 2), point_on_char(view, f + 1))
    assert view.selection_cp() == (q, f + 3)
    return q, f + 3


def test_the_same_span_twice_is_refused_and_the_first_selected(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    _select_quick_brown_fox(qtbot, w.view)
    qtbot.keyClick(w.view, K.Key_1)
    [first] = reader.spans(doc, "alice")
    w.clear_selection()
    _select_quick_brown_fox(qtbot, w.view)
    qtbot.keyClick(w.view, K.Key_1)
    assert w.statusBar().currentMessage() == "That span is already labelled so."
    assert [s.id for s in reader.spans(doc, "alice")] == [first.id]
    assert w.view.selected_span == first.id
    assert w.undo_stack.count() == 1


def test_a_span_another_process_added_meanwhile_is_refused_by_the_store(
    qtbot, open_window, doc_ids, reader
):
    """The window does not show the other process's span yet: only the store can tell."""
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    reader.add_span(doc, "alice", 0, 3, "alarmist")  # another span, kept as it is
    start, end = _select_quick_brown_fox(qtbot, w.view)
    theirs = reader.add_span(doc, "alice", start, end, "alarmist")
    assert theirs.id not in {s.id for s in w.view._spans}  # not on screen
    qtbot.keyClick(w.view, K.Key_1)
    assert w.statusBar().currentMessage() == "That span is already labelled so."
    assert sorted(spans_of(reader, doc)) == [(0, 3, "alarmist"), (start, end, "alarmist")]
    assert w.view.selected_span == theirs.id  # shown now, and selected
    assert w.undo_stack.count() == 0 and not w.pending
