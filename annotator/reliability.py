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
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from .agreement import (
    FieldUnits,
    Stat,
    cohen_kappa,
    cohen_kappa_pairs,
    fleiss_kappa,
    krippendorff_alpha,
    option_units,
    pair_key,
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
from .agreement.sources import (
    CoderComparison,
    PairField,
    PairSpans,
    ReferenceComparison,
    SourceComparison,
)
from .agreement.streaming import SpanAgreement
from .errors import ValidationError
from .models import MANUAL
from .progress import NO_ASSIGNMENTS, NoAssignmentsError
from .store import GOLD, Store, resolve_coders

SPAN_METRICS = ("f1_exact", "f1_overlap", "alpha_token", "alpha_u")
SAMPLES = ("reliability",)
Span3 = tuple[int, int, str]


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
    ci = stat.ci if interval else None
    return Estimate(
        _num(stat),
        _ci(stat) if interval else None,
        stat.reason if stat.value is None else None,
        ci.used if ci is not None and ci.lo is not None and ci.used < ci.requested else None,
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
    origin: str = "all",
    sources: Sequence[str] = (),
) -> AgreementReport:
    """The full report (:meth:`AgreementReport.to_dict` is the ``--json`` output).

    ``documents``: only these documents are read. ``round`` (default with ``sample``: the
    current round) restricts to the round's documents, ``sample="reliability"`` to its
    reliability sample; the coders are then the round's coders unless ``coders`` narrows
    them (a coder not in the round is refused), and the report's ``design`` describes the
    sample. NotFoundError for an unknown round, ValidationError for an empty sample.

    ``origin`` (:data:`ORIGINS`): which labels count (:mod:`annotator.origin_filter`);
    when the coders' labels read include suggestions accepted or edited, the report's
    ``by_origin`` holds the reports of the other origins, so that they can be set side by
    side. ``sources``: suggestion sources taken as coders named ``source:<name>`` on the
    documents the coders coded, compared with each coder and with the gold layer
    (``sources`` of the report); NotFoundError for a source with no suggestions stored.

    The documents are read one at a time (:meth:`Store.iter_coding`) into per-document
    sufficient statistics (:class:`~annotator.agreement.streaming.SpanAgreement`), so memory
    grows with the number of documents by a small constant, never with their tokens; the
    values are exactly those of the corpus-level functions of :mod:`annotator.agreement`.
    """
    from .origin_filter import ORIGINS, check_origin, source_coders

    check_origin(origin)
    known = store.coders()
    plan: _Plan | None = None
    if round is not None or sample is not None:
        plan = _plan(store, round, sample, coders)
        chosen = list(plan.coders)
        documents = plan.documents if documents is None else set(documents) & plan.documents
    else:
        chosen = known if coders is None else resolve_coders(sorted(set(coders)), known)
    chosen = [c for c in chosen if c != GOLD]
    named = source_coders(store, sources, chosen)
    args = (store, chosen, named, documents, plan, bootstrap, seed, worst)
    report, assisted = _view(*args, origin)
    if not assisted:
        return report
    others = {o: _view(*args, o)[0] for o in ORIGINS if o != origin}
    return replace(report, by_origin=others)


def _view(
    store: Store,
    chosen: list[str],
    named: dict[str, str],
    documents: Collection[int] | None,
    plan: _Plan | None,
    bootstrap: int,
    seed: int,
    worst: int | None,
    origin: str,
) -> tuple[AgreementReport, bool]:
    """The report on the labels of ``origin``, and whether any label of the coders read
    was a suggestion accepted or edited. ``named``: ``{source: its coder name}``."""
    from .origin_filter import keeps_value, span_coders

    scheme = store.scheme
    everyone = [*chosen, *named.values()]
    reasons: list[str] = []
    if len(everyone) < 2:
        reasons.append(f"only {len(everyone)} coder(s): agreement needs at least two")

    wanted = set(chosen)
    # coded as they are read: nominal α takes them as arrays (agreement.units)
    fields = {f.name: FieldUnits() for f in scheme.doc_fields}
    labels = {*scheme.label_names, *store.span_labels()}
    spans_data = SpanAgreement(everyone, labels)
    against_gold = {src: ReferenceComparison(scheme.label_names, fields) for src in named}
    # a model is compared out of sample only: the documents it was trained on are left out
    trained = {src: store.trained_on(src) for src in named}
    source_docs = dict.fromkeys(named, 0)
    trained_out = dict.fromkeys(named, 0)
    rows: list[DocumentReport] = []
    n_documents = 0
    coded_by_two = 0
    coded_count: Counter[str] = Counter()  # the documents each coder coded
    # the gold layer on the documents read (its spans and document field values)
    gold_counts = {"documents": 0, "spans": 0, "document_codes": 0}
    assisted_seen = False
    for doc_id, title, length, states, spans, doc_labels in store.iter_coding(documents):
        # a coder coded a document when they labelled it or moved it past "new"
        coded: dict[str, list[tuple[int, int, str]]] = {}
        assisted: set[str] = set()  # coders with a span of a suggestion here
        gold_coded = False
        gold_spans: list[tuple[int, int, str]] = []
        gold_values: dict[str, str | tuple[str, ...]] = {}
        for coder, state in states:
            if coder in wanted and state != "new":
                coded.setdefault(coder, [])
            gold_coded |= coder == GOLD and state != "new"
        for coder, start, end, label, span_origin in spans:
            if coder in wanted:
                coded.setdefault(coder, []).append((start, end, label))
                if span_origin != MANUAL:
                    assisted.add(coder)
            elif coder == GOLD:
                gold_spans.append((start, end, label))
        values: dict[str, dict[str, Any]] = {}
        for coder, field, value, value_origin in doc_labels:
            if coder in wanted:
                coded.setdefault(coder, [])
                assisted_seen |= value_origin != MANUAL
                if field in fields and keeps_value(origin, value_origin):
                    values.setdefault(field, {})[coder] = value
            elif coder == GOLD:
                gold_values[field] = value
        assisted_seen |= bool(assisted)
        gold_coded |= bool(gold_spans or gold_values)
        if gold_spans or gold_values:  # as Store.stats counts the gold layer
            gold_counts["documents"] += 1
            gold_counts["spans"] += len(gold_spans)
            gold_counts["document_codes"] += len(gold_values)
        if against_gold and gold_coded:
            for src, check in against_gold.items():
                if doc_id in trained[src]:
                    continue
                check.add(gold_spans, _suggested(store, doc_id, src, labels), gold_values,
                          _suggested_values(store, doc_id, src))  # fmt: skip
        by_coder = span_coders(origin, coded, assisted)
        present = set(by_coder) | {c for unit in values.values() for c in unit}
        if not present:
            continue
        for src, name in named.items():  # the sources code what the coders coded
            if doc_id in trained[src]:
                trained_out[src] += 1
            else:
                source_docs[src] += 1
                by_coder[name] = _suggested(store, doc_id, src, labels)
                for sfield, svalue in _suggested_values(store, doc_id, src).items():
                    if sfield in fields:
                        values.setdefault(sfield, {})[name] = svalue
                present.add(name)
        for field, doc_unit in values.items():
            fields[field].add(doc_id, doc_unit)
        n_documents += 1
        coded_by_two += len(present) >= 2
        coded_count.update(present)
        doc_spans: tuple[Stat | None, ...] = (None, None, None, None)
        if by_coder:  # else only field values of this origin here
            tokens = store.word_tokens(doc_id) if len(by_coder) >= 2 else None
            agr = spans_data.add(doc_id, by_coder, tokens, length)
            doc_spans = (agr.f1_exact, agr.f1_overlap, agr.token_alpha, agr.unitizing_alpha)
        field_values: dict[str, float | None] = {}
        for fname, units in fields.items():
            unit = units.get(doc_id)
            field_values[fname] = (
                None if unit is None else _num(unit_agreement({doc_id: unit})[doc_id])
            )
        d_exact, d_overlap, d_token, d_alpha_u = map(_num, doc_spans)
        rows.append(
            DocumentReport(
                doc_id=doc_id,
                title=title,
                coders=tuple(sorted(present)),
                f1_exact=d_exact,
                f1_overlap=d_overlap,
                alpha_token=d_token,
                alpha_u=d_alpha_u,
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
                for option, ounits in option_units(cast(_AnyUnits, units), f.options).items()
            }
            options = {option: _estimate(stat, True) for option, stat in by_option.items()}
        alpha = krippendorff_alpha(units, bootstrap=bootstrap, seed=seed)
        doc_fields[f.name] = FieldAgreement(
            kind=f.kind,
            alpha=_estimate(alpha, True),
            percent=_estimate(percent_agreement(units)),
            fleiss_kappa=_estimate(fleiss_kappa(units)),
            cohen_kappa={k: _num(v) for k, v in cohen_kappa_pairs(units, everyone).items()},
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
    compared = {
        src: SourceComparison(
            coder=name,
            n_documents=source_docs[src],
            n_trained_on=trained_out[src],
            vs_coders={
                c: _against(spans_data, fields, scheme.label_names, c, name) for c in chosen
            },
            vs_gold=against_gold[src].result(_round) if against_gold[src].n_docs else None,
        )
        for src, name in named.items()
    }
    if origin == "assisted" and not assisted_seen:
        reasons.append("no label of these coders came from a suggestion")
    report = AgreementReport(
        database=str(store.path),
        scheme_name=scheme.name,
        scheme_version=scheme.version,
        coders=tuple(everyone),
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
        origin=origin,
        sources=compared,
        coded={c: coded_count[c] for c in everyone},
        gold=gold_counts,
    )
    return report, assisted_seen


def _suggested(store: Store, doc_id: int, source: str, labels: set[str]) -> list[Span3]:
    """A source's suggested spans on a document, as a coder's (labels outside ``labels``,
    which agreement cannot place, are left out)."""
    return [
        (s.start, s.end, s.label) for s in store.suggestions(doc_id, source) if s.label in labels
    ]


def _suggested_values(store: Store, doc_id: int, source: str) -> dict[str, str | tuple[str, ...]]:
    return {sl.field: sl.value for sl in store.suggested_labels(doc_id, source)}


def _against(
    spans_data: SpanAgreement,
    fields: Mapping[str, Mapping[Hashable, Mapping[str, Any]]],
    labels: Sequence[str],
    coder: str,
    source: str,
) -> CoderComparison:
    """One coder against a source: span F1 per label, and α and Cohen's κ per field, on
    the documents both coded."""
    key = pair_key(coder, source)

    def pair(label: str | None) -> PairSpans:
        return PairSpans(
            _num(spans_data.f1_pairs("exact", label)[key]),
            _num(spans_data.f1_pairs("overlap", label)[key]),
        )

    two = {coder, source}
    doc_fields = {}
    for name, units in fields.items():
        both = {d: {c: v for c, v in u.items() if c in two} for d, u in units.items()}
        doc_fields[name] = PairField(
            _num(krippendorff_alpha(both)), _num(cohen_kappa(both, coder, source))
        )
    return CoderComparison(
        overall=pair(None), by_label={lab: pair(lab) for lab in labels}, doc_fields=doc_fields
    )


_AnyUnits = Mapping[Hashable, Mapping[str, Any]]  # a multi field's values are option tuples


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
