"""Option and result dialogs of the File menu's interchange actions.

Import labels, Export… and Merge database… each ask their options in a small dialog
(widgets named by ``objectName`` so tests can drive them), and show what happened in a
:class:`ResultDialog`: one readable summary line per file and, below it, the details
(``file:line: reason`` problems, merge conflicts) in a scrollable monospace box.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextOption
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..formats.registry import EXPORT_FORMATS, export_format
from .plaintext import literal_mnemonic, plain_tooltip

IMPORT_FORMATS = [
    ("auto", "Detect from each file"),
    ("jsonl", "annotator JSONL (this tool's export)"),
    ("prodigy", "Prodigy JSONL"),
    ("doccano", "doccano JSONL (one coder per file)"),
]

# Which labels an export holds (the ``coder`` argument of the core's export).
ALL_CODERS, MINE, GOLD_ONLY = "all", "mine", "gold"


def _hint(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    lab.setWordWrap(True)
    lab.setProperty("role", "hint")
    lab.setStyleSheet("color: #666;")
    return lab


def _file_list(paths: list[str]) -> QLabel:
    names = [Path(p).name for p in paths]
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    lab = QLabel(shown)
    lab.setObjectName("chosenFiles")
    lab.setWordWrap(True)
    lab.setToolTip(plain_tooltip("\n".join(paths)))
    lab.setTextFormat(Qt.TextFormat.PlainText)
    return lab


def _buttons(dlg: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName("okButton")
    box.accepted.connect(dlg.accept)
    box.rejected.connect(dlg.reject)
    return box


class ImportLabelsDialog(QDialog):
    """Options of File → Import labels… for the chosen files."""

    def __init__(self, parent: QWidget, paths: list[str], fields: list[str]):
        super().__init__(parent)
        self.setObjectName("importLabelsDialog")
        self.setWindowTitle("Import labels")
        self.paths = list(paths)
        self.format = QComboBox()
        self.format.setObjectName("importFormat")
        for key, text in IMPORT_FORMATS:
            self.format.addItem(text, key)
        self.coder = QLineEdit()
        self.coder.setObjectName("importCoder")
        self.coder.setPlaceholderText("as named in the file")
        self.coder_hint = _hint(
            "Leave empty to keep the coder named in each line. doccano files do not name"
            " the coder: a name is required for them."
        )
        self.accepted_only = QRadioButton("Accepted answers only")
        self.accepted_only.setObjectName("importAcceptedOnly")
        self.accepted_only.setChecked(True)
        self.all_answers = QRadioButton("All answers (also rejected and ignored)")
        self.all_answers.setObjectName("importAllAnswers")
        group = QButtonGroup(self)
        group.addButton(self.accepted_only)
        group.addButton(self.all_answers)
        self.add_labels = QCheckBox("Extend the scheme with unknown labels, fields and options")
        self.add_labels.setObjectName("importAddLabels")
        self.replace = QCheckBox("Replace this coder's labels on these documents")
        self.replace.setObjectName("importReplace")
        self.replace.setToolTip(
            "A corrected file: on each document the files name, the coder's spans, fields"
            " and status become exactly the file's (labels it lacks are deleted). Other"
            " documents, other coders and gold are untouched; all files or none are written."
        )
        self.field = QComboBox()
        self.field.setObjectName("importField")
        self.field.addItem("(the only field that has the option)", None)
        for name in fields:
            self.field.addItem(name, name)
        self.error = QLabel()
        self.error.setObjectName("importError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()

        form = QFormLayout()
        form.addRow("Files:", _file_list(self.paths))
        form.addRow("Format:", self.format)
        form.addRow("Coder:", self.coder)
        form.addRow("", self.coder_hint)
        form.addRow("Answers:", self.accepted_only)
        form.addRow("", self.all_answers)
        form.addRow("Bare categories go to:", self.field)
        form.addRow("", self.add_labels)
        form.addRow("", self.replace)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(
            _hint(
                "Each file is all or nothing: a file with any problem is refused and"
                " nothing from it is written."
            )
        )
        lay.addWidget(self.error)
        lay.addWidget(_buttons(self, "Import"))
        self.format.currentIndexChanged.connect(self._format_changed)
        self.resize(560, self.sizeHint().height())

    def _format_changed(self) -> None:
        doccano = self.format.currentData() == "doccano"
        self.coder.setPlaceholderText("required for doccano" if doccano else "as named in the file")
        self.error.hide()

    def options(self) -> dict[str, Any]:
        coder = self.coder.text().strip()
        return {
            "fmt": self.format.currentData(),
            "coder": coder or None,
            "all_answers": self.all_answers.isChecked(),
            "add_labels": self.add_labels.isChecked(),
            "field_name": self.field.currentData(),
            "replace": self.replace.isChecked(),
        }

    def accept(self) -> None:
        if self.format.currentData() == "doccano" and not self.coder.text().strip():
            self.error.setText("doccano files do not name the coder: enter the coder's name.")
            self.error.show()
            self.coder.setFocus()
            return
        super().accept()


class ExportDialog(QDialog):
    """Options of File → Export… (the target is asked for afterwards)."""

    def __init__(self, parent: QWidget, coder: str, has_gold: bool):
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export labels")
        self.coder = coder
        self.format = QComboBox()
        self.format.setObjectName("exportFormat")
        for f in EXPORT_FORMATS:  # the core's registry: the same formats as the CLI
            self.format.addItem(f.title, f.key)
        self.all_coders = QRadioButton("All coders (one record per article and coder)")
        self.all_coders.setObjectName("exportAllCoders")
        self.all_coders.setChecked(True)
        self.mine = QRadioButton(literal_mnemonic(f"Only the current coder ({coder})"))
        self.mine.setObjectName("exportMine")
        self.gold = QRadioButton("Only the gold (adjudicated) layer")
        self.gold.setObjectName("exportGold")
        self.gold.setEnabled(has_gold)
        if not has_gold:
            self.gold.setToolTip("This database has no gold layer yet (nothing adjudicated).")
        group = QButtonGroup(self)
        for b in (self.all_coders, self.mine, self.gold):
            group.addButton(b)
        self.unlabelled = QCheckBox("Include articles nobody labelled")
        self.unlabelled.setObjectName("exportUnlabelled")
        self.where = _hint("")
        form = QFormLayout()
        form.addRow("Format:", self.format)
        form.addRow("", self.where)
        form.addRow("Labels:", self.all_coders)
        form.addRow("", self.mine)
        form.addRow("", self.gold)
        form.addRow("", self.unlabelled)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(_buttons(self, "Export…"))
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()
        self.resize(540, self.sizeHint().height())

    def _format_changed(self) -> None:
        if export_format(self.format.currentData()).folder:
            self.where.setText("Writes a folder: you name the folder next.")
        else:
            self.where.setText("Writes one file: you name the file next.")

    def options(self) -> dict[str, Any]:
        from ..store import GOLD

        if self.gold.isChecked() and self.gold.isEnabled():
            coder = GOLD
        elif self.mine.isChecked():
            coder = self.coder
        else:
            coder = None
        return {
            "fmt": self.format.currentData(),
            "coder": coder,
            "include_unlabelled": self.unlabelled.isChecked(),
        }


class MergeDialog(QDialog):
    """Options of File → Merge database… for the chosen databases."""

    def __init__(self, parent: QWidget, paths: list[str]):
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Merge databases")
        self.paths = list(paths)
        self.strict = QCheckBox(
            "Stop on conflicts (strict): merge nothing from a database that conflicts"
        )
        self.strict.setObjectName("mergeStrict")
        form = QFormLayout()
        form.addRow("Databases:", _file_list(self.paths))
        form.addRow("", self.strict)
        lay = QVBoxLayout(self)
        lay.addWidget(
            _hint(
                "Other coders' labels are added under their own names; nothing here is"
                " overwritten. When a coder labelled an article differently in the two"
                " databases, the other version is kept beside this one as"
                " 'coder@file-name' (a conflict)."
            )
        )
        lay.addLayout(form)
        lay.addWidget(_buttons(self, "Merge"))
        self.resize(560, self.sizeHint().height())

    def options(self) -> dict[str, Any]:
        return {"strict": self.strict.isChecked()}


def fitting_width(parent: QWidget, wanted: int) -> int:
    """``wanted``, or less on a screen (or beside a window) narrower than that."""
    screen = parent.screen() or QGuiApplication.primaryScreen()
    room = min(screen.availableGeometry().width() - 40, parent.width() - 20)
    return max(min(wanted, room), 320)


class ResultDialog(QDialog):
    """What a job did: summary lines, then details in a scrollable monospace box."""

    def __init__(
        self,
        parent: QWidget,
        title: str,
        summary: list[str],
        details: list[str] | None = None,
        details_title: str = "",
        warning: bool = False,
    ):
        super().__init__(parent)
        self.setObjectName("resultDialog")
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        head = QLabel(("⚠ " if warning else "") + title)
        head.setObjectName("resultTitle")
        head.setTextFormat(Qt.TextFormat.PlainText)
        head.setStyleSheet("font-weight: bold; font-size: 14px;")
        lay.addWidget(head)
        self.summary = QLabel("\n".join(summary))
        self.summary.setObjectName("resultSummary")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.summary)
        self.details = QPlainTextEdit()
        self.details.setObjectName("resultDetails")
        self.details.setReadOnly(True)
        # Long lines (a conflict's "kept as 'ana@ana2'", a path) wrap: no sideways scrolling.
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.details.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setPlainText("\n".join(details or []))
        if details:
            if details_title:
                lab = QLabel(details_title)
                lab.setTextFormat(Qt.TextFormat.PlainText)
                lay.addWidget(lab)
            lay.addWidget(self.details, 1)
        else:
            self.details.hide()
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        lay.addWidget(box)
        self.resize(fitting_width(parent, 760), 460 if details else 180)

    def text(self) -> str:
        """Everything shown (for tests and copying)."""
        return self.summary.text() + "\n" + self.details.toPlainText()
