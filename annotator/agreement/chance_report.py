"""The coefficients beside α of one document field, as reported (:class:`FieldChance`): Gwet's
AC1, Brennan–Prediger, the bootstrap probability that α is below .667 and .800, and the
prevalence flag. :func:`field_chance` builds it from the field's units; the report keeps it
in :attr:`annotator.agreement.report.FieldAgreement.chance` and adds its keys to the field's
JSON object (:meth:`FieldChance.add_to`).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from .chance import SKEWED_SHARE, alpha_below, brennan_prediger, gwet_ac1, prevalence
from .nominal import Units, option_units
from .result import Stat

_SetUnits = Mapping[Hashable, Mapping[str, Iterable[Hashable] | None]]  # a multi field's units


def _round(x: float) -> float:
    """Six decimals and never ``-0.0``, as every number of the report."""
    return round(float(x), 6) + 0.0


def _json_value(value: Hashable) -> Any:
    return list(value) if isinstance(value, (tuple, frozenset)) else value


@dataclass(frozen=True)
class PrevalenceInfo:
    """The commonest value of a field (or, for a ``multi`` field's option, whether it was
    chosen: ``True``/``False``), its share of all codings, and whether that share is over
    :data:`~annotator.agreement.chance.SKEWED_SHARE`."""

    value: Any
    share: float
    codings: int
    skewed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": _json_value(self.value),
            "share": self.share,
            "codings": self.codings,
            "skewed": self.skewed,
            "threshold": SKEWED_SHARE,
        }


@dataclass(frozen=True)
class FieldChance:
    """AC1, Brennan–Prediger (``None`` when undefined, with ``reasons``), the number ``q``
    of categories they were computed with, ``alpha_below`` (``{"0.667": p, "0.8": p}``,
    ``None`` without a bootstrap), the prevalence of the commonest value (``None`` when
    nothing was coded) and, for ``multi`` fields, the same per option (present/absent)."""

    gwet_ac1: float | None
    brennan_prediger: float | None
    q: int
    alpha_below: Mapping[str, float] | None
    prevalence: PrevalenceInfo | None
    reasons: Mapping[str, str]
    options: Mapping[str, FieldChance] | None = None

    @property
    def skewed(self) -> bool:
        return self.prevalence is not None and self.prevalence.skewed

    def to_dict(self) -> dict[str, Any]:
        """The keys this adds to a field's (or an option's) JSON object."""
        return {
            "gwet_ac1": self.gwet_ac1,
            "brennan_prediger": self.brennan_prediger,
            "categories": self.q,
            "alpha_below": None if self.alpha_below is None else dict(self.alpha_below),
            "prevalence": None if self.prevalence is None else self.prevalence.to_dict(),
            "coefficient_reasons": dict(self.reasons),
        }

    def add_to(self, out: dict[str, Any]) -> None:
        """Add these keys to a field's JSON object ``out`` (and to each of its options')."""
        options = out.pop("options", None)  # the options stay the last key
        out.update(self.to_dict())
        if options is not None:
            out["options"] = options
        for option, o in (self.options or {}).items():
            if option in out.get("options", {}):
                out["options"][option].update(o.to_dict())


def below_dict(alpha: Stat | None) -> dict[str, float] | None:
    """``{"0.667": p, "0.8": p}``: the bootstrap probability that ``alpha`` is below each
    threshold, rounded as the report's numbers; ``None`` without a bootstrap."""
    below = None if alpha is None else alpha_below(alpha)
    return None if below is None else {str(t): _round(p) for t, p in below.items()}


def _chance(units: Units, q: int, alpha: Stat | None) -> FieldChance:
    ac1, bp = gwet_ac1(units, q), brennan_prediger(units, q)
    prev = prevalence(units)
    return FieldChance(
        gwet_ac1=None if ac1.value is None else _round(ac1.value),
        brennan_prediger=None if bp.value is None else _round(bp.value),
        q=q,
        alpha_below=below_dict(alpha),
        prevalence=None
        if prev is None
        else PrevalenceInfo(prev.value, _round(prev.share), prev.codings, prev.skewed),
        reasons={
            k: s.reason for k, s in (("gwet_ac1", ac1), ("brennan_prediger", bp)) if s.value is None
        },
    )


def field_chance(
    units: Units,
    kind: str,
    options: Collection[str],
    alpha: Stat | None = None,
    option_alphas: Mapping[str, Stat] | None = None,
) -> FieldChance:
    """The coefficients of a document field beside its α.

    ``units``: the field's units as given to α; ``options``: the field's options in the
    scheme (``q`` is their number together with any other value coded; a ``multi`` field's
    value is the set chosen, so ``q`` is the number of subsets, ``2 ** options``, as α
    compares whole sets); ``alpha``: the field's α with its bootstrap, for ``alpha_below``.
    A ``multi`` field also gets the coefficients per option, each option present/absent
    (``q = 2``) as :func:`~annotator.agreement.nominal.option_units` gives them to α, with
    ``option_alphas`` (α per option, keyed by option) for their ``alpha_below``.
    """
    values = {v for unit in units.values() for v in unit.values() if v is not None}
    if kind != "multi":
        return _chance(units, len(set(options) | values), alpha)
    chosen = {o for v in values if isinstance(v, (tuple, frozenset)) for o in v}
    q = max(2 ** len(set(options) | chosen), len(values))
    per_option = {
        str(option): _chance(ounits, 2, (option_alphas or {}).get(str(option)))
        for option, ounits in option_units(cast(_SetUnits, units), options).items()
    }
    whole = _chance(units, q, alpha)
    return FieldChance(
        whole.gwet_ac1,
        whole.brennan_prediger,
        whole.q,
        whole.alpha_below,
        whole.prevalence,
        whole.reasons,
        per_option,
    )
