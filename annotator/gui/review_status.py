"""The review window's status bar (selection, decision summary, saved or unsaved gold
edits, read-only banner) and the warning when it is closed with edits of its own unsaved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QMessageBox, QStatusBar, QWidget

from .. import pending as P
from ..decisions import ADVANCE_RULE
from .unsaved import close_warning


class StatusLine:
    """The permanent widgets of the review window's status bar ``sb``."""

    def __init__(self, sb: QStatusBar, readonly: bool):
        self.summary_label = QLabel()
        self.summary_label.setObjectName("reviewSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)  # coder names
        self.sel_label = QLabel()
        self.position_label = QLabel()
        self.position_label.setObjectName("decisionPosition")
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        if readonly:
            banner = QLabel("Read-only: gold cannot be saved")
            banner.setObjectName("readOnlyBanner")
            banner.setStyleSheet(
                "color: #ffffff; background: #b3261e; font-weight: 600; padding: 1px 8px;"
            )
            sb.addPermanentWidget(banner)
        sb.addPermanentWidget(self.sel_label)
        sb.addPermanentWidget(self.position_label)
        sb.addPermanentWidget(self.summary_label)
        sb.addPermanentWidget(self.saved_label)

    def show_selection(self, start: int, end: int) -> None:
        self.sel_label.setText("" if start < 0 else f"Selection: {end - start} characters")

    def show_position(self, row: int | None, rows: int, undecided: int) -> None:
        """Which decision the keys act on (row of rows, or none) and how many are left."""
        where = f"Decision {row} of {rows}" if row is not None else "No decision selected"
        self.position_label.setText(f"{where} · {undecided} undecided · A/R → next undecided")
        self.position_label.setToolTip(ADVANCE_RULE)

    def show_saved(self, pending: P.PendingEdits) -> None:
        """What is not saved yet (in red), or when everything was."""
        if pending:
            self.saved_label.setText(pending.summary())
            self.saved_label.setStyleSheet("color: #b3261e; font-weight: 600;")
        else:
            self.saved_label.setText(f"✓ Saved {datetime.now():%H:%M:%S}")
            self.saved_label.setStyleSheet("")


def warn_unsaved(
    parent: QWidget,
    summary: str,
    close_when_saved: Callable[[], None],
    discard_and_close: Callable[[], None],
) -> QMessageBox:
    """Open (window-modal, not blocking) the choice: close when saved, discard, keep working."""
    box, wait, drop = close_warning(
        parent, "Unsaved gold edits", f"{summary}.", ("Discard them and close", "discard")
    )

    def chosen(button: QAbstractButton) -> None:
        if button is wait:
            close_when_saved()
        elif button is drop:
            discard_and_close()

    box.buttonClicked.connect(chosen)
    box.open()
    return box
