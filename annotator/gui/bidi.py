"""Paragraph direction and right-to-left runs, by the Unicode bidi rules (no Qt needed).

The article view lays out every paragraph in its own direction (Qt decides it from the
paragraph's text as :func:`paragraph_direction` does) and paints span rectangles
per bidi run only in lines that can have a right-to-left run (:func:`may_have_rtl`):
elsewhere the glyphs of a logical range sit left to right in one piece.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

# Characters that can make a run right to left: every code point of bidi class R, AL or AN
# lies in these blocks (all of them, assigned or not, default to R/AL), plus the controls
# RLM, RLE, RLO, RLI and FSI. A superset on purpose: a false "maybe" only costs time.
MAYBE_RTL = re.compile(
    "[\u0590-\u08ff\u200f\u202b\u202e\u2067\u2068\ufb1d-\ufdff\ufe70-\ufeff"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)

_ISOLATE_OPEN = frozenset(("LRI", "RLI", "FSI"))


def may_have_rtl(text: str) -> bool:
    """False when no character of ``text`` can start a right-to-left run.

    Then the Unicode bidi algorithm gives every character an even level in a
    left-to-right paragraph: the glyphs stand in logical order.
    """
    return MAYBE_RTL.search(text) is not None


def paragraph_direction(text: str) -> Literal["ltr", "rtl"]:
    """The paragraph's base direction by rules P2 and P3 of the Unicode bidi algorithm.

    The first character of class L, R or AL decides, skipping what lies between an isolate
    initiator (LRI, RLI, FSI) and its matching PDI; with none, the paragraph is left to
    right. ``text`` is one paragraph as the article view lays it out: the text between two
    line breaks (a character of class B inside it, such as U+001C, does not end it there).
    """
    depth = 0
    for ch in text:
        cls = unicodedata.bidirectional(ch)
        if cls in _ISOLATE_OPEN:
            depth += 1
        elif cls == "PDI":
            if depth:
                depth -= 1
        elif depth == 0:
            if cls == "L":
                return "ltr"
            if cls in ("R", "AL"):
                return "rtl"
    return "ltr"
