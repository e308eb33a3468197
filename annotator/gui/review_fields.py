"""Document fields in review: each coder's value beside the gold value.

Clicking a coder's value takes it into gold (sources: every coder who chose exactly
that value). The gold row is editable directly: a combo box for a single field, a
check box per option for a multi field (the gold subset may differ from every coder).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..scheme import DocField, Scheme
from .label_panel import human, section_label
from .layouts import column_scroll
from .plaintext import literal_mnemonic, plain_tooltip

NONE_TEXT = "—"


def value_text(value) -> str:
    if value is None:
        return NONE_TEXT
    if isinstance(value, str):
        return human(value)
    return ", ".join(human(v) for v in value) if value else "(none of them)"


class FieldReview(QFrame):
    """One field: coders' values (clickable) and the gold editor."""

    chosen = Signal(str, object)  # field, value (None clears gold)

    def __init__(self, spec: DocField, coders: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.coders = coders
        self.setObjectName(f"reviewField_{spec.name}")
        self.setProperty("role", "field")
        title = QLabel(f"<b>{human(spec.name)}</b>")
        self.mark = QLabel()
        self.mark.setProperty("role", "hint")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.mark)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(1)
        grid.setColumnStretch(1, 1)
        self.value_buttons: dict[str, QPushButton] = {}
        for row, coder in enumerate(coders):
            name = QLabel(coder)
            name.setTextFormat(Qt.TextFormat.PlainText)
            name.setProperty("role", "hint")
            b = QPushButton()
            b.setObjectName(f"use_{spec.name}_{coder}")
            b.setProperty("role", "fieldValue")
            b.setFlat(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the decision list
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.clicked.connect(lambda _=False, c=coder: self._use(c))
            self.value_buttons[coder] = b
            grid.addWidget(name, row, 0)
            grid.addWidget(b, row, 1)
        gold_label = QLabel("gold")
        gold_label.setProperty("role", "goldTag")
        grid.addWidget(gold_label, len(coders), 0, Qt.AlignmentFlag.AlignTop)
        self.combo: QComboBox | None = None
        self.checks: dict[str, QCheckBox] = {}
        editor = QWidget()
        el = QHBoxLayout(editor)
        el.setContentsMargins(0, 2, 0, 0)
        el.setSpacing(8)
        if spec.kind == "single":
            self.combo = QComboBox()
            self.combo.setObjectName(f"gold_{spec.name}")
            self.combo.addItem(NONE_TEXT, None)
            for opt in spec.options:
                self.combo.addItem(human(opt), opt)
            self.combo.activated.connect(self._combo_changed)
            # No focus: arrow keys must move through decisions, never change gold by accident.
            self.combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.combo.setMinimumWidth(200)
            el.addWidget(self.combo)
            el.addStretch(1)
        else:
            col = QVBoxLayout()
            col.setSpacing(0)
            for opt in spec.options:
                cb = QCheckBox(literal_mnemonic(human(opt)))
                cb.setObjectName(f"gold_{spec.name}__{opt}")
                cb.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                cb.clicked.connect(self._checks_changed)
                self.checks[opt] = cb
                (el if len(spec.options) <= 4 else col).addWidget(cb)
            if len(spec.options) > 4:  # a column when a row would not fit
                el.addLayout(col)
            el.addStretch(1)
        grid.addWidget(editor, len(coders), 1)
        self.sources = QLabel()
        self.sources.setTextFormat(Qt.TextFormat.PlainText)  # coder names
        self.sources.setProperty("role", "hint")
        self.sources.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 8)
        lay.setSpacing(3)
        lay.addLayout(head)
        lay.addLayout(grid)
        lay.addWidget(self.sources)
        self._values: dict[str, object] = {}
        self._gold = None

    def _use(self, coder: str) -> None:
        if coder in self._values:
            self.chosen.emit(self.spec.name, self._values[coder])

    def _combo_changed(self, _index: int) -> None:
        assert self.combo is not None
        self.chosen.emit(self.spec.name, self.combo.currentData())

    def _checks_changed(self) -> None:
        self.chosen.emit(
            self.spec.name, tuple(o for o in self.spec.options if self.checks[o].isChecked())
        )

    def set_values(
        self, coder_values: dict[str, object], gold, sources: tuple[str, ...], current: bool
    ) -> None:
        self._values = {c: v for c, v in coder_values.items() if v is not None}
        self._gold = gold
        distinct = {v for v in self._values.values()}
        for coder, b in self.value_buttons.items():
            v = coder_values.get(coder)
            same = v is not None and gold is not None and v == gold
            b.setText(literal_mnemonic(("✓ " if same else "") + value_text(v)))
            b.setEnabled(v is not None)
            b.setProperty("gold", "yes" if same else "no")
            b.setToolTip(
                plain_tooltip(
                    f"Take {coder}'s value into gold (sources: every coder who chose it)"
                    if v is not None
                    else f"{coder} left this field empty"
                )
            )
            b.style().unpolish(b)
            b.style().polish(b)
        if len(self._values) == len(self.coders) and len(distinct) == 1:
            self.mark.setText("all agree")
            self.mark.setProperty("agreement", "unanimous")
        elif not self._values:
            self.mark.setText("not labelled")
            self.mark.setProperty("agreement", "")
        else:
            self.mark.setText("● differ" if len(distinct) > 1 else "◐ partial")
            self.mark.setProperty("agreement", "conflict" if len(distinct) > 1 else "partial")
        self.mark.style().unpolish(self.mark)
        self.mark.style().polish(self.mark)
        if self.combo is not None:
            i = self.combo.findData(gold) if gold is not None else 0
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(max(i, 0))
            self.combo.blockSignals(False)
        chosen = set(gold) if isinstance(gold, tuple) else set()
        for opt, cb in self.checks.items():
            cb.blockSignals(True)
            cb.setChecked(opt in chosen)
            cb.blockSignals(False)
        if gold is None:
            self.sources.setText("No gold value yet.")
        elif sources:
            self.sources.setText(f"Gold from {', '.join(sources)}.")
        else:
            self.sources.setText("Gold set by the adjudicator (no coder chose it).")
        self.setProperty("current", "yes" if current else "no")
        self.style().unpolish(self)
        self.style().polish(self)


class FieldsPanel(QWidget):
    chosen = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reviewFields")
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(6)
        self.boxes: dict[str, FieldReview] = {}
        self._shape: tuple = ()

    def set_data(
        self,
        scheme: Scheme,
        coders: list[str],
        coder_fields: dict[str, dict],
        gold: dict,
        sources: dict[str, tuple[str, ...]],
        current: str | None = None,
    ) -> None:
        shape = (scheme.field_names, tuple(coders))
        if shape != self._shape:
            for box in self.boxes.values():
                box.setParent(None)
                box.deleteLater()
            self.boxes = {}
            for spec in scheme.doc_fields:
                box = FieldReview(spec, coders)
                box.chosen.connect(self.chosen)
                self.boxes[spec.name] = box
                self._lay.addWidget(box)
            self._shape = shape
        for name, box in self.boxes.items():
            box.set_values(
                {c: coder_fields.get(c, {}).get(name) for c in coders},
                gold.get(name),
                sources.get(name, ()),
                current == name,
            )


def fields_column(panel: FieldsPanel, *below: QWidget) -> QScrollArea:
    """The bottom of the review's side column: a heading over ``panel`` (and the widgets
    ``below`` it: the coders' memos), scrolling."""
    inner = QWidget()
    inner.setObjectName("labelPanelInner")
    col = QVBoxLayout(inner)
    col.setContentsMargins(8, 4, 8, 8)
    col.setSpacing(6)
    col.addWidget(section_label("Document fields — click a coder's value to take it"))
    col.addWidget(panel)
    for widget in below:
        col.addWidget(widget)
    col.addStretch(1)
    return column_scroll(inner)
