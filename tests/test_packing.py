"""Packed offsets: exact round trips in every format, refusal of what does not fit, and
the batch encoder agreeing with the one-text encoder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.packing import ABSOLUTE, GAPS8, GAPS16, LIMIT, pack, pack_many, unpack


@st.composite
def sorted_ranges(draw, max_gap=3, max_len=300):
    """Sorted, non-overlapping ranges like tokens or sentences (gaps and lengths vary)."""
    pos, starts, ends = 0, [], []
    for _ in range(draw(st.integers(0, 60))):
        pos += draw(st.integers(0, max_gap))
        length = draw(st.one_of(st.integers(0, max_len), st.integers(0, 70_000)))
        starts.append(pos)
        ends.append(pos + length)
        pos += length
    return starts, ends


any_ranges = st.lists(
    st.tuples(st.integers(0, LIMIT - 1), st.integers(0, LIMIT - 1)), max_size=60
).map(lambda pairs: ([p[0] for p in pairs], [p[1] for p in pairs]))


@given(st.one_of(sorted_ranges(), any_ranges))
def test_round_trip_of_any_offsets(ranges):
    starts, ends = ranges
    assert unpack(pack(starts, ends)) == (tuple(starts), tuple(ends))


@given(st.lists(st.one_of(sorted_ranges(), any_ranges), max_size=6))
def test_batch_encoding_equals_one_text_at_a_time(texts):
    bounds = np.cumsum([0] + [len(s) for s, _ in texts])
    starts = np.array([x for s, _ in texts for x in s], dtype=np.int64)
    ends = np.array([x for _, e in texts for x in e], dtype=np.int64)
    assert pack_many(starts, ends, bounds) == [pack(s, e) for s, e in texts]


def test_tokens_take_two_bytes_each():
    starts, ends = [0, 7, 11, 12], [6, 11, 12, 15]  # "Russia and N. K" shaped
    blob = pack(starts, ends)
    assert blob == bytes([GAPS8, 0, 6, 1, 4, 0, 1, 0, 3])
    assert unpack(blob) == ((0, 7, 11, 12), (6, 11, 12, 15))


def test_long_ranges_use_16_bits_and_overlaps_absolute_offsets():
    assert pack([0, 400], [300, 500])[0] == GAPS16
    assert pack([0, 5], [10, 8])[0] == ABSOLUTE  # overlapping
    assert pack([5, 0], [6, 1])[0] == ABSOLUTE  # unsorted
    assert pack([0], [70_000])[0] == ABSOLUTE  # longer than 16 bits
    assert pack([3, 1], [4, 2]) == bytes([ABSOLUTE]) + bytes([3, 0, 0, 0, 1, 0, 0, 0]) + bytes(
        [4, 0, 0, 0, 2, 0, 0, 0]
    )
    assert unpack(pack([], [])) == ((), ())


@pytest.mark.parametrize("bad", [[-1], [LIMIT], [2**70]])
def test_offsets_that_do_not_fit_are_refused_not_wrapped(bad):
    with pytest.raises(ValueError, match="2\\*\\*32"):
        pack(bad, [0])
    if bad[0] < 2**63:
        with pytest.raises(ValueError, match="2\\*\\*32"):
            pack(np.array(bad, dtype=np.int64), np.array([0], dtype=np.int64))


@pytest.mark.parametrize(
    "blob", [b"", bytes([GAPS8, 1]), bytes([GAPS16, 1, 0]), bytes([ABSOLUTE]) + b"\0" * 12, b"\x09"]
)
def test_mismatched_lengths_and_torn_blobs_are_refused(blob):
    with pytest.raises(ValueError, match="2 starts but 1 ends"):
        pack([0, 1], [1])
    with pytest.raises(ValueError, match="empty|torn|unknown"):
        unpack(blob)
