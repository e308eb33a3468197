"""File → Import labels…, Export…, Merge database…: the real dialogs and background jobs.

Only the native file choosers are bypassed (``file_actions.choose_*``); the store,
the option dialogs, the worker threads and the result dialogs are the real ones.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from gui_helpers import click_button
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton, QRadioButton

from annotator.export import export_jsonl
from annotator.gui import file_actions
from annotator.labels_import import import_label_files
from annotator.store import Store
from tests.folders import exported


def wait_job(qtbot, w):
    worker = w.files.last_worker
    qtbot.waitUntil(lambda: worker.isFinished() and worker not in w.jobs, timeout=60_000)


def click_ok(qtbot, dlg) -> None:
    qtbot.mouseClick(dlg.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)


def choose(combo: QComboBox, key: str) -> None:
    combo.setCurrentIndex(combo.findData(key))


@pytest.fixture
def other_db(db, tmp_path) -> Path:
    """A second database with the same articles (another coder's laptop)."""
    path = tmp_path / "laptop.db"
    shutil.copy(db, path)
    return path


@pytest.fixture
def zoe_jsonl(other_db, doc_ids, tmp_path) -> Path:
    """Canonical JSONL of coder zoe: one span and a document label on 'Simple'."""
    with Store(other_db) as s:
        s.add_coder("zoe")
        s.add_span(doc_ids["Simple"], "zoe", 4, 9, "alarmist")
        s.set_doc_label(doc_ids["Simple"], "zoe", "dominant_frame", "alarmist")
        path = tmp_path / "zoe.jsonl"
        export_jsonl(s, path, coder="zoe")
    return path


# -- import labels ----------------------------------------------------------------


def test_import_labels_dialog_imports_a_canonical_file(
    qtbot, open_window, zoe_jsonl, doc_ids, reader
):
    w = open_window("alice")
    w.open_document(doc_ids["Simple"])
    dlg = w.files.ask_import_labels([str(zoe_jsonl)])
    assert dlg.findChild(QLabel, "chosenFiles").text() == "zoe.jsonl"
    assert dlg.findChild(QComboBox, "importFormat").currentData() == "auto"
    assert dlg.findChild(QRadioButton, "importAcceptedOnly").isChecked()
    click_ok(qtbot, dlg)
    wait_job(qtbot, w)
    result = w.files.last_result
    assert "1 of 1 file(s) imported" in result.windowTitle()
    assert "(jsonl): 1 task(s)" in result.text()
    assert "1 span(s) added" in result.text()
    [span] = reader.spans(doc_ids["Simple"], "zoe")
    assert (span.start, span.end, span.label) == (4, 9, "alarmist")
    assert reader.doc_labels(doc_ids["Simple"], "zoe") == {"dominant_frame": "alarmist"}
    # the coders menu knows zoe now; showing other coders shows zoe's span in the article
    w.refresh_coder_menu()
    assert "zoe" in [a.text() for a in w.coder_menu.actions()]
    w.others_action.trigger()
    assert any(s.coder == "zoe" for s in w.view._spans)


def test_import_labels_refuses_a_bad_file_with_file_line_reasons(
    qtbot, open_window, zoe_jsonl, reader, tmp_path
):
    w = open_window()
    good = zoe_jsonl.read_text(encoding="utf-8").splitlines()[0]
    bad = tmp_path / "bad.jsonl"
    rec = json.loads(good)
    rec["spans"][0]["label"] = "no_such_label"
    bad.write_text(good + "\n{not json\n" + json.dumps(rec) + "\n", encoding="utf-8")
    before = (reader.document_count(), reader.coders())
    dlg = w.files.ask_import_labels([str(bad)])
    click_ok(qtbot, dlg)
    wait_job(qtbot, w)
    result = w.files.last_result
    details = result.findChild(type(result.details), "resultDetails")
    assert details.isVisibleTo(result)
    text = details.toPlainText()
    assert f"{bad}:2:" in text
    assert f"{bad}:3:" in text and "no_such_label" in text
    assert "refused" in result.text() and "nothing written" in result.text()
    assert "0 of 1 file(s) imported" in result.windowTitle()
    assert (reader.document_count(), reader.coders()) == before


def test_doccano_needs_a_coder_name(qtbot, open_window, tmp_path, reader, doc_ids):
    w = open_window()
    text = reader.document(doc_ids["Simple"]).text
    f = tmp_path / "doc.jsonl"
    f.write_text(json.dumps({"text": text, "label": [[4, 9, "alarmist"]]}) + "\n", "utf-8")
    dlg = w.files.ask_import_labels([str(f)])
    choose(dlg.findChild(QComboBox, "importFormat"), "doccano")
    click_ok(qtbot, dlg)
    error = dlg.findChild(QLabel, "importError")
    assert dlg.isVisible() and error.isVisibleTo(dlg)
    assert "doccano" in error.text() and "name" in error.text()
    dlg.findChild(QLineEdit, "importCoder").setText("dora")
    click_ok(qtbot, dlg)
    wait_job(qtbot, w)
    assert "1 of 1" in w.files.last_result.windowTitle()
    assert [(s.start, s.end, s.label) for s in reader.spans(doc_ids["Simple"], "dora")] == [
        (4, 9, "alarmist")
    ]


def test_import_labels_can_extend_the_scheme(qtbot, open_window, zoe_jsonl, tmp_path, reader):
    w = open_window()
    rec = json.loads(zoe_jsonl.read_text(encoding="utf-8").splitlines()[0])
    rec["spans"][0]["label"] = "economic_threat"
    f = tmp_path / "new_label.jsonl"
    f.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    dlg = w.files.ask_import_labels([str(f)])
    click_button(qtbot, dlg.findChild(QCheckBox, "importAddLabels"))
    assert dlg.options()["add_labels"] is True
    click_ok(qtbot, dlg)
    wait_job(qtbot, w)
    assert "scheme v2 recorded" in w.files.last_result.text()
    # the window's label panel and Label menu know the new label
    assert "economic_threat" in w.scheme.label_names
    assert "economic_threat" in w.label_actions
    assert w.panel.findChild(object, "label_economic_threat") is not None


def test_a_core_error_is_shown_readably(qtbot, open_window, zoe_jsonl):
    w = open_window()
    w.files.import_labels([str(zoe_jsonl)], fmt="bogus")
    wait_job(qtbot, w)
    result = w.files.last_result
    assert "unknown format 'bogus'" in result.text()
    assert "Traceback" not in result.text()


# -- export -----------------------------------------------------------------------


@pytest.fixture
def labelled(db, doc_ids) -> dict[str, int]:
    with Store(db) as s:
        s.add_coder("alice")
        s.add_coder("bob")
        s.add_span(doc_ids["Simple"], "alice", 4, 9, "alarmist")
        s.add_span(doc_ids["Simple"], "bob", 10, 15, "skeptical_of_alliance")
        s.set_doc_label(doc_ids["Simple"], "alice", "dominant_frame", "alarmist")
    return doc_ids


def export_via_dialog(qtbot, w, monkeypatch, target: Path, fmt: str, who: str = "all"):
    monkeypatch.setattr(file_actions, "choose_save_path", lambda *a, **k: str(target))
    dlg = w.files.ask_export()
    choose(dlg.findChild(QComboBox, "exportFormat"), fmt)
    button = {"all": "exportAllCoders", "mine": "exportMine", "gold": "exportGold"}[who]
    click_button(qtbot, dlg.findChild(QRadioButton, button))
    click_ok(qtbot, dlg)
    wait_job(qtbot, w)
    return dlg


def reimport(tmp_path, paths, fmt="auto", coder=None) -> list:
    with Store(tmp_path / f"fresh-{fmt}.db") as fresh:
        [res] = import_label_files(fresh, paths, fmt=fmt, coder=coder)
        assert res.ok, res.errors
        return sorted(
            (s.coder, s.start, s.end, s.label)
            for d in fresh.list_documents()
            for s in fresh.spans(d.id)
        )


ALL = [("alice", 4, 9, "alarmist"), ("bob", 10, 15, "skeptical_of_alliance")]


def test_export_dialog_writes_each_format(qtbot, open_window, labelled, tmp_path, monkeypatch):
    w = open_window("alice")
    dlg = w.files.ask_export()
    assert not dlg.findChild(QRadioButton, "exportGold").isEnabled()  # no gold layer yet
    dlg.reject()

    out = tmp_path / "out"
    out.mkdir()
    export_via_dialog(qtbot, w, monkeypatch, out / "all.jsonl", "jsonl")
    assert reimport(tmp_path, [out / "all.jsonl"]) == ALL
    assert "Wrote 2 line(s)" in w.statusBar().currentMessage()

    export_via_dialog(qtbot, w, monkeypatch, out / "mine.jsonl", "prodigy", "mine")
    assert reimport(tmp_path, [out / "mine.jsonl"], "prodigy") == ALL[:1]

    export_via_dialog(qtbot, w, monkeypatch, out / "doccano", "doccano")
    assert sorted(p.name for p in exported(out / "doccano")) == ["alice.jsonl", "bob.jsonl"]
    assert reimport(tmp_path, [out / "doccano" / "bob.jsonl"], "doccano", "bob") == ALL[1:]

    export_via_dialog(qtbot, w, monkeypatch, out / "spans.csv", "csv")
    with open(out / "spans.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted((r["coder"], r["label"]) for r in rows) == [
        ("alice", "alarmist"),
        ("bob", "skeptical_of_alliance"),
    ]

    export_via_dialog(qtbot, w, monkeypatch, out / "brat", "brat")
    anns = sorted((out / "brat").rglob("*.ann"))
    assert [a.parent.name for a in anns] == ["alice", "bob"]
    assert "alarmist 4 9\tquick" in anns[0].read_text(encoding="utf-8")

    export_via_dialog(qtbot, w, monkeypatch, out / "train.spacy", "spacy")
    from spacy.tokens import DocBin

    from annotator.nlp import load_pipeline

    [shard] = exported(out / "train.spacy")  # a folder of DocBin shards
    docs = list(DocBin().from_disk(shard).get_docs(load_pipeline().vocab))
    assert len(docs) == 2
    assert sorted(str(s) for d in docs for s in d.spans.get("sc", [])) == ["brown", "quick"]


def test_export_gold_only_when_there_is_gold(
    qtbot, open_window, labelled, db, tmp_path, monkeypatch
):
    with Store(db) as s:
        s.add_gold_span(labelled["Simple"], 4, 9, "alarmist", sources=["alice"])
    w = open_window("alice")
    dlg = w.files.ask_export()
    assert dlg.findChild(QRadioButton, "exportGold").isEnabled()
    dlg.reject()
    export_via_dialog(qtbot, w, monkeypatch, tmp_path / "gold.jsonl", "jsonl", "gold")
    recs = [json.loads(x) for x in (tmp_path / "gold.jsonl").read_text("utf-8").splitlines()]
    assert {r["_annotator_id"] for r in recs} == {"gold"}


# -- merge ------------------------------------------------------------------------


def make_conflict(db, other_db, doc_id) -> None:
    with Store(other_db) as s:
        s.add_coder("alice")
        s.add_coder("bob")
        s.add_span(doc_id, "alice", 0, 3, "alarmist")
        s.add_span(doc_id, "bob", 4, 9, "alarmist")
    with Store(db) as s:
        s.add_coder("alice")
        s.add_span(doc_id, "alice", 0, 3, "skeptical_of_alliance")


def test_merge_lists_conflicts_readably(qtbot, open_window, db, other_db, doc_ids, reader):
    simple = doc_ids["Simple"]
    make_conflict(db, other_db, simple)
    w = open_window("alice")
    dlg = w.files.ask_merge([str(other_db)])
    assert not dlg.findChild(QCheckBox, "mergeStrict").isChecked()
    click_ok(qtbot, dlg)
    wait_job(qtbot, w)
    result = w.files.last_result
    assert result.windowTitle() == "Merge: 1 new conflict(s)"
    details = result.details.toPlainText()
    assert "laptop.db: alice labelled “Simple”" in details
    assert "differently; kept as 'alice@laptop'" in details
    assert [s.label for s in reader.spans(simple, "alice@laptop")] == ["alarmist"]
    assert [s.label for s in reader.spans(simple, "bob")] == ["alarmist"]
    names = [a.text() for a in w.coder_menu.actions()]
    assert {"bob", "alice@laptop"} <= set(names)


def test_strict_merge_writes_nothing_and_says_why(
    qtbot, open_window, db, other_db, doc_ids, reader
):
    make_conflict(db, other_db, doc_ids["Simple"])
    w = open_window("alice")
    dlg = w.files.ask_merge([str(other_db)])
    click_button(qtbot, dlg.findChild(QCheckBox, "mergeStrict"))
    click_ok(qtbot, dlg)
    wait_job(qtbot, w)
    text = w.files.last_result.text()
    assert "nothing merged" in text
    assert "[not merged] laptop.db: alice labelled" in text
    assert reader.spans(doc_ids["Simple"], "bob") == []
    assert "bob" not in reader.coders()


def test_merging_a_database_into_itself_is_refused_readably(qtbot, open_window, db):
    w = open_window()
    w.files.merge([str(db)])
    wait_job(qtbot, w)
    assert "cannot merge a database into itself" in w.files.last_result.text()
