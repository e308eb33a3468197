"""Agreement coefficients beside α for document fields: Gwet's AC1, Brennan–Prediger, the
prevalence of the commonest value, and the bootstrap probability that α is below a threshold.

Input is ``units`` as everywhere in :mod:`annotator.agreement.nominal`: ``unit id -> {coder:
value}``, a coder absent or with ``None`` having a missing value. Values are compared for
equality only (nominal). With ``r_ik`` the number of coders who put unit ``i`` into category
``k`` and ``r_i = Σ_k r_ik``:

* Percent agreement ``p_a`` (the same as :func:`~annotator.agreement.nominal.percent_agreement`):
  the mean, over the units with ``r_i ≥ 2``, of ``Σ_k r_ik (r_ik - 1) / (r_i (r_i - 1))``.
* Gwet's AC1 (Gwet 2008, *British Journal of Mathematical and Statistical Psychology* 61:29–48;
  Gwet 2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 4, the multiple-rater form with
  missing ratings, as in the R package irrCAC's ``gwet.ac1.raw``):
  ``(p_a - p_e) / (1 - p_e)`` with ``p_e = Σ_k π_k (1 - π_k) / (q - 1)`` and
  ``π_k = mean over units with r_i ≥ 1 of r_ik / r_i``.
* Brennan–Prediger (Brennan & Prediger 1981; the free-marginal κ of Randolph 2005):
  ``(p_a - 1/q) / (1 - 1/q)``.

``q`` is the number of categories coders could choose, passed in (for a document field: its
options); it defaults to the number of distinct values seen and may not be smaller. Unlike κ and
α, both stay defined (and high) when every coder chose the same value: the chance term never
reaches 1. That is what they are for: when one category holds most codings (the "kappa
paradox", Feinstein & Cicchetti 1990), κ and α can be low although the coders nearly always
agree; AC1, Brennan–Prediger and percent agreement beside them show it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from .nominal import Units, _precheck
from .result import ALPHA_THRESHOLDS, Stat, undefined

SKEWED_SHARE = 0.8
"""A field is flagged when one value holds more than this share of its codings."""


def _ratings(units: Units) -> tuple[np.ndarray, list[Hashable]]:
    """The units × categories count table ``r_ik`` of the units with at least one value."""
    rows = [Counter(v for v in unit.values() if v is not None) for unit in units.values()]
    rows = [row for row in rows if row]
    cats = sorted({v for row in rows for v in row}, key=repr)
    table = np.array([[row.get(c, 0) for c in cats] for row in rows], dtype=float)
    return table.reshape(len(rows), len(cats)), cats


def _categories(q: int | None, seen: int) -> int:
    if q is None:
        return seen
    if q < seen:
        raise ValueError(f"q = {q} categories, but {seen} different values were coded")
    return q


def _agreement(table: np.ndarray) -> tuple[float, int]:
    """``p_a`` and the number of units it is the mean over (those with ``r_i ≥ 2``)."""
    r = table.sum(axis=1)
    two = r >= 2
    t, ri = table[two], r[two]
    return float(np.mean((t * (t - 1.0)).sum(axis=1) / (ri * (ri - 1.0)))), int(two.sum())


def _one_category(what: str) -> Stat:
    return undefined(f"only one category to choose from ({what} needs at least two)")


def _table_and_q(units: Units, q: int | None, what: str) -> tuple[np.ndarray, int] | Stat:
    """The units' ratings table and the number of categories ``q`` (see :func:`gwet_ac1`),
    or why ``what`` is undefined on them."""
    bad = _precheck(units)
    if bad is not None:
        return bad
    table, cats = _ratings(units)
    q = _categories(q, len(cats))
    if q < 2:
        return _one_category(what)
    return table, q


def gwet_ac1(units: Units, q: int | None = None) -> Stat:
    """Gwet's AC1 over ``units`` (any number of coders, missing values allowed).

    ``q``: the number of categories coders could choose (default: the values seen).
    ``Stat.n`` is the number of units coded by at least two coders.
    """
    got = _table_and_q(units, q, "AC1")
    if isinstance(got, Stat):
        return got
    table, q = got
    p_a, n = _agreement(table)
    pi = (table / table.sum(axis=1, keepdims=True)).mean(axis=0)
    p_e = float(np.dot(pi, 1.0 - pi)) / (q - 1)
    return Stat((p_a - p_e) / (1.0 - p_e), n=n)


def brennan_prediger(units: Units, q: int | None = None) -> Stat:
    """Brennan and Prediger's coefficient (chance agreement ``1/q``) over ``units``.

    ``q``: the number of categories coders could choose (default: the values seen).
    ``Stat.n`` is the number of units coded by at least two coders.
    """
    got = _table_and_q(units, q, "Brennan-Prediger")
    if isinstance(got, Stat):
        return got
    table, q = got
    p_a, n = _agreement(table)
    return Stat((p_a - 1.0 / q) / (1.0 - 1.0 / q), n=n)


@dataclass(frozen=True)
class Prevalence:
    """The commonest value of a field among all its codings, and its share.

    ``skewed`` when the share exceeds :data:`SKEWED_SHARE`: then κ and α can be low although
    coders agree on nearly every unit (the "kappa paradox").
    """

    value: Hashable
    share: float
    codings: int

    @property
    def skewed(self) -> bool:
        return self.share > SKEWED_SHARE


def prevalence(units: Units) -> Prevalence | None:
    """The commonest value over every coding (each coder's value on each unit; ties go to the
    first value in ``repr`` order), or ``None`` when nothing was coded."""
    counts = Counter(v for unit in units.values() for v in unit.values() if v is not None)
    if not counts:
        return None
    total = sum(counts.values())
    value, top = min(counts.items(), key=lambda vc: (-vc[1], repr(vc[0])))
    return Prevalence(value, top / total, total)


def alpha_below(stat: Stat) -> dict[float, float] | None:
    """The bootstrap probability that α is below each of :data:`ALPHA_THRESHOLDS`
    (Krippendorff's .667 and .800), from ``stat``'s interval: the share of the defined
    resamples whose α fell strictly below the threshold (Hayes & Krippendorff 2007, the q of
    KALPHA). ``None`` without a bootstrap or when no resample was defined."""
    if stat.ci is None or not stat.ci.below:
        return None
    got = dict(stat.ci.below)
    return {t: got[t] for t in ALPHA_THRESHOLDS}
