"""Tools → Agreement's *Origin* chooser (as ``agreement --origin``): the window computes
the report of the chosen labels, and shows the other origins side by side when the
coders' labels include some from suggestions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from annotator.reliability import compute_agreement
from annotator.store import Store


def open_agreement(qtbot, w):
    w.findChild(QAction, "agreement").trigger()
    view = w.agreement_window
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)
    return view


def test_the_origin_chooser_computes_human_only_agreement(qtbot, open_window, db, doc_ids):
    ids = sorted(set(doc_ids.values()))[:3]
    frames = ["alarmist", "none", "alarmist"]
    with Store(db) as s:
        for i, d in enumerate(ids):
            for coder in ("ana", "ben"):
                s.add_coder(coder)
                origin = "suggestion:patterns" if (coder, i) == ("ben", 1) else "manual"
                value = frames[i] if coder == "ana" else "alarmist"
                s.set_doc_label(d, coder, "dominant_frame", value, origin=origin)
                s.add_span(d, coder, 0, 4, "alarmist", origin=origin)
                s.set_status(d, coder, "done")
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    assert view.report.origin == "all" and set(view.report.by_origin) == {"manual", "assisted"}
    t = view.origin_table
    assert t.isVisibleTo(view)
    heads = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    assert heads == ["", "all labels", "human-only", "assisted"]
    assert t.item(0, 0).text() == "documents coded"
    assert [t.item(0, c).text() for c in (1, 2, 3)] == ["3", "3", "1"]

    view.origin.setFocus()
    qtbot.keyClick(view.origin, Qt.Key.Key_Down)  # human-only
    qtbot.waitUntil(lambda: view.report.origin == "manual", timeout=60_000)
    with Store(db, readonly=True) as s:
        expected = compute_agreement(s, ["ana", "ben"], origin="manual")
    assert view.report == expected
    heads = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    assert heads == ["", "human-only", "all labels", "assisted"]
    # ben's value on the second document came from a suggestion: missing, so 2 pairs
    assert view.report.doc_fields["dominant_frame"].n_documents == 2
