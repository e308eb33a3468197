"""A suggestion source (a model, the codebook's patterns, outside predictions) measured
against people: the typed parts of the agreement report's ``sources`` block, and
:class:`ReferenceComparison`, which scores a source's labels against a reference layer
(the adjudicated gold layer) one document at a time.

Against the reference, spans are matched per label as the pairwise F1 of the coders
matches them (``exact``: same start, end and label; ``overlap``: same label and a shared
character, matched one to one) and counted over all documents (micro-averaged):
precision = tp / (tp + fp), recall = tp / (tp + fn), F1 = 2 tp / (2 tp + fp + fn), each
undefined (``None``) when its denominator is 0. A document field's accuracy is the share
of the reference's values the source gave exactly (a multi-choice field: the same set of
options); a value the source did not give counts as wrong, and ``n_predicted`` says how
many it gave.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .spans import MODES, Span, _by_label, _f1, _max_overlap_matching

Rounder = Callable[[float], float]


def _ratio(a: int, b: int, rnd: Rounder) -> float | None:
    return None if b == 0 else rnd(a / b)


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 of a source's spans against a reference, with the counts."""

    precision: float | None
    recall: float | None
    f1: float | None
    tp: int
    fp: int
    fn: int

    @classmethod
    def of(cls, tp: int, fp: int, fn: int, rnd: Rounder) -> PRF:
        f1 = _f1(tp, fp, fn)
        return cls(
            _ratio(tp, tp + fp, rnd),
            _ratio(tp, tp + fn, rnd),
            None if f1 is None else rnd(f1),
            tp,
            fp,
            fn,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(frozen=True)
class FieldAccuracy:
    """A source's values of one document field against the reference's."""

    accuracy: float | None  # None when the reference has no value of the field
    n_documents: int  # documents with a reference value
    n_predicted: int  # of them, those the source gave a value for

    def to_dict(self) -> dict[str, Any]:
        return {
            "accuracy": self.accuracy,
            "n_documents": self.n_documents,
            "n_predicted": self.n_predicted,
        }


@dataclass(frozen=True)
class GoldComparison:
    """A source against the gold layer: spans per matching mode, overall and per label;
    accuracy per document field."""

    n_documents: int  # documents with gold labels (or marked past "new" in gold)
    overall: Mapping[str, PRF]  # {"exact": ..., "overlap": ...}
    by_label: Mapping[str, Mapping[str, PRF]]
    doc_fields: Mapping[str, FieldAccuracy]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_documents": self.n_documents,
            "spans": {
                "overall": {m: p.to_dict() for m, p in self.overall.items()},
                "by_label": {
                    lab: {m: p.to_dict() for m, p in modes.items()}
                    for lab, modes in self.by_label.items()
                },
            },
            "doc_fields": {f: a.to_dict() for f, a in self.doc_fields.items()},
        }


@dataclass(frozen=True)
class PairSpans:
    """Span F1 between one coder and the source (one label, or all)."""

    f1_exact: float | None
    f1_overlap: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"f1_exact": self.f1_exact, "f1_overlap": self.f1_overlap}


@dataclass(frozen=True)
class PairField:
    """Agreement on one document field between one coder and the source."""

    alpha: float | None
    cohen_kappa: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "cohen_kappa": self.cohen_kappa}


@dataclass(frozen=True)
class CoderComparison:
    """One coder against the source, on the documents both coded."""

    overall: PairSpans
    by_label: Mapping[str, PairSpans]
    doc_fields: Mapping[str, PairField]

    def to_dict(self) -> dict[str, Any]:
        return {
            "spans": {
                "overall": self.overall.to_dict(),
                "by_label": {lab: p.to_dict() for lab, p in self.by_label.items()},
            },
            "doc_fields": {f: p.to_dict() for f, p in self.doc_fields.items()},
        }


@dataclass(frozen=True)
class SourceComparison:
    """A suggestion source taken as a coder (named ``coder``): each human coder against it,
    and it against the gold layer (``None`` when no document read has gold)."""

    coder: str  # its name among the report's coders, "source:<name>"
    n_documents: int  # documents it was counted on (those the coders coded)
    vs_coders: Mapping[str, CoderComparison]
    vs_gold: GoldComparison | None
    # documents the coders coded that its model was trained on: left out (out of sample)
    n_trained_on: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "coder": self.coder,
            "n_documents": self.n_documents,
            "n_trained_on_left_out": self.n_trained_on,
            "vs_coders": {c: v.to_dict() for c, v in self.vs_coders.items()},
            "vs_gold": None if self.vs_gold is None else self.vs_gold.to_dict(),
        }


def _comparable(value: Hashable) -> Hashable:
    """A multi-choice value compares as a set of options, whatever their order."""
    return frozenset(value) if isinstance(value, tuple) else value


class ReferenceComparison:
    """Counts of a source's labels against a reference's, fed one document at a time."""

    def __init__(self, labels: Iterable[str], fields: Iterable[str]):
        self.labels = list(dict.fromkeys(labels))
        self.n_docs = 0
        self._spans = {m: {lab: [0, 0, 0] for lab in self.labels} for m in MODES}
        self._fields = {f: [0, 0, 0] for f in fields}  # correct, reference values, predicted

    def add(
        self,
        reference: Iterable[Span],
        predicted: Iterable[Span],
        reference_values: Mapping[str, Hashable],
        predicted_values: Mapping[str, Hashable],
    ) -> None:
        """One document: the reference's spans and field values, and the source's."""
        self.n_docs += 1
        ref, pred = _by_label(reference, None), _by_label(predicted, None)
        for lab in ref.keys() | pred.keys():
            r, p = ref.get(lab, []), pred.get(lab, [])
            for mode in MODES:
                t = _exact(r, p) if mode == "exact" else _max_overlap_matching(r, p)
                row = self._spans[mode].setdefault(lab, [0, 0, 0])
                row[0] += t
                row[1] += len(p) - t
                row[2] += len(r) - t
        for field, value in reference_values.items():
            if field not in self._fields:
                continue
            row = self._fields[field]
            row[1] += 1
            if field in predicted_values:
                row[2] += 1
                row[0] += _comparable(predicted_values[field]) == _comparable(value)

    def result(self, rnd: Rounder) -> GoldComparison:
        overall = {}
        for mode in MODES:
            tp = sum(r[0] for r in self._spans[mode].values())
            fp = sum(r[1] for r in self._spans[mode].values())
            fn = sum(r[2] for r in self._spans[mode].values())
            overall[mode] = _prf([tp, fp, fn], rnd)
        return GoldComparison(
            n_documents=self.n_docs,
            overall=overall,
            by_label={
                lab: {m: _prf(self._spans[m][lab], rnd) for m in MODES} for lab in self.labels
            },
            doc_fields={
                f: FieldAccuracy(_ratio(c, n, rnd), n, p) for f, (c, n, p) in self._fields.items()
            },
        )


def _prf(counts: list[int], rnd: Rounder) -> PRF:
    tp, fp, fn = counts
    return PRF.of(tp, fp, fn, rnd)


def _exact(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    """Spans with the same boundaries, one to one (a span marked twice matches twice)."""
    return sum((Counter(a) & Counter(b)).values())
