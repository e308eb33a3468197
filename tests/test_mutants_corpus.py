"""Tests that kill surviving mutants of annotator/corpus.py (bench/mutation.md, "corpus.py").

Every expected value is a literal worked out by hand, never recomputed with corpus's own code.
"""

from __future__ import annotations

import pytest

from annotator.corpus import MAX_FILE_BYTES, Skipped, decode_bytes, normalize_with_offsets

UTF16 = "not UTF-8 but looks like UTF-16 text without a byte-order mark; save it as UTF-8"


def binary(at: int) -> str:
    return f"binary file (NUL byte at offset {at}), not text"


# --- the size limit's message -------------------------------------------------------


def test_the_size_limit_is_named_in_whole_megabytes():
    assert MAX_FILE_BYTES == 10 * 1024 * 1024
    assert decode_bytes(b"a" * (MAX_FILE_BYTES + 1), "big.txt") == Skipped(
        "big.txt", "larger than the 10 MB limit"
    )


# --- UTF-16 without a byte-order mark, or binary: the edges of the heuristic ------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # four bytes are enough to read as UTF-16 ("AB")
        (b"A\x00B\x00", UTF16),
        # fewer than four bytes are never UTF-16
        (b"\x00\x01\x02", binary(0)),
        # 2 zeros in the odd places of 8 bytes: not more than a quarter (8 // 4 = 2), binary;
        # read as UTF-16 it would be "AB" + two CJK characters, all printable
        (b"A\x00B\x00CDEF", binary(1)),
        # a lone surrogate reads as U+FFFD (printable), it does not raise
        (b"A\x00B\x00\x00\xd8" + b"C\x00" * 30, UTF16),
        # 18 of 19 characters printable (94.7 %) and a trailing odd byte: binary; the odd
        # byte must not be decoded as a 20th, printable U+FFFD (19 of 20 = 95 %)
        (b"A\x00" * 18 + b"\x01\x00" + b"X", binary(1)),
        # 3 of 4 characters printable: binary (all four must be read, not three)
        (b"A\x00B\x00C\x00\x01\x00", binary(1)),
        # exactly 95 % printable (19 of 20) is enough
        (b"A\x00" * 19 + b"\x01\x00", UTF16),
        # 18 of 19 (94.7 %) is not
        (b"A\x00" * 18 + b"\x01\x00", binary(1)),
    ],
    ids=["4-bytes", "3-bytes", "quarter-zeros", "lone-surrogate", "odd-byte", "last-char",
         "95-percent", "below-95"],
)  # fmt: skip
def test_utf16_or_binary_at_the_edges(data, reason):
    assert decode_bytes(data, "f") == Skipped("f", reason)


def test_only_the_first_8192_bytes_decide_utf16():
    # Big-endian: 2048 zeros in the even places of the first 8192 bytes (exactly a quarter,
    # so not UTF-16); a 2049th zero at byte 8192 must not count.
    data = b"\x00A" * 2048 + b"AA" * 2048 + b"\x00more"
    assert decode_bytes(data, "f") == Skipped("f", binary(0))


# --- offsets across normalisation ----------------------------------------------------


def test_normalize_with_offsets_maps_every_offset():
    #       0       1       2  3   4   5  6   7  8   9   (10)
    text = "\ufeff\ufeffa\r\nb\rc\r\n"
    norm, remap = normalize_with_offsets(text)
    assert norm == "a\nb\nc\n"
    assert [remap(o) for o in range(11)] == [0, 0, 0, 1, 1, 2, 3, 4, 5, 5, 6]


def test_normalize_with_offsets_adjacent_crlfs():
    norm, remap = normalize_with_offsets("a\r\n\r\nb\r\n")
    assert norm == "a\n\nb\n"
    assert [remap(o) for o in range(9)] == [0, 1, 1, 2, 2, 3, 4, 4, 5]


def test_normalize_with_offsets_one_bom():
    norm, remap = normalize_with_offsets("\ufeffab")
    assert norm == "ab"
    assert [remap(o) for o in range(4)] == [0, 0, 1, 2]


def test_normalize_with_offsets_without_removals_is_the_identity():
    norm, remap = normalize_with_offsets("a\rb\n")
    assert norm == "a\nb\n"
    assert [remap(o) for o in range(5)] == [0, 1, 2, 3, 4]
