"""The review window's header: the document's title and meta line, the previous /
next disputed buttons, and the layers row (``review_layers``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from ..decisions import Review
from ..models import Document
from .layouts import title_row
from .review_layers import Layers


class ReviewHeader:
    """Builds the header ``widget`` (styled as ``reviewHeader``) and writes its texts."""

    def __init__(self, layers: Layers, step_document: Callable[[int], None]):
        self.title_label = QLabel()
        self.title_label.setObjectName("reviewTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setWordWrap(True)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("reviewMeta")
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.prev_button = QPushButton("◀  Previous disputed (P)")
        self.next_button = QPushButton("Next disputed (N)  ▶")
        for b, delta, name in ((self.prev_button, -1, "prevDisputed"), (self.next_button, 1, "nextDisputed")):  # fmt: skip
            b.setObjectName(name)
            b.setProperty("role", "nav")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, d=delta: step_document(d))

        top = title_row(self.title_label, self.meta_label, self.prev_button, self.next_button)
        self.widget = QWidget()
        self.widget.setObjectName("reviewHeader")
        hl = QVBoxLayout(self.widget)
        hl.setContentsMargins(34, 12, 18, 8)
        hl.setSpacing(6)
        hl.addLayout(top)
        hl.addLayout(layers.bar)

    def show_empty(self) -> None:
        self.title_label.setText("Nothing to review")
        self.meta_label.setText("No document has labels from two coders yet.")

    def show_title(self, doc: Document) -> None:
        self.title_label.setText(doc.title or f"Document {doc.id}")

    def show_meta(self, doc: Document, rv: Review) -> None:
        chars = len(doc.text)
        if len(rv.coders) < 2:
            state = "fewer than two coders: nothing to compare"
        else:
            open_ = sum(d.disagreement and not d.in_gold for d in rv.decisions)
            state = f"{open_} disagreement{'s' if open_ != 1 else ''} not in gold"
        self.meta_label.setText(
            f"Document {doc.id}  ·  {chars:,} characters  ·  {len(rv.coders)} coders  ·  {state}"
        )


def summary_text(rv: Review) -> str:
    """The status bar's summary of a document's decisions."""
    n, dis, gold = rv.counts
    extra = sum(d.kind == "gold" for d in rv.decisions)
    return (
        f"{n} decision{'s' if n != 1 else ''} · {dis} disagreement{'s' if dis != 1 else ''}"
        f" · {gold} in gold"
        + (f" · {extra} other gold span{'s' if extra != 1 else ''}" if extra else "")
        + f"   |   coders: {', '.join(rv.coders) or 'none'}"
    )
