"""Token and sentence offsets as compact binary blobs, the way the store keeps them.

Offsets are code-point offsets, end exclusive, of ``n`` ranges that are sorted and do
not overlap (tokens, sentences). A blob is one tag byte and a payload:

- ``GAPS8`` / ``GAPS16``: for each range, the gap since the previous range's end (the
  first: since 0) and its length, interleaved, as unsigned 8- or 16-bit little-endian
  integers. Running sums of the payload give start, end, start, end, ... For spaCy's
  tokens gaps are 0 or 1 and lengths short, so a token takes 2 bytes instead of the 8
  of absolute offsets, which halves what an import writes to disk.
- ``ABSOLUTE``: all ``n`` starts, then all ``n`` ends, as unsigned 32-bit little-endian
  integers: for ranges that overlap, are unsorted, or are too long for 16 bits.

Encoding numpy arrays (the import's path) needs no Python object per range; decoding
needs no numpy (the window reads offsets at start-up): ``itertools.accumulate`` over an
``array``. Texts are limited to far fewer than 2**32 characters (see
``corpus.MAX_FILE_BYTES``); larger offsets are refused, never wrapped.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

LIMIT = 2**32
ABSOLUTE, GAPS8, GAPS16 = 1, 2, 3
_BIG_ENDIAN = sys.byteorder == "big"
# Array typecodes with items of 4 and 2 bytes on this platform ('I' and 'H' nearly everywhere).
_CODE32 = next(c for c in "IL" if array(c).itemsize == 4)
_CODE16 = "H"
_TAG8, _TAG16, _TAG32 = bytes([GAPS8]), bytes([GAPS16]), bytes([ABSOLUTE])
_EMPTY = _TAG8


def pack(starts: Sequence[int] | Any, ends: Sequence[int] | Any) -> bytes:
    """Encode one text's parallel start/end offsets (sequences of ints or numpy arrays)."""
    import numpy as np

    if len(starts) != len(ends):
        raise ValueError(f"{len(starts)} starts but {len(ends)} ends")
    try:
        s = np.asarray(starts, dtype=np.int64)
        e = np.asarray(ends, dtype=np.int64)
    except OverflowError:
        raise ValueError("offsets must lie in [0, 2**32)") from None
    return pack_many(s, e, [0, len(s)])[0]


def pack_many(starts: Any, ends: Any, bounds: Sequence[int] | Any) -> list[bytes]:
    """Encode several texts' offsets at once (numpy arrays, each text's own offsets).

    Text ``k`` owns ``starts[bounds[k]:bounds[k + 1]]``; one blob per text is returned,
    each as :func:`pack` would make it.
    """
    import numpy as np

    bounds = np.asarray(bounds, dtype=np.int64)
    n = len(starts)
    s = np.asarray(starts, dtype=np.int64)  # no copy when it is int64 already
    e = np.asarray(ends, dtype=np.int64)
    if n and (starts.dtype.kind == "u" and (starts.max() >= 2**63 or ends.max() >= 2**63)):
        raise ValueError("offsets must lie in [0, 2**32)")  # would wrap in int64
    flat = np.empty(2 * n, dtype=np.int64)
    flat[1::2] = e - s
    flat[2::2] = s[1:] - e[:-1]
    first = bounds[:-1][bounds[:-1] < bounds[1:]]  # each non-empty text's first range
    flat[2 * first] = s[first]  # the first gap is counted from 0
    lo = np.minimum.reduceat(flat, 2 * first) if len(first) else flat[:0]
    hi = np.maximum.reduceat(flat, 2 * first) if len(first) else flat[:0]
    # Where all gaps and lengths are >= 0 the ranges are sorted and start at >= 0, so
    # the last end is the largest offset; elsewhere every offset is checked below.
    sorted_texts = lo >= 0
    last_ends = e[bounds[1:][bounds[:-1] < bounds[1:]] - 1]
    if np.any(last_ends[sorted_texts] >= LIMIT):
        raise ValueError("offsets must lie in [0, 2**32)")
    as8 = flat.astype(np.uint8)
    as16 = flat.astype("<u2") if len(hi) and hi.max() >= 256 else None
    out: list[bytes] = []
    g = 0
    for k in range(len(bounds) - 1):
        a, b = int(bounds[k]), int(bounds[k + 1])
        if a == b:
            out.append(_EMPTY)
            continue
        if sorted_texts[g] and hi[g] < 256:
            out.append(_TAG8 + as8[2 * a : 2 * b].tobytes())
        elif sorted_texts[g] and hi[g] < 65536:
            assert as16 is not None  # made above: this text has a value >= 256
            out.append(_TAG16 + as16[2 * a : 2 * b].tobytes())
        else:
            if min(s[a:b].min(), e[a:b].min()) < 0 or max(s[a:b].max(), e[a:b].max()) >= LIMIT:
                raise ValueError("offsets must lie in [0, 2**32)")
            both = np.concatenate((s[a:b], e[a:b])).astype("<u4")
            out.append(_TAG32 + both.tobytes())
        g += 1
    return out


def unpack(blob: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Decode a blob written by :func:`pack` into ``(starts, ends)`` tuples."""
    if not blob:
        raise ValueError("empty offset blob")
    tag, payload = blob[0], memoryview(blob)[1:]
    if tag == GAPS8:
        if len(payload) % 2:
            raise ValueError(f"offset blob of {len(blob)} bytes is torn")
        sums = list(accumulate(payload))
        return tuple(sums[0::2]), tuple(sums[1::2])
    if tag == GAPS16:
        if len(payload) % 4:
            raise ValueError(f"offset blob of {len(blob)} bytes is torn")
        sums = list(accumulate(_array(_CODE16, payload)))
        return tuple(sums[0::2]), tuple(sums[1::2])
    if tag == ABSOLUTE:
        if len(payload) % 8:
            raise ValueError(f"offset blob of {len(blob)} bytes is torn")
        a = _array(_CODE32, payload)
        n = len(a) // 2
        return tuple(a[:n]), tuple(a[n:])
    raise ValueError(f"unknown offset blob format {tag}")


def _array(code: str, payload: memoryview) -> array[int]:
    a = array(code)
    a.frombytes(payload)
    if _BIG_ENDIAN:
        a.byteswap()
    return a
