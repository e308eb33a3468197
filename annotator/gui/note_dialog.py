"""The editor of the note on a span (Edit → Note on span…, Ctrl+N;
:func:`annotator.gui.note_editor.open_note_editor`), in a module of its own: its Qt
classes are made when a note is first edited, not at start-up."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class NoteEditor(QDialog):
    """Write or change the note on one span: Ctrl+Enter or OK saves, Esc cancels.

    Opened, not blocking; ``chosen`` gets the text when it is saved (an empty text
    removes the note). A changed note is not thrown away by one stray Esc: the first
    Esc (or Cancel, or closing the window) only says that another one discards it.
    """

    UNCHANGED_HINT = "Ctrl+Enter saves · Esc cancels · empty removes the note"
    DISCARD_HINT = "You changed the note: Esc again discards it · Ctrl+Enter saves"

    def __init__(
        self, parent: QWidget, what: str, note: str, chosen: Callable[[str], None]
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noteEditor")
        self.setWindowTitle("Note on span")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._chosen = chosen
        self._original = note
        self._warned = False
        head = QLabel(what)
        head.setObjectName("noteSpan")
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setWordWrap(True)
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("noteText")
        self.edit.setPlainText(note)
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText("Why this span, doubts, a question for the adjudicator…")
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
        hint = self.hint = QLabel(self.UNCHANGED_HINT)
        hint.setObjectName("noteHint")
        hint.setProperty("role", "hint")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.edit.installEventFilter(self)  # Ctrl+Enter saves (a plain Enter is a new line)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(self.edit, 1)
        lay.addWidget(hint)
        lay.addWidget(buttons)
        self.resize(520, 260)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if (
            obj is self.edit
            and isinstance(e, QKeyEvent)
            and e.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
            and e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and e.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            if e.type() == QEvent.Type.ShortcutOverride:
                e.accept()  # the key goes to the box, not to a window shortcut
            else:
                self.accept()
            return True
        return super().eventFilter(obj, e)

    def reject(self) -> None:
        if self.edit.toPlainText() != self._original and not self._warned:
            self._warned = True
            self.hint.setText(self.DISCARD_HINT)
            self.edit.setFocus()
            return
        super().reject()

    def accept(self) -> None:
        text = self.edit.toPlainText()
        super().accept()
        self._chosen(text)
