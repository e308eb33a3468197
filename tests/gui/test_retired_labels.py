"""A retired label (``annotator scheme retire-label``, issue 16) is kept for reading its
spans but no longer offered: no button, no key, not in review mode's "Accept as" keys."""

from __future__ import annotations

from gui_helpers import SIMPLE, drag_select, point_on_char
from PySide6.QtCore import Qt

from annotator.codebook import retire_label
from annotator.store import Store

K = Qt.Key


def test_a_retired_label_is_shown_but_not_offered(qtbot, open_window, db, doc_ids, reader):
    simple = doc_ids["Simple"]
    with Store(db) as s:
        q = SIMPLE.index("quick")
        s.add_span(simple, "alice", q, q + 5, "alarmist")
        retire_label(s, "alarmist", by="lead")
        assert [lab.name for lab in s.scheme.offered_labels] == [
            "skeptical_of_alliance",
            "policy_prescription",
        ]
    w = open_window("alice")
    w.open_document(simple)
    assert "alarmist" not in w.panel.label_buttons
    assert sorted(w.menus.label_actions) == ["policy_prescription", "skeptical_of_alliance"]
    # its old span is still there to read
    assert [s.label for s in w.view._spans] == ["alarmist"]
    lazy = SIMPLE.index("lazy")
    drag_select(qtbot, w.view, point_on_char(w.view, lazy), point_on_char(w.view, lazy + 3))
    qtbot.keyClick(w.view, K.Key_1)  # the retired label's key does nothing now
    assert [s.label for s in reader.spans(simple, "alice")] == ["alarmist"]
    qtbot.keyClick(w.view, K.Key_2)  # an offered label still works
    assert sorted(s.label for s in reader.spans(simple, "alice")) == [
        "alarmist",
        "skeptical_of_alliance",
    ]
