"""Span colours on real pixels: bands below the glyphs, fills readable and unlike the text
selection, labels unlike each other for every simulated colour vision (annotator/colours.py),
for the seed scheme and for a hostile one."""

from __future__ import annotations

from collections import Counter

import pytest
from gui_helpers import SIMPLE, drag_select, point_at
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QTextCursor
from PySide6.QtWidgets import QFrame

from annotator import colours as C
from annotator.corpus import RawDocument
from annotator.gui.article_view import LINE_ROOM
from annotator.ingest import import_documents
from annotator.scheme import parse_scheme
from annotator.store import Store

K, M = Qt.Key, Qt.KeyboardModifier

# Labels coloured like the default selection, pure yellow (invisible as a line on the
# page) and two greens nobody can tell apart.
HOSTILE_TOML = """name = "hostile"
version = 1
[[span_labels]]
name = "like_selection"
key = "1"
color = "#b9d4f7"
[[span_labels]]
name = "yellow"
key = "2"
color = "#ffff00"
[[span_labels]]
name = "green"
key = "3"
color = "#2ca02c"
[[span_labels]]
name = "same_green"
key = "4"
color = "#2ea12e"
"""

# (phrase, hotkey): overlapping spans on the first line of SIMPLE; each phrase has a
# descender (q, j, p, y) so the glyphs reach as low as they go.
SPANS = [("quick brown", K.Key_1), ("brown fox jumps", K.Key_2), ("jumps over the lazy", K.Key_3)]
ALONE = {  # a stretch of each span that no other span covers
    K.Key_1: "quick",
    K.Key_2: "fox",
    K.Key_3: "over the lazy",
}


def _rgb(c: QColor) -> C.RGB:
    return (c.red() / 255, c.green() / 255, c.blue() / 255)


def _line_box(view, cp: int) -> tuple[int, int]:
    """Top and bottom (exclusive) viewport rows of the text line holding ``cp``."""
    c = QTextCursor(view.document())
    c.setPosition(view.offsets.to_utf16(cp))
    r = view.cursorRect(c)
    return r.top(), r.top() + r.height()


def _x_range(view, phrase: str) -> range:
    i = SIMPLE.index(phrase)
    return range(point_at(view, i).x() + 2, point_at(view, i + len(phrase)).x() - 2)


def _mode(img: QImage, xs: range, ys: range) -> QColor:
    """The most common colour in a rectangle (the background behind the glyphs)."""
    counts = Counter(img.pixelColor(x, y).rgb() for x in xs for y in ys)
    return QColor.fromRgb(counts.most_common(1)[0][0])


def _ink_rows(img: QImage, xs: range, ys: range, text: QColor) -> list[int]:
    """Rows with a pixel of (nearly) the text's colour: where glyphs are drawn."""
    t = _rgb(text)
    out = []
    for y in ys:
        for x in xs:
            c = _rgb(img.pixelColor(x, y))
            if max(abs(a - b) for a, b in zip(c, t, strict=True)) < 0.16:
                out.append(y)
                break
    return out


def _rows_of(img: QImage, xs: range, ys: range, color: str) -> list[int]:
    """Rows painted (at least half across ``xs``) in ``color``: a band."""
    want = C.parse_hex(color)
    out = []
    for y in ys:
        hits = sum(
            C.delta_e_2000(C.srgb_to_lab(_rgb(img.pixelColor(x, y))), C.srgb_to_lab(want)) < 3
            for x in xs
        )
        if hits >= 0.5 * len(xs):
            out.append(y)
    return out


@pytest.fixture
def hostile_db(tmp_path):
    path = tmp_path / "hostile.db"
    with Store(path, parse_scheme(HOSTILE_TOML)) as store:
        import_documents(store, [RawDocument(SIMPLE, "simple.txt", {"title": "Simple"})])
    return path


def _label_three_overlapping_spans(qtbot, w) -> None:
    view = w.view
    for phrase, key in SPANS:
        i = SIMPLE.index(phrase)
        drag_select(qtbot, view, point_at(view, i), point_at(view, i + len(phrase)))
        assert view.selection_cp() == (i, i + len(phrase))
        qtbot.keyClick(view, key)
    qtbot.keyClick(view, K.Key_Escape)
    assert len(view.painted_spans) == 3


@pytest.mark.parametrize("scheme", ["seed", "hostile"])
def test_bands_lie_below_the_glyphs_and_colours_stay_apart(
    qtbot, open_window, doc_ids, hostile_db, scheme
):
    w = open_window(path=hostile_db if scheme == "hostile" else None)
    doc = doc_ids["Simple"] if scheme == "seed" else w.store.document_ids()[0]
    w.open_document(doc)
    view = w.view
    _label_three_overlapping_spans(qtbot, w)
    palette = w.scheme.palette()
    labels = [lab.name for lab in w.scheme.span_labels]
    by_key = {K.Key_1: labels[0], K.Key_2: labels[1], K.Key_3: labels[2]}
    qtbot.wait(20)
    img = view.viewport().grab().toImage()
    top, bottom = _line_box(view, 0)
    strip = range(top, bottom + int(LINE_ROOM))  # the line and the room under it
    text = QColor(C.TEXT)
    fills, bands = {}, {}
    for phrase, key in SPANS:
        paint = palette.paint(by_key[key])
        assert paint is not None
        xs = _x_range(view, phrase)
        ink = _ink_rows(img, xs, strip, text)
        band_rows = _rows_of(img, xs, strip, paint.band)
        assert ink and band_rows, (phrase, ink, band_rows)
        # The band is below every glyph (descenders included) and below the line's box:
        # nothing crosses the letters, so nothing looks struck through.
        assert min(band_rows) > max(ink), (phrase, band_rows, ink)
        assert min(band_rows) >= bottom
        bands[key] = _rgb(img.pixelColor(xs[len(xs) // 2], band_rows[0]))
        alone = _x_range(view, ALONE[key])
        fill = _mode(img, alone, range(top, bottom))
        assert fill.name() == paint.fill
        fills[key] = _rgb(fill)
        # Text on the fill: the darkest pixel (a glyph's core) against the fill, >= 4.5:1.
        darkest = min(
            (_rgb(img.pixelColor(x, y)) for x in alone for y in range(top, bottom)),
            key=C.relative_luminance,
        )
        assert C.contrast_ratio(darkest, fills[key]) >= 4.5
        assert C.contrast_ratio(bands[key], _rgb(QColor(C.PAGE))) >= 3.0
    # Overlapping spans get three rows, one below the other.
    rows = sorted(min(_rows_of(img, _x_range(view, "brown"), strip, palette.paint(n).band) or [0])
                  for n in labels[:2])  # fmt: skip
    assert rows[0] < rows[1]
    # Every pair of labels differs, for normal vision and simulated protanopia,
    # deuteranopia and tritanopia (Machado et al. 2009), in their bands.
    for a, b in [(K.Key_1, K.Key_2), (K.Key_1, K.Key_3), (K.Key_2, K.Key_3)]:
        assert C.least_difference(bands[a], bands[b])[0] >= C.LABEL_MIN_DE, (a, b)
    # A live selection: its pixels are far (CIEDE2000, every vision) from each fill and band.
    amused = SIMPLE.index("amused")
    drag_select(qtbot, view, point_at(view, amused), point_at(view, amused + 6))
    assert view.selection_cp() == (amused, amused + 6)
    qtbot.wait(20)
    img = view.viewport().grab().toImage()
    s_top, s_bottom = _line_box(view, amused)
    selection = _mode(img, _x_range(view, "amused"), range(s_top, s_bottom))
    assert selection.name() == palette.selection == view.selection_color.name()
    for key in fills:
        assert C.least_difference(_rgb(selection), fills[key])[0] >= C.SELECTION_MIN_DE
        assert C.least_difference(_rgb(selection), bands[key])[0] >= C.SELECTION_MIN_DE
    if scheme == "hostile":  # the selection moved away from its default blue ...
        assert palette.selection != C.DEFAULT_SELECTION
        # ... and the two greens were told apart, with a warning naming them
        assert any("'green' and 'same_green'" in line for line in w.scheme.colour_warnings())


def test_review_mode_paints_coder_bands_below_the_glyphs(qtbot, db, doc_ids):
    from annotator.gui.review import ReviewWindow

    doc = doc_ids["Simple"]
    q = SIMPLE.index("quick brown")
    with Store(db) as s:
        for coder, label in (
            ("ana", "alarmist"),
            ("ben", "alarmist"),
            ("cy", "policy_prescription"),
        ):
            s.add_coder(coder)
            s.add_span(doc, coder, q, q + len("quick brown"), label)
    store = Store(db)
    rw = ReviewWindow(store, doc)
    qtbot.addWidget(rw)
    rw.resize(1200, 800)
    rw.show()
    qtbot.waitExposed(rw)
    view = rw.view
    view.clear_selection()
    qtbot.wait(20)
    img = view.viewport().grab().toImage()
    top, bottom = _line_box(view, q)
    strip = range(top, bottom + int(LINE_ROOM))
    palette = rw.scheme.palette()
    xs = _x_range(view, "quick")
    ink = _ink_rows(img, xs, strip, QColor(C.TEXT))
    assert ink
    for label in ("alarmist", "policy_prescription"):
        paint = palette.paint(label)
        assert paint is not None
        band_rows = _rows_of(img, xs, strip, paint.band)
        assert band_rows and min(band_rows) > max(ink), (label, band_rows, ink)
    rw.close()
    store.close()


def test_overlapping_spans_take_rows_touching_ones_share_one():
    from annotator.gui.article_view import BAND_ROWS, PaintSpan, band_top, span_rows

    def ps(i, s, e):
        return PaintSpan(i, s, e, "alarmist", QColor("#d62728"), 0)

    # 1 holds 0-10; 2 touches it (starts at its end) and shares row 0; 3 nests in 2,
    # 4 in 3; 5 overlaps all three; 6 starts after everything ended.
    spans = [ps(1, 0, 10), ps(2, 10, 30), ps(3, 12, 20), ps(4, 14, 16), ps(5, 15, 40)]
    spans.append(ps(6, 40, 45))
    assert span_rows(spans) == {1: 0, 2: 0, 3: 1, 4: 2, 5: 3, 6: 0}
    # rows below the line's box, 3 px apart; deeper ones share the last row
    assert [band_top(100.0, r) for r in range(BAND_ROWS + 1)] == [101.0, 104.0, 107.0, 107.0]


@pytest.mark.parametrize("scheme", ["seed", "hostile"])
def test_the_codebook_cards_show_each_label_in_its_band_colour(
    qtbot, open_window, hostile_db, scheme
):
    """A label whose band was moved apart (the seed's policy green, made teal) or darkened
    (pure yellow) showed its raw scheme colour on its codebook card, so the card and the
    spans it makes disagreed; the card's bar is painted in the band's colour now."""
    from PySide6.QtWidgets import QFrame

    w = open_window(path=hostile_db if scheme == "hostile" else None)
    palette = w.store.scheme.palette()
    moved = 0
    for lab in w.store.scheme.span_labels:
        bar = w.panel.label_buttons[lab.name].findChild(QFrame, "labelBar")
        qtbot.waitUntil(lambda b=bar: b.isVisible())
        image = bar.grab().toImage()
        got = image.pixelColor(image.width() // 2, image.height() // 2).name()
        band = palette.paint(lab.name).band
        assert got == QColor(band).name(), (lab.name, got, band)
        moved += QColor(band).name() != QColor(lab.color).name()
    assert moved >= 1  # the comparison is not vacuous: some band differs from its colour


def test_the_label_cards_show_the_colours_the_article_paints(qtbot, open_window, hostile_db):
    """The label panel's cards carry each label's band colour (derived from the scheme,
    as the article and the span list paint it), not the scheme colour as written: pure
    yellow is invisible on the card and the two greens would look the same there."""
    w = open_window("alice", hostile_db)
    bands = {p.name: p.band for p in w.scheme.palette().labels}
    seen = {}
    for name, button in w.panel.label_buttons.items():
        img = button.grab().toImage()
        bar = button.findChild(QFrame, "labelBar")
        assert bar is not None
        c = bar.geometry().center()
        seen[name] = img.pixelColor(c.x(), c.y()).name()
    assert seen == bands
    assert len(set(seen.values())) == len(seen)
