"""After ``annotator scheme split-label`` the window shows the coder's recode worklist (a
count and a queue of documents, issue 16) and it empties as the coder recodes."""

from __future__ import annotations

from pathlib import Path

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


def test_a_split_made_while_the_window_is_open_brings_the_new_labels(
    qtbot, open_window, db, doc_ids, reader
):
    """The lead runs ``annotator scheme split-label`` (another process) while the coder
    codes: at the next edit or document the window takes the new scheme, so the split
    label is no longer offered (no new span of it joins the worklist) and the labels it
    was split into are, with the worklist shown; focus stays in the article."""
    import os
    import subprocess
    import sys

    simple = doc_ids["Simple"]
    q = SIMPLE.index("quick")
    with Store(db) as s:
        first = s.add_span(simple, "alice", q, q + 5, "alarmist")
    w = open_window("alice")
    w.open_document(simple)
    qtbot.wait(50)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    args = ["scheme", "split-label", "alarmist", "--into", "military", "economic"]
    out = subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    lazy = SIMPLE.index("lazy")
    w.view.select_cp(lazy, lazy + 4)
    qtbot.keyClick(w.view, K.Key_2)  # an edit: the window learns of the new scheme
    qtbot.waitUntil(lambda: "military" in w.panel.label_buttons, timeout=3000)
    assert "alarmist" not in w.panel.label_buttons
    assert w.scheme.label("alarmist").retired
    qtbot.waitUntil(lambda: w.recode_queue is not None and w.recode_queue.isVisible(), timeout=3000)
    assert w.recode_queue.count.text() == "⚠ 1 span to recode (codebook split)"
    assert QApplication.focusWidget() is w.view
    # the old key no longer makes a span of the split label
    e = SIMPLE.index("amused")
    w.view.select_cp(e, e + 6)
    qtbot.keyClick(w.view, K.Key_1)
    assert [s.label for s in reader.spans(simple, "alice")] == ["alarmist", "skeptical_of_alliance"]
    # the split one is recoded with a new label's key
    click_char(qtbot, w.view, q + 2)
    assert w.view.selected_span == first.id
    key = w.scheme.label("military").key
    qtbot.keyClick(w.view, getattr(K, f"Key_{key.upper()}"))
    assert reader.span(first.id).label == "military"
    qtbot.waitUntil(lambda: not w.recode_queue.isVisible(), timeout=3000)
    # undo of the relabel: back on the worklist
    qtbot.keyClick(w.view, K.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert reader.span(first.id).label == "alarmist"
    qtbot.waitUntil(lambda: w.recode_queue.isVisible(), timeout=3000)
    assert w.recode_queue.count.text() == "⚠ 1 span to recode (codebook split)"


def test_the_worklist_keeps_the_labels_on_screen_and_each_count_readable(
    qtbot, open_window, db, doc_ids
):
    """On a laptop screen the worklist must not squeeze the articles and the labels, and
    a long title must not push its count out of sight (it scrolled sideways)."""
    ids = sorted(doc_ids[t] for t in ("Simple", "Emoji"))
    with Store(db) as s:
        long = max(s.list_documents(), key=lambda d: len(d.title))
        assert len(long.title) > 40
        for d in ids + [long.id]:
            s.add_span(d, "alice", 0, 3, "alarmist")
        split_label(s, "alarmist", ["military_threat", "economic_threat"], by="lead")
    w = open_window("alice")
    w.resize(1366, 768)
    w.open_document(ids[0])
    qtbot.waitUntil(lambda: w.recode_queue is not None and w.recode_queue.isVisible(), timeout=3000)
    qtbot.wait(50)
    queue = w.recode_queue
    assert queue.parentWidget() is w.doc_list  # in the list's pane, not a column of its own
    panel_right = w.panel.mapTo(w, w.panel.rect().topRight()).x()
    assert panel_right <= w.width(), (panel_right, w.width())  # the labels stay on screen
    docs = queue.documents
    assert not docs.horizontalScrollBar().isVisible()
    texts = [docs.item(i).text() for i in range(docs.count())]
    assert all(t.startswith("1 · ") for t in texts), texts  # the count first
    row = next(i for i in range(docs.count()) if long.title in texts[i])
    assert docs.item(row).toolTip() == long.title
    rect = docs.visualItemRect(docs.item(row))
    assert rect.right() <= docs.viewport().width()  # wrapped, not cut off
