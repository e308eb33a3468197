"""Tools → Progress: the numbers of ``round_progress`` per coder in a table and a bar
chart, a round chooser and Refresh driven by real clicks and keys, one line when the
database has no rounds, and the window fits the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QTableWidget

from annotator.progress import NO_ASSIGNMENTS, round_progress
from annotator.store import Store


@pytest.fixture
def design(db):
    """Round ``pilot`` (ana: one document, done) and the current round ``main``: the
    first two documents for ana and ben (reliability), then one document each; ana has
    done two of hers, ben coded one without finishing it."""
    with Store(db) as s:
        ids = s.document_ids()
        s.create_round("pilot", 1, {})
        s.add_assignments("pilot", [("ana", ids[0], True, 1)])
        s.create_round("main", 2, {"overlap_docs": 2})
        rows = [(c, d, True, i + 1) for i, d in enumerate(ids[:2]) for c in ("ana", "ben")]
        rows += [("ana", ids[2], False, 3), ("ben", ids[3], False, 3)]
        s.add_assignments("main", rows)
        s.set_status(ids[0], "ana", "done")
        s.set_status(ids[2], "ana", "done")
        s.set_doc_label(ids[1], "ben", "dominant_frame", "alarmist")
        return ids


def open_progress(qtbot, w):
    w.findChild(QAction, "progress").trigger()
    view = w.progress_window
    assert view is not None
    qtbot.waitExposed(view)
    return view


def cells(view):
    t = view.findChild(QTableWidget, "progressTable")
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_the_window_shows_the_cores_numbers_and_refresh_reads_again(
    qtbot, open_window, design, reader
):
    w = open_window()
    view = open_progress(qtbot, w)
    assert view.findChild(QComboBox, "progressRound").currentText() == "main"
    assert cells(view) == round_progress(reader, "main").rows()
    rows = cells(view)
    assert [r[:6] for r in rows] == [
        ["ana", "3", "2", "2", "1", "1/2"],
        ["ben", "3", "1", "0", "3", "1/2"],
        ["total", "6", "3", "2", "4", "2/4"],
    ]
    summary = view.findChild(QLabel, "progressSummary").text()
    assert summary.startswith("2 coder(s), 4 document(s), 2 in the reliability sample")
    # ben finishes a document in another process; Refresh (a real click) shows it
    reader.set_status(design[1], "ben", "done")
    qtbot.mouseClick(view.findChild(QPushButton, "progressRefresh"), Qt.MouseButton.LeftButton)
    assert cells(view)[1][:6] == ["ben", "3", "1", "1", "2", "1/2"]
    assert view.findChild(QComboBox, "progressRound").currentText() == "main"  # kept


def test_the_round_chooser_shows_another_round(qtbot, open_window, design):
    w = open_window()
    view = open_progress(qtbot, w)
    box = view.findChild(QComboBox, "progressRound")
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Up)  # pilot, the round before main
    assert box.currentText() == "pilot"
    assert [r[:6] for r in cells(view)] == [
        ["ana", "1", "1", "1", "0", "1/1"],
        ["total", "1", "1", "1", "0", "1/1"],
    ]
    assert cells(view)[0][8] == "done"
    assert [c.coder for c in view.chart.rows] == ["ana"]


def pixel(widget, x, y):
    return QColor(widget.grab().toImage().pixel(int(x), int(y)))


def test_the_chart_draws_done_coded_and_remaining(qtbot, open_window, design):
    from annotator.gui.progress_view import CODED, DONE, RELIABLE, REMAINING

    w = open_window()
    view = open_progress(qtbot, w)
    chart = view.chart
    label_w, bar_w, _ = chart._geometry()
    y0 = chart.TOP + 3 + 8  # the middle of the first bar (ana: 2 done, 1 not started, of 3)
    third = bar_w / 3
    assert pixel(chart, label_w + third * 0.5, y0) == DONE
    assert pixel(chart, label_w + third * 1.5, y0) == DONE
    assert pixel(chart, label_w + third * 2.5, y0) == REMAINING
    y1 = y0 + chart.ROW_H  # ben: 1 coded but not done, 2 not started
    assert pixel(chart, label_w + third * 0.5, y1) == CODED
    assert pixel(chart, label_w + third * 1.5, y1) == REMAINING
    # ana's reliability bar: 1 of 2 coded, on the same scale
    assert pixel(chart, label_w + third * 0.5, chart.TOP + 24) == RELIABLE


def test_a_database_without_rounds_says_so_in_one_line(qtbot, open_window, reader):
    w = open_window()
    view = open_progress(qtbot, w)
    empty = view.findChild(QLabel, "progressEmpty")
    assert empty.isVisible() and empty.text() == (
        "This database has no assignments; plan them with `annotator assign`."
    )
    assert NO_ASSIGNMENTS[1:] in empty.text()
    assert not view.findChild(QTableWidget, "progressTable").isVisible()
    assert not view.findChild(QComboBox, "progressRound").isVisible()
    # the lead plans a round in another process; Refresh shows it
    doc = reader.document_ids()[0]
    reader.create_round("main", 3, {})
    reader.add_assignments("main", [("ana", doc, False, 1)])
    qtbot.mouseClick(view.findChild(QPushButton, "progressRefresh"), Qt.MouseButton.LeftButton)
    assert not empty.isVisible() and view.findChild(QComboBox, "progressRound").isVisible()
    assert [r[:5] for r in cells(view)] == [
        ["ana", "1", "0", "0", "1"],
        ["total", "1", "0", "0", "1"],
    ]


def test_the_window_fits_the_screen_is_kept_and_remembers_its_size(qtbot, open_window, design):
    from annotator.gui.layouts import SCREEN_MARGIN

    w = open_window()
    view = open_progress(qtbot, w)
    room = view.screen().availableGeometry()
    assert view.width() <= room.width() - SCREEN_MARGIN.width()
    assert view.height() <= room.height() - SCREEN_MARGIN.height()
    view.resize(600, 420)
    view.close()  # hidden, kept
    assert w.settings.value("progress/size").width() == 600
    assert w.open_progress() is view and view.isVisible()
    view.close()
    view.deleteLater()
    qtbot.waitUntil(lambda: w.progress_window is None)
    view = open_progress(qtbot, w)
    assert (view.width(), view.height()) == (600, 420)
