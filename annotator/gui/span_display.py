"""A document's spans as the main window shows them: painted in the article (UTF-16
offsets, colour, band) and listed in the label panel (label, excerpt), own spans first."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QColor

from ..models import Span
from .article_view import PaintSpan
from .offsets import OffsetMap

NO_COLOR = QColor("#888888")  # a label the scheme no longer has
# (id, label, colour name, excerpt, own, coder, unsaved): ``label_panel.SpanRow``'s fields
Row = tuple[int, str, str, str, bool, str, bool]


def excerpt(text: str, span: Span) -> str:
    """The span's text on one line, cut at about 90 characters."""
    short = " ".join(text[span.start : min(span.end, span.start + 160)].split())
    if len(short) > 90 or span.end - span.start > 160:
        short = short[:88].rstrip() + "…"
    return short


def span_display(
    spans: Iterable[Span],
    text: str,
    offsets: OffsetMap,
    colors: dict[str, QColor],
    bands: dict[str, int],
    coder: str,
    unsaved: set[int],
) -> tuple[list[PaintSpan], list[Row]]:
    """What the view paints and the panel lists; ``coder``'s spans are the own ones."""
    paint, rows = [], []
    for s in spans:
        mine = s.coder == coder
        color = colors.get(s.label, NO_COLOR)
        s16, e16 = offsets.range_to_utf16(s.start, s.end)
        paint.append(
            PaintSpan(
                s.id, s16, e16, s.label, color, bands.get(s.label, 0), mine,
                s.coder, mine and s.id in unsaved,
            )
        )  # fmt: skip
        rows.append((s.id, s.label, color.name(), excerpt(text, s), mine, s.coder,
                     s.id in unsaved))  # fmt: skip
    starts = {p.id: p.start16 for p in paint}
    rows.sort(key=lambda r: (not r[4], starts[r[0]]))
    return paint, rows
