"""Edits the database cannot take (another process holds the lock, the database is full)
stay on screen as unsaved, are retried in order until written, and closing with unsaved
edits offers to wait or to write a recovery file that ``annotator import-labels`` reads.

Faults are real: a second process holding ``BEGIN IMMEDIATE``, ``PRAGMA max_page_count``
on the window's own connection. Edits are made with real key and mouse events.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from gui_helpers import SIMPLE, click_button, click_char, drag_select, point_on_char
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton

from annotator.errors import DatabaseFullError
from annotator.store import Store

K = Qt.Key
M = Qt.KeyboardModifier
ROOT = Path(__file__).resolve().parents[2]

HOLDER = (
    "import sqlite3, sys\n"
    "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "c.execute('BEGIN IMMEDIATE')\n"
    "for sql in sys.argv[2:]:\n"
    "    c.execute(sql)\n"
    "print('locked', flush=True)\n"
    "sys.stdin.readline()\n"
    "c.execute('COMMIT')\n"
)


@contextmanager
def lock_held(db: Path, *sql: str):
    """Another process holds the database's write lock (running ``sql`` in it) until the
    block's ``release()`` is called (or the block ends)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), *sql],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            proc.communicate("go\n", timeout=30)
            assert proc.returncode == 0

    try:
        assert proc.stdout.readline().strip() == "locked"
        yield release
    finally:
        if not released:
            release()


def spans_of(reader, doc_id, who="alice"):
    return [(s.start, s.end, s.label) for s in reader.spans(doc_id, who)]


def select_word(qtbot, view, word: str) -> tuple[int, int]:
    a = SIMPLE.index(word)
    drag_select(qtbot, view, point_on_char(view, a), point_on_char(view, a + len(word) - 1))
    assert view.selection_cp() == (a, a + len(word))
    return a, a + len(word)


def unsaved_rows(w) -> list[str]:
    items = [w.panel.span_list.item(i) for i in range(w.panel.span_list.count())]
    return [it.text() for it in items if it.data(Qt.ItemDataRole.UserRole + 1)]


def test_a_busy_database_keeps_edits_on_screen_and_writes_them_in_order_once_free(
    qtbot, open_window, doc_ids, reader, db
):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    view = w.view
    # A key press never waits long for another process's lock.
    assert 0 < w.store.conn.execute("PRAGMA busy_timeout").fetchone()[0] <= 200
    with lock_held(db) as release:
        quick = select_word(qtbot, view, "quick")
        qtbot.keyClick(view, K.Key_1)
        assert spans_of(reader, doc) == []  # not written ...
        assert [(s.start16, s.end16, s.label, s.unsaved) for s in view._spans] == [
            (*quick, "alarmist", True)  # ... but on screen, marked unsaved, and selected
        ]
        assert view.selected_span == view._spans[0].id
        assert w.saved_label.text() == "1 edit not saved — database busy, retrying"
        qtbot.keyClick(view, K.Key_2)  # relabel the unsaved span: queued behind its add
        lazy = select_word(qtbot, view, "lazy")
        qtbot.keyClick(view, K.Key_3)
        click_button(qtbot, w.panel.fields["dominant_frame"].buttons["alarmist"])
        assert w.saved_label.text() == "4 edits not saved — database busy, retrying"
        assert [r.split(" · ")[0] for r in unsaved_rows(w)] == ["UNSAVED", "UNSAVED"]
        assert w.panel.spans_title.text() == "SPANS IN THIS ARTICLE (2)"
        # Switching documents and back keeps them.
        w.open_document(doc_ids["Emoji"])
        assert view._spans == []
        w.open_document(doc)
        assert [(s.label, s.unsaved) for s in view._spans] == [
            ("skeptical_of_alliance", True),
            ("policy_prescription", True),
        ]
        assert w.panel.fields["dominant_frame"].value() == "alarmist"
        assert reader.spans(doc) == [] and reader.doc_labels(doc, "alice") == {}
        click_char(qtbot, view, lazy[0] + 1)  # an unsaved span can be selected
        assert view.selected_span is not None and view.selected_span < 0
        assert "(not saved yet)" in w.statusBar().currentMessage()
        release()
        qtbot.waitUntil(lambda: not w.pending, timeout=15000)
    # Written once each, in order: the add and then its relabel.
    assert spans_of(reader, doc) == [
        (*quick, "skeptical_of_alliance"),
        (*lazy, "policy_prescription"),
    ]
    assert reader.doc_labels(doc, "alice") == {"dominant_frame": "alarmist"}
    assert w.saved_label.text().startswith("✓ Saved")
    assert not any(s.unsaved for s in view._spans) and unsaved_rows(w) == []
    # The selection follows the span to its real id.
    assert view.selected_span == reader.spans(doc, "alice")[1].id
    qtbot.keyClick(view, K.Key_1)  # and it is editable as usual
    assert spans_of(reader, doc)[1] == (*lazy, "alarmist")


def test_undo_and_redo_of_unsaved_edits_queue_in_order(qtbot, open_window, doc_ids, reader, db):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    view = w.view
    fox = select_word(qtbot, view, "fox")
    qtbot.keyClick(view, K.Key_1)  # saved before the lock
    [saved] = reader.spans(doc, "alice")
    with lock_held(db) as release:
        dog = select_word(qtbot, view, "dog")
        qtbot.keyClick(view, K.Key_2)
        qtbot.keyClick(view, K.Key_Z, M.ControlModifier)  # undo the unsaved add
        assert [s.label for s in view._spans] == ["alarmist"]
        qtbot.keyClick(view, K.Key_Z, M.ControlModifier)  # undo the saved add
        assert view._spans == []
        qtbot.keyClick(view, K.Key_Z, M.ControlModifier | M.ShiftModifier)  # redo both
        qtbot.keyClick(view, K.Key_Z, M.ControlModifier | M.ShiftModifier)
        assert [(s.label, s.unsaved) for s in view._spans] == [
            ("alarmist", True),
            ("skeptical_of_alliance", True),
        ]
        # 5 span edits, and the article back to "new" and on to "in progress" again
        # (the undo and redo of its first span)
        assert len(w.pending) == 7
        release()
        qtbot.waitUntil(lambda: not w.pending, timeout=15000)
    assert spans_of(reader, doc) == [(*fox, "alarmist"), (*dog, "skeptical_of_alliance")]
    assert reader.spans(doc, "alice")[0].id == saved.id  # restored with its id
    assert reader.status(doc, "alice") == "in_progress"
    # Undo after the writes: the handle of the span added while busy finds its real id.
    qtbot.keyClick(view, K.Key_Z, M.ControlModifier)
    assert spans_of(reader, doc) == [(*fox, "alarmist")]


def test_an_edit_refused_for_good_is_reported_and_does_not_block_the_others(
    qtbot, open_window, doc_ids, reader, db, capfd
):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    view = w.view
    select_word(qtbot, view, "fox")
    qtbot.keyClick(view, K.Key_1)
    [span] = reader.spans(doc, "alice")
    # The other process deletes that span while it holds the lock.
    with lock_held(db, f"DELETE FROM spans WHERE id = {span.id}") as release:
        click_char(qtbot, view, SIMPLE.index("fox") + 1)
        assert view.selected_span == span.id
        qtbot.keyClick(view, K.Key_2)  # relabel: pending, and doomed
        dog = select_word(qtbot, view, "dog")
        qtbot.keyClick(view, K.Key_3)
        assert len(w.pending) == 2
        release()
        qtbot.waitUntil(lambda: not w.pending, timeout=15000)
    assert spans_of(reader, doc) == [(*dog, "policy_prescription")]
    err = capfd.readouterr().err
    [line] = [x for x in err.splitlines() if "given up" in x]
    assert f"unknown span {span.id}" in line and "relabel" in line
    assert "given up" in w.statusBar().currentMessage()


def fill(store, doc: int) -> None:
    """Make the database full for ``store``'s connection (its page limit is reached)."""
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count={pages}")
    for size in (4000, 400, 40, 0):
        try:
            for _ in range(2000):
                store.add_span(doc, "filler", 0, 3, "alarmist", note="x" * size)
        except DatabaseFullError:
            continue
    try:
        store.add_span(doc, "filler", 0, 3, "alarmist")
    except DatabaseFullError:
        return
    raise AssertionError("the database did not fill up")


def test_a_full_database_keeps_edits_until_there_is_room(qtbot, open_window, doc_ids, reader):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    view = w.view
    fill(w.store, doc)
    quick = select_word(qtbot, view, "quick")
    qtbot.keyClick(view, K.Key_1)
    qtbot.keyClick(view, K.Key_Return, M.ControlModifier)  # mark done (and go on)
    # The span and "done" (the coding time recorded on leaving the article is not counted).
    assert w.saved_label.text() == "2 edits not saved — disk or database full, retrying"
    assert len(w.pending) == 3
    assert spans_of(reader, doc) == [] and reader.status(doc, "alice") != "done"
    assert w.doc_list.state_of(doc) == "done"
    w.store.conn.execute("PRAGMA max_page_count=1073741823")
    qtbot.waitUntil(lambda: not w.pending, timeout=15000)
    assert spans_of(reader, doc) == [(*quick, "alarmist")]
    assert reader.status(doc, "alice") == "done"
    assert w.saved_label.text().startswith("✓ Saved")


def visible_box(w, name: str) -> QMessageBox:
    boxes = [b for b in w.findChildren(QMessageBox, name) if b.isVisible()]
    assert len(boxes) == 1, boxes
    return boxes[0]


def press(qtbot, box: QMessageBox, name: str) -> None:
    qtbot.mouseClick(box.findChild(QPushButton, name), Qt.MouseButton.LeftButton)


def test_closing_with_unsaved_edits_can_wait_until_they_are_saved(
    qtbot, open_window, doc_ids, reader, db
):
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    with lock_held(db) as release:
        quick = select_word(qtbot, w.view, "quick")
        qtbot.keyClick(w.view, K.Key_1)
        w.close()
        assert w.isVisible()  # not closed: warned
        box = visible_box(w, "unsavedWarning")
        assert "1 edit is not saved yet (database busy)" in box.text()
        press(qtbot, box, "keepWorking")
        assert w.isVisible() and w.pending.count() == 1
        # No other database is opened while edits wait for this one.
        other = db.with_name("other.db")
        Store(other).close()  # (a copy of db would read the open database: lockguard refuses)
        w.files.open_database(other)
        assert w.store.path == db
        assert "wait until they are saved" in w.statusBar().currentMessage()
        w.close()
        press(qtbot, visible_box(w, "unsavedWarning"), "closeWhenSaved")
        assert w.isVisible()
        release()
        qtbot.waitUntil(lambda: not w.isVisible(), timeout=15000)
    assert spans_of(reader, doc) == [(*quick, "alarmist")]


def test_closing_writes_a_recovery_file_that_import_labels_restores(
    qtbot, open_window, doc_ids, reader, db
):
    w = open_window()
    doc, emoji = doc_ids["Simple"], doc_ids["Emoji"]
    w.open_document(doc)
    view = w.view
    fox = select_word(qtbot, view, "fox")
    qtbot.keyClick(view, K.Key_1)
    dog = select_word(qtbot, view, "dog")
    qtbot.keyClick(view, K.Key_1)
    fox_id, dog_id = (s.id for s in reader.spans(doc, "alice"))
    with lock_held(db):
        quick = select_word(qtbot, view, "quick")
        qtbot.keyClick(view, K.Key_2)  # a new span
        qtbot.keyClick(view, K.Key_3)  # ... relabelled
        lazy = select_word(qtbot, view, "lazy")
        qtbot.keyClick(view, K.Key_1)  # a new span ...
        qtbot.keyClick(view, K.Key_Delete)  # ... deleted again: nothing to restore
        click_char(qtbot, view, fox[0] + 1)
        qtbot.keyClick(view, K.Key_2)  # relabel a saved span
        click_char(qtbot, view, dog[0] + 1)
        qtbot.keyClick(view, K.Key_Delete)  # delete a saved span
        click_button(qtbot, w.panel.fields["dominant_frame"].buttons["skeptical_of_alliance"])
        click_button(qtbot, w.panel.fields["frames_present"].buttons["alarmist"])
        w.open_document(emoji)
        click_button(qtbot, w.panel.fields["dominant_frame"].buttons["alarmist"])
        qtbot.keyClick(w.view, K.Key_Return, M.ControlModifier)  # mark done (and go on)
        n = w.pending.count()
        w.close()
        press(qtbot, visible_box(w, "unsavedWarning"), "writeRecovery")
        done = visible_box(w, "recoveryWritten")
        [path] = sorted(db.parent.glob("labels-unsaved-*.jsonl"))
        assert f"Unsaved: {n} edits, written to {path}" in done.text()
        command = f"annotator --db {db} import-labels {path}"
        assert command in done.text()
        assert "delete the saved alarmist span" in done.text()
        assert "mark the document" not in done.text()  # "done" is restored by the import
        done.button(QMessageBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)
    assert spans_of(reader, doc) == [(*fox, "alarmist"), (*dog, "alarmist")]
    assert not list(db.parent.glob(".*.part"))
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert [r["_annotator_id"] for r in lines] == ["alice", "alice"]
    # The real command line restores the intended spans and fields.
    w.store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = command.split()[1:]
    out = subprocess.run(
        [sys.executable, "-m", "annotator", *args], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    got = spans_of(reader, doc)
    assert (*quick, "policy_prescription") in got and (*fox, "skeptical_of_alliance") in got
    assert not any(s[:2] == lazy for s in got)
    # What import-labels cannot express stays (and was listed): the deleted span, the
    # relabelled span's old label.
    assert sorted(got) == sorted(
        [
            (*quick, "policy_prescription"),
            (*fox, "skeptical_of_alliance"),
            (*fox, "alarmist"),
            (*dog, "alarmist"),
        ]
    )
    assert {s.id for s in reader.spans(doc, "alice")} >= {fox_id, dog_id}
    assert reader.doc_labels(doc, "alice") == {
        "dominant_frame": "skeptical_of_alliance",
        "frames_present": ("alarmist",),
    }
    assert reader.doc_labels(emoji, "alice") == {"dominant_frame": "alarmist"}
    assert reader.status(emoji, "alice") == "done"
    # Importing it again changes nothing.
    again = subprocess.run(
        [sys.executable, "-m", "annotator", *args], capture_output=True, text=True, env=env
    )
    assert again.returncode == 0 and sorted(spans_of(reader, doc)) == sorted(got)


# -- review mode: gold edits take the same path ----------------------------------------

from test_review import (  # noqa: E402  (the review tests' database and helpers)
    MUST,
    SHAKY,
    gold_spans,
    ids,  # noqa: F401  (fixtures)
    key,
    rdb,  # noqa: F401
    review,  # noqa: F401
    review_template,  # noqa: F401
    select,
)


def gold_cell(w, decision_key) -> str:
    row = [d.key for d in w.list.rows].index(decision_key)
    return w.list.topLevelItem(row).text(4)


def test_review_gold_edits_stay_unsaved_and_are_written_in_order(qtbot, review, ids, rdb):  # noqa: F811
    doc = ids["Disputed"]
    w = review(doc)
    shaky = ("span", *SHAKY, "skeptical_of_alliance")
    must = ("span", *MUST, "alarmist")
    with Store(rdb) as check, lock_held(rdb) as release:
        select(w, shaky)
        key(w, K.Key_A)
        assert gold_spans(check, doc) == {}
        assert gold_cell(w, shaky) == "✓ gold · unsaved"
        assert [(x.label, x.unsaved) for x in w.view._layers if x.layer == "gold"] == [
            ("skeptical_of_alliance", True)  # drawn hatched, outline dashed
        ]
        assert w.saved_label.text() == "1 edit not saved — database busy, retrying"
        key(w, K.Key_Z, M.ControlModifier)  # undo the accept: queued behind it
        assert gold_cell(w, shaky) == ""
        key(w, K.Key_Z, M.ControlModifier | M.ShiftModifier)
        assert gold_cell(w, shaky) == "✓ gold · unsaved"
        select(w, must)
        key(w, K.Key_R)  # pass over it: a rejection (undoable), also queued
        assert gold_cell(w, must) == "✗ rejected · unsaved"
        assert len(w.pending) == 4
        release()
        qtbot.waitUntil(lambda: not w.pending, timeout=15000)
        assert gold_spans(check, doc) == {(*SHAKY, "skeptical_of_alliance"): ("ana", "ben")}
        assert check.rejected_decisions(doc) == {json.dumps(list(must))}
    assert gold_cell(w, shaky) == "✓ gold" and gold_cell(w, must) == "✗ rejected"
    assert [x.unsaved for x in w.view._layers if x.layer == "gold"] == [False]
    assert w.saved_label.text().startswith("✓ Saved")
    # Closing with gold edits of its own queue pending: warned, closes once written.
    with Store(rdb) as check, lock_held(rdb) as release:
        select(w, must)
        key(w, K.Key_A)
        w.close()
        assert w.isVisible()
        press(qtbot, visible_box(w, "unsavedWarning"), "closeWhenSaved")
        assert w.isVisible()
        release()
        qtbot.waitUntil(lambda: not w.isVisible(), timeout=15000)
        assert (*MUST, "alarmist") in gold_spans(check, doc)


def test_review_from_the_main_window_shares_its_queue(qtbot, rdb, ids):  # noqa: F811
    from PySide6.QtCore import QSettings

    from annotator.gui import main_window
    from annotator.gui.review import open_review

    doc = ids["Disputed"]
    mw = main_window(rdb, "ana", settings=QSettings())
    qtbot.addWidget(mw)
    mw.show()
    qtbot.waitExposed(mw)
    try:
        w = open_review(mw, doc)
        qtbot.waitExposed(w)
        w.activateWindow()
        qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2000)
        w.list.setFocus()
        with Store(rdb) as check, lock_held(rdb) as release:
            select(w, ("span", *SHAKY, "skeptical_of_alliance"))
            key(w, K.Key_A)
            assert len(mw.pending) == 1 and not w._retry.isActive()
            assert mw.saved_label.text() == "1 edit not saved — database busy, retrying"
            # A recovery file cannot carry gold (import-labels refuses it): it says so.
            records, lost = mw.pending.recovery_records()
            assert records == []
            assert lost == [
                f"document {doc}: review mode: accept skeptical_of_alliance span"
                f" [{SHAKY[0]}, {SHAKY[1]}) into gold in document {doc}; redo it there"
            ]
            release()
            qtbot.waitUntil(lambda: not mw.pending, timeout=15000)
            assert gold_spans(check, doc) == {(*SHAKY, "skeptical_of_alliance"): ("ana", "ben")}
        assert gold_cell(w, ("span", *SHAKY, "skeptical_of_alliance")) == "✓ gold"
    finally:
        mw.close()
        mw.store.close()


def test_a_file_that_cannot_be_written_keeps_edits_until_it_can(
    qtbot, open_window, doc_ids, reader, db
):
    """The database's write-ahead log made immutable (``chattr +i``, which binds root too;
    chmod would not): writes fail with an I/O error; edits wait and are written after."""
    w = open_window()
    doc = doc_ids["Simple"]
    w.open_document(doc)
    view = w.view
    fox = select_word(qtbot, view, "fox")
    qtbot.keyClick(view, K.Key_1)  # the -wal file exists now
    wal = str(db) + "-wal"
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", wal]).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        dog = select_word(qtbot, view, "dog")
        qtbot.keyClick(view, K.Key_2)
        assert w.saved_label.text() == "1 edit not saved — database cannot be written, retrying"
        assert "disk I/O error" in w.saved_label.toolTip()
        assert [s.unsaved for s in view._spans] == [False, True]
    finally:
        subprocess.run(["chattr", "-i", wal], check=True)
    qtbot.waitUntil(lambda: not w.pending, timeout=15000)
    assert spans_of(reader, doc) == [(*fox, "alarmist"), (*dog, "skeptical_of_alliance")]
