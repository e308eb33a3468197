"""Tools → Agreement: the reliability report as tables, an α chart, a coder heat map
and the documents worst first.

The report (:func:`annotator.reliability.compute_agreement`, with 1000 bootstrap
resamples) is computed in a worker thread with its own Store connection; the window
stays usable meanwhile. Undefined statistics show as "n/a" with the reason as tool
tip and as a footnote.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QHideEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..report_text import fmt
from ..store import Store
from .agreement_charts import AlphaChart, ChartRow, HeatMap
from .jobs import Jobs
from .layouts import fit_window, save_window
from .plaintext import literal_mnemonic, literal_title, plain_tooltip

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtCore import QThread

    from ..agreement.report import AgreementReport, Estimate, PairValues

NA_COLOR = QColor("#8a8a8a")


class AgreementHost(Protocol):
    """What the agreement window needs from the main window that opens it (which keeps
    it: ``MainWindow.open_agreement``)."""

    store: Store
    jobs: Jobs
    settings: QSettings  # where the window's size is remembered, on this machine

    def window(self) -> QWidget: ...  # the parent of the agreement window

    def notify(self, title: str, message: str, warning: bool = False) -> object: ...

    def show_document(self, doc_id: int) -> None: ...

    def open_review(self, doc_id: int | None = None) -> object: ...


def _item(text: str, tip: str = "", number: bool = True) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if number:
        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        it.setToolTip(plain_tooltip(tip))
    if text == "n/a":
        it.setForeground(NA_COLOR)
    return it


def _table(name: str, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    h = t.horizontalHeader()
    h.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return t


def _fit_height(t: QTableWidget) -> None:
    """No inner scroll bar: the table is as tall as its rows."""
    h = t.horizontalHeader().height() + 4
    h += sum(t.rowHeight(r) for r in range(t.rowCount()))
    t.setFixedHeight(max(h, 60))


class AgreementWindow(QDialog):
    """Non-modal window with the agreement report of the main window's database."""

    def __init__(self, main: AgreementHost, bootstrap: int = 1000, seed: int = 0):
        super().__init__(main.window())
        self.main = main
        self.bootstrap, self.seed = bootstrap, seed
        self.setObjectName("agreementWindow")
        self.setWindowTitle(literal_title(f"Agreement — {main.store.path.name}"))
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setModal(False)
        self.report: AgreementReport | None = None
        self.worker: QThread | None = None
        self._generation = 0
        self._notes: list[str] = []

        # top bar: coders, status, actions
        self.coder_box = QHBoxLayout()
        self.coder_box.setSpacing(10)
        self.coder_checks: dict[str, QCheckBox] = {}
        self.status = QLabel()
        self.status.setObjectName("agreementStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # error messages hold data
        self.save_button = QPushButton("Save HTML report…")
        self.save_button.setObjectName("saveHtml")
        self.save_button.clicked.connect(self.save_html_dialog)
        self.save_button.setEnabled(False)
        # which documents: all, or a round's (its reliability sample, or all of it)
        self.scope = QComboBox()
        self.scope.setObjectName("agreementScope")
        self.scope.setToolTip(
            "Compute on all documents, or on a round's reliability sample or documents"
            " (as agreement --sample reliability / --round)"
        )
        self.scope_label = QLabel("<b>Documents:</b>")
        self.scope_label.setContentsMargins(12, 0, 0, 0)  # apart from the coders (when shown)
        # which labels: all, human-only or from suggestions (as agreement --origin)
        self.origin = QComboBox()
        self.origin.setObjectName("agreementOrigin")
        self.origin.setToolTip(
            "Count all labels, only those made without suggestions (human-only), or only"
            " those from suggestions (as agreement --origin)"
        )
        for text, key in (
            ("All labels", "all"),
            ("Human-only", "manual"),
            ("Assisted", "assisted"),
        ):
            self.origin.addItem(text, key)
        origins = QHBoxLayout()  # a row of its own: the top bar must fit a small screen
        origins.addWidget(QLabel("<b>Origin:</b>"))
        origins.addWidget(self.origin)
        origins.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Coders:</b>"))
        top.addLayout(self.coder_box)
        top.addWidget(self.scope_label)
        top.addWidget(self.scope)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(self.save_button)
        self._recompute = QTimer(self)
        self._recompute.setSingleShot(True)
        self._recompute.setInterval(250)
        self._recompute.timeout.connect(self.compute)

        # summary tab: tables on the left, the chart on the right
        self.fields_table = _table(
            "fieldsTable",
            ["Document field", "Krippendorff's α [95% CI]", "agreement (0-1)", "Fleiss' κ", "n"],
        )
        self.spans_table = _table(
            "spansTable",
            ["Spans", "F1 exact", "F1 overlap", "token α [95% CI]", "α_U [95% CI]"],
        )
        # the other origins side by side, when the labels have both
        self.origin_title = QLabel()
        self.origin_title.setWordWrap(True)
        self.origin_title.setTextFormat(Qt.TextFormat.PlainText)
        self.origin_table = _table("originTable", [""])
        self.notes_label = QLabel()
        self.notes_label.setObjectName("agreementNotes")
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notes_label.setStyleSheet("color: #666;")
        self.meta_label = QLabel()
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)  # coder names
        self.meta_label.setWordWrap(True)
        self.meta_label.setStyleSheet("color: #555;")
        tables = QWidget()
        tl = QVBoxLayout(tables)
        tl.addWidget(self.meta_label)
        tl.addWidget(self.fields_table)
        tl.addWidget(self.spans_table)
        tl.addWidget(self.origin_title)
        tl.addWidget(self.origin_table)
        tl.addWidget(self.notes_label)
        tl.addStretch(1)
        tables_scroll = QScrollArea()
        tables_scroll.setWidgetResizable(True)
        tables_scroll.setWidget(tables)
        self.chart = AlphaChart()
        self.chart.setObjectName("alphaChart")
        chart_scroll = QScrollArea()
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setWidget(self.chart)
        chart_box = QWidget()
        cb = QVBoxLayout(chart_box)
        cb.setContentsMargins(0, 0, 0, 0)
        cb.addWidget(QLabel("<b>Krippendorff's α with 95% intervals</b>"))
        cb.addWidget(chart_scroll, 1)
        legend = QLabel("Dashed lines: α = 0.667 and 0.8 (tentative / reliable conclusions).")
        legend.setStyleSheet("color: #666;")
        legend.setWordWrap(True)
        cb.addWidget(legend)
        summary = QSplitter(Qt.Orientation.Horizontal)
        summary.addWidget(tables_scroll)
        summary.addWidget(chart_box)
        summary.setSizes([620, 520])

        # coder pairs tab: the heat map, statistic selectable
        self.pair_stat = QComboBox()
        self.pair_stat.setObjectName("pairStatistic")
        self.pair_stat.currentIndexChanged.connect(self._show_pairs)
        self.heat = HeatMap()
        self.heat.setObjectName("heatMap")
        pairs = QWidget()
        pl = QVBoxLayout(pairs)
        row = QHBoxLayout()
        row.addWidget(QLabel("Statistic:"))
        row.addWidget(self.pair_stat, 1)
        pl.addLayout(row)
        pl.addWidget(self.heat, 1)

        # documents tab: worst first
        self.docs_table = _table(
            "documentsTable", ["Document", "Coders", "F1 overlap", "F1 exact", "token α", "α_U"]
        )
        self.docs_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.docs_table.cellDoubleClicked.connect(lambda r, _c: self.open_row(r))
        open_button = QPushButton("Open in main window")
        open_button.setObjectName("openDocument")
        open_button.clicked.connect(lambda: self.open_row(self.docs_table.currentRow()))
        review_button = QPushButton("Review…")
        review_button.setObjectName("reviewDocument")
        review_button.clicked.connect(self.review_current)
        docs = QWidget()
        dl = QVBoxLayout(docs)
        dl.addWidget(QLabel("Documents by agreement, worst first (double-click to open)"))
        dl.addWidget(self.docs_table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(open_button)
        buttons.addWidget(review_button)
        dl.addLayout(buttons)

        self.tabs = QTabWidget()
        self.tabs.addTab(summary, "Summary")
        self.tabs.addTab(pairs, "Coder pairs")
        self.tabs.addTab(docs, "Documents")
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(origins)
        lay.addWidget(self.tabs, 1)
        fit_window(main.settings, self, QSize(1200, 760), key="agreement")
        self.refresh_coders()
        self.refresh_scopes()
        self.scope.currentIndexChanged.connect(lambda _i: self._recompute.start())
        self.origin.currentIndexChanged.connect(lambda _i: self._recompute.start())
        self.compute()

    def hideEvent(self, e: QHideEvent) -> None:
        save_window(self.main.settings, self, key="agreement")  # closed or hidden: remember
        super().hideEvent(e)

    # -- coders and computing -----------------------------------------------------

    def refresh_coders(self) -> None:
        names = self.main.store.coders()
        old = {n: c.isChecked() for n, c in self.coder_checks.items()}
        for c in self.coder_checks.values():
            self.coder_box.removeWidget(c)
            c.deleteLater()
        self.coder_checks = {}
        for name in names:
            c = QCheckBox(literal_mnemonic(name))
            c.setObjectName(f"coderCheck_{name}")
            c.setChecked(old.get(name, True))
            c.toggled.connect(lambda _on: self._recompute.start())
            self.coder_box.addWidget(c)
            self.coder_checks[name] = c

    def selected_coders(self) -> list[str]:
        return [n for n, c in self.coder_checks.items() if c.isChecked()]

    def refresh_scopes(self) -> None:
        """The documents chooser: all documents, and for each round of a study its
        reliability sample and all its documents (hidden when there are no rounds)."""
        current = self.scope.currentData()
        rounds = [r.name for r in self.main.store.rounds()]
        self.scope.blockSignals(True)
        self.scope.clear()
        self.scope.addItem("All documents", (None, None))
        for name in rounds:
            self.scope.addItem(f"Round {name}: reliability sample", (name, "reliability"))
            self.scope.addItem(f"Round {name}: all its documents", (name, None))
        at = self.scope.findData(current) if current is not None else -1
        self.scope.setCurrentIndex(max(at, 0))
        self.scope.blockSignals(False)
        self.scope.setVisible(bool(rounds))
        self.scope_label.setVisible(bool(rounds))

    def selected_scope(self) -> tuple[str | None, str | None]:
        """``(round, sample)`` as ``compute_agreement`` takes them; (None, None): all."""
        data = self.scope.currentData()
        return data if isinstance(data, tuple) else (None, None)

    def compute(self) -> QThread:
        """Start computing the report for the checked coders; returns the worker thread."""
        from ..reliability import compute_agreement

        self._recompute.stop()
        self._generation += 1
        generation = self._generation
        coders, boot, seed = self.selected_coders(), self.bootstrap, self.seed
        round_name, sample = self.selected_scope()
        origin = str(self.origin.currentData())
        self.status.setText(f"Computing ({boot} bootstrap resamples)…")
        self.setCursor(Qt.CursorShape.BusyCursor)

        def job(store: Store, _progress: Callable[[int, int], None]) -> AgreementReport:
            if round_name is None:
                return compute_agreement(store, coders, bootstrap=boot, seed=seed, origin=origin)
            # the round's coders that are checked (a coder outside the round has no place
            # in its design)
            in_round = set(store.round_coders(round_name))
            return compute_agreement(
                store,
                [c for c in coders if c in in_round],
                bootstrap=boot,
                seed=seed,
                round=round_name,
                sample=sample,
                origin=origin,
            )

        def done(report: AgreementReport) -> None:
            if generation == self._generation:
                self.unsetCursor()
                self.show_report(report)

        def failed(message: str) -> None:
            if generation == self._generation:
                self.unsetCursor()
                self.status.setText(f"Failed: {message}")
                self.main.notify("Agreement", message, warning=True)

        main = self.main
        worker = main.jobs.start_background(main.store.path, job, done, failed, main.store.readonly)
        self.worker = worker
        return worker

    # -- showing a report ---------------------------------------------------------

    @staticmethod
    def _design_lines(report: AgreementReport) -> list[str]:
        """The designed sample the report is on (round, coders, how it was drawn)."""
        if report.design is None:
            return []
        from ..report_text import design_lines

        return design_lines(report.design)

    def show_report(self, report: AgreementReport) -> None:
        self.report = report
        self._notes = []
        self.save_button.setEnabled(True)
        boot = report.bootstrap
        self.status.setText(
            f"{report.n_documents} document(s) coded by {len(report.coders)} coder(s)"
        )
        self.meta_label.setText(
            f"Coders: {', '.join(report.coders) or 'none'} · {report.n_documents}"
            f" document(s) coded · 95% percentile bootstrap intervals over documents"
            f" ({boot.resamples} resamples, seed {boot.seed})"
            + "".join(f"\nNote: {r}" for r in report.reasons)
            + "".join(f"\n{line}" for line in self._design_lines(report))
        )
        self._fill_fields(report)
        self._fill_spans(report)
        self._fill_origins(report)
        self.notes_label.setText("\n".join(self._notes))
        self.notes_label.setVisible(bool(self._notes))
        self.chart.set_rows(chart_rows(report))
        self._fill_pair_choices(report)
        self._fill_documents(report)

    def _cell(
        self,
        value: float | None,
        ci: Sequence[float] | None = None,
        reason: str | None = None,
        where: str = "",
    ) -> QTableWidgetItem:
        text = fmt(value, ci)
        tip = ""
        if value is None:
            reason = reason or "not enough data"
            self._notes.append(f"n/a — {where}: {reason}")
            tip = reason
            text = f"n/a{_mark(len(self._notes))}"
            it = _item(text, tip)
            it.setForeground(NA_COLOR)
            return it
        return _item(text)

    def _fill_fields(self, report: AgreementReport) -> None:
        t = self.fields_table
        t.setRowCount(0)
        for name, f in report.doc_fields.items():
            r = t.rowCount()
            t.insertRow(r)
            t.setItem(r, 0, _item(f"{name} ({f.kind})", number=False))
            t.setItem(r, 1, self._cell(f.alpha.value, f.alpha.ci, f.alpha.reason, f"{name} α"))
            # an undefined agreement share is explained by α's reason, as the report always did
            t.setItem(
                r, 2, self._cell(f.percent.value, None, f.alpha.reason, f"{name} agreement (0-1)")
            )
            t.setItem(
                r,
                3,
                self._cell(f.fleiss_kappa.value, None, f.fleiss_kappa.reason, f"{name} Fleiss' κ"),
            )
            t.setItem(r, 4, _item(str(f.n_documents)))
            for option, o in (f.options or {}).items():
                r = t.rowCount()
                t.insertRow(r)
                label = _item(f"    {name} = {option}", number=False)
                label.setForeground(QColor("#555"))
                t.setItem(r, 0, label)
                t.setItem(
                    r,
                    1,
                    self._cell(o.value, o.ci, o.reason, f"{name} = {option} α"),
                )
                for c in (2, 3, 4):
                    t.setItem(r, c, _item(""))
        _fit_height(t)  # fmt: skip

    def _fill_spans(self, report: AgreementReport) -> None:
        t = self.spans_table
        t.setRowCount(0)
        blocks = [("All labels", report.spans.overall), *report.spans.by_label.items()]
        for name, b in blocks:
            r = t.rowCount()
            t.insertRow(r)
            first = _item(name, number=False)
            if r == 0:
                bold = QFont(first.font())
                bold.setBold(True)
                first.setFont(bold)
            t.setItem(r, 0, first)
            for c, (key, s) in enumerate(b.statistics().items(), 1):
                t.setItem(r, c, self._cell(s.value, s.ci, s.reason, f"{name} {HEAD[key]}"))
        _fit_height(t)  # fmt: skip

    def _fill_origins(self, report: AgreementReport) -> None:
        """The views by origin side by side (hidden when the labels have one origin)."""
        from ..report_text import origin_table

        table = origin_table(report)
        t = self.origin_table
        t.setRowCount(0)
        self.origin_title.setVisible(table is not None)
        t.setVisible(table is not None)
        if table is None:
            return
        title, headers, rows = table
        self.origin_title.setText(title)
        t.setColumnCount(len(headers))
        t.setHorizontalHeaderLabels(headers)
        for row in rows:
            r = t.rowCount()
            t.insertRow(r)
            t.setItem(r, 0, _item(row[0], number=False))
            for c, text in enumerate(row[1:], 1):
                t.setItem(r, c, _item(text))
        _fit_height(t)

    def _fill_pair_choices(self, report: AgreementReport) -> None:
        current = self.pair_stat.currentText()
        self.pair_stat.blockSignals(True)
        self.pair_stat.clear()
        self.pair_stat.addItem("Span F1 (overlap), all labels", ("spans", None))
        for lab in report.spans.by_label:
            self.pair_stat.addItem(f"Span F1 (overlap), {lab}", ("spans", lab))
        for name in report.doc_fields:
            self.pair_stat.addItem(f"Cohen's κ, field {name}", ("field", name))
        i = self.pair_stat.findText(current)
        self.pair_stat.setCurrentIndex(max(i, 0))
        self.pair_stat.blockSignals(False)
        self._show_pairs()

    def _show_pairs(self) -> None:
        if self.report is None or self.pair_stat.count() == 0:
            return
        kind, name = self.pair_stat.currentData()
        pairs: PairValues
        if kind == "spans":
            spans = self.report.spans
            block = spans.overall if name is None else spans.by_label[name]
            pairs = block.f1_pairs
        else:
            pairs = self.report.doc_fields[name].cohen_kappa
        self.heat.set_data(self.report.coders, pairs, self.pair_stat.currentText())

    def _fill_documents(self, report: AgreementReport) -> None:
        t = self.docs_table
        fields = list(report.doc_fields)
        headers = ["Document", "Coders", "F1 overlap", "F1 exact", "token α", "α_U"]
        t.setColumnCount(len(headers) + len(fields))
        t.setHorizontalHeaderLabels(headers + [f"{f} agreement" for f in fields])
        t.setRowCount(0)
        for row in report.documents:
            r = t.rowCount()
            t.insertRow(r)
            title = _item(row.title or f"Document {row.doc_id}", number=False)
            title.setData(Qt.ItemDataRole.UserRole, row.doc_id)
            title.setToolTip(plain_tooltip(f"Document {row.doc_id}: {row.title}"))
            t.setItem(r, 0, title)
            t.setItem(r, 1, _item(", ".join(row.coders), number=False))
            values = [row.f1_overlap, row.f1_exact, row.alpha_token, row.alpha_u]
            values += [row.fields.get(f) for f in fields]
            for c, value in enumerate(values, 2):
                t.setItem(
                    r, c, _item(fmt(value), "undefined for this document" if value is None else "")
                )
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # fmt: skip

    # -- documents ----------------------------------------------------------------

    def doc_id_at(self, row: int) -> int | None:
        item = self.docs_table.item(row, 0) if row >= 0 else None
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def open_row(self, row: int) -> None:
        doc_id = self.doc_id_at(row)
        if doc_id is None:
            return
        self.main.show_document(doc_id)

    def review_current(self) -> None:
        doc_id = self.doc_id_at(self.docs_table.currentRow())
        if doc_id is None:
            self.status.setText("Choose a document in the list first.")
            return
        self.main.open_review(doc_id)

    # -- HTML ---------------------------------------------------------------------

    def save_html_dialog(self) -> None:
        from .file_actions import choose_save_path

        if self.report is None:
            return
        default = str(self.main.store.path.with_name(f"{self.main.store.path.stem}-agreement.html"))
        path = choose_save_path(self, "Save agreement report", default, "HTML (*.html)")
        if path:
            self.save_html(Path(path))

    def save_html(self, path: Path) -> None:
        from ..atomic import atomic_output
        from ..errors import AnnotatorError
        from ..report_html import render_html
        from .file_actions import database_problem

        problem = database_problem([path], self.main.store.path, "write the report over it", True)
        if problem is not None:
            self.main.notify("Save HTML report", problem, warning=True)
            return
        report = self.report
        if report is None:  # nothing computed yet (the button is disabled until then)
            return
        try:
            with atomic_output(path) as fh:
                fh.write(render_html(report))
        except (OSError, AnnotatorError) as e:
            self.main.notify("Save HTML report", f"Could not write {path}: {e}", warning=True)
            return
        self.status.setText(f"Saved {path.name}.")


HEAD = {
    "f1_exact": "F1 exact",
    "f1_overlap": "F1 overlap",
    "alpha_token": "token α",
    "alpha_u": "α_U",
}
_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def _mark(n: int) -> str:
    return "".join(_MARKS[int(d) - 1] if d != "0" else "⁰" for d in str(n))


def _chart_row(name: str, s: Estimate, minor: bool = False) -> ChartRow:
    return ChartRow(name, s.value, s.ci, s.reason, minor)


def chart_rows(report: AgreementReport) -> list[ChartRow]:
    """The α chart's rows: fields (and their options), then spans (token α and α_U)."""
    rows = []
    for name, f in report.doc_fields.items():
        rows.append(_chart_row(f"field {name}", f.alpha))
        for option, o in (f.options or {}).items():
            rows.append(_chart_row(f"  {name} = {option}", o, True))
    blocks = [("all labels", report.spans.overall), *report.spans.by_label.items()]
    for name, b in blocks:
        rows.append(_chart_row(f"spans {name} (token α)", b.alpha_token))
        rows.append(_chart_row(f"spans {name} (α_U)", b.alpha_u))
    return rows
