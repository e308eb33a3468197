"""The current coder: remembered in QSettings, asked for once, switchable."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from ..errors import ValidationError
from ..store import check_annotator_name

ORGANISATION = "annotator"
APPLICATION = "annotator"
KEY = "coder/name"


def app_settings() -> QSettings:
    return QSettings(ORGANISATION, APPLICATION)


def remembered_coder(settings: QSettings) -> str | None:
    value = settings.value(KEY)
    if not isinstance(value, str):
        return None
    try:
        return check_annotator_name(value)
    except ValidationError:
        return None


def remember_coder(settings: QSettings, name: str) -> None:
    settings.setValue(KEY, name)
    settings.sync()


def ask_coder_name(parent: QWidget | None = None, known: list[str] | None = None) -> str | None:
    """Ask for a coder name until it is valid; None when cancelled."""
    prompt = "Your name or initials (your labels are stored under it):"
    if known:
        prompt += "\nKnown coders: " + ", ".join(known)
    text = ""
    while True:
        text, ok = QInputDialog.getText(
            parent, "Who is coding?", prompt, QLineEdit.EchoMode.Normal, text
        )
        if not ok:
            return None
        try:
            return check_annotator_name(text)
        except ValidationError as e:
            prompt = f"{e}. Please enter a name:"
