"""File menu jobs: import and export run in a worker thread behind a progress dialog."""

from __future__ import annotations

import json

from gui_helpers import SIMPLE, drag_select, point_on_char
from PySide6.QtCore import Qt


def test_import_in_background_refreshes_the_list(qtbot, open_window, reader, tmp_path):
    w = open_window()
    before = reader.document_count()
    folder = tmp_path / "new"
    folder.mkdir()
    for i in range(3):
        (folder / f"a{i}.txt").write_text(
            f"Article number {i}.\n\nIt says something {i}.", encoding="utf-8"
        )
    (folder / "bad.txt").write_bytes(b"\xff\xfe\x00bad")
    worker = w.import_paths([str(folder)])
    with qtbot.waitSignal(worker.finished, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: w.doc_list.model.rowCount() == before + 3, timeout=5000)
    assert reader.document_count() == before + 3
    assert "Imported 3" in w.statusBar().currentMessage()


def test_export_jsonl_in_background(qtbot, open_window, doc_ids, reader, tmp_path):
    w = open_window()
    w.open_document(doc_ids["Simple"])
    q = SIMPLE.index("quick")
    drag_select(qtbot, w.view, point_on_char(w.view, q), point_on_char(w.view, q + 2))
    qtbot.keyClick(w.view, Qt.Key.Key_1)
    target = tmp_path / "out.jsonl"
    worker = w.export_to(target, "alice")
    with qtbot.waitSignal(worker.finished, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: "Wrote" in w.statusBar().currentMessage(), timeout=5000)
    [rec] = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert rec["_annotator_id"] == "alice"
    assert [(s["text"], s["label"]) for s in rec["spans"]] == [("quick", "alarmist")]
