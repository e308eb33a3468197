"""File → Import labels… with "Replace this coder's labels on these documents" checked."""

from __future__ import annotations

import json

from gui_helpers import click_button
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QPushButton


def test_the_replace_box_makes_the_coders_labels_the_files(
    qtbot, open_window, doc_ids, reader, tmp_path
):
    simple = doc_ids["Simple"]
    w = open_window("zoe")
    w.open_document(simple)
    reader.add_span(simple, "zoe", 4, 9, "alarmist")
    reader.set_doc_label(simple, "zoe", "dominant_frame", "alarmist")
    text = reader.document(simple).text
    f = tmp_path / "corrected.jsonl"
    rec = {
        "text": text,
        "spans": [{"start": 4, "end": 9, "label": "skeptical_of_alliance"}],
        "doc_labels": {},
        "_annotator_id": "zoe",
    }
    f.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    dlg = w.files.ask_import_labels([str(f)])
    box = dlg.findChild(QCheckBox, "importReplace")
    assert box.text() == "Replace this coder's labels on these documents"
    assert not box.isChecked() and dlg.options()["replace"] is False  # adding by default
    click_button(qtbot, box)
    assert dlg.options()["replace"] is True
    qtbot.mouseClick(dlg.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    worker = w.files.last_worker
    qtbot.waitUntil(lambda: worker.isFinished() and worker not in w.jobs, timeout=60_000)
    result = w.files.last_result
    assert "1 of 1 file(s) imported" in result.windowTitle()
    assert "labels replaced on 1 document(s): 1 span(s) removed, 1 added" in result.text()
    assert [(s.start, s.end, s.label) for s in reader.spans(simple, "zoe")] == [
        (4, 9, "skeptical_of_alliance")
    ]
    assert reader.doc_labels(simple, "zoe") == {}
    # the open article shows the replaced labels
    assert [s.label for s in w.view._spans] == ["skeptical_of_alliance"]
