"""An export from the window of a database whose old meta held NaN/Infinity: the file is
strict JSON and the window shows the core's warnings (plain text), not stderr."""

from __future__ import annotations

import sqlite3

from annotator import jsonsafe
from annotator.store import Store

OLD_META = '{"score": NaN, "<b>ratio</b>": Infinity, "ok": 2.5}'  # as an older version stored it


def test_export_warnings_are_shown_in_the_result_dialog(
    qtbot, open_window, db, doc_ids, tmp_path, capfd
):
    doc = doc_ids["Simple"]
    with Store(db) as s:
        s.add_span(doc, "ben", 4, 9, "alarmist")
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE documents SET meta = ? WHERE id = ?", (OLD_META, doc))
    con.close()
    w = open_window("alice", db)
    target = tmp_path / "out.jsonl"
    w.files.export_to(target, None)  # Ctrl+E's path: no box unless there is something to say
    worker = w.files.last_worker
    qtbot.waitUntil(lambda: worker.isFinished() and worker not in w.jobs, timeout=60_000)
    qtbot.waitUntil(lambda: w.files.last_result is not None, timeout=5000)
    dlg = w.files.last_result
    shown = dlg.text()
    assert "Wrote 1 line(s) to" in shown
    assert f"document {doc}: meta.score was NaN, written as null" in shown
    assert "meta.<b>ratio</b> was Infinity" in shown  # plain text: the tag is shown
    assert dlg.summary.textFormat().name == "PlainText"
    [line] = target.read_text(encoding="utf-8").splitlines()
    meta = jsonsafe.loads(line)["meta"]  # strict JSON
    assert (meta["score"], meta["<b>ratio</b>"], meta["ok"]) == (None, None, 2.5)
    assert "warning:" not in capfd.readouterr().err  # in the window, not on stderr
    dlg.close()
