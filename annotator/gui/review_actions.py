"""The review window's actions and shortcuts, built onto the window (a builder, not a mixin).

:func:`build_review_actions` makes one :class:`QAction` per key binding (window-wide
shortcuts, named for tests and for ``RESERVED_KEYS``), adds it to the window and
connects it to the :class:`ReviewCommands` the window offers. It returns the rows of
the keyboard-shortcuts dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QWidget

from ..scheme import SpanLabel

# Shown in the shortcuts dialog beside the actions' own keys.
POINTER_ROWS = [
    ("↓ / ↑", "Next / previous decision (in the decision list)"),
    ("Click a span", "Select its decision (click again: the next one there)"),
    ("Drag in the text", "Select gold boundaries (whole tokens; hold Alt: exact)"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo a gold change"),
]


class ReviewCommands(Protocol):
    """What the review window's keys do."""

    def accept(self) -> None: ...

    def reject(self) -> None: ...

    def edit(self, label: str | None = None) -> None: ...

    def step_decision(self, delta: int) -> None: ...

    def step_document(self, delta: int) -> None: ...

    def auto_accept(self) -> None: ...

    def clear_selection(self) -> None: ...

    def toggle_sort(self) -> None: ...

    def toggle_layer(self, i: int) -> None: ...

    def show_shortcuts(self) -> None: ...

    def close(self) -> bool: ...


def build_review_actions(
    window: QWidget,
    commands: ReviewCommands,
    undo_stack: QUndoStack,
    span_labels: Iterable[SpanLabel],
) -> list[tuple[str, str]]:
    """Add the review actions to ``window``; return the shortcuts dialog's rows."""
    rows = list(POINTER_ROWS)

    def act(text: str, slot: Callable[..., object], keys: list[str], name: str) -> QAction:
        rows.append((", ".join(keys), text))
        a = QAction(text, window)
        a.setObjectName(name)
        a.setShortcuts([QKeySequence(k) for k in keys])
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        a.triggered.connect(slot)
        window.addAction(a)
        return a

    c = commands
    act("Accept", c.accept, ["A", "Return", "Enter"], "accept")
    act("Reject", c.reject, ["R", "Del", "Backspace"], "reject")
    act("Edit: accept the selection", lambda: c.edit(), ["E"], "edit")
    for lab in span_labels:
        act(
            f"Accept as {lab.name}", lambda _=False, n=lab.name: c.edit(n), [lab.key],
            f"relabel_{lab.name}",
        )  # fmt: skip
    act("Next decision", lambda: c.step_decision(1), ["J"], "nextDecision")
    act("Previous decision", lambda: c.step_decision(-1), ["K"], "prevDecision")
    act(
        "Next disputed document", lambda: c.step_document(1),
        ["N", "Ctrl+PgDown"], "nextDocument",
    )  # fmt: skip
    act(
        "Previous disputed document", lambda: c.step_document(-1),
        ["P", "Ctrl+PgUp"], "prevDocument",
    )  # fmt: skip
    act("Accept all agreed", c.auto_accept, ["G"], "autoGold")
    act("Clear selection", c.clear_selection, ["Esc"], "clearSelection")
    act("Disagreements first", c.toggle_sort, ["D"], "sortToggle")
    act("Close", c.close, ["Ctrl+W"], "closeReview")
    act("Keyboard shortcuts", c.show_shortcuts, ["F1", "Ctrl+/"], "reviewShortcuts")
    undo = undo_stack.createUndoAction(window, "&Undo")
    undo.setShortcuts([QKeySequence("Ctrl+Z")])
    redo = undo_stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    for a in (undo, redo):
        a.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(a)
    for i in range(9):
        act(
            f"Toggle layer {i + 1}", lambda _=False, i=i: c.toggle_layer(i),
            [f"Alt+{i + 1}"], f"toggleLayer{i + 1}",
        )  # fmt: skip
    act("Toggle gold layer", lambda: c.toggle_layer(-1), ["Alt+0"], "toggleGold")
    rows = [r for r in rows if "layer" not in r[1]]
    rows.append(("Alt+1 … Alt+9, Alt+0", "Show or hide a coder's layer, gold"))
    return rows
