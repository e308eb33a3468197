"""Agreement on document fields: Krippendorff's α, percent agreement, Cohen's κ, Fleiss' κ.

Input everywhere is ``units``: a mapping ``unit id -> {coder: value}`` (for document fields a
unit is a document). A coder absent from a unit, or whose value is ``None``, has a missing value
there. Values are compared for equality only (nominal), except by ``krippendorff_alpha(...,
level="interval")`` which needs numbers.

Formulas (all exactly as published):

* Krippendorff's α (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"): only
  *pairable* values count, i.e. values in units coded by at least two coders; ``n`` is their
  number. With ``o_ck`` the coincidence matrix (each unit contributes its ``m_u (m_u - 1)``
  ordered value pairs with weight ``1 / (m_u - 1)``) and ``n_c`` its marginals,
  ``α = 1 - (n - 1) Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck``. For nominal data this reduces to
  ``1 - (n - 1)(n - Σ_c o_cc) / (n² - Σ_c n_c²)``; it is computed from per-unit sums with numpy
  and never builds a dense category matrix, so any number of categories is cheap.
* Cohen's κ (Cohen 1960) for two coders over the units both coded:
  ``(p_o - p_e) / (1 - p_e)`` with ``p_e = Σ_c p_A(c) p_B(c)`` from each coder's own marginals.
* Fleiss' κ (Fleiss 1971): ``(P̄ - P̄_e) / (1 - P̄_e)`` with ``P_i = Σ_j n_ij (n_ij - 1) /
  (n (n - 1))`` and ``P̄_e = Σ_j p_j²``; defined only when every unit has the same number
  ``n ≥ 2`` of ratings (units with no rating at all are ignored).
* Percent agreement: the mean, over units with at least two values, of the proportion of
  agreeing pairs of coders in the unit, ``Σ_c n_uc (n_uc - 1) / (m_u (m_u - 1))``. With two
  coders this is the share of units where they agree; with complete data it equals Fleiss' P̄
  and nltk's ``AnnotationTask.avg_Ao``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np

from .bootstrap import weighted_ci
from .result import Stat, undefined
from .units import FieldUnits

Units = Mapping[Hashable, Mapping[str, Hashable]]

LEVELS = ("nominal", "interval")

NO_VALUES = "no values (nobody coded anything)"
ONE_CODER = "only one coder"
NO_PAIRABLE = "no pairable values (no unit was coded by two or more coders)"


def _present(unit: Mapping[str, Hashable]) -> dict[str, Hashable]:
    return {c: v for c, v in unit.items() if v is not None}


def _coders(units: Units) -> list[str]:
    found = {c for unit in units.values() for c, v in unit.items() if v is not None}
    return sorted(found, key=str)


def _no_variation(value: Any, what: str = "alpha") -> str:
    return f"no variation: every value is {value!r} ({what} undefined)"


def _precheck(units: Units) -> Stat | None:
    """The reasons shared by every multi-coder statistic, or None when there is data."""
    if not any(v is not None for unit in units.values() for v in unit.values()):
        return undefined(NO_VALUES)
    if len(_coders(units)) < 2:
        return undefined(ONE_CODER)
    if not any(len(_present(unit)) >= 2 for unit in units.values()):
        return undefined(NO_PAIRABLE)
    return None


class _NominalAlpha:
    """Sufficient statistics of nominal α, one weight per unit (for the bootstrap)."""

    def __init__(self, units: Units):
        self.n_units = k = len(units)
        if isinstance(units, FieldUnits):  # coded as they were collected
            coded, counts, self.categories, self.n_coders = units.coded()
            codes = np.array(coded, dtype=np.int64)  # copies: the arrays can still grow
            sizes = np.array(counts, dtype=np.int64)
            uu = np.repeat(np.arange(k, dtype=np.int64), sizes)
            self._tail(codes, uu, sizes.astype(float), k)
            return
        # one flat pass in C-level loops; the codes of a unit's values are contiguous, each
        # value's code its rank of first appearance
        lookup: dict[Hashable, int] = {}
        code = lookup.setdefault
        codes = np.array(
            [code(v, len(lookup)) for unit in units.values() for v in unit.values()],
            dtype=np.int64,
        )
        sizes = np.fromiter(map(len, units.values()), dtype=np.int64, count=k)
        uu = uu0 = np.repeat(np.arange(k, dtype=np.int64), sizes)
        if None in lookup:
            coder_of = [c for unit in units.values() for c in unit]
            none = lookup.pop(None)
            keep = codes != none
            codes, uu = codes[keep], uu[keep]
            # the categories after None's code move down one (codes must be < len(lookup))
            codes[codes > none] -= 1
            coder_of = [c for c, kept in zip(coder_of, keep.tolist(), strict=True) if kept]
            self.n_coders = len(set(coder_of))
        else:  # every coder named has a value
            self.n_coders = len(set().union(*units.values()))
        self.categories = list(lookup)
        m = (np.bincount(uu, minlength=k) if len(codes) < len(uu0) else sizes).astype(float)
        self._tail(codes, uu, m, k)

    def _tail(self, codes: np.ndarray, uu: np.ndarray, m: np.ndarray, k: int) -> None:
        """The sufficient statistics from each present value's code and unit, and each
        unit's number of present values ``m``."""
        self.n_values = len(codes)
        self.m = m
        pairable = self.m[uu] >= 2
        codes, uu = codes[pairable], uu[pairable]
        self.m[self.m < 2] = 0.0
        n_cats = max(len(self.categories), 1)
        cells = uu * n_cats + codes
        if k * n_cats <= 8 * len(cells) + 1024:  # few cells: count them all (no sort)
            dense = np.bincount(cells, minlength=k * n_cats)
            keys = np.flatnonzero(dense)
            counts = dense[keys]
        else:  # many categories: only the cells that occur
            keys, counts = np.unique(cells, return_counts=True)
        self.unit_of = (keys // n_cats).astype(np.intp)
        self.cat_of = (keys % n_cats).astype(np.intp)
        self.count_of = counts.astype(float)
        same = np.bincount(self.unit_of, weights=counts * (counts - 1.0), minlength=k)
        # Σ_c n_uc (n_uc - 1) / (m_u - 1): this unit's share of Σ_c o_cc
        self.agree = np.divide(same, self.m - 1.0, out=np.zeros(k), where=self.m > 1)

    def at(self, w: np.ndarray | None = None) -> Stat:
        if w is None:
            n, o_same = float(self.m.sum()), float(self.agree.sum())
            weights = self.count_of
        else:
            n, o_same = float(np.dot(w, self.m)), float(np.dot(w, self.agree))
            weights = self.count_of * w[self.unit_of]
        if n == 0:
            return undefined(NO_PAIRABLE)
        n_c = np.bincount(self.cat_of, weights=weights, minlength=len(self.categories))
        d_e = n * n - float(np.dot(n_c, n_c))  # Σ_{c≠k} n_c n_k
        if d_e <= 0:
            return undefined(_no_variation(self.categories[int(np.argmax(n_c))]), int(n))
        return Stat(1.0 - (n - 1.0) * (n - o_same) / d_e, n=int(n))


class _IntervalAlpha:
    """Sufficient statistics of interval α (δ²_ck = (c - k)²), one weight per unit."""

    def __init__(self, units: Units):
        self.n_units = len(units)
        self.m = np.zeros(self.n_units)
        self.s1 = np.zeros(self.n_units)
        self.s2 = np.zeros(self.n_units)
        self.within = np.zeros(self.n_units)  # Σ_{i≠j} (v_i - v_j)² / (m_u - 1)
        self.lo = np.full(self.n_units, np.inf)
        self.hi = np.full(self.n_units, -np.inf)
        for u, unit in enumerate(units.values()):
            values = [v for v in unit.values() if v is not None]
            if len(values) < 2:
                continue
            try:
                v = np.asarray(values, dtype=float)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"interval alpha needs numeric values, got {values!r}") from exc
            k = len(v)
            self.m[u], self.s1[u], self.s2[u] = k, v.sum(), v @ v
            self.within[u] = 2.0 * k * float(((v - v.mean()) ** 2).sum()) / (k - 1)
            self.lo[u], self.hi[u] = v.min(), v.max()

    def at(self, w: np.ndarray | None = None) -> Stat:
        w = np.ones(self.n_units) if w is None else np.asarray(w, dtype=float)
        n = float(np.dot(w, self.m))
        if n == 0:
            return undefined(NO_PAIRABLE)
        used = w > 0
        lo, hi = self.lo[used].min(), self.hi[used].max()
        if lo == hi:
            return undefined(_no_variation(float(lo)), int(n))
        s1, s2 = float(np.dot(w, self.s1)), float(np.dot(w, self.s2))
        d_e = 2.0 * n * (s2 - s1 * s1 / n)  # Σ_ck n_c n_k (c - k)²
        d_o = float(np.dot(w, self.within))  # Σ_ck o_ck (c - k)²
        return Stat(1.0 - (n - 1.0) * d_o / d_e, n=int(n))


def krippendorff_alpha(
    units: Units,
    level: str = "nominal",
    *,
    bootstrap: int = 0,
    seed: int = 0,
    confidence: float = 0.95,
) -> Stat:
    """Krippendorff's α over ``units`` (missing values handled as Krippendorff defines them).

    ``level`` is ``"nominal"`` or ``"interval"``. ``Stat.n`` is the number of pairable values.
    With ``bootstrap > 0`` the result carries ``ci``: a percentile interval from ``bootstrap``
    resamples of the units (documents) with replacement, seeded by ``seed``.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    if level == "nominal":
        nominal = _NominalAlpha(units)
        if nominal.n_values == 0:
            return undefined(NO_VALUES)
        if nominal.n_coders < 2:
            return undefined(ONE_CODER)
        data: _NominalAlpha | _IntervalAlpha = nominal
    else:
        bad = _precheck(units)
        if bad is not None:
            return bad
        data = _IntervalAlpha(units)
    result = data.at()
    if bootstrap and result.defined:
        ci = weighted_ci(data.n_units, lambda w: data.at(w).value, bootstrap, seed, confidence)
        result = Stat(result.value, result.reason, result.n, ci)
    return result


def percent_agreement(units: Units) -> Stat:
    """Mean over units with ≥ 2 values of the proportion of agreeing coder pairs.

    ``Stat.n`` is the number of units used. Not chance-corrected.
    """
    bad = _precheck(units)
    if bad is not None:
        return bad
    shares = [s.value for s in unit_agreement(units).values() if s.value is not None]
    return Stat(float(np.mean(shares)), n=len(shares))


def unit_agreement(units: Units) -> dict[Hashable, Stat]:
    """Per unit (document): the proportion of agreeing coder pairs, to find the worst ones.

    ``Stat.n`` is the number of coders with a value; ``None`` below two coders.
    """
    out: dict[Hashable, Stat] = {}
    for uid, unit in units.items():
        values = [v for v in unit.values() if v is not None]
        m = len(values)
        if m < 2:
            out[uid] = undefined("fewer than two coders coded this document", m)
            continue
        same = sum(k * (k - 1) for k in Counter(values).values())
        out[uid] = Stat(same / (m * (m - 1)), n=m)
    return out


def cohen_kappa(units: Units, a: str, b: str) -> Stat:
    """Cohen's κ between coders ``a`` and ``b`` over the units both coded (``Stat.n``)."""
    if a == b:
        return undefined("only one coder")
    pairs = [
        (unit[a], unit[b])
        for unit in units.values()
        if unit.get(a) is not None and unit.get(b) is not None
    ]
    if not pairs:
        return undefined(f"no document coded by both {a} and {b}")
    n = len(pairs)
    values = {v for pair in pairs for v in pair}
    if len(values) == 1:
        return undefined(_no_variation(next(iter(values)), "kappa"), n)
    p_o = sum(x == y for x, y in pairs) / n
    ca, cb = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    p_e = sum(ca[v] * cb[v] for v in values) / (n * n)
    return Stat((p_o - p_e) / (1.0 - p_e), n=n)


def pair_key(a: str, b: str) -> str:
    """The key of a coder pair in the ``*_pairs`` dictionaries: names sorted, ``"A|B"``."""
    x, y = sorted((a, b), key=str)
    return f"{x}|{y}"


def cohen_kappa_pairs(units: Units, coders: Sequence[str] | None = None) -> dict[str, Stat]:
    """Cohen's κ for every pair of coders, keyed ``"A|B"`` (names sorted; empty dict when
    fewer than two coders). ``coders`` defaults to every coder with a value somewhere."""
    names = sorted(coders, key=str) if coders is not None else _coders(units)
    return {pair_key(a, b): cohen_kappa(units, a, b) for a, b in combinations(names, 2)}


def fleiss_kappa(units: Units) -> Stat:
    """Fleiss' κ; undefined unless every unit with a rating has the same number ``≥ 2`` of
    ratings (units nobody rated are ignored). ``Stat.n`` is the number of units."""
    bad = _precheck(units)
    if bad is not None:
        return bad
    rows = [Counter(_present(unit).values()) for unit in units.values() if _present(unit)]
    sizes = {sum(row.values()) for row in rows}
    if len(sizes) > 1:
        return undefined(
            f"documents have between {min(sizes)} and {max(sizes)} coders; Fleiss' kappa needs "
            "the same number of coders on every document",
            len(rows),
        )
    r = sizes.pop()
    if r < 2:
        return undefined("only one coder per document", len(rows))
    cats = sorted({v for row in rows for v in row}, key=repr)
    if len(cats) == 1:
        return undefined(_no_variation(cats[0], "kappa"), len(rows))
    table = np.array([[row.get(c, 0) for c in cats] for row in rows], dtype=float)
    n_units = len(rows)
    p_i = ((table * table).sum(axis=1) - r) / (r * (r - 1))
    p_j = table.sum(axis=0) / (n_units * r)
    p_bar, p_e = float(p_i.mean()), float(p_j @ p_j)
    return Stat((p_bar - p_e) / (1.0 - p_e), n=n_units)


def option_units(
    units: Mapping[Hashable, Mapping[str, Iterable[Hashable] | None]],
    options: Iterable[Hashable] | None = None,
) -> dict[Hashable, dict[Hashable, dict[str, bool]]]:
    """For a ``multi`` field: one present/absent unit set per option.

    ``units`` maps unit id to ``{coder: collection of chosen options}``; ``None`` (or an absent
    coder) is a missing value, an empty collection means "coded, nothing chosen" (every option
    absent). ``options`` defaults to every option anyone chose. Feed each result to
    :func:`krippendorff_alpha` for α per option.
    """
    chosen = {
        uid: {c: frozenset(v) for c, v in unit.items() if v is not None}
        for uid, unit in units.items()
    }
    if options is None:
        options = sorted(
            {o for unit in chosen.values() for v in unit.values() for o in v}, key=repr
        )
    return {
        opt: {uid: {c: opt in v for c, v in unit.items()} for uid, unit in chosen.items()}
        for opt in options
    }
