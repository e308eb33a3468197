"""The current coder: remembered in QSettings, asked for once, switchable (Coder menu)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMenu, QWidget

from ..errors import ValidationError
from ..store import RESERVED_NAMES, check_coder_name
from .plaintext import literal_mnemonic

ORGANISATION = "annotator"
APPLICATION = "annotator"
KEY = "coder/name"
PROMPT = "Your name or initials (your labels are stored under it):"


def app_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


def window_coder_name(name: str, known: list[str] | tuple[str, ...] = ()) -> str:
    """``name`` if the window may code under it: a coder already in the database (not a
    reserved name), or a new name the coder rule accepts; else ValidationError (one line)."""
    if name in known and name not in RESERVED_NAMES:
        return name
    return check_coder_name(name)


def remembered_coder(settings: QSettings) -> str | None:
    value = settings.value(KEY)
    if not isinstance(value, str):
        return None
    try:
        return check_coder_name(value)
    except ValidationError:
        return None


def remember_coder(settings: QSettings, name: str) -> None:
    settings.setValue(KEY, name)
    settings.sync()


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


def ask_coder_name(parent: QWidget | None = None, known: list[str] | None = None) -> str | None:
    """Ask for a coder name until it is valid; None when cancelled."""
    dlg = CoderNameDialog(parent, known)
    try:
        if dlg.exec() != QInputDialog.DialogCode.Accepted:
            return None
        return dlg.name
    finally:
        dlg.deleteLater()


def fill_coder_menu(
    menu: QMenu,
    names: Iterable[str],
    current: str,
    switch: Callable[[str], None],
    new: Callable[[], None],
) -> None:
    """The Coder menu: one checkable entry per coder (the current one checked), then
    "New coder…"."""
    menu.clear()
    group = QActionGroup(menu)
    for name in names:
        a = menu.addAction(literal_mnemonic(name))
        a.setCheckable(True)
        a.setChecked(name == current)
        a.setObjectName(f"coder_{name}")
        group.addAction(a)
        a.triggered.connect(lambda _=False, n=name: switch(n))
    menu.addSeparator()
    add = menu.addAction("New coder…")
    add.setObjectName("newCoder")
    add.triggered.connect(new)
