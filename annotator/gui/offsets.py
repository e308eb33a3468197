"""Code points <-> UTF-16 code units, for one text (no Qt needed).

The core counts Python ``str`` code points; Qt's text positions count UTF-16 code
units, where every character outside the Basic Multilingual Plane (emoji, some CJK,
historic scripts) takes two. :class:`OffsetMap` records once where those characters
are and converts in O(log n) with ``bisect``; for the common text without any it
is the identity.
"""

from __future__ import annotations

import re
from bisect import bisect_left

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OffsetMap:
    """Position conversion for one text."""

    __slots__ = ("_cp", "_u16", "length", "length16")

    def __init__(self, text: str):
        self.length = len(text)
        if not text or max(text) < "\U00010000":
            self._cp: list[int] = []
        else:
            self._cp = [m.start() for m in _ASTRAL.finditer(text)]
        # The UTF-16 position of the k-th astral character is its code-point position + k.
        self._u16 = [p + k for k, p in enumerate(self._cp)]
        self.length16 = self.length + len(self._cp)

    @property
    def identity(self) -> bool:
        return not self._cp

    def to_utf16(self, pos: int) -> int:
        """UTF-16 offset of code-point offset ``pos``."""
        if not self._cp:
            return pos
        return pos + bisect_left(self._cp, pos)

    def to_codepoint(self, pos16: int, round_up: bool = False) -> int:
        """Code-point offset of UTF-16 offset ``pos16``.

        A position inside a surrogate pair (which Qt should never produce for a cursor)
        falls to the start of that character, or after it with ``round_up``.
        """
        if not self._u16:
            return pos16
        k = bisect_left(self._u16, pos16)  # astral characters starting before pos16
        if k and self._u16[k - 1] == pos16 - 1:  # inside the pair of the (k-1)-th one
            return pos16 - k + (1 if round_up else 0)
        return pos16 - k

    def range_to_utf16(self, start: int, end: int) -> tuple[int, int]:
        return self.to_utf16(start), self.to_utf16(end)

    def range_to_codepoint(self, start16: int, end16: int) -> tuple[int, int]:
        """A UTF-16 range as code points, widened to whole characters."""
        return self.to_codepoint(start16), self.to_codepoint(end16, round_up=True)


# What Qt would not show one-to-one, and what the view shows instead (one UTF-16 unit each).
# U+FDD0 / U+FDD1 are Qt's own frame markers: QTextDocument turns them into paragraph breaks.
_QT_FRAME_MARKS = str.maketrans({"\ufdd0": "\ufffd", "\ufdd1": "\ufffd"})
# PySide6 converts a ``str`` to a QString as UTF-16 *with byte-order-mark detection*, for
# every call into Qt: a leading U+FEFF is dropped (one position lost) and a leading U+FFFE
# makes it byte-swap the rest of a BMP-only string. Only the first character is affected.
_LEADING_BOM = {"\ufeff": "\u2060", "\ufffe": "\ufffd"}  # U+2060 WORD JOINER: also invisible


def display_text(text: str) -> str:
    """The text to hand to ``QPlainTextEdit.setPlainText`` so positions stay 1:1.

    Every character of the result is one UTF-16 unit wherever the stored one is, so
    :class:`OffsetMap` of the stored text holds for the widget. Qt turns ``\\r\\n`` into a
    single paragraph break; replacing every ``\\r`` by ``\\n`` keeps one unit per unit
    of the stored text. (Stored texts are normalised to ``\\n`` already; this guards texts
    stored by other tools.) A leading U+FEFF / U+FFFE, which the binding would drop or
    read as a byte-order mark, is shown as U+2060 / U+FFFD, and Qt's frame markers
    U+FDD0 / U+FDD1 as U+FFFD (Qt would break the line there).
    """
    if "\r" in text:
        text = text.replace("\r", "\n")
    if "\ufdd0" in text or "\ufdd1" in text:
        text = text.translate(_QT_FRAME_MARKS)
    if text[:1] in _LEADING_BOM:
        text = _LEADING_BOM[text[0]] + text[1:]
    return text
