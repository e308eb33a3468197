"""``annotator agreement``: the reliability report for a database.

Pulls the coders' labels out of the store and runs the statistics of
:mod:`annotator.agreement` over them. Which documents a coder *coded* matters for
the statistics: a coder coded a document when they have any label on it or its
status is past "new" (so a finished article with no spans counts as "nothing
here", while an article never opened is missing, not zero).

Units: document fields take each document as a unit; token α takes every stored
non-whitespace token as a unit; α_U takes each document as a continuum.

On a designed study (issue 13), ``round`` restricts every statistic to the documents of
a round and ``sample="reliability"`` to its reliability sample (the documents assigned to
several coders so that agreement can be measured); the coders are then the round's
coders unless narrowed, and the report carries the design (:class:`SampleDesign`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from .agreement import (
    Stat,
    cohen_kappa_pairs,
    fleiss_kappa,
    krippendorff_alpha,
    option_units,
    percent_agreement,
    unit_agreement,
)
from .agreement.chance_report import below_dict, field_chance
from .agreement.report import (
    AgreementReport,
    BootstrapSettings,
    Bounds,
    DocumentReport,
    Estimate,
    FieldAgreement,
    LabelAgreement,
    SampleDesign,
    SpanReport,
)
from .agreement.streaming import SpanAgreement
from .errors import ValidationError
from .progress import NO_ASSIGNMENTS, NoAssignmentsError
from .store import GOLD, Store, resolve_coders

SPAN_METRICS = ("f1_exact", "f1_overlap", "alpha_token", "alpha_u")
SAMPLES = ("reliability",)


def _round(x: float) -> float:
    """Six decimals, and never ``-0.0``: a tiny negative value rounds to zero, not to a
    signed zero that JSON readers print as ``-0.0`` (``-0.0 + 0.0`` is ``0.0``)."""
    return round(float(x), 6) + 0.0


def _num(stat: Stat | None) -> float | None:
    return None if stat is None or stat.value is None else _round(stat.value)


def _ci(stat: Stat) -> Bounds | None:
    if stat.ci is None or stat.ci.lo is None or stat.ci.hi is None:
        return None
    return (_round(stat.ci.lo), _round(stat.ci.hi))


def _estimate(stat: Stat, interval: bool = False) -> Estimate:
    """The reported form of a statistic: rounded, with its interval when ``interval``."""
    return Estimate(
        _num(stat),
        _ci(stat) if interval else None,
        stat.reason if stat.value is None else None,
    )


def compute_agreement(
    store: Store,
    coders: Iterable[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
    worst: int | None = None,
    *,
    documents: Collection[int] | None = None,
    round: str | None = None,
    sample: str | None = None,
) -> AgreementReport:
    """The full report (:meth:`AgreementReport.to_dict` is the ``--json`` output).

    ``documents``: only these documents are read. ``round`` (default with ``sample``: the
    current round) restricts to the round's documents, ``sample="reliability"`` to its
    reliability sample; the coders are then the round's coders unless ``coders`` narrows
    them (a coder not in the round is refused), and the report's ``design`` describes the
    sample. NotFoundError for an unknown round, ValidationError for an empty sample.

    The documents are read one at a time (:meth:`Store.iter_coding`) into per-document
    sufficient statistics (:class:`~annotator.agreement.streaming.SpanAgreement`), so memory
    grows with the number of documents by a small constant, never with their tokens; the
    values are exactly those of the corpus-level functions of :mod:`annotator.agreement`.
    """
    known = store.coders()
    plan: _Plan | None = None
    if round is not None or sample is not None:
        plan = _plan(store, round, sample, coders)
        chosen = list(plan.coders)
        documents = plan.documents if documents is None else set(documents) & plan.documents
    else:
        chosen = known if coders is None else resolve_coders(sorted(set(coders)), known)
    chosen = [c for c in chosen if c != GOLD]
    scheme = store.scheme
    reasons: list[str] = []
    if len(chosen) < 2:
        reasons.append(f"only {len(chosen)} coder(s): agreement needs at least two")

    wanted = set(chosen)
    fields: dict[str, dict[Hashable, dict[str, Any]]] = {f.name: {} for f in scheme.doc_fields}
    spans_data = SpanAgreement(chosen, {*scheme.label_names, *store.span_labels()})
    rows: list[DocumentReport] = []
    n_documents = 0
    coded_by_two = 0
    for doc_id, title, length, states, spans, doc_labels in store.iter_coding(documents):
        # a coder coded a document when they labelled it or moved it past "new"
        coded: dict[str, list[tuple[int, int, str]]] = {}
        for coder, state in states:
            if coder in wanted and state != "new":
                coded.setdefault(coder, [])
        for coder, start, end, label in spans:
            if coder in wanted:
                coded.setdefault(coder, []).append((start, end, label))
        for coder, field, value in doc_labels:
            if coder in wanted:
                coded.setdefault(coder, [])
                if field in fields:
                    fields[field].setdefault(doc_id, {})[coder] = value
        if not coded:
            continue
        n_documents += 1
        coded_by_two += len(coded) >= 2
        tokens = store.word_tokens(doc_id) if len(coded) >= 2 else None
        agr = spans_data.add(doc_id, coded, tokens, length)
        field_values: dict[str, float | None] = {}
        for fname, units in fields.items():
            unit = units.get(doc_id)
            field_values[fname] = (
                None if unit is None else _num(unit_agreement({doc_id: unit})[doc_id])
            )
        rows.append(
            DocumentReport(
                doc_id=doc_id,
                title=title,
                coders=tuple(sorted(coded)),
                f1_exact=_num(agr.f1_exact),
                f1_overlap=_num(agr.f1_overlap),
                alpha_token=_num(agr.token_alpha),
                alpha_u=_num(agr.unitizing_alpha),
                fields=field_values,
            )
        )

    doc_fields: dict[str, FieldAgreement] = {}
    for f in scheme.doc_fields:
        units = fields[f.name]
        options: dict[str, Estimate] | None = None
        by_option: dict[str, Stat] = {}  # α per option (issue 16: P(α below) per option)
        if f.kind == "multi":
            by_option = {
                str(option): krippendorff_alpha(ounits, bootstrap=bootstrap, seed=seed)
                for option, ounits in option_units(units, f.options).items()
            }
            options = {option: _estimate(stat, True) for option, stat in by_option.items()}
        alpha = krippendorff_alpha(units, bootstrap=bootstrap, seed=seed)
        doc_fields[f.name] = FieldAgreement(
            kind=f.kind,
            alpha=_estimate(alpha, True),
            percent=_estimate(percent_agreement(units)),
            fleiss_kappa=_estimate(fleiss_kappa(units)),
            cohen_kappa={k: _num(v) for k, v in cohen_kappa_pairs(units, chosen).items()},
            n_documents=sum(1 for u in units.values() if len(u) >= 2),
            options=options,
            chance=field_chance(units, f.kind, f.options, alpha, by_option),
        )

    blocks: list[str | None] = [None, *scheme.label_names]
    tok = spans_data.token_alphas(blocks, bootstrap=bootstrap, seed=seed)
    alpha_u = spans_data.unitizing_alphas(blocks, bootstrap=bootstrap, seed=seed)

    def span_block(label: str | None) -> LabelAgreement:
        return LabelAgreement(
            f1_exact=_estimate(spans_data.f1("exact", label)),
            f1_overlap=_estimate(spans_data.f1("overlap", label)),
            alpha_token=_estimate(tok[label], True),
            alpha_u=_estimate(alpha_u[label], True),
            f1_pairs={k: _num(v) for k, v in spans_data.f1_pairs("overlap", label).items()},
            alpha_token_below=below_dict(tok[label]),
            alpha_u_below=below_dict(alpha_u[label]),
        )

    rows.sort(key=_worst_first)
    if worst is not None:
        rows = rows[:worst]
    return AgreementReport(
        database=str(store.path),
        scheme_name=scheme.name,
        scheme_version=scheme.version,
        coders=tuple(chosen),
        n_documents=n_documents,
        bootstrap=BootstrapSettings(resamples=bootstrap, seed=seed, level=0.95),
        reasons=tuple(reasons),
        doc_fields=doc_fields,
        spans=SpanReport(
            overall=span_block(None),
            by_label={lab: span_block(lab) for lab in scheme.label_names},
        ),
        documents=tuple(rows),
        design=None if plan is None else plan.design(coded_by_two),
    )


@dataclass(frozen=True)
class _Plan:
    """The documents and coders of a designed sample, and how it was drawn."""

    name: str
    sample: str | None
    seed: int | None
    drawn: dict[str, Any]
    coders: tuple[str, ...]
    documents: set[int]
    per_document: Counter[int]  # {coders assigned to a document: documents}

    def design(self, coded_by_two: int) -> SampleDesign:
        return SampleDesign(
            round=self.name,
            sample=self.sample,
            coders=self.coders,
            seed=self.seed,
            documents=len(self.documents),
            coded_by_two=coded_by_two,
            coders_per_document=dict(sorted(self.per_document.items())),
            drawn=self.drawn,
        )


def _plan(
    store: Store, round: str | None, sample: str | None, coders: Iterable[str] | None
) -> _Plan:
    if sample is not None and sample not in SAMPLES:
        raise ValidationError(f"unknown sample {sample!r} (known: {', '.join(SAMPLES)})")
    if round is None:
        round = store.current_round()
        if round is None:
            raise NoAssignmentsError(NO_ASSIGNMENTS)
    info = store.get_round(round)  # NotFoundError naming the known rounds
    in_round = store.round_coders(round)
    if coders is None:
        chosen = tuple(c for c in in_round if c != GOLD)
    else:
        chosen = tuple(resolve_coders(sorted(set(coders)), store.coders()))
        outside = [c for c in chosen if c not in in_round]
        if outside:
            raise ValidationError(
                f"coder {outside[0]!r} has no assignments in round {round!r}"
                f" (its coders: {', '.join(in_round) or 'none'})"
            )
    if sample == "reliability":
        docs = set(store.reliability_documents(round))
        if not docs:
            raise ValidationError(
                f"round {round!r} has no reliability sample: none of its documents is"
                " assigned for reliability"
            )
    else:
        docs = store.assigned_documents(round)
    wanted = set(chosen)
    assigned = Counter(
        a.doc_id for a in store.assignments(round) if a.doc_id in docs and a.coder in wanted
    )
    per_document = Counter(assigned[d] for d in docs)
    return _Plan(round, sample, info.seed, info.design, chosen, docs, per_document)


def _worst_first(row: DocumentReport) -> tuple[bool, float, float, int]:
    """Lowest overlap F1 first (then token α); documents with no defined value last."""
    f1 = row.f1_overlap
    tok = row.alpha_token
    return (
        f1 is None,
        f1 if f1 is not None else 0.0,
        tok if tok is not None else 2.0,
        row.doc_id,
    )
