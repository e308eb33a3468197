"""The document fields by keyboard: a quick-pick popup over the article (Ctrl+D, or
Alt+1 … Alt+9 for field 1 … 9 of the scheme).

It lists every document field of the scheme with its options and their current values;
the *current* field's options answer their keys: ``1`` … ``9``, ``0``, then ``a`` …
``z`` (:func:`option_keys`), and past those the arrows and Space reach every option. A
one-choice field is set and the popup moves on to the next field (closing after the
last); a key of an all-that-apply field ticks or unticks that option and stays. Tab /
Shift+Tab (or → / ←) move between fields, ↑ / ↓ between options, Enter goes to the next
field (closes on the last), Delete clears the field, Esc closes. Focus then returns to
the article. Every change is one undoable step through the window's ``set_field`` (the
same path as a click in the label panel), and the popup shows what the window shows, so
Ctrl+Z inside it shows the restored value.

Help → Keyboard shortcuts lists these keys from ``menus.PICKER_ROWS`` (kept there, so
that building the menus does not load this module on the start-up path): change both
together. Keys without Ctrl or Alt are the popup's own while it is open (it accepts their
``ShortcutOverride``), so the scheme's label keys do not fire under it; Ctrl and Alt
chords (Ctrl+Z, Ctrl+Enter …) still reach the window's actions.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from ..models import Document
from ..scheme import DocField, Scheme

# The keys of a field's options, in order: digits as on the keyboard's top row, then letters.
OPTION_KEYS = tuple("123456789" + "0" + string.ascii_lowercase)

_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def option_keys(count: int) -> list[str]:
    """The keys of a field's ``count`` options (``""``: past the 36 keys, arrows only)."""
    return [OPTION_KEYS[i] if i < len(OPTION_KEYS) else "" for i in range(count)]


def human(name: str) -> str:
    """A field's or option's name as shown (as ``label_panel.human``, which this module
    does not import: the menus read :data:`PICKER_ROWS` before the panel is built)."""
    return name.replace("_", " ").replace("-", " ").capitalize()


def toggled(spec: DocField, current: Any, option: str) -> tuple[str, ...]:
    """An all-that-apply field's value with ``option`` ticked or unticked (scheme order)."""
    chosen = set(current or ())
    chosen ^= {option}
    return tuple(o for o in spec.options if o in chosen)


class _Row(QFrame):
    """One option: its key, its mark (● ○ / ☑ ☐) and its name; a click chooses it."""

    def __init__(self, picker: FieldPicker, field: int, option: int, key: str, name: str):
        super().__init__()
        self.picker, self.field, self.option = picker, field, option
        self.setObjectName(f"pick_{picker.fields[field].name}__{name}")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.key = QLabel(key)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setFixedSize(20, 20)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.name = human(name)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(14, 1, 6, 1)
        lay.setSpacing(8)
        lay.addWidget(self.key)
        lay.addWidget(self.text, 1)

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if e.button() == Qt.MouseButton.LeftButton:
            self.picker.choose(self.field, self.option)
        e.accept()


_STYLE = """
QFrame#fieldPicker { background: #ffffff; border: 1px solid #b8b5ae; border-radius: 8px; }
QFrame#fieldPicker QLabel { background: transparent; color: #202124; }
QLabel[pick="title"] { font-weight: 600; }
QLabel[pick="hint"] { color: #6b6f75; font-size: 8.5pt; }
"""
_KEY_ON = (
    "background: #efede8; border: 1px solid #cfccc5; border-radius: 4px; color: #3c4043;"
    " font-family: 'DejaVu Sans Mono', monospace; font-weight: 700;"
)
_KEY_OFF = "border: 1px solid #ebe9e4; border-radius: 4px; color: #b0b3b8;"
_ROW_AT = "background: #eef3fb; border-radius: 4px;"  # where ↑ / ↓ are (Space chooses)


class FieldPicker(QFrame):
    """The popup: every field of ``fields``, the current one answering its keys."""

    chosen = Signal(str, object)  # field name, new value (an option, a tuple, or None)
    closed = Signal(bool)  # True: the coder closed it (focus goes back to the article)

    def __init__(self, fields: Sequence[DocField], parent: QWidget):
        super().__init__(parent)
        self.setObjectName("fieldPicker")
        self.setStyleSheet(_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.fields = tuple(fields)
        self.values: dict[str, Any] = {}
        self.suggested: dict[str, tuple[str, ...]] = {}  # field -> suggested options
        self.current = 0  # the field whose keys are active
        self.at = 0  # the option the arrows are on, in the current field
        self.keys = [option_keys(len(f.options)) for f in self.fields]
        self.titles: list[QLabel] = []
        self.rows: list[list[_Row]] = []

        inner = QWidget()
        col = QVBoxLayout(inner)
        col.setContentsMargins(10, 8, 10, 8)
        col.setSpacing(2)
        for i, spec in enumerate(self.fields):
            title = QLabel()
            title.setTextFormat(Qt.TextFormat.PlainText)
            title.setProperty("pick", "title")
            if i:
                col.addSpacing(6)
            col.addWidget(title)
            self.titles.append(title)
            rows = [
                _Row(self, i, j, key, opt)
                for j, (key, opt) in enumerate(zip(self.keys[i], spec.options, strict=True))
            ]
            for r in rows:
                col.addWidget(r)
            self.rows.append(rows)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.area.setWidget(inner)
        self.area.viewport().setStyleSheet("background: transparent;")
        hint = QLabel("Keys choose · Tab next field · Del clear · Esc close")
        hint.setProperty("pick", "hint")
        head = QLabel("Document fields")
        head.setProperty("pick", "title")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(1, 6, 1, 6)
        lay.setSpacing(2)
        top = QHBoxLayout()
        top.setContentsMargins(10, 0, 10, 0)
        top.addWidget(head, 1)
        top.addWidget(QLabel("Ctrl+D"))
        lay.addLayout(top)
        lay.addWidget(self.area, 1)
        hint.setContentsMargins(10, 0, 10, 0)
        lay.addWidget(hint)
        self.hide()

    # -- what it shows -------------------------------------------------------------

    def show_values(
        self, values: dict[str, Any], suggested: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        """The fields' values as the window shows them (and the suggested options of the
        fields not set, marked "suggested": Alt+Shift+D accepts them)."""
        self.values = dict(values)
        if suggested is not None:
            self.suggested = dict(suggested)
        self._restyle()

    def option_text(self, field: int, option: int) -> str:
        """The row's text, as shown (mark and name)."""
        return self.rows[field][option].text.text()

    def _mark(self, spec: DocField, option: str) -> str:
        value = self.values.get(spec.name)
        if spec.kind == "single":
            return "●" if value == option else "○"
        return "☑" if option in (value or ()) else "☐"

    def _restyle(self) -> None:
        for i, spec in enumerate(self.fields):
            here = i == self.current
            how = "choose one" if spec.kind == "single" else "all that apply"
            self.titles[i].setText(f"{'▸ ' if here else '   '}{human(spec.name)} · {how}")
            self.titles[i].setStyleSheet("" if here else "color: #6b6f75;")
            for j, row in enumerate(self.rows[i]):
                hint = (
                    "   · suggested" if spec.options[j] in self.suggested.get(spec.name, ()) else ""
                )
                row.text.setText(f"{self._mark(spec, spec.options[j])}  {row.name}{hint}")
                row.key.setStyleSheet(_KEY_ON if here else _KEY_OFF)
                row.setStyleSheet(f"QFrame#{row.objectName()} {{ {_ROW_AT} }}"
                                  if here and j == self.at else "")  # fmt: skip
        if self.rows and self.rows[self.current]:
            self.area.ensureWidgetVisible(self.rows[self.current][self.at], 0, 24)

    # -- opening, moving, closing ----------------------------------------------------

    def open_at(self, field: int, values: dict[str, Any]) -> None:
        self.current = max(0, min(field, len(self.fields) - 1))
        self.at = self._chosen_index(self.current, values)
        self.show_values(values)
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _chosen_index(self, field: int, values: dict[str, Any]) -> int:
        spec = self.fields[field]
        value = values.get(spec.name)
        if spec.kind == "single" and value in spec.options:
            return spec.options.index(value)
        return 0

    def go_to_field(self, field: int) -> None:
        self.current = field % len(self.fields)
        self.at = self._chosen_index(self.current, self.values)
        self._restyle()

    def close_picker(self, back_to_text: bool = True) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit(back_to_text)

    def _next_or_close(self) -> None:
        if self.current + 1 < len(self.fields):
            self.go_to_field(self.current + 1)
        else:
            self.close_picker()

    # -- choosing ------------------------------------------------------------------

    def choose(self, field: int, option: int) -> None:
        """The coder chose option ``option`` of field ``field`` (a key, Space or a click)."""
        spec = self.fields[field]
        opt = spec.options[option]
        current = self.values.get(spec.name)
        self.current, self.at = field, option
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        if spec.kind == "single":
            if current != opt:
                self.chosen.emit(spec.name, opt)
            self._next_or_close()
        else:
            self.chosen.emit(spec.name, toggled(spec, current, opt))
            self._restyle()

    def clear_field(self) -> None:
        """Delete: a one-choice field unset (as its Clear button), an all-that-apply
        field with every box unticked (as unticking them by hand)."""
        spec = self.fields[self.current]
        current = self.values.get(spec.name)
        if spec.kind == "single":
            if current is not None:
                self.chosen.emit(spec.name, None)
        elif current:
            self.chosen.emit(spec.name, ())

    # -- keys ----------------------------------------------------------------------

    def event(self, e: QEvent) -> bool:
        if isinstance(e, QKeyEvent) and not (e.modifiers() & _MODIFIERS):
            if e.type() == QEvent.Type.ShortcutOverride:
                e.accept()  # its own while open: label keys, Esc and Delete do not fire
                return True
            if e.type() == QEvent.Type.KeyPress and e.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                self.keyPressEvent(e)  # not focus moving
                return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.modifiers() & _MODIFIERS:
            super().keyPressEvent(e)
            return
        k, K = e.key(), Qt.Key
        back = k == K.Key_Backtab or (
            k == K.Key_Tab and bool(e.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        )
        n = len(self.rows[self.current])
        if k == K.Key_Escape:
            self.close_picker()
        elif back or k == K.Key_Left:
            self.go_to_field(self.current - 1)
        elif k in (K.Key_Tab, K.Key_Right):
            self.go_to_field(self.current + 1)
        elif k in (K.Key_Return, K.Key_Enter):
            self._next_or_close()
        elif k in (K.Key_Delete, K.Key_Backspace):
            self.clear_field()
        elif k == K.Key_Down:
            self._step(1)
        elif k == K.Key_Up:
            self._step(-1)
        elif k == K.Key_Space:
            if n:
                self.choose(self.current, self.at)
        else:
            key = e.text().lower()
            if key and key in self.keys[self.current]:
                self.choose(self.current, self.keys[self.current].index(key))
        e.accept()  # every key without Ctrl/Alt is the popup's while it is open

    def _step(self, delta: int) -> None:
        """↑ / ↓: the next option, into the next (previous) field at either end."""
        at = self.at + delta
        if 0 <= at < len(self.rows[self.current]):
            self.at = at
        else:
            self.current = (self.current + delta) % len(self.fields)
            self.at = 0 if delta > 0 else max(len(self.rows[self.current]) - 1, 0)
        self._restyle()

    def focusOutEvent(self, e: QFocusEvent) -> None:
        super().focusOutEvent(e)
        if e.reason() in (Qt.FocusReason.PopupFocusReason, Qt.FocusReason.ActiveWindowFocusReason):
            return  # a menu, or another window for a moment: still open when focus is back
        self.close_picker(back_to_text=False)  # the coder clicked elsewhere


class PickerHost(Protocol):
    """What the popup needs from the main window."""

    doc: Document | None
    scheme: Scheme

    @property
    def view(self) -> QPlainTextEdit: ...

    def own_fields(self, doc_id: int) -> dict: ...

    def field_suggestions(self) -> dict[str, tuple[str, ...]]: ...

    def statusBar(self) -> QStatusBar: ...


class FieldKeys(QObject):
    """The main window's fields popup: built on first use (none on the start-up path),
    anew when the scheme's fields change; kept over the article's top right corner."""

    def __init__(self, host: PickerHost, set_field: Callable[[str, Any], None]):
        super().__init__()
        self.host = host
        self.set_field = set_field
        self.picker: FieldPicker | None = None
        self.doc_id: int | None = None  # the article it was opened on

    def open(self, field: int | None = None) -> None:
        """Open the popup on field ``field`` (0-based; None: Ctrl+D, the first field, or
        close it when it is open); open already: go to that field."""
        w = self.host
        if self.picker is not None and self.picker.isVisible():
            if field is None:
                self.picker.close_picker()
            elif field < len(self.picker.fields):
                self.picker.go_to_field(field)
            return
        field = field or 0
        if w.doc is None:
            w.statusBar().showMessage("Open an article first.", 3000)
            return
        fields = w.scheme.doc_fields
        if not fields:
            w.statusBar().showMessage("This scheme has no document fields.", 4000)
            return
        if field >= len(fields):
            return
        picker = self.picker
        if picker is None or picker.fields != tuple(fields):
            if picker is not None:
                picker.deleteLater()
            picker = self.picker = FieldPicker(fields, w.view)
            picker.chosen.connect(self.set_field)
            picker.closed.connect(self._closed)
            w.view.viewport().installEventFilter(self)  # kept in its corner on a resize
        self.doc_id = w.doc.id
        picker.suggested = w.field_suggestions()
        picker.open_at(field, w.own_fields(w.doc.id))
        self._place()

    def _place(self) -> None:
        picker, view = self.picker, self.host.view
        if picker is None:
            return
        area = view.viewport().geometry()
        width = max(min(picker.sizeHint().width() + 24, area.width() - 16), 160)
        height = min(picker.sizeHint().height(), area.height() - 16)
        picker.setGeometry(area.right() - width - 8, area.top() + 8, width, max(height, 80))
        picker._restyle()  # the current option in view, now that the height is known

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if e.type() == QEvent.Type.Resize and self.is_open:
            self._place()
        return False

    def refresh(self) -> None:
        """The window showed the fields anew (an edit, undo, another article)."""
        picker, w = self.picker, self.host
        if picker is None or not picker.isVisible():
            return
        if w.doc is None or w.doc.id != self.doc_id:
            picker.close_picker()  # another article (Ctrl+Enter, Alt+↓): read it first
            return
        picker.show_values(w.own_fields(w.doc.id), w.field_suggestions())

    def close(self) -> None:
        if self.picker is not None:
            self.picker.close_picker(back_to_text=False)

    @property
    def is_open(self) -> bool:
        return self.picker is not None and self.picker.isVisible()

    def _closed(self, back_to_text: bool) -> None:
        if back_to_text:
            self.host.view.setFocus(Qt.FocusReason.OtherFocusReason)
