"""A span whose text a correction changed (``import --update``, issue 16) is marked in the
span list for its coder, and looking at it again (its label key once more) clears it."""

from __future__ import annotations

from gui_helpers import SIMPLE, click_char
from PySide6.QtCore import Qt

from annotator.store import Store
from annotator.updating import update_paths

K = Qt.Key


def test_a_changed_span_is_flagged_until_the_coder_checks_it(
    qtbot, open_window, db, doc_ids, reader, tmp_path
):
    simple = doc_ids["Simple"]
    q = SIMPLE.index("quick")
    with Store(db) as s:
        span = s.add_span(simple, "alice", q, q + 11, "alarmist")  # "quick brown"
        source = s.document(simple).source
    corrected = tmp_path / "simple.txt"
    corrected.write_text(SIMPLE.replace("quick brown", "quick red"), encoding="utf-8")
    with Store(db) as s:
        # matched by file name: the test corpus's source is a path elsewhere
        corrected = corrected.rename(tmp_path / source.replace("\\", "/").rsplit("/", 1)[-1])
        report = update_paths(s, [corrected])
        assert [c.outcome for c in report.changes] == ["changed"]
        assert list(s.flagged_spans(simple)) == [span.id]
    w = open_window("alice")
    w.open_document(simple)
    row = w.panel.span_list.item(0)
    assert "⚑ text corrected: check it" in row.text()
    assert "quick red" in row.text()
    click_char(qtbot, w.view, q + 2)
    assert w.view.selected_span == span.id
    qtbot.keyClick(w.view, K.Key_1)  # its own label again: checked
    qtbot.waitUntil(lambda: "⚑" not in w.panel.span_list.item(0).text(), timeout=3000)
    assert reader.flagged_spans(simple) == {}
    assert reader.span(span.id).label == "alarmist"
