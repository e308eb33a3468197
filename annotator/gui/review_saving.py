"""What the review window shows of its pending gold edits: the saved / unsaved label of
the status bar, and the warning when it is closed with edits of its own unsaved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from .. import pending as P


def show_saved(label: QLabel, pending: P.PendingEdits) -> None:
    """``label`` says what is not saved yet (in red), or when everything was."""
    if pending:
        label.setText(pending.summary())
        label.setStyleSheet("color: #b3261e; font-weight: 600;")
    else:
        label.setText(f"✓ Saved {datetime.now():%H:%M:%S}")
        label.setStyleSheet("")


def warn_unsaved(
    parent: QWidget,
    summary: str,
    close_when_saved: Callable[[], None],
    discard_and_close: Callable[[], None],
) -> QMessageBox:
    """Open (window-modal, not blocking) the choice: close when saved, discard, keep working."""
    box = QMessageBox(parent)
    box.setObjectName("unsavedWarning")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Unsaved gold edits")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"{summary}.")
    wait = box.addButton("Close when saved", QMessageBox.ButtonRole.AcceptRole)
    wait.setObjectName("closeWhenSaved")
    drop = box.addButton("Discard them and close", QMessageBox.ButtonRole.DestructiveRole)
    drop.setObjectName("discard")
    keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
    keep.setObjectName("keepWorking")
    box.setDefaultButton(wait)
    box.setEscapeButton(keep)

    def chosen(button) -> None:
        if button is wait:
            close_when_saved()
        elif button is drop:
            discard_and_close()

    box.buttonClicked.connect(chosen)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
