"""The article: a read-only plain-text view that snaps selections and paints spans.

This is the only place where Qt's UTF-16 positions meet the core's code-point
offsets (through :class:`~annotator.gui.offsets.OffsetMap`). The text is always set
with ``setPlainText`` (HTML-like fragments stay literal) and never read back from
the widget. Spans are painted in ``paintEvent`` for the visible blocks only, so a
1 MB article costs the same as a short one. Each paragraph is laid out in its own
direction (right-to-left ones right-aligned, see ``PARAGRAPH_ALIGNMENT``); in paragraphs
that can hold a right-to-left run a span is painted per bidi run (``_glyph_extents``) and a
click hits the character whose glyph is under the mouse (``char_at``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QTextCursor,
    QTextDocument,
    QTextLine,
    QTextOption,
)
from PySide6.QtWidgets import QApplication, QFrame, QPlainTextEdit, QWidget

from ..colours import DEFAULT_SELECTION, TEXT, LabelPaint, Palette, label_paint
from ..models import Tokenization
from ..records import FrozenRecord
from .bidi import MAYBE_RTL
from .line_room import LineRoomLayout
from .offsets import OffsetMap, display_text

# Each span has a band under the text, in the empty strip below the line's descent
# (LineRoomLayout leaves LINE_ROOM px under every line): never through the glyphs.
# Overlapping spans get rows, the outermost nearest the text (span_rows).
BAND_H = 2.0  # underline band thickness, px
BAND_GAP = 1.0  # between two rows
BAND_TOP = 1.0  # between the line's descent and the first row
BAND_ROWS = 3  # rows the strip holds; deeper overlaps share the last one
LINE_ROOM = BAND_TOP + BAND_ROWS * (BAND_H + BAND_GAP)  # 10 px


def band_top(line_bottom: float, row: int) -> float:
    """Top of band row ``row`` under a line whose box ends at ``line_bottom``."""
    return line_bottom + BAND_TOP + min(row, BAND_ROWS - 1) * (BAND_H + BAND_GAP)


def span_rows(spans: list[PaintSpan]) -> dict[int, int]:
    """The band row of each span (sorted by start): the first row free at its start."""
    ends: list[int] = []  # end16 of the span last given each row
    rows: dict[int, int] = {}
    for s in spans:
        row = next((i for i, end in enumerate(ends) if end <= s.start16), len(ends))
        if row == len(ends):
            ends.append(s.end16)
        else:
            ends[row] = s.end16
        rows[s.id] = row
    return rows


# Every paragraph in its own direction. QPlainTextDocumentLayout lays out each block with
# the document's default QTextOption and ignores the block format's alignment and direction.
# With LayoutDirectionAuto, QTextLayout takes each paragraph's direction from its first
# strong character (Unicode rules P2/P3) -- that gives right-to-left shaping, order and cursor
# movement -- but it aligns lines by the option's alignment as given: Qt.AlignLeft (= AlignLeading)
# is not mirrored. AlignJustify is: QTextEngine aligns the lines of a right-to-left paragraph
# with AlignJustify to the right; and it justifies (stretches) lines only when the horizontal
# alignment is AlignJustify alone. AlignLeft | AlignJustify is therefore "the paragraph's start
# edge": right-to-left paragraphs right-aligned, left-to-right ones left-aligned, none stretched.
# The widget's own layout direction (a right-to-left desktop) does not change this.
# tests/gui/test_rtl.py holds Qt to all of it. Costs nothing: blocks are still laid out lazily.
PARAGRAPH_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignJustify


class PaintSpan(FrozenRecord):
    """A span as the view paints it: UTF-16 offsets, colour, band row."""

    id: int
    start16: int
    end16: int
    label: str
    color: QColor  # the label's colour; painted as ArticleView.span_colors derives it
    band: int  # the label's index; the band's row comes from overlaps (span_rows)
    own: bool
    coder: str
    unsaved: bool  # an edit the database has not taken yet (drawn hatched, dashed)

    def __init__(
        self,
        id: int,
        start16: int,
        end16: int,
        label: str,
        color: QColor,
        band: int,
        own: bool = True,
        coder: str = "",
        unsaved: bool = False,
    ) -> None:
        d = self.__dict__
        d["id"] = id
        d["start16"] = start16
        d["end16"] = end16
        d["label"] = label
        d["color"] = color
        d["band"] = band
        d["own"] = own
        d["coder"] = coder
        d["unsaved"] = unsaved


def own_viewport(view: QPlainTextEdit) -> QWidget:
    """Give ``view`` a viewport made here, set up as Qt sets up its own (the same name,
    background, cursor and drops), and return it.

    PySide knows the type of a widget made in Python. Asked for one Qt made, it looks for
    its class among all of QtWidgets' classes, and the first time creates every one of
    them (some 70 classes with their enums: about 11 ms, before the article's first
    paint). Must be called before the view's document is set: the document layout Qt
    made paints on the viewport given here (Qt's own is deleted)."""
    viewport = QWidget()
    viewport.setObjectName("qt_scrollarea_viewport")
    viewport.setBackgroundRole(QPalette.ColorRole.Base)
    viewport.setAutoFillBackground(True)
    viewport.setCursor(Qt.CursorShape.IBeamCursor)
    viewport.setAcceptDrops(True)
    view.setViewport(viewport)
    view.document().documentLayout().setPaintDevice(viewport)
    return viewport


class ArticleView(QPlainTextEdit):
    """Read-only article with token snapping and span painting."""

    spanClicked = Signal(object)  # span id or None
    selectionInfo = Signal(int, int)  # code-point start, end of the text selection
    nextSpanRequested = Signal(int)  # +1 / -1 (Tab / Shift+Tab)

    def __init__(self, parent: QWidget | None = None, palette: Palette | None = None):
        super().__init__(parent)
        own_viewport(self)
        doc = QTextDocument(self)  # spaced lines: room for the bands under the text
        doc.setDocumentLayout(LineRoomLayout(doc, LINE_ROOM))
        self.setDocument(doc)
        self.setObjectName("articleView")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        opt = self.document().defaultTextOption()  # each paragraph in its own direction
        opt.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
        opt.setAlignment(PARAGRAPH_ALIGNMENT)
        self.document().setDefaultTextOption(opt)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setCursorWidth(2)
        self.setViewportMargins(28, 18, 28, 18)
        self.document().setDocumentMargin(6)
        self.setUndoRedoEnabled(False)
        self._text = ""
        self._map = OffsetMap("")
        self._reorders: dict[int, bool] = {}  # block number -> may hold a right-to-left run
        self._tok_loader: Callable[[], Tokenization] | None = None
        self._tok: Tokenization | None = None
        self._spans: list[PaintSpan] = []
        self._starts: list[int] = []
        self._max_len = 0
        self._rows: dict[int, int] = {}
        # suggestions (gui/suggestion_layer.py): dashed outlines, never filled
        self._sugg: list[PaintSpan] = []
        self._sugg_starts: list[int] = []
        self._sugg_max = 0
        self._paints: dict[str, tuple[QColor, QColor]] = {}  # label: fill, band
        self._selection = QColor(DEFAULT_SELECTION)
        self.set_palette(palette)
        self._selected: int | None = None
        self._press_pos: QPoint | None = None
        self._last_dbl = QElapsedTimer()
        self._dbl_pos = QPoint()
        self._triple = False
        self._font_pt = 12.0
        self._family = "DejaVu Serif"
        self.set_font(self._family, self._font_pt)
        self.selectionChanged.connect(self._emit_selection)

    # -- content --------------------------------------------------------------

    def set_document(self, text: str, tokenization: Callable[[], Tokenization]) -> None:
        """Show ``text`` (as plain text, literally); ``tokenization`` is loaded on first use."""
        self._text = text
        self._map = OffsetMap(text)
        self._tok_loader = tokenization
        self._tok = None
        self._spans, self._starts, self._max_len = [], [], 0
        self._sugg, self._sugg_starts, self._sugg_max = [], [], 0
        self._reorders = {}
        self._selected = None
        self.setPlainText(display_text(text))
        self.moveCursor(QTextCursor.MoveOperation.Start)

    @property
    def text(self) -> str:
        """The stored text (not read back from the widget)."""
        return self._text

    @property
    def offsets(self) -> OffsetMap:
        return self._map

    def tokenization(self) -> Tokenization | None:
        if self._tok is None and self._tok_loader is not None:
            self._tok = self._tok_loader()
        return self._tok

    def set_spans(self, spans: list[PaintSpan]) -> None:
        spans = sorted(spans, key=lambda s: (s.start16, s.end16, s.id))
        self._spans = spans
        self._starts = [s.start16 for s in spans]
        self._max_len = max((s.end16 - s.start16 for s in spans), default=0)
        # the longest first at one start: it takes the row nearest the text
        self._rows = span_rows(sorted(spans, key=lambda s: (s.start16, -s.end16, s.id)))
        if self._selected is not None and not any(s.id == self._selected for s in spans):
            self._selected = None
        self.viewport().update()

    def set_suggestions(self, spans: list[PaintSpan]) -> None:
        """Suggestions to outline (dashed, in the label's band colour; ``id``: the
        suggestion's): painted for the visible blocks only, however many there are."""
        spans = sorted(spans, key=lambda s: (s.start16, s.end16, s.id))
        self._sugg = spans
        self._sugg_starts = [s.start16 for s in spans]
        self._sugg_max = max((s.end16 - s.start16 for s in spans), default=0)
        self.viewport().update()

    @property
    def painted_suggestions(self) -> list[PaintSpan]:
        """The suggestions outlined, by position."""
        return list(self._sugg)

    def suggestion_rects(self, suggestion_id: int) -> list[QRectF]:
        """Where the visible part of a suggestion's outline is (viewport coordinates)."""
        found = next((s for s in self._sugg if s.id == suggestion_id), None)
        if found is None:
            return []
        return self._span_rects(found, self._visible_blocks(self.viewport().height()))

    def _paint_suggestions(self, e: QPaintEvent) -> None:
        blocks = self._visible_blocks(e.rect().bottom())
        if not blocks:
            return
        a = blocks[0][0].position()
        last = blocks[-1][0]
        b = last.position() + last.length()
        lo = bisect_left(self._sugg_starts, a - self._sugg_max)
        hi = bisect_left(self._sugg_starts, b)
        p: QPainter | None = None
        for span in self._sugg[lo:hi]:
            if span.end16 <= a:
                continue
            rects = self._span_rects(span, blocks)
            if not rects:
                continue
            if p is None:
                p = QPainter(self.viewport())
                p.setRenderHint(QPainter.RenderHint.Antialiasing)
                p.setBrush(Qt.BrushStyle.NoBrush)
            pen = QPen(self.span_colors(span.label, span.color)[1], 1.5, Qt.PenStyle.DashLine)
            pen.setDashPattern([3.0, 2.0])
            p.setPen(pen)
            for r in rects:
                p.drawRoundedRect(r.adjusted(-1.0, 0.5, 1.0, -0.5), 3, 3)
        if p is not None:
            p.end()

    def set_palette(self, palette: Palette | None) -> None:
        """Paint spans and the text selection with ``palette``'s colours (derived from the
        scheme by :func:`annotator.colours.derive_palette`); None: the default selection."""
        self._paints = {}
        self._selection = QColor(palette.selection if palette else DEFAULT_SELECTION)
        for p in palette.labels if palette else ():
            self._paints[p.name] = (QColor(p.fill), QColor(p.band))
        pal = self.palette()
        text = QColor(palette.selection_text if palette else TEXT)
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            pal.setColor(group, QPalette.ColorRole.Highlight, self._selection)
            pal.setColor(group, QPalette.ColorRole.HighlightedText, text)
        self.setPalette(pal)
        self.viewport().update()

    @property
    def selection_color(self) -> QColor:
        """The text selection's background."""
        return QColor(self._selection)

    def span_colors(self, label: str, color: QColor) -> tuple[QColor, QColor]:
        """Fill and band of ``label`` (scheme colour ``color``), from the palette."""
        found = self._paints.get(label)
        if found is None:  # a label the scheme no longer has: derived on its own
            p: LabelPaint = label_paint(label, color.name())
            found = self._paints[label] = (QColor(p.fill), QColor(p.band))
        return found

    def set_font(self, family: str, point_size: float) -> None:
        self._family, self._font_pt = family, max(7.0, min(40.0, point_size))
        font = QFont(family)
        font.setPointSizeF(self._font_pt)
        font.setStyleHint(QFont.StyleHint.Serif)
        self.setFont(font)
        self.viewport().update()

    @property
    def font_point_size(self) -> float:
        return self._font_pt

    @property
    def font_family(self) -> str:
        return self._family

    @property
    def painted_spans(self) -> list[PaintSpan]:
        """The spans drawn, in drawing order (start, end, id)."""
        return list(self._spans)

    def zoom(self, steps: int) -> None:
        self.set_font(self._family, self._font_pt + steps)

    # -- selection in code points ----------------------------------------------

    def selection_cp(self) -> tuple[int, int] | None:
        """The text selection as code-point offsets, or None when nothing is selected."""
        c = self.textCursor()
        if not c.hasSelection():
            return None
        return self._map.range_to_codepoint(c.selectionStart(), c.selectionEnd())

    def select_cp(self, start: int, end: int, ensure_visible: bool = True) -> None:
        """Select ``text[start:end]`` (code points)."""
        s16, e16 = self._map.range_to_utf16(start, end)
        c = QTextCursor(self.document())
        c.setPosition(s16)
        c.setPosition(e16, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(c)
        if ensure_visible:
            self.ensureCursorVisible()

    def clear_selection(self) -> None:
        c = self.textCursor()
        if c.hasSelection():
            c.clearSelection()
            self.setTextCursor(c)

    def cursor_cp(self) -> int:
        return self._map.to_codepoint(self.textCursor().position())

    def select_sentence(self) -> None:
        """Expand the selection (or the cursor) to the sentence(s) it touches."""
        tok = self.tokenization()
        if tok is None:
            return
        sel = self.selection_cp()
        s, e = sel if sel else (self.cursor_cp(),) * 2
        a, b = tok.snap_to_sentences(s, e)
        if b > a:
            self.select_cp(a, b)

    def snap_selection(self) -> None:
        """Expand the current selection to whole tokens (stored spaCy offsets)."""
        sel = self.selection_cp()
        tok = self.tokenization()
        if sel is None or tok is None:
            return
        a, b = tok.snap_to_tokens(*sel)
        if (a, b) != sel and b > a:
            self.select_cp(a, b, ensure_visible=False)

    # -- spans ------------------------------------------------------------------

    @property
    def selected_span(self) -> int | None:
        return self._selected

    def select_span(self, span_id: int | None, scroll: bool = False) -> None:
        self._selected = span_id
        if span_id is not None and scroll:
            span = next((s for s in self._spans if s.id == span_id), None)
            if span is not None:
                c = QTextCursor(self.document())
                c.setPosition(span.start16)
                self.setTextCursor(c)
                self.centerCursor()
        self.viewport().update()

    def spans_at(self, pos16: int, own_only: bool = True) -> list[PaintSpan]:
        """Spans containing the character at ``pos16``, innermost first."""
        hi = bisect_left(self._starts, pos16 + 1)
        lo = bisect_left(self._starts, pos16 - self._max_len)
        hits = [
            s
            for s in self._spans[lo:hi]
            if s.start16 <= pos16 < s.end16 and (s.own or not own_only)
        ]
        return sorted(hits, key=lambda s: (s.end16 - s.start16, s.start16, s.id))

    def char_at(self, point: QPoint) -> int | None:
        """UTF-16 position of the character under a viewport point (None off the text).

        In a right-to-left or mixed line this is the character whose glyph is under the
        point (its logical position), whatever the direction of its run.
        """
        cursor = self.cursorForPosition(point)
        block = cursor.block()
        layout = block.layout()
        if layout is None:
            return None
        top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
        y = point.y() - top
        # The cursor's position ends one line and starts the next: take the line at y.
        i = layout.lineForTextPosition(cursor.position() - block.position()).lineNumber()
        line = None
        for k in (i, i - 1, i + 1):
            cand = layout.lineAt(k) if 0 <= k < layout.lineCount() else None
            if cand is not None and cand.y() <= y <= cand.y() + cand.height():
                line = cand
                break
        if line is None:
            return None
        x = point.x() - self.contentOffset().x()
        local = line.xToCursor(x, QTextLine.CursorPosition.CursorOnCharacter)
        bpos = block.position()
        if self._may_reorder(block):
            # In a right-to-left run Qt answers the position after the glyph's character,
            # and at a change of direction one further away: take the character whose
            # glyph is under the point, looking outwards from Qt's answer (a click is rare).
            first, end = line.textStart(), line.textStart() + line.textLength()
            near = sorted(range(first, end), key=lambda c: (abs(c - local + 0.5), c))
            local = next(
                (
                    c
                    for c in near
                    if any(x1 <= x < x2 for x1, x2 in self._glyph_extents(line, c, c + 1, True))
                ),
                -1,
            )
            if local < 0:
                return None
        if local >= block.length() - 1:
            return None
        return bpos + local

    # -- mouse ----------------------------------------------------------------

    def mousePressEvent(self, e: QMouseEvent) -> None:
        if (
            e.button() == Qt.MouseButton.LeftButton
            and self._last_dbl.isValid()
            and self._last_dbl.elapsed() < QApplication.doubleClickInterval()
            and (e.position().toPoint() - self._dbl_pos).manhattanLength()
            <= QApplication.startDragDistance()
        ):
            self._last_dbl.invalidate()
            self._triple = True
            self.setTextCursor(self.cursorForPosition(e.position().toPoint()))
            self.select_sentence()
            e.accept()
            return
        self._triple = False
        self._press_pos = e.position().toPoint()
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:
        if self._triple:
            e.accept()
            return
        super().mouseMoveEvent(e)

    def mouseDoubleClickEvent(self, e: QMouseEvent) -> None:
        if e.button() != Qt.MouseButton.LeftButton:
            return super().mouseDoubleClickEvent(e)
        self._last_dbl.start()
        self._dbl_pos = e.position().toPoint()
        self._press_pos = None
        pos16 = self.char_at(e.position().toPoint())
        tok = self.tokenization()
        if pos16 is None or tok is None:
            return
        i = tok.token_index_at(self._map.to_codepoint(pos16))
        if i is not None and i not in tok.space_tokens:
            self.select_cp(tok.token_starts[i], tok.token_ends[i], ensure_visible=False)
            self.select_span(None)
            self.spanClicked.emit(None)
        e.accept()

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:
        super().mouseReleaseEvent(e)
        if e.button() != Qt.MouseButton.LeftButton:
            return
        if self._triple:
            self._triple = False
            return
        press, self._press_pos = self._press_pos, None
        if self.textCursor().hasSelection():
            if self._selected is not None:
                self.select_span(None)
                self.spanClicked.emit(None)
            if not e.modifiers() & Qt.KeyboardModifier.AltModifier:
                self.snap_selection()
            return
        if press is None:
            return
        pos16 = self.char_at(e.position().toPoint())
        hits = self.spans_at(pos16) if pos16 is not None else []
        if not hits:
            new = None
        else:
            ids = [s.id for s in hits]
            # Clicking again on a span cycles through the spans stacked at that point.
            new = (
                ids[(ids.index(self._selected) + 1) % len(ids)] if self._selected in ids else ids[0]
            )
        if new != self._selected:
            self.select_span(new)
            self.spanClicked.emit(new)

    # -- keyboard ---------------------------------------------------------------

    def event(self, e) -> bool:
        if isinstance(e, QKeyEvent) and e.type() == QKeyEvent.Type.KeyPress:
            mods = e.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
            if e.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and not mods:
                back = e.key() == Qt.Key.Key_Backtab or bool(
                    e.modifiers() & Qt.KeyboardModifier.ShiftModifier
                )
                self.nextSpanRequested.emit(-1 if back else 1)
                return True
        return super().event(e)

    def _emit_selection(self) -> None:
        sel = self.selection_cp()
        self.selectionInfo.emit(*(sel or (-1, -1)))

    # -- painting ---------------------------------------------------------------

    def _visible_blocks(self, bottom: float) -> list[tuple]:
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        out = []
        while block.isValid():
            geom = self.blockBoundingGeometry(block).translated(offset)
            if geom.top() > bottom:
                break
            if block.isVisible():
                out.append((block, geom))
            block = block.next()
        return out

    def _span_rects(self, span: PaintSpan, blocks: list[tuple]) -> list[QRectF]:
        rects = []
        for block, geom in blocks:
            bpos = block.position()
            bend = bpos + block.length() - 1
            if span.end16 <= bpos or span.start16 > bend:
                continue
            s = max(span.start16, bpos) - bpos
            t = min(span.end16, bend) - bpos
            layout = block.layout()
            reorder = self._may_reorder(block)
            for i in range(layout.lineCount()):
                line = layout.lineAt(i)
                ls = line.textStart()
                le = ls + line.textLength()
                if le <= s or ls >= t:
                    continue
                a, b = max(s, ls), min(t, le)
                top, height = geom.top() + line.y(), line.height()
                for x1, x2 in self._glyph_extents(line, a, b, reorder):
                    rects.append(QRectF(geom.left() + x1, top, x2 - x1, height))
        return rects

    def _may_reorder(self, block) -> bool:
        """Whether ``block`` can hold a right-to-left run (asked once per paragraph)."""
        n = block.blockNumber()
        known = self._reorders.get(n)
        if known is None:
            pos = block.position()
            lo = self._map.to_codepoint(pos)
            hi = self._map.to_codepoint(pos + block.length() - 1, round_up=True)
            known = self._reorders[n] = MAYBE_RTL.search(self._text, lo, hi) is not None
        return known

    def _glyph_extents(self, line, a: int, b: int, reorder: bool) -> list[tuple[float, float]]:
        """The x extents (left, right) of the glyphs of block positions ``a``..``b`` on ``line``.

        In a paragraph without a character that can start a right-to-left run (not
        ``reorder``), the glyphs stand in logical order and the two cursor positions bound
        them. Otherwise a logical range can be several visual pieces (bidi runs), and a
        cursor at a change of direction belongs to either run: Qt's glyph runs for the
        range give each piece as the selection highlight covers it.
        """
        if not reorder:
            x1 = line.cursorToX(a)[0]
            x2 = line.cursorToX(b)[0]
            return [(min(x1, x2), max(x1, x2))] if x2 != x1 else []
        pieces = sorted(
            (r.left(), r.right())
            for r in (run.boundingRect() for run in line.glyphRuns(a, b - a))
            if r.width() > 0
        )
        merged: list[tuple[float, float]] = []
        for x1, x2 in pieces:  # runs of one piece (fonts, duplicates) become one rectangle
            if merged and x1 <= merged[-1][1] + 0.01:
                merged[-1] = (merged[-1][0], max(merged[-1][1], x2))
            else:
                merged.append((x1, x2))
        return merged

    def paintEvent(self, e: QPaintEvent) -> None:
        visible: list[tuple[PaintSpan, list[QRectF]]] = []
        if self._spans:
            blocks = self._visible_blocks(e.rect().bottom())
            if blocks:
                a = blocks[0][0].position()
                last = blocks[-1][0]
                b = last.position() + last.length()
                lo = bisect_left(self._starts, a - self._max_len)
                hi = bisect_left(self._starts, b)
                for span in self._spans[lo:hi]:
                    if span.end16 > a:
                        rects = self._span_rects(span, blocks)
                        if rects:
                            visible.append((span, rects))
        if visible:
            p = QPainter(self.viewport())
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(Qt.PenStyle.NoPen)
            for span, rects in visible:  # light opaque fills, under the text
                if span.own:
                    fill, band = self.span_colors(span.label, span.color)
                    hatch = QColor(band)
                    hatch.setAlpha(150)
                    for r in rects:
                        p.setBrush(fill)  # as fillRect (no pen), which makes PySide create
                        p.drawRect(r)  # its QGradient class (~3 ms) at the first paint
                        if span.unsaved:  # not saved yet: hatched
                            p.fillRect(r, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
            for span, rects in visible:  # one band per span, below the line, in rows
                band = self.span_colors(span.label, span.color)[1]
                row = self._rows.get(span.id, 0)
                if span.own and span.unsaved:
                    pen = QPen(band, BAND_H, Qt.PenStyle.DashLine)
                    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
                    p.setPen(pen)
                    for r in rects:
                        y = band_top(r.bottom(), row) + BAND_H / 2
                        p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
                    p.setPen(Qt.PenStyle.NoPen)
                elif span.own:
                    p.setBrush(band)
                    for r in rects:
                        p.drawRect(QRectF(r.left(), band_top(r.bottom(), row), r.width(), BAND_H))
                else:
                    pen = QPen(band, 1.6, Qt.PenStyle.DashLine)
                    p.setPen(pen)
                    for r in rects:
                        y = band_top(r.bottom(), row) + BAND_H / 2
                        # whole pixels, as PySide6 made of floats before (the same image)
                        p.drawLine(int(r.left()), int(y), int(r.right()), int(y))
                    p.setPen(Qt.PenStyle.NoPen)
            p.end()
        super().paintEvent(e)
        if self._sugg:
            self._paint_suggestions(e)
        if self._selected is not None:
            sel = next(((s, r) for s, r in visible if s.id == self._selected), None)
            if sel is not None:
                p = QPainter(self.viewport())
                p.setRenderHint(QPainter.RenderHint.Antialiasing)
                band = self.span_colors(sel[0].label, sel[0].color)[1]
                p.setPen(QPen(band.darker(135), 1.6))
                p.setBrush(Qt.BrushStyle.NoBrush)
                for r in sel[1]:
                    p.drawRoundedRect(r.adjusted(-1.5, -0.5, 1.5, 0.5), 3, 3)
                p.end()
