"""The review window's article: the main view's text, with coder layers and gold.

Reuses :class:`ArticleView` (plain text, token snapping, UTF-16 conversion) and only
replaces the painting: each coder is a *layer* drawn as a thin band under the text
at its own depth (band 1 nearest the text), coloured by label. The bands sit in the
empty strip the article's layout leaves below every line's descent
(:class:`~annotator.gui.line_room.LineRoomLayout`), never through the glyphs; gold
spans get a light fill and a solid outline; the current decision gets a dark outline.
Fills and bands take the scheme's derived colours (``ArticleView.span_colors``). Layers
can be hidden; :meth:`visible_spans` says what is painted (for tests and tooltips).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QPlainTextEdit, QToolTip, QWidget

from .article_view import ArticleView
from .plaintext import plain_tooltip

LAYER_H = 1.8  # band thickness, px
LAYER_GAP = 0.8
LAYER_TOP = 1.0  # first band: this far below the line's descent
GOLD_LAYER = "gold"


@dataclass(frozen=True)
class LayerSpan:
    layer: str  # coder name, or GOLD_LAYER
    start: int  # code points
    end: int
    label: str
    color: QColor
    band: int  # 0 = lowest band (coders); unused for gold
    start16: int
    end16: int
    unsaved: bool = False  # a gold edit not written yet: hatched, dashed outline


class ReviewView(ArticleView):
    """Read-only article with toggleable per-coder layers and the gold layer."""

    positionClicked = Signal(int)  # code point clicked (no text selected)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reviewView")
        self._layers: list[LayerSpan] = []
        self._lstarts: list[int] = []
        self._lmax = 0
        self._hidden: set[str] = set()
        self._current: tuple[int, int] | None = None  # UTF-16 range of the current decision
        self._current_color = QColor("#202124")
        self.exact_selection: tuple[int, int] | None = None  # made with Alt: not snapped
        self.setMouseTracking(True)

    # -- content ------------------------------------------------------------------

    def set_layers(self, spans: list[tuple]) -> None:
        """``(layer, start, end, label, colour, band[, unsaved])`` in code points."""
        m = self.offsets
        out = []
        for layer, s, e, label, color, band, *unsaved in spans:
            s16, e16 = m.range_to_utf16(s, e)
            out.append(LayerSpan(layer, s, e, label, color, band, s16, e16, any(unsaved)))
        out.sort(key=lambda x: (x.start16, x.end16, x.layer))
        self._layers = out
        self._lstarts = [x.start16 for x in out]
        self._lmax = max((x.end16 - x.start16 for x in out), default=0)
        self.viewport().update()

    def set_layer_visible(self, layer: str, visible: bool) -> None:
        (self._hidden.discard if visible else self._hidden.add)(layer)
        self.viewport().update()

    def layer_visible(self, layer: str) -> bool:
        return layer not in self._hidden

    def visible_spans(self) -> list[LayerSpan]:
        return [x for x in self._layers if x.layer not in self._hidden]

    def set_current(
        self, rng: tuple[int, int] | None, color: QColor | None = None, scroll: bool = True
    ) -> None:
        """Outline code points ``rng`` as the current decision (and scroll to it)."""
        if rng is None:
            self._current = None
        else:
            self._current = self.offsets.range_to_utf16(*rng)
            if color is not None:
                self._current_color = QColor(color)
            if scroll:
                self._scroll_to(self._current[0], self._current[1])
        self.viewport().update()

    def _scroll_to(self, s16: int, e16: int) -> None:
        """Bring the range into view (centred only when it is off screen)."""
        top = self.cursorRect(self._cursor_at(s16))
        bottom = self.cursorRect(self._cursor_at(e16))
        vh = self.viewport().height()
        if top.top() >= 0 and bottom.bottom() <= vh:
            return
        sel = self.textCursor()
        self.setTextCursor(self._cursor_at(s16))
        self.centerCursor()
        if sel.hasSelection():
            pos = self.verticalScrollBar().value()
            self.setTextCursor(sel)
            self.verticalScrollBar().setValue(pos)

    def _cursor_at(self, pos16: int):
        from PySide6.QtGui import QTextCursor

        c = QTextCursor(self.document())
        c.setPosition(max(0, min(pos16, self.offsets.length16)))
        return c

    def layers_at(self, pos16: int) -> list[LayerSpan]:
        hi = bisect_left(self._lstarts, pos16 + 1)
        lo = bisect_left(self._lstarts, pos16 - self._lmax)
        return [
            x
            for x in self._layers[lo:hi]
            if x.start16 <= pos16 < x.end16 and x.layer not in self._hidden
        ]

    # -- mouse ----------------------------------------------------------------------

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        had_press = self._press_pos is not None
        QPlainTextEdit.mouseReleaseEvent(self, e)
        if e.button() != Qt.MouseButton.LeftButton:
            return
        if self._triple:
            self._triple = False
            return
        self._press_pos = None
        if self.textCursor().hasSelection():
            if e.modifiers() & Qt.KeyboardModifier.AltModifier:
                self.exact_selection = self.selection_cp()
            else:
                self.snap_selection()
            return
        if had_press:
            pos16 = self.char_at(e.position().toPoint())
            if pos16 is not None:
                self.positionClicked.emit(self.offsets.to_codepoint(pos16))

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        super().mouseMoveEvent(e)
        if e.buttons() != Qt.MouseButton.NoButton:
            return
        pos16 = self.char_at(e.position().toPoint())
        hits = self.layers_at(pos16) if pos16 is not None else []
        if hits:
            lines = [
                f"{'GOLD' if h.layer == GOLD_LAYER else h.layer}: {h.label}"
                for h in sorted(hits, key=lambda h: (h.layer != GOLD_LAYER, h.band, h.layer))
            ]
            tip = plain_tooltip("\n".join(lines))  # coder names are data
            QToolTip.showText(e.globalPosition().toPoint(), tip, self.viewport())
        else:
            QToolTip.hideText()

    # -- painting ---------------------------------------------------------------------

    def band_top(self, baseline: float, band: int) -> float:
        """Top of coder band ``band`` under a line whose baseline is at ``baseline``."""
        descent = self.fontMetrics().descent()
        return baseline + descent + LAYER_TOP + band * (LAYER_H + LAYER_GAP)

    def _visible_range(self, blocks) -> tuple[int, int]:
        a = blocks[0][0].position()
        last = blocks[-1][0]
        return a, last.position() + last.length()

    def _rects16(self, s16: int, e16: int, blocks) -> list[QRectF]:
        probe = _Range(s16, e16)
        return self._span_rects(probe, blocks)  # type: ignore[arg-type]

    def paintEvent(self, e: QPaintEvent) -> None:
        blocks = self._visible_blocks(e.rect().bottom()) if self._layers or self._current else []
        visible: list[tuple[LayerSpan, list[QRectF]]] = []
        current_rects: list[QRectF] = []
        if blocks:
            a, b = self._visible_range(blocks)
            lo = bisect_left(self._lstarts, a - self._lmax)
            hi = bisect_left(self._lstarts, b)
            for x in self._layers[lo:hi]:
                if x.end16 > a and x.layer not in self._hidden:
                    rects = self._rects16(x.start16, x.end16, blocks)
                    if rects:
                        visible.append((x, rects))
            if self._current is not None:
                current_rects = self._rects16(*self._current, blocks)
        if visible or current_rects:
            p = QPainter(self.viewport())
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(Qt.PenStyle.NoPen)
            if current_rects:  # a calm highlight behind the current decision, a margin mark
                for r in current_rects:
                    p.fillRect(r, QColor(255, 234, 150, 140))
                    p.fillRect(QRectF(0.0, r.top() + 2, 3.0, r.height() - 4), self._current_color)
            descent = self.fontMetrics().descent()
            for x, rects in visible:  # gold: light fill under the text
                if x.layer == GOLD_LAYER:
                    fill, band = self.span_colors(x.label, x.color)
                    hatch = QColor(band)
                    hatch.setAlpha(150)
                    for r in rects:
                        box = QRectF(r.left(), r.top() + 0.8, r.width(), r.height() - 0.8)
                        p.fillRect(box, fill)
                        if x.unsaved:
                            p.fillRect(box, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
            for x, rects in visible:  # coder layers: one band each, stacked
                if x.layer == GOLD_LAYER:
                    continue
                band = self.span_colors(x.label, x.color)[1]
                for r in rects:
                    y = self.band_top(r.bottom() - descent, x.band)
                    p.fillRect(QRectF(r.left() + 0.5, y, r.width() - 1, LAYER_H), band)
            p.end()
        super(ArticleView, self).paintEvent(e)  # the text itself (QPlainTextEdit)
        if any(x.layer == GOLD_LAYER for x, _ in visible):
            p = QPainter(self.viewport())
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setBrush(Qt.BrushStyle.NoBrush)
            for x, rects in visible:  # gold: solid outline over the text, above the bands
                if x.layer == GOLD_LAYER:
                    style = Qt.PenStyle.DashLine if x.unsaved else Qt.PenStyle.SolidLine
                    band = self.span_colors(x.label, x.color)[1]
                    p.setPen(QPen(band.darker(115), 1.6, style))
                    for r in rects:
                        p.drawRoundedRect(
                            QRectF(r.left() - 1.5, r.top() + 0.8, r.width() + 3, r.height() - 0.8),
                            3,
                            3,
                        )
            p.end()


@dataclass(frozen=True)
class _Range:
    start16: int
    end16: int


def point_of(view: ReviewView, cp: int) -> QPoint:
    """Viewport point of the caret before code point ``cp`` (for tests and tooltips)."""
    return view.cursorRect(view._cursor_at(view.offsets.to_utf16(cp))).center()
