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
        assert selected == display_text(text[i:j]).replace("\u2029", "\n")


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
