"""The coder's queue in the window (issue 13): the list shows the coder's documents of the
current round in queue order with positions, a line with the round and how many are done,
Ctrl+Enter goes to the queue's next not done, the other articles wait behind "Show all
articles" (remembered per database), and nothing tells the reliability sample apart.
Real SQLite files with designs made by the store, real key and mouse events."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox

from annotator.gui.document_list import (
    COL_POS,
    COL_SPANS,
    COL_STATE,
    COL_TITLE,
    META_ROLE,
    OUTSIDE_ROLE,
    POS_ROLE,
)
from annotator.store import Store

K, M = Qt.Key, Qt.KeyboardModifier
ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.UserRole,
    Qt.ItemDataRole.UserRole + 1,
    META_ROLE,
    POS_ROLE,
    OUTSIDE_ROLE,
]


def design(path, queues, round_name="main", flags=None):
    """Record ``round_name`` with each coder's queue (document ids in order); ``flags``
    gives the reliability flag of a document (default False)."""
    flags = flags or {}
    with Store(path) as s:
        s.create_round(round_name, 1, {"coders": sorted(queues)})
        s.add_assignments(
            round_name,
            [
                (coder, doc, flags.get(doc, False), pos)
                for coder, docs in queues.items()
                for pos, doc in enumerate(docs, 1)
            ],
        )


def shown(w) -> list[int]:
    return w.navigator.visible_ids()


def positions(w) -> list[str]:
    proxy = w.doc_list.proxy
    return [proxy.index(r, COL_POS).data() for r in range(proxy.rowCount())]


def ctrl_enter(qtbot, w):
    qtbot.keyClick(w.view, K.Key_Return, M.ControlModifier)


def click_show_all(qtbot, w):
    box = w.doc_list.findChild(QCheckBox, "showAllArticles")
    assert box is not None and box.isVisible()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    return box


def test_the_queue_is_shown_in_order_with_positions_and_the_round(qtbot, open_window, db, doc_ids):
    ids = sorted(set(doc_ids.values()))
    queue = [ids[4], ids[0], ids[2]]
    design(db, {"alice": queue, "bob": [ids[1], ids[4]]})
    with Store(db) as s:
        s.set_status(ids[4], "alice", "done")
    w = open_window("alice")
    assert shown(w) == queue  # the queue only, in its order
    assert positions(w) == ["1", "2", "3"]
    assert w.doc_list.queue_label.text() == "Round main · 1 of 3 done"
    assert w.doc.id == ids[0]  # the first not done
    header = w.doc_list.view.horizontalHeader()
    assert header.visualIndex(COL_POS) == 0 and not header.isSectionHidden(COL_POS)
    assert w.coder_label.text() == "Coder: alice · round main"
    assert not w.doc_list.progress_text.isVisible()  # the line above says it
    assert w.doc_list.progress_bar.maximum() == 3 and w.doc_list.progress_bar.value() == 1
    # a state glyph in each row, as the list shows it without a queue
    proxy = w.doc_list.proxy
    assert [proxy.index(r, COL_STATE).data() for r in range(3)] == ["●", "○", "○"]
    # Alt+Down / Alt+Up move through the list as shown: the queue
    qtbot.keyClick(w.view, K.Key_Down, M.AltModifier)
    assert w.doc.id == ids[2]
    qtbot.keyClick(w.view, K.Key_Down, M.AltModifier)
    assert w.doc.id == ids[2]  # no more in this direction
    qtbot.keyClick(w.view, K.Key_Up, M.AltModifier)
    qtbot.keyClick(w.view, K.Key_Up, M.AltModifier)
    assert w.doc.id == ids[4]


def test_ctrl_enter_goes_to_the_queue_s_next_not_done_wrapping_then_says_all_done(
    qtbot, open_window, db, doc_ids, reader
):
    ids = sorted(set(doc_ids.values()))
    a, b, c, d = ids[5], ids[1], ids[3], ids[0]
    design(db, {"alice": [a, b, c, d]})
    with Store(db) as s:
        s.set_status(b, "alice", "done")
    w = open_window("alice")
    assert w.doc.id == a
    w.open_document(d)  # the last of the queue
    ctrl_enter(qtbot, w)
    assert reader.status(d, "alice") == "done"
    assert w.doc.id == a  # wrapped round to the first not done
    assert w.doc_list.queue_label.text() == "Round main · 2 of 4 done"
    ctrl_enter(qtbot, w)
    assert w.doc.id == c  # b is done: skipped
    assert w.doc_list.queue_label.text() == "Round main · 3 of 4 done"
    ctrl_enter(qtbot, w)
    assert reader.status(c, "alice") == "done"
    assert w.doc.id == c  # nothing left: it stays
    assert w.statusBar().currentMessage() == "All 4 articles of round main are done."
    assert w.doc_list.queue_label.text() == "Round main · 4 of 4 done"
    assert w.doc_list.progress_bar.value() == 4
    qtbot.keyClick(w.view, K.Key_Z, M.ControlModifier)  # undo: c is not done again
    assert reader.status(c, "alice") != "done"
    assert w.doc_list.queue_label.text() == "Round main · 3 of 4 done"


def test_show_all_articles_adds_the_others_after_the_queue_and_is_remembered(
    qtbot, open_window, db, doc_ids, tmp_path
):
    ids = sorted(set(doc_ids.values()))
    queue = [ids[3], ids[1]]
    other = tmp_path / "other.db"  # another database (copied before a window opens this one)
    shutil.copy(db, other)
    design(db, {"alice": queue, "bob": [ids[0]]})
    w = open_window("alice")
    assert shown(w) == queue
    box = click_show_all(qtbot, w)
    assert box.isChecked()
    others = [i for i in ids if i not in queue]
    assert shown(w) == queue + others  # the queue first, then the rest in their order
    assert positions(w) == ["1", "2"] + [""] * len(others)
    proxy = w.doc_list.proxy
    assert [proxy.index(r, COL_TITLE).data(OUTSIDE_ROLE) for r in range(proxy.rowCount())] == [
        0,
        0,
        2,
    ] + [1] * (len(others) - 1)  # the first after the queue draws the line above it
    in_queue = proxy.index(0, COL_TITLE).data(Qt.ItemDataRole.BackgroundRole)
    outside = proxy.index(2, COL_TITLE).data(Qt.ItemDataRole.BackgroundRole)
    assert in_queue is None and outside is not None  # the others are muted
    assert w.doc_list.queue_label.text() == "Round main · 0 of 2 done"  # the queue's count
    # Alt+Down goes on past the queue into the others, as shown
    w.open_document(ids[1])
    qtbot.keyClick(w.view, K.Key_Down, M.AltModifier)
    assert w.doc.id == others[0]
    w.close()

    again = open_window("alice")  # the same database: still ticked
    assert again.doc_list.show_all.isChecked()
    assert shown(again) == queue + others
    click_show_all(qtbot, again)  # unticked: the queue only, remembered too
    assert shown(again) == queue
    again.close()
    assert shown(open_window("alice")) == queue

    with Store(other) as s:  # another database starts with the queue only
        s.create_round("later", 2, {})
        s.add_assignments("later", [("alice", ids[0], False, 1)])
    w = open_window("alice")
    click_show_all(qtbot, w)
    w2 = open_window("alice", other)
    assert not w2.doc_list.show_all.isChecked()
    assert shown(w2) == [ids[0]]
    assert w2.doc_list.queue_label.text() == "Round later · 0 of 1 done"


def rendering(w) -> dict:
    """Everything the list and its line show: each cell's data in every role, the line,
    the status bar's coder, the title, and the list's pixels."""
    proxy = w.doc_list.proxy
    cells = [
        [[repr(proxy.index(r, c).data(role)) for role in ROLES] for c in range(4)]
        for r in range(proxy.rowCount())
    ]
    return {
        "cells": cells,
        "line": w.doc_list.queue_label.text(),
        "coder": w.coder_label.text(),
        "title": w.windowTitle().replace("other", "labels"),
        "pixels": w.doc_list.grab().toImage(),
    }


def test_the_reliability_sample_is_invisible_in_the_list(qtbot, open_window, db, doc_ids, tmp_path):
    ids = sorted(set(doc_ids.values()))
    queue = [ids[2], ids[0], ids[5], ids[1]]
    other = tmp_path / "other.db"
    shutil.copy(db, other)
    # identical designs except for the reliability flags (and a pack's unknown ones)
    design(db, {"alice": queue, "bob": [ids[0], ids[5]]}, flags={ids[0]: True, ids[5]: True})
    design(other, {"alice": queue, "bob": [ids[0], ids[5]]}, flags=dict.fromkeys(ids, None))
    with Store(db) as s:
        assert s.reliability_documents("main") == sorted([ids[0], ids[5]])
    seen = []
    for path in (db, other):
        w = open_window("alice", path)
        w.open_document(ids[0])
        seen.append(rendering(w))
        click_show_all(qtbot, w)
        seen.append(rendering(w))
        w.close()
    assert seen[0]["cells"] and seen[1]["cells"] != seen[0]["cells"]  # (something to compare)
    for key in ("cells", "line", "coder", "title"):
        assert seen[0][key] == seen[2][key], key
        assert seen[1][key] == seen[3][key], key
    assert seen[0]["pixels"] == seen[2]["pixels"]
    assert seen[1]["pixels"] == seen[3]["pixels"]


def test_without_a_queue_the_list_is_as_it_always_was(qtbot, open_window, db, doc_ids, reader):
    ids = sorted(set(doc_ids.values()))
    plain = open_window("alice")  # a database without rounds
    lst = plain.doc_list
    assert lst.queue_header is None and lst.show_all is None  # not even made
    assert lst.view.horizontalHeader().isSectionHidden(COL_POS)
    assert shown(plain) == ids
    assert lst.progress_text.isVisible() and "done 0 of 7" in lst.progress_text.text()
    assert plain.coder_label.text() == "Coder: alice"
    plain.close()
    design(db, {"bob": ids[:2]})  # rounds, but nothing for alice
    w = open_window("alice")
    assert w.navigator.queue is None and w.doc_list.queue_header is None
    assert shown(w) == ids
    w.open_document(ids[0])
    ctrl_enter(qtbot, w)  # the list's next, as always
    assert w.doc.id == ids[1]
    assert "done 1 of 7" in w.doc_list.progress_text.text()
    assert [w.doc_list.proxy.index(r, COL_SPANS).data() for r in range(2)] == ["", ""]


def test_switching_coder_shows_the_new_coder_s_queue(qtbot, open_window, db, doc_ids):
    ids = sorted(set(doc_ids.values()))
    design(db, {"alice": [ids[3], ids[4]], "bob": [ids[6], ids[0], ids[2]]})
    w = open_window("alice")
    assert shown(w) == [ids[3], ids[4]]
    w.switch_coder("bob")
    assert shown(w) == [ids[6], ids[0], ids[2]]
    assert w.doc.id == ids[6]  # the open article is not bob's: his first
    assert w.doc_list.queue_label.text() == "Round main · 0 of 3 done"
    w.switch_coder("carol")  # a new coder, nothing assigned: the whole list
    assert w.doc_list.queue_header.isHidden()
    assert w.doc_list.view.horizontalHeader().isSectionHidden(COL_POS)
    assert shown(w) == ids
    assert w.coder_label.text() == "Coder: carol"


# Start-up: what opening the window costs a database without rounds, and one with.
CHILD = """
import json, sqlite3, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
app = QApplication([])
from annotator.gui.app import main_window
from annotator.store import Store
store = Store(sys.argv[1])
seen = []
store.conn.set_trace_callback(seen.append)
w = main_window(store, "alice", QSettings(sys.argv[2], QSettings.Format.IniFormat))
study = [q for q in seen if "rounds" in q or "assignments" in q or "file_settings" in q]
print(json.dumps({"study_loaded": "annotator.store.study" in sys.modules,
                  "queueing_loaded": "annotator.queueing" in sys.modules,
                  "study_queries": len(study), "shown": w.navigator.visible_ids()}))
"""


def start(path, tmp_path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(tmp_path / "s.ini")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_opening_the_window_costs_one_query_and_loads_no_study_module(db, doc_ids, tmp_path):
    ids = sorted(set(doc_ids.values()))
    plain = start(db, tmp_path)
    assert plain == {
        "study_loaded": False,
        "queueing_loaded": False,
        "study_queries": 1,
        "shown": ids,
    }
    design(db, {"alice": [ids[2], ids[1]]})
    queued = start(db, tmp_path)
    assert queued["study_loaded"] is False  # the queue's one query needs no study module
    assert queued["study_queries"] == 1
    assert queued["shown"] == [ids[2], ids[1]]


def test_opening_an_article_outside_the_queue_shows_all_and_a_long_round_fits(
    qtbot, open_window, db, doc_ids
):
    ids = sorted(set(doc_ids.values()))
    long_name = "Hauptrunde — März " + "x" * 46  # 64 characters, the longest allowed
    design(db, {"alice": [ids[1], ids[2]]}, round_name=long_name)
    w = open_window("alice")
    w.splitter.setSizes([260, 700, 240])
    assert w.doc_list.width() <= 270  # the round's line does not widen the pane
    assert w.doc_list.queue_label.text() == f"Round {long_name} · 0 of 2 done"
    w.show_document(ids[4])  # e.g. from the review window: not in alice's queue
    assert w.doc.id == ids[4]
    assert w.doc_list.show_all.isChecked()  # so that the open article is in the list
    assert w.doc_list.view.currentIndex().data(Qt.ItemDataRole.UserRole) == ids[4]
    ctrl_enter(qtbot, w)  # done, and back to the queue's first not done
    assert w.doc.id == ids[1]
    assert w.doc_list.queue_label.text() == f"Round {long_name} · 0 of 2 done"


def test_a_queue_article_hidden_by_the_filter_opens_without_showing_all(
    qtbot, open_window, db, doc_ids
):
    """Ctrl+Enter while a typed filter hides the queue: the queue's next article opens,
    the filter is cleared, and the list is still the queue (the article is in it), not
    every article ("Show all articles" is for articles outside the queue, and remembered)."""
    ids = sorted(set(doc_ids.values()))
    queue = [ids[3], ids[1]]
    design(db, {"alice": queue})
    w = open_window("alice")
    assert w.doc.id == ids[3]
    qtbot.keyClicks(w.doc_list.filter, "no title has this")
    assert shown(w) == []
    ctrl_enter(qtbot, w)
    assert w.doc.id == ids[1]
    assert w.doc_list.filter.text() == ""
    assert not w.doc_list.show_all.isChecked()
    assert shown(w) == queue
