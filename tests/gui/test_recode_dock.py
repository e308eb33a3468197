"""After ``annotator scheme split-label`` the window shows the coder's recode worklist (a
count and a queue of documents, issue 16) and it empties as the coder recodes."""

from __future__ import annotations

from gui_helpers import SIMPLE, click_char
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from annotator.codebook import split_label
from annotator.store import Store

K = Qt.Key


def test_the_worklist_shows_and_empties_as_spans_are_recoded(
    qtbot, open_window, db, doc_ids, reader
):
    simple, emoji = doc_ids["Simple"], doc_ids["Emoji"]
    q = SIMPLE.index("quick")
    with Store(db) as s:
        first = s.add_span(simple, "alice", q, q + 5, "alarmist")
        s.add_span(emoji, "alice", 0, 3, "alarmist")
        s.add_span(simple, "bob", q, q + 5, "alarmist")  # bob's list, not alice's
        split_label(s, "alarmist", ["military_threat", "economic_threat"], by="lead")
        key = s.scheme.label("military_threat").key
    w = open_window("alice")
    w.open_document(simple)
    qtbot.waitUntil(lambda: w.recode_queue is not None and w.recode_queue.isVisible(), timeout=3000)
    queue = w.recode_queue
    assert w.isActiveWindow() and QApplication.focusWidget() is w.view  # keys still label
    assert queue.count.text() == "⚠ 2 spans to recode (codebook split)"
    assert queue.documents.count() == 2
    # the retired label is no longer offered; the new ones are
    assert "alarmist" not in w.panel.label_buttons and "military_threat" in w.panel.label_buttons
    click_char(qtbot, w.view, q + 2)
    assert w.view.selected_span == first.id
    qtbot.keyClick(w.view, getattr(K, f"Key_{key.upper()}"))
    assert reader.span(first.id).label == "military_threat"
    qtbot.waitUntil(
        lambda: queue.count.text() == "⚠ 1 span to recode (codebook split)", timeout=3000
    )
    # activating the queue's document opens it
    queue.documents.setCurrentRow(0)
    queue.documents.setFocus()
    qtbot.keyClick(queue.documents, K.Key_Return)
    assert w.doc is not None and w.doc.id == emoji
    click_char(qtbot, w.view, 1)
    assert w.view.selected_span == reader.spans(emoji, "alice")[0].id
    qtbot.keyClick(w.view, K.Key_Delete)
    qtbot.waitUntil(lambda: not queue.isVisible(), timeout=3000)
    assert reader.recode_worklist("alice") == []


def test_no_dock_when_nothing_was_split(qtbot, open_window, doc_ids):
    w = open_window("alice")
    w.open_document(doc_ids["Simple"])
    qtbot.wait(50)
    assert w.recode_queue is None
