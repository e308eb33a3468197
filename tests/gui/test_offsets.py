"""UTF-16 <-> code point conversion, checked against Python's own UTF-16 encoding and Qt."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QTextCursor, QTextDocument

from annotator.gui.offsets import OffsetMap, display_text

texts = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from("😀🎉🇺🇦𝔘\u00a0\u2028\n é"),
    ),
    max_size=60,
)


def u16len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@given(texts)
def test_round_trip_matches_utf16_encoding(text):
    m = OffsetMap(text)
    assert m.length16 == u16len(text)
    for i in range(len(text) + 1):
        j = m.to_utf16(i)
        assert j == u16len(text[:i])
        assert m.to_codepoint(j) == i
        assert m.to_codepoint(j, round_up=True) == i


@given(texts)
def test_positions_inside_a_surrogate_pair_widen_to_the_whole_character(text):
    m = OffsetMap(text)
    for i, ch in enumerate(text):
        if ord(ch) > 0xFFFF:
            inside = m.to_utf16(i) + 1
            assert m.to_codepoint(inside) == i
            assert m.to_codepoint(inside, round_up=True) == i + 1
            assert m.range_to_codepoint(inside, inside) == (i, i + 1)


def test_bmp_text_is_identity_without_work():
    m = OffsetMap("plain text, accents é and Arabic العالم\u00a0")
    assert m.identity and m.to_utf16(7) == 7 and m.to_codepoint(7) == 7


@settings(max_examples=60, deadline=None)
@given(texts)
@example("\u2029")
@example("\ufeff")  # PySide6 drops a leading U+FEFF on its way into Qt
@example("\ufeffab")
@example("a\ufeffb")
@example("\ufeff\ufeff\ufeffx\ufeff")
@example("\ufffeab")  # ... and byte-swaps a BMP string that starts with U+FFFE
@example("a\ufdd0b\ufdd1")  # Qt's frame markers
def test_qt_document_positions_agree(qapp, text):
    """The selection Qt reports for a UTF-16 range maps back to exactly text[i:j]."""
    doc = QTextDocument()
    doc.setPlainText(display_text(text))
    m = OffsetMap(text)
    assert doc.characterCount() - 1 == m.length16
    n = len(text)
    for i, j in {(0, n), (n // 3, n - n // 4), (n // 2, n)}:
        if i >= j:
            continue
        c = QTextCursor(doc)
        c.setPosition(m.to_utf16(i))
        c.setPosition(m.to_utf16(j), QTextCursor.MoveMode.KeepAnchor)
        assert m.range_to_codepoint(c.selectionStart(), c.selectionEnd()) == (i, j)
        # selectedText() uses U+2029 for line breaks (and a U+2029 in the text is one).
        selected = c.selectedText().replace("\u2029", "\n")
        assert selected == display_text(text)[i:j].replace("\u2029", "\n")


# What the article view must hold for a stored text, written out independently of
# display_text: one UTF-16 unit per unit, line breaks as paragraph breaks (U+2029 in
# selectedText; U+2028 stays), Qt's frame markers and a leading U+FEFF / U+FFFE replaced.
def shown(text: str) -> str:
    out = []
    for k, ch in enumerate(text):
        if ch in "\r\n\u2029":
            out.append("\u2029")
        elif ch in "\ufdd0\ufdd1":
            out.append("\ufffd")
        elif k == 0 and ch == "\ufeff":
            out.append("\u2060")
        elif k == 0 and ch == "\ufffe":
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def test_display_text_literal_cases():
    assert display_text("\ufeffab") == "\u2060ab"
    assert display_text("a\ufeffb\ufeff") == "a\ufeffb\ufeff"
    assert display_text("\ufeff\ufeff") == "\u2060\ufeff"
    assert display_text("\ufffeab\ufffe") == "\ufffdab\ufffe"
    assert display_text("\r\nx\ry\ufdd0\ufdd1") == "\n\nx\ny\ufffd\ufffd"
    assert display_text("") == ""


SPECIALS = "\ufeff\ufffe\u2028\u2029\x85\x00\r\n\u0301\U0001f600\ufdd0\ufdd1\xa0\u200b\u2060\ufffd"
first_chars = st.one_of(
    st.sampled_from(SPECIALS), st.characters(codec="utf-8", exclude_categories=("Cs",))
)


@settings(max_examples=80, deadline=None)
@given(first_chars, texts, st.sampled_from(SPECIALS))
@example("\ufeff", "ab", "\ufeff")
@example("\ufeff", "\ufeff", "\ufeff")
@example("\ufffe", "hello", "x")
@example("\ufffe", "\U0001f600", "x")
@example("\r", "\n\u2028\x85", "\x00")
@example("\u0301", "\ufdd0", "\U0001f600")
def test_article_view_holds_every_character_where_the_offsets_say(qapp, first, rest, mid):
    """The widget's text is the stored text, unit for unit: each stored character is
    found at the UTF-16 position OffsetMap gives for it, whatever it and its place are."""
    from annotator.gui.article_view import ArticleView

    text = first + rest[: len(rest) // 2] + mid + rest[len(rest) // 2 :]
    view = ArticleView()
    view.set_document(text, lambda: None)
    doc, m = view.document(), view.offsets
    assert doc.characterCount() - 1 == m.length16
    c = QTextCursor(doc)
    c.setPosition(0)
    c.setPosition(m.length16, QTextCursor.MoveMode.KeepAnchor)
    assert c.selectedText() == shown(text)
    for i in range(len(text)):
        view.select_cp(i, i + 1, ensure_visible=False)
        assert view.textCursor().selectedText() == shown(text)[i]
        assert view.selection_cp() == (i, i + 1)
    view.deleteLater()


def test_leading_bom_does_not_shift_a_selection_made_with_keys(qtbot):
    """Shift+End from the start selects the whole first line, in stored code points."""
    from PySide6.QtCore import Qt

    from annotator.gui.article_view import ArticleView

    text = "\ufeffZero width first.\nSecond line"
    view = ArticleView()
    qtbot.addWidget(view)
    view.set_document(text, lambda: None)
    view.show()
    qtbot.waitExposed(view)
    view.moveCursor(QTextCursor.MoveOperation.Start)
    qtbot.keyClick(view.viewport(), Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)
    assert view.selection_cp() == (0, text.index("\n"))


def test_every_bmp_character_keeps_its_place_in_qt(qapp):
    """Exhaustive over the BMP: alone at position 0, and all together in the middle of a
    text, every character takes exactly one position and shows as :func:`shown` says."""
    doc = QTextDocument()
    bmp = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    wrong = []
    for ch in bmp:
        doc.setPlainText(display_text(ch + "a"))
        c = QTextCursor(doc)
        c.setPosition(0)
        c.setPosition(2, QTextCursor.MoveMode.KeepAnchor)
        if doc.characterCount() != 3 or c.selectedText() != shown(ch + "a"):
            wrong.append(hex(ord(ch)))
    assert wrong == []
    for text in ("a" + "".join(bmp) + "b", "a" + "".join(map(chr, range(0x10000, 0x110000, 97)))):
        doc.setPlainText(display_text(text))
        m = OffsetMap(text)
        assert doc.characterCount() - 1 == m.length16
        c = QTextCursor(doc)
        c.setPosition(0)
        c.setPosition(m.length16, QTextCursor.MoveMode.KeepAnchor)
        assert c.selectedText() == shown(text)


def test_large_text_conversion_is_fast():
    import time

    text = ("word 😀 " * 150_000)[:1_000_000]
    t = time.perf_counter()
    m = OffsetMap(text)
    for i in range(0, len(text), 997):
        m.to_codepoint(m.to_utf16(i))
    assert time.perf_counter() - t < 1.0


def test_binding_none_refcount_leak_is_neutralised():
    """PySide6 6.12 on Python 3.11 drops a reference to None per void call (see _compat)."""
    import sys

    from PySide6.QtCore import QObject

    import annotator.gui  # noqa: F401 - applies the guard

    o = QObject()
    for _ in range(200_000):  # more than None's natural reference count
        o.setObjectName("x")
    assert sys.getrefcount(None) > 1000


LEAKY_BINDING = """
import ctypes, sys
from PySide6.QtCore import QObject

_orig = QObject.setObjectName
_decref = ctypes.pythonapi.Py_DecRef
_decref.argtypes = [ctypes.py_object]


def leaky(self, name):  # what PySide6 6.12 on CPython 3.11 does: None returned unreferenced
    _orig(self, name)
    _decref(None)


QObject.setObjectName = leaky
import annotator.gui

print("applied", annotator.gui.NONE_GUARD_APPLIED, flush=True)
o = QObject()
for _ in range(200_000):  # far more than None's natural reference count
    o.setObjectName("x")
print("survived", flush=True)
"""


def test_guard_detects_a_leaking_binding_and_keeps_the_process_alive(tmp_path):
    """With a binding that leaks None (simulated in a child process), importing the GUI
    applies the guard and 200 000 leaking calls do not kill the process; without the
    guard CPython < 3.12 aborts with "none_dealloc: deallocating None"."""
    import subprocess
    import sys

    script = tmp_path / "leaky.py"
    script.write_text(LEAKY_BINDING, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    needed = sys.version_info < (3, 12) and sys.implementation.name == "cpython"
    assert proc.stdout.split() == ["applied", str(needed), "survived"]


def test_an_article_starting_with_u_fffe_is_shown_and_labelled_as_stored(
    qtbot, open_window, db, reader
):
    """U+FFFE survives import (only U+FEFF is a byte-order mark to the core); the binding
    used to read it as a swapped BOM and show the whole article byte-swapped."""
    from gui_helpers import drag_select, point_on_char
    from PySide6.QtCore import Qt

    from annotator.corpus import RawDocument
    from annotator.ingest import import_documents
    from annotator.store import Store

    text = "\ufffeAllies meet in Seoul today.\nSecond line here."
    with Store(db) as s:
        [doc_id] = import_documents(s, [RawDocument(text, "swap.txt", {"title": "Swap"})]).added
    w = open_window()
    w.open_document(doc_id)
    view = w.view
    c = QTextCursor(view.document())
    c.setPosition(1)
    c.setPosition(view.offsets.length16, QTextCursor.MoveMode.KeepAnchor)
    assert c.selectedText() == text[1:].replace("\n", "\u2029")  # not byte-swapped
    a = text.index("Seoul")
    drag_select(qtbot, view, point_on_char(view, a + 1), point_on_char(view, a + 3))
    qtbot.keyClick(view, Qt.Key.Key_1)
    [span] = reader.spans(doc_id, "alice")
    assert text[span.start : span.end] == "Seoul"
