"""The window keeps SQLite's locks: nothing in its process opens the database file.

POSIX drops every ``fcntl`` lock a process holds on a file when the process closes *any*
descriptor of that file. A file dialog that reads ``labels.db``, ``labels.db-wal`` or
``labels.db-shm`` to guess their type therefore drops the window's locks; the next
process that closes the database (``annotator stats``) believes it is the last one,
checkpoints and deletes the WAL, and every later edit in the window goes to a deleted
file that nobody else ever sees. These tests use the real dialogs, real key events and a
real second process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gui_helpers import SIMPLE, drag_select, point_on_char
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QFileSystemModel, QMessageBox

ROOT = Path(__file__).resolve().parents[2]
K = Qt.Key
M = Qt.KeyboardModifier


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), path) if p))


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "annotator", "--db", str(db), *args],
        capture_output=True, text=True, env=_env(), cwd=db.parent, timeout=120,
    )  # fmt: skip


def spans_seen_by_another_process(db: Path, doc_id: int, coder: str = "alice") -> list:
    code = (
        "import json, sys\nfrom annotator.store import Store\n"
        "with Store(sys.argv[1], readonly=True) as s:\n"
        "    spans = s.spans(int(sys.argv[2]), sys.argv[3])\n"
        "    print(json.dumps(sorted([x.start, x.end, x.label] for x in spans)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(db), str(doc_id), coder],
        capture_output=True, text=True, env=_env(), timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return [tuple(t) for t in json.loads(out.stdout)]


def another_process_opens_and_closes_it(db: Path, wal: Path) -> None:
    """``annotator stats`` in another process; the window's locks must keep its WAL alive."""
    out = run_cli(db, "stats")
    assert out.returncode == 0, out.stderr
    assert wal.exists(), "another process deleted the WAL the window still writes to"


def label_with_real_events_and_see_it_elsewhere(qtbot, w, db: Path, doc: int) -> tuple:
    """Drag over "quick brown fox", press 1: another process must see the stored span,
    whose ``(start, end)`` is returned."""
    view = w.view
    q, f = SIMPLE.index("quick"), SIMPLE.index("fox")
    drag_select(qtbot, view, point_on_char(view, q + 2), point_on_char(view, f + 1))
    qtbot.keyClick(view, K.Key_1)
    assert spans_seen_by_another_process(db, doc) == [(q, f + 3, "alarmist")]
    return q, f + 3


class _DialogWatch(QObject):
    """Sees the window's modal file dialog as it is shown (before its folder is listed),
    waits until the dialog has listed the database's folder and then a little more (Qt
    looks at the files as their rows are filled), and cancels it with Escape."""

    def __init__(self, qtbot, folder: Path):
        super().__init__()
        self.qtbot, self.folder = qtbot, str(folder)
        self.dialog: QFileDialog | None = None
        self.loaded: list[str] = []
        self.ticks = self.ticks_after_load = 0
        self.done = False
        self.listed = ""
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self._tick)
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if (
            self.dialog is None
            and event.type() == QEvent.Type.Show
            and isinstance(obj, QFileDialog)
        ):
            self.dialog = obj
            obj.findChild(QFileSystemModel).directoryLoaded.connect(self.loaded.append)
            self.timer.start()
        return False

    def _tick(self) -> None:
        self.ticks += 1
        if self.folder in self.loaded:
            self.ticks_after_load += 1
        if self.ticks_after_load >= 10 or self.ticks >= 1200:  # never wait forever (60 s)
            self.timer.stop()
            QApplication.instance().removeEventFilter(self)
            self.listed = self.dialog.directory().absolutePath()
            self.qtbot.keyClick(self.dialog, K.Key_Escape)
            self.done = self.folder in self.loaded


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX advisory locks")
@pytest.mark.parametrize(
    "keys",
    [
        (K.Key_E, M.ControlModifier),  # File → Export my labels as JSONL…
        (K.Key_O, M.ControlModifier),  # File → Open database… (lists *.db)
        (K.Key_I, M.ControlModifier | M.ShiftModifier),  # File → Import labels…
    ],
)
def test_a_file_dialog_in_the_database_folder_keeps_the_windows_writes_visible(
    qtbot, open_window, db, doc_ids, keys
):
    w = open_window("alice")
    doc = doc_ids["Simple"]
    w.open_document(doc)
    wal = Path(str(db) + "-wal")
    assert wal.exists()

    watch = _DialogWatch(qtbot, db.parent)
    qtbot.keyClick(w.view, *keys)  # runs the modal dialog until the watch cancels it
    assert watch.done and watch.listed == str(db.parent)
    w.activateWindow()  # the offscreen platform does not give focus back by itself
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)

    # Another process opens and closes the database, as `annotator stats` in a terminal.
    another_process_opens_and_closes_it(db, wal)

    # A span added in the window with real events reaches the file others read.
    quick_fox = label_with_real_events_and_see_it_elsewhere(qtbot, w, db, doc)
    assert wal.exists()

    # ... and a label another process adds while the window is open survives the window.
    code = (
        "import sys\nfrom annotator.store import Store\n"
        "with Store(sys.argv[1]) as s:\n"
        "    s.add_coder('bob'); s.add_span(int(sys.argv[2]), 'bob', 4, 9, 'alarmist')"
    )
    other = subprocess.run(
        [sys.executable, "-c", code, str(db), str(doc)],
        capture_output=True, text=True, env=_env(), timeout=120,
    )  # fmt: skip
    assert other.returncode == 0, other.stderr
    w.close()
    w.store.close()
    assert spans_seen_by_another_process(db, doc) == [(*quick_fox, "alarmist")]
    assert spans_seen_by_another_process(db, doc, "bob") == [(4, 9, "alarmist")]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks and hard links")
def test_the_open_database_chosen_as_input_or_output_is_refused_unread(
    qtbot, open_window, db, doc_ids, tmp_path
):
    """Picking the database itself (any name for it) in Import or Export is one line;
    the file is neither read outside SQLite nor replaced, and the window keeps its locks."""
    w = open_window("alice")
    doc = doc_ids["Simple"]
    w.open_document(doc)
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "link.db").symlink_to(db)
    os.link(db, other / "hard.jsonl")
    wal = Path(str(db) + "-wal")
    files = w.files
    attempts = [
        (lambda: files.import_paths([str(db)]), "is the open database"),
        (lambda: files.import_paths([str(other / "link.db")]), "is the open database"),
        (lambda: files.import_labels([str(other / "hard.jsonl")]), "is the open database"),
        (lambda: files.import_labels([str(wal)]), "is the open database"),
        (lambda: files.export_as(other / "link.db", "jsonl"), "is the open database"),
        (lambda: files.export_as(Path(str(db) + "-shm"), "csv"), "is the open database"),
        (lambda: files.export_as(tmp_path, "brat"), "holds the open database"),
        # SQLite itself would open (and close) a -wal or -shm taken for a database
        (lambda: files.merge([str(Path(str(db) + "-shm"))]), "is the open database"),
    ]
    for attempt, message in attempts:
        assert attempt() is None  # no job started
        assert message in files.last_result.text()
        assert "Traceback" not in files.last_result.text()
        files.last_result.close()
    assert files.last_worker is None
    files.open_database(Path(str(db) + "-wal"))  # File → Open database… on the WAL
    assert "is the open database" in w.statusBar().currentMessage()
    assert w.store.path == db
    # Tools → Agreement → Save HTML report… over the database
    w.findChild(QAction, "agreement").trigger()
    report = w.agreement_window
    qtbot.waitUntil(lambda: report.report is not None, timeout=60_000)
    report.save_html(other / "link.db")
    boxes = [b.text() for b in w.findChildren(QMessageBox)]
    assert any("is the open database" in t for t in boxes), boxes
    for box in w.findChildren(QMessageBox):
        box.close()
    report.close()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    assert db.is_file() and wal.is_file()

    another_process_opens_and_closes_it(db, wal)
    label_with_real_events_and_see_it_elsewhere(qtbot, w, db, doc)


def _wait_job(qtbot, w) -> None:
    worker = w.files.last_worker
    qtbot.waitUntil(lambda: worker.isFinished() and worker not in w.jobs, timeout=60_000)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX advisory locks")
@pytest.mark.parametrize("job", ["export", "import_labels", "merge", "agreement", "reopen"])
def test_background_jobs_and_reopening_keep_the_windows_locks(
    qtbot, open_window, db, doc_ids, tmp_path, template_db, job
):
    """Jobs open their own connection in a thread of the window's process: only SQLite
    may open the file there too (a header check or hash would drop the window's locks)."""
    w = open_window("alice")
    doc = doc_ids["Simple"]
    w.open_document(doc)
    wal = Path(str(db) + "-wal")
    out = tmp_path / "out" / "labels.jsonl"
    out.parent.mkdir()
    if job == "export":
        w.files.export_as(out, "jsonl")
        _wait_job(qtbot, w)
    elif job == "import_labels":
        w.files.export_as(out, "jsonl", include_unlabelled=True)
        _wait_job(qtbot, w)
        w.files.import_labels([str(out)])
        _wait_job(qtbot, w)
    elif job == "merge":
        other = tmp_path / "out" / "bob.db"
        other.write_bytes(template_db.read_bytes())
        w.files.merge([str(other)])
        _wait_job(qtbot, w)
    elif job == "agreement":
        w.findChild(QAction, "agreement").trigger()
        report = w.agreement_window
        qtbot.waitUntil(lambda: report.report is not None, timeout=60_000)
        report.close()
    else:  # File → Open database… on the same file
        w.files.open_database(db)
        w.open_document(doc)
    for box in w.findChildren(QDialog):
        box.close()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)

    another_process_opens_and_closes_it(db, wal)
    label_with_real_events_and_see_it_elsewhere(qtbot, w, db, doc)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX advisory locks")
def test_nothing_in_the_windows_process_can_open_its_database_outside_sqlite(
    qtbot, open_window, db, doc_ids, tmp_path
):
    w = open_window("alice")
    doc = doc_ids["Simple"]
    w.open_document(doc)
    wal = Path(str(db) + "-wal")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("A new article about alliances.", encoding="utf-8")
    (folder / "evil.txt").symlink_to(db)  # a folder import would read the database
    os.link(db, tmp_path / "hard-link.bin")
    for path in (db, wal, Path(str(db) + "-shm"), folder / "evil.txt", tmp_path / "hard-link.bin"):
        with pytest.raises(PermissionError, match="only SQLite may open it"):
            path.read_bytes()
    with pytest.raises(PermissionError, match="only SQLite may open it"):
        os.open(db, os.O_RDONLY)

    w.files.import_paths([str(folder)])
    _wait_job(qtbot, w)
    assert any(d.source.endswith("good.txt") for d in w.store.list_documents())
    assert not any(d.source.endswith("evil.txt") for d in w.store.list_documents())

    another_process_opens_and_closes_it(db, wal)
    for box in w.findChildren(QDialog):
        box.close()
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=5000)
    label_with_real_events_and_see_it_elsewhere(qtbot, w, db, doc)


def test_file_choosers_are_never_the_platforms_native_ones(qtbot, open_window, db):
    """A desktop's native chooser runs in this process and sniffs files where nothing can
    stop it (GTK's opened labels.db O_RDONLY under strace, even with a *.jsonl filter)."""
    from annotator.gui.file_actions import NameOnlyIconProvider, file_dialog

    w = open_window("alice")
    for save in (False, True):
        dlg = file_dialog(w, "t", str(db.parent / "x.jsonl"), "JSON lines (*.jsonl)", save=save)
        assert dlg.testOption(QFileDialog.Option.DontUseNativeDialog)
        assert isinstance(dlg.iconProvider(), NameOnlyIconProvider)
        assert dlg.directory().absolutePath() == str(db.parent)
        dlg.deleteLater()


def test_a_closed_window_no_longer_guards_its_database(qtbot, open_window, db):
    """The guard lasts while the window can write: once it has closed, the database is a
    file like any other (a backup copy, a hash) in the same process."""
    w = open_window("alice")
    with pytest.raises(PermissionError, match="only SQLite may open it"):
        db.read_bytes()
    w.close()
    assert w.isHidden()
    assert db.read_bytes().startswith(b"SQLite format 3\x00")
