"""Packed offsets: exact round trips, refusal of what does not fit, and the numpy path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.packing import LIMIT, pack, unpack

offsets = st.lists(st.tuples(st.integers(0, LIMIT - 1), st.integers(0, LIMIT - 1)), max_size=200)


@given(offsets)
def test_round_trip_of_any_offsets(pairs):
    starts = tuple(p[0] for p in pairs)
    ends = tuple(p[1] for p in pairs)
    blob = pack(starts, ends)
    assert len(blob) == 8 * len(pairs)
    assert unpack(blob) == (starts, ends)


@given(offsets, st.sampled_from(["int64", "uint64", "uint32", "int32"]))
def test_numpy_arrays_pack_to_the_same_bytes(pairs, dtype):
    starts = [p[0] for p in pairs]
    ends = [p[1] for p in pairs]
    if dtype == "int32":
        starts = [min(x, 2**31 - 1) for x in starts]
        ends = [min(x, 2**31 - 1) for x in ends]
    as_numpy = pack(np.array(starts, dtype=dtype), np.array(ends, dtype=dtype))
    assert as_numpy == pack(starts, ends)


def test_little_endian_layout_starts_then_ends():
    assert pack((1, 256), (2, 65536)) == bytes([1, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0])
    assert unpack(b"") == ((), ())


@pytest.mark.parametrize("bad", [[-1], [LIMIT]])
def test_offsets_that_do_not_fit_are_refused_not_wrapped(bad):
    with pytest.raises(ValueError, match="2\\*\\*32"):
        pack(bad, [0])
    with pytest.raises(ValueError, match="2\\*\\*32"):
        pack(np.array(bad, dtype=np.int64), np.array([0], dtype=np.int64))


def test_mismatched_lengths_and_torn_blobs_are_refused():
    with pytest.raises(ValueError, match="2 starts but 1 ends"):
        pack([0, 1], [1])
    with pytest.raises(ValueError, match="whole number"):
        unpack(b"\x00" * 12)
