"""Inter-coder agreement statistics (pure Python + numpy; no Qt, no database access)."""

from __future__ import annotations

from .bootstrap import bootstrap_ci
from .chance import alpha_below, brennan_prediger, gwet_ac1, prevalence
from .nominal import (
    cohen_kappa,
    cohen_kappa_pairs,
    fleiss_kappa,
    krippendorff_alpha,
    option_units,
    pair_key,
    percent_agreement,
    unit_agreement,
)
from .per_document import DocumentAgreement, per_document, worst_documents
from .result import Interval, Stat
from .spans import (
    f1_pairs,
    pairwise_f1,
    span_f1,
    token_alpha,
    unitizing_alpha,
    unitizing_disagreement,
)
from .units import FieldUnits

__all__ = [
    "DocumentAgreement",
    "FieldUnits",
    "Interval",
    "Stat",
    "alpha_below",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "cohen_kappa_pairs",
    "f1_pairs",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "option_units",
    "pair_key",
    "pairwise_f1",
    "per_document",
    "percent_agreement",
    "prevalence",
    "span_f1",
    "token_alpha",
    "unit_agreement",
    "unitizing_alpha",
    "unitizing_disagreement",
    "worst_documents",
]
