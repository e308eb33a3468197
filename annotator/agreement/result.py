"""Result types shared by every agreement statistic.

A statistic is never a made-up number: when it is undefined (one coder, no variation, nothing
coded...) ``value`` is ``None`` and ``reason`` says why, in words a researcher can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ALPHA_THRESHOLDS = (0.667, 0.8)
"""Krippendorff's (2004) smallest acceptable α for tentative conclusions and for reliable
data: the thresholds whose bootstrap probability :attr:`Interval.below` reports."""


@dataclass(frozen=True)
class Interval:
    """A bootstrap percentile confidence interval.

    ``lo``/``hi`` are ``None`` (with ``reason``) when no resample gave a defined statistic.
    ``used`` is the number of resamples where the statistic was defined, out of ``requested``.
    ``below`` pairs each of :data:`ALPHA_THRESHOLDS` with the share of those ``used`` resamples
    whose value fell strictly below it (Hayes & Krippendorff 2007, KALPHA's q); empty when no
    resample was defined.
    """

    lo: float | None
    hi: float | None
    level: float
    used: int
    requested: int
    reason: str = ""
    below: tuple[tuple[float, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "lo": self.lo,
            "hi": self.hi,
            "level": self.level,
            "used": self.used,
            "requested": self.requested,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Stat:
    """One agreement value.

    ``value`` is ``None`` when the statistic is undefined; ``reason`` then says why.
    ``n`` is what the value was computed from (documented per function: pairable values,
    units, documents or coder pairs). ``ci`` is filled only when a bootstrap was requested.
    """

    value: float | None
    reason: str = ""
    n: int = 0
    ci: Interval | None = None

    @property
    def defined(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "reason": self.reason,
            "n": self.n,
            "ci": None if self.ci is None else self.ci.to_dict(),
        }


def undefined(reason: str, n: int = 0) -> Stat:
    return Stat(None, reason, n)
