"""The note on a span: a small editor (Edit → Note on span…, Ctrl+N) and the span's
tooltip in the article.

The note is data: it is edited in a plain-text box and shown through
:func:`~annotator.gui.plaintext.plain_tooltip` and plain-text labels, never as rich text.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, SignalInstance
from PySide6.QtGui import QContextMenuEvent, QHelpEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from .article_view import ArticleView
from .plaintext import plain_tooltip


def note_summary(note: str, words: int = 8) -> str:
    """The first words of a note, on one line (the span list shows them)."""
    parts = note.split()
    short = " ".join(parts[:words])
    if len(parts) > words or len(short) > 60:
        short = short[:60].rstrip() + "…"
    return short


def span_tip(label: str, note: str, extra: str = "") -> str:
    """A span's tooltip: its label (and ``extra``), then its note as written."""
    head = f"{label}{extra}"
    return plain_tooltip(f"{head}\nNote: {note}" if note else head)


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


def open_note_editor(
    parent: QWidget, label: str, excerpt: str, note: str, chosen: Callable[[str], None]
) -> NoteEditor:
    dlg = NoteEditor(parent, f"{label} — “{excerpt}”", note, chosen)
    dlg.open()
    dlg.edit.setFocus()
    return dlg


class SpanTooltips(QObject):
    """Hovering a span in the article shows its label and note (``note_of(id)``; spans
    without a note show no tooltip); the article's context menu on one of the coder's
    spans gains "Note on span…" (``edit_note(id)``)."""

    def __init__(
        self,
        view: ArticleView,
        note_of: Callable[[int], str],
        edit_note: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.note_of = note_of
        self.edit_note = edit_note
        view.viewport().installEventFilter(self)

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if isinstance(e, QContextMenuEvent) and self.edit_note is not None:
            return self._context_menu(e)
        if not isinstance(e, QHelpEvent) or e.type() != QEvent.Type.ToolTip:
            return False
        pos16 = self.view.char_at(e.pos())
        hits = self.view.spans_at(pos16, own_only=False) if pos16 is not None else []
        lines = []
        for s in hits:
            note = self.note_of(s.id)
            if note:
                who = "" if s.own else f" (by {s.coder})"
                lines.append(f"{s.label}{who}: {note}")
        if not lines:
            QToolTip.hideText()
            e.ignore()
            return True
        QToolTip.showText(e.globalPos(), plain_tooltip("\n".join(lines)), self.view.viewport())
        return True

    def _context_menu(self, e: QContextMenuEvent) -> bool:
        pos16 = self.view.char_at(e.pos())
        hits = self.view.spans_at(pos16) if pos16 is not None else []  # own spans only
        if not hits:
            return False  # the view's own menu (Copy, Select All)
        span_id, edit_note = hits[0].id, self.edit_note
        assert edit_note is not None
        menu = self.view.createStandardContextMenu(e.pos())
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addSeparator()
        act = menu.addAction("Note on span…")
        act.setObjectName("spanNoteAction")
        act.triggered.connect(lambda: edit_note(span_id))
        menu.popup(e.globalPos())
        return True


def note_menu(span_list: QListWidget, requested: SignalInstance) -> None:
    """A context menu on ``span_list`` whose "Note on span…" emits ``requested(span id)``
    for the own span under the mouse (other coders' spans are read-only)."""
    span_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def show(pos: QPoint) -> None:
        item = span_list.itemAt(pos)
        if item is None or not item.data(Qt.ItemDataRole.UserRole + 2):
            return
        menu = QMenu(span_list)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        act = menu.addAction("Note on span…")
        act.setObjectName("spanNoteAction")
        span_id = item.data(Qt.ItemDataRole.UserRole)
        act.triggered.connect(lambda: requested.emit(span_id))
        menu.popup(span_list.viewport().mapToGlobal(pos))

    span_list.customContextMenuRequested.connect(show)
