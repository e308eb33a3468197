"""The coder's memo on the open article ("why I chose this dominant frame"): a compact
plain-text box in the label panel, under the document fields (Ctrl+M focuses it).

Typing is coalesced: what was typed is handed on (``committed(doc_id, text)``) after a
pause, when the box loses focus, and before it shows another article, so one burst of
typing is one undoable step and nothing typed is lost when the coder moves on. The
window turns each hand-over into a ``commands.SetMemo`` through its one write path.
Blind coding: the box shows the coder's own memo only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .layouts import bold_label

PAUSE_MS = 1200  # typing stopped this long: the burst is one step


class MemoBox(QFrame):
    committed = Signal(int, str)  # document id, the memo as typed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("memoBox")
        self.setProperty("role", "field")
        title = bold_label("My memo on this article")
        self.hint = QLabel("Ctrl+M")
        self.hint.setProperty("role", "hint")
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("memoText")
        self.edit.setPlaceholderText(
            "Why this dominant frame, doubts… (only you and the adjudicator see it)"
        )
        self.edit.setTabChangesFocus(True)
        line = self.edit.fontMetrics().lineSpacing()
        self.edit.setFixedHeight(int(line * 3.6) + 12)
        self.edit.installEventFilter(self)
        self.edit.setEnabled(False)  # until an article is shown
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 8)
        lay.setSpacing(3)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.hint)
        lay.addLayout(head)
        lay.addWidget(self.edit)
        self.doc_id: int | None = None
        self.shown = ""  # the memo as stored (pending edits included) for ``doc_id``
        self._loading = False
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(PAUSE_MS)
        self._pause.timeout.connect(self.commit)
        self.edit.textChanged.connect(self._typed)

    # -- what the window calls ------------------------------------------------------

    def show_memo(self, doc_id: int | None, text: str) -> None:
        """Show ``doc_id``'s memo (``text``); what was typed for another article is handed
        on first. Text being typed for this article is kept as typed."""
        if doc_id != self.doc_id:
            self.commit()
        elif self.dirty and self.edit.hasFocus():
            self.shown = text
            self.hint.setText("typing…" if self.dirty else "Ctrl+M")
            return
        self.doc_id, self.shown = doc_id, text
        if self.edit.toPlainText() != text:
            self._loading = True
            self.edit.setPlainText(text)
            self._loading = False
        self.edit.setEnabled(doc_id is not None)
        self.hint.setText("Ctrl+M")

    def forget(self) -> None:
        """Show no article (the coder or the database changes): nothing typed is handed
        on later to another coder or database."""
        self._pause.stop()
        self.doc_id, self.shown = None, ""
        self._loading = True
        self.edit.clear()
        self._loading = False
        self.edit.setEnabled(False)

    def set_read_only(self, on: bool) -> None:
        self.edit.setReadOnly(on)

    @property
    def dirty(self) -> bool:
        """Typed but not yet handed on."""
        return self.doc_id is not None and self.edit.toPlainText().strip() != self.shown.strip()

    def commit(self) -> None:
        """Hand on what was typed, if it differs from the memo shown."""
        self._pause.stop()
        if self.dirty and not self.edit.isReadOnly():
            assert self.doc_id is not None
            self.committed.emit(self.doc_id, self.edit.toPlainText().strip())

    def focus(self) -> None:
        """Ctrl+M: into the box, scrolled into view, the cursor at the end."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if isinstance(parent, QScrollArea):
            parent.ensureWidgetVisible(self)
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)

    # -- typing -----------------------------------------------------------------------

    def _typed(self) -> None:
        if self._loading:
            return
        self.hint.setText("typing…" if self.dirty else "Ctrl+M")
        self._pause.start()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if obj is self.edit and e.type() == QEvent.Type.FocusOut:
            self.commit()
        return super().eventFilter(obj, e)
