"""The coder's recode worklist in the window (issue 16): a count and a queue of the
documents with spans of a split label; real widgets, real key and mouse events."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from annotator import codebook
from annotator.gui.recode_queue import RecodeQueue
from annotator.store import Store


def test_count_and_queue_follow_the_recoding(qtbot, db, doc_ids):
    simple, emoji = doc_ids["Simple"], doc_ids["Emoji"]
    with Store(db) as s:
        a = s.add_span(simple, "alice", 0, 3, "alarmist")
        b = s.add_span(emoji, "alice", 0, 2, "alarmist")
        c = s.add_span(emoji, "alice", 2, 4, "alarmist")
        s.add_span(simple, "bob", 0, 3, "alarmist")
    store = Store(db)
    opened: list[int] = []
    host = QWidget()
    qtbot.addWidget(host)
    queue = RecodeQueue(store, "alice", opened.append, host)
    QVBoxLayout(host).addWidget(queue)
    host.show()
    qtbot.waitExposed(host)
    assert queue.isHidden()  # nothing split yet
    codebook.split_label(store, "alarmist", ["military", "economic"])
    queue.refresh()
    assert queue.isVisible() and queue.remaining == 3
    assert queue.count.text() == "⚠ 3 spans to recode (codebook split)"
    assert "alarmist → military | economic" in queue.count.toolTip()
    items = [queue.documents.item(i).text() for i in range(queue.documents.count())]
    assert len(items) == 2 and items[0].startswith("1 · ") and items[1].startswith("2 · ")
    assert queue.next_document() == min(simple, emoji)
    # Enter on the current document opens it; a double click too
    queue.documents.setFocus()
    queue.documents.setCurrentRow(0)
    qtbot.keyClick(queue.documents, Qt.Key.Key_Return)
    assert opened == [min(simple, emoji)]
    rect = queue.documents.visualItemRect(queue.documents.item(1))
    view = queue.documents.viewport()
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened[-1] == max(simple, emoji)
    # recoding empties the queue
    store.relabel_span(a.id, "military")
    store.delete_span(b.id)
    queue.refresh()
    assert (
        queue.count.text() == "⚠ 1 span to recode (codebook split)" and queue.documents.count() == 1
    )
    store.relabel_span(c.id, "economic")
    queue.refresh()
    assert queue.remaining == 0 and queue.isHidden()
    store.close()
