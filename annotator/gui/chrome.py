"""What the main window says around the article: the header above it (title, meta line,
Coder button), the status bar's permanent labels (read-only banner, selection, saved
state, coder), the window title and its message boxes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QToolButton, QWidget

from ..models import Document
from .document_list import STATE_TEXT
from .layouts import title_row
from .plaintext import literal_mnemonic, literal_title, plain_tooltip

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

READ_ONLY_BANNER = "Read-only: changes cannot be saved"
READ_ONLY_WHY = (
    " (the file or its folder is not writable); you can read, review and export."
    " To label, make it writable and open it again."
)
NO_ARTICLES = ("No articles yet", "Use File → Import articles… to add .txt or .jsonl files.")


def read_only_message(path: Path) -> str:
    """The refusal of an edit on a database opened read-only."""
    return f"{path.name} is read-only: changes cannot be saved{READ_ONLY_WHY}"


def window_title(doc: Document | None, coder: str, path: Path, readonly: bool) -> str:
    doc_part = f"{doc.title} — " if doc else ""
    ro = ", read-only" if readonly else ""
    return literal_title(f"{doc_part}{coder} — annotator ({path.name}{ro})")


def message_box(parent: QWidget, title: str, message: str, warning: bool = False) -> QMessageBox:
    """A non-blocking message box in plain text (messages hold file names, titles, coders)."""
    from PySide6.QtWidgets import QMessageBox  # its class is made when first asked for

    box = QMessageBox(
        QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information,
        title, message, QMessageBox.StandardButton.Ok, parent,
    )  # fmt: skip
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class DocHeader:
    """The row above the article: its title over its meta line, the Coder button."""

    def __init__(self) -> None:
        self.title_label = QLabel()
        self.title_label.setObjectName("docTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.meta_label = QLabel()
        self.meta_label.setObjectName("docMeta")
        self.meta_label.setTextFormat(Qt.TextFormat.PlainText)
        self.coder_button = QToolButton()
        self.coder_button.setObjectName("coderButton")
        self.coder_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.coder_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.row: QHBoxLayout = title_row(self.title_label, self.meta_label, self.coder_button)
        self.row.setContentsMargins(34, 14, 18, 4)

    def show_empty(self) -> None:
        title, meta = NO_ARTICLES
        self.title_label.setText(title)
        self.meta_label.setText(meta)

    def show_meta(self, doc: Document, state: str | None) -> None:
        """``doc``'s source file, length and coding state (a document list state)."""
        src = Path(doc.source).name if doc.source else ""
        text = STATE_TEXT.get(state, "") if state is not None else ""
        self.meta_label.setText(f"{src}  ·  {len(doc.text):,} characters  ·  {text}")

    def show_coder(self, coder: str) -> None:
        self.coder_button.setText(literal_mnemonic(f"Coder: {coder}  ▾"))


class StatusLabels:
    """The status bar's permanent labels: the read-only banner, the selection's length,
    whether every edit is saved (``saved_label``, kept by ``saving.Saver``), the coder."""

    def __init__(self, bar: QStatusBar, saved_label: QLabel) -> None:
        self.sel_label = QLabel()
        self.saved_label = saved_label
        self.coder_label = QLabel()
        self.coder_label.setObjectName("coderLabel")
        self.coder_label.setTextFormat(Qt.TextFormat.PlainText)
        self.read_only_label = QLabel(READ_ONLY_BANNER)
        self.read_only_label.setObjectName("readOnlyBanner")
        self.read_only_label.setStyleSheet(
            "color: #ffffff; background: #b3261e; font-weight: 600; padding: 1px 8px;"
        )
        for label in (self.read_only_label, self.sel_label, saved_label, self.coder_label):
            bar.addPermanentWidget(label)

    def show_read_only(self, path: Path, readonly: bool) -> None:
        self.read_only_label.setVisible(readonly)
        self.read_only_label.setToolTip(
            plain_tooltip(f"{path} cannot be written{READ_ONLY_WHY}") if readonly else ""
        )

    def show_selection(self, length: int | None) -> None:
        self.sel_label.setText("" if length is None else f"Selection: {length} characters")

    def show_coder(self, coder: str) -> None:
        self.coder_label.setText(f"Coder: {coder}")
