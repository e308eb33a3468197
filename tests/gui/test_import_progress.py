"""Issue 12, point 13 (the window): File → Import articles shows progress that moves
per file and per batch (with a time estimate), its title is not cut, and Cancel keeps
the batches already imported and says exactly how many (real dialog, real worker thread,
real files, a real SQLite file)."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from annotator import ingest

BATCH = 40
N_LINES = 2400


def article(i: int) -> str:
    body = " ".join(
        f"Sentence {j} of report {i} on the alliance between Moscow, Pyongyang and Tehran."
        for j in range(40)
    )
    return f"North Korea and Russia sign new defence pact, report {i}\n\n{body}"


@pytest.fixture
def big_jsonl(tmp_path):
    path = tmp_path / "wire.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(N_LINES):
            fh.write(json.dumps({"text": article(i), "meta": {"source": "wire"}}) + "\n")
    return path


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", BATCH)


def _dialog(worker):
    assert worker.dialog is not None
    return worker.dialog


def test_progress_moves_and_cancel_keeps_the_batches_done(
    qtbot, open_window, reader, big_jsonl, small_batches
):
    w = open_window()
    before = reader.document_count()
    values: list[int] = []
    worker = w.import_paths([str(big_jsonl)])
    worker.progressed.connect(lambda done, total, text: values.append(done))
    dialog = _dialog(worker)

    def some_imported() -> bool:
        m = re.search(r"([\d,]+) imported", dialog.labelText())
        return bool(m) and int(m[1].replace(",", "")) > 0

    def moved() -> bool:  # the bar moved at least twice, before the end
        return len({v for v in values if 0 < v < 1000}) >= 2

    qtbot.waitUntil(lambda: dialog.isVisible() and some_imported() and moved(), timeout=60_000)
    assert worker.isRunning()
    assert 0 < dialog.value() < dialog.maximum() == 1000  # moving, before the end
    assert "records" in dialog.labelText()
    # The title is short and fits the dialog's title bar (with the application's name
    # and the window buttons, about 200 pixels).
    title = f"{dialog.windowTitle()} — annotator"
    assert dialog.windowTitle() == "Import"
    assert dialog.fontMetrics().horizontalAdvance(title) + 200 < dialog.width()
    [cancel] = [b for b in dialog.findChildren(QPushButton) if b.text() == "Cancel"]
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(worker.isFinished, timeout=60_000)
    qtbot.waitUntil(lambda: "Import cancelled" in w.statusBar().currentMessage(), timeout=5000)
    message = w.statusBar().currentMessage()
    kept = reader.document_count() - before
    assert 0 < kept < N_LINES and kept % BATCH == 0  # whole batches, none half-written
    assert f"{kept:,} article(s) imported" in message
    assert f"the other {N_LINES - kept:,} input(s) were not imported" in message
    assert w.doc_list.model.rowCount() == before + kept
    result = w.files.last_result
    assert result is not None and result.summary.text() == message  # also in a dialog
    shown = [d for d in QApplication.topLevelWidgets() if d.isVisible()]
    assert not [d for d in shown if isinstance(d, QProgressDialog)]  # the dialog is gone

    # Importing again adds the rest, without duplicates.
    again = w.import_paths([str(big_jsonl)])
    qtbot.waitUntil(again.isFinished, timeout=120_000)
    qtbot.waitUntil(lambda: "Imported" in w.statusBar().currentMessage(), timeout=5000)
    assert (
        f"Imported {N_LINES - kept} article(s); {kept} already present"
        in w.statusBar().currentMessage()
    )
    assert reader.document_count() == before + N_LINES
    QApplication.processEvents()


def test_a_folder_moves_per_file(qtbot, open_window, reader, tmp_path, small_batches):
    w = open_window()
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(150):
        (folder / f"a{i:03}.txt").write_text(article(i), encoding="utf-8")
    lines: list[str] = []
    worker = w.import_paths([str(folder)])
    worker.progressed.connect(lambda done, total, text: lines.append(text))
    qtbot.waitUntil(worker.isFinished, timeout=60_000)
    qtbot.waitUntil(lambda: "Imported 150" in w.statusBar().currentMessage(), timeout=5000)
    files = [int(m[1]) for t in lines if (m := re.match(r"(\d+) of 150 file", t))]
    assert files == sorted(files) and files[-1] == 150
    assert len(set(files)) >= 4  # with each batch, not only at the end


def test_a_cancel_landing_while_a_progress_line_is_sent_still_says_what_was_kept(
    db, reader, tmp_path, small_batches
):
    """Cancel clicked between the import's "cancelled?" check and its progress line (the
    worker thread races the dialog): the import still stops on its own and says exactly
    what it kept, instead of a bare "Cancelled." over committed batches."""
    from annotator.gui.file_actions import import_with_progress
    from annotator.gui.jobs import Cancelled, JobProgress
    from annotator.store import Store

    path = tmp_path / "wire.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(BATCH * 3):
            fh.write(json.dumps({"text": article(i)}) + "\n")

    class Worker:  # the dialog's side: Cancel lands as the first batch is reported
        cancelled = False

        def _progress(self, done: int, total: int, text: str = "") -> None:
            if self.cancelled or reader.document_count() > before:
                self.cancelled = True
                raise Cancelled()  # what _Worker._progress does once Cancel was clicked

    before = reader.document_count()
    with Store(db) as store:
        result = import_with_progress(store, [str(path)], JobProgress(Worker()))  # type: ignore[arg-type]
    assert isinstance(result, ingest.ImportCancelled)
    kept = reader.document_count() - before
    assert kept > 0 and kept % BATCH == 0
    assert len(result.report.added) == kept
    assert str(result).startswith(f"Import cancelled: {kept:,} article(s) imported,")
