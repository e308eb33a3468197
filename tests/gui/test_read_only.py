"""A database the user cannot write opens read-only: read, review, export; edits refused
once, with a banner that stays; nothing is queued as unsaved.

Read-only is made with ``chattr +i`` on the file or its folder (tests run as root, for
whom chmod does not make a file read-only); undone at the end.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gui_helpers import SIMPLE, drag_select, point_on_char
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMessageBox

from annotator.store import GOLD, Store

K = Qt.Key


def read_only_copy(db: Path, tmp_path: Path, immutable, what: str) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    ro = folder / "labels.db"
    shutil.copy(db, ro)
    immutable(folder if what == "folder" else ro)
    return ro


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def boxes(w) -> list[QMessageBox]:
    return [b for b in w.findChildren(QMessageBox) if b.isVisible()]


def label_quick(qtbot, w, key=K.Key_1) -> None:
    q = SIMPLE.index("quick")
    drag_select(qtbot, w.view, point_on_char(w.view, q), point_on_char(w.view, q + 3))
    qtbot.keyClick(w.view, key)


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_database_opens_for_reading_and_refuses_edits_once(
    qtbot, open_window, db, doc_ids, tmp_path, immutable, what
):
    with Store(db) as s:
        s.add_span(doc_ids["Simple"], "alice", 0, 3, "alarmist")
    ro = read_only_copy(db, tmp_path, immutable, what)
    before = listing(ro.parent) if what == "folder" else None
    w = open_window("alice", ro)
    assert w.store.readonly
    assert w.read_only_label.isVisible()
    assert w.read_only_label.text() == "Read-only: changes cannot be saved"
    assert "read-only" in w.windowTitle()
    w.open_document(doc_ids["Simple"])
    assert [(s.start16, s.end16) for s in w.view._spans] == [(0, 3)]  # the labels are shown

    label_quick(qtbot, w)  # a label key: refused with one message box
    qtbot.waitUntil(lambda: len(boxes(w)) == 1, timeout=5000)
    [box] = boxes(w)
    assert "labels.db is read-only: changes cannot be saved" in box.text()
    box.close()
    label_quick(qtbot, w, K.Key_2)  # again: the status bar and the banner say it, no box
    assert "read-only" in w.statusBar().currentMessage()
    w.statusBar().clearMessage()
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=point_on_char(w.view, 1))
    assert w.view.selected_span is not None
    qtbot.keyClick(w.view, K.Key_Delete)  # deleting the stored span: refused too
    assert "read-only" in w.statusBar().currentMessage()
    assert boxes(w) == []
    assert not w.pending  # nothing waits to be retried forever
    assert "Saved" not in w.saved_label.text() or not w.saved_label.property("unsaved")
    assert [(s.start16, s.end16) for s in w.view._spans] == [(0, 3)]
    assert w.undo_stack.count() == 0

    # Reading jobs work (a read-only connection in the worker); writing jobs are refused.
    out = tmp_path / "out.jsonl"
    w.files.export_as(out, "jsonl", announce=False)
    worker = w.files.last_worker
    qtbot.waitUntil(lambda: worker.isFinished() and worker not in w.jobs, timeout=60_000)
    assert out.exists() and out.read_text(encoding="utf-8").count("\n") == 1
    assert w.files.import_paths([str(out)]) is None
    assert "read-only" in w.files.last_result.text()
    w.files.last_result.close()  # window-modal: it would block the review window's keys

    # Tools → Agreement computes in a worker on its own read-only connection.
    w.findChild(QAction, "agreement").trigger()
    view = w.agreement_window
    qtbot.waitUntil(
        lambda: view.report is not None or "Failed" in view.status.text(), timeout=60_000
    )
    assert view.report is not None, view.status.text()
    w.agreement_window.close()

    # Review mode opens too (read-only); accepting into gold is refused in its status bar.
    w.open_review(doc_ids["Simple"])
    rv = w.review_window
    qtbot.waitExposed(rv)
    rv.activateWindow()
    qtbot.waitUntil(rv.isActiveWindow, timeout=2000)
    assert rv.store.readonly and rv.findChild(QLabel, "readOnlyBanner").isVisible()
    assert rv.list.topLevelItemCount() == 1
    rv.list.setFocus()
    qtbot.keyClick(rv.list, K.Key_A)
    assert "read-only" in rv.statusBar().currentMessage()
    rv.close()
    with Store(ro, readonly=True) as s:
        assert s.spans(doc_ids["Simple"], GOLD) == []
        assert [(x.start, x.end) for x in s.spans(doc_ids["Simple"])] == [(0, 3)]

    w.close()
    assert w.isHidden()  # no "unsaved edits" warning: nothing was queued
    if before is not None:
        assert listing(ro.parent) == before  # nothing written beside it either


def test_file_open_database_on_a_read_only_file_opens_it_read_only(
    qtbot, open_window, db, doc_ids, tmp_path, immutable
):
    ro = read_only_copy(db, tmp_path, immutable, "file")
    w = open_window("alice")
    assert not w.read_only_label.isVisible()
    w.files.open_database(ro)
    assert w.store.path == ro and w.store.readonly
    assert w.read_only_label.isVisible()
    assert "read-only" in w.windowTitle()
    assert "alice" not in w.store.coders()  # a coder is not registered (that is a write)
    w.files.open_database(db)  # back to a writable one: the banner goes
    assert not w.store.readonly and not w.read_only_label.isVisible()


def test_the_command_line_opens_the_window_read_only(qtbot, db, tmp_path, immutable):
    """``annotator --db RO.db`` (the real command, in this process): the window opens
    read-only instead of the command refusing the database."""
    from click.testing import CliRunner
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.cli import cli

    ro = read_only_copy(db, tmp_path, immutable, "folder")
    seen: dict = {}

    def look_and_close() -> None:
        wins = [x for x in QApplication.topLevelWidgets() if x.objectName() == "mainWindow"]
        if not wins or not wins[0].isVisible():
            QTimer.singleShot(20, look_and_close)
            return
        seen["readonly"] = wins[0].store.readonly
        seen["banner"] = wins[0].read_only_label.isVisible()
        wins[0].close()

    QTimer.singleShot(0, look_and_close)
    res = CliRunner().invoke(cli, ["--db", str(ro), "--annotator", "alice"])
    assert res.exit_code == 0, res.output
    assert seen == {"readonly": True, "banner": True}
