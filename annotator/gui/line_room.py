"""Room under every line of the article for the spans' bands.

``QPlainTextDocumentLayout`` stacks the lines of a paragraph with no spacing (it ignores
``QTextBlockFormat.lineHeight``), so a band drawn under a line would have to cross the
glyphs' descenders. :class:`LineRoomLayout` moves each line of a block ``room`` pixels
further down than the one above it and makes the block that much taller, so there is
an empty strip below every line's descent. Qt asks ``blockBoundingRect`` before it
paints, hit-tests or scrolls through a block, so every line position it uses is the
spaced one; the lines' x positions (alignment, direction) are left as Qt laid them out.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QTextBlock, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout


class LineRoomLayout(QPlainTextDocumentLayout):
    def __init__(self, document: QTextDocument, room: float):
        super().__init__(document)
        self.room = room

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:
        br = super().blockBoundingRect(block)  # lays the block out if needed
        layout = block.layout()
        n = layout.lineCount() if layout is not None else 0
        if n and block.isVisible():
            last = layout.lineAt(n - 1)
            beyond = br.height() - (last.y() + last.height())  # the document's margin
            y = layout.lineAt(0).y()
            for i in range(n):
                line = layout.lineAt(i)
                if line.y() != y:
                    line.setPosition(QPointF(line.x(), y))
                y += line.height() + self.room
            br.setHeight(y + beyond)
        return br
