"""Where α's charts start: the HTML trend chart, and the window's α and trend charts.

α is at most 1 and has no lower bound (a sample whose few disagreements fall where
chance expects agreement gives an α far below 0). The charts' axis runs from -0.5 to 1,
reaching lower in steps of 0.5 when a value or an interval's end lies below -0.5, so a
point is never drawn at a place that is not its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

LOWEST = -0.5  # where the axis starts when every value is above it
MOST_TICKS = 6  # plain ticks below 1 at most (then only the start, 0 and 0.5)


def axis_start(values: Iterable[float | None]) -> float:
    """The lower end of α's axis for ``values`` (None and non-finite ones left out):
    -0.5, or the multiple of 0.5 at or below the lowest value."""
    low = min((v for v in values if v is not None and math.isfinite(v)), default=LOWEST)
    return min(LOWEST, math.floor(low * 2) / 2)


def axis_ticks(start: float) -> tuple[float, ...]:
    """The plain ticks of an axis from ``start`` (the thresholds and 1 are the charts'
    own): every 0.5 from ``start`` to 0.5, or only ``start``, 0 and 0.5 when those are
    more than :data:`MOST_TICKS`."""
    first = round(start * 2)
    if 2 - first > MOST_TICKS:  # counted before listed: an α of -1e9 has no 2e9 ticks
        return (start, 0.0, 0.5)
    return tuple(k / 2 for k in range(first, 2))
