"""The review window's layers: a band under the text per coder, and the gold layer.

:class:`Layers` owns the "Layers:" row of the header (a check box per coder and one
for gold, Alt+1 … Alt+9 / Alt+0) and tells the :class:`ReviewView` what to paint and
what is hidden. What is hidden stays hidden from one document to the next.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel

from ..decisions import Review
from ..pending import Overlay
from .plaintext import literal_mnemonic, plain_tooltip
from .review_style import layer_icon
from .review_view import GOLD_LAYER, ReviewView

NO_COLOR = QColor("#888888")


class Layers:
    """The layer check boxes (``bar``, a row for the header) over ``view``."""

    def __init__(self, view: ReviewView):
        self.view = view
        self.boxes: dict[str, QCheckBox] = {}  # coder names in band order, then GOLD_LAYER
        self.hidden: set[str] = set()
        self.bar = QHBoxLayout()
        self.bar.setSpacing(4)
        title = QLabel("Layers:")
        title.setObjectName("layersTitle")
        self.bar.addWidget(title)
        self.bar.addStretch(1)  # layer boxes go before it

    def show(self, rv: Review, store: Overlay, colors: dict[str, QColor]) -> None:
        """One box per coder of ``rv`` and the coders' and gold spans in the view."""
        self._update_boxes(rv.coders)
        band = {c: i for i, c in enumerate(rv.coders)}
        spans: list[tuple] = []
        for s in store.spans(rv.doc_id):
            if s.coder in band:
                color = colors.get(s.label, NO_COLOR)
                spans.append((s.coder, s.start, s.end, s.label, color, band[s.coder]))
        unsaved = store.unsaved_gold_spans(rv.doc_id)
        for g in rv.gold_spans:
            color = colors.get(g.label, NO_COLOR)
            spans.append((GOLD_LAYER, g.start, g.end, g.label, color, -1, g.id in unsaved))
        self.view.set_layers(spans)
        for name in self.boxes:
            self.view.set_layer_visible(name, name not in self.hidden)

    def _update_boxes(self, coders: list[str]) -> None:
        names = [*coders, GOLD_LAYER]
        if list(self.boxes) == names:
            for i, c in enumerate(coders):
                self.boxes[c].setIcon(layer_icon(i, len(coders)))
            return
        for b in self.boxes.values():
            self.bar.removeWidget(b)
            b.deleteLater()
        self.boxes = {}
        for i, name in enumerate(names):
            gold = name == GOLD_LAYER
            b = QCheckBox("Gold" if gold else literal_mnemonic(name))
            b.setObjectName(f"layer_{name}")
            b.setProperty("role", "layer")
            b.setIcon(layer_icon(-1 if gold else i, len(coders)))
            b.setIconSize(QSize(18, 14))
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.setChecked(name not in self.hidden)
            b.setToolTip(
                "The gold layer: filled, outlined spans (Alt+0)"
                if gold
                else plain_tooltip(f"{name}'s spans: band {i + 1} under the text (counting from the text down) (Alt+{i + 1})")
            )  # fmt: skip
            b.toggled.connect(lambda on, n=name: self.set_visible(n, on))
            self.bar.insertWidget(self.bar.count() - 1, b)
            self.boxes[name] = b

    def set_visible(self, name: str, visible: bool) -> None:
        (self.hidden.discard if visible else self.hidden.add)(name)
        self.view.set_layer_visible(name, visible)
        box = self.boxes.get(name)
        if box is not None and box.isChecked() != visible:
            box.setChecked(visible)

    def toggle(self, i: int) -> None:
        """Show or hide the ``i``-th coder's layer (counting from 0), or gold if ``i`` < 0."""
        names = [n for n in self.boxes if n != GOLD_LAYER]
        name = GOLD_LAYER if i < 0 else (names[i] if i < len(names) else None)
        if name is not None:
            self.set_visible(name, name in self.hidden)
