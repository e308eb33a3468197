"""Data is shown as plain text, never as HTML.

Qt guesses whether a string is rich text (``Qt::mightBeRichText``: an HTML tag anywhere
in the first line) for tooltips, labels and message boxes in their default format. A
title, file name, coder name or error message from the data must therefore be shown
through one of these: labels and message boxes get ``Qt.TextFormat.PlainText``; a
tooltip (which has no format setting) gets :func:`plain_tooltip`; a button, check box
or menu entry gets :func:`literal_mnemonic`; a window title gets :func:`literal_title`.
"""

from __future__ import annotations

from PySide6.QtGui import Qt


def escape(text: str) -> str:
    """``text`` for a place inside rich text (``<``, ``>`` and ``&`` shown as such)."""
    import html  # here: its entity table is not needed to start the window (bench/startup.py)

    return html.escape(text, quote=False)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally, its line breaks and spaces kept.

    Text Qt would take as plain text is returned as it is; text Qt would render as HTML
    is escaped and wrapped so that its characters are shown.
    """
    if not text or not Qt.mightBeRichText(text):
        return text
    return f"<p style='white-space:pre-wrap'>{escape(text)}</p>"


def literal_mnemonic(text: str) -> str:
    """``text`` for a button, check box or menu entry: ``&`` shown, not a shortcut mark."""
    return text.replace("&", "&&")


def literal_title(text: str) -> str:
    """``text`` for ``setWindowTitle``: Qt hides ``[*]`` (its "modified" mark), ``[*][*]``
    shows it."""
    return text.replace("[*]", "[*][*]")
