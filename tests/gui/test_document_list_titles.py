"""Issue 12, point 9 (the window): with 200 similar headlines the document list shows
each title on two lines (elided at the end of the second) over where and when the
article appeared; it opens wider, filters by source and date too, and the keys still
move through it (real window, real files, a real SQLite file)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFont, QFontMetrics

from annotator.gui.document_list import COL_TITLE, META_ROLE, wrap_title
from annotator.ingest import import_paths
from annotator.store import Store

OUTLETS = ["Reuters", "Associated Press", "Yonhap", "Al Jazeera"]


def headline(i: int) -> str:
    return (
        f"Is a new alliance emerging as North Korea deepens military ties with Russia"
        f" and Iran? Experts divided, report {i}"
    )


@pytest.fixture
def corpus_db(tmp_path):
    """200 articles with headlines that differ only at their end."""
    path = tmp_path / "wire.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(200):
            meta = {"source": OUTLETS[i % 4], "date": f"2024-06-{1 + i % 28:02}T09:00:00Z"}
            if i % 4 == 3:
                meta = {"url": f"https://www.nknews.org/{i}"}
            fh.write(json.dumps({"text": f"{headline(i)}\n\nBody {i}.", "meta": meta}) + "\n")
    db = tmp_path / "corpus.db"
    with Store(db) as store:
        import_paths(store, [path])
    return db


def test_two_lines_elided_at_the_end_of_the_second(qapp):
    font = QFont()
    fm = QFontMetrics(font)
    width = fm.horizontalAdvance("Is a new alliance emerging as North Korea")
    lines = wrap_title(headline(7), font, width)
    assert len(lines) == 2
    assert all(fm.horizontalAdvance(line) <= width for line in lines)
    assert headline(7).startswith(lines[0]) and headline(7)[len(lines[0])] == " "  # a word break
    assert lines[1].endswith("…") and lines[1][:-1].strip() in headline(7)
    assert wrap_title("Short title", font, width) == ["Short title"]
    # two lines without elision when the title fits them
    both = wrap_title("North Korea deepens ties with Russia and Iran", font, width)
    assert " ".join(both) == "North Korea deepens ties with Russia and Iran"
    # an emoji (two UTF-16 units) before the break does not shift the cut
    emoji = wrap_title("😀 " + headline(1), font, width)
    assert emoji[0].startswith("😀 Is a new") and "\ufffd" not in "".join(emoji)


def test_the_list_shows_titles_on_two_lines_with_source_and_date(qtbot, open_window, corpus_db):
    w = open_window(path=corpus_db)
    w.resize(1366, 768)
    qtbot.waitUntil(lambda: w.doc_list.width() >= 330, timeout=3000)  # opens wider than 300
    view, proxy = w.doc_list.view, w.doc_list.proxy
    assert proxy.rowCount() == 200
    first = proxy.index(0, COL_TITLE)
    assert first.data() == headline(0)  # the display text stays the title
    assert first.data(META_ROLE) == "Reuters · 2024-06-01"
    assert proxy.index(3, COL_TITLE).data(META_ROLE) == "nknews.org"
    assert "Reuters · 2024-06-01" in first.data(Qt.ItemDataRole.ToolTipRole)
    # a row holds two title lines and the meta line
    fm = QFontMetrics(view.font())
    assert view.rowHeight(0) >= 2 * fm.lineSpacing() + 0.8 * fm.lineSpacing()
    # painted: ink on both title lines and on the meta line of the first row
    rect = view.visualRect(first)
    image = view.viewport().grab(rect).toImage()
    step = fm.lineSpacing()
    bands = [(4, 4 + step), (4 + step, 4 + 2 * step), (4 + 2 * step, rect.height() - 1)]

    def ink(top: int, bottom: int) -> int:
        base = image.pixelColor(QPoint(rect.width() - 2, 1)).lightness()
        return sum(
            abs(image.pixelColor(QPoint(x, y)).lightness() - base) > 80
            for y in range(top, bottom)
            for x in range(0, image.width(), 2)
        )

    assert all(ink(top, bottom) > 20 for top, bottom in bands), [ink(*b) for b in bands]


def test_filter_by_source_and_keys_still_move(qtbot, open_window, corpus_db):
    w = open_window(path=corpus_db)
    w.doc_list.filter.setFocus()
    qtbot.keyClicks(w.doc_list.filter, "yonhap")
    proxy = w.doc_list.proxy
    qtbot.waitUntil(lambda: proxy.rowCount() == 50, timeout=2000)
    assert {proxy.index(r, COL_TITLE).data(META_ROLE).split(" · ")[0] for r in range(50)} == {
        "Yonhap"
    }
    qtbot.keyClick(w.doc_list.filter, Qt.Key.Key_Down)  # into the list: opens the first
    first = proxy.index(0, 0).data(Qt.ItemDataRole.UserRole)
    qtbot.waitUntil(lambda: w.current_document_id() == first, timeout=2000)
    w.doc_list.view.setFocus()
    qtbot.keyClick(w.doc_list.view, Qt.Key.Key_Down)
    second = proxy.index(1, 0).data(Qt.ItemDataRole.UserRole)
    qtbot.waitUntil(lambda: w.current_document_id() == second, timeout=2000)
    w.doc_list.filter.clear()
    qtbot.keyClicks(w.doc_list.filter, "2024-06-05")
    qtbot.waitUntil(lambda: 0 < proxy.rowCount() < 20, timeout=2000)


def test_a_one_line_title_has_its_source_right_under_it_on_its_side(qtbot, open_window, tmp_path):
    """A short title used to leave a blank line between it and its source and date, and
    a right-to-left title had its source at the other edge of the row."""
    path = tmp_path / "short.jsonl"
    rows = [("Short title", "Reuters"), ("قمة الحلف في لاهاي", "Al Jazeera")]
    with path.open("w", encoding="utf-8") as fh:
        for title, source in rows:
            meta = {"title": title, "source": source, "date": "2024-11-21"}
            fh.write(json.dumps({"text": f"{title}\n\nBody.", "meta": meta}) + "\n")
    db = tmp_path / "short.db"
    with Store(db) as store:
        import_paths(store, [path])
    w = open_window(path=db)
    view, proxy = w.doc_list.view, w.doc_list.proxy
    fm = QFontMetrics(view.font())
    for row in range(2):
        index = proxy.index(row, COL_TITLE)
        rect = view.visualRect(index)
        image = view.viewport().grab(rect).toImage()
        base = image.pixelColor(QPoint(rect.width() - 2, 1)).lightness()
        inked = [
            (x, y)
            for y in range(image.height())
            for x in range(image.width())
            if abs(image.pixelColor(QPoint(x, y)).lightness() - base) > 80
        ]
        rows_inked = sorted({y for _x, y in inked})
        # the ink is in one block: title line, then the meta line, no empty line between
        gaps = [b - a for a, b in zip(rows_inked, rows_inked[1:], strict=False)]
        assert max(gaps) < fm.lineSpacing() * 0.8, (index.data(), gaps)
        meta_ink = [x for x, y in inked if y > rows_inked[0] + fm.lineSpacing()]
        if index.data().startswith("قمة"):  # right-to-left: its meta on the right too
            assert min(meta_ink) > rect.width() // 3, index.data()
        else:
            assert max(meta_ink) < rect.width() * 2 // 3, index.data()


@pytest.mark.parametrize("origin", ["الجزيرة", "\u202eevil outlet", "כאן חדשות"])
def test_a_right_to_left_source_does_not_reorder_the_date_beside_it(qapp, origin):
    """The meta line is drawn in a left-to-right line: an Arabic or Hebrew outlet (or a
    stray right-to-left override in the meta) must not pull the date into its run, where
    2024-06-19 would read 19-06-2024."""
    from PySide6.QtGui import QTextLayout

    from annotator.gui.document_list import meta_line
    from annotator.models import DocumentSummary

    line = meta_line(DocumentSummary(1, "t", "s.jsonl", 10, "new", 0, origin, "2024-06-19"))
    layout = QTextLayout(line, QFont("DejaVu Sans"))
    layout.beginLayout()
    text_line = layout.createLine()
    text_line.setLineWidth(4000)
    layout.endLayout()
    at = line.index("2024-06-19")
    xs = [text_line.cursorToX(i)[0] for i in range(at, at + len("2024-06-19") + 1)]
    assert xs == sorted(xs) and xs[0] < xs[-1]  # the date's characters left to right
    origin_xs = [text_line.cursorToX(i)[0] for i in range(line.index(origin[-1]) + 1)]
    assert max(origin_xs) <= xs[0] + 0.5  # ... after the source
