"""What the main window shows of edits the database has not taken yet
(``annotator/pending/``): the saved/unsaved state in the status bar, the warning when
closing with unsaved edits, and the recovery file's message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from ..errors import AnnotatorError
from ..pending import PendingEdits, Recovery, recovery_path
from .plaintext import plain_tooltip

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

WAIT, WRITE, KEEP = "wait", "write", "keep"  # the choices of the unsaved warning


def show_save_state(label: QLabel, pending: PendingEdits) -> None:
    """``label`` says whether every edit is saved (red with the reason, if not)."""
    if pending:
        label.setText(pending.summary())
        label.setToolTip(plain_tooltip(str(pending.error or "")))
        label.setProperty("unsaved", True)
        label.setStyleSheet("color: #b3261e; font-weight: 600;")
    else:
        label.setText(f"✓ Saved {datetime.now():%H:%M:%S}")
        label.setToolTip("")
        label.setProperty("unsaved", False)
        if label.styleSheet():  # setting none where there is none still restyles it
            label.setStyleSheet("")


def unsaved_warning(
    parent: QWidget, pending: PendingEdits, chosen: Callable[[str], None]
) -> QMessageBox:
    """Closing with unsaved edits: keep waiting (WAIT), write them to a recovery file
    (WRITE) or keep working (KEEP); ``chosen`` gets the choice. Opened, not blocking."""
    what = pending.what()
    verb = "is" if what in ("1 edit", "coding time") else "are"
    text = f"{what} {verb} not saved yet ({pending.reason()})."
    box, wait, write = close_warning(
        parent,
        "Unsaved edits",
        text[0].upper() + text[1:],
        ("Write recovery file and close", "writeRecovery"),
    )
    box.setInformativeText(
        "The window keeps retrying. Wait here until they are saved, or write them to a"
        " recovery file beside the database that `annotator import-labels` reads later."
    )
    box.setDetailedText(str(pending.error or ""))
    box.buttonClicked.connect(
        lambda button: chosen(WAIT if button is wait else WRITE if button is write else KEEP)
    )
    box.open()
    return box


def close_warning(
    parent: QWidget, title: str, text: str, other: tuple[str, str]
) -> tuple[QMessageBox, QAbstractButton, QAbstractButton]:
    """The warning a window shows when it is closed with unsaved edits (main window and
    review window alike): "Close when saved" (default), ``other`` = (label, object name)
    as the destructive choice, and "Keep working" (Escape). Returns the box, not opened,
    with its wait and other buttons; it deletes itself when closed."""
    from PySide6.QtWidgets import QMessageBox  # its class is made when first asked for

    box = QMessageBox(parent)
    box.setObjectName("unsavedWarning")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    wait = box.addButton("Close when saved", QMessageBox.ButtonRole.AcceptRole)
    wait.setObjectName("closeWhenSaved")
    label, name = other
    second = box.addButton(label, QMessageBox.ButtonRole.DestructiveRole)
    second.setObjectName(name)
    keep = box.addButton("Keep working", QMessageBox.ButtonRole.RejectRole)
    keep.setObjectName("keepWorking")
    box.setDefaultButton(wait)
    box.setEscapeButton(keep)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box, wait, second


def write_recovery(pending: PendingEdits, db: Path) -> Recovery:
    """Write the pending edits to a recovery file beside the database ``db`` (or, if that
    folder cannot be written, in the home folder); AnnotatorError (the last reason) if
    neither worked."""
    target = recovery_path(db)
    errors = []
    for path in (target, Path.home() / target.name):
        try:
            return pending.write_recovery(path, db)
        except AnnotatorError as e:
            errors.append(e)
    raise errors[-1]


def recovery_message(what: str, rec: Recovery) -> str:
    """Where the unsaved edits (``what``) went and the command that restores them."""
    message = (
        f"Unsaved: {what}, written to {rec.path}.\n\n"
        f"To add them to the database later, run:\n{rec.command}"
    )
    if rec.not_restored:
        shown = "\n".join(f"• {x}" for x in rec.not_restored[:12])
        more = len(rec.not_restored) - 12
        message += (
            "\n\nimport-labels cannot redo these; do them by hand after importing:\n"
            + shown
            + (f"\n… and {more} more (listed in the file)" if more > 0 else "")
        )
    return message


def recovery_written(parent: QWidget, message: str, then: Callable[[], object]) -> QMessageBox:
    """The recovery file's message (opened, not blocking); ``then`` runs when it closes."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setObjectName("recoveryWritten")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Recovery file written")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(message + "\n\n(The command is on the clipboard.)")
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.finished.connect(lambda _r: then())
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
