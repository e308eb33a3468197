"""Token and sentence offsets as compact binary blobs, the way the store keeps them.

A blob holds ``n`` starts followed by ``n`` ends, each an unsigned 32-bit
little-endian integer (code-point offsets, end exclusive): 8 bytes per token.
Encoding a tokenizer's numpy arrays is one copy, with no Python integer per token,
which is what keeps the import close to spaCy's own speed; decoding is one copy
too (``array.frombytes``). Texts are limited to far fewer than 2**32 characters
(see ``corpus.MAX_FILE_BYTES``); larger offsets are refused, never wrapped.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Sequence
from typing import Any

LIMIT = 2**32
_BIG_ENDIAN = sys.byteorder == "big"
# The array typecode whose items are 4 bytes on this platform ('I' nearly everywhere).
_CODE = next(c for c in "IL" if array(c).itemsize == 4)


def pack(starts: Sequence[int] | Any, ends: Sequence[int] | Any) -> bytes:
    """Encode parallel start/end offsets (sequences of ints or numpy integer arrays)."""
    if len(starts) != len(ends):
        raise ValueError(f"{len(starts)} starts but {len(ends)} ends")
    if hasattr(starts, "astype") and hasattr(ends, "astype"):  # numpy arrays
        if len(starts):
            signed = "i" in (starts.dtype.kind, ends.dtype.kind)
            if max(starts.max(), ends.max()) >= LIMIT or (
                signed and min(starts.min(), ends.min()) < 0
            ):
                raise ValueError("offsets must lie in [0, 2**32)")
        return starts.astype("<u4").tobytes() + ends.astype("<u4").tobytes()
    try:
        a = array(_CODE, starts)
        a.extend(ends)
    except OverflowError:
        raise ValueError("offsets must lie in [0, 2**32)") from None
    if _BIG_ENDIAN:
        a.byteswap()
    return a.tobytes()


def unpack(blob: bytes) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Decode a blob written by :func:`pack` into ``(starts, ends)`` tuples."""
    if len(blob) % 8:
        raise ValueError(f"offset blob of {len(blob)} bytes is not a whole number of pairs")
    a = array(_CODE)
    a.frombytes(blob)
    if _BIG_ENDIAN:
        a.byteswap()
    n = len(a) // 2
    return tuple(a[:n]), tuple(a[n:])
