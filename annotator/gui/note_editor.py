"""The note on a span: a small editor (Edit → Note on span…, Ctrl+N) and the span's
tooltip in the article.

The note is data: it is edited in a plain-text box and shown through
:func:`~annotator.gui.plaintext.plain_tooltip` and plain-text labels, never as rich text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, SignalInstance
from PySide6.QtGui import QContextMenuEvent, QHelpEvent
from PySide6.QtWidgets import (
    QListWidget,
    QMenu,
    QToolTip,
    QWidget,
)

from .article_view import ArticleView
from .plaintext import plain_tooltip

if TYPE_CHECKING:
    from .note_dialog import NoteEditor


def __getattr__(name: str) -> object:
    # The note's editor lives in note_dialog.py: its Qt classes (QDialog,
    # QDialogButtonBox) are made when a note is first edited, not at start-up.
    if name == "NoteEditor":
        from .note_dialog import NoteEditor

        return NoteEditor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def open_note_editor(
    parent: QWidget, label: str, excerpt: str, note: str, chosen: Callable[[str], None]
) -> NoteEditor:
    from .note_dialog import NoteEditor

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
