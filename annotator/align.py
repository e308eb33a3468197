"""Carrying spans from an article's old text onto its corrected text (``import --update``).

An engine: plain strings in, offsets out; no database. The alignment is character-level
(:func:`align`): the common head and tail are cut off, the middle is compared line by
line (a long line sentence by sentence, a long sentence in runs of words whose cuts its
content picks: an article scraped without line breaks is one line), and pieces that
differ are compared character by character, so a correction in a long article costs
about the size of the correction, not the square of the article.

A span is carried by mapping its first and last character through the alignment
(:func:`carry`): an insertion right before or right after a span stays outside it. The
outcome is

- ``unchanged``: same offsets, same text;
- ``moved``: its text is exactly the same, at new offsets;
- ``changed``: some of its characters survive but its text differs (the coder should
  look at it again);
- ``lost``: none of its characters survive (its text is gone).

Where the alignment is ambiguous (repeated characters), a span whose exact text still
occurs overlapping the mapped range is put on that occurrence, so a span whose text
survives is carried to exactly that text. A passage the alignment deleted and inserted
elsewhere (two paragraphs that swapped places: only one of them can be aligned) keeps its
spans: a span whose text occurs exactly once in the inserted text is moved there.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher

# Lines of a changed block longer than this (in characters, old and new together) are
# compared line by line only: the character comparison is quadratic in the worst case.
CHAR_DIFF_LIMIT = 20_000
# A changed middle (old and new together) up to this many characters is compared
# character by character as a whole; a longer one line by line first.
SMALL_MIDDLE = 20_000

UNCHANGED, MOVED, CHANGED, LOST = "unchanged", "moved", "changed", "lost"

# A line longer than this is compared sentence by sentence (an article scraped without
# line breaks is one line), and a sentence longer than this in runs of words, each ending
# at a word its content picks (so an insertion moves no boundary but its own: comparing
# word by word would be quadratic in a long text of few distinct words).
LONG_LINE = 1_000
MIN_RUN = 60
_SENTENCES = re.compile(r"[^.!?]*[.!?]+\s*|[^.!?]+")
_WORDS = re.compile(r"\s*\S+\s*|\s+")


class Alignment:
    """Equal blocks of an old and a new text: ``(old start, new start, length)``, sorted;
    every character outside them was deleted (old) or inserted (new)."""

    def __init__(self, blocks: list[tuple[int, int, int]], old_len: int, new_len: int):
        self.blocks = blocks
        self._starts = [b[0] for b in blocks]
        self.old_len = old_len
        self.new_len = new_len

    def _block_of(self, i: int) -> int:
        """Index of the last block starting at or before old position ``i`` (-1: none)."""
        return bisect_right(self._starts, i) - 1

    def kept(self, i: int) -> int | None:
        """Where old character ``i`` is in the new text, or None if it was removed."""
        k = self._block_of(i)
        if k >= 0:
            a, b, n = self.blocks[k]
            if i < a + n:
                return b + (i - a)
        return None

    def after(self, i: int) -> int:
        """Where the new text continues after old characters up to ``i`` (exclusive):
        the new position of the first kept character at or after ``i``, less any text
        inserted before it; used for a start whose character was removed."""
        k = self._block_of(i)
        if k >= 0:
            a, b, n = self.blocks[k]
            if i < a + n:
                return b + (i - a)
            return b + n  # just past the block that ended before i
        return 0

    def before(self, i: int) -> int:
        """The new position just after the last kept character before old position
        ``i`` (exclusive end): used for an end whose last character was removed."""
        return self.after(i)

    def inserted(self) -> list[tuple[int, int]]:
        """The ranges of the new text that no old character is aligned to (inserted)."""
        gaps = []
        at = 0
        for _, b, n in self.blocks:
            if b > at:
                gaps.append((at, b))
            at = b + n
        if self.new_len > at:
            gaps.append((at, self.new_len))
        return gaps

    def survivors(self, start: int, end: int) -> int:
        """How many of old characters ``[start, end)`` are kept."""
        total = 0
        k = max(self._block_of(start), 0)
        while k < len(self.blocks):
            a, _, n = self.blocks[k]
            if a >= end:
                break
            total += max(0, min(end, a + n) - max(start, a))
            k += 1
        return total


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    lo, hi = 0, n
    while lo < hi:  # binary search on slices: C speed for long equal heads
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, min(len(a), len(b)) - limit
    hi = max(hi, 0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def align(old: str, new: str) -> Alignment:
    """The character alignment of ``old`` and ``new`` (see the module's doc)."""
    head = _common_prefix(old, new)
    tail = _common_suffix(old, new, head)
    blocks: list[tuple[int, int, int]] = []
    if head:
        blocks.append((0, 0, head))
    mid_old = old[head : len(old) - tail]
    mid_new = new[head : len(new) - tail]
    if mid_old and mid_new:
        if len(mid_old) + len(mid_new) <= SMALL_MIDDLE:
            _align_chars(mid_old, mid_new, head, head, blocks)
        else:
            _align_lines(mid_old, mid_new, head, head, blocks)
    if tail:
        blocks.append((len(old) - tail, len(new) - tail, tail))
    return Alignment(_merged(blocks), len(old), len(new))


def _align_chars(
    old: str, new: str, at_old: int, at_new: int, out: list[tuple[int, int, int]]
) -> None:
    chars = SequenceMatcher(None, old, new, autojunk=False)
    for a, b, n in chars.get_matching_blocks():
        if n:
            out.append((at_old + a, at_new + b, n))


def _align_lines(
    old: str, new: str, at_old: int, at_new: int, out: list[tuple[int, int, int]]
) -> None:
    old_lines = _pieces(old)
    new_lines = _pieces(new)
    old_at = _line_starts(old_lines)
    new_at = _line_starts(new_lines)
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        o1, o2 = old_at[i1], old_at[i2]
        n1, n2 = new_at[j1], new_at[j2]
        if tag == "equal":
            out.append((at_old + o1, at_new + n1, o2 - o1))
        elif tag == "replace":
            _align_replaced(old[o1:o2], new[n1:n2], at_old + o1, at_new + n1, out)


def _align_replaced(
    old: str, new: str, at_old: int, at_new: int, out: list[tuple[int, int, int]]
) -> None:
    """Lines that differ: their common head and tail are kept as they are, the rest is
    compared character by character (unless it is too long for that)."""
    head = _common_prefix(old, new)
    tail = _common_suffix(old, new, head)
    if head:
        out.append((at_old, at_new, head))
    mid_old, mid_new = old[head : len(old) - tail], new[head : len(new) - tail]
    if mid_old and mid_new and len(mid_old) + len(mid_new) <= CHAR_DIFF_LIMIT:
        _align_chars(mid_old, mid_new, at_old + head, at_new + head, out)
    if tail:
        out.append((at_old + len(old) - tail, at_new + len(new) - tail, tail))


def _pieces(text: str) -> list[str]:
    """``text`` cut into the pieces the coarse alignment compares: its lines, a long line
    cut after each sentence, a long sentence after each word (joined, they are ``text``)."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        if len(line) <= LONG_LINE:
            out.append(line)
            continue
        for sentence in _SENTENCES.findall(line):
            if len(sentence) <= LONG_LINE:
                out.append(sentence)
            else:
                out.extend(_runs(sentence))
    return out


def _runs(sentence: str) -> list[str]:
    """``sentence`` cut after words chosen by their content alone, so an insertion moves
    no cut far from it: a word is a candidate when the CRC-32 of it and the word before
    is 0 modulo 8, and a candidate is a cut when no other candidate came in the
    ``MIN_RUN`` characters before it (short runs of frequent words would repeat, and
    comparing repeated pieces is quadratic); a run growing past ``LONG_LINE`` is cut."""
    out: list[str] = []
    run: list[str] = []
    size = 0
    pos = 0
    last = -MIN_RUN  # where the last candidate ended
    before = ""
    for word in _WORDS.findall(sentence):
        run.append(word)
        size += len(word)
        pos += len(word)
        key = f"{before} {word.strip()}".encode("utf-8", "surrogatepass")
        before = word.strip()
        cut = size > LONG_LINE
        if zlib.crc32(key) % 8 == 0:
            cut = cut or pos - len(word) - last >= MIN_RUN
            last = pos
        if cut:
            out.append("".join(run))
            run, size = [], 0
    if run:
        out.append("".join(run))
    return out


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _merged(blocks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for a, b, n in sorted(blocks):
        if out:
            pa, pb, pn = out[-1]
            if pa + pn == a and pb + pn == b:
                out[-1] = (pa, pb, pn + n)
                continue
        out.append((a, b, n))
    return out


@dataclass(frozen=True)
class Carried:
    """Where a span goes on the new text, and what happened to it (``outcome``)."""

    outcome: str
    start: int
    end: int


def carry(alignment: Alignment, old: str, new: str, start: int, end: int) -> Carried:
    """Carry the span ``[start, end)`` of ``old`` onto ``new`` (see the module's doc)."""
    text = old[start:end]
    first = alignment.kept(start)
    last = alignment.kept(end - 1)
    ns = first if first is not None else alignment.after(start)
    ne = last + 1 if last is not None else alignment.before(end)
    if new[ns:ne] == text and ne > ns:
        return Carried(UNCHANGED if (ns, ne) == (start, end) else MOVED, ns, ne)
    survivors = alignment.survivors(start, end)
    found = _nearby(new, text, ns, ne, abs(len(new) - len(old)))
    if found is None:
        found = _reinserted(alignment, new, text)
    if found is not None:
        return Carried(UNCHANGED if found == start else MOVED, found, found + len(text))
    if survivors == 0 or ne <= ns:
        return Carried(LOST, ns, ns)
    return Carried(CHANGED, ns, ne)


def _reinserted(alignment: Alignment, new: str, text: str) -> int | None:
    """Where ``text`` occurs in the new text's inserted ranges, if exactly once: a passage
    the alignment had to delete and insert again elsewhere (paragraphs that swapped
    places) keeps its spans; None if it is not there, or there more than once."""
    found: int | None = None
    for a, b in alignment.inserted():
        if b - a < len(text):
            continue
        i = new.find(text, a, b)
        while i != -1:
            if found is not None:
                return None
            found = i
            i = new.find(text, i + 1, b)
    return found


def _nearby(new: str, text: str, ns: int, ne: int, shift: int) -> int | None:
    """The start of the occurrence of ``text`` in ``new`` closest to ``ns`` within
    twice the span's length plus ``shift`` (how much the text's length changed) of
    ``[ns, ne)``; None if there is none."""
    if not text:
        return None
    reach = 2 * len(text) + shift + 8
    lo = max(0, ns - reach)
    hi = min(len(new), max(ne, ns) + reach)
    best: int | None = None
    i = new.find(text, lo, hi)
    while i != -1:
        if best is None or abs(i - ns) < abs(best - ns):
            best = i
        i = new.find(text, i + 1, hi)
    return best
