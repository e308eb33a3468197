"""File → Export… offers the core's export formats (annotator.formats.registry), with the
titles, default names and counts the window has always shown."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton

from annotator.formats.registry import EXPORT_KEYS
from annotator.gui import file_actions
from annotator.store import Store

TITLES = [
    ("jsonl", "annotator JSONL — one line per article and coder"),
    ("prodigy", "Prodigy JSONL"),
    ("doccano", "doccano — a folder with one JSONL file per coder"),
    ("spacy", "spaCy — a folder of DocBin .spacy files, for spacy train"),
    ("csv", "CSV — one row per span"),
    ("brat", "brat standoff — a folder of .txt/.ann pairs per coder"),
]
FILE_HINT = "Writes one file: you name the file next."
FOLDER_HINT = "Writes a folder: you name the folder next."
# key: (the chooser's title, default name, filter, folder) as File → Export… asks them
CHOOSER = {
    "jsonl": ("Export jsonl", "labels-all.jsonl", "jsonl (*.jsonl);;All files (*)", False),
    "prodigy": (
        "Export prodigy",
        "labels-all-prodigy.jsonl",
        "prodigy (*.jsonl);;All files (*)",
        False,
    ),
    "doccano": (
        "Export doccano: name the folder to write",
        "labels-all-doccano",
        "Folders (*)",
        True,
    ),
    "spacy": ("Export spacy: name the folder to write", "labels-all-spacy", "Folders (*)", True),
    "csv": ("Export csv", "labels-all.csv", "csv (*.csv);;All files (*)", False),
    "brat": ("Export brat: name the folder to write", "labels-all-brat", "Folders (*)", True),
}


def test_the_dialog_offers_every_registered_format(qtbot, open_window, monkeypatch):
    w = open_window("alice")
    asked = []

    def chooser(parent, title, default, filters, folder=False):
        asked.append((title, default, filters, folder))
        return ""  # cancelled: nothing is written

    monkeypatch.setattr(file_actions, "choose_save_path", chooser)
    hints = {}
    for key in EXPORT_KEYS:
        dlg = w.files.ask_export()
        combo = dlg.findChild(QComboBox, "exportFormat")
        offered = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
        assert offered == TITLES
        combo.setCurrentIndex(combo.findData(key))
        hints[key] = [
            lab.text() for lab in dlg.findChildren(QLabel) if lab.text().startswith("Writes")
        ]
        qtbot.mouseClick(dlg.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)
    assert hints == {k: [FOLDER_HINT if CHOOSER[k][3] else FILE_HINT] for k in EXPORT_KEYS}
    assert [(t, default.rsplit("/", 1)[-1], f, folder) for t, default, f, folder in asked] == [
        CHOOSER[k] for k in EXPORT_KEYS
    ]


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [("brat", "Wrote 2 document file pair(s) to"), ("csv", "Wrote 2 row(s) to")],
)
def test_the_window_names_what_the_export_counted(
    qtbot, open_window, db, doc_ids, tmp_path, fmt, shown
):
    with Store(db) as s:
        s.add_coder("alice")
        s.add_coder("bob")
        s.add_span(doc_ids["Simple"], "alice", 4, 9, "alarmist")
        s.add_span(doc_ids["Simple"], "bob", 10, 15, "skeptical_of_alliance")
    w = open_window("alice")
    w.files.export_as(tmp_path / "out", fmt, announce=False)
    worker = w.files.last_worker
    qtbot.waitUntil(lambda: worker.isFinished() and worker not in w.jobs, timeout=60_000)
    assert w.statusBar().currentMessage().startswith(shown)
