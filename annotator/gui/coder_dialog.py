"""The dialog asking who is coding (:func:`annotator.gui.coder.ask_coder_name`), in a
module of its own: its Qt classes are made when a name is first asked for, not at
start-up."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QWidget

from ..errors import ValidationError
from .coder_names import PROMPT, window_coder_name


class CoderNameDialog(QInputDialog):
    """Asks for a coder name; a name the rule refuses keeps the dialog open with the reason.

    The prompt holds data (known coders, a refused name): it is shown as plain text.
    """

    def __init__(self, parent: QWidget | None = None, known: list[str] | None = None):
        super().__init__(parent)
        self.setObjectName("coderNameDialog")
        self.setWindowTitle("Who is coding?")
        self.setInputMode(QInputDialog.InputMode.TextInput)
        self.setTextEchoMode(QLineEdit.EchoMode.Normal)
        self.known = list(known or [])
        self.prompt = PROMPT
        if self.known:
            self.prompt += "\nKnown coders: " + ", ".join(self.known)
        self.setLabelText(self.prompt)
        self.name: str | None = None
        self.problem = ""

    def setLabelText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setLabelText(text)
        for label in self.findChildren(QLabel):
            label.setTextFormat(Qt.TextFormat.PlainText)

    def done(self, result: int) -> None:
        if result == QInputDialog.DialogCode.Accepted:
            try:
                self.name = window_coder_name(self.textValue(), self.known)
            except ValidationError as e:
                self.problem = str(e)
                self.setLabelText(f"{e}.\n{self.prompt}")
                return  # stays open: the coder corrects the name
        super().done(result)
