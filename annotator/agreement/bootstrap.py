"""Seeded document bootstrap for confidence intervals.

Documents are resampled with replacement (as many as there are); the statistic is recomputed
on every resample; resamples where it is undefined are skipped and counted; the interval is
the percentile interval (``numpy.quantile``, linear interpolation) at ``(1 - level) / 2`` and
``1 - (1 - level) / 2``; each interval also carries the share of those resamples below
Krippendorff's thresholds .667 and .800 (``Interval.below``). The draws depend only on
``seed`` and the number of documents, so the generic :func:`bootstrap_ci` and the fast
built-in intervals of the α functions give the same interval for the same seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from .result import ALPHA_THRESHOLDS, Interval


def _draws(n_docs: int, n: int, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield rng.integers(0, n_docs, size=n_docs)


def _interval(values: list[float], requested: int, level: float) -> Interval:
    if not values:
        return Interval(
            None, None, level, 0, requested, "the statistic was undefined on every resample"
        )
    tail = (1.0 - level) / 2.0
    drawn = np.asarray(values, dtype=float)
    lo, hi = np.quantile(drawn, [tail, 1.0 - tail])
    below = tuple((t, float(np.mean(drawn < t))) for t in ALPHA_THRESHOLDS)
    return Interval(float(lo), float(hi), level, len(values), requested, below=below)


def _check(n: int, level: float) -> None:
    if n < 1:
        raise ValueError("n (number of resamples) must be at least 1")
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1")


def bootstrap_ci(
    doc_ids: Sequence[Any],
    statistic: Callable[[list[Any]], float | None],
    n: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Interval:
    """Percentile bootstrap interval of ``statistic`` over documents.

    ``statistic`` receives a list of document ids drawn with replacement from ``doc_ids`` (the
    same id may appear several times: treat every occurrence as a separate document) and returns
    a number, or ``None``/NaN when undefined on that resample (skipped, see ``Interval.used``).
    """
    _check(n, level)
    ids = list(doc_ids)
    if not ids:
        return Interval(None, None, level, 0, n, "no documents")
    values: list[float] = []
    for idx in _draws(len(ids), n, seed):
        v = statistic([ids[i] for i in idx])
        if v is not None and math.isfinite(v):
            values.append(float(v))
    return _interval(values, n, level)


def weighted_ci(
    n_docs: int,
    statistic: Callable[[np.ndarray], float | None],
    n: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Interval:
    """Same draws as :func:`bootstrap_ci`, but ``statistic`` receives the multiplicity of each
    document in the resample (an integer array of length ``n_docs``). Used by the α functions,
    whose sufficient statistics are sums over documents."""
    return weighted_cis(n_docs, lambda w: {0: statistic(w)}, [0], n, seed, level)[0]


def weighted_cis(
    n_docs: int,
    statistics: Callable[[np.ndarray], Mapping[Hashable, float | None]],
    keys: Sequence[Hashable],
    n: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[Hashable, Interval]:
    """:func:`weighted_ci` of several statistics of the same documents from one pass over
    the draws: ``statistics(w)`` returns each key's value under the multiplicities ``w``
    (so work they share, such as a label's part of an overall value, is done once per draw).
    Each interval is the one :func:`weighted_ci` gives for that statistic alone."""
    _check(n, level)
    if n_docs == 0:
        return {k: Interval(None, None, level, 0, n, "no documents") for k in keys}
    values: dict[Hashable, list[float]] = {k: [] for k in keys}
    for idx in _draws(n_docs, n, seed):
        got = statistics(np.bincount(idx, minlength=n_docs))
        for k in keys:
            v = got[k]
            if v is not None and math.isfinite(v):
                values[k].append(float(v))
    return {k: _interval(values[k], n, level) for k in keys}
