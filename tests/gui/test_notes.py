"""Notes in the window: a note on a span (Ctrl+N), the coder's memo on a document
(Ctrl+M), and both in review mode. Real window, real keys, a real database file."""

from __future__ import annotations

from gui_helpers import SIMPLE, drag_select, point_on_char
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QToolTip

from annotator.store import Store

K = Qt.Key
M = Qt.KeyboardModifier
CTRL = M.ControlModifier


def _label_quick_brown_fox(qtbot, w) -> int:
    q, f = SIMPLE.index("quick"), SIMPLE.index("fox")
    drag_select(qtbot, w.view, point_on_char(w.view, q + 2), point_on_char(w.view, f + 1))
    qtbot.keyClick(w.view, K.Key_1)
    assert w.view.selected_span is not None
    return w.view.selected_span


def _note_editor(w):
    from annotator.gui.note_editor import NoteEditor

    found = [d for d in w.findChildren(NoteEditor) if d.isVisible()]
    assert len(found) == 1
    return found[0]


def _write_note(qtbot, w, text: str, save_key=K.Key_Return) -> None:
    qtbot.keyClick(w.view, K.Key_N, CTRL)
    dlg = _note_editor(w)
    edit = dlg.findChild(QPlainTextEdit, "noteText")
    edit.selectAll()
    _type(qtbot, edit, text)
    qtbot.keyClick(edit, save_key, CTRL)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=2000)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)


def _type(qtbot, widget, text: str) -> None:
    """Type ``text`` with real key events (Return for each line break)."""
    for i, line in enumerate(text.split("\n")):
        if i:
            qtbot.keyClick(widget, K.Key_Return)
        if line:
            qtbot.keyClicks(widget, line)


def _row_texts(w) -> list[tuple[str, str]]:
    lst = w.panel.span_list
    return [(lst.item(i).text(), lst.item(i).toolTip()) for i in range(lst.count())]


def _article_tooltip(qtbot, w, cp: int) -> str:
    """The tooltip the article shows when the mouse rests on character ``cp``."""
    QToolTip.hideText()
    qtbot.waitUntil(lambda: not QToolTip.isVisible(), timeout=3000)
    vp = w.view.viewport()
    pos = point_on_char(w.view, cp)
    QApplication.sendEvent(vp, QHelpEvent(QEvent.Type.ToolTip, pos, vp.mapToGlobal(pos)))
    return QToolTip.text() if QToolTip.isVisible() else ""


def test_ctrl_n_writes_a_note_shown_in_the_list_and_tooltips_undoable_and_kept(
    qtbot, open_window, doc_ids, db, reader
):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    span_id = _label_quick_brown_fox(qtbot, w)
    _write_note(qtbot, w, "Hedged: the fox is only quick\nsecond line")
    note = "Hedged: the fox is only quick\nsecond line"
    assert [s.note for s in reader.spans(doc, "alice")] == [note]
    [(text, tip)] = _row_texts(w)
    assert text == "quick brown fox\n✎ Hedged: the fox is only quick second line"
    assert tip == f"alarmist\nNote: {note}"
    assert _article_tooltip(qtbot, w, SIMPLE.index("brown")) == f"alarmist: {note}"
    assert _article_tooltip(qtbot, w, SIMPLE.index("lazy")) == ""
    assert w.undo_stack.undoText() == "Note on span"

    qtbot.keyClick(w.view, K.Key_Z, CTRL)
    assert [s.note for s in reader.spans(doc, "alice")] == [""]
    assert _row_texts(w) == [("quick brown fox", "alarmist")]
    assert w.view.selected_span == span_id
    qtbot.keyClick(w.view, K.Key_Z, CTRL | M.ShiftModifier)
    assert [s.note for s in reader.spans(doc, "alice")] == [note]

    # Esc cancels: nothing changes; a changed note needs a second Esc (the first one only
    # warns); an empty note (Ctrl+Enter on the keypad) removes it.
    qtbot.keyClick(w.view, K.Key_N, CTRL)
    dlg = _note_editor(w)
    box = dlg.findChild(QPlainTextEdit, "noteText")
    qtbot.keyClicks(box, " more")
    qtbot.keyClick(box, K.Key_Escape)
    assert dlg.isVisible() and box.toPlainText() == note + " more"
    assert "Esc again discards" in dlg.findChild(QLabel, "noteHint").text()
    qtbot.keyClick(box, K.Key_Escape)
    assert not dlg.isVisible()
    assert [s.note for s in reader.spans(doc, "alice")] == [note]
    qtbot.keyClick(w.view, K.Key_N, CTRL)
    dlg = _note_editor(w)
    qtbot.keyClick(dlg.findChild(QPlainTextEdit, "noteText"), K.Key_Escape)
    assert not dlg.isVisible()  # unchanged: one Esc closes it
    assert [s.note for s in reader.spans(doc, "alice")] == [note]
    _write_note(qtbot, w, "kept over reopening")
    w.close()
    w.store.close()
    with Store(db) as s:
        assert [x.note for x in s.spans(doc, "alice")] == ["kept over reopening"]
    w2 = open_window()
    w2.open_document(doc)
    [(text, tip)] = _row_texts(w2)
    assert text == "quick brown fox\n✎ kept over reopening"


def test_a_note_that_looks_like_html_is_shown_literally(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    _label_quick_brown_fox(qtbot, w)
    _write_note(qtbot, w, "<b>x</b> & y")
    assert [s.note for s in reader.spans(doc, "alice")] == ["<b>x</b> & y"]
    [(text, tip)] = _row_texts(w)
    assert text == "quick brown fox\n✎ <b>x</b> & y"
    # Plain text to Qt (its first line has no tag), so the characters show as written.
    assert tip == "alarmist\nNote: <b>x</b> & y" and not GuiQt.mightBeRichText(tip)
    # Here the tag is on the first line, so Qt would render HTML: it is escaped.
    shown = _article_tooltip(qtbot, w, SIMPLE.index("brown"))
    assert "&lt;b&gt;x&lt;/b&gt;" in shown and "<b>x</b>" not in shown
    # The editor shows the note as written when opened again.
    qtbot.keyClick(w.view, K.Key_N, CTRL)
    dlg = _note_editor(w)
    assert dlg.findChild(QPlainTextEdit, "noteText").toPlainText() == "<b>x</b> & y"
    heads = [lab for lab in dlg.findChildren(QLabel) if lab.objectName() == "noteSpan"]
    assert heads[0].textFormat() == Qt.TextFormat.PlainText
    qtbot.keyClick(dlg.findChild(QPlainTextEdit, "noteText"), K.Key_Escape)


def test_ctrl_n_without_a_selected_span_says_what_to_do(qtbot, open_window, doc_ids):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    qtbot.keyClick(w.view, K.Key_N, CTRL)
    assert "Click a span first" in w.statusBar().currentMessage()
    assert w.undo_stack.count() == 0


def test_the_keys_are_in_the_shortcuts_table(open_window):
    w = open_window()
    rows = dict(w.shortcut_rows)
    assert "Write or change the note on the selected span" in rows.values()
    keys = {what: k for k, what in w.shortcut_rows}
    assert keys["Write or change the note on the selected span"] == "Ctrl+N"
    assert keys["Write your memo on this article (why this dominant frame…)"] == "Ctrl+M"


def _memo(w) -> QPlainTextEdit:
    return w.panel.memo.edit


def test_ctrl_m_memo_typed_then_next_article_is_stored_as_one_undoable_step(
    qtbot, open_window, doc_ids, reader
):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    qtbot.keyClick(w.view, K.Key_M, CTRL)
    assert _memo(w).hasFocus()
    _type(qtbot, _memo(w), "Conflict: the quotes\n<b>dominate</b>")
    assert reader.memo(doc, "alice") == ""  # still typing: not yet a step
    qtbot.keyClick(_memo(w), K.Key_PageDown, CTRL)  # next article, from inside the box
    assert w.doc.id != doc
    assert reader.memo(doc, "alice") == "Conflict: the quotes\n<b>dominate</b>"
    assert w.undo_stack.count() == 1 and w.undo_stack.undoText() == "Edit memo"
    assert _memo(w).toPlainText() == ""  # the next article has no memo of alice's
    other = w.doc.id

    qtbot.keyClick(w.view, K.Key_Z, CTRL)  # undo goes back to the article it changes
    assert reader.memo(doc, "alice") == ""
    assert w.doc.id == doc and _memo(w).toPlainText() == ""
    qtbot.keyClick(w.view, K.Key_Z, CTRL | M.ShiftModifier)
    assert reader.memo(doc, "alice") == "Conflict: the quotes\n<b>dominate</b>"
    assert _memo(w).toPlainText() == "Conflict: the quotes\n<b>dominate</b>"
    assert reader.memo(other, "alice") == ""


def test_a_burst_of_typing_is_one_step_after_a_pause_and_focus_out(
    qtbot, open_window, doc_ids, reader
):
    from annotator.gui.memo_box import PAUSE_MS

    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    qtbot.keyClick(w.view, K.Key_M, CTRL)
    qtbot.keyClicks(_memo(w), "first thought")
    qtbot.waitUntil(lambda: reader.memo(doc, "alice") == "first thought", timeout=PAUSE_MS * 4)
    assert w.undo_stack.count() == 1
    qtbot.keyClicks(_memo(w), ", then more")
    w.view.setFocus()  # leaving the box hands the burst on at once
    qtbot.waitUntil(lambda: not _memo(w).hasFocus(), timeout=2000)
    assert reader.memo(doc, "alice") == "first thought, then more"
    assert w.undo_stack.count() == 2
    qtbot.keyClick(w.view, K.Key_Z, CTRL)
    assert reader.memo(doc, "alice") == "first thought"
    assert _memo(w).toPlainText() == "first thought"


def test_a_memo_being_typed_is_stored_when_the_window_closes(qtbot, open_window, doc_ids, db):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    qtbot.keyClick(w.view, K.Key_M, CTRL)
    qtbot.keyClicks(_memo(w), "typed just before closing")
    w.close()
    with Store(db) as s:
        assert s.memo(doc, "alice") == "typed just before closing"
        s.add_coder("ben")
        s.set_memo(doc, "ben", "ben's memo: blind coding hides it from alice")
    w2 = open_window()
    w2.open_document(doc)
    assert _memo(w2).toPlainText() == "typed just before closing"


def test_review_shows_every_coders_span_notes_and_memos_as_plain_text(
    qtbot, open_window, doc_ids, reader
):
    from annotator.gui.review_decisions import COL_TEXT

    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    _label_quick_brown_fox(qtbot, w)
    _write_note(qtbot, w, "alice: only hedged")
    qtbot.keyClick(w.view, K.Key_M, CTRL)
    qtbot.keyClicks(_memo(w), "Alice chose alarmist")
    w.view.setFocus()
    qtbot.waitUntil(lambda: reader.memo(doc, "alice") == "Alice chose alarmist", timeout=2000)
    q, f = SIMPLE.index("quick"), SIMPLE.index("fox") + 3
    reader.add_coder("ben")
    reader.add_span(doc, "ben", q, f, "alarmist", "<b>x</b> is ben's")
    reader.set_memo(doc, "ben", "Ben: policy\n<i>second line</i>")

    qtbot.keyClick(w.view, K.Key_R, CTRL | M.ShiftModifier)
    rv = w.review_window
    assert rv is not None and rv.doc.id == doc
    labels = rv.memos.labels
    assert {c: lab.text() for c, lab in labels.items()} == {
        "alice": "Alice chose alarmist",
        "ben": "Ben: policy\n<i>second line</i>",
    }
    assert all(lab.textFormat() == Qt.TextFormat.PlainText for lab in labels.values())
    assert all(lab.wordWrap() for lab in labels.values())
    [row] = [i for i, d in enumerate(rv.list.rows) if (d.start, d.end) == (q, f)]
    item = rv.list.topLevelItem(row)
    assert item.text(COL_TEXT) == "✎ quick brown fox"
    assert item.toolTip(COL_TEXT) == (
        "quick brown fox\n\nNotes:\nalice: alice: only hedged\nben: <b>x</b> is ben's"
    )
    rv.select_decision(rv.list.rows[row].key)
    detail = rv.decisions.detail.text()
    assert "✎ <b>ben</b>: &lt;b&gt;x&lt;/b&gt; is ben&#x27;s" in detail
    assert "✎ <b>alice</b>: alice: only hedged" in detail


def test_a_memo_typed_while_the_database_is_busy_waits_unsaved_and_reaches_recovery(
    qtbot, open_window, doc_ids, db, reader
):
    import json

    from test_unsaved import lock_held, press, visible_box

    w = open_window()
    doc, emoji = doc_ids["Simple"], doc_ids["Emoji"]
    w.open_document(doc)
    with lock_held(db) as release:
        qtbot.keyClick(w.view, K.Key_M, CTRL)
        qtbot.keyClicks(_memo(w), "typed while busy")
        qtbot.keyClick(_memo(w), K.Key_PageDown, CTRL)  # next article: the memo is handed on
        assert w.doc.id != doc
        assert w.saved_label.text() == "1 edit not saved — database busy, retrying"
        assert reader.memo(doc, "alice") == ""
        assert w.own_memo(doc) == "typed while busy"  # shown as typed meanwhile
        release()
        qtbot.waitUntil(lambda: reader.memo(doc, "alice") == "typed while busy", timeout=15000)
    w.open_document(emoji)
    with lock_held(db):
        qtbot.keyClick(w.view, K.Key_M, CTRL)
        qtbot.keyClicks(_memo(w), "only in the recovery file")
        w.close()  # the memo being typed is handed on, then the close waits for it
        press(qtbot, visible_box(w, "unsavedWarning"), "writeRecovery")
        done = visible_box(w, "recoveryWritten")
        [path] = sorted(db.parent.glob("labels-unsaved-*.jsonl"))
        done.button(done.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)
    [record] = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert record["memo"] == "only in the recovery file"


def _context_menu_note(qtbot, w, widget, pos) -> None:
    """Right-click at ``pos`` of ``widget``, then "Note on span…" in the menu."""
    from PySide6.QtGui import QAction, QContextMenuEvent
    from PySide6.QtWidgets import QMenu

    QApplication.sendEvent(
        widget,
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, widget.mapToGlobal(pos)),
    )
    menus = [m for m in QApplication.topLevelWidgets() if isinstance(m, QMenu) and m.isVisible()]
    assert len(menus) == 1
    [act] = [a for a in menus[0].actions() if a.objectName() == "spanNoteAction"]
    assert isinstance(act, QAction)
    act.trigger()
    menus[0].close()


def test_the_article_and_span_list_context_menus_open_the_note_editor(
    qtbot, open_window, doc_ids, reader
):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    span_id = _label_quick_brown_fox(qtbot, w)
    w.clear_selection()
    _context_menu_note(qtbot, w, w.view.viewport(), point_on_char(w.view, SIMPLE.index("brown")))
    dlg = _note_editor(w)
    assert w.view.selected_span == span_id
    qtbot.keyClicks(dlg.findChild(QPlainTextEdit, "noteText"), "from the article")
    qtbot.keyClick(dlg.findChild(QPlainTextEdit, "noteText"), K.Key_Return, CTRL)
    assert [s.note for s in reader.spans(doc, "alice")] == ["from the article"]
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=2000)
    # Off a span, the article's own menu has no note entry.
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QMenu

    vp, pos = w.view.viewport(), point_on_char(w.view, SIMPLE.index("lazy"))
    QApplication.sendEvent(
        vp, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, vp.mapToGlobal(pos))
    )
    shown = [m for m in QApplication.topLevelWidgets() if isinstance(m, QMenu) and m.isVisible()]
    assert all(a.objectName() != "spanNoteAction" for m in shown for a in m.actions())
    for m in shown:
        m.close()

    lst = w.panel.span_list
    rect = lst.visualItemRect(lst.item(0))
    _context_menu_note(qtbot, w, lst.viewport(), rect.center())
    dlg = _note_editor(w)
    edit = dlg.findChild(QPlainTextEdit, "noteText")
    assert edit.toPlainText() == "from the article"
    edit.selectAll()
    qtbot.keyClick(edit, K.Key_Delete)
    qtbot.keyClick(edit, K.Key_Return, CTRL)  # empty: the note is removed
    assert [s.note for s in reader.spans(doc, "alice")] == [""]
    assert w.undo_stack.undoText() == "Remove span note"


def test_switching_coder_stores_the_memo_being_typed_under_the_coder_who_typed_it(
    qtbot, open_window, doc_ids, reader
):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    qtbot.keyClick(w.view, K.Key_M, CTRL)
    qtbot.keyClicks(_memo(w), "alice's reasons")
    w.switch_coder("ben")
    assert w.coder == "ben" and w.doc.id == doc
    assert reader.memo(doc, "alice") == "alice's reasons"
    assert _memo(w).toPlainText() == ""  # ben's own memo: none yet
    qtbot.keyClick(w.view, K.Key_M, CTRL)
    qtbot.keyClicks(_memo(w), "ben's")
    w.switch_coder("alice")
    assert reader.memos(doc) == {"alice": "alice's reasons", "ben": "ben's"}
    assert _memo(w).toPlainText() == "alice's reasons"


def test_review_opened_right_after_typing_a_memo_shows_it(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    qtbot.keyClick(w.view, K.Key_M, CTRL)
    qtbot.keyClicks(_memo(w), "typed, then straight to review")
    qtbot.keyClick(_memo(w), K.Key_R, CTRL | M.ShiftModifier)  # no pause, no click away
    rv = w.review_window
    assert rv is not None and rv.doc.id == doc
    assert reader.memo(doc, "alice") == "typed, then straight to review"
    labels = rv.memos.labels
    assert {c: lab.text() for c, lab in labels.items()} == {
        "alice": "typed, then straight to review"
    }


def test_an_open_review_shows_a_memo_typed_in_the_main_window_when_it_is_clicked_back(
    qtbot, open_window, doc_ids, reader
):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    qtbot.keyClick(w.view, K.Key_R, CTRL | M.ShiftModifier)
    rv = w.review_window
    assert rv is not None
    qtbot.waitUntil(rv.isActiveWindow, timeout=2000)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=2000)
    qtbot.keyClick(w.view, K.Key_M, CTRL)
    qtbot.keyClicks(_memo(w), "written while the review was open")
    rv.activateWindow()  # back to the review: the memo box loses focus, the memo is stored
    qtbot.waitUntil(rv.isActiveWindow, timeout=2000)
    qtbot.waitUntil(lambda: reader.memo(doc, "alice") != "", timeout=2000)
    labels = rv.memos.labels
    assert {c: lab.text() for c, lab in labels.items()} == {
        "alice": "written while the review was open"
    }
