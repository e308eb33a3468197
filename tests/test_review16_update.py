"""``import --update`` attacked (issue 16 review): paragraphs that swap places, CRLF,
a byte-order mark, emoji and right-to-left texts, a gold span and suggestions on a
corrected document, the search index after an update."""

from __future__ import annotations

import pytest

from annotator.align import MOVED, align, carry


def test_the_example_hypothesis_found_a_span_whose_text_moves_to_the_end():
    old = "the the alliance alliance «ALPHA»  «ALPHA» "
    new = "t «ALPHA»  «ALPHA» the the alliance alliance"
    moved = carry(align(old, new), old, new, 26, 42)
    assert (moved.outcome, moved.start, moved.end) == (MOVED, 2, 18)


PARA_A = "Russia and Iran signed a pact that alarms the region.\n"
PARA_B = "Analysts doubt that the new partnership will last for long.\n"


@pytest.mark.parametrize("filler", [0, 400], ids=["short", "long"])
def test_swapped_paragraphs_keep_their_spans(filler):
    """Two paragraphs swap places: the alignment keeps one of them; the other's spans are
    found again where it was inserted (the long case goes through the line alignment)."""
    pad = "".join(f"Line {i} of the article stays as it was.\n" for i in range(filler))
    old = pad + PARA_A + PARA_B + pad
    new = pad + PARA_B + PARA_A + pad
    alignment = align(old, new)
    for para, word in ((PARA_A, "signed a pact"), (PARA_B, "doubt that")):
        start = old.index(para) + para.index(word)
        moved = carry(alignment, old, new, start, start + len(word))
        assert moved.outcome == MOVED
        assert moved.start == new.index(para) + para.index(word)
