"""Small dialogs of the main window: the keyboard shortcuts table, About, Edit title."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Keys handled by the view itself rather than by an action.
VIEW_KEYS = [
    ("Shift+Arrows", "Extend the selection by characters (Ctrl+Shift+Arrows: by words)"),
    ("Mouse drag", "Select; snaps to whole tokens on release (hold Alt for exact characters)"),
    ("Double-click", "Select one token"),
    ("Triple-click", "Select the sentence"),
    ("Click on a span", "Select it (click again to cycle through overlapping spans)"),
    ("Tab / Shift+Tab", "Next / previous span in the article"),
]


def shortcuts_dialog(parent: QWidget, rows: list[tuple[str, str]]) -> QDialog:
    """``rows`` are (keys, what it does), built from the window's actions."""
    dlg = QDialog(parent)
    dlg.setObjectName("shortcutsDialog")
    dlg.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(0, 2)
    table.setHorizontalHeaderLabels(["Keys", "Action"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    for keys, what in [*rows, *VIEW_KEYS]:
        r = table.rowCount()
        table.insertRow(r)
        k = QTableWidgetItem(keys)
        k.setFont(table.font())
        table.setItem(r, 0, k)
        table.setItem(r, 1, QTableWidgetItem(what))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dlg.reject)
    lay = QVBoxLayout(dlg)
    lay.addWidget(table)
    lay.addWidget(buttons)
    dlg.resize(620, 560)
    return dlg


def key_text(sequences: list[QKeySequence]) -> str:
    return " or ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)


def about(parent: QWidget, version: str, scheme_name: str, scheme_version: int) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle("About annotator")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(
        f"<b>annotator {version}</b><br>Label news articles for framing: exact spans,"
        f" document labels, agreement, clean exports.<br><br>Scheme: {scheme_name}"
        f" v{scheme_version}<br>Every edit is saved the moment you make it."
    )
    box.exec()


def title_dialog(parent: QWidget, old: str, chosen: Callable[[str], None]) -> QInputDialog:
    """Article → Edit title…: opened, not blocking; ``chosen`` gets the text accepted."""
    dlg = QInputDialog(parent)
    dlg.setObjectName("titleDialog")
    dlg.setWindowTitle("Edit title")
    dlg.setLabelText("Title of this article (its text is never changed):")
    dlg.setTextValue(old)
    dlg.resize(560, dlg.sizeHint().height())
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.textValueSelected.connect(chosen)
    dlg.open()
    return dlg
