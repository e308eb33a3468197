"""Tools → Agreement over time (issue 16): the window computes ``agreement --by`` in the
background and shows the groups, the codebook changes and the falls, with the numbers of
:func:`annotator.agreement_trend.compute_trend`."""

from __future__ import annotations

from PySide6.QtGui import QAction

from annotator.agreement_trend import compute_trend
from annotator.scheme import extend_scheme
from annotator.store import Store

OPTIONS = ["alarmist", "skeptical_of_alliance", "policy_prescription", "none"]


def test_the_trend_window_shows_each_round_and_the_codebook_change(qtbot, open_window, db, doc_ids):
    ids = sorted(set(doc_ids.values()))
    first, second = ids[: len(ids) // 2], ids[len(ids) // 2 :]
    with Store(db) as s:
        s.create_round("pilot", 1, {"method": "test"})
        s.add_assignments(
            "pilot", [(c, d, True, i + 1) for c in ("ana", "ben") for i, d in enumerate(first)]
        )
        s.create_round("main", 2, {"method": "test"})
        s.add_assignments(
            "main", [(c, d, True, i + 1) for c in ("ana", "ben") for i, d in enumerate(second)]
        )
        for i, d in enumerate(first):  # the pilot agrees
            for c in ("ana", "ben"):
                s.set_doc_label(d, c, "dominant_frame", OPTIONS[i % 4])
        s.record_scheme(extend_scheme(s.scheme, s.scheme.version + 1, labels=["economic_threat"]))
        for i, d in enumerate(second):  # after the change, they disagree
            s.set_doc_label(d, "ana", "dominant_frame", OPTIONS[i % 4])
            s.set_doc_label(d, "ben", "dominant_frame", OPTIONS[(i + 1) % 4])
        expected = compute_trend(s, "round", bootstrap=0)
    w = open_window("ana")
    action = next(a for a in w.findChildren(QAction) if a.objectName() == "agreementTrend")
    action.trigger()
    view = w._trend
    assert view is not None
    qtbot.waitUntil(lambda: view.trend is not None, timeout=10_000)
    assert [g.key for g in view.trend.groups] == ["pilot", "main"]
    assert view.trend.series == expected.series
    assert view.table.horizontalHeaderItem(1).text() == "pilot"
    row = next(
        r
        for r in range(view.table.rowCount())
        if view.table.item(r, 0).text() == "dominant_frame (alpha)"
    )
    assert view.table.item(row, 1).text() == "1.000"
    assert (
        "dominant_frame (alpha)" in view.flags.text()
        and "Codebook changed before round main" in view.flags.text()
    )
    view.chart.grab()  # paints without error


def test_the_window_charts_draw_an_alpha_below_minus_half_where_it_is(qtbot):
    """The α chart and the trend chart reach below -0.5 for a value (or an interval's
    end) there (``agreement.axis``); they drew it at -0.5."""
    from types import SimpleNamespace

    from annotator.agreement_trend import TrendReport
    from annotator.gui.agreement_charts import AlphaChart, ChartRow
    from annotator.gui.trend_view import TrendChart

    chart = AlphaChart()
    qtbot.addWidget(chart)
    chart.resize(600, 200)
    chart.set_rows([ChartRow("alarmist", 0.4, (-1.2, 0.7)), ChartRow("skeptical", -0.8)])
    assert chart.x_of(-1.5) < chart.x_of(-1.2) < chart.x_of(-0.8) < chart.x_of(-0.5)
    trend = TrendChart()
    qtbot.addWidget(trend)
    trend.resize(800, 300)
    groups = (SimpleNamespace(key="pilot"), SimpleNamespace(key="main"))
    trend.set_trend(TrendReport("round", groups, {"f (alpha)": [0.9, -1.2]}, (), ()))  # type: ignore[arg-type]
    assert trend._y(-1.5) > trend._y(-1.2) > trend._y(-0.5)
    trend.grab()  # paints with the lower ticks
