"""Tools → Agreement: the numbers of ``compute_agreement`` as tables, charts that paint,
n/a with reasons, the documents worst first (double-click opens one), review, HTML."""

from __future__ import annotations

import sys
import types

import pytest
from gui_helpers import click_button
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QMessageBox, QPushButton

from annotator.gui.plaintext import plain_tooltip
from annotator.reliability import compute_agreement
from annotator.report_text import fmt
from annotator.store import Store

CODERS = ("ana", "ben", "cy")


@pytest.fixture
def coded(db, doc_ids) -> list[int]:
    """Three coders on three articles; nobody uses 'policy_prescription' (n/a)."""
    ids = [doc_ids["Simple"], doc_ids["Emoji"], *sorted(set(doc_ids.values()))[:1]]
    ids = list(dict.fromkeys(ids))
    frames = ["alarmist", "skeptical_of_alliance", "none"]
    with Store(db) as s:
        for j, coder in enumerate(CODERS):
            s.add_coder(coder)
            for i, doc_id in enumerate(ids):
                label = "alarmist" if i % 2 == 0 else "skeptical_of_alliance"
                s.add_span(doc_id, coder, 4, 9 + (j if i == 1 else 0), label)
                s.set_doc_label(doc_id, coder, "dominant_frame", frames[(i + (j == 2)) % 3])
                s.set_status(doc_id, coder, "done")
    return ids


def open_agreement(qtbot, w):
    w.findChild(QAction, "agreement").trigger()
    view = w.agreement_window
    qtbot.waitUntil(lambda: view.report is not None, timeout=60_000)
    return view


def cell(table, row: int, col: int) -> str:
    return table.item(row, col).text()


def test_agreement_window_shows_the_reports_numbers(qtbot, open_window, coded, reader):
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    assert not view.isModal()
    expected = compute_agreement(reader, bootstrap=1000, seed=0)
    assert view.report == expected
    assert view.selected_coders() == list(CODERS)

    f = expected.doc_fields["dominant_frame"]
    ft = view.fields_table
    assert cell(ft, 0, 0) == "dominant_frame (single)"
    assert cell(ft, 0, 1) == fmt(f.alpha.value, f.alpha.ci)
    assert cell(ft, 0, 2) == fmt(f.percent.value)
    assert cell(ft, 0, 3) == fmt(f.fleiss_kappa.value)
    assert cell(ft, 0, 4) == str(f.n_documents)
    options = expected.doc_fields["frames_present"].options
    assert options is not None
    assert ft.rowCount() == 2 + len(options)  # one row per option of the multi field

    st = view.spans_table
    overall = expected.spans.overall
    assert cell(st, 0, 0) == "All labels"
    assert cell(st, 0, 1) == fmt(overall.f1_exact.value)
    assert cell(st, 0, 2) == fmt(overall.f1_overlap.value)
    assert cell(st, 0, 3) == fmt(overall.alpha_token.value, overall.alpha_token.ci)
    assert cell(st, 0, 4) == fmt(overall.alpha_u.value, overall.alpha_u.ci)
    labels = list(expected.spans.by_label)
    assert [cell(st, r, 0) for r in range(1, st.rowCount())] == labels

    dt = view.docs_table
    order = [dt.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(dt.rowCount())]
    assert order == [d.doc_id for d in expected.documents]  # worst first
    assert cell(dt, 0, 2) == fmt(expected.documents[0].f1_overlap)


def test_undefined_statistics_show_na_with_the_reason(qtbot, open_window, coded, reader):
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    st = view.spans_table
    row = next(r for r in range(st.rowCount()) if cell(st, r, 0) == "policy_prescription")
    reasons = view.report.spans.by_label["policy_prescription"].reasons()
    item = st.item(row, 1)
    assert item.text().startswith("n/a")
    assert item.toolTip() == plain_tooltip(reasons["f1_exact"])  # shown literally
    assert reasons["f1_exact"] in view.notes_label.text()  # and as a footnote
    chart_row = next(r for r in view.chart.rows if r.name == "spans policy_prescription (α_U)")
    assert chart_row.value is None and chart_row.reason == reasons["alpha_u"]


def test_chart_and_heat_map_paint(qtbot, open_window, coded):
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    assert len(view.chart.rows) == 2 + 3 + 2 * 4  # fields, options, spans (token α, α_U)
    image = view.chart.grab().toImage()
    assert not image.isNull() and image.height() >= view.chart.sizeHint().height()
    view.tabs.setCurrentIndex(1)
    for i in range(view.pair_stat.count()):
        view.pair_stat.setCurrentIndex(i)
        assert view.heat.coders == list(CODERS)
        assert not view.heat.grab().toImage().isNull()
    kappa = view.pair_stat.findText("Cohen's κ, field dominant_frame")
    view.pair_stat.setCurrentIndex(kappa)
    assert view.heat.pairs == view.report.doc_fields["dominant_frame"].cohen_kappa
    assert (
        view.heat.value("ana", "ben")
        == view.report.doc_fields["dominant_frame"].cohen_kappa["ana|ben"]
    )


def test_coder_selection_recomputes(qtbot, open_window, coded, reader):
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    click_button(qtbot, view.findChild(QCheckBox, "coderCheck_cy"))
    qtbot.waitUntil(lambda: view.report.coders == ("ana", "ben"), timeout=60_000)
    assert view.report == compute_agreement(reader, ["ana", "ben"], bootstrap=1000, seed=0)
    assert view.heat.coders == ["ana", "ben"]
    click_button(qtbot, view.findChild(QCheckBox, "coderCheck_ben"))
    qtbot.waitUntil(lambda: view.report.coders == ("ana",), timeout=60_000)
    assert any("at least two" in r for r in view.report.reasons)
    assert "at least two" in view.meta_label.text()
    assert cell(view.fields_table, 0, 1).startswith("n/a")
    assert not view.heat.grab().toImage().isNull()


def test_double_click_opens_the_document(qtbot, open_window, coded):
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    view.tabs.setCurrentIndex(2)
    dt = view.docs_table
    target = dt.item(dt.rowCount() - 1, 0).data(Qt.ItemDataRole.UserRole)
    assert w.doc.id != target or dt.rowCount() == 1
    rect = dt.visualItemRect(dt.item(dt.rowCount() - 1, 0))
    qtbot.mouseClick(dt.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dt.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: w.doc.id == target, timeout=3000)
    assert w.doc_list.ids()  # the list still there, the article shown
    assert w.view.text == w.store.document(target).text


def test_review_button_calls_open_review_or_says_it_is_missing(
    qtbot, open_window, coded, monkeypatch
):
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    calls = []
    fake = types.ModuleType("annotator.gui.review")
    fake.open_review = lambda main, doc_id: calls.append((main, doc_id))
    monkeypatch.setitem(sys.modules, "annotator.gui.review", fake)
    view.docs_table.selectRow(0)
    first = view.doc_id_at(0)
    qtbot.mouseClick(view.findChild(QPushButton, "reviewDocument"), Qt.MouseButton.LeftButton)
    assert calls == [(w, first)]
    # Tools → Review document… on the current article
    w.findChild(QAction, "reviewDocument").trigger()
    assert calls[-1] == (w, w.doc.id)

    monkeypatch.setitem(sys.modules, "annotator.gui.review", None)  # import fails
    qtbot.mouseClick(view.findChild(QPushButton, "reviewDocument"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any("not available" in b.text() for b in w.findChildren(QMessageBox)),
        timeout=3000,
    )
    assert len(calls) == 2


def test_save_html_report(qtbot, open_window, coded, tmp_path):
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    target = tmp_path / "report.html"
    view.save_html(target)
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Inter-coder agreement" in html
    assert "ana, ben, cy" in html
    assert not list(tmp_path.glob(".report.html.*"))  # written atomically, nothing left over


def test_the_agreement_window_fits_the_screen_and_remembers_its_size(qtbot, open_window, coded):
    """Point 8 of issue 12 for Tools → Agreement: it opened at a fixed 1200×760, larger than
    the offscreen test screen (800×600); now it is clamped into the screen's available area
    and reopens at the size it was closed at."""
    from annotator.gui.layouts import SCREEN_MARGIN

    w = open_window()
    view = open_agreement(qtbot, w)
    room = view.screen().availableGeometry()
    assert view.width() <= room.width() - SCREEN_MARGIN.width()
    assert view.height() <= room.height() - SCREEN_MARGIN.height()
    assert room.contains(view.geometry())
    view.resize(700, 480)
    size = (view.width(), view.height())
    assert size != (room.width() - SCREEN_MARGIN.width(), room.height() - SCREEN_MARGIN.height())
    view.close()
    assert w.settings.value("agreement/size").width() == size[0]
    view.deleteLater()  # a fresh window next time, as after a restart
    qtbot.waitUntil(lambda: w.agreement_window is None)
    view = open_agreement(qtbot, w)
    assert (view.width(), view.height()) == size


def test_the_window_computes_on_a_rounds_reliability_sample(qtbot, open_window, coded, db):
    """As `agreement --sample reliability --round`: the chooser appears only when the
    database has rounds; its choice narrows the documents and coders and the design is
    stated above the numbers."""
    w = open_window("ana")
    view = open_agreement(qtbot, w)
    assert not view.scope.isVisibleTo(view)  # no rounds: nothing to choose
    with Store(db) as s:
        s.create_round("main", 42, {"method": "a hand-made sample"})
        s.add_assignments(
            "main",
            [(c, d, d == coded[0], i + 1) for c in ("ana", "ben") for i, d in enumerate(coded)],
        )
    w.close()
    view.close()
    view = open_agreement(qtbot, w)  # shown again: the rounds are read again
    assert view.scope.isVisibleTo(view)
    assert [view.scope.itemText(i) for i in range(view.scope.count())] == [
        "All documents",
        "Round main: reliability sample",
        "Round main: all its documents",
    ]
    qtbot.waitUntil(lambda: view.worker is not None and view.worker.isFinished(), timeout=60_000)
    assert view.report is not None and view.report.design is None  # all documents
    view.scope.setFocus()
    qtbot.keyClick(view.scope, Qt.Key.Key_Down)  # the reliability sample
    qtbot.waitUntil(lambda: view.report.design is not None, timeout=60_000)
    with Store(db, readonly=True) as s:
        expected = compute_agreement(s, ["ana", "ben"], round="main", sample="reliability")
    assert view.report == expected
    assert view.report.n_documents == 1 and view.report.coders == ("ana", "ben")
    assert "Round main, its reliability sample" in view.meta_label.text()
    assert "seed 42" in view.meta_label.text()
