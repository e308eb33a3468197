"""The agreement report as typed data: what :func:`annotator.reliability.compute_agreement`
builds and the three renderers (text, HTML, the agreement window) read by attribute.

Every number is already rounded to six decimals; an undefined statistic has ``value`` ``None``
and a ``reason``. :meth:`AgreementReport.to_dict` is the one place the report becomes plain
data — the ``annotator agreement --json`` output, whose keys are those of the JSON format
(``annotators`` for the coders, ``reasons`` per block) and stay as they are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .sources import SourceComparison

if TYPE_CHECKING:
    from .chance_report import FieldChance

Bounds = tuple[float, float]
"""A 95% bootstrap interval, ``(lo, hi)``."""

PairValues = Mapping[str, float | None]
"""A pairwise statistic per coder pair, keyed ``"a|b"`` with the two names sorted."""


def _bounds(ci: Bounds | None) -> list[float] | None:
    return None if ci is None else [ci[0], ci[1]]


def _resamples(key: str, e: Estimate) -> dict[str, int]:
    """``{key: resamples}`` when ``e``'s interval is over fewer resamples than requested
    (the statistic undefined on the others), else nothing: the JSON of such an interval
    says so, as the text and HTML reports do."""
    return {} if e.used is None else {key: e.used}


@dataclass(frozen=True)
class Estimate:
    """One reported statistic: its value, its interval when a bootstrap gave one, and why it
    is undefined (``reason`` is ``None`` whenever ``value`` is defined)."""

    value: float | None
    ci: Bounds | None = None
    reason: str | None = None
    # the resamples where the statistic was defined, when fewer than requested: the
    # interval (and P(α below)) is over those only (e.g. a resample with no variation)
    used: int | None = None


def _reasons(stats: Mapping[str, Estimate]) -> dict[str, str]:
    return {k: s.reason or "" for k, s in stats.items() if s.value is None}


@dataclass(frozen=True)
class FieldAgreement:
    """Agreement on one document field (each document a unit)."""

    kind: str
    alpha: Estimate
    percent: Estimate
    fleiss_kappa: Estimate
    cohen_kappa: PairValues
    n_documents: int  # documents with at least two coders' values
    options: Mapping[str, Estimate] | None = None  # α per option, for ``multi`` fields only
    chance: FieldChance | None = None  # AC1, Brennan-Prediger, P(α below), prevalence

    def reasons(self) -> dict[str, str]:
        """Why α and Fleiss' κ are undefined, by their JSON key (only those undefined)."""
        return _reasons({"alpha": self.alpha, "fleiss_kappa": self.fleiss_kappa})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "alpha": self.alpha.value,
            "alpha_ci": _bounds(self.alpha.ci),
            **_resamples("alpha_ci_resamples", self.alpha),
            "percent": self.percent.value,
            "fleiss_kappa": self.fleiss_kappa.value,
            "cohen_kappa": dict(self.cohen_kappa),
            "n_documents": self.n_documents,
            "reasons": self.reasons(),
        }
        if self.options is not None:
            out["options"] = {
                option: {
                    "alpha": o.value,
                    "alpha_ci": _bounds(o.ci),
                    **_resamples("alpha_ci_resamples", o),
                    **({"reason": o.reason or ""} if o.value is None else {}),
                }
                for option, o in self.options.items()
            }
        if self.chance is not None:
            self.chance.add_to(out)
        return out


@dataclass(frozen=True)
class LabelAgreement:
    """Span agreement for one label, or for all labels together."""

    f1_exact: Estimate
    f1_overlap: Estimate
    alpha_token: Estimate
    alpha_u: Estimate
    f1_pairs: PairValues  # overlap F1 per coder pair
    # bootstrap P(α < .667), P(α < .8) of token α and α_U, keyed "0.667"/"0.8" (issue 16)
    alpha_token_below: Mapping[str, float] | None = None
    alpha_u_below: Mapping[str, float] | None = None

    def statistics(self) -> dict[str, Estimate]:
        """The four statistics by their JSON key, in the report's order."""
        return {
            "f1_exact": self.f1_exact,
            "f1_overlap": self.f1_overlap,
            "alpha_token": self.alpha_token,
            "alpha_u": self.alpha_u,
        }

    def reasons(self) -> dict[str, str]:
        """Why statistics are undefined, by their JSON key (only those undefined)."""
        return _reasons(self.statistics())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: s.value for k, s in self.statistics().items()}
        out["alpha_token_ci"] = _bounds(self.alpha_token.ci)
        out.update(_resamples("alpha_token_ci_resamples", self.alpha_token))
        out["alpha_u_ci"] = _bounds(self.alpha_u.ci)
        out.update(_resamples("alpha_u_ci_resamples", self.alpha_u))
        out["f1_pairs"] = dict(self.f1_pairs)
        out["reasons"] = self.reasons()
        for key, below in (("alpha_token_below", self.alpha_token_below),
                           ("alpha_u_below", self.alpha_u_below)):  # fmt: skip
            out[key] = None if below is None else dict(below)
        return out


@dataclass(frozen=True)
class SpanReport:
    """Span agreement over all labels and per label (the scheme's labels, in its order)."""

    overall: LabelAgreement
    by_label: Mapping[str, LabelAgreement]

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "by_label": {lab: b.to_dict() for lab, b in self.by_label.items()},
        }


@dataclass(frozen=True)
class DocumentReport:
    """Agreement on one document, for the list of documents worst first."""

    doc_id: int
    title: str
    coders: tuple[str, ...]
    f1_exact: float | None
    f1_overlap: float | None
    alpha_token: float | None
    alpha_u: float | None
    fields: Mapping[str, float | None]  # per document field; None when not coded by two

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "doc_id": self.doc_id,
            "title": self.title,
            "coders": list(self.coders),
            "f1_exact": self.f1_exact,
            "f1_overlap": self.f1_overlap,
            "alpha_token": self.alpha_token,
            "alpha_u": self.alpha_u,
        }
        for name, value in self.fields.items():
            out[f"agreement_{name}"] = value
        return out


@dataclass(frozen=True)
class BootstrapSettings:
    """How the intervals were computed: documents resampled ``resamples`` times."""

    resamples: int
    seed: int
    level: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        return {"resamples": self.resamples, "seed": self.seed, "level": self.level}


@dataclass(frozen=True)
class SampleDesign:
    """The designed sample a report was computed on (``agreement --sample``/``--round``):
    which round, which documents, by whom, and how the round was drawn."""

    round: str
    sample: str | None  # "reliability": its reliability sample; None: all its documents
    coders: tuple[str, ...]
    seed: int | None
    documents: int  # documents in the sample
    coded_by_two: int  # of them, coded by at least two of the coders
    coders_per_document: Mapping[int, int]  # {coders assigned to a document: documents}
    drawn: Mapping[str, Any]  # the round's recorded design (method, overlap, per_doc ...)

    def to_dict(self) -> dict[str, Any]:
        return {
            "round": self.round,
            "sample": self.sample,
            "annotators": list(self.coders),
            "seed": self.seed,
            "documents": self.documents,
            "documents_coded_by_two": self.coded_by_two,
            "coders_per_document": {str(k): v for k, v in self.coders_per_document.items()},
            "drawn": dict(self.drawn),
        }


@dataclass(frozen=True)
class AgreementReport:
    """The whole reliability report of a database."""

    database: str
    scheme_name: str
    scheme_version: int
    coders: tuple[str, ...]
    n_documents: int  # documents coded by at least one of the coders
    bootstrap: BootstrapSettings
    reasons: tuple[str, ...]  # why the report as a whole says little (e.g. one coder)
    doc_fields: Mapping[str, FieldAgreement]
    spans: SpanReport
    documents: tuple[DocumentReport, ...]  # worst first
    design: SampleDesign | None = None  # the designed sample, when restricted to one
    # which labels: "all", "manual" (human-only) or "assisted" (agreement --origin)
    origin: str = "all"
    # the other origins' reports, when the coders' labels have both origins
    by_origin: Mapping[str, AgreementReport] = field(default_factory=dict)
    # suggestion sources taken as coders (agreement --with-source), by source name
    sources: Mapping[str, SourceComparison] = field(default_factory=dict)
    # how many of the documents read each coder (and source) coded: 0 for a coder who
    # coded none of them (e.g. one who only opened the window), who adds nothing
    coded: Mapping[str, int] = field(default_factory=dict)
    # the adjudicated (gold) layer on the documents read: {"documents", "spans",
    # "document_codes"}, as ``Store.stats()["gold"]`` counts the first two on the whole
    # database
    gold: Mapping[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data, exactly the ``--json`` object (``design`` only when
        the report was restricted to a round or its reliability sample; ``origin`` and
        ``by_origin`` only when origins were told apart, ``sources`` only with sources,
        ``coded_documents`` only when a coder named coded none of the documents)."""
        design = {} if self.design is None else {"design": self.design.to_dict()}
        extra: dict[str, Any] = {}
        if self.origin != "all" or self.by_origin:
            extra["origin"] = self.origin
        if self.by_origin:
            extra["by_origin"] = {k: r.to_dict() for k, r in self.by_origin.items()}
        if self.sources:
            extra["sources"] = {k: s.to_dict() for k, s in self.sources.items()}
        if 0 in self.coded.values():  # a coder named who coded none of the documents
            extra["coded_documents"] = dict(self.coded)
        return {
            "database": self.database,
            "scheme": {"name": self.scheme_name, "version": self.scheme_version},
            "annotators": list(self.coders),
            "n_documents": self.n_documents,
            **design,
            "bootstrap": self.bootstrap.to_dict(),
            "reasons": list(self.reasons),
            "doc_fields": {name: f.to_dict() for name, f in self.doc_fields.items()},
            "spans": self.spans.to_dict(),
            "documents": [d.to_dict() for d in self.documents],
            **extra,
        }

    def to_json(self) -> str:
        """What ``annotator agreement --json`` prints."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
