"""The coders' notes in review mode: every coder's notes on their spans (by decision) and
every coder's memo on the document, shown to the adjudicator as plain, wrapped text."""

from __future__ import annotations

from collections.abc import Iterable, Set

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ..pending import ReadStore
from .label_panel import section_label

SpanNotes = dict[
    tuple[int, int, str], list[tuple[str, str]]
]  # (start, end, label) -> [(coder, note)]


def span_notes(store: ReadStore, doc_id: int, coders: Iterable[str]) -> SpanNotes:
    """The notes ``coders`` wrote on their spans of a document, by (start, end, label)."""
    notes: SpanNotes = {}
    for coder in coders:
        for s in store.spans(doc_id, coder):
            if s.note.strip():
                notes.setdefault((s.start, s.end, s.label), []).append((coder, s.note))
    return notes


def notes_text(notes: list[tuple[str, str]]) -> str:
    """``coder: note`` lines (plain text)."""
    return "\n".join(f"{coder}: {note}" for coder, note in notes)


class MemoPanel(QWidget):
    """ "Coders' memos": one wrapped plain-text paragraph per coder with a memo."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewMemos")
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 8, 0, 0)
        self._lay.setSpacing(4)
        self._lay.addWidget(section_label("Coders' memos on this article"))
        card = QFrame()
        card.setProperty("role", "field")  # the look of the field boxes above
        self.body = QVBoxLayout(card)
        self.body.setContentsMargins(8, 6, 8, 8)
        self.body.setSpacing(3)
        self._lay.addWidget(card)
        self.labels: dict[str, QLabel] = {}

    def set_memos(self, memos: dict[str, str], unsaved: Set[str] = frozenset()) -> None:
        while self.body.count():
            item = self.body.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.labels = {}
        if not memos:
            self.body.addWidget(self._label("No coder wrote a memo on this article.", "hint"))
            return
        for coder, memo in memos.items():
            mark = " (not saved yet)" if coder in unsaved else ""
            name = self._label(f"{coder}{mark}", "memoCoder")
            text = self._label(memo, "memoText")
            text.setObjectName(f"memo_{coder}")
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.body.addWidget(name)
            self.body.addWidget(text)
            self.labels[coder] = text

    @staticmethod
    def _label(text: str, role: str) -> QLabel:
        lab = QLabel(text)
        lab.setTextFormat(Qt.TextFormat.PlainText)  # a memo is data, never HTML
        lab.setWordWrap(True)
        lab.setProperty("role", role)
        if role == "memoCoder":
            font = lab.font()
            font.setBold(True)
            lab.setFont(font)
        return lab
