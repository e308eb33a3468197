"""Right-to-left paragraphs: each laid out in its own direction, selected, labelled and
painted exactly (issue 12, point 5).

The article (tests/gui/rtl_article.txt) has Arabic, Persian and Hebrew paragraphs with
Latin words, digits, an emoji (two UTF-16 units) and a zero-width non-joiner, and one
English paragraph. Alignment and span painting are checked on real pixels; selections
are made with real mouse and key events and checked in the database.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import drag_select, point_at, point_on_char
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication

from annotator.corpus import RawDocument
from annotator.gui.article_view import PARAGRAPH_ALIGNMENT, ArticleView, PaintSpan
from annotator.gui.bidi import MAYBE_RTL, may_have_rtl, paragraph_direction
from annotator.ingest import import_documents
from annotator.store import Store

K = Qt.Key
M = Qt.KeyboardModifier
ARTICLE = (Path(__file__).parent / "rtl_article.txt").read_text(encoding="utf-8").strip()
SEED_004 = "004_d183ca2af072faf2.txt"


# -- the pure rules -------------------------------------------------------------------


def test_every_character_that_can_start_a_right_to_left_run_is_flagged():
    rtl_classes = {"R", "AL", "AN", "RLE", "RLO", "RLI", "FSI"}
    missed = [
        hex(cp)
        for cp in range(sys.maxunicode + 1)
        if unicodedata.bidirectional(chr(cp)) in rtl_classes and not MAYBE_RTL.match(chr(cp))
    ]
    assert missed == []
    assert not may_have_rtl("Plain English, 2025 figures: 5% (and é, 😀, \u2066x\u2069).")
    assert may_have_rtl("NATO في 2025") and may_have_rtl("x\u202ey") and may_have_rtl("٣")


def test_paragraph_direction_literal_cases():
    assert paragraph_direction("") == "ltr"
    assert paragraph_direction("123, (45) ...") == "ltr"  # no strong character: P3
    assert paragraph_direction("2025 قمة NATO") == "rtl"
    assert paragraph_direction("NATO قمة") == "ltr"
    assert paragraph_direction("\u2067NATO\u2069 قمة") == "rtl"  # the isolate is skipped
    assert paragraph_direction("\u2067NATO قمة") == "ltr"  # ... up to its PDI only
    assert paragraph_direction("« שלום »") == "rtl"


BIDI_ALPHABET = "aZé קשמ عربي فا 12٣۴%,.()«»\u200c\u200f\u2066\u2067\u2068\u2069\u202b\u202c\x1c😀"


def qt_lays_out_right_to_left(text: str) -> bool | None:
    """Whether Qt (the view's text option) right-aligns ``text``; None when it has no width."""
    layout = QTextLayout(text, QFont("DejaVu Serif"))
    opt = QTextOption()
    opt.setAlignment(PARAGRAPH_ALIGNMENT)
    opt.setTextDirection(Qt.LayoutDirection.LayoutDirectionAuto)
    layout.setTextOption(opt)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(4000)
    layout.endLayout()
    if line.naturalTextWidth() < 1:
        return None
    xs = [line.cursorToX(i)[0] for i in range(len(text.encode("utf-16-le")) // 2 + 1)]
    return min(xs) > 2000


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=BIDI_ALPHABET, max_size=14))
@example("\u2067abc\u2069 عربي")
@example("\x1cعربي")
@example("12 ٣ abc")
def test_paragraph_direction_is_the_direction_qt_lays_the_paragraph_out_in(qapp, text):
    qt = qt_lays_out_right_to_left(text)
    if qt is not None:
        assert (paragraph_direction(text) == "rtl") == qt


# -- pixels ----------------------------------------------------------------------------


def pixels(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_RGB32)
    h, w = img.height(), img.width()
    raw = np.frombuffer(img.constBits(), np.uint8).reshape(h, img.bytesPerLine())
    return raw[:, : w * 4].reshape(h, w, 4)[:, :, :3].astype(int)


def grab(view) -> np.ndarray:
    view.viewport().update()
    return pixels(view.viewport().grab().toImage())


def runs(columns) -> list[tuple[int, int]]:
    """Sorted columns as [first, last] runs (gaps of one antialiased column closed)."""
    out: list[list[int]] = []
    for x in columns:
        if out and x <= out[-1][1] + 2:
            out[-1][1] = x
        else:
            out.append([x, x])
    return [(a, b) for a, b in out]


def line_boxes(view, block) -> list[tuple[int, int, float, float]]:
    """Viewport rows (top, bottom) and text-area x (left, right) of each line of ``block``."""
    geom = view.blockBoundingGeometry(block).translated(view.contentOffset())
    layout = block.layout()
    out = []
    for i in range(layout.lineCount()):
        line = layout.lineAt(i)
        top = int(geom.top() + line.y())
        x0 = view.contentOffset().x() + line.x()
        out.append((top, int(top + line.height()), x0, x0 + line.width()))
    return out


def ink_columns(img: np.ndarray, top: int, bottom: int) -> list[int]:
    band = img[top + 1 : bottom - 1]
    return list(np.nonzero((band < 140).any(axis=2).any(axis=0))[0])


def changed_columns(a: np.ndarray, b: np.ndarray, top: int, bottom: int) -> list[int]:
    band = (a[top + 1 : bottom - 1] != b[top + 1 : bottom - 1]).any(axis=2)
    return list(np.nonzero(band.any(axis=0))[0])


def blocks_of(view):
    block = view.document().begin()
    while block.isValid():
        yield block
        block = block.next()


def assert_aligned_in_own_direction(view, block) -> str:
    """Check one paragraph's first line on screen; returns its direction."""
    img = grab(view)
    top, bottom, left, right = line_boxes(view, block)[0]
    ink = ink_columns(img, top, bottom)
    assert ink, block.text()
    direction = paragraph_direction(block.text())
    line = block.layout().lineAt(0)
    single = block.layout().lineCount() == 1 and line.naturalTextWidth() < line.width() - 100
    if direction == "rtl":
        assert abs(ink[-1] - right) <= 4, (block.text(), ink[-1], right)  # first glyph: right edge
        if single:
            assert ink[0] - left > 60, block.text()  # not filling the line from the left
    else:
        assert abs(ink[0] - left) <= 4, (block.text(), ink[0], left)
        if single:
            assert right - ink[-1] > 60, block.text()
    return direction


# -- the view ----------------------------------------------------------------------------


@pytest.fixture
def view(qtbot):
    v = ArticleView()
    qtbot.addWidget(v)
    v.resize(900, 560)
    v.setCursorWidth(0)  # no caret in the pixels compared
    v.show()
    qtbot.waitExposed(v)
    v.set_document(ARTICLE, lambda: None)
    qtbot.wait(20)
    return v


def test_each_paragraph_is_aligned_in_its_own_direction(view):
    directions = [
        assert_aligned_in_own_direction(view, b) for b in blocks_of(view) if b.text().strip()
    ]
    assert directions == ["rtl", "ltr", "rtl", "rtl", "rtl"]
    # Not stretched: a wrapped left-to-right line keeps its natural word spacing (every
    # caret where a plain left-aligned layout of the same text puts it).
    view.resize(420, 760)
    view.set_document(ARTICLE, lambda: None)
    english = next(b for b in blocks_of(view) if b.text().startswith("The alliance"))
    line = english.layout().lineAt(0)
    assert english.layout().lineCount() > 1
    plain = QTextLayout(english.text(), view.font())
    plain.beginLayout()
    ref = plain.createLine()
    ref.setLineWidth(line.width())
    plain.endLayout()
    assert ref.textLength() == line.textLength()
    for i in range(line.textLength() + 1):
        assert line.cursorToX(i)[0] - line.x() == pytest.approx(ref.cursorToX(i)[0], abs=0.01)
    assert_aligned_in_own_direction(view, english)
    long_arabic = list(blocks_of(view))[-1]
    assert long_arabic.layout().lineCount() > 2
    img = grab(view)
    for top, bottom, _left, right in line_boxes(view, long_arabic):
        assert abs(ink_columns(img, top, bottom)[-1] - right) <= 4  # every line right-aligned


def test_a_right_to_left_desktop_does_not_turn_every_paragraph_around(view, qtbot):
    view.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    qtbot.wait(20)
    view.set_document(ARTICLE, lambda: None)
    directions = [
        assert_aligned_in_own_direction(view, b) for b in blocks_of(view) if b.text().strip()
    ]
    assert directions == ["rtl", "ltr", "rtl", "rtl", "rtl"]


SPAN_CASES = [
    "حلف NATO سيعقد",  # right-to-left, a Latin word, right-to-left again
    "ATO سيع",  # from inside the Latin word into the Arabic one
    "025 بمشا",  # from inside a number into a word
    "TO ביו",  # the same in Hebrew
    "في 2025 بمشاركة 32",  # digits inside Arabic
    "دولة 🌍 وأضاف",  # an emoji: two UTF-16 units
    "IRNA، نشست",  # Persian
    "می‌شود و ۳۲",  # a zero-width non-joiner, Persian digits
    "NATO ביום שלישי, 12",  # Hebrew
    "תקציב של 2%",
    "32 members would",  # the English paragraph
    "الإنفاق الدفاعي، إذ تطالب الولايات المتحدة الأعضاء برفعه إلى 5% من الناتج المحلي",
    "لا يحتاج",  # a lam-alef ligature at the span's start
]


@pytest.mark.parametrize("part", SPAN_CASES)
def test_painted_span_covers_exactly_the_glyphs_of_its_characters(view, qtbot, part):
    """Where a span's fill is painted is where Qt highlights the same characters when
    they are selected: compared on real pixels, line by line."""
    start = ARTICLE.index(part)
    end = start + len(part)
    s16, e16 = view.offsets.range_to_utf16(start, end)
    view.select_cp(start, end)
    view.clear_selection()
    qtbot.wait(10)
    boxes = [
        box
        for b in blocks_of(view)
        if b.position() <= e16 and b.position() + b.length() > s16
        for box in line_boxes(view, b)
    ]
    base = grab(view)
    view.set_spans([PaintSpan(1, s16, e16, "label", QColor("#3b7dd8"), 0)])
    painted = grab(view)
    view.set_spans([])
    view.select_cp(start, end, ensure_visible=False)
    selected = grab(view)
    view.clear_selection()
    covered = 0
    for top, bottom, _l, _r in boxes:
        want = runs(changed_columns(base, selected, top, bottom))
        got = runs(changed_columns(base, painted, top, bottom))
        assert len(got) == len(want), (part, top, got, want)
        for (a, b), (c, d) in zip(got, want, strict=True):
            assert abs(a - c) <= 1 and abs(b - d) <= 1, (part, top, got, want)
        covered += len(want)
    assert covered >= 1


# -- the window: mouse, keys, database --------------------------------------------------


@pytest.fixture
def rtl_doc(db) -> int:
    with Store(db) as s:
        report = import_documents(s, [RawDocument(ARTICLE, "rtl.txt", {"title": "RTL"})])
    return report.added[0]


def spans_of(reader, doc_id):
    text = reader.document(doc_id).text
    return [text[s.start : s.end] for s in reader.spans(doc_id, "alice")]


def test_mouse_drag_in_a_right_to_left_paragraph_labels_exactly_the_words_seen(
    qtbot, open_window, rtl_doc, reader
):
    w = open_window()
    w.open_document(rtl_doc)
    view = w.view
    text = reader.document(rtl_doc).text
    assert text == ARTICLE
    a, b = text.index("حلف"), text.index("سيعقد")
    # From inside the first word to inside the third, across the Latin word between: the
    # selection snaps to the three whole words on release.
    drag_select(qtbot, view, point_on_char(view, a + 1), point_on_char(view, b + 2))
    assert view.selection_cp() == (a, b + len("سيعقد"))
    qtbot.keyClick(view, K.Key_1)
    assert spans_of(reader, rtl_doc) == ["حلف NATO سيعقد"]
    # Alt keeps the exact characters: the caret positions dragged between, after the emoji.
    # A caret's pixel is rounded from a fractional glyph edge, so at some widths Qt's own
    # hit test puts an end on the neighbouring caret; what must hold is that the selection
    # is not snapped and that exactly the selected code points are stored.
    c = text.index("وأضاف")
    drag_select(qtbot, view, point_at(view, c + 1), point_at(view, c + 4), M.AltModifier)
    sa, sb = view.selection_cp()
    assert abs(sa - (c + 1)) <= 1 and abs(sb - (c + 4)) <= 1 and (sa, sb) != (c, c + 5)
    qtbot.keyClick(view, K.Key_2)
    assert sorted(spans_of(reader, rtl_doc)) == sorted(["حلف NATO سيعقد", text[sa:sb]])
    # Hebrew, dragged from left to right on screen (from its logical end to its start).
    h = text.index("הממשלה")
    drag_select(qtbot, view, point_on_char(view, h + len("הממשלה") - 2), point_on_char(view, h + 1))
    assert view.selection_cp() == (h, h + len("הממשלה"))


def test_double_click_on_a_right_to_left_word_selects_that_word(
    qtbot, open_window, rtl_doc, reader
):
    w = open_window()
    w.open_document(rtl_doc)
    view = w.view
    text = reader.document(rtl_doc).text
    for word in ("برگزار", "שלישי", "وأضاف", "الخارجية"):
        pt = point_on_char(view, text.index(f" {word}") + 3)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier, pt)
        s, e = view.selection_cp()
        assert text[s:e] == word
        qtbot.wait(QApplication.doubleClickInterval() + 20)  # not a triple click


def test_double_click_on_the_last_glyph_of_a_wrapped_right_to_left_line(
    qtbot, open_window, rtl_doc, reader
):
    """The far left of a right-to-left line is its logical end, where the caret position
    also starts the next line: the click still finds the word under the mouse."""
    w = open_window()
    w.resize(700, 700)
    w.open_document(rtl_doc)
    view = w.view
    text = reader.document(rtl_doc).text
    block = list(blocks_of(view))[-1]
    layout = block.layout()
    assert layout.lineCount() > 1
    line = layout.lineAt(0)
    last = line.textStart() + line.textLength() - 1
    while block.text()[last] == " ":
        last -= 1
    glyph = line.glyphRuns(last, 1)[0].boundingRect()
    geom = view.blockBoundingGeometry(block).translated(view.contentOffset())
    pt = QPointF(glyph.left() + 1.5, geom.top() + line.y() + line.height() / 2).toPoint()
    pt.setX(pt.x() + int(view.contentOffset().x()))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier, pt)
    cp = view.offsets.to_codepoint(block.position() + last)
    sel = view.selection_cp()
    assert sel is not None and sel[0] <= cp < sel[1], (text[cp], sel)
    assert " " not in text[sel[0] : sel[1]]


def test_a_click_hits_the_character_whose_glyph_is_under_the_mouse(
    qtbot, open_window, rtl_doc, reader
):
    w = open_window()
    w.open_document(rtl_doc)
    view = w.view
    text = reader.document(rtl_doc).text
    for word in ("وزير", "ביום", "NATO", "الخارجية"):
        k = text.index(word)
        for i in range(k + 1, k + len(word) - 1):  # inside the word: one run around it
            assert view.char_at(point_on_char(view, i)) == view.offsets.to_utf16(i), (word, i)
    k = text.index("وزير")
    view.select_cp(k, k + 4)
    qtbot.keyClick(view, K.Key_1)
    [span] = reader.spans(rtl_doc, "alice")
    view.select_span(None)
    click = lambda cp: qtbot.mouseClick(  # noqa: E731
        view.viewport(), Qt.MouseButton.LeftButton, M.NoModifier, point_on_char(view, cp)
    )
    click(k - 1)  # the space before the word: just right of its first glyph
    assert view.selected_span is None
    click(k)  # the word's first letter, its rightmost glyph
    assert view.selected_span == span.id
    view.select_span(None)
    click(k + 4)  # the space after it, on its left
    assert view.selected_span is None
    click(k + 3)
    assert view.selected_span == span.id


def test_arrow_keys_move_the_caret_in_the_paragraphs_direction(qtbot, open_window, rtl_doc, reader):
    w = open_window()
    w.open_document(rtl_doc)
    view = w.view
    text = reader.document(rtl_doc).text
    k = text.index("وزير")
    view.select_cp(k, k)
    x0 = view.cursorRect().center().x()
    qtbot.keyClick(view, K.Key_Left)  # towards the end of a right-to-left paragraph
    assert view.cursor_cp() == k + 1
    assert view.cursorRect().center().x() < x0
    for _ in range(3):
        qtbot.keyClick(view, K.Key_Left, M.ShiftModifier)
    s, e = view.selection_cp()
    assert (s, e) == (k + 1, k + 4)
    qtbot.keyClick(view, K.Key_Right)
    view.select_cp(k, k)
    qtbot.keyClick(view, K.Key_Right)  # back towards its start
    assert view.cursor_cp() == k - 1
    e = text.index("alliance")
    view.select_cp(e, e)
    qtbot.keyClick(view, K.Key_Right)  # a left-to-right paragraph: as before
    assert view.cursor_cp() == e + 1


def test_seed_004_shows_its_arabic_lines_right_aligned(qtbot, open_window, doc_ids):
    w = open_window()
    w.open_document(doc_ids[SEED_004])
    view = w.view
    qtbot.wait(20)
    first = view.document().begin()
    assert paragraph_direction(first.text()) == "rtl"
    assert assert_aligned_in_own_direction(view, first) == "rtl"
    english = next(b for b in blocks_of(view) if b.text().strip() and b.blockNumber() > 0)
    assert assert_aligned_in_own_direction(view, english) == "ltr"
    later = [b for b in blocks_of(view) if paragraph_direction(b.text()) == "rtl"]
    assert len(later) >= 5
    for b in later[1:]:
        c = w.view.textCursor()
        c.setPosition(b.position())
        view.setTextCursor(c)
        view.ensureCursorVisible()
        qtbot.wait(10)
        assert assert_aligned_in_own_direction(view, b) == "rtl"


def test_layout_positions_follow_the_text_option(view):
    """The span geometry uses the lines Qt paints: glyph runs of the layout include its
    alignment (a guard for the pixel tests above)."""
    block = view.document().begin()
    line = block.layout().lineAt(0)
    first = line.glyphRuns(0, 1)[0].boundingRect()
    assert first.right() == pytest.approx(line.x() + line.width(), abs=1)
    assert QPointF(first.center()).x() > line.x() + line.width() / 2
