"""Review 18: the annotation window through a coder's and a lead's whole day — real
windows, real keys and mice, real faults (each test failed before its fix)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction

from annotator.store import Store

CODERS = ("ana", "ben")


@pytest.fixture
def two_coded(db, doc_ids) -> list[int]:
    ids = [doc_ids["Simple"], doc_ids["Emoji"]]
    with Store(db) as s:
        for j, coder in enumerate(CODERS):
            s.add_coder(coder)
            for i, doc_id in enumerate(ids):
                s.add_span(doc_id, coder, 4, 9 + j, "alarmist")
                s.set_doc_label(doc_id, coder, "dominant_frame", ["alarmist", "none"][(i + j) % 2])
                s.set_status(doc_id, coder, "done")
    return ids


def test_agreement_window_heads_the_share_as_the_text_report_does(qtbot, open_window, two_coded):
    """The fields table headed a 0-1 share "% agreement" (0.5 read as half a percent);
    the text report says "agreement (0-1)"."""
    w = open_window("ana")
    w.findChild(QAction, "agreement").trigger()
    view = w.agreement_window
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)
    t = view.fields_table
    heads = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    assert "agreement (0-1)" in heads and "% agreement" not in heads, heads
    value = t.item(0, heads.index("agreement (0-1)")).text()
    assert float(value) <= 1.0
